# Results a handler can get subtly wrong, and a secret a handler can encode in
# a way the masker did not know:
#  (a) a query generator that `return`s its rows instead of yielding them:
#      the rows were dropped, the run ended "ok" with 0 rows, and a full sync
#      deleted every row it had synced before;
#  (b) an action whose result has no JSON form (a generator, a Map, …) was
#      printed as {} with success, and a generator's throw never surfaced;
#  (c) btoa() of a secret with a character beyond ASCII encodes its Latin-1
#      bytes, and that base64 was printed unmasked.
source "$(dirname "$0")/lib.bash"
ws=$dir/ws.db
run() { "$sluice" "$ws" -c "$1" 2>&1; }
q() { sqlite3 "$dir/dest.db" "$1"; }
last_run() { sqlite3 "$ws" "SELECT $1 FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1"; }

# --- (a) a generator that returns its rows ------------------------------------
# Each entity gives three good rows while CONFIG says "good", then goes wrong.
cat >"$dir/defs.sql" <<'SQL'
CREATE CONNECTOR TYPE 'g' CONFIG_SCHEMA {"mode": {"type": "string", "required": true}};
CREATE CONNECTOR ENTITY 'g.wrapped' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query(c) {
  if (c.mode === "good") return [{id: 1}, {id: 2}, {id: 3}];
  return (async function* () { return [{id: 1}]; })();
}''';
CREATE CONNECTOR ENTITY 'g.declared' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function* query(c) {
  if (c.mode === "good") { yield [{id: 1}, {id: 2}, {id: 3}]; return; }
  const data = {items: [{id: 1}]};
  return data.items;
}''';
CREATE CONNECTOR ENTITY 'g.partial' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function* query(c) {
  yield {id: 1};
  if (c.mode === "good") { yield [{id: 2}, {id: 3}]; return undefined; }
  return {id: 2};
}''';
CREATE CONNECTOR ENTITY 'g.sync_gen' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function* query(c) {
  if (c.mode === "good") { yield* [{id: 1}, {id: 2}, {id: 3}]; return; }
  return 42;
}''';
CREATE CONNECTOR ENTITY 'g.closes' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function* query(c) {
  try { for (let i = 1; ; ++i) yield {id: i}; } finally { console.log("closed"); }
}''';
CREATE CONNECTOR c TYPE 'g' CONFIG {"mode": "good"};
SQL
"$sluice" "$ws" "$dir/defs.sql" >/dev/null 2>&1 || fail "defining the generator entities"
for entity in wrapped declared partial sync_gen; do
  run "CREATE OR REPLACE CONNECTOR c TYPE 'g' CONFIG {\"mode\": \"good\"};" >/dev/null
  out=$(run "SYNC CONNECTOR c ENTITIES ($entity) TO '$dir/dest.db' FULL;")
  expect_eq "$entity: the first full sync works" 0 $?
  expect_eq "$entity: 3 rows synced" 3 "$(q "SELECT count(*) FROM c_$entity")"
  run "CREATE OR REPLACE CONNECTOR c TYPE 'g' CONFIG {\"mode\": \"bad\"};" >/dev/null
  out=$(run "SYNC CONNECTOR c ENTITIES ($entity) TO '$dir/dest.db' FULL;")
  expect_eq "$entity: a full sync of a returning generator fails" 1 $?
  expect_contains "$entity: names connector and entity" "connector 'c', entity '$entity': TypeError: query() returned" "$out"
  expect_eq "$entity: the run is recorded as failed" failed "$(last_run status)"
  expect_eq "$entity: the synced rows are all kept" 3 "$(q "SELECT count(*) FROM c_$entity")"
done
out=$(run "SELECT * FROM c.declared;")
expect_eq "SELECT of a returning generator fails" 1 $?
expect_contains "and says the rows were returned, not yielded" \
  "connector 'c', entity 'declared': TypeError: query() returned rows from a generator instead of yielding them (an array of 1); a generator's return value is not read: yield them (yield* rows)" "$out"
out=$(run "SELECT * FROM c.sync_gen;")
expect_contains "a sync generator's return value too, saying what it was" \
  "connector 'c', entity 'sync_gen': TypeError: query() returned the number 42 from a generator instead of yielding rows" "$out"
out=$(run "SELECT * FROM c.partial;")
expect_contains "rows yielded before a returned one do not make it right" \
  "query() returned an object with keys id (one object, not an array of rows) from a generator" "$out"
# A generator that ends with a bare return, or that the engine stops early,
# is not refused; stopping still closes it.
run "CREATE OR REPLACE CONNECTOR c TYPE 'g' CONFIG {\"mode\": \"good\"};" >/dev/null
expect_eq "a good generator's rows" '"1,2,3"' \
  "$("$sluice" "$ws" --format csv -c "SELECT group_concat(id) AS ids FROM c.partial;" 2>&1 | tail -n 1)"
out=$(run "SELECT id FROM c.closes LIMIT 2;")
expect_eq "an endless generator stopped by LIMIT" 0 $?
expect_contains "its finally ran" "[c] console.log: closed" "$out"

# --- (b) an action's result must have a JSON form ------------------------------
cat >"$dir/actions.sql" <<'SQL'
CREATE CONNECTOR ACTION 'g.wrapped.gen' HANDLER '''async function* execute() { throw new Error("x"); }''';
CREATE CONNECTOR ACTION 'g.wrapped.sync_gen' HANDLER '''function* execute() { yield 1; }''';
CREATE CONNECTOR ACTION 'g.wrapped.map' HANDLER '''async function execute() { return new Map([["a", 1]]); }''';
CREATE CONNECTOR ACTION 'g.wrapped.nested' HANDLER '''async function execute() { return {ok: true, ids: [1, new Set([2])]}; }''';
CREATE CONNECTOR ACTION 'g.wrapped.promise' HANDLER '''async function execute() { return {later: fetch("http://127.0.0.1:9/")}; }''';
CREATE CONNECTOR ACTION 'g.wrapped.error' HANDLER '''function execute() { return new Error("not thrown"); }''';
CREATE CONNECTOR ACTION 'g.wrapped.fn' HANDLER '''function execute() { return () => 1; }''';
CREATE CONNECTOR ACTION 'g.wrapped.fine' HANDLER '''async function execute() {
  return {ok: true, at: new Date(0), none: null, skipped: undefined, method() {}, list: [1, "a", {b: 2n}]};
}''';
CREATE CONNECTOR ACTION 'g.wrapped.nothing' HANDLER '''async function execute() {}''';
SQL
"$sluice" "$ws" "$dir/actions.sql" >/dev/null 2>&1 || fail "defining the actions"
for case in "gen|it is an async generator (from an async function*)" \
            "sync_gen|it is a generator (from a function*)" \
            "map|it is a Map" "nested|its .ids[1] is a Set" "promise|its .later is a Promise (not awaited)" \
            "error|it is an Error (Error: not thrown; throw it to fail)" "fn|it is a function"; do
  action=${case%%|*} what=${case#*|}
  out=$(run "CONNECTOR_EXEC c.wrapped.$action();")
  expect_eq "action $action: fails" 1 $?
  expect_contains "action $action: names the action and what came back" \
    "connector 'c', action 'wrapped.$action': the value execute() returned: $what, which has no JSON form" "$out"
  expect_not_contains "action $action: prints no {}" "{}" "$out"
done
out=$(run "TRY CONNECTOR_EXEC c.wrapped.gen(); PRINT 'not reached'; CATCH PRINT 'caught'; END TRY;")
expect_contains "a script can catch it" "caught" "$out"
expect_not_contains "and does not go on as if it worked" "not reached" "$out"
out=$(run "CONNECTOR_EXEC c.wrapped.fine();")
expect_eq "a JSON-shaped result still works" 0 $?
expect_eq "with JSON's rules for the rest" '{"ok":true,"at":"1970-01-01T00:00:00Z","none":null,"list":[1,"a",{"b":2}]}' "$out"
out=$(run "CONNECTOR_EXEC c.wrapped.nothing();")
expect_eq "an action that returns nothing still succeeds" 0 $?

# --- (c) btoa() of a secret beyond ASCII ---------------------------------------
cat >"$dir/secret.sql" <<'SQL'
CREATE SECRET latin VALUE 'Pässwörd-9x';
CREATE SECRET wide VALUE 'Pa$s w/rd&‹é>"x';
CREATE CONNECTOR TYPE 'enc' CONFIG_SCHEMA {"user": {"type": "string"},
  "latin": {"type": "string", "secret": true}, "wide": {"type": "string", "secret": true}};
CREATE CONNECTOR ENTITY 'enc.thrown' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function query(c) { throw new Error(btoa(c.latin)); }''';
CREATE CONNECTOR ENTITY 'enc.basic' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function query(c) {
  throw new Error("Authorization: " + ["Basic " + btoa("user:" + c.latin), btoa("ab" + c.latin), btoa("a" + c.latin)].join(" "));
}''';
CREATE CONNECTOR ENTITY 'enc.wide' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function query(c) {
  let latin1 = "";
  try { btoa(c.wide); } catch (e) { latin1 = e.name; }
  const utf8 = String.fromCharCode(...new TextEncoder().encode(c.wide));
  throw new Error(latin1 + " " + btoa(utf8) + " " + btoa("user:" + utf8));
}''';
CREATE CONNECTOR ACTION 'enc.thrown.show' HANDLER '''async function execute(c) {
  console.log("basic", "Basic " + btoa(c.user + ":" + c.latin));
  return {auth: "Basic " + btoa(c.user + ":" + c.latin), plain: btoa(c.latin)};
}''';
CREATE CONNECTOR e TYPE 'enc' CONFIG {"user": "alice", "latin": "{{secrets.latin}}", "wide": "{{secrets.wide}}"};
SQL
"$sluice" "$ws" "$dir/secret.sql" >/dev/null 2>&1 || fail "defining the encoding connector"
out=$(run "SELECT * FROM e.thrown;"; run "SELECT * FROM e.basic;"; run "SELECT * FROM e.wide;";
      run "CONNECTOR_EXEC e.thrown.show();"; run "SYNC CONNECTOR e ENTITIES (thrown, basic) TO '$dir/enc.db' FULL;")
