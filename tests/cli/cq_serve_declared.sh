# `sluice plugin serve` of a declared connector (examples/myservice, .sql
# files) as the CloudQuery CLI would use it: launched through a generated
# wrapper with the CLI's argv for registry: local, driven by the CLI
# emulator (tests/compat/cli_emulator.mjs on @cloudquery/plugin-pb-javascript
# 0.0.39 and Arrow JS), over a unix socket and over TCP. Its rows equal
# Sluice's own SELECT of the same connector; errors come back as gRPC
# statuses with clear messages; the API key never reaches the log.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/cli/cq_serve_lib.bash"
cd "$root"
source tests/servers/start_test_server.bash
token=cq-serve-key-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" >/dev/null || exit 1

# The wrapper a CLI user points `path:` at (registry: local).
"$sluice" plugin wrapper examples/myservice -o "$dir/myservice-plugin" >/dev/null
[ -x "$dir/myservice-plugin" ] || fail "the wrapper is executable"
expect_contains "the wrapper drops the CLI's leading 'serve'" '[ "$1" = serve ] && shift' "$(cat "$dir/myservice-plugin")"

printf '{"api_url": "%s", "api_key": "%s"}' "$TEST_SERVER_URL" "$token" > "$dir/spec.json"

# --- unix socket, the CLI's way ---------------------------------------------------
serve_unix unix "$dir/myservice-plugin" || { finish; exit 1; }
emulate sync sync "$SERVE_TARGET" --spec "$dir/spec.json" --out "$dir/served.json" --out-rows "$dir/served.rows.json"
expect_eq "sync: every message rule holds" 0 "$EMULATOR_STATUS"
expect_eq "sync: items migrated" '["items"]' "$(json_get "$dir/sync.json" 'j.migrated')"
expect_eq "sync: 25 items" 25 "$(json_get "$dir/sync.json" 'j.rows.items')"

# The same rows as Sluice's own SELECT of a connector with that CONFIG.
"$sluice" -w "$dir/native.db" examples/myservice/connector.sql >/dev/null 2>"$dir/native.err" || fail "native: definitions"
MYSERVICE_KEY=$token "$sluice" -w "$dir/native.db" \
  -c "CREATE CONNECTOR m TYPE 'myservice' CONFIG {\"api_url\": \"$TEST_SERVER_URL\", \"api_key\": \"{{env.MYSERVICE_KEY}}\"}" \
  >/dev/null 2>>"$dir/native.err" || fail "native: connector"
{
  printf '{"tables": {"items": '
  MYSERVICE_KEY=$token "$sluice" -w "$dir/native.db" -f json -c "SELECT * FROM m.items" 2>>"$dir/native.err"
  printf '}}'
} > "$dir/native.rows.json"
out=$(node tests/compat/compare.mjs "$dir/served.json" "$dir/native.rows.json")
expect_eq "served rows equal Sluice's SELECT" 0 $?
printf '%s\n' "$out"

# `cloudquery tables`: Init without a connection and with no spec at all.
emulate tables tables "$SERVE_TARGET"
expect_eq "tables: answered" 0 "$EMULATOR_STATUS"
expect_eq "tables: the plugin's name" myservice "$(json_get "$dir/tables.json" 'j.name')"
expect_eq "tables: version" 1.0.0 "$(json_get "$dir/tables.json" 'j.version')"
expect_eq "tables: the cursor makes the table incremental" true \
  "$(json_get "$dir/tables.json" 'j.tables[0].metadata["cq:extension:incremental"]')"
expect_eq "tables: id is the primary key" true \
  "$(json_get "$dir/tables.json" 'j.tables[0].columns.find((c) => c.name === "id").metadata["cq:extension:primary_key"]')"
expect_eq "tables: metadata is a document (json)" 'extension<json>' \
  "$(json_get "$dir/tables.json" 'j.tables[0].columns.find((c) => c.name === "metadata").type')"

# CONFIG_SCHEMA as a JSON Schema; the methods a source lacks say UNIMPLEMENTED (12).
emulate schema spec-schema "$SERVE_TARGET"
expect_eq "spec schema: required keys" '["api_url","api_key"]' "$(json_get "$dir/schema.json" 'j.json_schema.required')"
expect_eq "spec schema: the secret is writeOnly" true "$(json_get "$dir/schema.json" 'j.json_schema.properties.api_key.writeOnly')"
expect_eq "TransformSchema is UNIMPLEMENTED" 12 "$(json_get "$dir/schema.json" 'j.transform_schema_code')"

