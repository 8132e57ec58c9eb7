# A hosted plugin that fails gives a clear error naming the plugin (and the
# table), and loses nothing already synced: a plugin built on the real JS SDK
# that kills itself mid-stream (tests/compat/cq_test_plugin.mjs), peers that
# are not v3 plugins (tests/compat/hostile_plugin.mjs: bytes that are not
# HTTP/2, a gRPC server answering GetVersions [2], one without discovery), an
# address nobody listens on, a record that is not Arrow IPC, CONFIG its spec schema refuses. LIMIT stops a
# long stream: the plugin sees the cancel.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -d tests/compat/node_modules/@cloudquery/plugin-sdk-javascript ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT

# serve NAME COMMAND…: runs a peer on $dir/NAME.sock and waits for it.
serve() {
  local name=$1
  shift
  "$@" > "$dir/$name.out" 2> "$dir/$name.err" &
  pids+=($!)
  for _ in $(seq $((300 * slow))); do [ -S "$dir/$name.sock" ] && return 0; sleep 0.1; done
  cat "$dir/$name.err" >&2
  fail "$name serves on $dir/$name.sock"
  return 1
}
ws=$dir/ws.db

# --- peers that are not v3 plugins ---------------------------------------
for mode in junk version2 nodiscovery; do
  serve "$mode" node tests/compat/hostile_plugin.mjs "$mode" "unix:$dir/$mode.sock"
done
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'j' FROM PLUGIN 'unix:$dir/junk.sock'" 2>&1)
expect_eq "garbage: refused" 1 $?
expect_contains "garbage: the plugin is named" "plugin at unix:$dir/junk.sock: cannot connect" "$out"
expect_contains "garbage: what is wrong" "not a gRPC server" "$out"
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'v' FROM PLUGIN 'unix:$dir/version2.sock'" 2>&1)
expect_eq "protocol 2: refused" 1 $?
expect_contains "protocol 2: said so" "plugin at unix:$dir/version2.sock speaks protocol version(s) [2], and Sluice speaks 3" "$out"
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'n' FROM PLUGIN 'unix:$dir/nodiscovery.sock'" 2>&1)
expect_eq "no discovery: refused" 1 $?
expect_contains "no discovery: an older protocol" "speaks an older protocol" "$out"
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'u' FROM PLUGIN 'unix:$dir/nobody.sock'" 2>&1)
expect_eq "nobody listens: refused" 1 $?
expect_contains "nobody listens: said so" "plugin at unix:$dir/nobody.sock: cannot connect" "$out"
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'r' FROM PLUGIN 'relative.sock'" 2>&1)
expect_eq "not an address: refused" 1 $?
expect_contains "not an address: said so" "neither 'host:port' nor 'unix:/path'" "$out"
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'l' FROM PLUGIN LOCAL '$dir/missing-plugin'" 2>&1)
expect_eq "a missing executable: refused" 1 $?
expect_contains "a missing executable: said so" "does not exist" "$out"
types=$("$sluice" -w "$ws" -f csv -c "SHOW CONNECTOR TYPES" 2>&1 | tail -n +2)
expect_eq "no type was stored" "" "$types"

# A v3 plugin whose insert is not Arrow IPC: an error, no crash.
serve badrecord node tests/compat/hostile_plugin.mjs badrecord "unix:$dir/badrecord.sock"
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'b' FROM PLUGIN 'unix:$dir/badrecord.sock';
  CREATE CONNECTOR b TYPE 'b' CONFIG {};
  SELECT * FROM b.things" 2>&1)
expect_eq "a garbage record: the query fails" 1 $?
expect_contains "naming connector, table and plugin" \
  "connector 'b', table 'things': plugin at unix:$dir/badrecord.sock: an insert after table 'things' does not decode as Arrow IPC" "$out"

