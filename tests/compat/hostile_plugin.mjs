// Peers that are not the plugin Sluice expects, for tests/cli/cq_host_failures.sh:
//
//   node tests/compat/hostile_plugin.mjs MODE unix:/abs/path.sock
//
//   junk         a plain socket server that answers every connection with bytes that are not HTTP/2
//   version2     a real gRPC server (grpc-js + plugin-pb's Discovery definition) whose GetVersions says [2]
//   nodiscovery  a real gRPC server with the Plugin service only: GetVersions is UNIMPLEMENTED, as on a
//                plugin of protocol 1 or 2 built before discovery v1
//   badrecord    a v3 plugin whose table `things` (a real Arrow schema, by Arrow JS) is fine, but whose
//                Sync sends, after the table's migrate_table, an insert whose record is not Arrow IPC
//
// v3 plugins with one table `t` (id int64 primary key, name utf8), whose Sync misbehaves:
//   secret       Init writes the spec's "token" to stderr and to stdout (plain, and with ESC
//                sequences and invalid UTF-8), then serves normally
//   twobatch     one insert holding two record batches
//   renamedcol   an insert whose record has `nom` instead of `name`
//   missingcol   an insert whose record lacks `name`
//   extracol     an insert whose record has an extra column
//   wrongtype    an insert whose record has `name` as float64
//   unmigrated   an insert for table `zzz`, never migrated
//   delete       two rows, then a delete_record for `t`
//   stall        two rows, then nothing, without ending the stream
// Run as a LOCAL plugin: `hostile_plugin.mjs serve --address unix:/path …` with HOSTILE_MODE=mode.
//
// It prints "listening" once bound and runs until killed.
import { createServer } from 'node:net';
import { unlinkSync } from 'node:fs';
import grpc from '@grpc/grpc-js';
import pb from '@cloudquery/plugin-pb-javascript';
import { Field, Float64, Int64, RecordBatch, Schema, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';

const v3Modes = ['secret', 'twobatch', 'renamedcol', 'missingcol', 'extracol', 'wrongtype', 'unmigrated', 'delete', 'stall'];

let [mode, address] = process.argv.slice(2);
if (mode === 'serve') {
  const argv = process.argv.slice(3);
  mode = process.env.HOSTILE_MODE;
  address = undefined;
  let network = '';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--address') address = argv[++i];
    else if (argv[i] === '--network') network = argv[++i];
  }
  if (network === 'unix') address = 'unix:' + address;
}
if (!mode || !address || !address.startsWith('unix:')) {
  process.stderr.write('usage: hostile_plugin.mjs junk|version2|nodiscovery unix:/path\n');
  process.exit(2);
}
const path = address.slice('unix:'.length);
try { unlinkSync(path); } catch {}

if (v3Modes.includes(mode)) {
  servePlugin();
} else if (mode === 'junk') {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end(Buffer.from('SSH-2.0-OpenSSH_9.2 not a plugin\r\n\x00\xff\xfe garbage garbage garbage\r\n', 'binary'));
  });
  server.listen(path, () => console.log('listening'));
} else {
  const server = new grpc.Server();
  const { discovery1, pluginV3 } = pb;
  const unimplemented = (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'not here' });
  const plugin = {};
  for (const name of Object.keys(pluginV3.cloudquery.plugin.v3.UnimplementedPluginService.definition)) {
    plugin[name] = unimplemented;
  }
  if (mode !== 'badrecord') server.addService(pluginV3.cloudquery.plugin.v3.UnimplementedPluginService.definition, plugin);
  if (mode === 'version2') {
    server.addService(discovery1.cloudquery.discovery.v1.UnimplementedDiscoveryService.definition, {
      GetVersions: (_call, callback) =>
        callback(null, new discovery1.cloudquery.discovery.v1.GetVersions.Response({ versions: [2] })),
    });
  } else if (mode === 'badrecord') {
    const v3 = pluginV3.cloudquery.plugin.v3;
    const metadata = new Map([['cq:table_name', 'things'], ['cq:table_title', ''], ['cq:table_description', ''],
      ['cq:extension:constraint_name', '']]);
    const schema = new Schema([new Field('id', new Int64(), true)], metadata);
    const table = tableToIPC(new Table(schema), 'stream');
    server.addService(discovery1.cloudquery.discovery.v1.UnimplementedDiscoveryService.definition, {
      GetVersions: (_call, callback) =>
        callback(null, new discovery1.cloudquery.discovery.v1.GetVersions.Response({ versions: [3] })),
    });
    Object.assign(plugin, {
      GetName: (_call, callback) => callback(null, new v3.GetName.Response({ name: 'badrecord' })),
      GetVersion: (_call, callback) => callback(null, new v3.GetVersion.Response({ version: '0.0.1' })),
      Init: (_call, callback) => callback(null, new v3.Init.Response()),
      GetTables: (_call, callback) => callback(null, new v3.GetTables.Response({ tables: [table] })),
      Sync: (call) => {
        call.write(new v3.Sync.Response({ migrate_table: new v3.Sync.MessageMigrateTable({ table }) }));
        const junk = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x40, 0, 0, 0]), Buffer.alloc(64, 0xab)]);
        call.write(new v3.Sync.Response({ insert: new v3.Sync.MessageInsert({ record: junk }) }));
        call.end();
      },
    });
    server.addService(v3.UnimplementedPluginService.definition, plugin);
  } else if (mode !== 'nodiscovery') {
    process.stderr.write(`unknown mode ${mode}\n`);
    process.exit(2);
  }
  server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) {
      process.stderr.write(`${error}\n`);
      process.exit(1);
    }
    console.log('listening');
  });
}

