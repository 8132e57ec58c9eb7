// Runs a table integration under the real CloudQuery JavaScript SDK
// (@cloudquery/plugin-sdk-javascript, installed here by `npm ci`) and writes
// the rows it syncs as plain JSON, so Sluice's own runtime can be checked
// against the SDK. README.md beside this file explains it.
//
//   node tests/compat/sdk_rows.mjs EXAMPLE_DIR SPEC_JSON_FILE OUT_JSON
//
// Exit status: 0 when the sync finished with no error-level log, 1 when
// anything went wrong (init or sync failed, the SDK logged an error, e.g. a
// resolver threw and the SDK dropped its rows, or a record could not be
// decoded), 2 for bad arguments.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, basename } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

// The SDK reads a timestamp string without an offset in the local time zone:
// make that UTC, so the rows do not depend on the machine.
process.env.TZ = 'UTC';

const here = dirname(fileURLToPath(import.meta.url));
const timeoutMs = Number(process.env.SDK_ROWS_TIMEOUT_MS || 120_000);
// SDK_ROWS_LOG=debug|info|warn|error: what reaches stderr (default warn).
const levels = { error: 0, warn: 1, info: 2, debug: 3 };
const shownLevel = levels[process.env.SDK_ROWS_LOG] ?? levels.warn;

const fail = (message) => {
  process.stderr.write(`sdk_rows: ${message}\n`);
  process.exit(1);
};

// --- the logger the plugin gets (plugin.setLogger before init) ------------
//
// Winston-compatible as far as the SDK and plugins use it: one method per
// level taking (message, ...meta), log(level, message), and child(). Error
// logs are counted: the scheduler logs a resolver's error and carries on
// without the row, so a sync with any error log is a failure here.

const errorLogs = [];

const describe = (value) => {
  if (value instanceof Error) {
    let text = value.stack || String(value);
    for (let cause = value.cause; cause; cause = cause.cause) {
      text += `\n  caused by: ${cause instanceof Error ? cause.stack || cause : inspect(cause)}`;
      if (!(cause instanceof Error)) break;
    }
    return text;
  }
  return typeof value === 'string' ? value : inspect(value, { depth: 3 });
};

const newLogger = (context = {}) => {
  const write = (level, message, ...meta) => {
    const text = [message, ...meta].map((part) => describe(part)).join(' ');
    if (level === 'error') errorLogs.push(text);
    if (levels[level] <= shownLevel) {
      const prefix = Object.keys(context).length > 0 ? ` ${JSON.stringify(context)}` : '';
      process.stderr.write(`[sdk ${level}]${prefix} ${text}\n`);
    }
  };
  const logger = {
    error: (message, ...meta) => write('error', message, ...meta),
    warn: (message, ...meta) => write('warn', message, ...meta),
    info: (message, ...meta) => write('info', message, ...meta),
    verbose: (message, ...meta) => write('debug', message, ...meta),
    debug: (message, ...meta) => write('debug', message, ...meta),
    silly: (message, ...meta) => write('debug', message, ...meta),
    log: (level, message, ...meta) => {
      if (typeof level === 'object' && level !== null) {
        write(levels[level.level] === undefined ? 'info' : level.level, level.message);
      } else {
        write(levels[level] === undefined ? 'info' : level, message, ...meta);
      }
    },
    child: (meta = {}) => newLogger({ ...context, ...meta }),
    isLevelEnabled: () => true,
    level: 'debug',
  };
  return logger;
};

// --- Arrow values to plain JSON --------------------------------------------

let Type; // Arrow's type ids, from the SDK's Arrow (imported in main)

const extensionName = (field) => field.metadata.get('ARROW:extension:name') || '';

// "Int64", "Utf8", "Timestamp<MILLISECOND>", "List<Utf8>", "extension<json>", …
const typeString = (field) => {
  const extension = extensionName(field);
  return extension ? `extension<${extension}>` : String(field.type);
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
  // Arrow's JS getter gives a Timestamp as epoch milliseconds (a number);
  // a bigint would be in the type's own unit.
  if (typeof value === 'bigint') {
    const ms = [value * 1000n, value, value / 1000n, value / 1_000_000n][unit];
    value = Number(ms);
  }
  return new Date(value).toISOString();
};

// Converts the value Arrow's getter gave for `field` (type and metadata).
const plain = (value, field) => {
  if (value === null || value === undefined) return null;
  const { type } = field;
  const extension = extensionName(field);
  if (extension === 'json') {
    const text = new TextDecoder().decode(value);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`column ${field.name}: the json extension holds text that is not JSON: ${text}`);
    }
  }
  if (extension === 'uuid') return uuidText(value);
  switch (type.typeId) {
    case Type.Int:
      return typeof value === 'bigint' ? bigintToPlain(value) : value;
    case Type.Float:
      return Number.isFinite(value) ? value : String(value);
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return Buffer.from(value).toString('base64');
    case Type.Date:
      return new Date(Number(value)).toISOString();
    case Type.Timestamp:
      return timestampToIso(value, type.unit);
    case Type.List:
    case Type.FixedSizeList:
      return [...value].map((item) => plain(item, type.children[0]));
    case Type.Struct:
      return Object.fromEntries(type.children.map((child) => [child.name, plain(value[child.name], child)]));
    default:
      if (typeof value === 'bigint') return bigintToPlain(value);
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      return value;
  }
};

