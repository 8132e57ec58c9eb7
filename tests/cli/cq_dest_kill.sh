# kill -9 of a sync writing into a CloudQuery destination plugin: the
# plugin's storage and Sluice's state share no transaction, so what holds is
# (docs/cloudquery.md): the incremental mark (CONFIG state_path) is never
# ahead of what the plugin acknowledged, a killed full run never sends
# delete-stale, the killed run shows as interrupted, and the re-run sends
# whatever was not acknowledged — every row reaches the plugin. The plugin
# is tests/compat/dest_recorder.mjs (real plugin-pb stubs, grpc-js, Arrow
# JS), which records every message it got.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
compat=$root/tests/compat
if [ ! -d "$compat/node_modules/@cloudquery/plugin-pb-javascript" ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" >/dev/null || exit 1
export SYNC_API=$TEST_SERVER_URL
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
node "$compat/dest_recorder.mjs" --address "unix:$dir/rec.sock" --out "$dir/rec.json" >"$dir/rec.log" 2>&1 &
pids+=($!)
for _ in $(seq $((600 * slow))); do [ -S "$dir/rec.sock" ] && break; sleep 0.1; done
[ -S "$dir/rec.sock" ] || { fail "the recorder did not start"; cat "$dir/rec.log" >&2; finish; }
js() {
  node -e "const r = JSON.parse(require('fs').readFileSync('$dir/rec.json', 'utf8'));
    const ids = (w) => w.filter((m) => m.kind === 'insert').flatMap((m) => [m.first.id, m.last.id]);
    console.log($1)"
}
ws=$dir/ws.db
# 20 pages of 10 rows in id order (sortable: the mark may move mid-run),
# each after a slow request: time to kill mid-run.
"$sluice" "$ws" -c "CREATE CONNECTOR TYPE 'slow' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}};
  CREATE CONNECTOR ENTITY 'slow.items'
    FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true, \"sortable\": true}}
    CURSOR 'id' QUERY_HANDLER '''async function* query(config) {
      for (let page = 0; page < 20; page++) {
        await fetch(config.url + '/slow?ms=$((200 * slow))');
        yield Array.from({length: 10}, (_, i) => ({id: page * 10 + i + 1}));
      }
    }''';
  CREATE CONNECTOR s TYPE 'slow' CONFIG {\"url\": ENV('SYNC_API')} OPTIONS {\"batch_size\": 10};
  CREATE DESTINATION rec TYPE 'cloudquery'
    CONFIG {\"path\": \"unix:$dir/rec.sock\", \"state_path\": \"$dir/state.json\"};" >/dev/null 2>&1 ||
  fail "defining"

# sync_killed MODE: starts a sync, kills it -9 once the plugin has
# acknowledged three batches.
sync_killed() {
  "$sluice" "$ws" -c "SYNC CONNECTOR s TO DESTINATION rec $1;" >"$dir/killed.out" 2>&1 &
  local pid=$!
  for _ in $(seq $((1200 * slow))); do
    [ "$(js "r.writes.filter((w) => w.some((m) => m.kind === 'insert')).length" 2>/dev/null)" -ge 3 ] 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
}

sync_killed INCREMENTAL
got=$(js "Math.max(...r.writes.flatMap(ids))")
# A handler that does not promise cursor order moves the mark only at the
# end of a run: then there is none yet, and the re-run starts over.
mark=0
if [ -e "$dir/state.json" ]; then
  mark=$(node -e "const s = require('$dir/state.json'); console.log(Object.values(s)[0].cursor_value)")
fi
[ "$got" -lt 200 ] || fail "the run finished before it was killed (got $got)"
[ "$mark" -le "$got" ] || fail "the mark ($mark) is ahead of what the plugin got ($got)"
expect_eq "the killed run sent no delete-stale" 0 "$(js "r.writes.flat().filter((m) => m.kind === 'delete').length")"
before=$(js "r.writes.length")
out=$("$sluice" "$ws" -c "SYNC CONNECTOR s TO DESTINATION rec INCREMENTAL;" 2>&1)
expect_eq "the re-run: exit status" 0 $?
expect_eq "the killed run shows as interrupted" "interrupted" \
  "$(sqlite3 "$ws" "SELECT status FROM _sluice_sync_runs ORDER BY id LIMIT 1")"
expect_eq "the re-run starts after the mark" "$((mark + 1))" "$(js "Math.min(...r.writes.slice($before).flatMap(ids))")"
expect_eq "every row reached the plugin" "1 200" \
  "$(js "(() => { const s = new Set(r.writes.flat().filter((m) => m.kind === 'insert').flatMap((m) => { const a = []; for (let i = m.first.id; i <= m.last.id; i++) a.push(i); return a; })); return Math.min(...s) + ' ' + s.size; })()")"

# A killed full run never deletes; the complete one after it does, last.
rm -f "$dir/state.json"
before=$(js "r.writes.length")
sync_killed FULL
expect_eq "a killed full run sent no delete-stale" 0 "$(js "r.writes.slice($before).flat().filter((m) => m.kind === 'delete').length")"
before=$(js "r.writes.length")
out=$("$sluice" "$ws" -c "SYNC CONNECTOR s TO DESTINATION rec FULL;" 2>&1)
expect_eq "the full re-run: exit status" 0 $?
expect_eq "sends all 200 rows, then one delete-stale, last" "200 delete" \
  "$(js "r.writes.slice($before).flat().filter((m) => m.kind === 'insert').reduce((n, m) => n + m.rows, 0) + ' ' + r.writes.at(-1).at(-1).kind")"
finish
