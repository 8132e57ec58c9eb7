# Table integrations (docs/integrations.md) end to end: module loading and
# its errors, resolver and row errors, one resolution per sync, concurrency
# under latency, LIMIT stopping resolvers, credentials in CONFIG, and the
# CloudQuery YAML path. Against the test API server's forge and sheets APIs.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source tests/servers/start_test_server.bash
token=int-$RANDOM$RANDOM
export FORGE_TOKEN=$token
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" --api-latency-ms 40 >/dev/null || exit 1
api=$TEST_SERVER_URL
forge="CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION 'examples/integrations/forge';"
forge_config="{\"base_url\": \"$api\", \"token\": \"{{env.FORGE_TOKEN}}\", \"accounts\": [\"acme\", \"globex\", \"initech\"]}"
reset() { curl -s -X POST "$api/api-stats/reset" -d "" >/dev/null; curl -s -X POST "$api/requests/reset" -d '' >/dev/null; }
stat() { curl -s "$api/api-stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

# --- modules -----------------------------------------------------------------
out=$("$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 'loader' FROM INTEGRATION 'tests/fixtures/integrations/loader'" \
  -c "CREATE CONNECTOR l TYPE 'loader'" -f csv -c "SELECT fact, value FROM l.modules ORDER BY fact" 2>&1)
expect_eq "ES modules, CommonJS, JSON, node_modules, exports patterns, import.meta, top-level await" \
'fact,value
cjs,cjs-pkg with a nested dependency (true)
greet,"hello, sluice"
legacy,legacy commonjs
meta,true
settings,from json
shout,HI!
twice,42' "$out"
out=$("$sluice" -w :memory: -f csv -c "CREATE CONNECTOR TYPE 'loader' FROM INTEGRATION 'tests/fixtures/integrations/loader'" \
  -c "SELECT name, version, description FROM (SHOW CONNECTOR TYPES)" 2>&1 || true)
"$sluice" -w "$dir/types.db" -c "CREATE CONNECTOR TYPE 'loader' FROM INTEGRATION 'tests/fixtures/integrations/loader'" >/dev/null 2>&1
out=$("$sluice" -w "$dir/types.db" -c "SHOW CONNECTOR TYPES" 2>&1)
expect_contains "the type takes the plugin's version" "0.3.1" "$out"
expect_contains "and describes itself as the plugin" "CloudQuery plugin loader 0.3.1" "$out"

# integration NAME MAIN_SOURCE [FILE CONTENT]…: a throwaway package in $dir.
integration() {
  local name=$1 main=$2
  shift 2
  mkdir -p "$dir/$name"
  printf '{"name": "%s", "version": "1.0.0", "type": "module", "main": "main.js"}\n' "$name" > "$dir/$name/package.json"
  printf '%s\n' "$main" > "$dir/$name/main.js"
  while [ $# -ge 2 ]; do
    mkdir -p "$(dirname "$dir/$name/$1")"
    printf '%s\n' "$2" > "$dir/$name/$1"
    shift 2
  done
}
load_error() { "$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/$1'" 2>&1; }

integration builtin "import { readFileSync } from 'node:fs';"
out=$(load_error builtin)
expect_contains "a Node built-in is refused, naming it and the importer" "module 'node:fs' (imported by builtin/main.js) is a Node.js built-in module" "$out"
integration missing "import pad from 'left-pad';"
out=$(load_error missing)
expect_contains "a package not installed is named" "cannot find module 'left-pad' (imported by missing/main.js): no node_modules/left-pad" "$out"
integration syntax "import './tables/t.js';" tables/t.js $'export const a = 1;\nexport const b = ;'
out=$(load_error syntax)
expect_contains "a syntax error names file, line and column" "syntax/tables/t.js:2:18: SyntaxError" "$out"
integration nosdk "import { x } from '@cloudquery/plugin-sdk-javascript/grpc/server';"
out=$(load_error nosdk)
expect_contains "an SDK path Sluice does not provide lists the ones it does" "Sluice provides the SDK's public paths" "$out"
integration unregistered "export const nothing = 1;"
out=$(load_error unregistered)
expect_contains "a main module that registers no plugin is told how" "createServeCommand(plugin).parse()" "$out"
integration throws "throw new TypeError('broken at load');"
out=$(load_error throws)
expect_contains "an exception while loading is shown with its position" "TypeError: broken at load" "$out"
expect_contains "and where" "throws/main.js:1" "$out"
integration escape "import x from 'outside';"
mkdir -p "$dir/escape/node_modules" "$dir/elsewhere/outside"
printf 'module.exports = 1;\n' > "$dir/elsewhere/outside/index.js"
ln -s "$dir/elsewhere/outside" "$dir/escape/node_modules/outside"
out=$(load_error escape)
expect_contains "a symlink out of the integration directory is not followed" "is outside the integration directory" "$out"
out=$("$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/nowhere'" 2>&1)
expect_contains "a missing directory" "integration directory '$dir/nowhere' does not exist" "$out"
out=$("$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/builtin' CONFIG_SCHEMA {}" 2>&1)
expect_contains "CONFIG_SCHEMA does not apply" "CONFIG_SCHEMA does not apply" "$out"

# --- rows and their errors ---------------------------------------------------
table_plugin() {
  cat <<JS
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { Int64, Utf8 } from '@cloudquery/plugin-sdk-javascript/arrow';
const tables = [createTable({ name: 'things', columns: [
  createColumn({ name: 'id', type: new Int64(), primaryKey: true }), createColumn({ name: 'label', notNull: $2 })],
  resolver: async (client, parent, stream, options) => { $1 } })];
createServeCommand(newPlugin('p', '1', async () => ({ tables: async () => tables,
  sync: (o) => sync({ client: { id: () => 'c' }, tables, stream: o.stream, concurrency: 1 }) }))).parse();
JS
}
integration throwing "$(table_plugin "stream.write({id: 1, label: 'a'}); throw new Error('page 2 failed');" false)"
out=$("$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/throwing'" -c "CREATE CONNECTOR c TYPE 't'" \
  -c "SELECT * FROM c.things" 2>&1)
expect_contains "a resolver's exception fails the query, naming the table" "table things (client c): resolver failed: page 2 failed" "$out"
integration nulls "$(table_plugin "stream.write({id: 1, label: 'a'}); stream.write({id: 2});" true)"
out=$("$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/nulls'" -c "CREATE CONNECTOR c TYPE 't'" \
  -c "SELECT * FROM c.things" 2>&1)
expect_contains "a not-null violation names table, column and row" "table things (client c), column label, row 2 (id=2): not-null column has no value" "$out"
# A failed sync keeps nothing wrong: the table's committed rows stay.
"$sluice" -w "$dir/keep.db" -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/nulls'" -c "CREATE CONNECTOR c TYPE 't'" >/dev/null 2>&1
out=$("$sluice" -w "$dir/keep.db" -c "SYNC CONNECTOR c" 2>&1)
expect_contains "the sync of that table fails" "failed" "$out"

# A client whose sync() starts the scheduler and returns nothing is done
# when the scheduler ends the stream, as under the SDK's server.
integration noreturn "$(table_plugin "await new Promise((r) => setTimeout(r, 20)); stream.write({id: 1, label: 'late'});" false | sed 's/sync: (o) => sync(/sync: (o) => { sync(/; s/concurrency: 1 })/concurrency: 1 }); }/')"
out=$("$sluice" -w :memory: -f csv -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/noreturn'" -c "CREATE CONNECTOR c TYPE 't'" \
  -c "SELECT label FROM c.things" 2>&1)
expect_contains "rows come though sync() returned nothing" "late" "$out"

# Pushdown reaches resolvers that want it as a fourth argument (a Sluice
# extension; under the SDK it is undefined).
integration pushdown "$(table_plugin "stream.write({id: 1, label: JSON.stringify(options ?? null)});" false)"
out=$("$sluice" -w :memory: -f csv -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/pushdown'" -c "CREATE CONNECTOR c TYPE 't'" \
  -c "SELECT label FROM c.things WHERE id = 1" 2>&1)
expect_contains "the resolver sees the WHERE equalities" '""filters"":{""id"":1}' "$out"
expect_contains "and the columns read" '""fields"":[""id"",""label""]' "$out"

# An incremental table (isIncremental, an incrementalKey column) syncs
# incrementally: its resolver gets the mark as options.cursor.
integration incremental "$(cat <<'JS'
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { Int64, TimestampSecond } from '@cloudquery/plugin-sdk-javascript/arrow';
const all = [1, 2, 3].map((id) => ({ id, updated_at: `2026-01-0${id}T00:00:00Z` }));
const tables = [createTable({ name: 'events', isIncremental: true, columns: [
  createColumn({ name: 'id', type: new Int64(), primaryKey: true }),
  createColumn({ name: 'updated_at', type: new TimestampSecond(), incrementalKey: true })],
  resolver: async (client, parent, stream, options) => {
    const since = options?.cursor?.value;
    console.log(`since ${since ?? 'the start'}`);
    for (const row of all) if (!since || row.updated_at >= since) stream.write(row);
  } })];
createServeCommand(newPlugin('p', '1', async () => ({ tables: async () => tables,
  sync: (o) => sync({ client: { id: () => 'c' }, tables, stream: o.stream, concurrency: 1 }) }))).parse();
JS
)"
"$sluice" -w "$dir/inc.db" -c "CREATE CONNECTOR TYPE 't' FROM INTEGRATION '$dir/incremental'" -c "CREATE CONNECTOR c TYPE 't'" >/dev/null 2>&1
out=$("$sluice" -w "$dir/inc.db" -c "SYNC CONNECTOR c" 2>&1)
expect_contains "the first run starts from nothing" "since the start" "$out"
expect_contains "and is incremental" "| incremental |" "$out"
out=$("$sluice" -w "$dir/inc.db" -c "SYNC CONNECTOR c" 2>&1)
expect_contains "the next run gets the mark" "since 2026-01-03T00:00:00Z" "$out"
expect_eq "and the boundary row is not doubled" 3 "$(sqlite3 "$dir/inc.db" "SELECT count(*) FROM c_events")"

# --- a sync: one resolution, concurrency, request counts -----------------------
ws=$dir/forge.db
"$sluice" -w "$ws" -c "$forge CREATE CONNECTOR f TYPE 'forge' CONFIG $forge_config;" >/dev/null 2>&1 || fail "forge setup"
reset
start=$(date +%s%N)
out=$("$sluice" -w "$ws" -c "SYNC CONNECTOR f" 2>&1)
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_contains "repos synced" "| f_forge_repos  | full | overwrite-delete-stale |        12 |           12" "$out"
expect_contains "issues synced" "| f_forge_issues | full | overwrite-delete-stale |        30 |           30" "$out"
requests=$(stat requests)
inflight=$(stat inflight_max)
# 3 accounts × 2 pages of repos, and 16 pages of issues over the 12 repos.
expect_eq "each page is fetched once for both tables" 22 "$requests"
log=$(curl -s "$api/requests")
expect_eq "no request twice" "" "$(printf '%s' "$log" | grep -o '"path":"/forge[^"]*","query":"[^"]*"' | sort | uniq -d)"
if [ "$inflight" -lt 4 ]; then fail "clients and relations resolve concurrently (in flight at most $inflight)"; fi
if [ "$inflight" -gt 10 ]; then fail "within the plugin's concurrency of 10 ($inflight)"; fi
echo "sync: $requests requests of 40 ms, $inflight in flight at most, ${elapsed_ms} ms in all (one at a time: $((requests * 40)) ms)"
expect_eq "the sync is recorded, twice" "2" "$("$sluice" -w "$ws" -f csv -c "SELECT count(*) AS n FROM _sluice_sync_runs WHERE status = 'ok'" | tail -1)"

"$sluice" -w "$ws" -c "ALTER CONNECTOR f SET OPTIONS {\"concurrency\": 1}" >/dev/null
reset
"$sluice" -w "$ws" -c "SYNC CONNECTOR f" >/dev/null 2>&1
expect_eq "OPTIONS.concurrency bounds the resolvers" 1 "$(stat inflight_max)"
expect_eq "and the same requests are made" 22 "$(stat requests)"

# LIMIT stops the resolvers: with 10 pages of repos per account, a query
# for one row reads the first pages, and the pages already asked for, only.
first_api=$api
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" --api-latency-ms 40 --forge-repos 20 >/dev/null || exit 1
api=$TEST_SERVER_URL
"$sluice" -w "$dir/many.db" -c "$forge CREATE CONNECTOR f TYPE 'forge' CONFIG {\"base_url\": \"$api\", \"token\": \"{{env.FORGE_TOKEN}}\", \"accounts\": [\"acme\", \"globex\", \"initech\"]};" >/dev/null 2>&1
out=$("$sluice" -w "$dir/many.db" -f csv -c "SELECT full_name FROM f.forge_repos LIMIT 1" 2>&1)
expect_eq "LIMIT 1 gives one row" 2 "$(printf '%s\n' "$out" | wc -l)"
if [ "$(stat requests)" -gt 6 ]; then fail "LIMIT 1 stops the resolvers: $(stat requests) of 30 pages requested"; fi
api=$first_api

reset
out=$("$sluice" -w "$ws" -c "SYNC CONNECTOR f ENTITIES (forge_issues)" 2>&1)
expect_contains "a child table alone syncs through its parents" "|           30 |" "$out"
expect_not_contains "without writing them" "f_forge_repos " "$out"

# --- credentials ---------------------------------------------------------------
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR g TYPE 'forge' CONFIG {\"base_url\": \"$api\", \"token\": \"literal-$token\", \"accounts\": [\"acme\"]}" 2>&1)
expect_contains "a credential in CONFIG must be a secret" "config key 'token' is a credential" "$out"
expect_not_contains "and its value is not shown" "literal-$token" "$out"
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR g TYPE 'forge' CONFIG {\"base_url\": \"$api\", \"token\": \"{{env.FORGE_TOKEN}}\", \"accounts\": [], \"colour\": 1}" 2>&1)
expect_contains "CONFIG is checked against the JSON schema at CREATE" "CONFIG does not match the integration's JSON schema" "$out"
expect_contains "naming what is wrong" "/accounts" "$out"
expect_contains "every problem" "colour" "$out"
out=$(FORGE_TOKEN=wrong "$sluice" -w "$ws" -c "SELECT count(*) FROM f.forge_repos" 2>&1)
expect_contains "a refused token fails with the request" "HTTP 401" "$out"

# --- the CloudQuery YAML path ----------------------------------------------------
cat > "$dir/forge.yaml" <<YAML
kind: source
spec:
  name: forge
  path: $root/examples/integrations/forge
  tables: ["forge_repos"]
  destinations: ["sqlite"]
  spec:
    base_url: $api
    token: \${FORGE_TOKEN}
    accounts: [acme]
---
kind: destination
spec:
  name: sqlite
  path: cloudquery/sqlite
  spec:
    connection_string: $dir/yaml-out.db
YAML
out=$("$sluice" sync "$dir/forge.yaml" -w "$dir/yaml.db" 2>&1)
status=$?
expect_eq "sluice sync runs an integration from its directory" 0 $status
expect_eq "and writes its table" 4 "$(sqlite3 "$dir/yaml-out.db" "SELECT count(*) FROM forge_repos" 2>&1)"
expect_not_contains "the token is never printed" "$token" "$out"

# A plugin's own folder (package.json, no .sql) is a source too, and its
# dynamic tables are the ones it lists for the spec.
mkdir -p "$dir/plugins"
cp -r examples/integrations/sheets "$dir/plugins/sheets"
rm -f "$dir/plugins/sheets"/*.sql
cat > "$dir/sheets.yaml" <<YAML
kind: source
spec:
  name: sheets
  path: plugins/sheets
  tables: ["*"]
  skip_tables: ["sheets_deals"]
  destinations: ["sqlite"]
  spec:
    base_url: $api
    token: \${FORGE_TOKEN}
---
kind: destination
spec:
  name: sqlite
  path: cloudquery/sqlite
  spec:
    connection_string: $dir/sheets-out.db
YAML
out=$("$sluice" sync "$dir/sheets.yaml" -w "$dir/sheets.db" 2>&1)
expect_eq "sluice sync runs a plugin folder" 0 $?
expect_eq "its dynamic table is synced" 10 "$(sqlite3 "$dir/sheets-out.db" "SELECT count(*) FROM sheets_contacts" 2>&1)"
expect_contains "and the skipped one is not" "no such table" "$(sqlite3 "$dir/sheets-out.db" "SELECT count(*) FROM sheets_deals" 2>&1)"
finish
