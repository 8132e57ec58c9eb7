// Sluice's Arrow IPC codec against the real Arrow JS readers and writers:
// Arrow JS 19.0.1 (what @cloudquery/plugin-sdk-javascript 0.1.25 uses) and
// apache-arrow 21.2.0, and the JS SDK's own table and resource encoders.
//
//   node arrow_roundtrip.mjs cpp-to-js DIR
//     DIR holds `cq_arrow_tool encode-samples DIR`: each stream is read
//     with both Arrow versions and must give exactly one batch whose type,
//     nullability, metadata and values are the samples'.
//   node arrow_roundtrip.mjs js-to-cpp DIR TOOL
//     Both Arrow versions (and the SDK's encodeTable / encodeResource)
//     write a stream per type into DIR; `TOOL decode` must read each back
//     with the same schema and values.
//
// Values are compared in the codec's forms (src/cloudquery/arrow_ipc.h),
// as JSON texts so 64-bit integers stay exact. Prints one line per
// mismatch and exits 1 if there was any.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as A21 from 'apache-arrow';
import * as A19 from '@apache-arrow/esnext-esm';

const here = path.dirname(new URL(import.meta.url).pathname);
const sdk = (p) => import(path.join(here, 'node_modules/@cloudquery/plugin-sdk-javascript/dist', p));

let failures = 0;
let checks = 0;
function fail(what) {
  failures++;
  console.log('MISMATCH ' + what);
}
// Two cell texts mean the same value: equal, or the same non-integer-text
// number (nlohmann writes a float 2 as "2.0", JavaScript as "2").
function same(a, b) {
  if (a === b) return true;
  const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
  if (typeof a !== 'string' || typeof b !== 'string' || !num.test(a) || !num.test(b)) return false;
  if (!/[.eE]/.test(a) && !/[.eE]/.test(b)) return false;
  return Number(a) === Number(b);
}
function check(cond, what) {
  checks++;
  if (!cond) fail(what);
}

// --- JSON text the way nlohmann::json dumps it (compact, raw UTF-8) ---------
function text(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'null';
    return JSON.stringify(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(text).join(',') + ']';
  return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ':' + text(x)).join(',') + '}';
}

// --- the codec's value forms, from Arrow JS vectors ---------------------------
function chunkAt(vec, i) {
  let k = i;
  for (const d of vec.data) {
    if (k < d.length) return [d, d.offset + k];
    k -= d.length;
  }
  throw new Error('index out of range');
}
function raw64(vec, i) {
  const [d, j] = chunkAt(vec, i);
  const v = d.values;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return v[j];
  // Older layouts: two 32-bit words.
  const lo = BigInt(v[2 * j] >>> 0), hi = BigInt(v[2 * j + 1]);
  return (hi << 32n) | lo;
}
function rawWords(vec, i, n) {
  const [d, j] = chunkAt(vec, i);
  const words = new Int32Array(d.values.buffer, d.values.byteOffset, d.values.byteLength / 4);
  return Array.from(words.subarray(j * n, j * n + n));
}
const pad = (n, w) => String(n).padStart(w, '0');
const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const unitPer = [1n, 1000n, 1000000n, 1000000000n];
function dateText(days) {
  return new Date(Number(days) * 86400000).toISOString().slice(0, 10);
}
function timestampText(v, unit, tz) {
  const per = unitPer[unit];
  const secs = floorDiv(v, per), sub = v - secs * per;
  let out = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  if (unit > 0) out += '.' + pad(sub, 3 * unit);
  return tz ? out + 'Z' : out;
}
function timeText(v, unit) {
  const per = unitPer[unit];
  const secs = v / per, sub = v % per;
  let out = pad(secs / 3600n, 2) + ':' + pad((secs / 60n) % 60n, 2) + ':' + pad(secs % 60n, 2);
  if (unit > 0) out += '.' + pad(sub, 3 * unit);
  return out;
}
function decimalText(words, scale) {
  let v = 0n;
  for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(words[k] >>> 0);
  if (v >= 1n << 127n) v -= 1n << 128n;
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (neg ? '-' : '') + digits;
}
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
function extensionOf(field) {
  return field.metadata.get('ARROW:extension:name') || '';
}

