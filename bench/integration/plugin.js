// The benchmark's rows (bench/bench_api_server.cc, GET /rows?cursor=C) as a
// CloudQuery-style table integration: one table, bench_rows, read page by
// page. make bench serves it twice — by `sluice plugin serve` and by the
// real JavaScript SDK — and reads both through gRPC (bench/node/cq_read.mjs).
import { newPlugin, newUnimplementedDestination } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { filterTables } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { rowsTable } from './tables/bench_rows.js';

const allTables = [rowsTable];

const newClient = (logger, specText, { noConnection }) => {
  const spec = noConnection && !specText ? { url: '' } : JSON.parse(specText);
  const client = { id: () => 'bench', url: spec.url };
  const filter = ({ tables, skipTables, skipDependentTables }) =>
    filterTables(allTables, tables, skipTables, skipDependentTables);
  return Promise.resolve({
    ...newUnimplementedDestination(),
    tables: (options) => Promise.resolve(filter(options)),
    sync: (options) =>
      sync({ logger, client, tables: filter(options), stream: options.stream, concurrency: 1,
             deterministicCQId: options.deterministicCQId }),
    close: () => Promise.resolve(),
  });
};

export const plugin = newPlugin('bench', '1.0.0', newClient, { kind: 'source', team: 'sluice-bench' });
