# Sluice writes into CloudQuery destination plugins (CREATE DESTINATION …
# TYPE 'cloudquery', YAML registry: grpc), checked against real peers: a
# recorder built on @cloudquery/plugin-pb-javascript 0.0.39's generated
# service, grpc-js with its default 4 MiB receive limit and Arrow JS 21
# (tests/compat/dest_recorder.mjs) shows exactly what was sent — version
# check, Init with the spec, migrate_table before inserts on every stream,
# one record batch per insert, _cq_sync_time/_cq_source_name first,
# delete-stale's fields, Close; many rows go as several inserts each under
# 4 MiB; a row over 4 MiB, a plugin refusing an insert and an absent plugin
# are clear errors naming the plugin and the table, and the run is failed,
# not crashed. The JS SDK's own memdb destination takes migrate_table and
# inserts, and its delete-stale defect ("row.Schema is not a function") is
# reported the same way.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
compat=$root/tests/compat
if [ ! -d "$compat/node_modules/@cloudquery/plugin-pb-javascript" ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
# serve NAME COMMAND…: runs a plugin that listens on $dir/NAME.sock; waits
# for the socket (or the process's end).
serve() {
  local name=$1
  shift
  "$@" >"$dir/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq $((600 * slow))); do
    [ -S "$dir/$name.sock" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "$name did not start"
  cat "$dir/$name.log" >&2
  return 1
}
recorder() { serve "$1" node "$compat/dest_recorder.mjs" --address "unix:$dir/$1.sock" --out "$dir/$1.json" "${@:2}"; }
# js FILE EXPR: evaluates EXPR with `r` = the recorder's JSON and
# `inserts`/`migrates`/`deletes` its messages of each kind.
js() {
  node -e "const r = JSON.parse(require('fs').readFileSync('$1', 'utf8'));
    const all = r.writes.flat(), of = (k) => all.filter((m) => m.kind === k);
    const inserts = of('insert'), migrates = of('migrate_table'), deletes = of('delete');
    console.log($2)"
}
ws=$dir/ws.db
run() { "$sluice" "$ws" -c "$1" 2>&1; }
last_run() { sqlite3 "$ws" "SELECT $1 FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1"; }

run "CREATE CONNECTOR TYPE 'gen' CONFIG_SCHEMA {\"count\": {\"type\": \"integer\", \"default\": 3},
    \"size\": {\"type\": \"integer\", \"default\": 1}, \"huge_id\": {\"type\": \"integer\", \"default\": -1}};
  CREATE CONNECTOR ENTITY 'gen.items'
    FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"label\": {\"type\": \"string\"},
            \"ok\": {\"type\": \"boolean\"}, \"doc\": {\"type\": \"document\"}, \"at\": {\"type\": \"timestamp\"}}
    QUERY_HANDLER '''async function query(config) {
      const pad = 'x'.repeat(config.size);
      return Array.from({length: config.count}, (_, i) => ({id: i + 1,
        label: (i + 1 === config.huge_id ? 'y'.repeat(5 * 1024 * 1024) : 'é' + pad),
        ok: i % 2 === 0, doc: {n: i, tags: ['a']}, at: '2024-01-02T03:04:05Z'}));
    }''';
  CREATE CONNECTOR g TYPE 'gen' CONFIG {} OPTIONS {\"batch_size\": 50000};" >/dev/null

# --- What a full run sends, as the recorder decoded it.
recorder rec || exit 1
out=$(run "CREATE DESTINATION rec TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/rec.sock\", \"spec\": {\"region\": \"eu\"}};
  SYNC CONNECTOR g.items TO DESTINATION rec;")
expect_contains "a full run into the recorder" " items  | g_items | full | overwrite-delete-stale |         3 |            3 |" "$out"
r=$dir/rec.json
expect_eq "the protocol version asked, Init with the spec, Close at the end" '1 [{"spec":"{\"region\":\"eu\"}","no_connection":false}] 1' \
  "$(js "$r" "r.versions_asked, JSON.stringify(r.init), r.closes")"
expect_eq "every Write stream starts with migrate_table" "true" \
  "$(js "$r" "r.writes.every((w) => w.length > 0 && w[0].kind === 'migrate_table' && w[0].table === 'g_items')")"
expect_eq "migrate_table's schema: CloudQuery's two columns first, the key, the types" \
  "_cq_sync_time:Timestamp<MICROSECOND, UTC>:false _cq_source_name:Utf8:false id:Int64:true label:Utf8:false ok:Bool:false doc:Binary:false at:Timestamp<MICROSECOND, UTC>:false" \
  "$(js "$r" "migrates[0].fields.map((f) => f.name + ':' + f.type + ':' + f.metadata['cq:extension:primary_key']).join(' ')")"
expect_eq "doc is the json extension" "json json-serialized" \
  "$(js "$r" "migrates[0].fields[5].metadata['ARROW:extension:name'], migrates[0].fields[5].metadata['ARROW:extension:metadata']")"
expect_eq "one insert of one batch, with the table's schema" "1 1 3 g_items" \
  "$(js "$r" "inserts.length, inserts[0].batches, inserts[0].rows, inserts[0].table")"
expect_eq "the rows as Arrow JS reads them" '{"_cq_source_name":"g","id":1,"label":"éx","ok":true,"doc":"{\"n\":0,\"tags\":[\"a\"]}","at":1704164645000}' \
  "$(js "$r" "JSON.stringify({...inserts[0].first, _cq_sync_time: undefined})")"
expect_eq "then delete-stale for the source and table, at the rows' sync time" "g_items g true" \
  "$(js "$r" "deletes[0].table_name, deletes[0].source_name, deletes[0].sync_time_us === Math.round(inserts[0].first._cq_sync_time * 1000)")"
expect_eq "after the inserts were acknowledged, on a stream of its own" "delete" \
  "$(js "$r" "r.writes[r.writes.length - 1].map((m) => m.kind).slice(1).join(' ')")"

# --- Many rows: several inserts, each under grpc-js's 4 MiB, all accepted.
run "ALTER CONNECTOR g SET CONFIG {\"count\": 12000, \"size\": 1000};" >/dev/null
out=$(run "SYNC CONNECTOR g.items TO DESTINATION rec WRITE_MODE 'overwrite';")
expect_contains "12,000 rows of 1 kB in one batch" "|     12000 |        12000 |" "$out"
expect_eq "went as several inserts, each one batch of at most 4 MiB, every row once" "true true 12000" \
  "$(js "$r" "(() => { const big = r.writes[r.writes.length - 1].filter((m) => m.kind === 'insert');
     return [big.length >= 3, big.every((m) => m.batches === 1 && m.bytes <= 4194304),
             big.reduce((n, m) => n + m.rows, 0)].join(' '); })()")"

# --- A row over 4 MiB cannot be sent: a clear error, the run failed.
run "ALTER CONNECTOR g SET CONFIG {\"count\": 10, \"huge_id\": 7};" >/dev/null
before=$(js "$r" "inserts.length")
out=$(run "SYNC CONNECTOR g.items TO DESTINATION rec WRITE_MODE 'overwrite';")
status=$?
expect_eq "exit status (failed, not crashed)" 1 $status
expect_contains "names the batch" "sync g.items: batch of rows 1..10 of the run: " "$out"
expect_contains "names the plugin, the table and the row" "destination 'rec' (plugin at unix:$dir/rec.sock): table 'g_items': row 7 of the batch is " "$out"
expect_contains "and the limit" "bytes as an Arrow record, more than the 4194304-byte limit of one insert message" "$out"
expect_eq "the run is recorded failed" "failed" "$(last_run status)"
expect_eq "nothing of that batch was sent" "$before" "$(js "$r" "inserts.length")"

# --- A plugin that fails an insert: its status, naming plugin and table.
recorder refuse --fail-insert 1 || exit 1
run "ALTER CONNECTOR g SET CONFIG {\"count\": 5, \"huge_id\": -1};" >/dev/null
out=$(run "CREATE DESTINATION refuse TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/refuse.sock\"};
  SYNC CONNECTOR g.items TO DESTINATION refuse;")
expect_eq "a refused insert: exit status" 1 $?
expect_contains "is the plugin's error" "destination 'refuse' (plugin at unix:$dir/refuse.sock): table 'g_items': Write" "$out"
expect_contains "with its words" "INTERNAL: recorder refuses insert 1" "$out"
expect_eq "no delete-stale after a failed batch" 0 "$(js "$dir/refuse.json" "deletes.length")"

# --- No plugin at the address.
out=$(run "CREATE DESTINATION gone TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/nobody.sock\"};
  SYNC CONNECTOR g.items TO DESTINATION gone;")
expect_eq "an absent plugin: exit status" 1 $?
expect_contains "cannot connect, naming it" "destination 'gone' (plugin at unix:$dir/nobody.sock): cannot connect" "$out"

# --- CONFIG is checked where it is stored.
out=$(run "CREATE DESTINATION bad TYPE 'cloudquery' CONFIG {\"path\": \"localhost:1\", \"colour\": \"red\"};")
expect_contains "an unknown CONFIG key" "destination 'bad' (cloudquery): unknown CONFIG key 'colour' (path, registry, spec, state_path, timeout_seconds, write_timeout_seconds)" "$out"
out=$(run "CREATE DESTINATION bad TYPE 'cloudquery' CONFIG {\"spec\": {}};
  SYNC CONNECTOR g.items TO DESTINATION bad;")
expect_contains "path is required" "destination 'bad' (cloudquery) needs CONFIG {\"path\": \"localhost:7777\"}" "$out"

# --- FORCE asks the plugin to migrate by force.
mark=$(js "$r" "r.writes.length")
run "ALTER CONNECTOR g SET CONFIG {\"count\": 2, \"size\": 1, \"huge_id\": -1};
  SYNC CONNECTOR g.items TO DESTINATION rec WRITE_MODE 'overwrite' FORCE;" >/dev/null
expect_eq "FORCE: migrate_force on the first stream only" "true false" \
  "$(js "$r" "r.writes.slice($mark).map((w) => w[0].force).join(' ')")"
run "ALTER CONNECTOR g SET CONFIG {\"count\": 5};" >/dev/null

# --- A peer that is not a gRPC server: garbage bytes on connect.
node -e "require('net').createServer((s) => { s.end(Buffer.from('\u00ff\u0000garbage\r\n\r\nHTTP/1.1 200 OK\r\n', 'latin1')); })
  .listen('$dir/junk.sock')" >"$dir/junk.log" 2>&1 &
pids+=($!)
for _ in $(seq $((600 * slow))); do [ -S "$dir/junk.sock" ] && break; sleep 0.1; done
out=$(run "CREATE DESTINATION junk TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/junk.sock\"};
  SYNC CONNECTOR g.items TO DESTINATION junk;")
status=$?
expect_eq "garbage from the peer: exit status (failed, not crashed)" 1 $status
expect_contains "names the plugin" "destination 'junk' (plugin at unix:$dir/junk.sock): cannot connect" "$out"

# --- Another protocol version.
recorder v2 --versions 2 || exit 1
out=$(run "CREATE DESTINATION v2 TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/v2.sock\"};
  SYNC CONNECTOR g.items TO DESTINATION v2;")
expect_eq "a plugin of protocol 2: exit status" 1 $?
expect_contains "is refused, naming it" "destination 'v2' (plugin at unix:$dir/v2.sock) speaks protocol version(s) [2], and Sluice speaks 3" "$out"
expect_eq "and never initialized" "[]" "$(js "$dir/v2.json" "JSON.stringify(r.init)")"

# --- A plugin dying mid-stream: an error naming it and the table; a re-run
# against the restarted plugin sends everything again and converges.
recorder crash --crash-insert 1 || exit 1
out=$(run "CREATE DESTINATION crash TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/crash.sock\"};
  SYNC CONNECTOR g.items TO DESTINATION crash;")
status=$?
expect_eq "a plugin dying mid-stream: exit status (failed, not crashed)" 1 $status
expect_contains "names the plugin and the table" "destination 'crash' (plugin at unix:$dir/crash.sock): table 'g_items': Write" "$out"
expect_contains "and what gRPC saw" "UNAVAILABLE" "$out"
expect_eq "the run is recorded failed" "failed" "$(last_run status)"
rm -f "$dir/crash.sock"
recorder crash || exit 1
out=$(run "SYNC CONNECTOR g.items TO DESTINATION crash;")
expect_eq "the re-run: exit status" 0 $?
expect_eq "sends every row again, then delete-stale" "5 1" "$(js "$dir/crash.json" "inserts.reduce((n, m) => n + m.rows, 0), deletes.length")"

# --- Incremental: the mark kept in CONFIG state_path once the plugin
# acknowledged the batch; without it every run sends everything.
run "CREATE CONNECTOR ENTITY 'gen.events' FIELDS {\"seq\": {\"type\": \"integer\", \"primary_key\": true}}
    CURSOR 'seq' QUERY_HANDLER '''async function query(config) {
      return Array.from({length: config.count}, (_, i) => ({seq: i + 1}));
    }''';
  CREATE DESTINATION inc TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/rec.sock\", \"state_path\": \"$dir/inc-state.json\"};" >/dev/null
sent() { js "$r" "r.writes.slice($1).flat().filter((m) => m.kind === 'insert' && m.table === 'g_events').map((m) => m.first.seq + '-' + m.last.seq).join(' ')"; }
mark=$(js "$r" "r.writes.length")
run "SYNC CONNECTOR g.events TO DESTINATION inc;" >/dev/null
expect_eq "the first incremental run sends every row" "1-5" "$(sent "$mark")"
expect_contains "and keeps the mark" '"cursor_value": 5' "$(cat "$dir/inc-state.json")"
run "ALTER CONNECTOR g SET CONFIG {\"count\": 8};" >/dev/null
mark=$(js "$r" "r.writes.length")
out=$(run "SYNC CONNECTOR g.events TO DESTINATION inc;")
expect_contains "the next run is incremental" " events | g_events | incremental |" "$out"
expect_eq "and sends only the new rows" "6-8" "$(sent "$mark")"
expect_eq "and no delete-stale" 0 "$(js "$r" "r.writes.slice($mark).flat().filter((m) => m.kind === 'delete').length")"
mark=$(js "$r" "r.writes.length")
run "SYNC CONNECTOR g.events TO DESTINATION rec;" >/dev/null
expect_eq "without state_path every run sends everything" "1-8" "$(sent "$mark")"

# --- The JavaScript SDK's memdb destination.
serve memdb node "$compat/node_modules/@cloudquery/plugin-sdk-javascript/dist/main.js" serve \
  --address "unix:$dir/memdb.sock" --log-format json || exit 1
run "ALTER CONNECTOR g SET CONFIG {\"count\": 3000, \"size\": 2000};" >/dev/null
out=$(run "CREATE DESTINATION mem TYPE 'cloudquery' CONFIG {\"path\": \"unix:$dir/memdb.sock\"};
  SYNC CONNECTOR g.items TO DESTINATION mem WRITE_MODE 'overwrite';")
expect_eq "memdb takes migrate_table and ~6 MB of inserts" 0 $?
expect_contains "every row written" "|      3000 |         3000 |" "$out"
out=$(run "SYNC CONNECTOR g.items TO DESTINATION mem;")
status=$?
expect_eq "memdb's delete-stale fails: exit status (failed, not crashed)" 1 $status
expect_contains "its error, naming plugin and table" "destination 'mem' (plugin at unix:$dir/memdb.sock): table 'g_items': Write (after delete-stale): UNKNOWN: row.Schema is not a function" "$out"
expect_eq "the run is recorded failed" "failed" "$(last_run status)"

# --- YAML: kind: destination with registry: grpc; tables keep the plugin's names.
mkdir "$dir/gen"
cat >"$dir/gen/gen.sql" <<'SQL'
CREATE OR REPLACE CONNECTOR TYPE 'gen2' CONFIG_SCHEMA {"count": {"type": "integer", "default": 2}};
CREATE OR REPLACE CONNECTOR ENTITY 'gen2.things' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''async function query(config) { return [{id: 1}, {id: 2}]; }''';
SQL
recorder yrec || exit 1
cat >"$dir/sync.yaml" <<YAML
kind: source
spec: {name: src, path: gen, destinations: [plugin]}
---
kind: destination
spec:
  name: plugin
  path: unix:$dir/yrec.sock
  registry: grpc
  write_mode: overwrite
  spec:
    token: \${CQ_DEST_TOKEN}
YAML
out=$(cd "$dir" && CQ_DEST_TOKEN=s3cret "$sluice" sync sync.yaml -w "$ws" 2>&1)
expect_eq "sluice sync with a grpc destination" 0 $?
expect_eq "the plugin got its spec (the variable read at run time), the table its own name" \
  '[{"spec":"{\"token\":\"s3cret\"}","no_connection":false}] things 2' \
  "$(js "$dir/yrec.json" "JSON.stringify(r.init), inserts[0].table, inserts[0].rows")"
expect_not_contains "the token is never printed" "s3cret" "$out"
expect_eq "nor stored" "" "$(grep -l s3cret "$ws")"
# A plugin quoting its spec back in an error: the secret is masked.
recorder quoting --fail-init || exit 1
sed "s|yrec.sock|quoting.sock|" "$dir/sync.yaml" >"$dir/quoting.yaml"
out=$(cd "$dir" && CQ_DEST_TOKEN=s3cret "$sluice" sync quoting.yaml -w "$ws" 2>&1)
expect_eq "a refused Init: exit status" 1 $?
expect_contains "is the plugin's error, naming it" "destination 'plugin' (plugin at unix:$dir/quoting.sock): Init failed: INVALID_ARGUMENT: bad spec" "$out"
expect_not_contains "with the secret masked" "s3cret" "$out"
expect_eq "in the run record too" "" "$(grep -l s3cret "$ws")"
# A credential written into the spec itself is refused where it is stored.
out=$(run "CREATE DESTINATION leaky TYPE 'cloudquery' CONFIG {\"path\": \"localhost:1\", \"spec\": {\"password\": \"hunter2\"}};")
expect_contains "a literal credential in spec" "destination config key 'spec.password' holds a credential: store it with CREATE SECRET" "$out"
finish