# TestConnection: a real request; a wrong key is an auth failure, not an error status.
emulate test_ok test-connection "$SERVE_TARGET" --spec "$dir/spec.json"
expect_eq "TestConnection succeeds" true "$(json_get "$dir/test_ok.json" 'j.success')"
printf '{"api_url": "%s", "api_key": "wrong-key-value"}' "$TEST_SERVER_URL" > "$dir/bad_key.json"
emulate test_bad test-connection "$SERVE_TARGET" --spec "$dir/bad_key.json"
expect_eq "TestConnection with a wrong key fails" false "$(json_get "$dir/test_bad.json" 'j.success')"
expect_eq "… as an auth error" auth_error "$(json_get "$dir/test_bad.json" 'j.failure_code')"

# Init with a CONFIG the type refuses: an error status naming the key.
emulate null_spec sync "$SERVE_TARGET"
expect_eq "Init(null) for a type with required keys: an error status" 3 "$EMULATOR_STATUS"
expect_eq "… at Init" Init "$(json_get "$dir/null_spec.json" 'j.stage')"
expect_eq "… INVALID_ARGUMENT" 3 "$(json_get "$dir/null_spec.json" 'j.code')"
expect_contains "… naming the key" "config key 'api_url' is required" "$(json_get "$dir/null_spec.json" 'j.details')"
printf '[1, 2]' > "$dir/array.json"
emulate array_spec sync "$SERVE_TARGET" --spec "$dir/array.json"
expect_contains "a spec that is not an object is refused" "must be a JSON object" "$(json_get "$dir/array_spec.json" 'j.details')"
printf '\xff\xfe{"api_url": 1' > "$dir/garbage.json"
emulate garbage_spec sync "$SERVE_TARGET" --spec "$dir/garbage.json"
expect_eq "a spec of garbage bytes: an error status" 3 "$EMULATOR_STATUS"
expect_contains "… saying it is not JSON" "the spec is not JSON" "$(json_get "$dir/garbage_spec.json" 'j.details')"
printf '{"api_url": "%s", "api_key": "%s", "colour": "blue"}' "$TEST_SERVER_URL" "$token" > "$dir/extra.json"
emulate extra_spec sync "$SERVE_TARGET" --spec "$dir/extra.json"
expect_contains "an unknown spec key is refused" "colour" "$(json_get "$dir/extra_spec.json" 'j.details')"

# A table pattern that matches nothing fails the sync (as in the Go SDK).
emulate pattern sync "$SERVE_TARGET" --spec "$dir/spec.json" --tables 'itemz*'
expect_eq "unknown table pattern: an error status" 3 "$EMULATOR_STATUS"
expect_eq "… from Sync" Sync "$(json_get "$dir/pattern.json" 'j.stage')"
expect_contains "… naming the pattern" "tables pattern 'itemz*' matches no table" "$(json_get "$dir/pattern.json" 'j.details')"

# The API failing is an error message for the table (withErrorMessages), not a lost sync.
curl -s -X POST -H 'Content-Type: application/json' -d '' "$TEST_SERVER_URL/fail-items?code=500" >/dev/null
emulate api_down sync "$SERVE_TARGET" --spec "$dir/spec.json"
curl -s -X POST -H 'Content-Type: application/json' -d '' "$TEST_SERVER_URL/fail-items?code=0" >/dev/null
expect_eq "API failure: the sync ends normally" 0 "$EMULATOR_STATUS"
expect_eq "… with an error message for items" items "$(json_get "$dir/api_down.json" 'j.errors[0].table')"
expect_contains "… saying what failed" "500" "$(json_get "$dir/api_down.json" 'j.errors[0].error')"

stop_serve unix INT
expect_json_log unix
expect_not_contains "the API key is never logged" "$token" "$(cat "$dir/unix.out" "$dir/unix.err")"
expect_not_contains "nor the wrong one" "wrong-key-value" "$(cat "$dir/unix.out" "$dir/unix.err")"

