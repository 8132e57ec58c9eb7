# Helpers for shell tests that need the test API server (README.md beside
# this file). Source it, don't run it:
#
#   source tests/servers/start_test_server.bash
#   start_test_server build/test_api_server --token secret || exit 1
#   curl -s "$TEST_SERVER_URL/items" -H 'Authorization: Bearer secret'
#
# start_test_server BIN [ARGS...]
#   Starts BIN with --port-file (in a fresh temp dir) and --exit-on-stdin-eof
#   plus ARGS, waits up to 10 s for the port file, and exports
#   TEST_SERVER_PORT, TEST_SERVER_URL (http://127.0.0.1:PORT) and
#   TEST_SERVER_PID. Returns non-zero, with the server's stderr, if it does not
#   come up. Calling it again starts another server (e.g. a second origin);
#   the variables then describe the newest one. The server is disowned: a
#   bare `wait` in the test does not wait for it, and `wait $TEST_SERVER_PID`
#   does not work.
#
# stop_test_server
#   Stops every server started here (SIGTERM, then SIGKILL after 5 s) and
#   removes their temp dirs. Safe to call more than once, and under set -e.
#
# Cleanup: the first start_test_server sets an EXIT trap that calls
# stop_test_server and then runs whatever EXIT trap was set before. A script
# that sets its own EXIT trap *afterwards* replaces that, so it must call
# stop_test_server from its trap itself. Even without any trap, a server
# exits when the shell that started it dies (even by SIGKILL): its stdin is a
# FIFO the shell holds open, and the server exits on EOF.

_test_server_pids=()
_test_server_dirs=()
_test_server_fds=()
_test_server_trap_set=""
_test_server_previous_trap=""
_test_server_rc=0

start_test_server() {
  if [[ $# -lt 1 ]]; then
    echo "usage: start_test_server BIN [ARGS...]" >&2
    return 2
  fi
  local bin=$1
  shift
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/test_api_server.XXXXXX") || return 1
  mkfifo "$dir/stdin" || return 1
  # Read-write, so the open does not wait for a reader; the server sees EOF
  # once this shell (and its children) no longer hold the FIFO.
  local fd
  exec {fd}<>"$dir/stdin"
  "$bin" --port-file "$dir/port" --exit-on-stdin-eof "$@" \
    <"$dir/stdin" >"$dir/stdout" 2>"$dir/stderr" {fd}>&- &
  local pid=$!
  # Out of the job table, so a test's bare `wait` does not wait for the
  # server; bash still reaps it when it exits.
  disown "$pid"
  _test_server_pids+=("$pid")
  _test_server_dirs+=("$dir")
  _test_server_fds+=("$fd")
  _test_server_install_trap

  local i
  for ((i = 0; i < 100 * ${SLUICE_TEST_SLOW:-1}; i++)); do
    [[ -s $dir/port ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "start_test_server: $bin exited before listening:" >&2
      cat "$dir/stderr" >&2
      return 1
    fi
    sleep 0.1
  done
  if [[ ! -s $dir/port ]]; then
    echo "start_test_server: $bin wrote no port file within $((10 * ${SLUICE_TEST_SLOW:-1})) s" >&2
    cat "$dir/stderr" >&2
    return 1
  fi
  TEST_SERVER_PORT=$(<"$dir/port")
  TEST_SERVER_URL="http://127.0.0.1:$TEST_SERVER_PORT"
  TEST_SERVER_PID=$pid
  export TEST_SERVER_PORT TEST_SERVER_URL TEST_SERVER_PID
}

stop_test_server() {
  local fd pid dir i
  for fd in "${_test_server_fds[@]}"; do
    exec {fd}>&-
  done
  for pid in "${_test_server_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${_test_server_pids[@]}"; do
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for dir in "${_test_server_dirs[@]}"; do
    rm -rf "$dir"
  done
  _test_server_pids=()
  _test_server_dirs=()
  _test_server_fds=()
  return 0
}

# Chains onto an existing EXIT trap rather than replacing it.
_test_server_install_trap() {
  [[ -n $_test_server_trap_set ]] && return
  _test_server_trap_set=1
  local previous
  previous=$(trap -p EXIT)
  if [[ -z $previous ]]; then
    trap stop_test_server EXIT
    return
  fi
  # `trap -p` prints: trap -- 'COMMAND' EXIT
  local -a words
  eval "words=($previous)"
  _test_server_previous_trap=${words[2]}
  # $? is kept for the previous command, which may exit with it.
  trap '_test_server_rc=$?; stop_test_server; (exit "$_test_server_rc"); eval "$_test_server_previous_trap"' EXIT
}
