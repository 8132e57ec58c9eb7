# The example table integrations served by `sluice plugin serve` look, to a
# CloudQuery CLI, like the same integrations served by the real JavaScript
# SDK (@cloudquery/plugin-sdk-javascript 0.1.25, `node main.js serve`):
# GetTables answers the same schemas (names, Arrow types, nullability,
# every metadata key), and a sync gives the same rows as the SDK's own
# sync (tests/compat/sdk_rows.mjs), compared by tests/compat/compare.mjs.
# Both are driven by the CLI emulator (plugin-pb-javascript 0.0.39), forge
# over a unix socket and sheets over TCP, against one test API server.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/cli/cq_serve_lib.bash"
cd "$root"
if [ ! -d tests/compat/node_modules/@cloudquery/plugin-sdk-javascript ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
source tests/servers/start_test_server.bash
token=cq-serve-int-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" >/dev/null || exit 1

# sdk_serve EXAMPLE: the real SDK serving a copy of the example (its
# @cloudquery imports resolved through a node_modules symlink, as
# sdk_rows.mjs does), `--address unix:…` (the SDK refuses --network unix).
sdk_serve() {
  local example=$1
  mkdir -p "$dir/sdk"
  cp -r "examples/integrations/$example" "$dir/sdk/$example"
  ln -s "$root/tests/compat/node_modules" "$dir/sdk/$example/node_modules"
  SDK_SOCKET=$dir/sdk/$example.sock
  (cd "$dir/sdk/$example" && exec node main.js serve --address "unix:$SDK_SOCKET" --log-format json) \
    >"$dir/sdk-$example.out" 2>"$dir/sdk-$example.err" &
  SDK_PID=$!
  disown "$SDK_PID"  # killed by the EXIT trap, quietly
  SERVE_PIDS+=("$SDK_PID")
  local i
  for ((i = 0; i < 300 * slow; i++)); do
    [ -S "$SDK_SOCKET" ] && return 0
    sleep 0.1
  done
  fail "$example: the SDK did not listen"
  cat "$dir/sdk-$example.err" >&2
  return 1
}

# check EXAMPLE SPEC_JSON NETWORK
check() {
  local example=$1 spec=$2 network=$3
  printf '%s' "$spec" > "$dir/$example.spec.json"
  "$sluice" plugin wrapper "examples/integrations/$example" -o "$dir/$example-plugin" >/dev/null
  if [ "$network" = unix ]; then
    serve_unix "$example" "$dir/$example-plugin" || return
  else
    serve_tcp "$example" "$dir/$example-plugin" || return
  fi

  # The rows of a CLI-style sync equal the real SDK's rows.
  emulate "$example.sync" sync "$SERVE_TARGET" --spec "$dir/$example.spec.json" \
    --out "$dir/$example.served.json" --out-rows "$dir/$example.served.rows.json"
  expect_eq "$example: every message rule holds" 0 "$EMULATOR_STATUS"
  if ! node tests/compat/sdk_rows.mjs "examples/integrations/$example" "$dir/$example.spec.json" \
       "$dir/$example.sdk.json" 2>"$dir/$example.sdk.err"; then
    cat "$dir/$example.sdk.err" >&2
    fail "$example runs under the real SDK"
  fi
  local out
  out=$(node tests/compat/compare.mjs "$dir/$example.sdk.json" "$dir/$example.served.rows.json")
  expect_eq "$example: served rows are the SDK's" 0 $?
  printf '%s\n' "$out"
  expect_eq "$example: no error messages" '[]' "$(json_get "$dir/$example.sync.json" 'j.errors')"
  # The Arrow types the integration declared, as the SDK sends them (for
  # sheets, whose tables exist only once connected, this is where they show).
  expect_eq "$example: every column's Arrow type is the SDK's" \
    "$(json_get "$dir/$example.sdk.json" 'Object.fromEntries(Object.entries(j.tables).map(([n, t]) => [n, t.columns]))')" \
    "$(json_get "$dir/$example.served.json" 'Object.fromEntries(Object.entries(j.tables).map(([n, t]) => [n, t.columns]))')"

  # `cloudquery tables`: the same schemas as the SDK's GetTables.
  emulate "$example.tables" tables "$SERVE_TARGET" --spec "$dir/$example.spec.json"
  expect_eq "$example: tables answered" 0 "$EMULATOR_STATUS"
  sdk_serve "$example" || return
  emulate "$example.sdk.tables" tables "unix:$SDK_SOCKET" --spec "$dir/$example.spec.json"
  expect_eq "$example: the SDK answered the tables flow" 0 "$EMULATOR_STATUS"
  expect_eq "$example: GetTables equals the SDK's" "$(json_get "$dir/$example.sdk.tables.json" 'j.tables')" \
    "$(json_get "$dir/$example.tables.json" 'j.tables')"
  expect_eq "$example: GetName equals the SDK's" "$(json_get "$dir/$example.sdk.tables.json" 'j.name')" \
    "$(json_get "$dir/$example.tables.json" 'j.name')"
  # GetSpecSchema: the integration's own JSON schema.
  emulate "$example.schema" spec-schema "$SERVE_TARGET"
  expect_eq "$example: spec schema is the plugin's" \
    "$(cd "$dir/sdk/$example" && node --input-type=module -e "const { plugin } = await import('./plugin.js'); console.log(JSON.stringify(JSON.parse(plugin.jsonSchema())))")" \
    "$(json_get "$dir/$example.schema.json" 'j.json_schema')"

  stop_serve "$example" INT
  expect_json_log "$example"
  expect_not_contains "$example: the token is never logged" "$token" "$(cat "$dir/$example.out" "$dir/$example.err")"
}

check forge "{\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"$token\", \"accounts\": [\"acme\", \"globex\", \"initech\"]}" unix
check sheets "{\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"$token\"}" tcp

# The emulator's rules are live: the SDK 0.1.25's own child records lack
# cq:table_depends_on, which the migrated schema has (a defect of that
# SDK; a Go destination looks tables up by name, so it goes unnoticed).
emulate sdk_forge sync "unix:$dir/sdk/forge.sock" --spec "$dir/forge.spec.json"
expect_eq "the emulator flags the SDK's child records" 1 "$EMULATOR_STATUS"
expect_contains "… for the missing cq:table_depends_on" "differs from table forge_issues's migrated schema" \
  "$(cat "$dir/sdk_forge.emulator.err")"
expect_eq "… and the SDK sends one row per insert" 1 "$(json_get "$dir/sdk_forge.json" 'Math.max(...j.inserts.map((i) => i.rows))')"

# A spec the integration's JSON schema refuses: Init fails, saying why.
serve_unix forge_bad "$dir/forge-plugin" || { finish; exit 1; }
printf '{"base_url": "%s", "accounts": "acme"}' "$TEST_SERVER_URL" > "$dir/bad.json"
emulate bad_spec sync "$SERVE_TARGET" --spec "$dir/bad.json"
expect_eq "bad spec: an error status" 3 "$EMULATOR_STATUS"
expect_eq "… at Init" Init "$(json_get "$dir/bad_spec.json" 'j.stage')"
expect_contains "… naming the key" "accounts" "$(json_get "$dir/bad_spec.json" 'j.details')"
# Skipping the parent of a selected child is refused, and the server lives on.
emulate skip_parent sync "$SERVE_TARGET" --spec "$dir/forge.spec.json" --tables forge_issues --skip-tables forge_repos
expect_contains "skipping a parent of a selected child" "cannot skip a parent table" "$(json_get "$dir/skip_parent.json" 'j.details')"
# Selecting the child brings its parent, migrated first.
emulate child sync "$SERVE_TARGET" --spec "$dir/forge.spec.json" --tables forge_issues
expect_eq "a selected child brings its parent, first" '["forge_repos","forge_issues"]' "$(json_get "$dir/child.json" 'j.migrated')"
stop_serve forge_bad INT
finish
