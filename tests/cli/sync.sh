# SYNC CONNECTOR against the test API server into real SQLite files, JSONL
# and CSV: full, incremental with changed and new rows, delete-stale,
# schema growth, type-change refusal and FORCE, WHERE pushdown, child
# entities, tables without a primary key, a handler failing mid-sync, bad
# destinations, progress lines off a terminal, and SHOW SYNC RUNS.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" --token sync-token >/dev/null || exit 1
export SLUICE_SECRET_KEY=sync-tests-key SYNC_API=$TEST_SERVER_URL
ws=$dir/ws.db
# Writes carry a body, empty by default: the server requires Content-Length.
api() {
  local auth="Authorization: Bearer sync-token"
  if [ "$1" = GET ]; then curl -s -H "$auth" "$TEST_SERVER_URL$2"; return; fi
  curl -s -X "$1" -H "$auth" -H 'Content-Type: application/json' -d "${3-}" "$TEST_SERVER_URL$2"
}
q() { sqlite3 "${2:-$ws}" "$1"; }
run() { "$sluice" "$ws" -c "$1" 2>&1; }

"$sluice" "$ws" "$root/examples/myservice/connector.sql" >/dev/null 2>&1 || fail "defining myservice"
run "CREATE SECRET key VALUE 'sync-token';
     CREATE CONNECTOR prod TYPE 'myservice' CONFIG {\"api_url\": ENV('SYNC_API'), \"api_key\": \"{{secrets.key}}\"}
       OPTIONS {\"batch_size\": 10};" >/dev/null

# Full sync into the workspace.
out=$(run "SYNC CONNECTOR prod FULL;")
expect_eq "full sync exit" 0 $?
expect_contains "summary names the table" "prod_items | full | overwrite-delete-stale |        25 |           25" "$out"
expect_eq "every row" "25|25|prod" "$(q "SELECT count(*), count(DISTINCT id), group_concat(DISTINCT _sluice_source) FROM prod_items")"
expect_eq "columns from FIELDS" "id:TEXT:1 name:TEXT:0 status:TEXT:0 created_at:TEXT:0 updated_at:TEXT:0 metadata:TEXT:0 _sluice_source:TEXT:0 _sluice_synced_at:TEXT:0" \
  "$(q "SELECT group_concat(name || ':' || type || ':' || pk, ' ') FROM pragma_table_info('prod_items')")"
expect_eq "documents stored as JSON" '{"rank":7}' "$(q "SELECT metadata FROM prod_items WHERE id = '7'")"
expect_eq "cursor kept with the rows" '"2026-01-02T00:00:00Z"' \
  "$(q "SELECT cursor_value FROM _sluice_sync_state WHERE connector = 'prod' AND entity = 'items'")"
expect_eq "one synced_at per run" 1 "$(q "SELECT count(DISTINCT _sluice_synced_at) FROM prod_items")"

# Incremental: one row changed, one new; the handler is asked only for what
# changed since the mark, and the row at the mark is not written again.
api PATCH /items/3 '{"name": "changed three"}' >/dev/null
api POST /items '{"name": "brand new"}' >/dev/null
api POST /requests/reset >/dev/null
out=$(run "SYNC CONNECTOR prod;")
expect_eq "incremental exit" 0 $?
expect_contains "incremental is the default with a CURSOR" "| incremental | overwrite  |         3 |            2 |" "$out"
expect_contains "the mark went to the API" "updated_since=2026-01-02T00%3A00%3A00Z" "$(api GET /requests)"
expect_eq "changed row updated" "changed three" "$(q "SELECT name FROM prod_items WHERE id = '3'")"
expect_eq "new row added, nothing doubled" "26|26" "$(q "SELECT count(*), count(DISTINCT id) FROM prod_items")"
out=$(run "SYNC CONNECTOR prod;")
expect_contains "a repeat writes nothing" "| incremental | overwrite  |         1 |            0 |" "$out"

# Delete-stale: a full run removes what the source no longer has.
api DELETE /items/5 >/dev/null
out=$(run "SYNC CONNECTOR prod FULL;")
expect_contains "one stale row deleted" "|        25 |           25 |            1 |" "$out"
expect_eq "row 5 gone" "25|0" "$(q "SELECT count(*), count(*) FILTER (WHERE id = '5') FROM prod_items")"

# Runs are on record.
out=$("$sluice" "$ws" --format csv -c "SELECT mode, write_mode, rows_read, rows_written, rows_deleted, status FROM _sluice_sync_runs ORDER BY id")
expect_eq "sync runs" "mode,write_mode,rows_read,rows_written,rows_deleted,status
full,overwrite-delete-stale,25,25,0,ok
incremental,overwrite,3,2,0,ok
incremental,overwrite,1,0,0,ok
full,overwrite-delete-stale,25,25,1,ok" "$out"
expect_contains "SHOW SYNC RUNS" "prod_items | full" "$(run "SHOW SYNC RUNS FOR prod;")"

# Progress off a terminal: plain lines, one per committed batch.
expect_contains "progress lines" "sync prod.items: 10 rows written, 1 batches" "$(run "SYNC CONNECTOR prod FULL;")"

# WHERE is pushed down like a SELECT's, and applied by the engine too.
api POST /requests/reset >/dev/null
out=$(run "SYNC CONNECTOR prod TO '$dir/active.db' FULL WHERE status = 'active' AND name != 'item 9';")
expect_eq "sync to another file" 0 $?
expect_eq "only the rows WHERE keeps" "12|active" "$(q "SELECT count(*), group_concat(DISTINCT status) FROM prod_items" "$dir/active.db")"
expect_contains "status went to the API" "status=active" "$(api GET /requests)"
expect_eq "the file keeps its own state" 1 "$(q "SELECT count(*) FROM _sluice_sync_state" "$dir/active.db")"

# Schema growth: a new field adds a column, keeping the rows.
run "CREATE OR REPLACE CONNECTOR ENTITY 'myservice.items'
  FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true, \"filterable\": true}, \"name\": {\"type\": \"string\"},
          \"status\": {\"type\": \"string\", \"filterable\": true}, \"created_at\": {\"type\": \"timestamp\"},
          \"updated_at\": {\"type\": \"timestamp\"}, \"metadata\": {\"type\": \"document\"},
          \"rank\": {\"type\": \"integer\"}}
  CURSOR 'updated_at'
  QUERY_HANDLER '''async function* query(config) {
    const r = await fetch(config.api_url + '/items?limit=100', {headers: {Authorization: 'Bearer ' + config.api_key}});
    yield (await r.json()).items.map(i => ({...i, metadata: i.extra, rank: i.extra.rank}));
  }''';" >/dev/null
out=$(run "SYNC CONNECTOR prod FULL;")
expect_contains "migration reported" "ok (table added columns rank)" "$out"
expect_eq "the new column is filled" "INTEGER|7" "$(q "SELECT (SELECT type FROM pragma_table_info('prod_items') WHERE name = 'rank'), rank FROM prod_items WHERE id = '7'")"

# A changed type is refused, and the table stays as it was; FORCE remakes it.
run "CREATE OR REPLACE CONNECTOR ENTITY 'myservice.items'
  FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"name\": {\"type\": \"string\"}}
  QUERY_HANDLER '''async function query(config) {
    const r = await fetch(config.api_url + '/items?limit=100', {headers: {Authorization: 'Bearer ' + config.api_key}});
    return (await r.json()).items;
  }''';" >/dev/null
before=$(q "SELECT count(*) FROM prod_items")
out=$(run "SYNC CONNECTOR prod;")
expect_eq "type change fails" 1 $?
expect_contains "and says which column" "table 'prod_items': column 'id' is TEXT but field 'id' (integer) needs INTEGER; add FORCE" "$out"
expect_eq "rows untouched" "$before" "$(q "SELECT count(*) FROM prod_items")"
out=$(run "SYNC CONNECTOR prod FORCE;")
expect_eq "FORCE recreates" 0 $?
expect_eq "with the new types" "id:INTEGER name:TEXT _sluice_source:TEXT _sluice_synced_at:TEXT" \
  "$(q "SELECT group_concat(name || ':' || type, ' ') FROM pragma_table_info('prod_items')")"
expect_eq "and the rows" "25" "$(q "SELECT count(*) FROM prod_items")"

# A handler failing mid-sync: the batches before it stay, nothing is deleted
# as stale, the run is recorded as failed, and the other entity still syncs.
run "CREATE CONNECTOR TYPE 'flaky' CONFIG_SCHEMA {\"tag\": {\"type\": \"string\"}, \"fail_at\": {\"type\": \"integer\", \"default\": -1}};
  CREATE CONNECTOR ENTITY 'flaky.pages' FIELDS {\"n\": {\"type\": \"integer\", \"primary_key\": true}, \"tag\": {\"type\": \"string\"}}
    QUERY_HANDLER '''async function* query(config) {
      for (let page = 0; page < 5; page++) {
        if (page === config.fail_at) throw new ConnectorError('page ' + page + ' is broken');
        yield Array.from({length: 10}, (_, i) => ({n: page * 10 + i, tag: config.tag}));
      }
    }''';
  CREATE CONNECTOR ENTITY 'flaky.other' FIELDS {\"k\": {\"type\": \"string\"}}
    QUERY_HANDLER '''async function query() { return [{k: 'a'}, {k: 'b'}]; }''';
  CREATE CONNECTOR f TYPE 'flaky' CONFIG {\"tag\": \"first\"} OPTIONS {\"batch_size\": 10};" >/dev/null
out=$(run "SYNC CONNECTOR f FULL;")
expect_eq "a good run" "50|first" "$(q "SELECT count(*), group_concat(DISTINCT tag) FROM f_pages")"
run "ALTER CONNECTOR f SET CONFIG {\"tag\": \"second\", \"fail_at\": 3};" >/dev/null
out=$(run "SYNC CONNECTOR f FULL;")
expect_eq "a failing entity fails the statement" 1 $?
expect_contains "naming the cause" "ConnectorError: page 3 is broken" "$out"
expect_eq "committed batches stay, the rest is as it was" "30|second 20|first" \
  "$(q "SELECT count(*) || '|' || tag FROM f_pages GROUP BY tag ORDER BY tag DESC" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the other entity finished" 2 "$(q "SELECT count(*) FROM f_other")"
expect_eq "the run is recorded as failed" "failed|30|ConnectorError" \
  "$(q "SELECT status, rows_written, CASE WHEN error LIKE '%ConnectorError: page 3 is broken%' THEN 'ConnectorError' END FROM _sluice_sync_runs WHERE connector = 'f' AND entity = 'pages' ORDER BY id DESC LIMIT 1")"
run "ALTER CONNECTOR f SET CONFIG {\"tag\": \"third\", \"fail_at\": -1};" >/dev/null
run "SYNC CONNECTOR f FULL;" >/dev/null
expect_eq "a good re-run ends exact" "50|third" "$(q "SELECT count(*), group_concat(DISTINCT tag) FROM f_pages")"

# Entities without a primary key: append, or full replacement; no upsert.
out=$(run "SYNC CONNECTOR f.other WRITE_MODE 'overwrite';")
expect_contains "overwrite without a key is refused" "has no primary key, so 'overwrite' cannot upsert" "$out"
run "SYNC CONNECTOR f.other WRITE_MODE 'append';" >/dev/null
expect_eq "append adds" 4 "$(q "SELECT count(*) FROM f_other")"
run "SYNC CONNECTOR f.other FULL;" >/dev/null
expect_eq "full replaces" 2 "$(q "SELECT count(*) FROM f_other")"
out=$(run "SYNC CONNECTOR f.other INCREMENTAL;")
expect_contains "incremental needs a cursor" "entity 'other' has no CURSOR: write INCREMENTAL ON field, or FULL" "$out"

# Child entities sync after their parents, a call per parent row.
run "CREATE CONNECTOR TYPE 'tree' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'tree.trunks' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''async function query() { return [{id: 1}, {id: 2}, {id: 3}]; }''';
  CREATE CONNECTOR ENTITY 'tree.leaves' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}, \"trunk\": {\"type\": \"integer\"}}
    PARENT 'tree.trunks'
    QUERY_HANDLER '''async function query(config, filters, options, parent) {
      return [{id: parent.id + '.a', trunk: parent.id}, {id: parent.id + '.b', trunk: parent.id}];
    }''';
  CREATE CONNECTOR t TYPE 'tree' CONFIG {};" >/dev/null
out=$(run "SYNC CONNECTOR t;")
expect_eq "children sync" 0 $?
expect_eq "parents first" "trunks leaves" "$(q "SELECT group_concat(entity, ' ') FROM (SELECT entity FROM _sluice_sync_runs WHERE connector = 't' ORDER BY id)")"
expect_eq "a row per child with its parent" "6|3|{\"id\":2}" \
  "$(q "SELECT count(*), count(DISTINCT trunk), (SELECT _parent FROM t_leaves WHERE id = '2.a') FROM t_leaves")"

# JSONL and CSV: a file per entity; appends keep what was committed.
run "CREATE DESTINATION lake TYPE 'jsonl' CONFIG {\"path\": \"$dir/lake\"};
     CREATE DESTINATION sheets TYPE 'csv' CONFIG {\"path\": \"$dir/sheets\"};" >/dev/null
run "SYNC CONNECTOR f.pages TO DESTINATION lake FULL;" >/dev/null
expect_eq "jsonl rows" 50 "$(wc -l <"$dir/lake/f_pages.jsonl")"
expect_eq "jsonl row" '{"n":7,"tag":"third","_sluice_source":"f"' "$(sed -n 8p "$dir/lake/f_pages.jsonl" | cut -d, -f1-3)"
run "SYNC CONNECTOR f.pages TO DESTINATION lake FULL;" >/dev/null
expect_eq "a full run replaces the file" 50 "$(wc -l <"$dir/lake/f_pages.jsonl")"
# WHERE never replaces the file (issue 13): the rows it leaves out stay.
run "SYNC CONNECTOR f.pages TO DESTINATION lake FULL WHERE n < 40;" >/dev/null
expect_eq "a filtered run appends, deleting nothing" "90|0" \
  "$(wc -l <"$dir/lake/f_pages.jsonl")|$(q "SELECT rows_deleted FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1")"
run "SYNC CONNECTOR f.pages TO DESTINATION lake FULL;" >/dev/null
run "SYNC CONNECTOR f.pages TO DESTINATION lake WRITE_MODE 'append';" >/dev/null
expect_eq "append adds to it" 100 "$(wc -l <"$dir/lake/f_pages.jsonl")"
out=$(run "SYNC CONNECTOR f.pages TO DESTINATION lake WRITE_MODE 'overwrite';")
expect_contains "files cannot upsert" "a file destination cannot update rows in place" "$out"
run "SYNC CONNECTOR f.pages TO DESTINATION sheets FULL;" >/dev/null
expect_eq "csv header and rows" "n,tag,_sluice_source,_sluice_synced_at|51" \
  "$(head -1 "$dir/sheets/f_pages.csv")|$(wc -l <"$dir/sheets/f_pages.csv")"
run "ALTER CONNECTOR f SET CONFIG {\"tag\": \"fourth\", \"fail_at\": 2};" >/dev/null
run "SYNC CONNECTOR f.pages TO DESTINATION sheets FULL;" >/dev/null
expect_eq "a failed full run leaves the file whole" "51|third" \
  "$(wc -l <"$dir/sheets/f_pages.csv")|$(sed -n 2p "$dir/sheets/f_pages.csv" | cut -d, -f2)"
if [ -e "$dir/sheets/f_pages.csv.partial" ]; then fail "a failed run left its partial file"; fi

# Entities sync at once (OPTIONS.concurrency): their requests overlap on the
# one event loop. The server counts the requests in flight together.
run "CREATE CONNECTOR TYPE 'slow' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}};
  CREATE CONNECTOR ENTITY 'slow.a' FIELDS {\"n\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''async function* query(config) {
      for (let n = 0; n < 3; n++) { await fetch(config.url + '/inflight/hold?ms=150'); yield [{n}]; }
    }''';
  CREATE CONNECTOR ENTITY 'slow.b' FIELDS {\"n\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''async function* query(config) {
      for (let n = 0; n < 3; n++) { await fetch(config.url + '/inflight/hold?ms=150'); yield [{n}]; }
    }''';
  CREATE CONNECTOR s TYPE 'slow' CONFIG {\"url\": ENV('SYNC_API')};" >/dev/null
api POST /inflight/reset >/dev/null
out=$(run "SYNC CONNECTOR s FULL;")
expect_eq "both entities synced" "3|3" "$(q "SELECT (SELECT count(*) FROM s_a), (SELECT count(*) FROM s_b)")"
expect_eq "their requests were in flight together" '{"max":2}' "$(api GET /inflight/max)"
run "ALTER CONNECTOR s SET OPTIONS {\"concurrency\": 1};" >/dev/null
api POST /inflight/reset >/dev/null
run "SYNC CONNECTOR s FULL;" >/dev/null
expect_eq "concurrency 1: one at a time" '{"max":1}' "$(api GET /inflight/max)"

# SCHEDULE stores the statement; `sluice scheduler` runs it when due, once a minute.
runs() { q "SELECT count(*) FROM _sluice_sync_runs WHERE connector = 'f' AND entity = 'other'"; }
before=$(runs)
out=$(run "SYNC CONNECTOR f.other FULL SCHEDULE '* * * * *';")
expect_contains "SCHEDULE stores" "scheduled '* * * * *' (UTC)" "$out"
expect_eq "and does not run now" "$before" "$(runs)"
expect_contains "a bad schedule is refused" "a cron schedule has 5 fields" "$(run "SYNC CONNECTOR f SCHEDULE 'hourly';")"
minute=$(date -u +%M)
out=$("$sluice" scheduler "$ws" --once 2>&1)
expect_eq "scheduler --once" 0 $?
expect_contains "it says what it runs" "running schedule 1: SYNC CONNECTOR f.other FULL SCHEDULE '* * * * *';" "$out"
expect_eq "the due sync ran" "$((before + 1))" "$(runs)"
"$sluice" scheduler "$ws" --once >/dev/null 2>&1
if [ "$(date -u +%M)" = "$minute" ]; then expect_eq "at most once a minute" "$((before + 1))" "$(runs)"; fi
"$sluice" scheduler "$ws" >"$dir/scheduler.out" 2>&1 &
scheduler_pid=$!
sleep "$slow"
kill -TERM $scheduler_pid
wait $scheduler_pid
expect_eq "the scheduler stops on SIGTERM" 0 $?
expect_contains "saying so" "scheduler: stopped" "$(cat "$dir/scheduler.out")"

# The table name is configurable (OPTIONS.sync_table).
run "CREATE CONNECTOR named TYPE 'flaky' CONFIG {\"tag\": \"n\"} OPTIONS {\"sync_table\": \"raw_{entity}_from_{connector}\"};" >/dev/null
run "SYNC CONNECTOR named.pages TO '$dir/named.db' FULL;" >/dev/null
expect_eq "sync_table names the table" 50 "$(q "SELECT count(*) FROM raw_pages_from_named" "$dir/named.db")"
expect_contains "a name without {entity} is refused" "must be text naming {entity}" \
  "$(run "ALTER CONNECTOR named SET OPTIONS {\"sync_table\": \"same_for_all\"};")"

# WHERE into the workspace: the rows are read through SQLite on the
# connection the writer thread commits on.
run "ALTER CONNECTOR f SET OPTIONS {\"batch_size\": 7};
     ALTER CONNECTOR f SET CONFIG {\"tag\": \"fifth\", \"fail_at\": -1};" >/dev/null
run "SYNC CONNECTOR f.pages FULL WHERE n % 2 = 0;" >/dev/null
expect_eq "WHERE into the workspace, in batches (the rows it leaves out stay)" "50|25|25|4" \
  "$(q "SELECT count(*), sum(n % 2) FROM f_pages")|$(q "SELECT rows_written FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1")|$(run "SYNC CONNECTOR f.pages FULL WHERE n % 2 = 0;" | grep -c "rows written")"

# Bad destinations and names.
expect_contains "unknown connector" "connector 'nope'" "$(run "SYNC CONNECTOR nope;")"
expect_contains "unknown entity" "has no entity 'nope'" "$(run "SYNC CONNECTOR prod.nope;")"
expect_contains "unwritable file" "$dir/no/such/folder/x.db" "$(run "SYNC CONNECTOR f TO '$dir/no/such/folder/x.db';")"
expect_contains "unknown destination" "destination 'nowhere'" "$(run "SYNC CONNECTOR f TO DESTINATION nowhere;")"
expect_not_contains "the key never shows" "sync-token" "$(run "SHOW SYNC RUNS;")"
# A handler that puts the key in its error: masked in the run's record too.
run "CREATE CONNECTOR TYPE 'leaky' CONFIG_SCHEMA {\"key\": {\"type\": \"string\", \"secret\": true}};
  CREATE CONNECTOR ENTITY 'leaky.rows' FIELDS {\"k\": {\"type\": \"integer\"}}
    QUERY_HANDLER 'async function query(config) { throw new ConnectorError(\"refused key \" + config.key); }';
  CREATE CONNECTOR leaky TYPE 'leaky' CONFIG {\"key\": \"{{secrets.key}}\"};
  SYNC CONNECTOR leaky;" >/dev/null
expect_eq "the error is recorded, the key masked" "refused key ***" \
  "$(q "SELECT CASE WHEN error LIKE '%refused key ***%' THEN 'refused key ***' ELSE error END FROM _sluice_sync_runs WHERE connector = 'leaky'")"
if grep -q sync-token "$ws"; then fail "the key is in the workspace file"; fi
expect_eq "the workspace is sound" ok "$(q "PRAGMA integrity_check")"
finish
