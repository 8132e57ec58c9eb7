// Talks to a CloudQuery source plugin the way the CloudQuery CLI does
// (docs/cloudquery.md, reference §1.7), with the real protocol stubs of
// @cloudquery/plugin-pb-javascript 0.0.39 and @grpc/grpc-js (200 MiB
// limits both ways, as the CLI sets them), and checks every message rule a
// Go destination relies on. Rows are decoded with Arrow JS (apache-arrow
// 21) and written in sdk_rows.mjs's shape, so compare.mjs can diff them
// with the real SDK's rows.
//
//   node cli_emulator.mjs sync   TARGET [--spec FILE] [--out SDK_SHAPED_JSON] [--out-rows ROWS_JSON]
//                                [--tables a,b] [--skip-tables c] [--skip-dependent false]
//                                [--shard N/TOTAL] [--max-insert-bytes N] [--close]
//                                [--cancel-after N]  (cancels the stream after N messages)
//                                [--cancel-after-ms MS]  (cancels it MS ms after it opened,
//                                 with or without messages: a source that sends nothing)
//   node cli_emulator.mjs tables TARGET [--spec FILE] [--out JSON]
//   node cli_emulator.mjs test-connection TARGET [--spec FILE]
//   node cli_emulator.mjs spec-schema TARGET
//
// TARGET is host:port or unix:/abs/path. `sync` replays `cloudquery sync`:
// GetVersions (must hold 3) → Init(spec, or the literal `null` without
// --spec; no_connection=false; an invocation id) → Sync(tables ["*"],
// skip_dependent_tables true, withErrorMessages true) → drain; no Close
// (the CLI never closes a v3 source) unless --close. `tables` replays
// `cloudquery tables`: Init(no_connection=true) → GetName → GetTables.
//
// stdout: one JSON summary ({"ok": true, …} or {"ok": false, "stage",
// "code", "details"}). Exit status: 0 when the plugin answered and every
// rule held; 1 when a rule was broken (listed on stderr); 3 when the plugin
// answered with an error status (the summary says which); 2 for bad usage.
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import grpc from '@grpc/grpc-js';
import pbjs from '@cloudquery/plugin-pb-javascript';
import { tableFromIPC, Type } from 'apache-arrow';

process.env.TZ = 'UTC';

const plugin = pbjs.pluginV3.cloudquery.plugin.v3;
const discovery = pbjs.discovery1.cloudquery.discovery.v1;
const kMaxGrpc = 200 * 1024 * 1024;

const usage = () => {
  process.stderr.write('usage: node cli_emulator.mjs sync|tables|test-connection|spec-schema TARGET [options]\n');
  process.exit(2);
};

const [mode, target, ...rest] = process.argv.slice(2);
if (!mode || !target) usage();
const flags = {};
for (let i = 0; i < rest.length; i += 1) {
  if (!rest[i].startsWith('--')) usage();
  const name = rest[i].slice(2);
  if (name === 'close') { flags.close = true; continue; }
  if (i + 1 >= rest.length) usage();
  flags[name] = rest[i + 1];
  i += 1;
}
const list = (text) => (text === undefined ? undefined : text.split(',').filter((s) => s !== ''));
const maxInsertBytes = Number(flags['max-insert-bytes'] ?? 4 * 1024 * 1024);
const timeoutMs = Number(process.env.CLI_EMULATOR_TIMEOUT_MS ?? 300_000);

const violations = [];
const violate = (text) => { if (violations.length < 50) violations.push(text); };

const finish = (summary, status) => {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (violations.length > 0) {
    process.stderr.write(`cli_emulator: ${violations.length} rule(s) broken:\n  ${violations.join('\n  ')}\n`);
    process.exit(1);
  }
  process.exit(status);
};
const failed = (stage, error) => finish({ ok: false, stage, code: error.code, details: error.details ?? String(error) }, 3);

setTimeout(() => {
  process.stderr.write(`cli_emulator: no answer in ${timeoutMs} ms\n`);
  process.exit(1);
}, timeoutMs).unref();

const options = { 'grpc.max_receive_message_length': kMaxGrpc, 'grpc.max_send_message_length': kMaxGrpc };
const credentials = grpc.credentials.createInsecure();
const client = new plugin.PluginClient(target, credentials, options);