function valueAt(A, vec, i, field) {
  if (!vec.isValid(i)) return null;
  const t = vec.type;
  const T = A.Type;
  const ext = extensionOf(field);
  switch (t.typeId) {
    case T.Null: return null;
    case T.Bool: return vec.get(i);
    case T.Int: {
      if (t.bitWidth < 64) return vec.get(i);
      const v = raw64(vec, i);
      return t.isSigned ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
    }
    case T.Float: return vec.get(i);
    case T.Utf8:
    case T.LargeUtf8: return vec.get(i);
    case T.Binary:
    case T.LargeBinary:
    case T.FixedSizeBinary: {
      const b = vec.get(i);
      if (ext === 'json') return JSON.parse(Buffer.from(b).toString('utf8'));
      if (ext === 'inet') return Buffer.from(b).toString('utf8');
      if (ext === 'mac') return hex(b).join(':');
      if (ext === 'uuid') {
        const h = hex(b).join('');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }
      return Buffer.from(b).toString('base64');
    }
    case T.Date: {
      const [d, j] = chunkAt(vec, i);
      if (t.unit === A.DateUnit.DAY) return dateText(d.values[j]);
      return dateText(floorDiv(raw64(vec, i), 86400000n));
    }
    case T.Timestamp: return timestampText(BigInt.asIntN(64, raw64(vec, i)), t.unit, !!t.timezone);
    case T.Time: {
      if (t.bitWidth === 32) {
        const [d, j] = chunkAt(vec, i);
        return timeText(BigInt(d.values[j]), t.unit);
      }
      return timeText(BigInt.asIntN(64, raw64(vec, i)), t.unit);
    }
    case T.Duration: return BigInt.asIntN(64, raw64(vec, i));
    case T.Interval: {
      if (t.unit === A.IntervalUnit.YEAR_MONTH) return { months: rawWords(vec, i, 1)[0] };
      if (t.unit === A.IntervalUnit.DAY_TIME) {
        const [days, ms] = rawWords(vec, i, 2);
        return { days, milliseconds: ms };
      }
      const [m, d, lo, hi] = rawWords(vec, i, 4);
      return { months: m, days: d, nanoseconds: (BigInt(hi) << 32n) | BigInt(lo >>> 0) };
    }
    case T.Decimal: return decimalText(rawWords(vec, i, 4), t.scale);
    case T.List:
    case T.LargeList:
    case T.FixedSizeList: {
      const items = vec.get(i);
      const out = [];
      for (let k = 0; k < items.length; k++) out.push(valueAt(A, items, k, t.children[0]));
      return out;
    }
    case T.Struct: {
      const out = {};
      t.children.forEach((child, k) => {
        out[child.name] = valueAt(A, vec.getChildAt(k), i, child);
      });
      return out;
    }
    case T.Map: {
      // The entries of row i: a slice of the struct child.
      const [d, j] = chunkAt(vec, i);
      const start = d.valueOffsets[j], end = d.valueOffsets[j + 1];
      const entries = A.makeVector(d.children[0]);
      const kv = t.children[0].type.children;
      const out = [];
      for (let k = start; k < end; k++) {
        out.push({
          key: valueAt(A, entries.getChildAt(0), k, kv[0]),
          value: valueAt(A, entries.getChildAt(1), k, kv[1]),
        });
      }
      return out;
    }
    default: throw new Error('type not handled by the test: ' + String(t));
  }
}

