# SYNC … DISTRIBUTED, the submitting side (lang/interpreter_distributed.cc)
# against a throwaway PostgreSQL cluster: refusals before anything is
# stored (a SQLite destination or the workspace, WHERE, OPTIONS out of
# range, a missing secret), a submit with no worker stopped by SIGINT (the
# run stays stored with its units pending, SHOW SYNC UNITS FOR RUN shows
# them, SHOW SYNC RUNS records it), the connection string's password never
# printed. (Workers ending runs: tests/cli/dist_worker.sh.)
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source tests/servers/start_test_server.bash
source tests/servers/start_postgres.bash
start_postgres || exit 1
token=ds-$RANDOM$RANDOM
export FORGE_TOKEN=$token SLUICE_SECRET_KEY=dist-submit-key
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" --items 500 --forge-repos 3 >/dev/null || exit 1
pg() { psql "$PG_URL" -Atq -c "$1" 2>&1; }
ws=$dir/ws.db
run() { "$sluice" "$ws" -c "$1" 2>&1; }
# A password the server does not need (trust authentication) but the
# connection string holds: it must never be printed.
secret_url="${PG_URL/sluice@/sluice:S3cret-Pässword@}"
out=$(run "CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION 'examples/integrations/forge';
  CREATE SECRET forge_token VALUE '$token';
  CREATE SECRET dist_url VALUE '$secret_url';
  CREATE CONNECTOR f TYPE 'forge' CONFIG {\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{secrets.forge_token}}\",
    \"accounts\": [\"acme\", \"globex\", \"initech\"]};
  CREATE CONNECTOR g TYPE 'forge' CONFIG {\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{secrets.nope}}\",
    \"accounts\": [\"acme\"]};
  CREATE DESTINATION dist TYPE 'postgresql' CONFIG {\"connection_string\": \"{{secrets.dist_url}}\", \"schema\": \"dist\"};
  CREATE DESTINATION single TYPE 'postgresql' CONFIG {\"connection_string\": \"$PG_URL\", \"schema\": \"single\"};
  CREATE DESTINATION lite TYPE 'sqlite' CONFIG {\"path\": \"$dir/lite.db\"};")
rc=$?
expect_eq "set-up" 0 $rc
[ $rc -eq 0 ] || printf '%s\n' "$out" >&2
stored() {
  [ "$(pg "SELECT to_regclass('_sluice.units') IS NOT NULL")" = t ] || { echo f; return; }
  pg "SELECT count(*) > 0 FROM _sluice.units"
}

# --- refusals: nothing is stored ------------------------------------------------
out=$(run "SYNC CONNECTOR f TO DESTINATION lite FULL DISTRIBUTED;")
expect_eq "a SQLite destination: exit 1" 1 $?
expect_contains "says why" "SYNC … DISTRIBUTED needs a PostgreSQL destination (its database coordinates the workers): 'lite' is sqlite" "$out"
out=$(run "SYNC CONNECTOR f DISTRIBUTED;")
expect_contains "the workspace is refused too" "'workspace' is sqlite" "$out"
out=$(run "SYNC CONNECTOR f TO DESTINATION dist WHERE id > 1 DISTRIBUTED;")
expect_eq "WHERE: exit 1" 1 $?
expect_contains "WHERE is refused" "WHERE" "$out"
out=$(run "ALTER CONNECTOR f SET OPTIONS {\"max_attempts\": 0};")
expect_contains "max_attempts out of range" "option 'max_attempts' must be from 1 to 100, got 0" "$out"
out=$(run "ALTER CONNECTOR f SET OPTIONS {\"lease_seconds\": 3601};")
expect_contains "lease_seconds out of range" "option 'lease_seconds' must be from 1 to 3600, got 3601" "$out"
out=$(run "SYNC CONNECTOR g TO DESTINATION dist FULL DISTRIBUTED;")
expect_eq "a missing secret: exit 1" 1 $?
expect_contains "names the secret" "secret 'nope' does not exist" "$out"
expect_eq "nothing stored by a refusal" f "$(stored)"

# --- a submit with no worker, stopped by SIGINT ------------------------------------
run "ALTER CONNECTOR f SET OPTIONS {\"max_attempts\": 2, \"lease_seconds\": 5};" >/dev/null
# A shell script's background job starts with SIGINT ignored (and sluice
# keeps it so, as Unix tools do): give it back its default, as a terminal's
# Ctrl-C would find it.
env --default-signal=INT "$sluice" "$ws" -c "SYNC CONNECTOR f ENTITIES (forge_repos, forge_issues) TO DESTINATION dist FULL DISTRIBUTED;" \
  >"$dir/submit.out" 2>&1 &
submitter=$!
for ((i = 0; i < 600 * slow; i++)); do
  [ "$(stored)" = t ] && break
  sleep 0.1
done
expect_eq "the run is stored while the submitter waits" t "$(stored)"
kill -INT $submitter
wait $submitter
expect_eq "SIGINT: exit 130" 130 $?
out=$(cat "$dir/submit.out")
run_id=$(pg "SELECT max(run_id) FROM _sluice.runs")
expect_contains "the submit note" "distributed run $run_id: 3 units stored; waiting for workers (sluice worker --coordinator <the connection string of destination 'dist'>)" "$out"
expect_contains "the stop note" "stopped waiting: distributed run $run_id goes on as workers take its units; SHOW SYNC UNITS FOR RUN $run_id shows them" "$out"
expect_not_contains "no password in the output" "S3cret" "$out"
expect_eq "its units stay pending" "3|pending" "$(pg "SELECT count(*), string_agg(DISTINCT state, ',') FROM _sluice.units WHERE run_id = $run_id")"
expect_eq "the run's options" "running|2|5000" "$(pg "SELECT state, max_attempts, lease_ms FROM _sluice.runs WHERE run_id = $run_id")"
expect_eq "no secret in the stored run" 0 "$(pg "SELECT count(*) FROM _sluice.runs WHERE catalog::text LIKE '%$token%' OR statement LIKE '%$token%'")"
out=$(run "SHOW SYNC UNITS FOR RUN $run_id;")
expect_eq "SHOW SYNC UNITS: exit 0" 0 $?
expect_contains "its title" "distributed run $run_id (running)" "$out"
expect_eq "a row per unit, pending" 3 "$(printf '%s\n' "$out" | grep -c "forge_repos .*pending")"
for account in acme globex initech; do expect_contains "partition $account" "$account" "$out"; done
expect_not_contains "no password in SHOW" "S3cret" "$out"
out2=$(run "SHOW SYNC UNITS;")
expect_eq "without FOR RUN: the newest" "$out" "$out2"
out=$(run "SHOW SYNC UNITS FOR RUN 999;")
expect_contains "an unknown run" "distributed run 999 is not on record in this workspace" "$out"
out=$(run "SHOW SYNC RUNS;")
expect_contains "recorded as submitted" "submitted" "$out"
expect_contains "with its units" "3 units stored; not waited for" "$out"

finish
