// The engine's side of a table integration (docs/integrations.md): the
// plugin that `createServeCommand(plugin).parse()` registered, its tables
// described as entities, and the runs that stream their rows.
//
// C++ calls the functions of `host` (the export below) like a handler's:
// describe() once per connector instance, query() for one table's rows
// (SELECT), pass() for several tables' rows in one resolution (SYNC).
import { Type, TimeUnit } from './arrow.js';
import { defaultColumnResolver } from './schema/column.js';
import { kSynchronous } from './schema/resolvers.js';
import { noRowResolver } from './schema/table.js';
import { Resource } from './schema/resource.js';
import { getPath } from './schema/resolvers.js';

let plugin = null;
let concurrencyOverride = 0;
const kRun = Symbol('sluice.run');

export const registerPlugin = (candidate) => {
  if (plugin && plugin !== candidate) throw new Error('createServeCommand(plugin).parse() ran twice with different plugins');
  if (!candidate || typeof candidate.init !== 'function' || typeof candidate.sync !== 'function') {
    throw new TypeError('createServeCommand() needs a plugin made by newPlugin()');
  }
  plugin = candidate;
};

// A winston-shaped logger on console (which masks secrets). Messages are
// passed through as the SDK's logger would format them: text, then fields.
const format = (message, meta) => {
  const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
  if (meta === undefined) return text;
  if (meta instanceof Error) return `${text}: ${meta.message}${meta.cause ? ` (cause: ${meta.cause.message ?? meta.cause})` : ''}`;
  try { return `${text} ${JSON.stringify(meta)}`; } catch { return text; }
};
const makeLogger = (fields = {}) => {
  const prefix = Object.keys(fields).length ? `${JSON.stringify(fields)} ` : '';
  const at = (level, out) => (message, meta) => { out(prefix + format(message, meta)); return logger; };
  const logger = {
    error: at('error', console.error), warn: at('warn', console.warn), info: at('info', console.info),
    http: at('http', console.debug), verbose: at('verbose', console.debug), debug: at('debug', console.debug),
    silly: at('silly', console.debug),
    log: (level, message, meta) => (logger[level] ?? logger.info)(message, meta),
    child: (more) => makeLogger({ ...fields, ...more }),
    isDebugEnabled: () => false, isInfoEnabled: () => true,
  };
  return logger;
};

// ------------------------------------------------------------ describing
const fieldType = (type, tableName, columnName) => {
  if (type && typeof type.name === 'string' && typeof type.metadata === 'string') {
    if (type.name === 'json') return 'document';
    if (type.name === 'uuid') return 'string';
  }
  switch (type?.typeId) {
    case Type.Int: return 'integer';
    case Type.Float: case Type.Decimal: return 'number';
    case Type.Utf8: case Type.LargeUtf8: return 'string';
    case Type.Bool: return 'boolean';
    case Type.Timestamp: return 'timestamp';
    case Type.Date: return 'date';
    case Type.List: case Type.FixedSizeList: return 'array';
    case Type.Struct: case Type.Map: return 'document';
    case Type.Binary: case Type.LargeBinary: case Type.FixedSizeBinary: return 'string';
    case Type.Time: case Type.Interval: case Type.Duration: case Type.Null: return 'string';
    default:
      throw new TypeError(`table ${tableName}, column ${columnName}: '${type}' is not an Arrow data type ` +
        `(use the classes of '@cloudquery/plugin-sdk-javascript/arrow', e.g. new Utf8())`);
  }
};