// JSON text with object keys sorted, so equal rows have equal text.
const canonical = (value) => {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

// --- main -------------------------------------------------------------------

const [exampleArg, specArg, outArg, ...extra] = process.argv.slice(2);
if (!exampleArg || !specArg || !outArg || extra.length > 0) {
  process.stderr.write('usage: node sdk_rows.mjs EXAMPLE_DIR SPEC_JSON_FILE OUT_JSON\n');
  process.exit(2);
}
const sdkModules = join(here, 'node_modules');
if (!existsSync(join(sdkModules, '@cloudquery', 'plugin-sdk-javascript'))) {
  fail(`the SDK is not installed: run npm ci in ${here}`);
}
const exampleDir = resolve(exampleArg);
const specText = readFileSync(specArg, 'utf8');

// The example is copied so that its imports of @cloudquery/… resolve, through
// a node_modules symlink next to it, to the SDK installed here.
const workDir = mkdtempSync(join(tmpdir(), 'sluice-sdk-rows-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const pluginDir = join(workDir, basename(exampleDir));
cpSync(exampleDir, pluginDir, { recursive: true, filter: (src) => basename(src) !== 'node_modules' });
symlinkSync(sdkModules, join(pluginDir, 'node_modules'), 'dir');

const timer = setTimeout(() => fail(`the sync did not finish in ${timeoutMs} ms`), timeoutMs);

// Resolved from this file's folder: the SDK's own Arrow.
const arrow = await import('@cloudquery/plugin-sdk-javascript/arrow');
const { tableFromIPC } = arrow;
Type = arrow.Type;
const { plugin } = await import(pathToFileURL(join(pluginDir, 'plugin.js')).href);
if (!plugin || typeof plugin.init !== 'function') fail(`${exampleDir}/plugin.js does not export a plugin`);

const tables = {}; // name → {columns, rows}
const tableEntry = (schema) => {
  const name = schema.metadata.get('cq:table_name') || '';
  if (!tables[name]) {
    tables[name] = {
      columns: Object.fromEntries(schema.fields.map((f) => [f.name, typeString(f)])),
      rows: [],
    };
  }
  return tables[name];
};

// Each message goes through protobuf bytes and back, as it would over gRPC.
const onMessage = (message) => {
  const response = message.constructor.deserialize(message.serialize());
  if (response.has_migrate_table) {
    tableEntry(tableFromIPC(response.migrate_table.table).schema);
  } else if (response.has_insert) {
    const arrowTable = tableFromIPC(response.insert.record);
    const entry = tableEntry(arrowTable.schema);
    const { fields } = arrowTable.schema;
    for (const batch of arrowTable.batches) {
      for (let row = 0; row < batch.numRows; ++row) {
        const out = {};
        fields.forEach((field, i) => {
          out[field.name] = plain(batch.getChildAt(i).get(row), field);
        });
        entry.rows.push(out);
      }
    }
  } else {
    throw new Error(`unexpected sync message: ${response.message}`);
  }
};

const messageErrors = [];
const stream = new Writable({
  objectMode: true,
  write(message, _encoding, done) {
    try {
      onMessage(message);
    } catch (error) {
      messageErrors.push(describe(error));
    }
    done();
  },
});
const ended = new Promise((resolveEnded, rejectEnded) => {
  stream.on('finish', resolveEnded);
  stream.on('error', rejectEnded);
});

try {
  plugin.setLogger(newLogger());
  await plugin.init(specText, { noConnection: false });
  const result = plugin.sync({
    tables: ['*'],
    skipTables: [],
    skipDependentTables: false,
    deterministicCQId: false,
    backendOptions: { tableName: '', connection: '' },
    stream,
  });
  if (result instanceof Error) throw result; // the SDK returns, not throws, "client not initialized"
  await result;
  await ended;
  await plugin.close();
} catch (error) {
  fail(`the plugin failed: ${describe(error)}`);
}
clearTimeout(timer);

for (const table of Object.values(tables)) {
  const keyed = table.rows.map((row) => [canonical(row), row]);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  table.rows = keyed.map(([, row]) => row);
}
const sorted = Object.fromEntries(Object.keys(tables).sort().map((name) => [name, tables[name]]));
writeFileSync(outArg, `${JSON.stringify({ tables: sorted }, null, 2)}\n`);

// The error logs were printed as they came; the decoding errors were not.
if (messageErrors.length > 0) {
  fail(`${messageErrors.length} sync message(s) could not be decoded:\n${messageErrors.join('\n')}`);
}
if (errorLogs.length > 0) {
  fail(`the SDK logged ${errorLogs.length} error(s) during the sync (rows may be missing)`);
}
