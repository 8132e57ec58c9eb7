# `sluice plugin serve` at its limits, seen by the CLI emulator
# (tests/compat/cli_emulator.mjs): many rows become several inserts, each
# under 4 MiB and each with many rows; one row over 4 MiB fails the sync
# with an error naming the table and the row (never a silent drop); child
# rows follow their parents; shards split the tables, each exactly once; a
# client that cancels mid-stream leaves the server healthy; a workspace's
# type is served from a copy (the file is never changed); secrets in the
# spec never reach the log.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/cli/cq_serve_lib.bash"
cd "$root"

mkdir -p "$dir/bulk"
cat >"$dir/bulk/connector.sql" <<'SQL'
CREATE OR REPLACE CONNECTOR TYPE 'bulk'
  DESCRIPTION 'Generated rows, no API'
  VERSION '2.0.0'
  CONFIG_SCHEMA {"rows": {"type": "integer", "required": true}, "pad": {"type": "integer"},
                 "big": {"type": "integer"}, "password": {"type": "string", "secret": true},
                 "slow": {"type": "boolean"}};
CREATE OR REPLACE CONNECTOR ENTITY 'bulk.leaky'
  FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query(config) { throw new Error(`denied for ${config.password}`); }''';
CREATE OR REPLACE CONNECTOR ENTITY 'bulk.repos'
  FIELDS {"id": {"type": "integer", "primary_key": true}, "name": {"type": "string"},
          "pad": {"type": "string"}, "doc": {"type": "document"}, "tags": {"type": "array"},
          "at": {"type": "timestamp"}, "ok": {"type": "boolean"}, "score": {"type": "number"}}
  QUERY_HANDLER '''async function* query(config) {
  console.log(`generating with password ${config.password}`);
  const pad = 'x'.repeat(config.pad ?? 100);
  for (let start = 0; start < config.rows; start += 1000) {
    const page = [];
    for (let i = start; i < Math.min(config.rows, start + 1000); i++) {
      page.push({id: i, name: `repo ${i} ✓ é`, pad, doc: {n: i, nested: {ok: true}}, tags: ['a', i],
                 at: new Date(Date.UTC(2025, 0, 1) + i * 1000), ok: i % 2 === 0, score: i / 4});
    }
    yield page;
  }
}''';
CREATE OR REPLACE CONNECTOR ENTITY 'bulk.issues'
  FIELDS {"repo_id": {"type": "integer"}, "n": {"type": "integer"}}
  PARENT 'bulk.repos'
  QUERY_HANDLER '''async function query(config, filters, options, parent) {
  return [{repo_id: parent.id, n: 1}, {repo_id: parent.id, n: 2}];
}''';
CREATE OR REPLACE CONNECTOR ENTITY 'bulk.huge'
  FIELDS {"id": {"type": "string", "primary_key": true}, "blob": {"type": "string"}}
  QUERY_HANDLER '''async function query(config) {
  return config.big > 0 ? [{id: 'small', blob: 'x'}, {id: 'the-big-one', blob: 'y'.repeat(config.big)}] : [];
}''';
CREATE OR REPLACE CONNECTOR ENTITY 'bulk.labels'
  FIELDS {"name": {"type": "string", "primary_key": true}}
  QUERY_HANDLER '''async function query() { return [{name: 'bug'}, {name: 'feature'}, {name: 'docs'}]; }''';
CREATE OR REPLACE CONNECTOR ENTITY 'bulk.users'
  FIELDS {"login": {"type": "string", "primary_key": true}}
  QUERY_HANDLER '''async function query() { return [{login: 'ann'}, {login: 'bob'}]; }''';
CREATE OR REPLACE CONNECTOR ENTITY 'bulk.slow'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function* query(config) {
  if (!config.slow) return;
  console.log('slow sync started');
  for (let n = 0; ; n++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    yield [{n}];
  }
}''';
SQL
password=pw-$RANDOM-$RANDOM-secret
"$sluice" plugin wrapper "$dir/bulk" -o "$dir/bulk-plugin" >/dev/null
serve_unix bulk "$dir/bulk-plugin" || { finish; exit 1; }

