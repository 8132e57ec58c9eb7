# A sync killed with SIGKILL at an arbitrary moment, then run again, ends
# with exactly the source's rows: none missing, none twice. 200,000 items
# from the test API server, into the workspace (full), into the workspace
# incrementally with a sortable cursor (the re-run resumes from the mark
# committed with the last batch), and into JSONL (append; the killed run's
# uncommitted tail is dropped).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
items=200000
start_test_server "$(dirname "$sluice")/test_api_server" --token kill-token --items $items >/dev/null || exit 1
export SLUICE_SECRET_KEY=kill-tests-key SYNC_API=$TEST_SERVER_URL
ws=$dir/ws.db
q() { sqlite3 "$ws" "$1" 2>/dev/null; }

"$sluice" "$ws" "$root/examples/myservice/connector.sql" >/dev/null 2>&1 || fail "defining myservice"
"$sluice" "$ws" -c "CREATE SECRET key VALUE 'kill-token';
  CREATE CONNECTOR prod TYPE 'myservice' CONFIG {\"api_url\": ENV('SYNC_API'), \"api_key\": \"{{secrets.key}}\"}
    OPTIONS {\"batch_size\": 5000};
  CREATE CONNECTOR TYPE 'ordered' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}, \"key\": {\"type\": \"string\"}};
  CREATE CONNECTOR ENTITY 'ordered.items'
    FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true},
            \"updated_at\": {\"type\": \"timestamp\", \"sortable\": true}}
    CURSOR 'updated_at'
    QUERY_HANDLER '''async function* query(config, filters, options) {
      // The API lists items in id order, which is updated_at order here.
      let cursor = '';
      const since = options.cursor ? '&updated_since=' + options.cursor.value : '';
      do {
        const r = await fetch(config.url + '/items?limit=100&cursor=' + cursor + since,
                              {headers: {Authorization: 'Bearer ' + config.key}});
        const page = await r.json();
        yield page.items.map(i => ({id: Number(i.id), updated_at: i.updated_at}));
        cursor = page.next_cursor;
      } while (cursor);
    }''';
  CREATE CONNECTOR ord TYPE 'ordered' CONFIG {\"url\": ENV('SYNC_API'), \"key\": \"kill-token\"}
    OPTIONS {\"batch_size\": 5000};
  CREATE DESTINATION lake TYPE 'jsonl' CONFIG {\"path\": \"$dir/lake\"};" >/dev/null 2>&1 || fail "setup"

# Starts a sync in the background and SIGKILLs it once `$2` (a shell
# command) prints a number of at least `$3`.
kill_midway() {
  "$sluice" "$ws" -c "$1" >"$dir/killed.out" 2>&1 &
  local pid=$! progress=0
  for _ in $(seq 1 $((600 * slow))); do
    progress=$(eval "$2")
    [ "${progress:-0}" -ge "$3" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  if ! kill -KILL $pid 2>/dev/null; then fail "the sync ended before it could be killed ($1)"; fi
  wait $pid 2>/dev/null
  echo "killed at $progress" >&2
}

# 1. Full sync into the workspace.
kill_midway "SYNC CONNECTOR prod FULL;" "q 'SELECT count(*) FROM prod_items'" 20000
expect_eq "the killed workspace is sound" ok "$(q "PRAGMA integrity_check")"
partial=$(q "SELECT count(*) FROM prod_items")
if [ "$partial" -ge $items ] || [ "$partial" -lt 20000 ]; then fail "killed midway: $partial rows"; fi
expect_eq "committed batches are whole" 0 "$((partial % 5000))"
expect_eq "the killed run shows as running" running "$(q "SELECT status FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1")"
"$sluice" "$ws" -c "SYNC CONNECTOR prod FULL;" >/dev/null 2>&1 || fail "re-run after kill"
expect_eq "exactly the source's rows" "$items|$items" "$(q "SELECT count(*), count(DISTINCT id) FROM prod_items")"
expect_eq "the killed run is marked interrupted" "interrupted ok" \
  "$(q "SELECT group_concat(status, ' ') FROM (SELECT status FROM _sluice_sync_runs WHERE connector = 'prod' ORDER BY id)")"

# 2. Incremental with a sortable cursor: the mark moves with each batch, so
#    the re-run reads only what was not committed.
kill_midway "SYNC CONNECTOR ord;" "q 'SELECT count(*) FROM ord_items'" 30000
committed=$(q "SELECT count(*) FROM ord_items")
"$sluice" "$ws" -c "SYNC CONNECTOR ord;" >/dev/null 2>&1 || fail "incremental re-run after kill"
expect_eq "incremental: exactly the source's rows" "$items|$items|1|$items" \
  "$(q "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM ord_items")"
read_again=$(q "SELECT rows_read FROM _sluice_sync_runs WHERE connector = 'ord' ORDER BY id DESC LIMIT 1")
if [ "$read_again" -gt $((items - committed + 1)) ]; then
  fail "the re-run read $read_again rows; it should resume after the $committed committed"
fi
echo "incremental: killed with $committed committed; the re-run read $read_again rows" >&2

# 3. Append into JSONL: the killed run's tail is dropped on the next open.
kill_midway "SYNC CONNECTOR prod TO DESTINATION lake WRITE_MODE 'append';" \
  "cat $dir/lake/prod_items.jsonl 2>/dev/null | wc -l" 30000
"$sluice" "$ws" -c "SYNC CONNECTOR prod TO DESTINATION lake WRITE_MODE 'append';" >/dev/null 2>&1 || fail "jsonl re-run"
expect_eq "jsonl: every row once" "$items $items" \
  "$(wc -l <"$dir/lake/prod_items.jsonl") $(grep -o '^{"id":"[0-9]*"' "$dir/lake/prod_items.jsonl" | sort -u | wc -l)"
finish
