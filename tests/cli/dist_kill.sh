# A distributed sync with three workers, one killed (kill -9) in the middle
# of a unit that has committed rows: the others finish the run (the dead
# worker's lease expires and its unit is leased again, attempt 2, resuming
# from its committed mark), the run ends done, and the tables equal a
# single-process sync of the same connector exactly — no row lost, none
# doubled.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/dist_lib.bash"
dist_three_workers

# A unit leased by one of our workers, with committed rows: kill its worker.
if wait_for_unit "state = 'leased' AND rows_written > 0"; then
  IFS='|' read -r unit_id partition attempt epoch owner written <<<"$unit"
  victim=$(owner_pid "$owner")
  case " ${worker_pids[*]} " in
    *" $victim "*)
      kill -9 "$victim"
      echo "killed worker $victim in unit $unit_id ($partition), $written rows committed" >&2
      ;;
    *) fail "lease_owner '$owner' names none of the workers (${worker_pids[*]})" ;;
  esac
  expect_eq "first attempt" 1 "$attempt"
else
  fail "no unit was ever leased with rows committed"
  unit_id=0
fi

wait_workers
dist_wait_submit
expect_eq "the submitter succeeds" 0 "$submit_status"
expect_eq "the run is done, every unit done" "done|$accounts done" "$(run_state)"
expect_eq "the killed unit was leased again: attempt 2, by another worker" "2|t" \
  "$(pg "SELECT attempt, lease_owner <> '$owner' FROM _sluice.units WHERE unit_id = $unit_id")"
expect_eq "only that unit took two attempts" "$unit_id" \
  "$(pg "SELECT string_agg(unit_id::text, ',') FROM _sluice.units WHERE run_id = $run_id AND attempt > 1")"
expect_eq "SHOW SYNC UNITS: the unit done on its second attempt" "done|2" "$(show_unit "$unit_id" state attempt)"
expect_tables_equal "after kill -9"
expect_not_contains "no secret in the submitter's output" "dist-token" "$submit_out"
expect_not_contains "no secret in a worker's output" "dist-token" "$(cat "$dir"/worker-*.err)"
finish
