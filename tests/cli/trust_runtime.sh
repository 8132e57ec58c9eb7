# Issue 13, the JavaScript runtime side: handlers that fail before their first
# await, results that are not rows, non-ASCII field names, nested BigInts,
# a gzip bomb, huge error messages, credentials on cross-origin redirects,
# response.json() errors and invalid UTF-8 — each through the front ends
# that reach it, against the test API server's hostile modes.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" --token trust-token >/dev/null || exit 1
export TRUST_API=$TEST_SERVER_URL
ws=$dir/ws.db
run() { "$sluice" "$ws" -c "$1" 2>&1; }
q() { sqlite3 "${2:-$ws}" "$1"; }
api() { curl -s -X "$1" -H 'Content-Type: application/json' -d '' "$TEST_SERVER_URL$2"; }

cat >"$dir/defs.sql" <<'SQL'
CREATE CONNECTOR TYPE 'hostile' CONFIG_SCHEMA {"url": {"type": "string", "required": true}};
CREATE CONNECTOR ENTITY 'hostile.throws' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query(config) {
  throw new Error("boom before any await");
}''';
CREATE CONNECTOR ENTITY 'hostile.typeerror' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query(config) { return config.missing.field; }''';
CREATE CONNECTOR ENTITY 'hostile.spins' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query(config) { for (;;) {} }''';
CREATE CONNECTOR ENTITY 'hostile.fine' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query(config) { return [{id: 1}, {id: 2}]; }''';
CREATE CONNECTOR TYPE 'thrower' CONFIG_SCHEMA {"url": {"type": "string"}};
CREATE CONNECTOR ENTITY 'thrower.items' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query(config) { throw new Error("boom before any await"); }''';
SQL
"$sluice" "$ws" "$dir/defs.sql" >/dev/null 2>&1 || fail "defining hostile"
run "CREATE CONNECTOR h TYPE 'hostile' CONFIG {\"url\": ENV('TRUST_API')} OPTIONS {\"timeout_seconds\": 1};" >/dev/null

# --- 1. A handler that fails before its first await -------------------------
out=$(run "SELECT * FROM h.throws;")
expect_eq "SELECT of a synchronous throw: exit 1, no crash" 1 $?
expect_contains "SELECT names connector, entity, error and line" \
  "connector 'h', entity 'throws'" "$out"
expect_contains "SELECT has the JS error" "Error: boom before any await" "$out"
expect_contains "SELECT has the handler's line" "defs.sql:4:" "$out"
out=$(run "SELECT * FROM h.typeerror;")
expect_eq "SELECT of a TypeError: exit 1" 1 $?
expect_contains "TypeError named" "connector 'h', entity 'typeerror'" "$out"
expect_contains "TypeError text" "TypeError: config.missing is undefined" "$out"
out=$(run "SELECT * FROM h.spins;")
expect_eq "SELECT of a spinning handler: exit 1" 1 $?
expect_contains "time limit in the synchronous part" "connector 'h', entity 'spins'" "$out"
expect_contains "time limit named" "time limit of 1" "$out"
out=$(run "TRY SELECT * FROM h.throws; CATCH PRINT 'caught'; END TRY; SELECT count(*) AS n FROM h.fine;")
expect_eq "the engine goes on after the failure" 0 $?
expect_contains "caught, then the next query runs" "caught" "$out"
expect_contains "next query's rows" "2" "$out"
out=$(run "SYNC CONNECTOR h ENTITIES (throws) TO '$dir/throws.db' FULL;")
expect_eq "SYNC of a synchronous throw: exit 1, no crash" 1 $?
expect_contains "SYNC names the error" "boom before any await" "$out"
run "CREATE CONNECTOR only_throws TYPE 'thrower' CONFIG {\"url\": \"x\"};" >/dev/null
out=$(run "TEST CONNECTOR only_throws;")
expect_contains "TEST CONNECTOR reports, no crash" "boom before any await" "$out"
mkdir -p "$dir/suite"
cp "$dir/defs.sql" "$dir/suite/defs.sql"
cat >"$dir/suite/tests.sql" <<'SQL'
TEST CONNECTOR TYPE 'hostile' NAME 'a synchronous throw fails the test'
BEGIN
  CREATE CONNECTOR c TYPE 'hostile' CONFIG {"url": "mock://"};
  DECLARE rows = SELECT * FROM c.throws;
END TEST;

TEST CONNECTOR TYPE 'hostile' NAME 'the next test still runs'
BEGIN
  CREATE CONNECTOR c TYPE 'hostile' CONFIG {"url": "mock://"};
  DECLARE rows = SELECT * FROM c.fine;
  ASSERT ARRAY_LENGTH(rows) = 2;
END TEST;
SQL
out=$("$sluice" test --junit "$dir/junit.xml" "$dir/suite" 2>&1)
expect_eq "sluice test: failures make exit 1" 1 $?
expect_eq "sluice test summary" "1 passed, 1 failed, 0 skipped" "$(printf '%s\n' "$out" | tail -n 1)"
expect_contains "sluice test shows the error" "boom before any await" "$out"
expect_contains "JUnit file written" '<testsuites name="sluice test" tests="2" failures="1"' "$(cat "$dir/junit.xml" 2>/dev/null)"

# --- 4. Results that are not rows -------------------------------------------
cat >"$dir/results.sql" <<'SQL'
CREATE CONNECTOR ENTITY 'hostile.gives_undefined' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return; }''';
CREATE CONNECTOR ENTITY 'hostile.gives_null' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return null; }''';
CREATE CONNECTOR ENTITY 'hostile.gives_object' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return {error: "unauthorized", message: "Bad credentials"}; }''';
CREATE CONNECTOR ENTITY 'hostile.gives_number' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return 42; }''';
CREATE CONNECTOR ENTITY 'hostile.gives_string' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return "1,2,3"; }''';
CREATE CONNECTOR ENTITY 'hostile.gives_generator' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function* query() { yield {id: 1}; yield [{id: 2}, {id: 3}]; }''';
CREATE CONNECTOR TYPE 'naive' CONFIG_SCHEMA {"url": {"type": "string", "required": true}};
CREATE CONNECTOR ENTITY 'naive.items'
  FIELDS {"id": {"type": "string", "primary_key": true}, "name": {"type": "string"}}
  QUERY_HANDLER '''async function query(config) {
  const response = await fetch(`${config.url}/items?limit=100`, {headers: {Authorization: "Bearer trust-token"}});
  const data = await response.json();
  return data.items;
}''';
SQL
"$sluice" "$ws" "$dir/results.sql" >/dev/null 2>&1 || fail "defining the result entities"
expected_tail="; expected an array of rows, a promise of one, or an async iterable"
for case in "gives_undefined|returned undefined" "gives_null|returned null" \
            "gives_object|returned an object with keys error, message (one object, not an array of rows)" \
            "gives_number|returned the number 42" 'gives_string|returned a string "1,2,3"'; do
  entity=${case%%|*} what=${case#*|}
  out=$(run "SELECT * FROM h.$entity;")
  expect_eq "$entity: refused" 1 $?
  expect_contains "$entity: says what came back" "connector 'h', entity '$entity': TypeError: query() $what$expected_tail" "$out"
done
expect_eq "yielded rows and arrays of rows still stream" '"1,2,3"' \
  "$("$sluice" "$ws" --format csv -c "SELECT group_concat(id) AS ids FROM h.gives_generator;" 2>&1 | tail -n 1)"
run "CREATE CONNECTOR naive TYPE 'naive' CONFIG {\"url\": ENV('TRUST_API')} OPTIONS {\"retry_count\": 0};" >/dev/null
out=$(run "SYNC CONNECTOR naive FULL;")
expect_eq "naive: first full sync" 0 $?
expect_eq "naive: 25 rows synced" 25 "$(q "SELECT count(*) FROM naive_items")"
for code in 401 403 404 429; do
  api POST "/fail-items?code=$code" >/dev/null
  out=$(run "SYNC CONNECTOR naive FULL;")
  expect_eq "naive $code: the sync fails" 1 $?
  expect_contains "naive $code: says why" "connector 'naive', entity 'items': TypeError: query() returned undefined$expected_tail" "$out"
  expect_eq "naive $code: the synced table is intact" 25 "$(q "SELECT count(*) FROM naive_items")"
done
api POST "/fail-items?code=0" >/dev/null

# --- 6, 15. Field names beyond ASCII; BigInts inside documents ---------------
cat >"$dir/values.sql" <<'SQL'
CREATE CONNECTOR ENTITY 'hostile.unicode'
  FIELDS {"id": {"type": "integer", "primary_key": true}, "名前": {"type": "string"}, "café": {"type": "string"}}
  QUERY_HANDLER '''function query() { return [{id: 1, "名前": "太郎", "café": "crème"}, {id: 2, "名前": "花子", "café": null}]; }''';
CREATE CONNECTOR ENTITY 'hostile.bigints'
  FIELDS {"id": {"type": "integer", "primary_key": true}, "doc": {"type": "document"}, "list": {"type": "array"}}
  QUERY_HANDLER '''function query() {
  return [{id: 7n, doc: {small: 12n, huge: 2n ** 70n, deep: {neg: -5n}}, list: [1n, 2n ** 64n]}];
}''';
SQL
"$sluice" "$ws" "$dir/values.sql" >/dev/null 2>&1 || fail "defining the value entities"
expect_eq "SELECT of non-ASCII fields" '1,太郎,crème
2,花子,' "$("$sluice" "$ws" --format csv -c 'SELECT id, "名前", "café" FROM h.unicode ORDER BY id;' 2>&1 | tail -n +2)"
expect_eq "WHERE on a non-ASCII field" '1' "$("$sluice" "$ws" --format csv -c "SELECT id FROM h.unicode WHERE \"名前\" = '太郎';" 2>&1 | tail -n +2)"
out=$(run "SYNC CONNECTOR h ENTITIES (unicode) TO '$dir/unicode.db' FULL;")
expect_eq "SYNC of non-ASCII fields" 0 $?
expect_eq "synced non-ASCII fields" '1|太郎|crème
2|花子|' "$(q 'SELECT id, "名前", "café" FROM h_unicode ORDER BY id' "$dir/unicode.db")"
expect_eq "BigInts in a document: numbers when exact, else text" \
  '7|{"small":12,"huge":"1180591620717411303424","deep":{"neg":-5}}|[1,"18446744073709551616"]' \
  "$("$sluice" "$ws" --format csv -c "SELECT id || '|' || doc || '|' || list AS r FROM h.bigints;" 2>&1 | tail -n 1 | sed 's/^"//; s/"$//; s/""/"/g')"
out=$(run "SYNC CONNECTOR h ENTITIES (bigints) TO '$dir/bigints.db' FULL;")
expect_eq "SYNC of nested BigInts" 0 $?
expect_eq "synced nested BigInts" '{"small":12,"huge":"1180591620717411303424","deep":{"neg":-5}}' \
  "$(q 'SELECT doc FROM h_bigints' "$dir/bigints.db")"
# A table integration's JSON column: the SDK host stringified it, and a
# nested BigInt threw a TypeError.
mkdir -p "$dir/bigplugin"
printf '{"name": "bigplugin", "version": "1.0.0", "type": "module", "main": "main.js"}\n' >"$dir/bigplugin/package.json"
cat >"$dir/bigplugin/main.js" <<'JS'
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { Int64 } from '@cloudquery/plugin-sdk-javascript/arrow';
import { JSONType } from '@cloudquery/plugin-sdk-javascript/types/json';
const tables = [createTable({ name: 'things', columns: [
  createColumn({ name: 'id', type: new Int64(), primaryKey: true }), createColumn({ name: 'doc', type: new JSONType() })],
  resolver: async (client, parent, stream) => { stream.write({id: 1n, doc: {small: 12n, huge: 2n ** 70n}}); } })];
createServeCommand(newPlugin('p', '1', async () => ({ tables: async () => tables,
  sync: (o) => sync({ client: { id: () => 'c' }, tables, stream: o.stream, concurrency: 1 }) }))).parse();
JS
out=$("$sluice" -w :memory: -f csv -c "CREATE CONNECTOR TYPE 'bigplugin' FROM INTEGRATION '$dir/bigplugin'" \
  -c "CREATE CONNECTOR b TYPE 'bigplugin'" -c "SELECT id, doc FROM b.things" 2>&1)
expect_eq "BigInts in an integration's JSON column" 'id,doc
1,"{""small"":12,""huge"":""1180591620717411303424""}"' "$out"

# --- 25. A gzip bomb: 1 MiB expanding to 1 GiB ------------------------------
cat >"$dir/bomb.sql" <<'SQL'
CREATE CONNECTOR ENTITY 'hostile.bomb' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query(config) {
  const response = await fetch(`${config.url}/gzip-bomb?mib=1024`);
  return [{id: (await response.text()).length}];
}''';
SQL
"$sluice" "$ws" "$dir/bomb.sql" >/dev/null 2>&1 || fail "defining the bomb"
run "CREATE CONNECTOR bombed TYPE 'hostile' CONFIG {\"url\": ENV('TRUST_API')} OPTIONS {\"timeout_seconds\": 20};" >/dev/null
curl -s -o /dev/null "$TEST_SERVER_URL/gzip-bomb?mib=1024"  # the server compresses it once, before timing starts
out=$(/usr/bin/time -f 'peak_rss_kb=%M' "$sluice" "$ws" -c "SELECT * FROM bombed.bomb;" 2>&1)
expect_eq "the bomb is refused" 1 $?
expect_contains "the bomb's error names the URL and the limit" \
  "GET $TEST_SERVER_URL/gzip-bomb: the response body is larger than 64 MiB once decoded (connector option max_response_mb)" "$out"
