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
// It prints "listening" once bound and runs until killed.
import { createServer } from 'node:net';
import { unlinkSync } from 'node:fs';
import grpc from '@grpc/grpc-js';
import pb from '@cloudquery/plugin-pb-javascript';
import { Field, Int64, Schema, Table, tableToIPC } from 'apache-arrow';

const [mode, address] = process.argv.slice(2);
if (!mode || !address || !address.startsWith('unix:')) {
  process.stderr.write('usage: hostile_plugin.mjs junk|version2|nodiscovery unix:/path\n');
  process.exit(2);
}
const path = address.slice('unix:'.length);
try { unlinkSync(path); } catch {}

if (mode === 'junk') {
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
