# `sluice sync FILE.yaml`: CloudQuery-style configs — a source from a folder
# of definitions, sqlite and file destinations, table wildcards and skips,
# ${ENV} kept as a template (never stored resolved), and the errors: unknown
# keys, kinds, registries and plugins, a missing destination, an unset
# variable.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" --token yaml-token >/dev/null || exit 1
export SLUICE_SECRET_KEY=yaml-tests-key API_URL=$TEST_SERVER_URL API_KEY=yaml-token
cd "$dir"
cat >sync.yaml <<YAML
kind: source
spec:
  name: prod
  path: $root/examples/myservice
  tables: ["it*"]
  skip_tables: ["audit*"]
  destinations: ["local_db", "lake"]
  spec:
    api_url: \${API_URL}
    api_key: "\${API_KEY}"
---
kind: destination
spec:
  name: local_db
  path: cloudquery/sqlite
  registry: local
  write_mode: overwrite-delete-stale
  migrate_mode: safe
  spec:
    connection_string: ./out.sqlite
---
kind: destination
spec:
  name: lake
  path: cloudquery/file
  spec:
    path: ./lake
    format: json
YAML
out=$("$sluice" sync sync.yaml -w ws.db 2>&1)
expect_eq "sync.yaml runs" 0 $?
expect_contains "each sync is echoed" "SYNC CONNECTOR prod.items TO DESTINATION local_db WRITE_MODE 'overwrite';" "$out"
expect_eq "sqlite destination" 25 "$(sqlite3 out.sqlite "SELECT count(*) FROM items")"
expect_eq "file destination (json = JSONL)" 25 "$(wc -l <lake/items.jsonl)"
config=$(sqlite3 ws.db "SELECT config FROM _sluice_connectors WHERE name = 'prod'")
expect_eq "\${ENV} stays a template" '{"api_url":"{{env.API_URL}}","api_key":"{{env.API_KEY}}"}' "$config"
if grep -q yaml-token ws.db; then fail "the key was stored resolved"; fi
expect_not_contains "the key is never printed" yaml-token "$out"
"$sluice" sync sync.yaml -w ws.db >/dev/null 2>&1
expect_eq "a second run is incremental and appends nothing new" 25 "$(wc -l <lake/items.jsonl)"

bad() {  # bad NAME EXPECTED-STATUS EXPECTED-TEXT YAML
  printf '%s\n' "$4" >bad.yaml
  local got
  got=$("$sluice" sync bad.yaml -w ws.db 2>&1)
  expect_eq "$1: exit status" "$2" $?
  expect_contains "$1" "$3" "$got"
}
bad "unknown key" 2 "bad.yaml:4:3: unknown key 'colour' in source spec" "kind: source
spec:
  name: x
  colour: blue"
bad "unknown kind" 2 "unknown kind 'transformer' (source or destination)" "kind: transformer
spec: {name: x}"
bad "registry" 2 "registry 'github' is not supported" "kind: source
spec: {name: x, path: y, registry: github, destinations: [a]}"
bad "plugin" 2 "destination plugin 'cloudquery/bigquery' is not supported" "kind: destination
spec: {name: bq, path: cloudquery/bigquery}"
bad "unset variable outside a spec" 2 "environment variable 'SLUICE_NO_SUCH_VAR' is not set" "kind: source
spec:
  name: x
  path: \${SLUICE_NO_SUCH_VAR}
  destinations: [a]"
bad "missing destination" 1 "names destination 'nowhere', which no file defines" "kind: source
spec: {name: x, path: myservice, destinations: [nowhere]}"
bad "unknown type" 1 "path 'nothing_here' is neither a connector type in the workspace nor a folder" "kind: source
spec: {name: x, path: nothing_here, destinations: [d]}
---
kind: destination
spec: {name: d, path: sqlite, spec: {connection_string: x.db}}"
bad "pattern matching nothing" 1 "tables pattern 'users*' matches no entity of type 'myservice'" "kind: source
spec: {name: x, path: myservice, tables: ['users*'], destinations: [d]}
---
kind: destination
spec: {name: d, path: sqlite, spec: {connection_string: x.db}}"
bad "unknown destination spec key" 1 "unknown spec key 'dsn'" "kind: destination
spec: {name: d, path: postgresql, spec: {dsn: x}}"
bad "malformed YAML" 2 "bad.yaml:3:1: end of sequence flow not found" "kind: source
spec: [unclosed"
finish
