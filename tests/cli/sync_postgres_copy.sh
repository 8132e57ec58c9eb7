# The PostgreSQL destination's COPY straight into a table empty at the
# start (a throwaway cluster started here, its statements logged to tell
# the paths apart): hostile values arrive byte for byte, the same as through
# the stage; a full run into a non-empty table still upserts and deletes
# stale rows; a key repeated in a full run into an empty table falls back to
# the stage and keeps the last; a run killed midway leaves whole batches and
# the re-run repairs the table.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
source "$root/tests/servers/start_postgres.bash"
start_postgres || exit 1
start_test_server "$(dirname "$sluice")/test_api_server" --token pg-token --items 30000 >/dev/null || exit 1
export SLUICE_SECRET_KEY=pg-copy-key SYNC_API=$TEST_SERVER_URL
ws=$dir/ws.db
pg() { psql "$PG_URL" -Atq -c "$1" 2>&1; }
run() { "$sluice" "$ws" -c "$1" 2>&1; }
pg "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
pg "SELECT pg_reload_conf()" >/dev/null
log=$PG_DIR/server.log
# The COPY statements logged since line $1, as "table" or "stage".
copies_since() {
  tail -n +"$1" "$log" | grep -o 'statement: COPY [^ ]*' | sed -e 's/.*_sluice_stage_.*/stage/' -e 's/.*COPY "raw".*/table/' |
    uniq | paste -sd, -
}
mark() { wc -l <"$log"; }