rss=$(printf '%s\n' "$out" | sed -n 's/^peak_rss_kb=//p')
echo "gzip bomb, 64 MiB limit: peak RSS ${rss} KiB" >&2
[ -n "$rss" ] && [ "$rss" -lt 600000 ] || fail "peak RSS ${rss} KiB should stay under 600 MB (main: 2.1 GB)"
# With a body limit too high to help, the time limit still holds while the
# body inflates (main went 42-54 s past a 5 s limit).
cat >"$dir/bomb2.sql" <<'SQL'
CREATE CONNECTOR ENTITY 'hostile.bomb2' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query(config) {
  const response = await fetch(`${config.url}/gzip-bomb?mib=2048`);
  return [{id: (await response.arrayBuffer()).byteLength}];
}''';
SQL
"$sluice" "$ws" "$dir/bomb2.sql" >/dev/null 2>&1 || fail "defining the second bomb"
run "CREATE CONNECTOR quick TYPE 'hostile' CONFIG {\"url\": ENV('TRUST_API')} OPTIONS {\"timeout_seconds\": 0.3, \"max_response_mb\": 8192};" >/dev/null
curl -s -o /dev/null "$TEST_SERVER_URL/gzip-bomb?mib=2048"
out=$(/usr/bin/time -f 'peak_rss_kb=%M' "$sluice" "$ws" -c "SELECT * FROM quick.bomb2;" 2>&1)
expect_eq "the bomb under a time limit is stopped" 1 $?
expect_contains "stopped by the time limit" \
  "connector 'quick', entity 'bomb2': stopped: the call ran past its time limit of 0.300 s" "$out"
rss=$(printf '%s\n' "$out" | sed -n 's/^peak_rss_kb=//p')
echo "gzip bomb of 2 GiB, 0.3 s limit, 8 GiB body limit: peak RSS ${rss} KiB" >&2
[ -n "$rss" ] && [ "$rss" -lt 1500000 ] || fail "peak RSS ${rss} KiB should stay under 1.5 GB"
run "CREATE CONNECTOR small_bodies TYPE 'hostile' CONFIG {\"url\": ENV('TRUST_API')} OPTIONS {\"max_response_mb\": 1};" >/dev/null
expect_contains "max_response_mb sets the limit" "larger than 1 MiB once decoded" "$(run "SELECT * FROM small_bodies.bomb;")"
expect_contains "max_response_mb is checked" "option 'max_response_mb' must be a non-negative number" \
  "$(run "CREATE CONNECTOR bad_limit TYPE 'hostile' CONFIG {\"url\": \"x\"} OPTIONS {\"max_response_mb\": \"big\"};")"

# --- 26. A 20 MB error message (a 50 MB one, as found, passes the memory
# limit of a plain build but not of an ASan one, whose every allocation
# costs more)
cat >"$dir/huge.sql" <<'SQL'
CREATE CONNECTOR ENTITY 'hostile.huge_error' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function query(config) {
  const response = await fetch(`${config.url}/huge-text?bytes=20971520`);
  throw new Error(await response.text());
}''';
SQL
"$sluice" "$ws" "$dir/huge.sql" >/dev/null 2>&1 || fail "defining huge_error"
run "CREATE CONNECTOR huge TYPE 'hostile' CONFIG {\"url\": ENV('TRUST_API')};" >/dev/null
out=$(run "SELECT * FROM huge.huge_error;")
expect_eq "huge error: fails" 1 $?
expect_contains "huge error: says how much was cut" "… (20967424 more bytes cut)" "$out"
[ "${#out}" -lt 10000 ] || fail "huge error printed ${#out} bytes"
out=$(run "SYNC CONNECTOR huge ENTITIES (huge_error) TO '$dir/huge.db' FULL;")
expect_eq "huge error: the sync fails" 1 $?
# SYNC shows it twice: in its summary table and as the statement's error.
[ "${#out}" -lt 20000 ] || fail "huge error in SYNC printed ${#out} bytes"
stored=$(q "SELECT length(error) FROM _sluice_sync_runs WHERE connector = 'huge'")
[ -n "$stored" ] && [ "$stored" -lt 10000 ] || fail "the run record keeps ${stored} characters of error"