// The codec's TypeText of an Arrow JS field.
function typeText(A, field) {
  const ext = extensionOf(field);
  if (ext === 'uuid' || ext === 'json' || ext === 'inet' || ext === 'mac') return ext;
  const t = field.type, T = A.Type;
  const units = ['s', 'ms', 'us', 'ns'];
  const child = (f) => typeText(A, f) + (f.nullable ? '' : ' not null');
  switch (t.typeId) {
    case T.Null: return 'null';
    case T.Bool: return 'bool';
    case T.Int: return (t.isSigned ? 'int' : 'uint') + t.bitWidth;
    case T.Float: return 'float' + [16, 32, 64][t.precision];
    case T.Utf8: return 'utf8';
    case T.LargeUtf8: return 'large_utf8';
    case T.Binary: return 'binary';
    case T.LargeBinary: return 'large_binary';
    case T.FixedSizeBinary: return `fixed_size_binary[${t.byteWidth}]`;
    case T.Date: return t.unit === A.DateUnit.DAY ? 'date32' : 'date64';
    case T.Time: return `time${t.bitWidth}[${units[t.unit]}]`;
    case T.Timestamp: return `timestamp[${units[t.unit]}${t.timezone ? ', ' + t.timezone : ''}]`;
    case T.Duration: return `duration[${units[t.unit]}]`;
    case T.Interval: return `interval[${['year_month', 'day_time', 'month_day_nano'][t.unit]}]`;
    case T.Decimal: return `decimal${t.bitWidth}(${t.precision}, ${t.scale})`;
    case T.List: return `list<${child(t.children[0])}>`;
    case T.LargeList: return `large_list<${child(t.children[0])}>`;
    case T.FixedSizeList: return `fixed_size_list<${child(t.children[0])}>[${t.listSize}]`;
    case T.Struct: return 'struct<' + t.children.map((c) => `${c.name}: ${child(c)}`).join(', ') + '>';
    case T.Map: {
      const [k, v] = t.children[0].type.children;
      return `map<${typeText(A, k)}, ${child(v)}>` + (t.keysSorted ? '[sorted]' : '');
    }
    default: return '?' + String(t);
  }
}
const pairs = (map) => Array.from(map.entries());

// --- C++ → JS -------------------------------------------------------------------
// What Arrow JS 19.0.1 cannot read (it predates these types).
const js19Lacks = new Set(['large_list', 'interval_month_day_nano']);

async function cppToJs(dir) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'samples.json'), 'utf8'));
  for (const [version, A] of [['19.0.1', A19], ['21.2.0', A21]]) {
    for (const s of index.samples) {
      const where = `arrow ${version} reading ${s.name}`;
      const bytes = fs.readFileSync(path.join(dir, s.file));
      if (version === '19.0.1' && js19Lacks.has(s.name)) continue;
      let table;
      try {
        table = A.tableFromIPC(bytes);
      } catch (e) {
        fail(`${where}: ${e.message}`);
        continue;
      }
      check(table.batches.length === 1, `${where}: ${table.batches.length} batches`);
      check(text(pairs(table.schema.metadata)) === text(s.metadata), `${where}: schema metadata`);
      const field = table.schema.fields[0];
      check(field.name === s.field.name, `${where}: name ${field.name}`);
      check(typeText(A, field) === s.field.type, `${where}: type ${typeText(A, field)} != ${s.field.type}`);
      check(field.nullable === s.field.nullable, `${where}: nullable`);
      check(text(pairs(field.metadata)) === text(s.field.metadata), `${where}: field metadata`);
      const col = table.getChildAt(0);
      check(col.length === s.cells.length, `${where}: ${col.length} rows`);
      for (let i = 0; i < s.cells.length && i < col.length; i++) {
        let got;
        try {
          got = text(valueAt(A, col, i, field));
        } catch (e) {
          got = 'error: ' + e.message;
        }
        check(got === s.cells[i], `${where} row ${i}: ${got} != ${s.cells[i]}`);
      }
    }
    // A CloudQuery table, read the way the JS SDK reads tables and records.
    const cq = index.cq_table;
    for (const file of [cq.file, cq.schema_file]) {
      const where = `arrow ${version} reading ${file}`;
      const table = A.tableFromIPC(fs.readFileSync(path.join(dir, file)));
      check(text(pairs(table.schema.metadata)) === text(cq.metadata), `${where}: schema metadata`);
      table.schema.fields.forEach((f, k) => {
        const want = cq.fields[k];
        check(f.name === want.name && typeText(A, f) === want.type && f.nullable === want.nullable &&
              text(pairs(f.metadata)) === text(want.metadata), `${where}: field ${k} ${f.name}`);
      });
      const rows = file === cq.file ? cq.cells : [];
      check(table.numRows === rows.length, `${where}: ${table.numRows} rows`);
      // (Arrow JS gives a schema-only stream one empty batch of its own.)
      if (rows.length) check(table.batches.length === 1, `${where}: ${table.batches.length} batches`);
      rows.forEach((cells, r) => cells.forEach((cell, c) => {
        const got = text(valueAt(A, table.getChildAt(c), r, table.schema.fields[c]));
        check(got === cell, `${where} row ${r} col ${c}: ${got} != ${cell}`);
      }));
    }
  }
}

