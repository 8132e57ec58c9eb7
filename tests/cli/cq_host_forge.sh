# Sluice hosts a plugin built on the real CloudQuery JavaScript SDK: the
# forge example integration served by `node main.js serve` (SDK 0.1.25 from
# tests/compat) on a unix socket, as CREATE CONNECTOR TYPE … FROM PLUGIN. Its
# rows — SELECT and SYNC into SQLite — equal the SDK's own rows and Sluice's
# native FROM INTEGRATION load of the same folder, against one test API
# server. EXPLAIN says nothing is pushed down; TEST CONNECTOR is the
# plugin's own test.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -d tests/compat/node_modules/@cloudquery/plugin-sdk-javascript ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
source tests/servers/start_test_server.bash
token=forge-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" >/dev/null || exit 1
export COMPAT_TOKEN=$token
plugin_pid=""
cleanup() {
  [ -n "$plugin_pid" ] && kill "$plugin_pid" 2>/dev/null
  stop_test_server
  rm -rf "$dir"
}
trap cleanup EXIT

# The plugin folder, with the SDK beside it (as sdk_rows.mjs runs it).
cp -r examples/integrations/forge "$dir/forge"
rm -rf "$dir/forge/node_modules"
ln -s "$root/tests/compat/node_modules" "$dir/forge/node_modules"
socket=$dir/forge.sock
(cd "$dir/forge" && exec node main.js serve --address "unix:$socket" --log-format json) \
  > "$dir/plugin.out" 2> "$dir/plugin.err" &
plugin_pid=$!
for _ in $(seq $((300 * slow))); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { cat "$dir/plugin.err" >&2; fail "the SDK serves forge on $socket"; finish; }

config="{\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{env.COMPAT_TOKEN}}\", \"accounts\": [\"acme\", \"globex\", \"initech\"]}"
ws=$dir/ws.db
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'forge_plugin' FROM PLUGIN 'unix:$socket';
  CREATE CONNECTOR hosted TYPE 'forge_plugin' CONFIG $config;
  CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION 'examples/integrations/forge';
  CREATE CONNECTOR native TYPE 'forge' CONFIG $config;" 2>&1)
expect_eq "the types and connectors are made" 0 $?
entities=$("$sluice" -w "$ws" -f csv -c "SHOW ENTITIES" 2>&1 | grep '^forge_plugin,' | cut -d, -f2 | sort)
expect_eq "the plugin's tables are the type's entities" "forge_issues
forge_repos" "$entities"

# The SDK's own rows (and column types) for the same spec.
printf '%s' "$config" | sed "s/{{env.COMPAT_TOKEN}}/$token/" > "$dir/spec.json"
node tests/compat/sdk_rows.mjs examples/integrations/forge "$dir/spec.json" "$dir/sdk.json" 2> "$dir/sdk.err" \
  || { cat "$dir/sdk.err" >&2; fail "forge runs under the real SDK"; }

# rows CONNECTOR OUT: every table of the connector as compare.mjs reads them.
rows() {
  {
    printf '{"tables": {'
    printf '"forge_repos": '
    "$sluice" -w "$ws" -f json -c "SELECT * FROM $1.forge_repos" 2>>"$dir/sluice.err" || printf 'null'
    printf ', "forge_issues": '
    "$sluice" -w "$ws" -f json -c "SELECT * FROM $1.forge_issues" 2>>"$dir/sluice.err" || printf 'null'
    printf '}}'
  } > "$2"
}
rows hosted "$dir/hosted.json"
rows native "$dir/native.json"
hosted_cmp=$(node tests/compat/compare.mjs "$dir/sdk.json" "$dir/hosted.json")
expect_eq "hosted rows are the SDK's" 0 $?
native_cmp=$(node tests/compat/compare.mjs "$dir/sdk.json" "$dir/native.json")
expect_eq "native rows are the SDK's" 0 $?
printf 'hosted: %s\nnative: %s\n' "$hosted_cmp" "$native_cmp"
expect_contains "both tables are compared" "forge_issues: 30 rows" "$hosted_cmp"
# Hosting passes the SDK's bytes through: its documented defect (an empty
# list written as null) arrives as it is, where the native load keeps [].
expect_contains "hosted rows carry the SDK's own encoding" "empty lists the SDK wrote as null: 0" "$hosted_cmp"