// plugin-pb-javascript 0.0.39 with the google-protobuf 4 it asks for cannot
// read GetVersions' answer: its deserializer calls reader.readPackedInt32,
// which google-protobuf 4 no longer has ("reader.readPackedInt32 is not a
// function"). So this one message is read here: field 1, int32s, packed
// (as Go and the SDKs write them) or not.
const readVarint = (bytes, at) => {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (at.i >= bytes.length) throw new Error('truncated varint');
    const byte = bytes[at.i++];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return value;
    shift += 7n;
  }
};
const decodeVersions = (bytes) => {
  const versions = [];
  const at = { i: 0 };
  while (at.i < bytes.length) {
    const key = Number(readVarint(bytes, at));
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) {
      const value = BigInt.asIntN(32, readVarint(bytes, at));
      if (field === 1) versions.push(Number(value));
    } else if (wire === 2) {
      const length = Number(readVarint(bytes, at));
      const end = at.i + length;
      if (end > bytes.length) throw new Error('truncated field');
      if (field === 1) while (at.i < end) versions.push(Number(BigInt.asIntN(32, readVarint(bytes, at))));
      at.i = end;
    } else if (wire === 5) { at.i += 4; } else if (wire === 1) { at.i += 8; } else {
      throw new Error(`wire type ${wire}`);
    }
  }
  return { versions };
};
const discoveryDefinition = {
  GetVersions: {
    ...discovery.UnimplementedDiscoveryService.definition.GetVersions,
    responseDeserialize: (bytes) => decodeVersions(new Uint8Array(bytes)),
  },
};
const DiscoveryClient = grpc.makeGenericClientConstructor(discoveryDefinition, 'Discovery', {});
const discoveryClient = new DiscoveryClient(target, credentials, options);

const unary = (on, method, request) => new Promise((resolve, reject) => {
  on[method](request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
    if (error) reject(error); else resolve(response);
  });
});

const specBytes = () => {
  // The CLI sends json.Marshal(spec), or `null` when the spec is empty.
  // The file's bytes as they are (a test may send bytes that are not UTF-8).
  if (flags.spec === undefined) return new TextEncoder().encode('null');
  return new Uint8Array(readFileSync(flags.spec));
};

// --- Arrow checks and values -------------------------------------------------

const metadataOf = (map) => Object.fromEntries([...(map ?? new Map()).entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
const extensionName = (field) => field.metadata.get('ARROW:extension:name') || '';
const typeString = (field) => {
  const extension = extensionName(field);
  return extension ? `extension<${extension}>` : String(field.type);
};
// Two schemas are the same table when names, types, nullability and every
// metadata entry agree.
const schemaForm = (schema) => JSON.stringify({
  metadata: metadataOf(schema.metadata),
  fields: schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable, metadata: metadataOf(f.metadata) })),
});

// The first thing that differs between two schemaForm()s, for the message.
const schemaDifference = (a, b) => {
  const x = JSON.parse(a);
  const y = JSON.parse(b);
  if (JSON.stringify(x.metadata) !== JSON.stringify(y.metadata)) {
    return `schema metadata ${JSON.stringify(x.metadata)} vs ${JSON.stringify(y.metadata)}`;
  }
  for (let i = 0; i < Math.max(x.fields.length, y.fields.length); i += 1) {
    if (JSON.stringify(x.fields[i]) !== JSON.stringify(y.fields[i])) {
      return `field ${i}: ${JSON.stringify(x.fields[i])} vs ${JSON.stringify(y.fields[i])}`;
    }
  }
  return 'field order';
};

const kExtensionStorage = { uuid: (t) => t.typeId === Type.FixedSizeBinary && t.byteWidth === 16,
  json: (t) => t.typeId === Type.Binary, inet: (t) => t.typeId === Type.Binary, mac: (t) => t.typeId === Type.Binary };

