# `sluice sync` of CloudQuery configs whose source is a plugin: `registry:
# grpc` (path unix:/abs/path to a plugin built on the real JS SDK, served by
# hand as the guide does), `registry: local` (an executable Sluice starts as
# the CLI does: `serve --log-level info --log-format json --network unix
# --address /tmp/cq-<16 letters>.sock`, here a wrapper script a user writes
# for a JS plugin, whose `serve` takes only --network tcp), with the guide's
# destination block (path cloudquery/sqlite, registry cloudquery); `registry:
# docker` without a working container runtime is a clear error.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -d "$root/tests/compat/node_modules/@cloudquery/plugin-sdk-javascript" ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
plugin_pid=""
trap '[ -n "$plugin_pid" ] && kill "$plugin_pid" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir"

# rows FILE TABLE: rows of the synced table, whether or not its name has the
# source's name before it.
rows() {
  local table
  table=$(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND (name = '$2' OR name LIKE '%\\_$2' ESCAPE '\\') ORDER BY length(name) LIMIT 1")
  [ -n "$table" ] && sqlite3 "$1" "SELECT count(*) FROM \"$table\""
}

destination() {
  cat <<YAML
---
kind: destination
spec:
  name: sqlite
  path: cloudquery/sqlite
  registry: cloudquery
  version: "v2.4.11"
  spec:
    connection_string: ./$1
YAML
}

# --- registry: grpc ---------------------------------------------------------
node "$root/tests/compat/cq_test_plugin.mjs" serve --address "unix:$dir/numbers.sock" --log-format json \
  > plugin.out 2> plugin.err &
plugin_pid=$!
for _ in $(seq $((300 * slow))); do [ -S numbers.sock ] && break; sleep 0.1; done
[ -S numbers.sock ] || { cat plugin.err >&2; fail "the plugin serves"; finish; }
{
  cat <<YAML
kind: source
spec:
  name: numbers
  registry: grpc
  path: unix:$dir/numbers.sock
  tables: ["*"]
  destinations: ["sqlite"]
  spec:
    rows: 7
YAML
  destination grpc.sqlite
} > grpc.yaml
out=$("$sluice" sync grpc.yaml -w ws.db 2>&1)
expect_eq "registry: grpc syncs" 0 $?
kind=$("$sluice" -w ws.db -f csv -c "SELECT kind FROM _sluice_connector_types WHERE name = 'numbers'" 2>&1)
expect_eq "the source is a plugin type named after it" "kind
plugin" "$kind"
expect_eq "its rows" "7 14" "$(rows grpc.sqlite numbers) $(rows grpc.sqlite numbers_notes)"
kill "$plugin_pid"
plugin_pid=""

# --- registry: local --------------------------------------------------------
# What a user writes to run a JS plugin under the CLI's registry: local.
cat > numbers-plugin <<SH
#!/usr/bin/env bash
echo "\$@" > "$dir/launched-with"
args=(); address=""; network=tcp
while [ \$# -gt 0 ]; do
  case "\$1" in
    --network) network=\$2; shift 2 ;;
    --address) address=\$2; shift 2 ;;
    *) args+=("\$1"); shift ;;
  esac
done
[ "\$network" = unix ] && address="unix:\$address"
exec node "$root/tests/compat/cq_test_plugin.mjs" "\${args[@]}" --address "\$address"
SH
chmod +x numbers-plugin
{
  cat <<YAML
kind: source
spec:
  name: numbers_local
  registry: local
  path: ./numbers-plugin
  destinations: ["sqlite"]
  spec:
    rows: 4
YAML
  destination local.sqlite
} > local.yaml
out=$("$sluice" sync local.yaml -w ws.db 2>&1)
expect_eq "registry: local syncs" 0 $?
expect_eq "its rows" "4 8" "$(rows local.sqlite numbers) $(rows local.sqlite numbers_notes)"
launched=$(cat launched-with)
expect_contains "launched as the CLI launches a plugin" "serve --log-level info --log-format json --network unix --address /" "$launched"
socket=${launched##* }
case "$socket" in
  */cq-????????????????.sock) ;;
  *) fail "the socket is cq-<16 letters>.sock in the temp dir: $socket" ;;
esac
[ -e "$socket" ] && fail "the socket $socket is removed when the plugin stops"
expect_contains "the plugin's JSON log lines are relayed with their level" "console.info: [plugin] resolving table numbers" "$out"

# --- registry: docker, registry: cloudquery ---------------------------------
{
  cat <<YAML
kind: source
spec:
  name: dockered
  registry: docker
  path: ghcr.io/example/some-plugin:v1.0.0
  destinations: ["sqlite"]
YAML
  destination docker.sqlite
} > docker.yaml
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  echo "a container runtime works here: the docker error case is not checked" >&2
else
  out=$(PATH=/usr/bin:/bin "$sluice" sync docker.yaml -w ws.db 2>&1)
  expect_eq "registry: docker without a runtime fails" 1 $?
  expect_contains "and says how to run the plugin instead" "use \`registry: grpc\` with \`path: localhost:7777\`" "$out"
  expect_contains "with the image" "docker run -p 7777:7777 ghcr.io/example/some-plugin:v1.0.0" "$out"
fi
sed 's/registry: docker/registry: cloudquery/' docker.yaml > hub.yaml
out=$("$sluice" sync hub.yaml -w ws.db 2>&1)
expect_eq "registry: cloudquery for a source is refused" 2 $?
expect_contains "and says what to do" "use registry: grpc" "$out"
finish