// The column's Arrow type as src/cloudquery/arrow_ipc.h's TypeText writes
// it ("int64", "timestamp[ms]", "list<utf8>", "json", …), so a table served
// as a CloudQuery plugin keeps the types the integration declared; null
// for a type that text cannot say (the FIELDS type's mapping then applies).
const kUnits = ['s', 'ms', 'us', 'ns'];
const plainName = (name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
const arrowText = (type) => {
  if (type && typeof type.name === 'string' && typeof type.metadata === 'string') {
    return ['json', 'uuid', 'inet', 'mac'].includes(type.name) ? type.name : null;
  }
  const child = (field) => {
    const text = field ? arrowText(field.type) : null;
    return text === null ? null : text + (field.nullable === false ? ' not null' : '');
  };
  const unit = kUnits[type?.unit];
  switch (type?.typeId) {
    case Type.Null: return 'null';
    case Type.Bool: return 'bool';
    case Type.Int: return [8, 16, 32, 64].includes(type.bitWidth) ? `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}` : null;
    case Type.Float: return [16, 32, 64][type.precision] ? `float${[16, 32, 64][type.precision]}` : null;
    case Type.Decimal: return `decimal${type.bitWidth || 128}(${type.precision}, ${type.scale})`;
    case Type.Utf8: return 'utf8';
    case Type.LargeUtf8: return 'large_utf8';
    case Type.Binary: return 'binary';
    case Type.LargeBinary: return 'large_binary';
    case Type.FixedSizeBinary: return `fixed_size_binary[${type.byteWidth}]`;
    case Type.Date: return type.unit === 0 ? 'date32' : 'date64';
    case Type.Time: return unit ? `${type.bitWidth === 64 ? 'time64' : 'time32'}[${unit}]` : null;
    case Type.Timestamp: return unit ? `timestamp[${unit}${type.timezone ? `, ${type.timezone}` : ''}]` : null;
    case Type.Duration: return unit ? `duration[${unit}]` : null;
    case Type.Interval: return ['interval[year_month]', 'interval[day_time]', 'interval[month_day_nano]'][type.unit] ?? null;
    case Type.List: { const c = child(type.children?.[0]); return c === null ? null : `list<${c}>`; }
    case Type.FixedSizeList: { const c = child(type.children?.[0]); return c === null ? null : `fixed_size_list<${c}>[${type.listSize}]`; }
    case Type.Struct: {
      const parts = (type.children ?? []).map((f) => {
        const c = child(f);
        return c === null ? null : `${plainName(f.name) ? f.name : JSON.stringify(f.name)}: ${c}`;
      });
      return parts.includes(null) ? null : `struct<${parts.join(', ')}>`;
    }
    case Type.Map: {
      const entries = type.children?.[0]?.type?.children ?? [];
      const k = child(entries[0]);
      const v = child(entries[1]);
      return k === null || v === null ? null : `map<${k}, ${v}>${type.keysSorted ? '[sorted]' : ''}`;
    }
    default: return null;
  }
};

const checkTable = (table) => {
  if (!table || typeof table.name !== 'string' || !table.name) throw new TypeError('a table has no name');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table.name)) {
    throw new TypeError(`table '${table.name}': names are letters, digits and underscores`);
  }
  if (!Array.isArray(table.columns) || table.columns.length === 0) throw new TypeError(`table ${table.name} has no columns`);
  if (typeof table.resolver !== 'function') throw new TypeError(`table ${table.name} has no resolver function`);
  const seen = new Set();
  for (const column of table.columns) {
    if (!column?.name) throw new TypeError(`table ${table.name} has a column without a name`);
    if (seen.has(column.name)) throw new TypeError(`table ${table.name} has two columns named ${column.name}`);
    seen.add(column.name);
  }
};

const describeTables = (tables, parent = null, out = []) => {
  for (const table of tables) {
    checkTable(table);
    const fields = {};
    for (const column of table.columns) {
      const spec = { type: fieldType(column.type, table.name, column.name) };
      if (column.primaryKey) spec.primary_key = true;
      if (column.notNull) spec.not_null = true;
      if (column.unique) spec.unique = true;
      if (column.incrementalKey) spec.incremental_key = true;
      if (column.filterable) spec.filterable = true;
      if (column.sortable) spec.sortable = true;
      if (column.description) spec.description = String(column.description);
      spec.arrow_type = String(column.type);
      const arrow = arrowText(column.type);
      if (arrow !== null) spec.arrow = arrow;
      fields[column.name] = spec;
    }
    const cursor = table.columns.find((c) => c.incrementalKey);
    out.push({ name: table.name, description: String(table.description || table.title || ''),
      title: String(table.title || ''), parent,
      fields, cursor: table.isIncremental && cursor ? cursor.name : '',
      applies_offset: table.appliesOffset === true });
    describeTables(table.relations || [], table.name, out);
  }
  return out;
};