const checkSchema = (schema, where) => {
  const name = schema.metadata.get('cq:table_name');
  if (!name) violate(`${where}: schema has no cq:table_name`);
  for (const key of ['cq:table_title', 'cq:table_description', 'cq:extension:constraint_name']) {
    if (!schema.metadata.has(key)) violate(`${where}: schema lacks ${key} (both SDKs always write it)`);
  }
  const incremental = schema.metadata.get('cq:extension:incremental');
  if (incremental !== undefined && incremental !== 'true') violate(`${where}: cq:extension:incremental is '${incremental}'`);
  for (const field of schema.fields) {
    for (const key of ['cq:extension:primary_key', 'cq:extension:unique', 'cq:extension:incremental']) {
      const value = field.metadata.get(key);
      if (value === undefined) violate(`${where}, column ${field.name}: ${key} missing`);
      else if (value !== 'true' && value !== 'false') violate(`${where}, column ${field.name}: ${key} = '${value}'`);
    }
    for (const [key, value] of field.metadata) {
      if (key.startsWith('cq:extension:') && !['cq:extension:primary_key', 'cq:extension:unique',
        'cq:extension:incremental', 'cq:extension:primary_key_component', 'cq:extension:type_schema'].includes(key)) {
        violate(`${where}, column ${field.name}: unknown ${key}`);
      }
      if (key.startsWith('cq:extension:') && key !== 'cq:extension:type_schema' && value !== 'true' && value !== 'false') {
        violate(`${where}, column ${field.name}: ${key} = '${value}'`);
      }
    }
    const extension = extensionName(field);
    if (extension) {
      if (!kExtensionStorage[extension]) violate(`${where}, column ${field.name}: unknown extension ${extension}`);
      else if (!kExtensionStorage[extension](field.type)) violate(`${where}, column ${field.name}: ${extension} stored as ${field.type}`);
      const meta = field.metadata.get('ARROW:extension:metadata');
      if (meta !== `${extension}-serialized`) violate(`${where}, column ${field.name}: extension metadata '${meta}'`);
    }
  }
  return name;
};

