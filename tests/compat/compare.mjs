// Compares the rows the real SDK produced (sdk_rows.mjs) with the rows
// Sluice produced for the same integration, table by table.
//
//   node tests/compat/compare.mjs SDK_JSON SLUICE_JSON
//
// SLUICE_JSON is {"tables": {"name": [row, …]}} with rows as `sluice -f json`
// prints them. Both sides are brought to one form per the SDK's column type
// before comparing: timestamps as instants (ISO text of any precision),
// booleans from SQLite's 0/1, documents and arrays from their JSON text.
// One encoding defect of the SDK is allowed for, and counted: it writes an
// empty list as null (tests/compat/README.md). Exit status 1 on any
// difference, with the differing rows shown.
import { readFileSync } from 'node:fs';

const [sdkPath, sluicePath] = process.argv.slice(2);
if (!sdkPath || !sluicePath) {
  process.stderr.write('usage: node compare.mjs SDK_JSON SLUICE_JSON\n');
  process.exit(2);
}
const sdk = JSON.parse(readFileSync(sdkPath, 'utf8')).tables;
const sluice = JSON.parse(readFileSync(sluicePath, 'utf8')).tables;

const canonical = (value) => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return value;
};
const parseIfText = (v) => {
  if (typeof v !== 'string') return v;
  try { return JSON.parse(v); } catch { return v; }
};

let emptyListsAllowed = 0;
const normalize = (type, value, side) => {
  if (value === null || value === undefined) return null;
  if (type.startsWith('Timestamp') || type.startsWith('Date')) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? `unparseable ${value}` : new Date(ms).toISOString();
  }
  if (type === 'Bool') return value === true || value === 1;
  if (type.startsWith('List')) {
    const list = parseIfText(value);
    if (side === 'sluice' && Array.isArray(list) && list.length === 0) return { emptyList: true };
    return canonical(list);
  }
  if (type === 'extension<json>' || type.startsWith('Struct')) return canonical(parseIfText(value));
  return value;
};

let failed = false;
const report = (text) => { failed = true; process.stdout.write(`${text}\n`); };

const sdkTables = Object.keys(sdk).sort();
const sluiceTables = Object.keys(sluice).sort();
if (JSON.stringify(sdkTables) !== JSON.stringify(sluiceTables)) {
  report(`tables differ: SDK has ${sdkTables.join(', ')}; Sluice has ${sluiceTables.join(', ')}`);
}
for (const table of sdkTables) {
  const { columns, rows } = sdk[table];
  const names = Object.keys(columns).sort();
  const form = (row, side) => {
    const out = {};
    for (const name of names) out[name] = normalize(columns[name], row[name], side);
    return out;
  };
  const sdkRows = rows.map((r) => form(r, 'sdk'));
  const sluiceRows = (sluice[table] ?? []).map((r) => form(r, 'sluice'));
  for (const row of sluiceRows) {
    const extra = Object.keys((sluice[table] ?? [])[0] ?? {}).filter((k) => !names.includes(k));
    if (extra.length) { report(`${table}: Sluice has columns the SDK has not: ${extra.join(', ')}`); break; }
    for (const name of names) {
      if (row[name] && row[name].emptyList) {
        // The SDK writes [] as null: accept exactly that, and count it.
        row[name] = null;
        emptyListsAllowed++;
      }
    }
  }
  const key = (row) => JSON.stringify(row);
  const left = sdkRows.map(key).sort();
  const right = sluiceRows.map(key).sort();
  const onlySdk = left.filter((k) => !right.includes(k));
  const onlySluice = right.filter((k) => !left.includes(k));
  if (left.length !== right.length || onlySdk.length || onlySluice.length) {
    report(`${table}: ${left.length} rows from the SDK, ${right.length} from Sluice`);
    for (const k of onlySdk.slice(0, 5)) report(`  only in SDK:    ${k}`);
    for (const k of onlySluice.slice(0, 5)) report(`  only in Sluice: ${k}`);
  } else {
    process.stdout.write(`${table}: ${left.length} rows, ${names.length} columns, identical\n`);
  }
}
process.stdout.write(`empty lists the SDK wrote as null: ${emptyListsAllowed}\n`);
process.exit(failed ? 1 : 0);
