# Helpers for tests/cli/cq_serve_*.sh: start `sluice plugin serve` the way
# the CloudQuery CLI starts a local plugin, and stop it the way the CLI
# does. Source after lib.bash (needs $sluice, $dir, $slow, fail).
#
# serve_unix NAME EXE [ARGS...]
#   Runs `EXE [ARGS...] serve --log-level info --log-format json --network
#   unix --address /tmp/cq-<16 random letters>.sock` (the CLI's argv for
#   registry: local), stdout to $dir/NAME.out, stderr to $dir/NAME.err, and
#   waits for the socket. Sets SERVE_PID and SERVE_TARGET (unix:PATH) and
#   SERVE_SOCKET.
# serve_tcp NAME EXE [ARGS...]
#   The same with `--network tcp --address 127.0.0.1:0`; the port comes from
#   the "listening on" log line. Sets SERVE_PID and SERVE_TARGET.
# stop_serve NAME [SIGNAL]
#   Sends SIGNAL (default INT), waits for the exit and expects status 0 and
#   the socket (if any) gone.
# expect_json_log NAME
#   Every stdout line is a JSON object with level, message and time.

random_socket() {
  local letters
  letters=$(tr -dc 'a-zA-Z' </dev/urandom | head -c 16)
  printf '/tmp/cq-%s.sock' "$letters"
}

SERVE_PIDS=()
SERVE_SOCKETS=()
cleanup_serves() {
  local pid
  for pid in "${SERVE_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  local socket
  for socket in "${SERVE_SOCKETS[@]}"; do rm -f "$socket"; done
  [ -n "${KEEP_DIR:-}" ] || rm -rf "$dir"
}
trap cleanup_serves EXIT

serve_unix() {
  local name=$1
  shift
  SERVE_SOCKET=$(random_socket)
  SERVE_SOCKETS+=("$SERVE_SOCKET")
  "$@" serve --log-level info --log-format json --network unix --address "$SERVE_SOCKET" \
    >"$dir/$name.out" 2>"$dir/$name.err" &
  SERVE_PID=$!
  SERVE_PIDS+=("$SERVE_PID")
  SERVE_TARGET=unix:$SERVE_SOCKET
  local i
  for ((i = 0; i < 300 * slow; i++)); do
    [ -S "$SERVE_SOCKET" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "$name: no socket at $SERVE_SOCKET"
  cat "$dir/$name.out" "$dir/$name.err" >&2
  return 1
}

serve_tcp() {
  local name=$1
  shift
  SERVE_SOCKET=""
  "$@" serve --log-level info --log-format json --network tcp --address 127.0.0.1:0 \
    >"$dir/$name.out" 2>"$dir/$name.err" &
  SERVE_PID=$!
  SERVE_PIDS+=("$SERVE_PID")
  local i port=""
  for ((i = 0; i < 300 * slow; i++)); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/$name.out" | head -1)
    [ -n "$port" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    fail "$name: never said which port it listens on"
    cat "$dir/$name.out" "$dir/$name.err" >&2
    return 1
  fi
  SERVE_TARGET=127.0.0.1:$port
}

stop_serve() {
  local name=$1 signal=${2:-INT}
  kill -"$signal" "$SERVE_PID"
  wait "$SERVE_PID"
  local status=$?
  expect_eq "$name: exits 0 on SIG$signal" 0 "$status"
  if [ -n "$SERVE_SOCKET" ] && [ -e "$SERVE_SOCKET" ]; then fail "$name: left its socket $SERVE_SOCKET behind"; fi
}

expect_json_log() {
  local name=$1
  if ! node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l !== "");
    if (lines.length === 0) { console.error("no log lines"); process.exit(1); }
    for (const line of lines) {
      const entry = JSON.parse(line);
      if (!["trace", "debug", "info", "warn", "error"].includes(entry.level)) throw new Error(`level in ${line}`);
      if (typeof entry.message !== "string" || typeof entry.time !== "string") throw new Error(`fields in ${line}`);
    }' "$dir/$name.out"; then
    fail "$name: stdout is not JSON log lines"
    cat "$dir/$name.out" >&2
  fi
}

# emulate NAME MODE TARGET [ARGS...]: the CLI emulator; its summary in
# $dir/NAME.json, its status in EMULATOR_STATUS.
emulate() {
  local name=$1
  shift
  node "$root/tests/compat/cli_emulator.mjs" "$@" >"$dir/$name.json" 2>"$dir/$name.emulator.err"
  EMULATOR_STATUS=$?
  if [ "$EMULATOR_STATUS" = 1 ] || [ "$EMULATOR_STATUS" = 2 ]; then head -c 2000 "$dir/$name.emulator.err" >&2; fi
}

# json_get FILE EXPRESSION: a value of the JSON in FILE (`j` is the JSON).
json_get() {
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = eval(process.argv[2]); console.log(typeof v === "string" ? v : JSON.stringify(v));' "$1" "$2"
}