// The JS SDK's own readers (decodeTable for migrate_table, decodeRecord for
// inserts) on Sluice's table and record.
async function sdkReadsCpp(dir) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'samples.json'), 'utf8'));
  const { decodeTable, decodeRecord } = await sdk('schema/table.js');
  const cq = index.cq_table;
  const table = decodeTable(fs.readFileSync(path.join(dir, cq.schema_file)));
  const meta = Object.fromEntries(cq.metadata);
  check(table.name === meta['cq:table_name'] && table.title === meta['cq:table_title'] &&
        table.description === meta['cq:table_description'] &&
        table.pkConstraintName === meta['cq:extension:constraint_name'], 'SDK decodeTable: table metadata');
  check(table.columns.length === cq.fields.length, 'SDK decodeTable: columns');
  table.columns.forEach((c, k) => {
    const m = Object.fromEntries(cq.fields[k].metadata);
    check(c.name === cq.fields[k].name && c.notNull === !cq.fields[k].nullable &&
          c.primaryKey === (m['cq:extension:primary_key'] === 'true') &&
          c.unique === (m['cq:extension:unique'] === 'true'), `SDK decodeTable: column ${c.name}`);
  });
  const [name, batches] = decodeRecord(fs.readFileSync(path.join(dir, cq.file)));
  check(name === meta['cq:table_name'], 'SDK decodeRecord: table name');
  check(batches.length === 1 && batches[0].numRows === cq.cells.length, 'SDK decodeRecord: one batch of every row');
}

