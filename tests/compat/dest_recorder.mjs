// A CloudQuery destination plugin that records what it is sent, built on
// the real generated stubs (@cloudquery/plugin-pb-javascript 0.0.39's
// UnimplementedPluginService), @grpc/grpc-js with its defaults (a 4 MiB
// receive limit, as the JavaScript SDK's server has) and Arrow JS 21 to
// decode every table and record. It proves what Sluice sends as a
// destination host against real peers, not against Sluice itself.
//
//   node dest_recorder.mjs --address unix:/tmp/x.sock --out calls.json
//        [--fail-insert N]   answer the Nth insert (from 1) with an error
//        [--crash-insert N]  exit (status 3) on the Nth insert: a plugin dying mid-stream
//        [--versions 2,3]    what Discovery.GetVersions answers (default 3)
//        [--fail-init]       refuse Init, quoting the spec back (as careless plugins do)
//        [--hang-versions]   never answer Discovery.GetVersions
//        [--hang-init]       never answer Init
//        [--hang-write]      take a Write stream's messages but never answer its end
//
// calls.json: {"versions_asked": n, "init": [{spec, no_connection}],
// "writes": [[message…]…] (one array per Write call), "closes": n}; a
// message is {kind: "migrate_table", table, force, fields: [{name, type,
// nullable, metadata}], metadata} | {kind: "insert", table, bytes,
// batches, rows, columns, first, last} | {kind: "delete", table_name,
// source_name, sync_time_us}. The file is rewritten after every call.
import { createRequire } from 'module';
import { writeFileSync } from 'fs';
import { pluginV3, discovery1 } from '@cloudquery/plugin-pb-javascript';
import { tableFromIPC } from 'apache-arrow';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const v3 = pluginV3.cloudquery.plugin.v3;

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const address = option('--address');
const out = option('--out');
const failInsert = Number(option('--fail-insert') ?? 0);
const crashInsert = Number(option('--crash-insert') ?? 0);
const versions = (option('--versions') ?? '3').split(',').map(Number);
const failInit = args.includes('--fail-init');
// A hung plugin: the call stays open, the process stays up, nothing answers.
const hangVersions = args.includes('--hang-versions');
const hangInit = args.includes('--hang-init');
const hangWrite = args.includes('--hang-write');
if (!address || !out) {
  console.error('usage: dest_recorder.mjs --address ADDR --out FILE [--fail-insert N]');
  process.exit(2);
}

const record = { versions_asked: 0, init: [], writes: [], closes: 0 };
const save = () => writeFileSync(out, JSON.stringify(record, null, 1));
let inserts = 0;

const metadataOf = (map) => Object.fromEntries([...(map ?? new Map()).entries()]);
const plain = (value) => {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');  // json is UTF-8 text
  if (value && typeof value === 'object' && typeof value.toJSON === 'function') return value.toJSON();
  return value;
};
const rowOf = (table, index) => {
  const row = {};
  for (const field of table.schema.fields) row[field.name] = plain(table.getChild(field.name).get(index));
  return row;
};

const service = {
  GetName: (call, callback) => callback(null, new v3.GetName.Response({ name: 'recorder' })),
  GetVersion: (call, callback) => callback(null, new v3.GetVersion.Response({ version: 'v0.0.1' })),
  Init: (call, callback) => {
    record.init.push({
      spec: Buffer.from(call.request.spec).toString('utf8'),
      no_connection: call.request.no_connection,
    });
    save();
    if (hangInit) return;
    if (failInit) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: `bad spec ${record.init.at(-1).spec}` });
      return;
    }
    callback(null, new v3.Init.Response());
  },
  Close: (call, callback) => {
    record.closes++;
    save();
    callback(null, new v3.Close.Response());
  },
  Write: (call, callback) => {
    const messages = [];
    record.writes.push(messages);
    let failed = false;
    call.on('data', (request) => {
      if (failed) return;
      try {
        if (request.has_migrate_table) {
          const table = tableFromIPC(request.migrate_table.table);
          messages.push({
            kind: 'migrate_table',
            table: table.schema.metadata.get('cq:table_name'),
            force: request.migrate_table.migrate_force,
            fields: table.schema.fields.map((f) => ({
              name: f.name, type: String(f.type), nullable: f.nullable, metadata: metadataOf(f.metadata),
            })),
            metadata: metadataOf(table.schema.metadata),
          });
        } else if (request.has_insert) {
          inserts++;
          if (inserts === crashInsert) {
            save();
            process.exit(3);
          }
          const bytes = request.insert.record;
          const table = tableFromIPC(bytes);
          messages.push({
            kind: 'insert',
            table: table.schema.metadata.get('cq:table_name'),
            bytes: bytes.length,
            batches: table.batches.length,
            rows: table.numRows,
            columns: table.schema.fields.map((f) => f.name),
            first: table.numRows > 0 ? rowOf(table, 0) : null,
            last: table.numRows > 0 ? rowOf(table, table.numRows - 1) : null,
          });
          if (inserts === failInsert) {
            failed = true;
            save();
            callback({ code: grpc.status.INTERNAL, details: `recorder refuses insert ${inserts}` });
          }
        } else if (request.has_delete) {
          const stale = request.delete;
          messages.push({
            kind: 'delete',
            table_name: stale.table_name,
            source_name: stale.source_name,
            sync_time_us: Number(stale.sync_time.seconds) * 1e6 + Math.floor(stale.sync_time.nanos / 1000),
          });
        } else {
          messages.push({ kind: 'other' });
        }
      } catch (error) {
        failed = true;
        messages.push({ kind: 'undecodable', error: String(error) });
        save();
        callback({ code: grpc.status.INVALID_ARGUMENT, details: String(error) });
      }
    });
    call.on('end', () => {
      save();
      if (hangWrite) return;
      if (!failed) callback(null, new v3.Write.Response());
    });
  },
};

const server = new grpc.Server();
server.addService(v3.UnimplementedPluginService.definition, service);
server.addService(discovery1.cloudquery.discovery.v1.UnimplementedDiscoveryService.definition, {
  GetVersions: (call, callback) => {
    record.versions_asked++;
    save();
    if (hangVersions) return;
    callback(null, new discovery1.cloudquery.discovery.v1.GetVersions.Response({ versions }));
  },
});
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(`cannot listen on ${address}: ${error.message}`);
    process.exit(1);
  }
  save();
  console.log(JSON.stringify({ level: 'info', message: `recording on ${address}` }));
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.tryShutdown(() => process.exit(0)));
}