let describedTables = [];

const registered = () => {
  if (!plugin) {
    throw new Error('the integration registered no plugin: its main module must call ' +
      'createServeCommand(plugin).parse() (from @cloudquery/plugin-sdk-javascript/plugin/serve)');
  }
  return plugin;
};

// The plugin's name, version and JSON schema: what is known before init.
const schema = () => {
  const p = registered();
  let jsonSchema = p.jsonSchema?.();
  if (typeof jsonSchema === 'string' && jsonSchema.trim()) {
    try { jsonSchema = JSON.parse(jsonSchema); } catch (e) { throw new SyntaxError(`the plugin's jsonSchema is not JSON: ${e.message}`); }
  } else if (typeof jsonSchema !== 'object') {
    jsonSchema = null;
  }
  return { name: String(p.name()), version: String(p.version() ?? ''), kind: p.kind?.() ?? 'source', json_schema: jsonSchema };
};

// Initialises the plugin with the connector's CONFIG as its spec, and lists
// its tables (for dynamic tables, what the remote schema says now).
const describe = async (config, noConnection, options) => {
  const p = registered();
  concurrencyOverride = Number(options?.concurrency) > 0 ? Number(options.concurrency) : 0;
  if (!p.getLogger()) p.setLogger(makeLogger());
  // Without a connection and a CONFIG (listing a type's tables), the spec
  // is empty, as CloudQuery passes it.
  const spec = noConnection && (config === null || config === undefined) ? '' : JSON.stringify(config ?? {});
  await p.init(spec, { noConnection: !!noConnection });
  const tables = await p.tables({ tables: ['*'], skipTables: [], skipDependentTables: false });
  if (!Array.isArray(tables)) throw new TypeError('the client\'s tables() did not return an array of tables');
  describedTables = describeTables(tables);
  tableTree = tables;
  const names = new Set();
  for (const t of describedTables) {
    if (names.has(t.name)) throw new TypeError(`two tables are named ${t.name}`);
    names.add(t.name);
  }
  return describedTables;
};

// ------------------------------------------------------------ values
const base64 = (bytes) => { let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };
const bytesOf = (v) => (v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v)
  : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null);
const uuidText = (bytes) => {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
// JSON.stringify throws on a BigInt; a document column keeps it exact: a
// number when a double holds it exactly (|n| <= 2^53), else its decimal text
// (the engine's own rule for rows, src/js/convert.cc).
const kExact = 2n ** 53n;
const bigintReplacer = (key, v) => (typeof v !== 'bigint' ? v : v >= -kExact && v <= kExact ? Number(v) : String(v));
const jsonText = (v) => JSON.stringify(v, bigintReplacer);
const kBooleanable = new Map([['true', true], ['false', false], ['yes', true], ['no', false], ['y', true],
  ['n', false], ['1', true], ['0', false], ['on', true], ['off', false], ['t', true], ['f', false]]);
const mismatch = (what, value) => {
  let shown;
  try { shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value); } catch { shown = String(value); }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  return new TypeError(`cannot convert ${typeof value} ${shown} to ${what}`);
};