// --- JS → C++ -------------------------------------------------------------------
function jsSamples(A, version) {
  const big = (x) => BigInt(x);
  const samples = [
    ['int8', new A.Int8(), [-128, 127, null]],
    ['int16', new A.Int16(), [-32768, null]],
    ['int32', new A.Int32(), [-2147483648, 2147483647, null]],
    ['int64', new A.Int64(), [big('-9223372036854775808'), big('9223372036854775807'), null]],
    ['uint8', new A.Uint8(), [255, null]],
    ['uint16', new A.Uint16(), [65535, null]],
    ['uint32', new A.Uint32(), [4294967295, null]],
    ['uint64', new A.Uint64(), [big('9223372036854775807'), 0n, null]],
    ['float16', new A.Float16(), [1.5, -2, null]],
    ['float32', new A.Float32(), [1.5, null]],
    ['float64', new A.Float64(), [0.1, -2.5e300, null]],
    ['utf8', new A.Utf8(), ['', 'ünïcødé ✓ 日本 🚀', null]],
    ['large_utf8', new A.LargeUtf8(), ['a', null]],
    ['binary', new A.Binary(), [new Uint8Array([0, 1, 255]), new Uint8Array([]), null]],
    ['fixed_size_binary', new A.FixedSizeBinary(3), [new Uint8Array([1, 2, 3]), null]],
    ['bool', new A.Bool(), [true, false, null, true]],
    ['date_day', new A.DateDay(), [new Date(Date.UTC(2024, 1, 29)), null]],
    ['date_ms', new A.DateMillisecond(), [new Date(Date.UTC(1999, 11, 31)), null]],
    ['timestamp_s', new A.TimestampSecond('UTC'), [Date.UTC(2024, 0, 2, 3, 4, 5), null]],
    ['timestamp_ms', new A.TimestampMillisecond('UTC'), [Date.UTC(2024, 0, 2, 3, 4, 5, 123), null]],
    ['timestamp_us', new A.TimestampMicrosecond('UTC'), [Date.UTC(2024, 0, 2, 3, 4, 5, 123), null]],
    ['timestamp_ns', new A.TimestampNanosecond(), [Date.UTC(2024, 0, 2, 3, 4, 5, 123), null]],
    ['time_s', new A.TimeSecond(), [3723, null]],
    ['time_ms', new A.TimeMillisecond(), [3723004, null]],
    ['struct', new A.Struct([new A.Field('a', new A.Int32()), new A.Field('b', new A.Utf8())]),
      [{ a: 1, b: 'x' }, null, { a: null, b: 'y' }]],
    ['list_utf8', new A.List(new A.Field('item', new A.Utf8())), [['a', 'b'], [], null]],
    ['list_struct', new A.List(new A.Field('item', new A.Struct([new A.Field('n', new A.Float64())]))),
      [[{ n: 1.5 }, { n: null }], null]],
    ['fixed_size_list', new A.FixedSizeList(2, new A.Field('item', new A.Int16())), [[1, 2], null]],
    ['map', new A.Map_(new A.Field('entries', new A.Struct([new A.Field('key', new A.Utf8(), false),
      new A.Field('value', new A.Int32())]))), [new Map([['a', 1], ['b', null]]), null]],
    ['null', new A.Null(), [null, null]],
    ['time_us', new A.TimeMicrosecond(), [3723004005n, null]],
    ['time_ns', new A.TimeNanosecond(), [3723004005006n, null]],
    ['duration_s', new A.DurationSecond(), [5n, -3n, null]],
    ['duration_ns', new A.DurationNanosecond(), [5000000000n, null]],
    ['interval_year_month', new A.IntervalYearMonth(), [new Int32Array([1, 2]), null]],
    ['interval_day_time', new A.IntervalDayTime(), [new Int32Array([3, 500]), null]],
    // Decimal(scale, precision, bitWidth): 123.45 and -0.01.
    ['decimal', new A.Decimal(2, 10, 128), [new Uint32Array([12345, 0, 0, 0]),
      new Uint32Array([0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]), null]],
  ];
  if (version === '21.2.0') {
    samples.push(['large_binary', new A.LargeBinary(), [new Uint8Array([104, 105]), null]]);
    samples.push(['interval_month_day_nano', new A.IntervalMonthDayNano(), [new Int32Array([1, 2, 3, 0]), null]]);
    samples.push(['large_list', new A.LargeList(new A.Field('item', new A.Int32())), [[1, 2], [], null]]);
  }
  return samples;
}

function writeTable(A, schema, columns) {
  const data = A.makeData({
    type: new A.Struct(schema.fields), length: columns[0].length, nullCount: 0,
    children: columns.map((vec) => vec.data[0]),
  });
  return A.tableToIPC(new A.Table(schema, new A.RecordBatch(schema, data)), 'stream');
}

function expectedOf(A, bytes) {
  const table = A.tableFromIPC(bytes);
  const cells = [];
  for (let r = 0; r < table.numRows; r++) {
    cells.push(table.schema.fields.map((f, c) => text(valueAt(A, table.getChildAt(c), r, f))));
  }
  return {
    fields: table.schema.fields.map((f) => ({ name: f.name, type: typeText(A, f), nullable: f.nullable,
      metadata: pairs(f.metadata) })),
    metadata: pairs(table.schema.metadata),
    cells,
  };
}