# --- 30. Credentials on a redirect to another origin ------------------------
cat >"$dir/redirect.sql" <<'SQL'
CREATE CONNECTOR ACTION 'hostile.headers_after' PARAMETERS {"path": {"type": "string", "required": true}}
  HANDLER '''async function execute(config, params) {
  const response = await fetch(`${config.url}${params.path}`, {headers: {
    "X-Api-Key": "key-sekrit", "Authorization": "Bearer auth-sekrit", "Cookie": "session=cookie-sekrit",
    "Accept": "application/json", "X-Request-Tag": "tag-1"}});
  const echoed = await response.json();
  const names = Object.keys(echoed.headers).filter((n) => /^(x-|authorization|cookie|accept$)/.test(n)).sort();
  return {host: new URL(response.url).hostname, redirected: response.redirected, headers: names.join(","),
          leaked: JSON.stringify(echoed).includes("sekrit")};
}''';
SQL
"$sluice" "$ws" "$dir/redirect.sql" >/dev/null 2>&1 || fail "defining headers_after"
out=$(run "CONNECTOR_EXEC h.headers_after(path => '/redirect-cross-origin?to=/echo');")
expect_contains "cross-origin: followed" '"host":"localhost"' "$out"
expect_contains "cross-origin: only safe headers went along" '"headers":"accept"' "$out"
expect_contains "cross-origin: no secret reached the other origin" '"leaked":false' "$out"
out=$(run "CONNECTOR_EXEC h.headers_after(path => '/redirect?to=/echo');")
expect_contains "same origin: every header kept" '"headers":"accept,authorization,cookie,x-api-key,x-request-tag"' "$out"
expect_contains "same origin: redirected" '"redirected":true' "$out"
cat >"$dir/redirect2.sql" <<'SQL'
CREATE CONNECTOR ACTION 'hostile.post_to' PARAMETERS {"path": {"type": "string", "required": true}}
  HANDLER '''async function execute(config, params) {
  const response = await fetch(`${config.url}${params.path}`,
                               {method: "POST", body: "hello", headers: {"Content-Type": "text/plain"}});
  const echoed = await response.json();
  return `${echoed.method} ${echoed.path} body=${echoed.body} type=${echoed.headers["content-type"] || "none"}`;
}''';
CREATE CONNECTOR ACTION 'hostile.get_to' PARAMETERS {"path": {"type": "string", "required": true}}
  HANDLER '''async function execute(config, params) {
  const response = await fetch(`${config.url}${params.path}`);
  return `${response.status} ${new URL(response.url).pathname} redirected=${response.redirected}`;
}''';
SQL
"$sluice" "$ws" "$dir/redirect2.sql" >/dev/null 2>&1 || fail "defining post_to"
expect_eq "303: POST becomes GET, without its body" '"GET /echo body= type=none"' \
  "$(run "CONNECTOR_EXEC h.post_to(path => '/redirect?code=303');")"