// One converter per column type: the SDK's scalar rules, giving plain values
// the engine coerces to FIELDS types.
const converterFor = (type) => {
  if (type && typeof type.name === 'string' && typeof type.metadata === 'string') {
    if (type.name === 'json') {
      return (v) => {
        const bytes = bytesOf(v);
        if (bytes) v = new TextDecoder().decode(bytes);
        if (typeof v === 'string') {
          try { return JSON.parse(v); } catch { throw mismatch('json (the text is not JSON)', v); }
        }
        const text = jsonText(v);
        return text === undefined ? null : JSON.parse(text);
      };
    }
    if (type.name === 'uuid') {
      return (v) => {
        const bytes = bytesOf(v);
        if (bytes && bytes.length === 16) return uuidText(bytes);
        const text = String(v).toLowerCase();
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) throw mismatch('uuid', v);
        return text;
      };
    }
  }
  switch (type?.typeId) {
    case Type.Int:
      return (v) => {
        if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
        if (typeof v === 'number' && Number.isInteger(v)) return v;
        throw mismatch(String(type), v);
      };
    case Type.Float: case Type.Decimal:
      return (v) => {
        if (typeof v === 'number') return v;
        const n = Number.parseFloat(String(v));
        if (Number.isNaN(n)) throw mismatch(String(type), v);
        return n;
      };
    case Type.Utf8: case Type.LargeUtf8:
      return (v) => {
        if (typeof v === 'string') return v;
        const bytes = bytesOf(v);
        if (bytes) return new TextDecoder().decode(bytes);
        if (typeof v.toString === 'function' && v.toString !== Object.prototype.toString) return v.toString();
        throw mismatch('Utf8', v);
      };
    case Type.Bool:
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
        if (typeof v === 'string' && kBooleanable.has(v.trim().toLowerCase())) return kBooleanable.get(v.trim().toLowerCase());
        throw mismatch('Bool', v);
      };
    case Type.Timestamp: case Type.Date: {
      const dateOnly = type.typeId === Type.Date;
      return (v) => {
        if (v && typeof v.toJSDate === 'function') v = v.toJSDate();
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime())) throw mismatch(String(type), v);
          return dateOnly ? v.toISOString().slice(0, 10) : v.toISOString();
        }
        if (typeof v === 'string') return v;
        throw mismatch(String(type), v);
      };
    }
    case Type.List: case Type.FixedSizeList: {
      const child = converterFor(type.valueType ?? type.children?.[0]?.type);
      return (v) => (Array.isArray(v) ? v : [v]).map((item) => (item === null || item === undefined ? null : child(item)));
    }
    case Type.Struct: case Type.Map:
      return (v) => { const text = jsonText(v); return text === undefined ? null : JSON.parse(text); };
    case Type.Binary: case Type.LargeBinary: case Type.FixedSizeBinary:
      return (v) => {
        const bytes = bytesOf(v);
        if (bytes) return base64(bytes);
        if (typeof v === 'string') return base64(new TextEncoder().encode(v));
        throw mismatch(String(type), v);
      };
    default:
      return (v) => (typeof v === 'object' ? jsonText(v) : String(v));
  }
};

// Per table: its columns' converters and how each column is resolved.
const plans = new WeakMap();
const planFor = (table) => {
  let plan = plans.get(table.columns);
  if (!plan) {
    plan = table.columns.map((column) => ({
      column,
      convert: converterFor(column.type),
      byName: !column.resolver || column.resolver === defaultColumnResolver,
      synchronous: !!column.resolver?.[kSynchronous],
    }));
    plans.set(table.columns, plan);
  }
  return plan;
};

const describeRow = (table, resource, ordinal) => {
  const keys = table.columns.filter((c) => c.primaryKey)
    .map((c) => `${c.name}=${JSON.stringify(resource.getColumnData(c.name).value)}`);
  if (keys.length) return `row ${ordinal} (${keys.join(', ')})`;
  let item;
  try { item = JSON.stringify(resource.item); } catch { item = String(resource.item); }
  if (item && item.length > 120) item = `${item.slice(0, 117)}...`;
  return `row ${ordinal} ${item}`;
};

class RowError extends Error {
  constructor(message, cause) {
    super(cause ? `${message}: ${cause?.message ?? cause}` : message);
    this.name = cause?.name && cause.name !== 'Error' && cause.name !== 'TypeError' ? cause.name : 'ConnectorError';
    if (cause?.stack) this.stack = cause.stack;
  }
}

