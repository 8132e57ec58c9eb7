# /api/query of `sluice serve` with curl, over the myservice example
# connector against the test API server: the JSON shapes (objects and
# arrays), NDJSON lines, truncation and the caps, error JSON (parse error,
# unknown table, writes refused) with their status codes, hostile sql
# parameters (invalid UTF-8, NUL, 1 MB) answered with clean JSON while the
# server keeps serving, and a secret's value never in a response.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
key=serve-query-key-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$key" >/dev/null || exit 1
export SLUICE_SECRET_KEY=serve-query-tests SVC_API=$TEST_SERVER_URL
export SLUICE_SERVE_TOKEN=serve-query-token-0123456789
ws=$dir/ws.db
run() { "$sluice" "$ws" -c "$1" 2>&1; }

"$sluice" "$ws" "$root/examples/myservice/connector.sql" >/dev/null 2>&1 || fail "defining myservice"
run "CREATE SECRET key VALUE '$key';
     CREATE CONNECTOR svc TYPE 'myservice' CONFIG {\"api_url\": ENV('SVC_API'), \"api_key\": \"{{secrets.key}}\"};
     CREATE TABLE colours (id INTEGER PRIMARY KEY, name TEXT);
     INSERT INTO colours (name) VALUES ('red'), ('green'), ('blue');" >/dev/null
# A connector whose rows and errors carry the key: what the API echoes back
# (the Authorization header it got), and a handler that puts it in its error.
run "CREATE CONNECTOR TYPE 'probe' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}, \"key\": {\"type\": \"string\", \"secret\": true}};
  CREATE CONNECTOR ENTITY 'probe.echo' FIELDS {\"auth\": {\"type\": \"string\"}}
    QUERY_HANDLER '''async function query(config) {
      const response = await fetch(config.url + '/echo', {headers: {Authorization: 'Bearer ' + config.key}});
      const echoed = await response.json();
      return [{auth: echoed.headers.authorization}];
    }''';
  CREATE CONNECTOR ENTITY 'probe.leak' FIELDS {\"k\": {\"type\": \"integer\"}}
    QUERY_HANDLER 'async function query(config) { throw new ConnectorError(\"refused key \" + config.key); }';
  CREATE CONNECTOR p TYPE 'probe' CONFIG {\"url\": ENV('SVC_API'), \"key\": \"{{secrets.key}}\"};" >/dev/null

source "$(dirname "$0")/serve_lib.bash"
trap 'stop_serves; stop_test_server; rm -rf "$dir"' EXIT
start_serve base "$ws" --max-rows 50 --query-timeout-ms 20000 || { fail "sluice serve did not start"; finish; }

# get PATH-AND-QUERY: prints the body, then the status on a last line.
get() { curl -s -w '\n%{http_code}' "$base$1"; }
post() { curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' --data-binary "$1" "$base/api/query"; }
q() { get "/api/query?$1"; }
body() { printf '%s\n' "$1" | sed '$d'; }
code() { printf '%s\n' "$1" | tail -n 1; }

# Objects, the default.
out=$(q "sql=SELECT%20id%2C%20name%20FROM%20colours%20ORDER%20BY%20id")
expect_eq "objects: status" 200 "$(code "$out")"
expect_eq "objects: shape" '{"columns":["id","name"],"rows":[{"id":1,"name":"red"},{"id":2,"name":"green"},{"id":3,"name":"blue"}],"truncated":false,"row_count":3}' \
  "$(body "$out" | jq -c 'del(.elapsed_ms)')"
expect_eq "elapsed_ms is a number" number "$(body "$out" | jq -r '.elapsed_ms | type')"
expect_eq "JSON content type" "application/json; charset=utf-8" \
  "$(curl -s -o /dev/null -w '%{content_type}' "$base/api/query?sql=VALUES(1)")"

# Arrays, over the live entity (the handler calls the API).
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=SELECT id, status FROM svc.items WHERE status = 'archived' ORDER BY CAST(id AS INTEGER) LIMIT 3" -d _shape=arrays)
expect_eq "arrays over a live entity" '{"columns":["id","status"],"rows":[["2","archived"],["4","archived"],["6","archived"]],"truncated":false,"row_count":3}' \
  "$(printf '%s' "$out" | jq -c 'del(.elapsed_ms)')"

# EXPLAIN alongside the rows.
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=SELECT id FROM svc.items WHERE status = 'active' LIMIT 2" -d _explain=on)
expect_eq "explain: rows" 2 "$(printf '%s' "$out" | jq '.rows | length')"
expect_contains "explain: the handler is asked for status" "filters: status" "$(printf '%s' "$out" | jq -r '.explain[0].asked')"
expect_contains "explain: the step names the live table" "SCAN items" "$(printf '%s' "$out" | jq -r '.explain[0].step')"

# POST with a JSON body.
out=$(post '{"sql": "SELECT name FROM colours WHERE id = 2", "_shape": "arrays"}')
expect_eq "POST" '200 [["green"]]' "$(code "$out") $(body "$out" | jq -c .rows)"
out=$(post '{"sql": "SELECT name FROM colours", "_rows": 1}')
expect_eq "POST with a numeric _rows" 'true 1' "$(body "$out" | jq -r '"\(.truncated) \(.row_count)"')"

# NDJSON: one row per line, no envelope.
out=$(curl -s -D "$dir/headers" "$base/api/query?sql=SELECT%20id%2C%20name%20FROM%20colours%20ORDER%20BY%20id&_nl=on")
expect_eq "NDJSON lines" '{"id":1,"name":"red"}
{"id":2,"name":"green"}
{"id":3,"name":"blue"}' "$out"
expect_contains "NDJSON content type" "application/x-ndjson" "$(cat "$dir/headers")"
expect_contains "NDJSON is chunked" "Transfer-Encoding: chunked" "$(cat "$dir/headers")"
out=$(curl -s "$base/api/query?sql=SELECT%20name%20FROM%20colours%20ORDER%20BY%20id&_nl=on&_shape=arrays&_rows=2")
expect_eq "NDJSON arrays, truncated" '["red"]
["green"]
{"_truncated":true}' "$out"
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=SELECT id FROM svc.items" -d _nl=on)
expect_eq "NDJSON over a live entity: 25 rows" 25 "$(printf '%s\n' "$out" | grep -c '"id"')"

# Truncation and caps.
out=$(q "sql=SELECT%20name%20FROM%20colours&_rows=2")
expect_eq "truncated at _rows" 'true 2 2' "$(body "$out" | jq -r '"\(.truncated) \(.row_count) \(.rows | length)"')"
out=$(q "sql=SELECT%20name%20FROM%20colours&_rows=3")
expect_eq "exactly _rows is not truncated" 'false 3' "$(body "$out" | jq -r '"\(.truncated) \(.row_count)"')"
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=SELECT id FROM svc.items")
expect_eq "the server's --max-rows is the default when smaller than 1000" 'false 25' "$(printf '%s' "$out" | jq -r '"\(.truncated) \(.row_count)"')"
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n")
expect_eq "an endless query stops at the row cap" 'true 50' "$(printf '%s' "$out" | jq -r '"\(.truncated) \(.row_count)"')"
out=$(q "sql=SELECT%201&_rows=51")
expect_eq "_rows above --max-rows: 400" 400 "$(code "$out")"
expect_eq "… invalid_argument naming the cap" "invalid_argument" "$(body "$out" | jq -r .error.kind)"
expect_contains "… the message names the limit" "at most 50" "$(body "$out" | jq -r .error.message)"
expect_eq "_rows not a number" 400 "$(code "$(q "sql=SELECT%201&_rows=lots")")"
expect_eq "_rows negative" 400 "$(code "$(q "sql=SELECT%201&_rows=-1")")"
out=$(q "sql=SELECT%201&_timeout_ms=20001")
expect_eq "_timeout_ms above --query-timeout-ms: 400" "400 at most 20000" "$(code "$out") $(body "$out" | jq -r .error.message | grep -o 'at most [0-9]*')"
expect_eq "_shape unknown" 400 "$(code "$(q "sql=SELECT%201&_shape=table")")"
expect_eq "no sql" 400 "$(code "$(get "/api/query")")"
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n" -d _timeout_ms=300 -w '\n%{http_code}')
expect_eq "a query past _timeout_ms: 504 timeout_error" "504 timeout_error" "$(code "$out") $(body "$out" | jq -r .error.kind)"
expect_contains "… naming the limit" "300 ms" "$(body "$out" | jq -r .error.message)"
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n" -d _timeout_ms=300 -d _nl=on)
expect_eq "NDJSON: the timeout is the last line" "timeout_error" "$(printf '%s\n' "$out" | tail -n 1 | jq -r '._error.kind')"

# Errors before any row: the error JSON with its status and kind.
err() { local out; out=$(curl -s -G -w '\n%{http_code}' "$base/api/query" --data-urlencode "sql=$1" "${@:2}"); echo "$(code "$out") $(body "$out" | jq -r .error.kind)"; }
expect_eq "parse error" "400 parse_error" "$(err "SELECT 'unterminated")"
expect_eq "a misspelt keyword is no read" "400 invalid_argument" "$(err "SELEC 1")"
expect_eq "a syntax error SQLite finds" "400 sql_error" "$(err "SELECT 1 +")"
expect_eq "unknown table" "400 sql_error" "$(err "SELECT * FROM nowhere")"
expect_eq "unknown table, NDJSON" "400 sql_error" "$(err "SELECT * FROM nowhere" -d _nl=on)"
expect_eq "unknown entity of a connector" "404 not_found" "$(err "SELECT * FROM svc.nothing")"
for write in "INSERT INTO colours (name) VALUES ('x')" "DELETE FROM colours" "DROP TABLE colours" \
  "CREATE TABLE t (x)" "ATTACH DATABASE '$dir/x.db' AS x" "PRAGMA journal_mode=DELETE" \
  "SELECT 1; DELETE FROM colours" "DROP CONNECTOR svc" "UPDATE _sluice_connectors SET name = 'x'"; do
  expect_eq "refused: $write" "400 invalid_argument" "$(err "$write")"
  expect_eq "refused in NDJSON too: $write" "400 invalid_argument" "$(err "$write" -d _nl=on)"
done
expect_contains "the refusal says only reads are served" "only reads are served" \
  "$(curl -s -G "$base/api/query" --data-urlencode "sql=DELETE FROM colours" | jq -r .error.message)"
expect_eq "nothing was written" "3|1" "$("$sluice" "$ws" --format csv -c "SELECT (SELECT count(*) FROM colours) || '|' || (SELECT count(*) FROM _sluice_connectors WHERE name = 'svc') AS v" | tail -n 1)"

# Hostile sql: clean JSON errors, and the server keeps serving.
hostile() {
  local name=$1 out
  shift
  out=$(curl -s -w '\n%{http_code}' "$@")
  local status
  status=$(code "$out")
  case "$status" in 4??) ;; *) fail "$name: status $status" ;; esac
  expect_eq "$name: error JSON" "true" "$(body "$out" | jq -r '.error.kind | type == "string"' 2>/dev/null)"
}
hostile "invalid UTF-8" "$base/api/query?sql=SELECT%20%27%FF%FE%C3%28%27%20FROM%20x%C0"
hostile "invalid UTF-8 as a value" "$base/api/query?sql=SELECT%20%27%FF%FE%27%20FROM%20nowhere%FF"
hostile "NUL in sql" "$base/api/query?sql=SELECT%201%00%3B%20DROP%20TABLE%20colours"
hostile "NUL alone" "$base/api/query?sql=%00"
head -c 1000000 /dev/zero | tr '\0' '(' >"$dir/big.sql"
jq -Rn --rawfile s "$dir/big.sql" '{sql: $s}' >"$dir/big0.json"
hostile "1 MB of parentheses, POSTed" -H 'Content-Type: application/json' --data-binary "@$dir/big0.json" "$base/api/query"
jq -Rn --rawfile s "$dir/big.sql" '{sql: ("SELECT " + $s)}' >"$dir/big.json"
hostile "1 MB of parentheses after SELECT" -H 'Content-Type: application/json' --data-binary "@$dir/big.json" "$base/api/query"
head -c 1000000 /dev/zero | tr '\0' 'x' >"$dir/long.sql"
hostile "1 MB in the URL" -G "$base/api/query" --data-urlencode "sql@$dir/long.sql"
hostile "a body that is not JSON" -H 'Content-Type: application/json' --data-binary '{"sql": ' "$base/api/query"
hostile "sql that is not text" -H 'Content-Type: application/json' --data-binary '{"sql": {"a": 1}}' "$base/api/query"
expect_contains "sql that is not text is named" "parameter sql: must be text" \
  "$(curl -s -H 'Content-Type: application/json' --data-binary '{"sql": 42}' "$base/api/query")"
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=SELECT 'café' AS v, x'FF' AS raw")
expect_eq "text and invalid UTF-8 from SQLite come out as JSON" 'café' "$(printf '%s' "$out" | jq -r '.rows[0].v')"
out=$(q "sql=SELECT%20count(*)%20AS%20n%20FROM%20colours")
expect_eq "still serving after all that" '200 3' "$(code "$out") $(body "$out" | jq -r '.rows[0].n')"
kill -0 $serve_pid 2>/dev/null || fail "the server died"

# The key never appears: not in a row the API echoed, not in a handler's
# error, not in NDJSON lines.
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=SELECT auth FROM p.echo")
expect_eq "the echoed Authorization header, masked" 'Bearer ***' "$(printf '%s' "$out" | jq -r '.rows[0].auth')"
out=$(curl -s -G "$base/api/query" --data-urlencode "sql=SELECT auth FROM p.echo" -d _nl=on -d _shape=arrays)
expect_eq "masked in NDJSON too" '["Bearer ***"]' "$out"
out=$(curl -s -G -w '\n%{http_code}' "$base/api/query" --data-urlencode "sql=SELECT k FROM p.leak")
expect_eq "a handler's error: 502 connector_error" "502 connector_error" "$(code "$out") $(body "$out" | jq -r .error.kind)"
expect_contains "… its message masked" "refused key ***" "$(body "$out" | jq -r .error.message)"
all=$(cat "$dir"/*.out 2>/dev/null; curl -s -G "$base/api/query" --data-urlencode "sql=SELECT k FROM p.leak" -d _nl=on;
  curl -s -G "$base/api/query" --data-urlencode "sql=SELECT '$key' AS typed")
expect_not_contains "the key is in no response" "$key" "$all$out"
expect_not_contains "nor in the server's log" "$key" "$(cat "$dir/serve.err")"

# Reads need no token on loopback; a foreign Host header is refused.
expect_eq "a foreign Host header" 403 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "$base/api/query?sql=SELECT%201")"
# fts3_tokenizer(): one argument gives a pointer into the server's memory,
# two install a tokenizer from raw bytes; both are refused.
out=$(curl -s -G -w '\n%{http_code}' "$base/api/query" --data-urlencode "sql=SELECT hex(fts3_tokenizer('simple')) AS p")
expect_eq "fts3_tokenizer is refused" "400 invalid_argument" "$(code "$out") $(body "$out" | jq -r .error.kind)"
expect_contains "… by name" "fts3_tokenizer" "$(body "$out" | jq -r .error.message)"
out=$(curl -s -G -w '\n%{http_code}' "$base/api/query" --data-urlencode "sql=SELECT fts3_tokenizer('simple', x'4141414141414141')")
expect_eq "its two-argument form too" 400 "$(code "$out")"

# The default value cap (32 MiB): SQLite refuses before it allocates.
out=$(curl -s -G -w '\n%{http_code}' "$base/api/query" --data-urlencode "sql=SELECT length(randomblob(40000000)) AS n")
expect_eq "a 40 MB value is over the default cap" "400 invalid_argument" "$(code "$out") $(body "$out" | jq -r .error.kind)"
expect_contains "… which the error names" "33554432 bytes (sluice serve --max-value-bytes)" "$(body "$out" | jq -r .error.message)"

# POST with long SQL whatever the Content-Type: curl -d's default
# (application/x-www-form-urlencoded) with a JSON body, and a real form;
# httplib alone refuses a form body over 8 KiB with a bare 413.
pad=$(head -c 20000 /dev/zero | tr '\0' ' ')
printf '{"sql": "SELECT name FROM colours WHERE id = 3%s"}' "$pad" >"$dir/long.json"
out=$(curl -s -w '\n%{http_code}' --data-binary "@$dir/long.json" "$base/api/query")
expect_eq "20 KB of JSON sent as a form" '200 [{"name":"blue"}]' "$(code "$out") $(body "$out" | jq -c .rows)"
printf 'SELECT name FROM colours WHERE id = 1%s' "$pad" >"$dir/long_form.sql"
out=$(curl -s -w '\n%{http_code}' --data-urlencode "sql@$dir/long_form.sql" -d _shape=arrays "$base/api/query")
expect_eq "20 KB of SQL as a form field" '200 [["red"]]' "$(code "$out") $(body "$out" | jq -c .rows)"
out=$(curl -s -w '\n%{http_code}' -F "sql=SELECT 1" "$base/api/query")
expect_eq "multipart: 415 saying what to send" "415" "$(code "$out")"
expect_contains "… naming the JSON content type" "application/json" "$(body "$out" | jq -r .error.message)"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$dir/huge.body"
out=$(curl -s -w '\n%{http_code}' --data-binary "@$dir/huge.body" "$base/api/query")
expect_eq "a form body over 1 MiB: 413 saying so" "413 the request body is larger than 1 MiB" \
  "$(code "$out") $(body "$out" | jq -r .error.message)"

# Browsers on behalf of another site are refused, reads included (a
# no-cors fetch cannot read the answer but would still run live calls).
out=$(curl -s -w '\n%{http_code}' -H 'Origin: http://evil.example' -H 'Sec-Fetch-Site: cross-site' \
  -H 'Sec-Fetch-Mode: no-cors' "$base/api/query?sql=SELECT%20id%20FROM%20svc.items%20LIMIT%201")
expect_eq "a cross-site GET /api/query" "403 forbidden" "$(code "$out") $(body "$out" | jq -r .error.kind)"
expect_eq "… also with Sec-Fetch-Site alone" 403 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: same-site' "$base/api/query?sql=SELECT%201")"
expect_eq "… and with a foreign Origin alone" 403 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: http://evil.example' "$base/api/query?sql=SELECT%201")"
expect_eq "the console's own requests still pass" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: $base" -H 'Sec-Fetch-Site: same-origin' "$base/api/query?sql=SELECT%201")"
expect_eq "a Host with a port that is not a number" 403 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: localhost:abc' "$base/api/query?sql=SELECT%201")"

# Small caps: a value over --max-value-bytes fails the query naming it; a
# JSON answer stops taking rows at --max-response-bytes (truncated, with the
# reason), while a stream is not held in memory and is not cut.
caps=""
start_serve caps "$ws" --max-value-bytes 1000 --max-response-bytes 3000
if [ -z "$caps" ]; then
  fail "sluice serve with small caps did not start"
else
  out=$(curl -s -G -w '\n%{http_code}' "$caps/api/query" --data-urlencode "sql=SELECT randomblob(2000) AS b")
  expect_eq "a value over --max-value-bytes" "400 invalid_argument" "$(code "$out") $(body "$out" | jq -r .error.kind)"
  expect_contains "… names the cap" "1000 bytes (sluice serve --max-value-bytes)" "$(body "$out" | jq -r .error.message)"
  out=$(curl -s -G "$caps/api/query" --data-urlencode "sql=SELECT length(randomblob(900)) AS n")
  expect_eq "a value under it" '[{"n":900}]' "$(printf '%s' "$out" | jq -c .rows)"
  rows_sql="sql=WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100) SELECT x, hex(randomblob(50)) AS b FROM c"
  out=$(curl -s -G "$caps/api/query" --data-urlencode "$rows_sql" -d _rows=100)
  expect_eq "the JSON answer is cut at --max-response-bytes" "true" "$(printf '%s' "$out" | jq -r '.truncated and .row_count < 100 and .row_count > 0 and (.rows | length) == .row_count')"
  expect_contains "… saying why" "--max-response-bytes" "$(printf '%s' "$out" | jq -r .truncated_reason)"
  expect_eq "… and small" 1 "$([ "${#out}" -lt 4000 ] && echo 1)"
  out=$(curl -s -G "$caps/api/query" --data-urlencode "$rows_sql" -d _rows=100 -d _nl=on)
  expect_eq "a stream is not cut" 100 "$(printf '%s\n' "$out" | grep -c '"x"')"
fi
finish