# A stale socket (a server killed with -9) is replaced; a live one is not taken over.
stale=$(random_socket)
SERVE_SOCKETS+=("$stale")
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$stale"
[ -S "$stale" ] || fail "made a stale socket"
"$sluice" plugin serve examples/myservice --network unix --address "$stale" --log-format json >"$dir/stale.out" 2>&1 &
SERVE_PID=$!
SERVE_PIDS+=("$SERVE_PID")
SERVE_SOCKET=$stale
for ((i = 0; i < 300 * slow; i++)); do grep -q listening "$dir/stale.out" && break; sleep 0.1; done
expect_contains "serves over a stale socket" "listening on unix:$stale" "$(cat "$dir/stale.out")"
"$sluice" plugin serve examples/myservice --network unix --address "$stale" --log-format json >"$dir/taken.out" 2>&1
expect_eq "a live server's socket is not taken: exit 1" 1 $?
expect_contains "… saying so" "another server listens on $stale" "$(cat "$dir/taken.out")"
stop_serve stale TERM

# --- TCP, port picked by the system ------------------------------------------------
serve_tcp tcp "$dir/myservice-plugin" || { finish; exit 1; }
emulate tcp_sync sync "$SERVE_TARGET" --spec "$dir/spec.json"
expect_eq "tcp: every message rule holds" 0 "$EMULATOR_STATUS"
expect_eq "tcp: 25 items" 25 "$(json_get "$dir/tcp_sync.json" 'j.rows.items')"
stop_serve tcp TERM
expect_json_log tcp
expect_not_contains "tcp: the API key is never logged" "$token" "$(cat "$dir/tcp.out" "$dir/tcp.err")"

# Text logs, and the flags the CLI may add, are accepted.
"$sluice" plugin serve examples/myservice --network tcp --address 127.0.0.1:0 --log-format text \
  --no-sentry --license "$dir/none" --otel-endpoint http://127.0.0.1:1 --otel-endpoint-insecure >"$dir/text.out" 2>&1 &
SERVE_PID=$!
SERVE_PIDS+=("$SERVE_PID")
SERVE_SOCKET=""
for ((i = 0; i < 300 * slow; i++)); do grep -q listening "$dir/text.out" && break; sleep 0.1; done
expect_contains "text log" "INFO Plugin server listening on 127.0.0.1:" "$(cat "$dir/text.out")"
stop_serve text INT

# Bad invocations fail at once with a message.
"$sluice" plugin serve "$dir/no-such-folder" --log-format json >"$dir/nodir.out" 2>&1
expect_eq "a missing folder: exit 1" 1 $?
expect_contains "… named in a JSON error line" '"level":"error"' "$(cat "$dir/nodir.out")"
"$sluice" plugin serve examples/myservice --network udp >"$dir/udp.out" 2>&1
expect_eq "an unknown network: usage error" 105 $?

# Listening fails with the reason: no such folder, a path over sun_path's
# 107 bytes, an address in use.
"$sluice" plugin serve examples/myservice --network unix --address "$dir/no/such/folder/p.sock" >"$dir/nofolder.out" 2>&1
expect_eq "a socket in a missing folder: exit 1" 1 $?
expect_contains "… saying so" "folder $dir/no/such/folder: No such file or directory" "$(cat "$dir/nofolder.out")"
long="$dir/$(printf 'x%.0s' $(seq 1 120)).sock"
"$sluice" plugin serve examples/myservice --network unix --address "$long" >"$dir/long.out" 2>&1
expect_eq "a socket path too long: exit 1" 1 $?
expect_contains "… saying so" "longer than the 107 a unix socket path may have" "$(cat "$dir/long.out")"
python3 -c 'import socket, sys, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(600)' >"$dir/holder.port" &
holder=$!
for ((i = 0; i < 300 * slow; i++)); do [ -s "$dir/holder.port" ] && break; sleep 0.1; done
"$sluice" plugin serve examples/myservice --address "127.0.0.1:$(cat "$dir/holder.port")" >"$dir/inuse.out" 2>&1
expect_eq "an address in use: exit 1" 1 $?
expect_contains "… saying so" "the address is already in use" "$(cat "$dir/inuse.out")"
kill "$holder"
finish
