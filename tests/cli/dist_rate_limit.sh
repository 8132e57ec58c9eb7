# A shared rate limit: three workers of one distributed run, the connector
# with OPTIONS {"rate_limit": R}. Each worker alone could send several
# times R requests a second (the API answers in 10 ms); each keeping R on
# its own would send 3R between them. The API's request log (the server's
# own timestamps) shows R between them, plus the burst: the rate is held in
# the coordinator (_sluice.rate_limits), not per process. A rate, not a
# wall-clock threshold: a slow machine only sends fewer.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/dist_lib.bash"
accounts=6
[ "$slow" -gt 1 ] && accounts=3
rate=10
burst=2
dist_setup "$accounts" 10 "{\"concurrency\": 1, \"batch_size\": 5, \"lease_seconds\": $((4 * slow)),
  \"rate_limit\": $rate, \"rate_limit_burst\": $burst}" --forge-repos 8
curl -s -o /dev/null -X POST -d '' "$TEST_SERVER_URL/requests/reset"

dist_submit
for _ in 1 2 3; do start_worker --drain; done
wait_workers
dist_wait_submit
expect_eq "the submitter succeeds" 0 "$submit_status"
expect_eq "the run is done" "done|$accounts done" "$(run_state)"
expect_eq "all repos synced" "$((accounts * 8))" "$(pg "SELECT count(*) FROM dist.f_forge_repos")"
workers=$(pg "SELECT count(DISTINCT lease_owner) FROM _sluice.units WHERE run_id = $run_id")
expect_eq "the three workers shared the units" "yes" "$([ "$workers" -ge 2 ] && echo yes || echo "no: $workers")"

# From the server's log: the forge requests' times; the rate over the
# whole run, and the most requests in any 2-second window.
curl -s "$TEST_SERVER_URL/requests" >"$dir/requests.json"
figures=$(python3 - "$dir/requests.json" "$rate" "$burst" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
rate, burst = float(sys.argv[2]), float(sys.argv[3])
times = sorted(e["at_ms"] / 1000 for e in log if e["path"].startswith("/forge/"))
n = len(times)
span = times[-1] - times[0] if n > 1 else 0
overall = (n - burst) / span if span > 0 else float("inf")
window = 2.0
most = max(sum(1 for u in times if t <= u < t + window) for t in times) if times else 0
print(n, f"{span:.2f}", f"{overall:.2f}", most)
PY
)
read -r requests span overall most <<<"$figures"
echo "requests $requests over $span s: $overall/s overall, at most $most in 2 s (rate $rate, burst $burst)" >&2
expect_eq "enough requests to measure" "yes" "$([ "${requests:-0}" -ge $((accounts * 8)) ] && echo yes || echo "no: $requests")"
# Closer to R than to 3R over the run …
expect_eq "the run's rate is near R, not 3R" "yes" \
  "$(awk -v r="$overall" -v R="$rate" 'BEGIN { print (r < 2 * R) ? "yes" : "no: " r "/s" }')"
# … and within R (+ burst, + half a second of delivery jitter) in every window.
expect_eq "every 2 s window within 2R + burst" "yes" \
  "$(awk -v m="$most" -v R="$rate" -v b="$burst" 'BEGIN { lim = 2 * R + b + R / 2; print (m <= lim) ? "yes" : "no: " m " > " lim }')"
expect_eq "the limiter's row is in the coordinator" "yes" \
  "$([ "$(pg "SELECT count(*) FROM _sluice.rate_limits")" -ge 1 ] && echo yes || echo no)"
finish