# Many rows: ~1 KB each, 12000 of them, so several inserts.
printf '{"rows": 12000, "pad": 1000, "password": "%s"}' "$password" > "$dir/many.spec.json"
emulate many sync "$SERVE_TARGET" --spec "$dir/many.spec.json" --tables repos
expect_eq "many rows: every message rule holds (each insert ≤ 4 MiB)" 0 "$EMULATOR_STATUS"
expect_eq "many rows: all of them" 12000 "$(json_get "$dir/many.json" 'j.rows.repos')"
inserts=$(json_get "$dir/many.json" 'j.inserts.length')
[ "$inserts" -ge 3 ] || fail "many rows: several inserts (got $inserts)"
expect_eq "many rows: every insert holds many rows" true "$(json_get "$dir/many.json" 'j.inserts.every((i) => i.rows > 100)')"
expect_eq "many rows: none over 4 MiB" true "$(json_get "$dir/many.json" 'j.max_insert_bytes <= 4194304')"
expect_eq "many rows: but close to it (the budget is used)" true "$(json_get "$dir/many.json" 'j.max_insert_bytes > 2097152')"

# One row too large: the sync fails, naming the table and the row.
printf '{"rows": 1, "big": 4200000, "password": "%s"}' "$password" > "$dir/big.spec.json"
emulate big sync "$SERVE_TARGET" --spec "$dir/big.spec.json" --tables huge
expect_eq "a row over 4 MiB: an error status" 3 "$EMULATOR_STATUS"
expect_eq "… from Sync" Sync "$(json_get "$dir/big.json" 'j.stage')"
details=$(json_get "$dir/big.json" 'j.details')
expect_contains "… naming the table and row" "table 'huge', row 2 (id=the-big-one)" "$details"
expect_contains "… and the limit" "bytes one insert message may hold" "$details"

# A handler error quoting the secret: an error message for the table, masked.
printf '{"rows": 1, "password": "%s"}' "$password" > "$dir/leak.spec.json"
emulate leak sync "$SERVE_TARGET" --spec "$dir/leak.spec.json" --tables leaky
expect_eq "a failing table: the sync ends normally" 0 "$EMULATOR_STATUS"
expect_eq "… with its error message" leaky "$(json_get "$dir/leak.json" 'j.errors[0].table')"
expect_contains "… the secret masked" "denied for ***" "$(json_get "$dir/leak.json" 'j.errors[0].error')"
expect_not_contains "… never in the clear" "$password" "$(cat "$dir/leak.json")"

# Parents and children: migrated parents first, each child row after its parent's.
printf '{"rows": 30, "password": "%s"}' "$password" > "$dir/small.spec.json"
emulate tree sync "$SERVE_TARGET" --spec "$dir/small.spec.json" --out-rows "$dir/tree.rows.json"
expect_eq "tree: every message rule holds" 0 "$EMULATOR_STATUS"
expect_eq "tree: tables parents first" '["leaky","repos","issues","huge","labels","users","slow"]' "$(json_get "$dir/tree.json" 'j.migrated')"
expect_eq "tree: two issues per repo" 60 "$(json_get "$dir/tree.json" 'j.rows.issues')"
expect_eq "tree: repos' rows before issues'" true \
  "$(json_get "$dir/tree.json" 'j.inserts.findIndex((i) => i.table === "issues") > j.inserts.findIndex((i) => i.table === "repos")')"
expect_eq "tree: the child rows carry their parent" 30 \
  "$(json_get "$dir/tree.rows.json" 'new Set(j.tables.issues.map((r) => r.repo_id)).size')"
