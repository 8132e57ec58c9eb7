# A destination plugin that hangs — in Discovery.GetVersions, in Init, or
# never answering a Write stream's end — cannot hang Sluice: each unary
# call has a deadline (CONFIG timeout_seconds), each batch's Write stream
# one too (write_timeout_seconds), and the error names the plugin (and the
# table); Ctrl-C cancels the blocked call at once and the run ends as a
# native sync's does, with status 130. The plugin is
# tests/compat/dest_recorder.mjs (real plugin-pb stubs on grpc-js) in its
# --hang-* modes.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
compat=$root/tests/compat
if [ ! -d "$compat/node_modules/@cloudquery/plugin-pb-javascript" ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
ws=$dir/ws.db
"$sluice" "$ws" -c "CREATE CONNECTOR TYPE 'gen' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'gen.items' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''async function query() { return [{id: 1}, {id: 2}]; }''';
  CREATE CONNECTOR g TYPE 'gen' CONFIG {};" >/dev/null 2>&1 || fail "defining"

# recorder MODE: a recorder hanging in MODE, listening at $dir/MODE.sock.
recorder() {
  node "$compat/dest_recorder.mjs" --address "unix:$dir/$1.sock" --out "$dir/$1.json" "--$1" >"$dir/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq $((600 * slow))); do [ -S "$dir/$1.sock" ] && [ -s "$dir/$1.json" ] && break; sleep 0.1; done
  [ -S "$dir/$1.sock" ] || { fail "the $1 recorder did not start"; cat "$dir/$1.log" >&2; }
}
# called MODE JS: what the MODE recorder recorded, as JS over `r`.
called() { node -e "const r = JSON.parse(require('fs').readFileSync('$dir/$1.json', 'utf8')); console.log($2)"; }

for mode in hang-versions hang-init hang-write; do
  recorder $mode
  # A short deadline: the call fails, naming the plugin and the deadline.
  "$sluice" "$ws" -c "CREATE DESTINATION t_${mode//-/_} TYPE 'cloudquery'
    CONFIG {\"path\": \"unix:$dir/$mode.sock\", \"timeout_seconds\": 1, \"write_timeout_seconds\": 1};" >/dev/null 2>&1 ||
    fail "$mode: defining the destination"
  out=$("$sluice" "$ws" -c "SYNC CONNECTOR g TO DESTINATION t_${mode//-/_};" 2>&1)
  expect_eq "$mode, short deadline: exit status" 1 $?
  expect_contains "$mode: names the plugin" "destination 't_${mode//-/_}' (plugin at unix:$dir/$mode.sock)" "$out"
  expect_contains "$mode: says the deadline passed" "DEADLINE_EXCEEDED" "$out"
  case $mode in
    hang-versions) expect_contains "$mode: names the call" "GetVersions failed: DEADLINE_EXCEEDED" "$out"
                   expect_contains "$mode: and the deadline" "did not answer within 1 s" "$out" ;;
    hang-init) expect_contains "$mode: names the call" "Init failed: DEADLINE_EXCEEDED" "$out"
               expect_contains "$mode: and the deadline" "did not answer within 1 s" "$out" ;;
    hang-write) expect_contains "$mode: names the table" "table 'g_items': Write (after migrate_table): DEADLINE_EXCEEDED" "$out"
                expect_contains "$mode: and the option" "within 1 s; CONFIG write_timeout_seconds sets this" "$out" ;;
  esac
  expect_eq "$mode: the run is recorded as failed" "failed" \
    "$(sqlite3 "$ws" "SELECT status FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1")"

  # Ctrl-C with deadlines far away: the blocked call is cancelled now.
  "$sluice" "$ws" -c "CREATE DESTINATION i_${mode//-/_} TYPE 'cloudquery'
    CONFIG {\"path\": \"unix:$dir/$mode.sock\", \"timeout_seconds\": 3600, \"write_timeout_seconds\": 3600};" \
    >/dev/null 2>&1 || fail "$mode: defining the destination"
  case $mode in
    hang-versions) reached="r.versions_asked" ;;
    hang-init) reached="r.init.length" ;;
    hang-write) reached="r.writes.length" ;;
  esac
  before=$(called $mode "$reached")
  # Job control: a background job of a script ignores SIGINT otherwise.
  set -m
  "$sluice" "$ws" -c "SYNC CONNECTOR g TO DESTINATION i_${mode//-/_};" >"$dir/int.out" 2>&1 &
  pid=$!
  set +m
  pids+=($pid)
  for _ in $(seq $((600 * slow))); do
    [ "$(called $mode "$reached" 2>/dev/null)" -gt "$before" ] 2>/dev/null && break
    sleep 0.1
  done
  [ "$(called $mode "$reached")" -gt "$before" ] || fail "$mode: the call never reached the plugin"
  kill -INT $pid
  # A guard against a hang, not a timing claim: far longer than any run.
  for _ in $(seq $((1200 * slow))); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  if kill -0 $pid 2>/dev/null; then
    fail "$mode: Ctrl-C did not stop the run"
    kill -9 $pid
  fi
  wait $pid
  expect_eq "$mode, Ctrl-C: exit status" 130 $?
  out=$(cat "$dir/int.out")
  expect_contains "$mode, Ctrl-C: names the plugin" "destination 'i_${mode//-/_}' (plugin at unix:$dir/$mode.sock)" "$out"
  expect_contains "$mode, Ctrl-C: says it was cancelled" "cancelled (Ctrl-C)" "$out"
  [ $mode = hang-write ] && expect_contains "$mode, Ctrl-C: names the table" "table 'g_items'" "$out"
  # As a native sync stopped by Ctrl-C: a failed run, saying why.
  expect_contains "$mode, Ctrl-C: the run is recorded as failed by Ctrl-C" "failed|" \
    "$(sqlite3 "$ws" "SELECT status || '|' || error FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1")"
  expect_contains "$mode, Ctrl-C: with the reason" "cancelled (Ctrl-C)" \
    "$(sqlite3 "$ws" "SELECT error FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1")"
done

# The CONFIG keys are checked where the destination is defined.
out=$("$sluice" "$ws" -c "CREATE DESTINATION bad TYPE 'cloudquery' CONFIG {\"path\": \"localhost:1\", \"timeout_seconds\": 0};" 2>&1)
expect_contains "a zero deadline is refused" "CONFIG timeout_seconds must be a number of seconds above 0" "$out"
finish
