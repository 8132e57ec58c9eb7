// Reads a CloudQuery source plugin's Sync through gRPC as the CloudQuery CLI
// does (GetVersions → Init → Sync(["*"]) → drain), counting rows and
// messages; the plugin is whatever listens at TARGET. Prints one JSON line:
// {"rows", "inserts", "bytes", "seconds"}.
//
//   node bench/node/cq_read.mjs TARGET SPEC_JSON [--sqlite DB_PATH]
//
// With --sqlite it also writes the decoded rows into DB_PATH (created fresh)
// with better-sqlite3, as a destination would: a table per CloudQuery table
// (named by the record's cq:table_name, columns as its Arrow schema), one
// prepared INSERT, the records committed in transactions of at least 1000
// rows — the end-to-end sync an integration author runs today with the JS
// SDK and the CLI.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const compat = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'compat');
const require = createRequire(join(compat, 'package.json'));
const grpc = require('@grpc/grpc-js');
const pb = require('@cloudquery/plugin-pb-javascript');
const { tableFromIPC } = require('apache-arrow');

const args = process.argv.slice(2);
if (args.length !== 2 && !(args.length === 4 && args[2] === '--sqlite')) {
  console.error('usage: node cq_read.mjs TARGET SPEC_JSON [--sqlite DB_PATH]');
  process.exit(2);
}
const [target, specText, , dbPath] = args;

// The SQLite side (--sqlite): tables made as their first record arrives.
// Records are written in transactions of at least kBatchRows rows, as a
// destination's batch writer does (the JS SDK sends a record per row; a
// commit per row would measure the disk's fsync, not the sync).
const kBatchRows = 1000;
let writeRecord = null;
let closeDb = () => {};
if (dbPath) {
  const { default: Database } = await import('better-sqlite3');
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  const db = new Database(dbPath);
  const tables = new Map();  // name → {insert, pending: [records], rows}
  const quote = (name) => `"${name.replaceAll('"', '""')}"`;
  const affinity = (type) => {
    const name = String(type);
    if (/^(Int|Uint|Bool|Timestamp)/.test(name)) return 'INTEGER';
    if (/^Float/.test(name)) return 'REAL';
    if (/^Utf8/.test(name)) return 'TEXT';
    return 'BLOB';
  };
  // Arrow JS values as SQLite takes them: booleans as 1/0, UUIDs and other
  // binaries as blobs, lists and structs as JSON text.
  const sqliteValue = (v) => {
    if (v === null || v === undefined) return null;
    switch (typeof v) {
      case 'boolean': return v ? 1 : 0;
      case 'number': case 'bigint': case 'string': return v;
      default:
        if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        if (v instanceof Date) return v.toISOString();
        return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x));
    }
  };
  const flush = db.transaction((t) => {
    for (const record of t.pending) {
      const columns = record.schema.fields.map((_, i) => record.getChildAt(i));
      const values = new Array(columns.length);
      for (let r = 0; r < record.numRows; r++) {
        for (let c = 0; c < columns.length; c++) values[c] = sqliteValue(columns[c].get(r));
        t.insert.run(values);
      }
    }
  });
  const flushTable = (t) => {
    if (t.pending.length) flush(t);
    t.pending = [];
    t.rows = 0;
  };
  writeRecord = (table) => {
    const name = table.schema.metadata.get('cq:table_name') ?? 'rows';
    let t = tables.get(name);
    if (!t) {
      const fields = table.schema.fields;
      db.exec(`CREATE TABLE IF NOT EXISTS ${quote(name)} (${fields.map((f) => `${quote(f.name)} ${affinity(f.type)}`).join(', ')})`);
      const insert = db.prepare(`INSERT INTO ${quote(name)} (${fields.map((f) => quote(f.name)).join(', ')}) ` +
                                `VALUES (${fields.map(() => '?').join(', ')})`);
      t = { insert, pending: [], rows: 0 };
      tables.set(name, t);
    }
    t.pending.push(table);
    t.rows += table.numRows;
    if (t.rows >= kBatchRows) flushTable(t);
  };
  closeDb = () => {
    for (const t of tables.values()) flushTable(t);
    db.close();
  };
}

const limits = { 'grpc.max_receive_message_length': 200 << 20, 'grpc.max_send_message_length': 200 << 20 };
const plugin = pb.pluginV3.cloudquery.plugin.v3;
const client = new plugin.PluginClient(target, grpc.credentials.createInsecure(), limits);
const call = (method, request) =>
  new Promise((resolve, reject) => client[method](request, (error, response) => (error ? reject(error) : resolve(response))));

const started = process.hrtime.bigint();
await call('Init', new plugin.Init.Request({ spec: new TextEncoder().encode(specText), no_connection: false, invocation_id: 'bench' }));
let rows = 0;
let inserts = 0;
let bytes = 0;
await new Promise((resolve, reject) => {
  const stream = client.Sync(new plugin.Sync.Request({ tables: ['*'], skip_dependent_tables: true, withErrorMessages: true }));
  stream.on('data', (response) => {
    if (response.has_insert) {
      const record = response.insert.record;
      bytes += record.length;
      inserts += 1;
      const table = tableFromIPC(record);
      rows += table.numRows;
      if (writeRecord) writeRecord(table);
    }
  });
  stream.on('error', reject);
  stream.on('end', resolve);
});
closeDb();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ rows, inserts, bytes, seconds })}\n`);
client.close();
