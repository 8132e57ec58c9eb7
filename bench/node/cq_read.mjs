// Reads a CloudQuery source plugin's Sync through gRPC as the CloudQuery CLI
// does (GetVersions → Init → Sync(["*"]) → drain), counting rows and
// messages; the plugin is whatever listens at TARGET. Prints one JSON line:
// {"rows", "inserts", "bytes", "seconds"}.
//
//   node bench/node/cq_read.mjs TARGET SPEC_JSON
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const compat = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'compat');
const require = createRequire(join(compat, 'package.json'));
const grpc = require('@grpc/grpc-js');
const pb = require('@cloudquery/plugin-pb-javascript');
const { tableFromIPC } = require('apache-arrow');

const [target, specText] = process.argv.slice(2);
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
      rows += tableFromIPC(record).numRows;
    }
  });
  stream.on('error', reject);
  stream.on('end', resolve);
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ rows, inserts, bytes, seconds })}\n`);
client.close();