# A selected child brings its parent; skipping the child keeps the parent.
emulate child sync "$SERVE_TARGET" --spec "$dir/small.spec.json" --tables issues
expect_eq "a child alone brings its parent" '["repos","issues"]' "$(json_get "$dir/child.json" 'j.migrated')"
emulate nochild sync "$SERVE_TARGET" --spec "$dir/small.spec.json" --tables 'repos,issues' --skip-tables issues
expect_eq "skipping the child only" '["repos"]' "$(json_get "$dir/nochild.json" 'j.migrated')"

# Shards: each table in exactly one of them, children with their parent.
all=""
for n in 1 2 3; do
  emulate "shard$n" sync "$SERVE_TARGET" --spec "$dir/small.spec.json" --shard "$n/3"
  expect_eq "shard $n/3: rules hold" 0 "$EMULATOR_STATUS"
  all="$all $(json_get "$dir/shard$n.json" 'j.migrated.join(" ")')"
  expect_eq "shard $n/3: issues only with repos" true \
    "$(json_get "$dir/shard$n.json" '!j.migrated.includes("issues") || j.migrated.includes("repos")')"
done
expect_eq "shards: every table exactly once" "huge issues labels leaky repos slow users" "$(printf '%s\n' $all | sort | tr '\n' ' ' | sed 's/ $//')"
emulate shard_bad sync "$SERVE_TARGET" --spec "$dir/small.spec.json" --shard "4/3"
expect_contains "a shard outside 1..total is refused" "shard 4/3 is not valid" "$(json_get "$dir/shard_bad.json" 'j.details')"

# A client that goes away mid-stream: the server stops that sync and serves the next.
printf '{"rows": 20000, "pad": 2000, "password": "%s"}' "$password" > "$dir/cancel.spec.json"
emulate cancel sync "$SERVE_TARGET" --spec "$dir/cancel.spec.json" --tables repos --cancel-after 2
expect_eq "cancel: the emulator cancelled" true "$(json_get "$dir/cancel.json" 'j.cancelled')"
emulate after_cancel sync "$SERVE_TARGET" --spec "$dir/small.spec.json" --close
expect_eq "after a cancel the next sync works" 0 "$EMULATOR_STATUS"
expect_eq "… with every row" 30 "$(json_get "$dir/after_cancel.json" 'j.rows.repos')"

# SIGINT in the middle of a sync that never ends on its own: the server
# stops it, the client gets an error status, the process exits 0.
printf '{"rows": 1, "slow": true, "password": "%s"}' "$password" > "$dir/slow.spec.json"
node tests/compat/cli_emulator.mjs sync "$SERVE_TARGET" --spec "$dir/slow.spec.json" --tables slow \
  >"$dir/slow.json" 2>"$dir/slow.err" &
client=$!
for ((i = 0; i < 300 * slow; i++)); do grep -q 'slow sync started' "$dir/bulk.out" && break; sleep 0.1; done
expect_contains "the endless sync started" "slow sync started" "$(cat "$dir/bulk.out")"
stop_serve bulk INT
wait "$client"
expect_eq "the interrupted client gets an error status" 3 $?
expect_eq "… from Sync" Sync "$(json_get "$dir/slow.json" 'j.stage')"
expect_json_log bulk
expect_not_contains "the secret spec value is never logged" "$password" "$(cat "$dir/bulk.out" "$dir/bulk.err")"
expect_contains "… the handler's line is there, masked" "generating with password ***" "$(cat "$dir/bulk.out")"

# A source that never ends, or never yields: a client's cancel stops it and
# the next call is answered; rows of a slow source stream before it ends.
mkdir -p "$dir/endless"
cat >"$dir/endless/connector.sql" <<'SQL'
CREATE OR REPLACE CONNECTOR TYPE 'endless'
  CONFIG_SCHEMA {"token": {"type": "string"}, "api_key": {"type": "string"}, "nest": {"type": "object"}};