# --- a plugin built on the SDK -----------------------------------------------
serve numbers node tests/compat/cq_test_plugin.mjs serve --address "unix:$dir/numbers.sock" --log-format json
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'numbers' FROM PLUGIN 'unix:$dir/numbers.sock'" 2>&1)
expect_eq "the test plugin is a type" 0 $?
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR bad TYPE 'numbers' CONFIG {\"rows\": \"many\"}" 2>&1)
expect_eq "CONFIG against the spec schema: refused" 1 $?
expect_contains "the schema's complaint" "CONFIG does not match the plugin's spec schema: /rows: Invalid type: string (expected integer)" "$out"

# LIMIT stops the stream: 3000 numbers whose notes take 20 ms each would
# stream for a minute; LIMIT 1 answers after the first and cancels the rest.
out=$("$sluice" -w "$ws" -f csv -c "CREATE CONNECTOR long TYPE 'numbers' CONFIG {\"rows\": 3000, \"slow_notes\": true};
  SELECT id FROM long.numbers LIMIT 1" 2>&1)
expect_eq "LIMIT 1 answers" "id
1" "$out"
cancelled=""
for _ in $(seq $((300 * slow))); do
  grep -q "sync cancelled by the client" "$dir/numbers.out" && { cancelled=yes; break; }
  sleep 0.1
done
expect_eq "the plugin saw the stream cancelled" yes "$cancelled"

# A plugin that dies mid-stream: rows synced before stay; the error names
# the plugin and the table.
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR c TYPE 'numbers' CONFIG {\"rows\": 10};
  SYNC CONNECTOR c TO '$dir/out.db'" 2>&1)
expect_eq "a first sync" 0 $?
expect_eq "its rows" "10 20" "$(sqlite3 "$dir/out.db" "SELECT count(*) FROM c_numbers") $(sqlite3 "$dir/out.db" "SELECT count(*) FROM c_numbers_notes")"
out=$("$sluice" -w "$ws" -c "CREATE OR REPLACE CONNECTOR c TYPE 'numbers' CONFIG {\"rows\": 10, \"crash_after\": 4};
  SYNC CONNECTOR c TO '$dir/out.db'" 2>&1)
expect_eq "the sync fails" 1 $?
expect_contains "the error names the connector, plugin and table" \
  "connector 'c': plugin at unix:$dir/numbers.sock: Sync (while reading table 'numbers') failed: UNAVAILABLE" "$out"
expect_eq "the rows synced before are all there" "10 20" "$(sqlite3 "$dir/out.db" "SELECT count(*) FROM c_numbers") $(sqlite3 "$dir/out.db" "SELECT count(*) FROM c_numbers_notes")"
out=$("$sluice" -w "$ws" -c "SELECT * FROM c.numbers" 2>&1)
expect_eq "the dead plugin: a query fails" 1 $?
expect_contains "and says who" "plugin at unix:$dir/numbers.sock" "$out"

# Names from the plugin: non-ASCII ones are names like any other; one no
# entity may have is refused, naming it.
SLUICE_TEST_EXTRA_TABLE=unicode serve unicode node tests/compat/cq_test_plugin.mjs serve --address "unix:$dir/unicode.sock" --log-format json
out=$("$sluice" -w "$ws" -f csv -c "CREATE CONNECTOR TYPE 'uni' FROM PLUGIN 'unix:$dir/unicode.sock';
  CREATE CONNECTOR uni TYPE 'uni' CONFIG {};
  SELECT größe FROM uni.zählerstände ORDER BY 1" 2>&1)
expect_eq "non-ASCII table and column names" "größe
Ærø ✓
日本語" "$out"
SLUICE_TEST_EXTRA_TABLE=badname serve badname node tests/compat/cq_test_plugin.mjs serve --address "unix:$dir/badname.sock" --log-format json
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'bad' FROM PLUGIN 'unix:$dir/badname.sock'" 2>&1)
expect_eq "a table name no entity may have: refused" 1 $?
expect_contains "naming the table and the plugin" "table name 'bad-name' contains" "$out"
expect_contains "and the plugin" "plugin at unix:$dir/badname.sock" "$out"
finish