# SYNC into SQLite: the same rows in both files, table by table.
out=$("$sluice" -w "$ws" -c "SYNC CONNECTOR hosted TO '$dir/hosted_sync.db'; SYNC CONNECTOR native TO '$dir/native_sync.db';" 2>&1)
expect_eq "both syncs run" 0 $?
expect_contains "the hosted sync writes every table" "hosted_forge_issues" "$out"
# synced FILE PREFIX OUT: the synced tables' rows (the SDK's columns) as JSON.
synced() {
  local repos issues
  repos=$(columns repos)
  issues=$(columns issues)
  {
    printf '{"tables": {"forge_repos": '
    sqlite3 -json "$1" "SELECT $repos FROM ${2}_forge_repos"
    printf ', "forge_issues": '
    sqlite3 -json "$1" "SELECT $issues FROM ${2}_forge_issues"
    printf '}}'
  } > "$3"
}
columns() {
  node -e 'const t=JSON.parse(require("fs").readFileSync(process.argv[1])).tables["forge_"+process.argv[2]];
           console.log(Object.keys(t.columns).map((c)=>"\""+c+"\"").join(", "))' "$dir/sdk.json" "$1"
}
synced "$dir/hosted_sync.db" hosted "$dir/hosted_synced.json"
synced "$dir/native_sync.db" native "$dir/native_synced.json"
node tests/compat/compare.mjs "$dir/sdk.json" "$dir/hosted_synced.json" > "$dir/cmp1" 
expect_eq "hosted rows synced into SQLite are the SDK's" 0 $?
node tests/compat/compare.mjs "$dir/sdk.json" "$dir/native_synced.json" > "$dir/cmp2"
expect_eq "native rows synced into SQLite are the SDK's" 0 $?

# Nothing is pushed down to a plugin, and EXPLAIN says so; SQLite still
# answers the WHERE, ORDER BY and LIMIT, and joins work.
plan=$("$sluice" -w "$ws" -c "EXPLAIN SELECT * FROM hosted.forge_repos WHERE account = 'acme' LIMIT 2" 2>&1)
expect_contains "EXPLAIN says nothing is pushed down" "nothing pushed down" "$plan"
got=$("$sluice" -w "$ws" -f csv -c "SELECT full_name FROM hosted.forge_repos WHERE account = 'globex' ORDER BY id DESC LIMIT 2" 2>&1)
expect_eq "WHERE, ORDER BY and LIMIT over a plugin" "full_name
globex/repo-4
globex/repo-3" "$got"
hosted_join=$("$sluice" -w "$ws" -f csv -c "SELECT r.full_name, count(*) AS n FROM hosted.forge_repos r JOIN hosted.forge_issues i ON i.repo_id = r.id GROUP BY 1 ORDER BY 1" 2>&1)
native_join=$("$sluice" -w "$ws" -f csv -c "SELECT r.full_name, count(*) AS n FROM native.forge_repos r JOIN native.forge_issues i ON i.repo_id = r.id GROUP BY 1 ORDER BY 1" 2>&1)
expect_eq "a join over the hosted tables is the native one" "$native_join" "$hosted_join"

got=$("$sluice" -w "$ws" -c "TEST CONNECTOR hosted" 2>&1)
expect_eq "TEST CONNECTOR passes" 0 $?
expect_contains "it is the plugin's own test" "the source's own connection test passed" "$got"

# The plugin's JSON log lines reach Sluice's output with their level; the
# token never does.
expect_not_contains "the token is never printed" "$token" "$(cat "$dir/sluice.err" 2>/dev/null) $out $got"
finish