# Every awkward byte COPY's text format must escape, NULLs, a 1 MiB text,
# and beside each value its UTF-8 bytes in hex (or its number), which no
# escaping can touch: PostgreSQL compares the two.
run "CREATE CONNECTOR TYPE 'hostile' CONFIG_SCHEMA {\"variant\": {\"type\": \"integer\"}};
  CREATE CONNECTOR ENTITY 'hostile.rows' FIELDS {\"k\": {\"type\": \"integer\", \"primary_key\": true},
    \"s\": {\"type\": \"string\"}, \"s_hex\": {\"type\": \"string\"}, \"n\": {\"type\": \"number\"},
    \"n_text\": {\"type\": \"string\"}, \"b\": {\"type\": \"boolean\"}, \"t\": {\"type\": \"timestamp\"},
    \"t_ms\": {\"type\": \"integer\"}, \"d\": {\"type\": \"date\"}, \"i\": {\"type\": \"integer\"},
    \"i_text\": {\"type\": \"string\"}, \"doc\": {\"type\": \"document\"},
    \"doc_hex\": {\"type\": \"string\"}, \"arr\": {\"type\": \"array\"}}
    QUERY_HANDLER '''
const awkward = [\"tab\\there\", \"new\\nline\", \"cr\\rlf\\r\\n\", \"back\\\\slash\", \"\\\\N\", \"\\\\.\", \"\\\\\",
  \"\\\\\\n\\\\.\\n\", \"crab \\u{1F980} 中文 é e\\u0301\", \"\", \" spaced \", \"\\\"q\\\" 'q'\", \"\\u0001\\u001f\\u007f\",
  \"\\u2028\\u2029\\uFEFF\", \"x\\\\ty\"];
const hex = (s) => Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0).toString(16).padStart(2, \"0\")).join(\"\");
function row(k, variant) {
  let s = k % 7 === 0 ? null : awkward[k % awkward.length] + (variant === 2 && k % 5 === 0 ? \"v2\" : \"\") + k;
  if (k === 1234) s = \"\\t\\n\\\\\".repeat(100000) + \"y\".repeat(1 << 20);
  const doc = k % 11 === 0 ? null : {s: awkward[(k + 3) % awkward.length], k, nested: [null, true, 1.5]};
  // Before 1970 and 2000 (PostgreSQL's epoch) too, and fractions of a second.
  const t = k % 17 === 0 ? Date.UTC(1969, 6, 20, 20, 17, 40) - k * 1001 : Date.UTC(2026, 0, 1) + k * 1001;
  const i = k === 3 ? 9007199254740991 : k === 4 ? -9007199254740991 : k % 2 ? -k * 1e9 : k;
  const n = k % 13 === 0 ? null : k / 3 + (variant === 2 ? 1 : 0);
  return {k, s, s_hex: s === null ? null : hex(s), n, n_text: n === null ? null : String(n), b: k % 2 === 0,
    t: new Date(t).toISOString(), t_ms: t, d: (k % 17 ? \"2026\" : \"1899\") + \"-03-\" + String(1 + k % 28).padStart(2, \"0\"),
    i, i_text: String(i),
    doc, doc_hex: doc === null ? null : hex(JSON.stringify(doc)), arr: [awkward[k % awkward.length], k]};
}
async function* query(config) {
  const variant = config.variant || 1;
  for (let batch = 0; batch < 3; batch++) {
    const rows = [];
    for (let k = batch * 1000 + 1; k <= (batch + 1) * 1000; k++) {
      if (variant === 2 && k % 10 === 0) continue;
      rows.push(row(k, variant));
    }
    if (variant === 3 && batch === 2) rows.push({...row(5, 1), s: \"last\", s_hex: hex(\"last\")}, row(2001, 1));
    yield rows;
  }
}''';
  CREATE CONNECTOR h TYPE 'hostile' CONFIG {} OPTIONS {\"batch_size\": 1000};
  CREATE DESTINATION warehouse TYPE 'postgresql' CONFIG {\"connection_string\": \"$PG_URL\", \"schema\": \"raw\"};" \
  >/dev/null
# What no escaping can fake: each value against its hex, number or epoch.
mismatches() {
  pg "SELECT count(*) FILTER (WHERE encode(convert_to(s, 'UTF8'), 'hex') IS DISTINCT FROM s_hex),
      count(*) FILTER (WHERE n IS DISTINCT FROM n_text::float8),
      count(*) FILTER (WHERE (extract(epoch FROM t) * 1000)::bigint <> t_ms),
      count(*) FILTER (WHERE doc IS DISTINCT FROM convert_from(decode(doc_hex, 'hex'), 'UTF8')::jsonb),
      count(*) FILTER (WHERE b <> (k % 2 = 0)),
      count(*) FILTER (WHERE d <> make_date(CASE WHEN k % 17 = 0 THEN 1899 ELSE 2026 END, 3, 1 + (k % 28)::int)),
      count(*) FILTER (WHERE i <> i_text::bigint),
      count(*) FILTER (WHERE arr->>1 <> k::text)
    FROM raw.h_rows"
}
digest() {
  pg "SELECT md5(string_agg(concat_ws('|', k, s, n, b, t, d, i, doc, arr, _sluice_source), E'\n' ORDER BY k)) FROM raw.h_rows"
}

at=$(mark)
out=$(run "SYNC CONNECTOR h TO DESTINATION warehouse FULL;")
expect_eq "full sync into a new table" 0 $?
expect_contains "summary" "full | overwrite-delete-stale |      3000 |         3000 |" "$out"
expect_eq "COPY straight into the table, no stage" "table" "$(copies_since "$at")"
expect_eq "every value byte for byte" "0|0|0|0|0|0|0|0" "$(mismatches)"
expect_eq "rows and NULLs" "3000|428" "$(pg "SELECT count(*), count(*) FILTER (WHERE s IS NULL) FROM raw.h_rows")"
expect_eq "the huge text" "1348576|100000" \
  "$(pg "SELECT length(s), length(s) - length(replace(s, E'\t', '')) FROM raw.h_rows WHERE k = 1234")"
some() { echo "k % 15 = $1 AND s IS NOT NULL AND k <> 1234"; }
expect_eq "hostile text" "t|t|t|t" "$(pg "SELECT bool_and(s = E'\\\\N' || k) FILTER (WHERE $(some 4)),
    bool_and(s = E'\\\\.' || k) FILTER (WHERE $(some 5)), bool_and(s = E'\\\\\\n\\\\.\\n' || k) FILTER (WHERE $(some 7)),
    bool_and(s = E'tab\\there' || k) FILTER (WHERE $(some 0)) FROM raw.h_rows")"
direct=$(digest)

# The same rows into the now non-empty table: through the stage, the same table.
at=$(mark)
out=$(run "SYNC CONNECTOR h TO DESTINATION warehouse FULL;")
expect_eq "full sync into a non-empty table" 0 $?
expect_eq "through the stage" "stage" "$(copies_since "$at")"
expect_eq "the stage's table equals COPY's" "$direct" "$(digest)"

# Changed and removed rows: upserted, stale ones deleted.
run "ALTER CONNECTOR h SET CONFIG {\"variant\": 2};" >/dev/null
out=$(run "SYNC CONNECTOR h TO DESTINATION warehouse FULL;")
expect_contains "stale rows deleted" "|      2700 |         2700 |          300 |" "$out"
expect_eq "upserted values" "2700|0|0|0" "$(pg "SELECT count(*), count(*) FILTER (WHERE k % 10 = 0),
    count(*) FILTER (WHERE n IS DISTINCT FROM k / 3.0::float8 + 1 AND k % 13 <> 0),
    count(*) FILTER (WHERE k % 5 = 0 AND k % 7 <> 0 AND k <> 1234 AND s NOT LIKE '%v2' || k) FROM raw.h_rows")"
expect_eq "every value byte for byte after the upsert" "0|0|0|0|0|0|0|0" "$(mismatches)"

# A key repeated in a full run into an empty table (batch 3 names 5, from
# batch 1, and 2001 twice): COPY refuses, that batch and the rest go
# through the stage, and the table is what the upsert gives: the last wins.
pg "DROP TABLE raw.h_rows" >/dev/null
run "ALTER CONNECTOR h SET CONFIG {\"variant\": 3};" >/dev/null
at=$(mark)
out=$(run "SYNC CONNECTOR h TO DESTINATION warehouse FULL;")
expect_eq "repeated keys into an empty table" 0 $?
expect_contains "summary" "|      3002 |         3002 |            0 |" "$out"
expect_eq "COPY, then the stage" "table,stage" "$(copies_since "$at")"
expect_eq "the last wins" "3000|3000|last|0" \
  "$(pg "SELECT count(*), count(DISTINCT k), (SELECT s FROM raw.h_rows WHERE k = 5),
         count(*) FILTER (WHERE k <> 5 AND encode(convert_to(s, 'UTF8'), 'hex') IS DISTINCT FROM s_hex) FROM raw.h_rows")"
expect_eq "no batch lost or doubled" "0|0|0|0|0|0|0|0" "$(mismatches)"

# A full run into an empty table killed midway: whole batches only, and the
# re-run ends with exactly the source's rows.
"$sluice" "$ws" "$root/examples/myservice/connector.sql" >/dev/null 2>&1 || fail "defining myservice"
run "CREATE SECRET key VALUE 'pg-token';
     CREATE CONNECTOR prod TYPE 'myservice' CONFIG {\"api_url\": ENV('SYNC_API'), \"api_key\": \"{{secrets.key}}\"}
       OPTIONS {\"batch_size\": 2000};" >/dev/null
at=$(mark)
"$sluice" "$ws" -c "SYNC CONNECTOR prod TO DESTINATION warehouse FULL;" >/dev/null 2>&1 &
pid=$!
count() { pg "SELECT count(*) FROM raw.prod_items" | grep -E '^[0-9]+$' || echo 0; }
for _ in $(seq 1 $((400 * slow))); do
  [ "$(count)" -ge 4000 ] && break
  sleep 0.05
done
partial=$(count)
kill -KILL $pid 2>/dev/null || fail "the sync ended before it could be killed"
wait $pid 2>/dev/null
if [ "$partial" -lt 4000 ] || [ "$partial" -ge 30000 ]; then fail "killed midway: $partial rows"; fi
expect_eq "killed midway, COPY straight into the table" "table" "$(copies_since "$at")"
expect_eq "committed batches whole" 0 "$(($(count) % 2000))"
expect_eq "no mark from a killed full run" "" "$(pg "SELECT cursor_value FROM raw._sluice_sync_state WHERE connector = 'prod'")"
at=$(mark)
out=$(run "SYNC CONNECTOR prod TO DESTINATION warehouse FULL;")
expect_contains "the re-run" "prod_items | full | overwrite-delete-stale |     30000 |        30000 |" "$out"
expect_eq "the re-run goes through the stage" "stage" "$(copies_since "$at")"
expect_eq "after kill and re-run" "30000|30000|0" \
  "$(pg "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE _sluice_synced_at <> (SELECT max(_sluice_synced_at) FROM raw.prod_items)) FROM raw.prod_items")"

# PostgreSQL keeps 63 bytes of a name and drops the rest without a word:
# a longer field is refused by name before anything is created, and the
# same run with it renamed then works (and works again).
long_field=$(printf 'f%.0s' $(seq 64))
define_long() {
  run "CREATE OR REPLACE CONNECTOR TYPE 'longname';
    CREATE OR REPLACE CONNECTOR ENTITY 'longname.rows' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"$1\": {\"type\": \"string\"}}
      QUERY_HANDLER '''function query() { return [{id: 1, \"$1\": 'x'}]; }''';
    CREATE OR REPLACE CONNECTOR ln TYPE 'longname';" >/dev/null
}
define_long "$long_field"
out=$(run "SYNC CONNECTOR ln TO DESTINATION warehouse FULL;")
expect_contains "a 64-byte field is refused" "keeps only the first 63 bytes of a name, and the field '$long_field' has 64" "$out"
expect_eq "nothing created for it" "0" "$(pg "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ln_rows'")"
define_long "${long_field:1}"
run "SYNC CONNECTOR ln TO DESTINATION warehouse FULL;" >/dev/null
out=$(run "SYNC CONNECTOR ln TO DESTINATION warehouse FULL;")
expect_contains "a 63-byte field syncs, and again" "ln_rows | full | overwrite-delete-stale |         1 |" "$out"
finish
