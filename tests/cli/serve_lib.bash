# Starting `sluice serve` for the serve_*.sh tests (source after lib.bash):
#   start_serve NAME WS ARGS…  starts `sluice serve WS ARGS…` (on
#     --listen 127.0.0.1:0 unless ARGS name a --listen), waits for its
#     "listening on" line and sets the variable NAME to the base URL
#     (http://HOST:PORT). Sets serve_pid to the server's pid; its output goes
#     to $dir/serve.out and $dir/serve.err for the first server, then
#     $dir/serve.2.out… Returns 1 (saying why on stderr) when it did not start.
#   stop_serves  stops every server started (for the EXIT trap).
serve_pids=()
serve_count=0

start_serve() {
  local name=$1 ws=$2
  shift 2
  local args=("$@") arg
  local listen=0
  for arg in "${args[@]}"; do [ "$arg" = --listen ] && listen=1; done
  [ $listen = 1 ] || args=(--listen 127.0.0.1:0 "${args[@]}")
  serve_count=$((serve_count + 1))
  local log=$dir/serve
  [ $serve_count = 1 ] || log=$dir/serve.$serve_count
  "$sluice" serve "$ws" "${args[@]}" >"$log.out" 2>"$log.err" &
  serve_pid=$!
  serve_pids+=($serve_pid)
  local i url
  # The same patience as the other waits of the tests: 30 s, times $slow.
  for ((i = 0; i < 300 * slow; i++)); do
    url=$(sed -n 's/^listening on //p' "$log.out" | head -n 1)
    if [ -n "$url" ]; then
      printf -v "$name" '%s' "$url"
      return 0
    fi
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "sluice serve ${args[*]} did not start: $(cat "$log.err")" >&2
  return 1
}

stop_serves() {
  local pid
  for pid in "${serve_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${serve_pids[@]}"; do wait "$pid" 2>/dev/null; done
  serve_pids=()
}
