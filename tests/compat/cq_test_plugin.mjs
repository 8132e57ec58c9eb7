// A CloudQuery source plugin built on the real JavaScript SDK
// (@cloudquery/plugin-sdk-javascript 0.1.25), for the hosting tests
// (tests/cli/cq_host_*.sh). It serves like any SDK plugin:
//
//   node tests/compat/cq_test_plugin.mjs serve --address unix:/abs/path.sock --log-format json
//
// Table `numbers` (incremental on `seq`; id is the key) and its child table
// `numbers_notes`. The SDK resolves a table whole before it sends any of its
// rows, then sends each row and resolves that row's children: rows reach
// the client parent by parent. The spec says how the sync goes:
//   rows         rows of `numbers` (default 5); each has 2 notes
//   start        the first id and seq (default 1)
//   crash_after  the process kills itself (SIGKILL) while resolving the
//                notes of that number, its rows before already sent — a
//                plugin that dies mid-stream
//   slow_notes   each number's notes take 20 ms, so a sync of many rows lasts;
//                once the client cancels the stream the plugin logs "sync
//                cancelled by the client" and resolves nothing more
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin, newUnimplementedDestination } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { filterTables, createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { pathResolver, parentColumnResolver } from '@cloudquery/plugin-sdk-javascript/schema/resolvers';
import { Int64, Utf8 } from '@cloudquery/plugin-sdk-javascript/arrow';

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const notesTable = createTable({
  name: 'numbers_notes',
  description: 'Two notes per number',
  columns: [
    createColumn({ name: 'number_id', type: new Int64(), primaryKey: true, resolver: parentColumnResolver('id') }),
    createColumn({ name: 'note', type: new Utf8(), primaryKey: true, resolver: pathResolver('note') }),
  ],
  resolver: async (client, parent, stream) => {
    const { id } = parent.getItem();
    const { crash_after: crashAfter, slow_notes: slow = false } = client.spec;
    if (client.call?.cancelled) return;
    if (crashAfter !== undefined && id >= crashAfter) {
      await pause(300);  // let the rows already written reach the client
      process.kill(process.pid, 'SIGKILL');
    }
    if (slow) await pause(20);
    stream.write({ note: `note a of ${id}` });
    stream.write({ note: `note b of ${id} — ünïcödé` });
  },
});

const numbersTable = createTable({
  name: 'numbers',
  description: 'Numbers from the spec',
  isIncremental: true,
  columns: [
    createColumn({ name: 'id', type: new Int64(), primaryKey: true, notNull: true, resolver: pathResolver('id') }),
    createColumn({ name: 'seq', type: new Int64(), incrementalKey: true, resolver: pathResolver('seq') }),
    createColumn({ name: 'label', type: new Utf8(), resolver: pathResolver('label') }),
  ],
  relations: [notesTable],
  resolver: async (client, _parent, stream) => {
    const { rows = 5, start = 1 } = client.spec;
    for (let i = 0; i < rows; i++) {
      const seq = start + i;
      stream.write({ id: seq, seq, label: `number ${seq}` });
    }
  },
});

// SLUICE_TEST_EXTRA_TABLE=unicode (not CQ_…: the SDK reads CQ_* as flags) adds a table and column with non-ASCII names
// (`zählerstände`.`größe`); =badname adds a table Sluice must refuse
// (`bad-name`, as no entity may be named).
const extraTable = (name, column) =>
  createTable({
    name,
    columns: [createColumn({ name: column, type: new Utf8(), resolver: pathResolver('v') })],
    resolver: async (_client, _parent, stream) => {
      stream.write({ v: 'Ærø ✓' });
      stream.write({ v: '日本語' });
    },
  });
const extra = process.env.SLUICE_TEST_EXTRA_TABLE;
const allTables = [
  numbersTable,
  ...(extra === 'unicode' ? [extraTable('zählerstände', 'größe')] : []),
  ...(extra === 'badname' ? [extraTable('bad-name', 'v')] : []),
];

const jsonSchema = JSON.stringify({
  type: 'object',
  properties: {
    rows: { type: 'integer', minimum: 0 },
    crash_after: { type: 'integer', minimum: 1 },
    slow_notes: { type: 'boolean' },
    start: { type: 'integer' },
  },
  additionalProperties: false,
});

const newClient = (logger, specText, { noConnection }) => {
  const spec = noConnection || !specText ? {} : JSON.parse(specText) ?? {};
  const client = { id: () => 'numbers', spec, call: null };
  const filter = ({ tables, skipTables, skipDependentTables }) =>
    filterTables(allTables, tables, skipTables, skipDependentTables);
  return Promise.resolve({
    ...newUnimplementedDestination(),
    tables: (options) => Promise.resolve(filter(options)),
    sync: (options) => {
      client.call = options.stream;
      options.stream.on('cancelled', () => logger.info('sync cancelled by the client'));
      return sync({ logger, client, tables: filter(options), stream: options.stream, concurrency: 4 });
    },
    close: () => Promise.resolve(),
  });
};

const plugin = newPlugin('numbers', '0.3.0', newClient, { kind: 'source', team: 'sluice-tests', jsonSchema });
createServeCommand(plugin).parse();
