# What `sluice serve` and `sluice mcp` check before answering anything: a
# path with no workspace is refused (and not created), so a typo is not an
# empty workspace answering "no connectors"; and every secret value of the
# workspace is masked from the first response — here one an API echoed into
# a synced table, read by a freshly started server that has not used the
# secret yet.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" >/dev/null || exit 1
export SLUICE_SECRET_KEY=serve-workspace-tests ECHO_API=$TEST_SERVER_URL
export SLUICE_SERVE_TOKEN=serve-workspace-token-0123456789
cd "$dir"

# No workspace: refused at start, nothing created.
out=$(timeout 20 "$sluice" serve "$dir/typo.db" --listen 127.0.0.1:0 2>&1)
expect_eq "serve of a missing workspace fails" 1 $?
expect_contains "saying so" "no workspace at '$dir/typo.db'" "$out"
expect_not_contains "before listening" "listening on" "$out"
[ -e "$dir/typo.db" ] && fail "serve created the mistyped workspace"
out=$(timeout 20 "$sluice" mcp "$dir/typo.db" </dev/null 2>&1)
expect_eq "mcp of a missing workspace fails" 1 $?
expect_contains "saying so" "no workspace at" "$out"
mkdir "$dir/folder.db"
out=$(timeout 20 "$sluice" serve "$dir/folder.db" --listen 127.0.0.1:0 2>&1)
expect_eq "serve of a folder fails" 1 $?
expect_contains "saying so" "is not a workspace file" "$out"

# A key the API echoes, synced into a table by the CLI.
key=Ws9-echoed-$RANDOM$RANDOM
ws=$dir/ws.db
"$sluice" "$ws" -c "CREATE SECRET key VALUE '$key'" "$root/tests/fixtures/echoer.sql" >/dev/null 2>&1 &&
  "$sluice" "$ws" -c "SYNC CONNECTOR e" >/dev/null 2>&1 || fail "setting up"
expect_eq "the synced table holds the echo" 1 "$(sqlite3 "$ws" "SELECT count(*) FROM e_echo")"

source "$(dirname "$0")/serve_lib.bash"
trap 'stop_serves; stop_test_server; rm -rf "$dir"' EXIT
start_serve base "$ws" || { fail "sluice serve did not start"; finish; exit 1; }
answer=$(curl -s "$base/api/query?sql=SELECT%20k,%20'$key'%20AS%20literal%20FROM%20e_echo")
expect_contains "served" '"columns"' "$answer"
expect_contains "masked" "***" "$answer"
expect_not_contains "the key is not served" "$key" "$answer"

request='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT k FROM e_echo"}}}'
mcp=$(printf '%s\n' "$request" | timeout 60 "$sluice" mcp "$ws" 2>/dev/null)
expect_contains "mcp answered the query" '"id":2' "$mcp"
expect_contains "mcp masked" "***" "$mcp"
expect_not_contains "the key is not in the MCP answer" "$key" "$mcp"

# A handler's console output goes to stderr, masked; stdout stays the protocol's.
"$sluice" "$ws" -c "CREATE CONNECTOR ENTITY 'echoer.chatty' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''function query(config) { console.log('chatty-marker key=' + config.key); return [{id: 7}]; }''';" \
  >/dev/null 2>&1 || fail "defining chatty"
request='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT id FROM e.chatty"}}}'
mcp=$(printf '%s\n' "$request" | timeout 60 "$sluice" mcp "$ws" 2>"$dir/mcp.err")
expect_contains "the query answered" '"id":3' "$mcp"
expect_not_contains "console output is not on stdout" "chatty-marker" "$mcp"
expect_contains "console output is on stderr" "chatty-marker key=***" "$(cat "$dir/mcp.err")"
expect_not_contains "masked there" "$key" "$(cat "$dir/mcp.err")"
finish
