# The example integrations give the same rows in Sluice as under Node.js with
# the real CloudQuery SDK (tests/compat, @cloudquery/plugin-sdk-javascript
# 0.1.25 from its lock file), table by table, against one test API server.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -d tests/compat/node_modules/@cloudquery/plugin-sdk-javascript ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
source tests/servers/start_test_server.bash
token=compat-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" >/dev/null || exit 1
export COMPAT_TOKEN=$token

# compare EXAMPLE CONFIG_JSON: SDK rows vs Sluice rows for every table.
compare() {
  local example=$1 config=$2
  printf '%s' "$config" | sed "s/{{env.COMPAT_TOKEN}}/$token/" > "$dir/$example.spec.json"
  if ! node tests/compat/sdk_rows.mjs "examples/integrations/$example" "$dir/$example.spec.json" \
       "$dir/$example.sdk.json" 2> "$dir/$example.sdk.err"; then
    cat "$dir/$example.sdk.err" >&2
    fail "$example runs under the real SDK"
    return
  fi
  local ws=$dir/$example.db setup
  setup="CREATE CONNECTOR TYPE '$example' FROM INTEGRATION 'examples/integrations/$example';
         CREATE CONNECTOR c TYPE '$example' CONFIG $config;"
  "$sluice" -w "$ws" -c "$setup" >/dev/null 2>"$dir/$example.err" || { cat "$dir/$example.err" >&2; fail "$example: setup"; return; }
  local tables
  tables=$(node -e 'console.log(Object.keys(JSON.parse(require("fs").readFileSync(process.argv[1])).tables).join(" "))' \
           "$dir/$example.sdk.json")
  {
    printf '{"tables": {'
    local first=1
    for table in $tables; do
      [ $first = 1 ] || printf ','
      first=0
      printf '"%s": ' "$table"
      "$sluice" -w "$ws" -f json -c "SELECT * FROM c.$table" 2>>"$dir/$example.err" || printf 'null'
    done
    printf '}}'
  } > "$dir/$example.sluice.json"
  local out
  out=$(node tests/compat/compare.mjs "$dir/$example.sdk.json" "$dir/$example.sluice.json")
  local status=$?
  printf '%s\n' "$out"
  expect_eq "$example: Sluice's rows are the SDK's" 0 $status
  expect_not_contains "$example: the token is never printed" "$token" "$(cat "$dir/$example.err")"
}

compare forge "{\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{env.COMPAT_TOKEN}}\", \"accounts\": [\"acme\", \"globex\", \"initech\"]}"
compare sheets "{\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{env.COMPAT_TOKEN}}\"}"

# A broken comparison must be seen: change one value on Sluice's side.
sed 's/"acme\/repo-1"/"acme\/repo-X"/' "$dir/forge.sluice.json" > "$dir/forge.broken.json"
node tests/compat/compare.mjs "$dir/forge.sdk.json" "$dir/forge.broken.json" > "$dir/broken.out"
expect_eq "a changed value is a difference" 1 $?
expect_contains "and the row is shown" "only in Sluice" "$(cat "$dir/broken.out")"
finish