function servePlugin() {
  const v3 = pb.pluginV3.cloudquery.plugin.v3;
  const fieldMeta = (pk) => new Map([['cq:extension:primary_key', pk ? 'true' : 'false'],
    ['cq:extension:unique', 'false'], ['cq:extension:incremental', 'false']]);
  const F = (name, type, pk = false) => new Field(name, type, !pk, fieldMeta(pk));
  const schemaOf = (name, fields) => new Schema(fields, new Map([['cq:table_name', name], ['cq:table_title', ''],
    ['cq:table_description', ''], ['cq:extension:constraint_name', '']]));
  const batches = (schema, columns) => {
    const vectors = {};
    schema.fields.forEach((f, i) => { vectors[f.name] = vectorFromArray(columns[i], f.type); });
    return new Table(vectors).batches.map((b) => new RecordBatch(schema, b.data));
  };
  const record = (schema, ...columnSets) =>
    tableToIPC(new Table(schema, columnSets.flatMap((columns) => batches(schema, columns))), 'stream');
  const base = schemaOf('t', [F('id', new Int64(), true), F('name', new Utf8())]);
  const ids = (n, from = 1) => Array.from({ length: n }, (_, i) => BigInt(i + from));
  const insert = (buf) => new v3.Sync.Response({ insert: new v3.Sync.MessageInsert({ record: buf }) });
  const plugin = {};
  for (const name of Object.keys(v3.UnimplementedPluginService.definition)) {
    plugin[name] = (_c, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not here' });
  }
  Object.assign(plugin, {
    GetName: (_c, cb) => cb(null, new v3.GetName.Response({ name: 'hostile' })),
    GetVersion: (_c, cb) => cb(null, new v3.GetVersion.Response({ version: '0.0.1' })),
    GetSpecSchema: (_c, cb) => cb(null, new v3.GetSpecSchema.Response({ json_schema: '' })),
    Init: (c, cb) => {
      if (mode === 'secret') {
        let token = '';
        try { token = JSON.parse(Buffer.from(c.request.spec).toString()).token || ''; } catch {}
        process.stderr.write(`stderr token=${token}\n`);
        process.stdout.write(`stdout \x1b[31mred\x1b[0m token=${token} \xff\n`);
        process.stdout.write(Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x0a]));
      }
      cb(null, new v3.Init.Response());
    },
    GetTables: (_c, cb) => cb(null, new v3.GetTables.Response({ tables: [tableToIPC(new Table(base), 'stream')] })),
    Sync: async (call) => {
      const write = (m) => new Promise((r) => { if (call.write(m)) r(); else call.once('drain', r); });
      await write(new v3.Sync.Response({ migrate_table: new v3.Sync.MessageMigrateTable({ table: tableToIPC(new Table(base), 'stream') }) }));
      switch (mode) {
        case 'twobatch': await write(insert(record(base, [ids(2), ['a', 'b']], [ids(2, 11), ['c', 'd']]))); break;
        case 'renamedcol': await write(insert(record(schemaOf('t', [F('id', new Int64(), true), F('nom', new Utf8())]), [ids(2), ['a', 'b']]))); break;
        case 'missingcol': await write(insert(record(schemaOf('t', [F('id', new Int64(), true)]), [ids(2)]))); break;
        case 'extracol': await write(insert(record(schemaOf('t', [F('id', new Int64(), true), F('name', new Utf8()), F('extra', new Utf8())]), [ids(2), ['a', 'b'], ['x', 'y']]))); break;
        case 'wrongtype': await write(insert(record(schemaOf('t', [F('id', new Int64(), true), F('name', new Float64())]), [ids(2), [1.5, 2.5]]))); break;
        case 'unmigrated': await write(insert(record(schemaOf('zzz', [F('id', new Int64())]), [ids(3)]))); break;
        case 'delete':
          await write(insert(record(base, [ids(2), ['a', 'b']])));
          await write(new v3.Sync.Response({ delete_record: new v3.Sync.MessageDeleteRecord({ table_name: 't' }) }));
          break;
        case 'stall':
          await write(insert(record(base, [ids(2), ['a', 'b']])));
          return;  // never ends the stream
        default: await write(insert(record(base, [ids(2), ['a', 'b']])));
      }
      call.end();
    },
    Close: (_c, cb) => cb(null, new v3.Close.Response()),
  });
  const server = new grpc.Server();
  server.addService(v3.UnimplementedPluginService.definition, plugin);
  server.addService(pb.discovery1.cloudquery.discovery.v1.UnimplementedDiscoveryService.definition, {
    GetVersions: (_c, cb) => cb(null, new pb.discovery1.cloudquery.discovery.v1.GetVersions.Response({ versions: [3] })),
  });
  server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) {
      process.stderr.write(`${error}\n`);
      process.exit(1);
    }
    console.log('listening');
  });
}
