# SYNC CONNECTOR … TO DESTINATION into a real PostgreSQL server (a
# throwaway cluster started here): full, incremental, delete-stale, types,
# schema growth, type-change refusal, upserts of keys repeated in a batch,
# a killed sync re-run, and a bad connection string.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
source "$root/tests/servers/start_postgres.bash"
start_postgres || exit 1
start_test_server "$(dirname "$sluice")/test_api_server" --token pg-token --items 30000 >/dev/null || exit 1
export SLUICE_SECRET_KEY=pg-tests-key SYNC_API=$TEST_SERVER_URL
ws=$dir/ws.db
pg() { psql "$PG_URL" -Atq -c "$1" 2>&1; }
run() { "$sluice" "$ws" -c "$1" 2>&1; }
# Writes carry a body, empty by default: the server requires Content-Length.
api() {
  local auth="Authorization: Bearer pg-token"
  if [ "$1" = GET ]; then curl -s -H "$auth" "$TEST_SERVER_URL$2"; return; fi
  curl -s -X "$1" -H "$auth" -H 'Content-Type: application/json' -d "${3-}" "$TEST_SERVER_URL$2"
}

"$sluice" "$ws" "$root/examples/myservice/connector.sql" >/dev/null 2>&1 || fail "defining myservice"
run "CREATE SECRET key VALUE 'pg-token';
     CREATE CONNECTOR prod TYPE 'myservice' CONFIG {\"api_url\": ENV('SYNC_API'), \"api_key\": \"{{secrets.key}}\"}
       OPTIONS {\"batch_size\": 2000};
     CREATE DESTINATION warehouse TYPE 'postgresql' CONFIG {\"connection_string\": \"$PG_URL\", \"schema\": \"raw\"};" >/dev/null

out=$(run "SYNC CONNECTOR prod TO DESTINATION warehouse FULL;")
expect_eq "full sync into PostgreSQL" 0 $?
expect_contains "summary" "prod_items | full | overwrite-delete-stale |     30000 |        30000 |" "$out"
expect_eq "rows" "30000|30000|prod" "$(pg "SELECT count(*), count(DISTINCT id), string_agg(DISTINCT _sluice_source, ',') FROM raw.prod_items")"
expect_eq "types from FIELDS" "id:text name:text status:text created_at:timestamp with time zone updated_at:timestamp with time zone metadata:jsonb _sluice_source:text _sluice_synced_at:timestamp with time zone" \
  "$(pg "SELECT string_agg(column_name || ':' || data_type, ' ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'prod_items'")"
expect_eq "primary key" "id" "$(pg "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'raw.prod_items'::regclass AND i.indisprimary")"
expect_eq "jsonb and timestamptz values" "7|2026-01-01 06:00:00+00" \
  "$(pg "SET timezone = 'UTC'; SELECT metadata->>'rank', created_at FROM raw.prod_items WHERE id = '7'")"
expect_eq "state beside the rows" '"2029-06-03T23:00:00Z"' "$(pg "SELECT cursor_value FROM raw._sluice_sync_state")"

api PATCH /items/3 '{"name": "changed three"}' >/dev/null
api POST /items '{"name": "brand new"}' >/dev/null
out=$(run "SYNC CONNECTOR prod TO DESTINATION warehouse;")
expect_contains "incremental" "| incremental | overwrite  |         3 |            2 |" "$out"
expect_eq "upserted and added" "changed three|30001" "$(pg "SELECT (SELECT name FROM raw.prod_items WHERE id = '3'), count(*) FROM raw.prod_items")"
api DELETE /items/5 >/dev/null
out=$(run "SYNC CONNECTOR prod TO DESTINATION warehouse FULL;")
expect_contains "delete-stale" "|     30000 |        30000 |            1 |" "$out"
expect_eq "stale row gone" "0|30000" "$(pg "SELECT count(*) FILTER (WHERE id = '5'), count(*) FROM raw.prod_items")"

# A batch that names a key twice: the last one wins, no ON CONFLICT error.
run "CREATE CONNECTOR TYPE 'twice' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'twice.rows' FIELDS {\"k\": {\"type\": \"integer\", \"primary_key\": true},
    \"v\": {\"type\": \"string\"}, \"ok\": {\"type\": \"boolean\"}, \"n\": {\"type\": \"number\"}, \"tags\": {\"type\": \"array\"}}
    QUERY_HANDLER '''async function query() {
      return [{k: 1, v: 'first', ok: true, n: 1.5, tags: ['a']}, {k: 2, v: 'tab\there', ok: false, n: null, tags: []},
              {k: 1, v: 'second', ok: true, n: 2.5, tags: ['b', 'c']}];
    }''';
  CREATE CONNECTOR tw TYPE 'twice' CONFIG {};" >/dev/null
out=$(run "SYNC CONNECTOR tw TO DESTINATION warehouse;")
expect_eq "repeated keys" 0 $?
expect_eq "last wins, types kept" "1|second|t|2.5|[\"b\", \"c\"]
2|tab	here|f||[]" "$(pg "SELECT k, v, ok, n, tags FROM raw.tw_rows ORDER BY k")"

# Schema growth, and a refused type change.
run "CREATE OR REPLACE CONNECTOR ENTITY 'twice.rows' FIELDS {\"k\": {\"type\": \"integer\", \"primary_key\": true},
    \"v\": {\"type\": \"string\"}, \"extra\": {\"type\": \"date\"}}
    QUERY_HANDLER '''async function query() { return [{k: 1, v: 'x', extra: '2026-03-04'}]; }''';" >/dev/null
out=$(run "SYNC CONNECTOR tw TO DESTINATION warehouse;")
expect_contains "a new field adds a column" "ok (table added columns extra)" "$out"
expect_eq "the new column" "2026-03-04" "$(pg "SELECT extra FROM raw.tw_rows WHERE k = 1")"
run "CREATE OR REPLACE CONNECTOR ENTITY 'twice.rows' FIELDS {\"k\": {\"type\": \"string\", \"primary_key\": true}}
    QUERY_HANDLER '''async function query() { return [{k: 'one'}]; }''';" >/dev/null
out=$(run "SYNC CONNECTOR tw TO DESTINATION warehouse;")
expect_contains "type change refused" "table 'raw.tw_rows': column 'k' is bigint but field 'k' (string) needs text; add FORCE" "$out"
expect_eq "rows kept" "1|x" "$(pg "SELECT count(*), string_agg(v, ',') FROM raw.tw_rows")"

# A destination error mid-sync (PostgreSQL refuses a NUL in text): the
# entity fails with PostgreSQL's word for it, the batches before it stay.
run "CREATE CONNECTOR TYPE 'nul' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'nul.rows' FIELDS {\"k\": {\"type\": \"integer\", \"primary_key\": true}, \"v\": {\"type\": \"string\"}}
    QUERY_HANDLER '''async function* query() {
      yield [{k: 1, v: 'a'}, {k: 2, v: 'b'}];
      yield [{k: 3, v: 'c'}, {k: 4, v: 'bad' + String.fromCharCode(0) + 'byte'}];
    }''';
  CREATE CONNECTOR nul TYPE 'nul' CONFIG {} OPTIONS {\"batch_size\": 2};" >/dev/null
out=$(run "SYNC CONNECTOR nul TO DESTINATION warehouse;")
expect_eq "a destination error fails the statement" 1 $?
expect_contains "with PostgreSQL's message" "PostgreSQL: ERROR:  invalid byte sequence for encoding \"UTF8\": 0x00" "$out"
expect_eq "the batch before it stayed" "1,2" "$(pg "SELECT string_agg(k::text, ',' ORDER BY k) FROM raw.nul_rows")"
expect_eq "the run is recorded as failed" failed "$(sqlite3 "$ws" "SELECT status FROM _sluice_sync_runs WHERE connector = 'nul'")"

# A killed sync, re-run: exactly the source's rows.
before=$(pg "SELECT max(_sluice_synced_at) FROM raw.prod_items")
"$sluice" "$ws" -c "SYNC CONNECTOR prod TO DESTINATION warehouse FULL;" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 $((400 * slow))); do
  # Rows of the new run are visible once their batch committed.
  [ "$(pg "SELECT count(*) FROM raw.prod_items WHERE _sluice_synced_at > '$before'")" -ge 4000 ] 2>/dev/null && break
  sleep 0.05
done
partial=$(pg "SELECT count(*) FROM raw.prod_items WHERE _sluice_synced_at > '$before'")
kill -KILL $pid 2>/dev/null || fail "the sync ended before it could be killed"
wait $pid 2>/dev/null
if [ "$partial" -lt 4000 ] || [ "$partial" -ge 30000 ]; then fail "killed midway: $partial rows of the new run"; fi
expect_eq "killed midway, committed batches whole" 0 "$((partial % 2000))"
run "SYNC CONNECTOR prod TO DESTINATION warehouse FULL;" >/dev/null
expect_eq "after kill and re-run" "30000|30000" "$(pg "SELECT count(*), count(DISTINCT id) FROM raw.prod_items")"

out=$(run "CREATE DESTINATION nowhere TYPE 'postgresql' CONFIG {\"connection_string\": \"postgresql://sluice:hunter2@127.0.0.1:1/x\"};")
expect_contains "a password is a credential" "holds a credential" "$out"
run "CREATE DESTINATION nowhere TYPE 'postgresql' CONFIG {\"connection_string\": \"postgresql://sluice@127.0.0.1:1/x\"};" >/dev/null
out=$(run "SYNC CONNECTOR tw TO DESTINATION nowhere;")
expect_contains "a server that is not there" "destination 'nowhere': cannot connect to PostgreSQL" "$out"
finish