const bigintToPlain = (value) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
};
const uuidText = (bytes) => {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
const timestampToIso = (value, unit) => {
  if (typeof value === 'bigint') value = Number([value * 1000n, value, value / 1000n, value / 1_000_000n][unit]);
  return new Date(value).toISOString();
};
// The same plain JSON as sdk_rows.mjs makes of a value.
const plain = (value, field) => {
  if (value === null || value === undefined) return null;
  const { type } = field;
  const extension = extensionName(field);
  if (extension === 'json') {
    const text = new TextDecoder().decode(value);
    try { return JSON.parse(text); } catch { throw new Error(`column ${field.name}: json holds text that is not JSON: ${text}`); }
  }
  if (extension === 'uuid') return uuidText(value);
  if (extension === 'inet' || extension === 'mac') return new TextDecoder().decode(value);
  switch (type.typeId) {
    case Type.Int: return typeof value === 'bigint' ? bigintToPlain(value) : value;
    case Type.Float: return Number.isFinite(value) ? value : String(value);
    case Type.Binary: case Type.LargeBinary: case Type.FixedSizeBinary: return Buffer.from(value).toString('base64');
    case Type.Date: return new Date(Number(value)).toISOString();
    case Type.Timestamp: return timestampToIso(value, type.unit);
    case Type.List: case Type.FixedSizeList: return [...value].map((item) => plain(item, type.children[0]));
    case Type.Struct: return Object.fromEntries(type.children.map((child) => [child.name, plain(value[child.name], child)]));
    default:
      if (typeof value === 'bigint') return bigintToPlain(value);
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      return value;
  }
};
const canonical = (value) => {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

// --- modes -----------------------------------------------------------------------

const checkVersions = async () => {
  const versions = await unary(discoveryClient, 'GetVersions', new discovery.GetVersions.Request());
  if (!versions.versions.includes(3)) violate(`GetVersions answered [${versions.versions}], without 3`);
  return versions.versions;
};

const runSync = async () => {
  let versions;
  try { versions = await checkVersions(); } catch (e) { return failed('GetVersions', e); }
  try {
    await unary(client, 'Init', new plugin.Init.Request({ spec: specBytes(), no_connection: false, invocation_id: randomUUID() }));
  } catch (e) { return failed('Init', e); }
  const request = new plugin.Sync.Request({
    tables: list(flags.tables) ?? ['*'],
    skip_tables: list(flags['skip-tables']) ?? [],
    skip_dependent_tables: flags['skip-dependent'] !== 'false',
    deterministic_cq_id: false,
    withErrorMessages: true,
  });
  if (flags.shard) {
    const [num, total] = flags.shard.split('/').map(Number);
    request.shard = new plugin.Sync.Request.Shard({ num, total });
  }
  const migrated = new Map(); // table → schema form
  const parents = new Map();
  const tables = {};
  const inserts = [];
  const errors = [];
  let sawInsert = false;
  let messages = 0;
  const cancelAfter = flags['cancel-after'] === undefined ? undefined : Number(flags['cancel-after']);
  const stream = client.Sync(request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs });
  const cancelAfterMs = flags['cancel-after-ms'] === undefined ? undefined : Number(flags['cancel-after-ms']);
  const done = new Promise((resolve, reject) => {
    if (cancelAfterMs !== undefined) {
      setTimeout(() => { stream.cancel(); resolve('cancelled'); }, cancelAfterMs);
    }
    stream.on('data', (response) => {
      messages += 1;
      if (cancelAfter !== undefined && messages > cancelAfter) return;
      if (cancelAfter !== undefined && messages === cancelAfter) {
        // A CLI interrupted mid-sync: the plugin must stop and stay healthy.
        stream.cancel();
        resolve('cancelled');
      }
      const size = response.serialize().length;
      try {
        if (response.has_migrate_table) {
          if (sawInsert) violate(`migrate_table #${messages} after an insert (every table is migrated first)`);
          const { schema } = tableFromIPC(response.migrate_table.table);
          const name = checkSchema(schema, `migrate_table #${messages}`);
          const parent = schema.metadata.get('cq:table_depends_on');
          if (parent && !migrated.has(parent)) violate(`table ${name} migrated before its parent ${parent}`);
          if (migrated.has(name)) violate(`table ${name} migrated twice`);
          migrated.set(name, schemaForm(schema));
          parents.set(name, parent || '');
          tables[name] = { columns: Object.fromEntries(schema.fields.map((f) => [f.name, typeString(f)])), rows: [] };
        } else if (response.has_insert) {
          sawInsert = true;
          if (size > maxInsertBytes) violate(`insert #${messages} is ${size} bytes, over ${maxInsertBytes}`);
          const arrowTable = tableFromIPC(response.insert.record);
          const name = checkSchema(arrowTable.schema, `insert #${messages}`);
          if (arrowTable.batches.length !== 1) violate(`insert #${messages} (${name}) holds ${arrowTable.batches.length} record batches, not 1`);
          if (arrowTable.numRows === 0) violate(`insert #${messages} (${name}) holds no rows`);
          if (!migrated.has(name)) violate(`insert #${messages} for table ${name}, which was not migrated before`);
          else if (migrated.get(name) !== schemaForm(arrowTable.schema)) {
            violate(`insert #${messages}: the record's schema differs from table ${name}'s migrated schema: ${schemaDifference(migrated.get(name), schemaForm(arrowTable.schema))}`);
          }
          inserts.push({ table: name, rows: arrowTable.numRows, bytes: size });
          const entry = tables[name] ?? (tables[name] = { columns: {}, rows: [] });
          const { fields } = arrowTable.schema;
          for (const batch of arrowTable.batches) {
            for (let row = 0; row < batch.numRows; row += 1) {
              const out = {};
              fields.forEach((field, i) => { out[field.name] = plain(batch.getChildAt(i).get(row), field); });
              entry.rows.push(out);
            }
          }
        } else if (response.has_error) {
          errors.push({ table: response.error.table_name, error: response.error.error });
        } else if (response.has_delete_record) {
          violate(`delete_record #${messages}: a source plugin of Sluice never sends one`);
        } else {
          violate(`message #${messages} has no known content`);
        }
      } catch (e) {
        violate(`message #${messages} could not be decoded: ${e.stack || e}`);
      }
    });
    stream.on('end', resolve);
    stream.on('error', (e) => ((cancelAfter !== undefined || cancelAfterMs !== undefined) && e.code === grpc.status.CANCELLED ? resolve('cancelled') : reject(e)));
  });
  let ended;
  try { ended = await done; } catch (e) { return failed('Sync', e); }
  if (ended === 'cancelled') {
    const rows = Object.fromEntries(Object.entries(tables).map(([name, t]) => [name, t.rows.length]));
    return finish({ ok: true, cancelled: true, messages, rows }, 0);
  }
  if (flags.close) {
    try { await unary(client, 'Close', new plugin.Close.Request()); } catch (e) { return failed('Close', e); }
  }
  for (const table of Object.values(tables)) {
    const keyed = table.rows.map((row) => [canonical(row), row]);
    keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    table.rows = keyed.map(([, row]) => row);
  }
  const sorted = Object.fromEntries(Object.keys(tables).sort().map((name) => [name, tables[name]]));
  if (flags.out) writeFileSync(flags.out, `${JSON.stringify({ tables: sorted }, null, 2)}\n`);
  if (flags['out-rows']) {
    const rows = Object.fromEntries(Object.entries(sorted).map(([name, t]) => [name, t.rows]));
    writeFileSync(flags['out-rows'], `${JSON.stringify({ tables: rows }, null, 2)}\n`);
  }
  const rowCount = Object.fromEntries(Object.entries(sorted).map(([name, t]) => [name, t.rows.length]));
  return finish({ ok: true, versions, messages, migrated: [...migrated.keys()], inserts, rows: rowCount, errors,
    max_insert_bytes: Math.max(0, ...inserts.map((i) => i.bytes)) }, 0);
};

const runTables = async () => {
  try { await checkVersions(); } catch (e) { return failed('GetVersions', e); }
  try {
    await unary(client, 'Init', new plugin.Init.Request({ spec: specBytes(), no_connection: true, invocation_id: randomUUID() }));
  } catch (e) { return failed('Init', e); }
  let name;
  let got;
  try {
    name = (await unary(client, 'GetName', new plugin.GetName.Request())).name;
    got = await unary(client, 'GetTables', new plugin.GetTables.Request({
      tables: list(flags.tables) ?? ['*'], skip_tables: list(flags['skip-tables']) ?? [], skip_dependent_tables: false,
    }));
  } catch (e) { return failed('GetTables', e); }
  const tables = [];
  const seen = new Set();
  got.tables.forEach((bytes, i) => {
    try {
      const arrowTable = tableFromIPC(bytes);
      if (arrowTable.numRows !== 0) violate(`GetTables table #${i} carries rows`);
      const table = checkSchema(arrowTable.schema, `GetTables table #${i}`);
      const parent = arrowTable.schema.metadata.get('cq:table_depends_on');
      if (parent && !seen.has(parent)) violate(`GetTables lists ${table} before its parent ${parent}`);
      seen.add(table);
      tables.push({
        name: table,
        metadata: metadataOf(arrowTable.schema.metadata),
        columns: arrowTable.schema.fields.map((f) => ({ name: f.name, type: typeString(f), nullable: f.nullable, metadata: metadataOf(f.metadata) })),
      });
    } catch (e) {
      violate(`GetTables table #${i} could not be decoded: ${e.stack || e}`);
    }
  });
  let version;
  try { version = (await unary(client, 'GetVersion', new plugin.GetVersion.Request())).version; } catch (e) { return failed('GetVersion', e); }
  const summary = { ok: true, name, version, tables };
  if (flags.out) writeFileSync(flags.out, `${JSON.stringify(summary, null, 2)}\n`);
  return finish(summary, 0);
};

const runTestConnection = async () => {
  try {
    const answer = await unary(client, 'TestConnection', new plugin.TestConnection.Request({ spec: specBytes() }));
    return finish({ ok: true, success: answer.success, failure_code: answer.failure_code, failure_description: answer.failure_description }, 0);
  } catch (e) { return failed('TestConnection', e); }
};

const runSpecSchema = async () => {
  try {
    const answer = await unary(client, 'GetSpecSchema', new plugin.GetSpecSchema.Request());
    let schema = null;
    if (answer.has_json_schema) schema = JSON.parse(answer.json_schema);
    // The methods a source plugin does not have must say so, as the CLI
    // tells UNIMPLEMENTED apart from a failure.
    const unimplemented = await new Promise((resolve) => {
      client.TransformSchema(new plugin.TransformSchema.Request(), (error) => resolve(error ? error.code : 0));
    });
    return finish({ ok: true, json_schema: schema, transform_schema_code: unimplemented }, 0);
  } catch (e) { return failed('GetSpecSchema', e); }
};

const modes = { sync: runSync, tables: runTables, 'test-connection': runTestConnection, 'spec-schema': runSpecSchema };
if (!modes[mode]) usage();
await modes[mode]();