CREATE OR REPLACE CONNECTOR ENTITY 'endless.tell'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function query(config) {
  console.log(`config ${JSON.stringify(config)}`);
  throw new Error(`refused ${JSON.stringify(config)}`);
}''';
CREATE OR REPLACE CONNECTOR ENTITY 'endless.drip'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function* query() {
  for (let n = 0; ; n++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    yield [{n}];
  }
}''';
CREATE OR REPLACE CONNECTOR ENTITY 'endless.spin'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { console.log('spinning'); while (true) {} }''';
CREATE OR REPLACE CONNECTOR ENTITY 'endless.shapes'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return [{n: 7}, 1, 'x', null, [2], {n: 5}]; }''';
CREATE OR REPLACE CONNECTOR ENTITY 'endless.badcell'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return [{n: 1}, {n: 1.5}, {n: 3}]; }''';
CREATE OR REPLACE CONNECTOR ENTITY 'endless.fine'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return [{n: 1}, {n: 2}]; }''';
SQL
"$sluice" plugin wrapper "$dir/endless" -o "$dir/endless-plugin" >/dev/null
serve_unix endless "$dir/endless-plugin" || { finish; exit 1; }
export CLI_EMULATOR_TIMEOUT_MS=$((120000 * slow))
printf '{"token": "t-%s"}' "$RANDOM" > "$dir/endless.spec.json"
emulate drip_stream sync "$SERVE_TARGET" --spec "$dir/endless.spec.json" --tables drip --cancel-after 3
expect_eq "a slow endless source streams rows before it ends" true "$(json_get "$dir/drip_stream.json" 'j.cancelled && j.rows.drip > 0')"
emulate drip_cancel sync "$SERVE_TARGET" --spec "$dir/endless.spec.json" --tables drip --cancel-after-ms 1500
expect_eq "a slow endless source: the client cancels" true "$(json_get "$dir/drip_cancel.json" 'j.cancelled')"
emulate after_drip tables "$SERVE_TARGET"
expect_eq "… and the next call is answered" 0 "$EMULATOR_STATUS"
expect_eq "… by the same plugin" endless "$(json_get "$dir/after_drip.json" 'j.name')"
emulate spin_cancel sync "$SERVE_TARGET" --spec "$dir/endless.spec.json" --tables spin --cancel-after-ms 1500
expect_eq "a handler looping forever: the client cancels" true "$(json_get "$dir/spin_cancel.json" 'j.cancelled')"
emulate after_spin sync "$SERVE_TARGET" --spec "$dir/endless.spec.json" --tables drip --cancel-after 3
expect_eq "… and the next sync is served" true "$(json_get "$dir/after_spin.json" 'j.cancelled && j.rows.drip > 0')"

# Rows that are not objects, and a cell its column cannot hold: that table
# fails as if its handler threw (an error message naming connector, entity,
# row and field, as a native SELECT's), and the other tables go on.
emulate shapes sync "$SERVE_TARGET" --spec "$dir/endless.spec.json" --tables shapes,badcell,fine
expect_eq "bad rows: the sync ends normally" 0 "$EMULATOR_STATUS"
expect_eq "… the good table has its rows" 2 "$(json_get "$dir/shapes.json" 'j.rows.fine')"
expect_contains "… a row that is no object: the native refusal" \
  "connector 'endless', entity 'shapes', row 2: a row must be an object, got integer" \
  "$(json_get "$dir/shapes.json" 'j.errors.filter((e) => e.table === "shapes").map((e) => e.error).join("|")')"
expect_eq "… reported once" 1 "$(json_get "$dir/shapes.json" 'j.errors.filter((e) => e.table === "shapes").length')"
expect_contains "… a bad cell: named by connector, entity, row and field" \
  "connector 'endless', entity 'badcell', row 2, field 'n': 1.5" \
  "$(json_get "$dir/shapes.json" 'j.errors.filter((e) => e.table === "badcell").map((e) => e.error).join("|")')"
