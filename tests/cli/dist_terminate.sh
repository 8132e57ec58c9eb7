# A worker's database session is terminated (pg_terminate_backend) in the
# middle of a batch: the batch rolls back, the unit fails back to pending and
# is retried (attempt 2), and the run still ends done with tables equal to a
# single-process sync.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/dist_lib.bash"
dist_three_workers

# Once a unit has committed rows, terminate a worker's session in the
# middle of a batch: one inside a transaction whose statement writes into
# connector f's tables (the stage, COPY, the upsert) — only the workers
# write those (the single-process sync writes g's). The watch runs inside
# PostgreSQL, looking every 2 ms, so that it sees the batch's short
# transaction.
wait_for_unit "rows_written > 0" || fail "no unit committed rows"
watch=$(psql "$PG_URL" -Atq -v ON_ERROR_STOP=1 2>&1 <<SQL
SET client_min_messages = notice;
DO \$\$
DECLARE
  victim record;
BEGIN
  FOR i IN 1..$((5000 * slow)) LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT pid, client_port, state, left(query, 60) AS query INTO victim FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE '%f\\_forge\\_%' LIMIT 1;
    IF victim.pid IS NOT NULL AND pg_terminate_backend(victim.pid) THEN
      RAISE NOTICE 'terminated session % (port %, %): %', victim.pid, victim.client_port, victim.state, victim.query;
      RETURN;
    END IF;
    PERFORM pg_sleep(0.002);
  END LOOP;
  RAISE NOTICE 'no writing session seen';
END
\$\$;
SQL
)
printf '%s\n' "$watch" >&2
expect_contains "a worker's session terminated mid-batch" "NOTICE:  terminated session" "$watch"

wait_workers
dist_wait_submit
expect_eq "the submitter succeeds" 0 "$submit_status"
expect_eq "the run is done, every unit done" "done|$accounts done" "$(run_state)"
# The unit whose batch died failed back and was retried: one unit with a
# second attempt, done, its worker's stderr naming the first attempt's
# failure.
unit_id=$(pg "SELECT string_agg(unit_id::text, ',') FROM _sluice.units WHERE run_id = $run_id AND attempt > 1")
expect_eq "one unit took a second attempt" "yes" "$([[ $unit_id =~ ^[0-9]+$ ]] && echo yes || echo "no: [$unit_id]")"
expect_eq "it is done, on attempt 2" "done|2" \
  "$(pg "SELECT state || '|' || attempt FROM _sluice.units WHERE unit_id = ${unit_id:-0}")"
failed_line=$(cat "$dir"/worker-[0-9].err | grep -h "unit $unit_id (.*attempt 1: failed")
printf '%s\n' "$failed_line" >&2
expect_contains "its worker said why" "attempt 1: failed" "$failed_line"
expect_tables_equal "after a terminated session"
finish
