# Issue 13, defect 5: two syncs writing the same table at once, from two
# processes, would each delete the other's rows as stale. The second one
# fails at once, naming the table and why; the first ends exact. After
# kill -9 of the holder, a new run proceeds (the OS or the server drops the
# lock with the process). SQLite (a file, and the workspace itself) and
# PostgreSQL, against a slow API.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
source "$root/tests/servers/start_postgres.bash"
start_postgres || exit 1
start_test_server "$(dirname "$sluice")/test_api_server" >/dev/null || exit 1
export SLUICE_SECRET_KEY=trust-lock-key SYNC_API=$TEST_SERVER_URL
pg() { psql "$PG_URL" -Atq -c "$1" 2>&1; }

# 20 pages of 10 rows, each after a 300 ms request (500 ms under the
# sanitizer's SLUICE_TEST_SLOW=3): 6 to 10 s a run, time enough for the
# second process to start while the first holds the table. Only the
# start-up slows down under the sanitizer, so the wait need not triple.
define() {
  "$sluice" "$1" -c "CREATE CONNECTOR TYPE 'slow' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}};
    CREATE CONNECTOR ENTITY 'slow.items' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}}
      QUERY_HANDLER '''async function* query(config) {
        for (let page = 0; page < 20; page++) {
          await fetch(config.url + '/slow?ms=$((200 + 100 * slow))');
          yield Array.from({length: 10}, (_, i) => ({id: page * 10 + i}));
        }
      }''';
    CREATE CONNECTOR s TYPE 'slow' CONFIG {\"url\": ENV('SYNC_API')} OPTIONS {\"batch_size\": 10};
    CREATE DESTINATION warehouse TYPE 'postgresql' CONFIG {\"connection_string\": \"$PG_URL\", \"schema\": \"raw\"};" \
    >/dev/null 2>&1 || fail "defining in $1"
}
define "$dir/a.db"
define "$dir/b.db"

# Waits until a sync has asked the API for its first page: it holds the table.
wait_for_first_page() {
  local tries
  for tries in $(seq 1 $((100 * slow))); do
    case $(curl -s "$TEST_SERVER_URL/requests") in *'"/slow"'*) return 0 ;; esac
    sleep 0.1
  done
  fail "the first sync never asked for a page"
}

# TARGET WORKSPACE_B COUNT_COMMAND LABEL
race() {
  local target=$1 ws_b=$2 count=$3 label=$4
  curl -s -X POST -d '' "$TEST_SERVER_URL/requests/reset" >/dev/null
  "$sluice" "$dir/a.db" -c "SYNC CONNECTOR s $target FULL;" >"$dir/first.out" 2>&1 &
  local first=$!
  wait_for_first_page
  out=$("$sluice" "$ws_b" -c "SYNC CONNECTOR s $target FULL;" 2>&1)
  expect_eq "$label: the second run fails" 1 $?
  expect_contains "$label: at once, naming the table and why" "is being written by another sync" "$out"
  expect_contains "$label: which table" "table 's_items' in " "$out"
  expect_eq "$label: the run it met is not marked interrupted" 0 \
    "$(sqlite3 "$dir/a.db" "SELECT count(*) FROM _sluice_sync_runs WHERE status = 'interrupted' AND table_name = 's_items' AND id = (SELECT max(id) FROM _sluice_sync_runs WHERE status != 'failed')")"
  wait $first
  expect_eq "$label: the first run succeeds" 0 $?
  expect_eq "$label: with every row" 200 "$($count)"
  expect_eq "$label: the second run is recorded as failed, having written nothing" "failed|0|0" \
    "$(sqlite3 "$ws_b" "SELECT status, rows_written, rows_deleted FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1")"

  # kill -9 of the holder: a new run proceeds, and ends exact.
  curl -s -X POST -d '' "$TEST_SERVER_URL/requests/reset" >/dev/null
  "$sluice" "$dir/a.db" -c "SYNC CONNECTOR s $target FULL;" >/dev/null 2>&1 &
  first=$!
  wait_for_first_page
  kill -9 $first
  wait $first 2>/dev/null
  out=$("$sluice" "$ws_b" -c "SYNC CONNECTOR s $target FULL;" 2>&1)
  expect_eq "$label: after kill -9 of the holder, a new run proceeds" 0 $?
  expect_eq "$label: and ends exact" 200 "$($count)"
}

count_file() { sqlite3 "$dir/out.db" "SELECT count(*) FROM s_items"; }
race "TO '$dir/out.db'" "$dir/b.db" count_file "SQLite file"
expect_contains "SQLite file: the error names the file" "table 's_items' in '$dir/out.db' is being written by another sync" \
  "$("$sluice" "$dir/b.db" -c "SELECT error FROM _sluice_sync_runs WHERE status = 'failed'" 2>&1)"

# The same file by another name (a symbolic link): one lock still. Each
# path had its own lock file, and both runs deleted the other's rows.
ln -s "$dir/out.db" "$dir/link.db"
curl -s -X POST -d '' "$TEST_SERVER_URL/requests/reset" >/dev/null
"$sluice" "$dir/a.db" -c "SYNC CONNECTOR s TO '$dir/out.db' FULL;" >/dev/null 2>&1 &
holder=$!
wait_for_first_page
out=$("$sluice" "$dir/b.db" -c "SYNC CONNECTOR s TO '$dir/link.db' FULL;" 2>&1)
expect_eq "through a symbolic link: the second run fails" 1 $?
expect_contains "through a symbolic link: naming the table" "table 's_items' in '$dir/link.db' is being written by another sync" "$out"
wait $holder
expect_eq "through a symbolic link: the holder ends exact" 200 "$(count_file)"

count_pg() { pg "SELECT count(*) FROM raw.s_items"; }
race "TO DESTINATION warehouse" "$dir/b.db" count_pg "PostgreSQL"

# The workspace itself: two processes on one workspace file.
count_ws() { sqlite3 "$dir/a.db" "SELECT count(*) FROM s_items"; }
race "" "$dir/a.db" count_ws "workspace"

# Defect 4 on PostgreSQL: a run failing mid-run or on its first page deletes nothing.
"$sluice" "$dir/a.db" -c "CREATE CONNECTOR TYPE 'breaks' CONFIG_SCHEMA {\"fail_at\": {\"type\": \"integer\", \"default\": -1}};
  CREATE CONNECTOR ENTITY 'breaks.rows' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''async function* query(config) {
      for (let page = 0; page < 3; page++) {
        if (page === config.fail_at) throw new ConnectorError('page ' + page + ' is broken');
        yield Array.from({length: 10}, (_, i) => ({id: page * 10 + i}));
      }
    }''';
  CREATE CONNECTOR br TYPE 'breaks' CONFIG {} OPTIONS {\"batch_size\": 10};
  SYNC CONNECTOR br TO DESTINATION warehouse FULL;" >/dev/null 2>&1
expect_eq "PostgreSQL: a good run" 30 "$(pg "SELECT count(*) FROM raw.br_rows")"
for fail_at in 1 0; do
  out=$("$sluice" "$dir/a.db" -c "ALTER CONNECTOR br SET CONFIG {\"fail_at\": $fail_at};
    SYNC CONNECTOR br TO DESTINATION warehouse FULL;" 2>&1)
  expect_contains "PostgreSQL: failing at page $fail_at fails" "ConnectorError: page $fail_at is broken" "$out"
  expect_eq "PostgreSQL: failing at page $fail_at deletes nothing" 30 "$(pg "SELECT count(*) FROM raw.br_rows")"
done

finish