// ------------------------------------------------------------ resolving
class Semaphore {
  constructor(slots) { this.free = slots; this.waiting = []; }
  acquire() {
    if (this.free > 0) { this.free--; return Promise.resolve(); }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release() {
    const next = this.waiting.shift();
    if (next) next(); else this.free++;
  }
}

// Items a resolver writes, read as they come: take() gives the next one,
// or ItemQueue.empty (then wait() until the resolver writes or finishes),
// or ItemQueue.done after the last.
class ItemQueue {
  static done = Symbol('done');
  static empty = Symbol('empty');
  constructor() { this.items = []; this.next = 0; this.closed = false; this.wake = null; }
  push(item) { this.items.push(item); this.#notify(); }
  close() { this.closed = true; this.#notify(); }
  #notify() { const wake = this.wake; this.wake = null; if (wake) wake(); }
  take() {
    if (this.next < this.items.length) {
      const item = this.items[this.next++];
      if (this.next > 4096) { this.items.splice(0, this.next); this.next = 0; }
      return item;
    }
    return this.closed ? ItemQueue.done : ItemQueue.empty;
  }
  wait() { return new Promise((resolve) => { this.wake = resolve; }); }
}

const kPageRows = 4096;

class Cancelled extends Error {
  constructor() { super('the query needs no more rows'); this.name = 'Cancelled'; }
}

// One resolution: which tables' rows are wanted (and which are only on the
// way to them), their options, and where rows and failures go.
class Run {
  // `wanted`: Map name → options, or null for every table.
  constructor(wanted, emit, fail) {
    this.wanted = wanted;
    this.emit = emit;      // (tableName, row)
    this.fail = fail;      // (tableName, error)
    this.failed = new Set();
    this.cancelled = false;
    this.partition = Run.partitionOf(wanted);
    this.enumerated = null;  // an array: the run only lists (table, client id) pairs, resolving nothing
    this.needed = new Set();  // wanted tables and their ancestors
    const mark = (tables, path) => {
      for (const t of tables) {
        const here = [...path, t.name];
        if (wanted?.has(t.name)) for (const n of here) this.needed.add(n);
        mark(t.relations || [], here);
      }
    };
    mark(tableTree, []);
  }
  // A distributed or sharded run's unit resolves one multiplexer client
  // (options.partition = {client: id}, the same for every table asked);
  // undefined: every client.
  static partitionOf(wanted) {
    for (const options of wanted?.values() ?? []) {
      const partition = options?.partition;
      if (partition === undefined || partition === null) continue;
      if (typeof partition !== 'object' || typeof partition.client !== 'string') {
        throw new TypeError(`options.partition of an integration table is {client: id}, got ${JSON.stringify(partition)}`);
      }
      return partition.client;
    }
    return undefined;
  }
  wants(table) { return !this.wanted || this.wanted.has(table.name); }
  needs(table) { return !this.wanted || this.needed.has(table.name) || this.wanted.has(table.name); }
  options(table) { return this.wanted?.get(table.name) ?? {}; }
}

// The tables as the client's tables() returned them, relations nested.
let tableTree = [];
const descendantsOf = (name, tables = tableTree, inside = false, out = []) => {
  for (const t of tables) {
    const here = inside || t.name === name;
    if (inside) out.push(t.name);
    descendantsOf(name, t.relations || [], here, out);
  }
  return out;
};

// Streams for runs Sluice did not start (a client that calls the scheduler
// with a stream of its own): rows are written to it as {table, row}.
const foreignRun = (stream) => new Run(null, (table, row) => stream.write({ table, row }),
  (table, error) => { throw error; });

export const resolveTables = async ({ logger, pairs, stream, concurrency }) => {
  const run = stream?.[kRun] ?? foreignRun(stream);
  const limit = concurrencyOverride || (Number(concurrency) > 0 ? Number(concurrency) : 10);
  const slots = new Semaphore(limit);
  const tasks = new Set();
  const spawn = (client, table, parent) => {
    const task = resolveTable(run, slots, spawn, client, table, parent).finally(() => tasks.delete(task));
    tasks.add(task);
  };
  const counted = new Map();  // table name → clients met so far
  for (const { table, client } of pairs) {
    const index = counted.get(table.name) ?? 0;
    counted.set(table.name, index + 1);
    if (run.enumerated) {
      run.enumerated.push({ table: table.name, id: clientId(client, index) });
      continue;
    }
    if (run.partition !== undefined && clientId(client, index) !== run.partition) continue;
    spawn(client, table, null);
  }
  while (tasks.size > 0) await Promise.all([...tasks]);
};

// A multiplexer client's partition id: its id() when that gives a
// non-empty string, else its place among the table's clients (which is
// stable only if the multiplexer's order is).
const clientId = (client, index) => {
  const id = typeof client?.id === 'function' ? client.id() : undefined;
  return typeof id === 'string' && id !== '' ? id : String(index);
};

const resolveTable = async (run, slots, spawn, client, table, parent) => {
  if (run.cancelled || run.failed.has(table.name) || !run.needs(table)) return;
  const options = run.options(table);
  const wanted = run.wants(table);
  const plan = planFor(table);
  const pre = table.preResourceResolver === noRowResolver ? null : table.preResourceResolver;
  const post = table.postResourceResolver === noRowResolver ? null : table.postResourceResolver;
  const relations = table.relations || [];
  // Nothing in this table's rows needs awaiting: each item a resolver
  // writes is made a row inside write(), so a resolver that writes a
  // million items in a loop that never awaits holds none of them (the
  // engine takes each row as it is emitted, docs/sync.md).
  const immediate = !pre && !post && plan.every((step) => step.byName || step.synchronous);
  await slots.acquire();
  const where = () => `table ${table.name}${client?.id ? ` (client ${client.id()})` : ''}`;
  let ordinal = 0;
  // The item's row (once its resource is resolved): converted, emitted,
  // and its relations started.
  const finish = (resource) => {
    if (wanted) {
      const row = {};
      for (let i = 0; i < plan.length; i++) {
        const { column, convert } = plan[i];
        let value = resource.data[i].value;
        if (value !== null && value !== undefined) {
          try { value = convert(value); } catch (e) {
            throw new RowError(`${where()}, column ${column.name}, ${describeRow(table, resource, ordinal)}`, e);
          }
        } else {
          value = null;
        }
        if (value === null && (column.notNull || column.primaryKey)) {
          throw new RowError(`${where()}, column ${column.name}, ${describeRow(table, resource, ordinal)}: ` +
            `${column.primaryKey ? 'primary key' : 'not-null column'} has no value`);
        }
        row[column.name] = value;
      }
      run.emit(table.name, row);
    }
    for (const child of relations) spawn(client, child, resource);
  };
  // Resolves the item's columns; the promises of asynchronous column
  // resolvers, or null.
  const resolveColumns = (resource, item) => {
    let pending = null;
    for (let i = 0; i < plan.length; i++) {
      const step = plan[i];
      if (step.byName) {
        resource.data[i].value = item?.[step.column.name];
        continue;
      }
      const failed = (e) => {
        throw new RowError(`${where()}, column ${step.column.name}, ${describeRow(table, resource, ordinal)}: column resolver failed`, e);
      };
      let result;
      try { result = step.column.resolver(client, resource, step.column); } catch (e) { failed(e); }
      if (!step.synchronous && result && typeof result.then === 'function') (pending ??= []).push(result.then(undefined, failed));
    }
    return pending;
  };
  try {
    const items = new ItemQueue();
    // The first failure of an immediate table's row: thrown at the
    // resolver's write() (and every one after it), and reported as the
    // table's failure as a queued row's would be.
    let failure = null;
    const resolverStream = {
      write(item) {
        if (run.cancelled) throw new Cancelled();
        if (failure) throw failure;
        if (!immediate) { items.push(item); return true; }
        if (run.failed.has(table.name)) throw new Cancelled();
        try {
          ordinal++;
          const resource = new Resource(table, parent, item);
          resolveColumns(resource, item);
          finish(resource);
        } catch (e) {
          if (e instanceof Cancelled || run.cancelled) throw e;
          failure = e;
          items.close();
          throw e;
        }
        return true;
      },
      push(item) { return this.write(item); },
      end() {}, on() { return this; }, once() { return this; }, emit() { return true; },
      get writable() { return !run.cancelled; },
    };
    const resolving = (async () => {
      try { await table.resolver(client, parent, resolverStream, options); } finally { items.close(); }
    })();
    resolving.catch(() => {});  // read below, once the items are done
    // Items are taken as they come, without a promise job per item: the
    // loop waits only when the resolver has written nothing new. (An
    // immediate table's items never wait here.)
    for (let item; (item = items.take()) !== ItemQueue.done;) {
      if (item === ItemQueue.empty) {
        await items.wait();
        continue;
      }
      if (run.cancelled || run.failed.has(table.name)) break;
      ordinal++;
      const resource = new Resource(table, parent, item);
      if (pre) {
        try { await pre(client, resource); } catch (e) {
          throw new RowError(`${where()}, ${describeRow(table, resource, ordinal)}: preResourceResolver failed`, e);
        }
      }
      const pending = resolveColumns(resource, item);
      if (pending) await Promise.all(pending);
      if (post) {
        try { await post(client, resource); } catch (e) {
          throw new RowError(`${where()}, ${describeRow(table, resource, ordinal)}: postResourceResolver failed`, e);
        }
      }
      finish(resource);
    }
    if (failure) throw failure;
    await resolving;
  } catch (error) {
    if (error instanceof Cancelled || run.cancelled) return;
    const failure = error instanceof RowError ? error : new RowError(`${where()}: resolver failed`, error);
    run.failed.add(table.name);
    run.fail(table.name, failure);
  } finally {
    slots.release();
  }
};

// Rows of the tables asked for, as pages; `tagged` wraps each row as
// {t: index of its table, r: row} and reports a table's failure as
// {t, error} instead of throwing, so the other tables go on.
//
// `channel.sink`, when the engine gave one (kSink below), takes rows as
// they are emitted: sink(item, false, 1) is true (taken: the engine
// pushes rows on to a consumer that keeps up, as SYNC does), false (stop),
// or null (the engine pulls: rows wait in pages for it).
async function* resolveRows(asked, tagged, channel) {
  if (!plugin) throw new Error('the integration is not loaded');
  const index = new Map(asked.map((a, i) => [a.name, i]));
  let page = [];
  let finished = false;
  let error = null;
  let wake = null;
  let soon = null;
  const notify = () => { const w = wake; wake = null; if (w) w(); };
  // True when the item was taken at once (or the run stopped).
  const direct = (item) => {
    if (!channel.sink || page.length > 0) return false;
    const taken = channel.sink(item, false, 1);  // 1: natives.cc's kOfferRow
    if (taken === true) return true;
    if (taken === false) {
      run.cancelled = true;
      notify();
      return true;
    }
    channel.sink = null;
    return false;
  };
  const run = new Run(new Map(asked.map((a) => [a.name, a.options ?? {}])),
    (name, row) => {
      const item = tagged ? { t: index.get(name), r: row } : row;
      if (direct(item)) return;
      page.push(item);
      // The consumer gets the rows once the work at hand (the page just
      // fetched, resolved in promise jobs) is done: a timer runs after them.
      if (page.length >= kPageRows) notify();
      else if (page.length === 1 && !soon) soon = setTimeout(() => { soon = null; notify(); }, 0);
    },
    (name, failure) => {
      if (tagged) {
        // A table that was only on the way to the wanted ones fails those.
        const targets = index.has(name) ? [name] : descendantsOf(name).filter((n) => index.has(n));
        for (const target of targets) {
          const item = { t: index.get(target), error: { name: failure.name, message: failure.message, stack: failure.stack ?? '' } };
          if (!direct(item)) page.push(item);
        }
      } else if (!error) {
        error = failure;
      }
      notify();
    });
  const stream = {
    [kRun]: run,
    write(message) { throw new Error(`a client's sync() must write rows through the scheduler (got ${typeof message})`); },
    end() { finished = true; notify(); },
  };
  const names = asked.map((a) => a.name);
  // The scheduler ends the stream when it is done. A client's sync() that
  // returns the scheduler's promise is done when that settles too; one that
  // returns nothing is done only at stream.end(), as under the SDK's server.
  let returned;
  try {
    returned = plugin.sync({ tables: names, skipTables: [], skipDependentTables: true,
      deterministicCQId: false, backendOptions: { tableName: '', connection: '' }, stream });
  } catch (e) {
    returned = Promise.reject(e);
  }
  if (returned && typeof returned.then === 'function') {
    Promise.resolve(returned).then(() => { finished = true; notify(); },
      (e) => { error = error ?? e; finished = true; notify(); });
  }
  try {
    // Pages of at most kPageRows: rows a resolver wrote without awaiting
    // can be many more, and the engine converts a page at once.
    let taken = 0;
    while (true) {
      if (taken < page.length) {
        let out = page;
        if (taken === 0 && page.length <= kPageRows) {
          page = [];
        } else {
          out = page.slice(taken, taken + kPageRows);
          taken += out.length;
          if (taken === page.length) { page = []; taken = 0; }
        }
        yield out;
        continue;
      }
      if (error) throw error;
      if (finished) return;
      await new Promise((resolve) => { wake = resolve; });
    }
  } finally {
    run.cancelled = true;
    if (soon) clearTimeout(soon);
  }
}

// The engine's reader (the drain in src/js/js_realm.cc) hands its sink to
// a result that has this method before it reads it.
const kSink = Symbol.for('sluice.sink');
const withSink = (asked, tagged) => {
  const channel = { sink: null };
  const rows = resolveRows(asked, tagged, channel);
  rows[kSink] = (sink) => { channel.sink = sink; };
  return rows;
};
const query = (table, filters, options) => {
  if (!describedTables.some((t) => t.name === table)) throw new Error(`the integration has no table ${table}`);
  return withSink([{ name: table, options: { ...(options ?? {}), filters: filters ?? {} } }], false);
};
const pass = (tables) => withSink(tables, true);

// The partitions of a table for a distributed or sharded sync: the ids of
// the multiplexer clients its top-level table is resolved for, in the
// scheduler's order. The plugin's sync() runs with a stream whose run only
// records the (table, client) pairs the scheduler is given: nothing is
// resolved, no API is called beyond what sync() and the multiplexer do.
const partitions = async (table) => {
  const p = registered();
  if (!describedTables.some((t) => t.name === table)) throw new Error(`the integration has no table ${table}`);
  const top = tableTree.find((t) => t.name === table || descendantsOf(t.name).includes(table))?.name ?? table;
  const run = new Run(new Map([[table, {}]]), () => {}, (name, error) => { throw error; });
  run.enumerated = [];
  let ended;
  const done = new Promise((resolve) => { ended = resolve; });
  const stream = {
    [kRun]: run,
    write(message) { throw new Error(`a client's sync() must write rows through the scheduler (got ${typeof message})`); },
    end() { ended(); },
  };
  const returned = p.sync({ tables: [table], skipTables: [], skipDependentTables: true,
    deterministicCQId: false, backendOptions: { tableName: '', connection: '' }, stream });
  if (returned && typeof returned.then === 'function') await Promise.race([returned, done]);
  else await done;
  return run.enumerated.filter((pair) => pair.table === top).map((pair) => pair.id);
};

export const host = { schema, describe, query, pass, partitions };