async function jsToCpp(dir, tool) {
  const cases = [];
  for (const [version, A] of [['19.0.1', A19], ['21.2.0', A21]]) {
    for (const [name, type, values] of jsSamples(A, version)) {
      const field = new A.Field(name, type, true, new Map([['cq:extension:unique', 'false']]));
      const schema = new A.Schema([field], new Map([['cq:table_name', 'js_' + name]]));
      let bytes;
      try {
        bytes = writeTable(A, schema, [A.vectorFromArray(values, type)]);
      } catch (e) {
        fail(`arrow ${version} cannot write ${name}: ${e.message}`);
        continue;
      }
      cases.push({ file: `js${version.split('.')[0]}_${name}.arrow`, bytes, A });
    }
  }
  // The JS SDK's encoders: a table (schema only) and a resource (one row),
  // with its json and uuid extension types and CloudQuery metadata.
  const { createTable } = await sdk('schema/table.js');
  const { createColumn } = await sdk('schema/column.js');
  const { encodeTable } = await sdk('schema/table.js');
  const { Resource, encodeResource } = await sdk('schema/resource.js');
  const { JSONType } = await sdk('types/json.js');
  const { UUIDType } = await sdk('types/uuid.js');
  const parent = createTable({ name: 'parent_tbl' });
  const table = createTable({
    name: 'sdk_items', title: 'SDK items', description: 'dëscription', pkConstraintName: 'sdk_items_cqpk',
    isIncremental: true, parent,
    columns: [
      createColumn({ name: 'id', type: new UUIDType(), primaryKey: true, notNull: true, unique: true }),
      createColumn({ name: 'doc', type: new JSONType() }),
      createColumn({ name: 'name', type: new A19.Utf8(), incrementalKey: true }),
      createColumn({ name: 'n', type: new A19.Int64() }),
      createColumn({ name: 'at', type: new A19.TimestampMillisecond() }),
    ],
  });
  cases.push({ file: 'sdk_table.arrow', bytes: encodeTable(table), A: A19 });
  const resource = new Resource(table, null, {});
  resource.setColumData('id', '123e4567-e89b-12d3-a456-426614174000');
  resource.setColumData('doc', { a: [1, 'x'], 'ключ': null });
  resource.setColumData('name', 'ünï');
  resource.setColumData('n', 42);
  resource.setColumData('at', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)));
  cases.push({ file: 'sdk_resource.arrow', bytes: encodeResource(resource), A: A19 });

  for (const c of cases) {
    const file = path.join(dir, c.file);
    fs.writeFileSync(file, c.bytes);
    let want;
    try {
      want = expectedOf(c.A, c.bytes);
    } catch (e) {
      fail(`${c.file}: Arrow JS cannot read back its own bytes: ${e.message}`);
      continue;
    }
    let got;
    try {
      got = JSON.parse(execFileSync(tool, ['decode', file], { encoding: 'utf8' }));
    } catch (e) {
      fail(`${c.file}: cq_arrow_tool decode failed: ${e.stderr || e.message}`);
      continue;
    }
    const where = `Sluice reading ${c.file}`;
    check(text(got.metadata) === text(want.metadata), `${where}: schema metadata ${text(got.metadata)}`);
    check(got.fields.length === want.fields.length, `${where}: field count`);
    want.fields.forEach((f, k) => {
      const g = got.fields[k] || {};
      check(g.name === f.name, `${where}: name ${g.name} != ${f.name}`);
      check(g.type === f.type, `${where}: type ${g.type} != ${f.type}`);
      check(g.nullable === f.nullable, `${where}: nullable of ${f.name}`);
      check(text(g.metadata) === text(f.metadata), `${where}: metadata of ${f.name}: ${text(g.metadata)}`);
    });
    check(got.cells.length === want.cells.length, `${where}: ${got.cells.length} rows, want ${want.cells.length}`);
    want.cells.forEach((row, r) => row.forEach((cell, k) => {
      const g = (got.cells[r] || [])[k];
      check(same(g, cell), `${where} row ${r} ${want.fields[k].name}: ${g} != ${cell}`);
    }));
  }
}

const [mode, dir, tool] = process.argv.slice(2);
if (mode === 'cpp-to-js') {
  await cppToJs(dir);
  await sdkReadsCpp(dir);
}
else if (mode === 'js-to-cpp') await jsToCpp(dir, tool);
else {
  console.error('usage: arrow_roundtrip.mjs cpp-to-js DIR | js-to-cpp DIR TOOL');
  process.exit(2);
}
console.log(`${mode}: ${checks} checks, ${failures} mismatches`);
process.exit(failures ? 1 : 0);