expect_eq "307: POST stays POST, with its body" '"POST /echo body=hello type=text/plain"' \
  "$(run "CONNECTOR_EXEC h.post_to(path => '/redirect?code=307');")"
expect_eq "20 redirects are followed" '"200 /echo redirected=true"' "$(run "CONNECTOR_EXEC h.get_to(path => '/redirect-chain?n=20');")"
expect_contains "21 are too many" "/redirect-chain?n=1: more than 20 redirects" "$(run "CONNECTOR_EXEC h.get_to(path => '/redirect-chain?n=21');")"

# --- 33. response.json() errors point at the handler -------------------------
cat >"$dir/json.sql" <<'SQL'
CREATE CONNECTOR ENTITY 'hostile.bad_json' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function query(config) {
  const response = await fetch(`${config.url}/malformed`);
  const data = await response.json();
  return data.items;
}''';
SQL
"$sluice" "$ws" "$dir/json.sql" >/dev/null 2>&1 || fail "defining bad_json"
out=$(run "SELECT * FROM h.bad_json;")
expect_eq "bad JSON: fails" 1 $?
expect_contains "bad JSON: the parse error" "connector 'h', entity 'bad_json': SyntaxError: JSON.parse:" "$out"
expect_contains "bad JSON: the handler's line, in its stack" "at query (" "$out"
expect_contains "bad JSON: the line of response.json()" "json.sql:4:" "$out"
expect_not_contains "bad JSON: not the prelude" "prelude" "$out"

# --- 34. Invalid UTF-8 from an API ------------------------------------------
cat >"$dir/utf8.sql" <<'SQL'
CREATE CONNECTOR ENTITY 'hostile.latin1'
  FIELDS {"id": {"type": "integer", "primary_key": true}, "name": {"type": "string"}}
  QUERY_HANDLER '''async function query(config) {
  return (await (await fetch(`${config.url}/invalid-utf8`)).json()).items;
}''';
SQL
"$sluice" "$ws" "$dir/utf8.sql" >/dev/null 2>&1 || fail "defining latin1"
out=$("$sluice" "$ws" --format csv -c "SELECT id, name FROM h.latin1 ORDER BY id;" 2>"$dir/stderr")
expect_eq "invalid UTF-8: replaced, as TextDecoder does" 'id,name
1,caf�
2,�ok
3,fine' "$out"
expect_eq "invalid UTF-8: one warning naming connector and entity" \
  "[h] console.warn: connector 'h', entity 'latin1': 1 response body was not valid UTF-8; the invalid bytes were replaced by U+FFFD (OPTIONS {\"invalid_utf8\": \"error\"} refuses them instead)" \
  "$(cat "$dir/stderr")"
run "CREATE CONNECTOR strict TYPE 'hostile' CONFIG {\"url\": ENV('TRUST_API')} OPTIONS {\"invalid_utf8\": \"error\"};" >/dev/null
out=$(run "SELECT * FROM strict.latin1;")
expect_eq "invalid_utf8 error: refused" 1 $?
expect_contains "invalid_utf8 error: names the URL" \
  "connector 'strict', entity 'latin1': Error: the response body of $TEST_SERVER_URL/invalid-utf8 is not valid UTF-8 (connector option invalid_utf8 is \"error\")" "$out"
expect_contains "invalid_utf8 takes replace or error" "option 'invalid_utf8' must be \"replace\" or \"error\"" \
  "$(run "CREATE CONNECTOR bad_utf8 TYPE 'hostile' CONFIG {\"url\": \"x\"} OPTIONS {\"invalid_utf8\": \"ignore\"};")"

finish
