# A zombie worker: one of three workers is stopped (SIGSTOP) in the middle
# of a unit that has committed rows, for longer than its lease; another
# worker leases the unit (its epoch moves on); then the stopped one is
# continued (SIGCONT). Its next commit is refused by the fencing token — its
# stderr says "lease lost" — and no row is doubled: every key once, the
# tables equal a single-process sync, the run done.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/dist_lib.bash"
dist_three_workers

# Stop the worker of a leased unit with committed rows — between two
# batches: a worker stopped inside a batch's transaction holds its unit's
# row lock, so no one could lease the unit until it went on (and then its
# fence would rightly still match).
zombie=
tries=0
while [ -z "$zombie" ] && [ $((tries++)) -lt 50 ]; do
  wait_for_unit "state = 'leased' AND rows_written > 0" || break
  IFS='|' read -r unit_id partition attempt epoch owner written <<<"$unit"
  victim=$(owner_pid "$owner")
  case " ${worker_pids[*]} " in
    *" $victim "*) ;;
    *) fail "lease_owner '$owner' names none of the workers"; break ;;
  esac
  kill -STOP "$victim"
  # Still its unit, and no transaction open: a zombie to be.
  if [ -n "$(unit_sql "unit_id = $unit_id AND lease_epoch = $epoch AND state = 'leased'")" ] &&
    ! in_transaction "$victim"; then
    zombie=$victim
  else
    kill -CONT "$victim"
    sleep 0.05
  fi
done
if [ -z "$zombie" ]; then
  fail "could not stop a worker between batches of a leased unit"
  zombie=0
  unit_id=0
fi

# Past its lease, another worker takes the unit: the epoch moves on.
if wait_for_unit "unit_id = $unit_id AND lease_epoch > $epoch" 300; then
  IFS='|' read -r _ _ attempt2 epoch2 owner2 _ <<<"$unit"
  expect_eq "the unit was leased again by another worker" "t" "$([ "$owner2" != "$owner" ] && echo t || echo "f: $owner2")"
  expect_eq "its second attempt" 2 "$attempt2"
else
  fail "the stopped worker's unit was never leased again"
fi
kill -CONT "$zombie"

wait_workers
dist_wait_submit
expect_eq "the submitter succeeds" 0 "$submit_status"
zombie_err=$(cat "$dir/worker-$zombie.err" 2>/dev/null)
echo "stopped worker $zombie in unit $unit_id ($partition) at epoch $epoch; leased again at epoch ${epoch2:-?}; it said:" >&2
printf '%s\n' "$zombie_err" | grep "unit $unit_id " >&2
expect_contains "the zombie was told its lease was lost" "lease lost" "$zombie_err"
expect_contains "for that unit" "unit $unit_id " "$(printf '%s\n' "$zombie_err" | grep 'lease lost')"
# Not only its heartbeat: the unit's own end — a commit (or the completion)
# refused by the fence.
expect_contains "its write was refused" "unit $unit_id (f.forge_" \
  "$(printf '%s\n' "$zombie_err" | grep "attempt 1: lease lost")"
expect_not_contains "the zombie completed nothing it had lost" "unit $unit_id (" \
  "$(printf '%s\n' "$zombie_err" | grep ': done')"
expect_eq "the run is done, every unit done" "done|$accounts done" "$(run_state)"
expect_eq "the unit ended under the second lease" "done|$epoch2" \
  "$(pg "SELECT state || '|' || lease_epoch FROM _sluice.units WHERE unit_id = $unit_id")"
expect_tables_equal "after the zombie woke"
account=${partition#forge:}
n=$(pg "SELECT count(*) FROM single.g_forge_repos WHERE account = '$account'")
expect_eq "the stolen partition's repos: each once, as many as the single sync's" "$n|$n" \
  "$(pg "SELECT count(*) || '|' || count(DISTINCT id) FROM dist.f_forge_repos WHERE account = '$account'")"
finish