expect_contains "… and logged" "table badcell: connector 'endless'" "$(cat "$dir/endless.out")"

# Credentials nested in the spec, and a credential of the wrong type:
# never in the clear, in a message or the log.
printf '{"token": "tok-%s", "nest": {"password": "NestedPw-%s", "deeper": {"secret": "DeepSecret-%s", "tokens": ["ListedTok-%s"]}}}' \
  $RANDOM $RANDOM $RANDOM $RANDOM > "$dir/nested.spec.json"
emulate nested sync "$SERVE_TARGET" --spec "$dir/nested.spec.json" --tables tell
expect_eq "nested secrets: the failing table reports" tell "$(json_get "$dir/nested.json" 'j.errors[0].table')"
expect_contains "… its message masked" '"password":"***"' "$(json_get "$dir/nested.json" 'j.errors[0].error')"
for secret in $(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(s.nest.password, s.nest.deeper.secret, s.nest.deeper.tokens[0])' "$dir/nested.spec.json"); do
  expect_not_contains "… $secret never in a message" "$secret" "$(cat "$dir/nested.json")"
  expect_not_contains "… nor in the log" "$secret" "$(cat "$dir/endless.out" "$dir/endless.err")"
done
printf '{"api_key": 987654321}' > "$dir/typed.spec.json"
emulate typed sync "$SERVE_TARGET" --spec "$dir/typed.spec.json"
expect_eq "a credential of the wrong type: refused by Init" Init "$(json_get "$dir/typed.json" 'j.stage')"
expect_contains "… saying the type" "config key 'api_key' must be string, got integer" "$(json_get "$dir/typed.json" 'j.details')"
expect_not_contains "… never the value" 987654321 "$(cat "$dir/typed.json" "$dir/endless.out")"

# A spec nested 100,000 deep: refused before it is parsed or copied (the
# server stays up), naming the limit.
python3 -c "print('{\"nest\":' + '{\"a\":' * 100000 + '1' + '}' * 100000 + '}')" > "$dir/deep.spec.json"
emulate deep sync "$SERVE_TARGET" --spec "$dir/deep.spec.json"
expect_eq "a deep spec: an error status" 3 "$EMULATOR_STATUS"
expect_eq "… from Init" Init "$(json_get "$dir/deep.json" 'j.stage')"
expect_eq "… INVALID_ARGUMENT" 3 "$(json_get "$dir/deep.json" 'j.code')"
expect_contains "… naming the limit" "too deeply nested: more than 256 levels" "$(json_get "$dir/deep.json" 'j.details')"
emulate after_deep tables "$SERVE_TARGET"
expect_eq "… and the server still answers" endless "$(json_get "$dir/after_deep.json" 'j.name')"
unset CLI_EMULATOR_TIMEOUT_MS
stop_serve endless TERM

# A workspace's type, served from a copy: the file stays as it was.
"$sluice" -w "$dir/ws.db" "$dir/bulk/connector.sql" >/dev/null 2>&1 || fail "workspace: definitions"
before=$(sha256sum "$dir/ws.db")
"$sluice" plugin wrapper --workspace "$dir/ws.db" --type bulk -o "$dir/ws-plugin" >/dev/null
serve_tcp ws "$dir/ws-plugin" || { finish; exit 1; }
emulate ws_sync sync "$SERVE_TARGET" --spec "$dir/small.spec.json"
expect_eq "workspace: rules hold" 0 "$EMULATOR_STATUS"
expect_eq "workspace: rows" 60 "$(json_get "$dir/ws_sync.json" 'j.rows.issues')"
emulate ws_tables tables "$SERVE_TARGET"
expect_eq "workspace: name and version" "bulk 2.0.0" "$(json_get "$dir/ws_tables.json" 'j.name + " " + j.version')"
stop_serve ws TERM
expect_eq "workspace: the file is unchanged" "$before" "$(sha256sum "$dir/ws.db")"
finish
