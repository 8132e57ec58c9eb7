# The MCP server with the official SDK client (tests/compat/mcp_client.mjs)
# over stdio and Streamable HTTP, read-only and with --allow-writes, through
# the myservice example connector against the test API server; then raw
# stdio with hostile lines: every stdout line is one JSON-RPC answer and the
# server goes on. The client's transcript goes to $SLUICE_MCP_TRANSCRIPT
# (default: build/mcp_transcript.md).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -d tests/compat/node_modules/@modelcontextprotocol/sdk ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
source tests/servers/start_test_server.bash
key=mcp-api-key-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$key" >/dev/null || exit 1
export SLUICE_SECRET_KEY=mcp-tests-key MCP_API=$TEST_SERVER_URL
export SLUICE_SERVE_TOKEN=mcp-serve-token-$RANDOM$RANDOM$RANDOM
export SLUICE_MCP_TRANSCRIPT=${SLUICE_MCP_TRANSCRIPT:-$(dirname "$sluice")/mcp_transcript.md}
ws=$dir/ws.db

"$sluice" "$ws" examples/myservice/connector.sql >/dev/null 2>&1 || fail "defining myservice"
"$sluice" "$ws" -c "CREATE SECRET api_key VALUE '$key';
  CREATE CONNECTOR prod TYPE 'myservice' CONFIG {\"api_url\": ENV('MCP_API'), \"api_key\": \"{{secrets.api_key}}\"}" \
  >/dev/null || fail "creating the connector"

if ! node tests/compat/mcp_client.mjs "$sluice" "$ws" prod "$key"; then
  fail "the SDK client's checks (above)"
fi
[ -s "$SLUICE_MCP_TRANSCRIPT" ] || fail "a transcript at $SLUICE_MCP_TRANSCRIPT"

# Raw stdio: hostile lines between good ones. Each answer is one line of
# JSON-RPC; nothing else reaches stdout; the server outlives every line and
# exits 0 when stdin closes.
{
  echo '{"jsonrpc":"2.0","id":1,"method":"ping"}'
  echo 'not json'
  head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'x'; echo
  printf '%*s' 200000 '' | tr ' ' '['; echo
  printf '{"jsonrpc":"2.0","id":"\xff","method":"ping"}\n'
  echo '[]'
  echo '[{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}]'
  echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT 1 AS one"}}}'
  echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"run_sync","arguments":{"connector":"prod"}}}'
  printf '{"jsonrpc":"2.0","id":5,"method":"ping"}'  # no newline before EOF
} | "$sluice" mcp "$ws" >"$dir/raw.out" 2>"$dir/raw.err"
expect_eq "raw stdio exits 0 at EOF" 0 "$?"
summary=$(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l !== "");
  console.log(lines.map(l => { const m = JSON.parse(l); const one = Array.isArray(m) ? m.map(x => x.id).join("+") : m.id;
                               const code = Array.isArray(m) ? "" : (m.error ? m.error.code : (m.result.isError === false ? "ok" : "r"));
                               return `${one}:${code}`; }).join(" "));' "$dir/raw.out" 2>&1)
expect_eq "one JSON-RPC answer per line, in order" \
  "1:r null:-32700 null:-32700 null:-32700 null:-32700 null:-32600 2: 3:ok 4:-32602 5:r" "$summary"
expect_contains "the over-long line is named" "longer than 16 MiB" "$(cat "$dir/raw.out")"
expect_contains "logs go to stderr" "sluice mcp: serving workspace" "$(cat "$dir/raw.err")"
expect_not_contains "the API key never leaves" "$key" "$(cat "$dir/raw.out" "$dir/raw.err")"

# A workspace that cannot be opened: a message on stderr, exit 1, stdout empty.
mkdir -p "$dir/not-a-file.db"
"$sluice" mcp "$dir/not-a-file.db" </dev/null >"$dir/bad.out" 2>"$dir/bad.err"
expect_eq "an unopenable workspace exits 1" 1 "$?"
expect_eq "and writes nothing on stdout" "" "$(cat "$dir/bad.out")"
expect_contains "and says why" "cannot open the workspace" "$(cat "$dir/bad.err")"
finish