runs=$(sqlite3 "$ws" "SELECT group_concat(error, ' | ') FROM _sluice_sync_runs WHERE connector = 'e'")
forms=$(python3 - <<'PY'
import base64
def core(prefix, secret):
    full = base64.b64encode(prefix + secret).decode()
    return full[(len(prefix) * 8 + 5) // 6 + 1:(len(prefix) + len(secret)) * 8 // 6 - 1]
latin = 'Pässwörd-9x'.encode('latin-1')
wide = 'Pa$s w/rd&‹é>"x'.encode('utf-8')
for prefix in [b'', b'user:', b'alice:', b'ab', b'a']:
    print(core(prefix, latin))
for prefix in [b'', b'user:']:
    print(core(prefix, wide))
PY
)
while IFS= read -r form; do
  expect_not_contains "output hides base64 [$form]" "$form" "$out"
  expect_not_contains "run records hide base64 [$form]" "$form" "$runs"
done <<<"$forms"
expect_contains "the thrown base64 is masked" "connector 'e', entity 'thrown': Error: ***" "$out"
expect_contains "Basic auth keeps the user's part" "Authorization: Basic dXNlcjp***A== YWJ***A== YV***" "$out"
expect_contains "a secret beyond Latin-1: btoa refuses, UTF-8 base64 is masked" "InvalidCharacterError ***" "$out"
expect_contains "console output is masked" "[e] console.log: basic Basic YWxpY2U6***" "$out"
expect_contains "an action's result is masked" '{"auth":"Basic YWxpY2U6***","plain":"***"}' "$out"
expect_contains "the run record is masked" "Error: ***" "$runs"

finish
