// The fan-out benchmark's integration (bench/run.mjs): one table whose
// multiplexer makes a client per page, so the scheduler resolves `pages`
// pages with at most `concurrency` requests in flight — the shape of
// multiplexed accounts and child tables, against an API with latency.
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { createTable, filterTables } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { Int64, Utf8 } from '@cloudquery/plugin-sdk-javascript/arrow';

const pagesTable = createTable({
  name: 'pages',
  columns: [createColumn({ name: 'id', type: new Int64(), primaryKey: true }), createColumn({ name: 'name', type: new Utf8() })],
  multiplexer: (client) => Array.from({ length: client.pages }, (_, page) => ({ ...client, id: () => `page ${page}`, page })),
  resolver: async (client, parent, stream) => {
    const response = await fetch(`${client.url}/rows?cursor=${client.page}`);
    if (!response.ok) throw new Error(`page ${client.page}: HTTP ${response.status}`);
    for (const item of (await response.json()).items) stream.write(item);
  },
});

const newClient = async (logger, specText, { noConnection }) => {
  const spec = noConnection && !specText ? {} : JSON.parse(specText);
  const tables = [pagesTable];
  const client = { id: () => 'fanout', url: spec.url, pages: spec.pages ?? 1 };
  return {
    tables: async (o) => filterTables(tables, o.tables, o.skipTables, o.skipDependentTables),
    sync: (o) => sync({ logger, client, tables: filterTables(tables, o.tables, o.skipTables, o.skipDependentTables),
      stream: o.stream, concurrency: spec.concurrency ?? 32 }),
    close: async () => {},
  };
};

createServeCommand(newPlugin('fanout', '1.0.0', newClient, { kind: 'source' })).parse();
