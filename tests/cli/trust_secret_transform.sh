# A secret that an API echoes into a row is masked before the row reaches
# SQLite, so no SQL can carry it out: masking only the printed result would
# miss hex(), upper(), replace(), substr() pieces or unicode() codes of it,
# which the CLI, `sluice serve`'s /api/query and the MCP query tool all
# print. The echoing API is the test API server's /echo, which returns the
# Authorization header the handler sent.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" >/dev/null || exit 1
export SLUICE_SECRET_KEY=secret-transform-tests ECHO_API=$TEST_SERVER_URL
key=Zq7-echoed-key-$RANDOM$RANDOM
ws=$dir/ws.db
"$sluice" "$ws" -c "CREATE SECRET key VALUE '$key'" "$root/tests/fixtures/echoer.sql" >/dev/null 2>&1 ||
  fail "setting up"

hex_key=$(printf '%s' "$key" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
upper_key=$(printf '%s' "$key" | tr a-z A-Z)
codes=$(printf '%s' "$key" | od -An -tu1 | tr -s ' ' '\n' | sed '/^$/d' | paste -sd, -)
out=$("$sluice" "$ws" -f csv -c "SELECT k, hex(k) AS h, upper(k) AS u, replace(k, '-', '_') AS r,
         substr(k, 1, 6) AS head, substr(k, 7) AS tail, hex(json_extract(_raw, '\$.extra')) AS raw_hex,
         (WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < length(k))
          SELECT group_concat(unicode(substr(k, n, 1))) FROM i) AS codes
       FROM e.echo" 2>&1)
expect_eq "the query runs" 0 $?
expect_contains "the echoed key is masked" "***" "$out"
for form in "$key" "$hex_key" "$upper_key" "${key//-/_}" "$codes"; do
  expect_not_contains "no form of the key" "$form" "$out"
done
# The pieces: the key's first six and the rest, each a give-away.
expect_not_contains "no head of the key" "${key:0:6},${key:6}" "$out"
finish
