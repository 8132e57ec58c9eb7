# Random kills: for several seeds, a distributed run whose workers are
# killed (kill -9) and restarted on a random schedule, under a time cap.
# Afterwards every unit is done and the tables equal a single-process sync;
# or, where a unit's attempts ran out, the run is partial and the rows of
# every completed partition equal the single sync's rows of that partition
# (a failed partition's rows are left as they were: here, none).
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/dist_lib.bash"
accounts=6
seeds="11 23 37"
attempts=2  # few: some seeds run a unit out of attempts
if [ "$slow" -gt 1 ]; then
  accounts=4
  seeds="23"  # CI time: one seed under the sanitizer
fi
dist_setup "$accounts" 40 "{\"concurrency\": 1, \"batch_size\": 2, \"lease_seconds\": $((2 * slow)), \"max_attempts\": $attempts}" \
  --forge-repos 4
dist_single
cap=$((45 * slow))  # seconds a seed's run may take before the test gives up on it

alive() {  # the workers still running
  local pid
  for pid in "${worker_pids[@]}"; do kill -0 "$pid" 2>/dev/null && printf '%s ' "$pid"; done
}

# done_accounts ENTITY: the accounts (partitions) whose ENTITY unit
# completed, as SQL literals.
done_accounts() {
  pg "SELECT string_agg(quote_literal(substr(partition_id, 7)), ',') FROM _sluice.units
    WHERE run_id = $run_id AND state = 'done' AND entity = '$1'"
}

for seed in $seeds; do
  RANDOM=$seed
  pg "DROP SCHEMA IF EXISTS dist CASCADE" >/dev/null
  worker_pids=()
  dist_submit
  for _ in 1 2 3; do start_worker; done
  schedule=()
  started=$SECONDS
  # Six random events, each after 0.2–1.0 s: a kill -9 of a random live
  # worker (3 in 4), or a new worker while fewer than 3 run.
  for ((event = 0; event < 6; event++)); do
    sleep "$((2 + RANDOM % 9))e-1"
    read -ra live <<<"$(alive)"
    if ((${#live[@]} > 0 && (RANDOM % 4 != 0 || ${#live[@]} >= 3))); then
      victim=${live[RANDOM % ${#live[@]}]}
      kill -9 "$victim"
      schedule+=("kill $victim")
    else
      start_worker
      schedule+=("start $worker_pid")
    fi
  done
  # Then two workers that drain whatever is left.
  for _ in 1 2; do start_worker --drain; done
  while kill -0 "$submit_pid" 2>/dev/null && ((SECONDS - started < cap)); do sleep 0.2; done
  if kill -0 "$submit_pid" 2>/dev/null; then
    fail "seed $seed: the run did not end within $cap s (schedule: ${schedule[*]}; units: $(run_state))"
    kill -9 "$submit_pid"
  fi
  dist_wait_submit
  for pid in "${worker_pids[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done

  state=$(run_state)
  failed=$(pg "SELECT count(*) FROM _sluice.units WHERE run_id = $run_id AND state = 'failed'")
  echo "seed $seed: ${schedule[*]} → $state" >&2
  dist_single_wait
  if [ "$failed" = 0 ]; then
    expect_eq "seed $seed: run done" "done|$accounts done" "$state"
    expect_eq "seed $seed: the submitter succeeds" 0 "$submit_status"
    expect_tables_equal "seed $seed"
  else
    expect_eq "seed $seed: attempts ran out: run partial" "partial" "${state%%|*}"
    expect_eq "seed $seed: units done or failed" "0" \
      "$(pg "SELECT count(*) FROM _sluice.units WHERE run_id = $run_id AND state NOT IN ('done', 'failed')")"
    expect_eq "seed $seed: failed units used every attempt" "$failed" \
      "$(pg "SELECT count(*) FROM _sluice.units WHERE run_id = $run_id AND state = 'failed' AND attempt = $attempts")"
    # Completed partitions: the repos of accounts whose repos unit is done,
    # the issues of those whose issues unit is done (through single's repos).
    repos_done=$(done_accounts forge_repos)
    issues_done=$(done_accounts forge_issues)
    [ -n "$repos_done" ] && expect_eq "seed $seed: repos of the completed partitions equal the single sync's" \
      "$(digest single g_forge_repos "account IN ($repos_done)")" "$(digest dist f_forge_repos "account IN ($repos_done)")"
    in_repos="repo_id IN (SELECT id FROM single.g_forge_repos WHERE account IN (${issues_done:-NULL}))"
    [ -n "$issues_done" ] && expect_eq "seed $seed: issues of the completed partitions equal the single sync's" \
      "$(digest single g_forge_issues "$in_repos")" "$(digest dist f_forge_issues "$in_repos")"
  fi
done
finish
