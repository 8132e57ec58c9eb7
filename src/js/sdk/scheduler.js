// The SDK's scheduler, run by Sluice: resolves tables for each client meta
// their multiplexer returns, and child tables for each parent row, under one
// concurrency bound, streaming rows to the engine while resolvers still run.
// Unlike the SDK 0.1.25, rows are not buffered until a resolver finishes,
// and children of different parents resolve concurrently.
import { resolveTables } from './host.js';

export const Strategy = Object.freeze({ dfs: 'dfs', roundRobin: 'round-robin' });

export const getRoundRobinTableClients = (tables, client) => {
  let withClients = tables.map((table) => ({ table, clients: [...table.multiplexer(client)] }))
    .filter(({ clients }) => clients.length > 0);
  const pairs = [];
  while (withClients.length > 0) {
    for (const { table, clients } of withClients) pairs.push({ table, client: clients.shift() });
    withClients = withClients.filter(({ clients }) => clients.length > 0);
  }
  return pairs;
};

export const sync = async ({ logger, client, tables, stream, concurrency, strategy = Strategy.dfs, deterministicCQId }) => {
  let pairs;
  if (strategy === Strategy.roundRobin) {
    pairs = getRoundRobinTableClients(tables, client);
  } else if (strategy === Strategy.dfs) {
    pairs = tables.flatMap((table) => table.multiplexer(client).map((c) => ({ table, client: c })));
  } else {
    throw new Error(`unknown strategy ${strategy}`);
  }
  await resolveTables({ logger, pairs, stream, concurrency, deterministicCQId });
  stream.end();
};
