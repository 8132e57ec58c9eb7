# `sluice worker` (cli/worker_command.h) against a throwaway PostgreSQL
# cluster and the test API server: bad command lines, an unreachable
# coordinator (its password never printed), --drain with nothing to do,
# then distributed runs (SYNC … DISTRIBUTED submitted in the background) of
# a declared connector and of the forge integration (one unit per account)
# synced by two --drain workers, equal to a single-process sync; a
# --concurrency 2 supervisor; SIGTERM mid-unit fails the unit back and
# another worker finishes the run.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source tests/servers/start_test_server.bash
source tests/servers/start_postgres.bash

# --- command lines -----------------------------------------------------------
unset SLUICE_COORDINATOR
for args in "" "--coordinator" "--coordinator x --concurrency 0" "--coordinator x --concurrency 65" \
  "--coordinator x --concurrency two" "--coordinator x --poll-ms 0" "--coordinator x --bogus" \
  "--coordinator x extra"; do
  out=$("$sluice" worker $args 2>&1)
  expect_eq "bad arguments [$args] exit 2" 2 $?
  expect_contains "bad arguments [$args] say so" "sluice worker" "$out"
done
out=$("$sluice" worker --help 2>&1)
expect_eq "--help" 0 $?
expect_contains "--help lists the flags" "--concurrency" "$out"

# --- an unreachable coordinator: exit 2, the password never shown --------------
password='Hunter2-wörker-Pass'
closed="postgresql://sluice:Hunter2-w%C3%B6rker-Pass@127.0.0.1:1/postgres?connect_timeout=5"
out=$("$sluice" worker --coordinator "$closed" --drain 2>&1)
expect_eq "unreachable coordinator exits 2" 2 $?
expect_contains "it says why" "cannot use the coordinator" "$out"
expect_not_contains "no password (URI)" "Hunter2" "$out"
out=$(SLUICE_COORDINATOR="host=127.0.0.1 port=1 user=sluice password='$password' connect_timeout=5" \
  "$sluice" worker --drain 2>&1)
expect_eq "SLUICE_COORDINATOR, unreachable: exit 2" 2 $?
expect_not_contains "no password (key=value)" "Hunter2" "$out"
# Children get the URL in their environment, never on their command line.
out=$("$sluice" worker --coordinator "$closed" --drain --concurrency 2 2>&1)
expect_eq "a supervisor of unusable workers exits 2" 2 $?
expect_eq "both children say why" 2 "$(printf '%s\n' "$out" | grep -c 'cannot use the coordinator')"
expect_not_contains "no password from the children" "Hunter2" "$out"

# --- a coordinator with no work ---------------------------------------------
start_postgres || exit 1
out=$("$sluice" worker --coordinator "$PG_URL" --drain 2>&1)
expect_eq "--drain with nothing to do exits 0" 0 $?
expect_contains "drained" "drained: no running run has a unit pending or leased" "$out"
expect_eq "the coordinator's tables exist" "rate_limits runs units" \
  "$(psql "$PG_URL" -Atq -c "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '_sluice'")"
out=$("$sluice" worker --coordinator "$PG_URL" --drain --concurrency 2 --name 'wörker' 2>&1)
expect_eq "--concurrency 2 --drain with nothing to do exits 0" 0 $?
expect_contains "supervising" "worker: supervising 2 worker processes" "$out"
expect_contains "child 1 named from --name" "worker wörker/1: drained" "$out"
expect_contains "child 2 named from --name" "worker wörker/2: drained" "$out"

# --- distributed runs -----------------------------------------------------------
token=dw-$RANDOM$RANDOM
export FORGE_TOKEN=$token SLUICE_SECRET_KEY=dist-worker-key
items=3000 repos=6
[ "$slow" -gt 1 ] && items=1000 repos=3
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" --items "$items" --forge-repos "$repos" \
  --api-latency-ms 10 >/dev/null || exit 1
export SYNC_API=$TEST_SERVER_URL
pg() { psql "$PG_URL" -Atq -c "$1" 2>&1; }
ws=$dir/ws.db
"$sluice" "$ws" examples/myservice/connector.sql >/dev/null 2>&1 || fail "defining myservice"
out=$("$sluice" "$ws" -c "CREATE SECRET key VALUE '$token';
  CREATE CONNECTOR prod TYPE 'myservice' CONFIG {\"api_url\": ENV('SYNC_API'), \"api_key\": \"{{secrets.key}}\"}
    OPTIONS {\"batch_size\": 500};
  CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION 'examples/integrations/forge';
  CREATE CONNECTOR f TYPE 'forge' CONFIG {\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{env.FORGE_TOKEN}}\",
    \"accounts\": [\"acme\", \"globex\", \"initech\"]};
  CREATE DESTINATION dist TYPE 'postgresql' CONFIG {\"connection_string\": \"$PG_URL\", \"schema\": \"dist\"};
  CREATE DESTINATION single TYPE 'postgresql' CONFIG {\"connection_string\": \"$PG_URL\", \"schema\": \"single\"};" 2>&1)
expect_eq "set-up" 0 $?

# Waits (scaled) until `psql` answers $2 to $1; false after the limit.
wait_for() {
  local i
  for ((i = 0; i < 600 * slow; i++)); do
    [ "$(pg "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
# A submitted run waits for workers: in the background, its id once stored.
submit() {
  local before
  before=$(pg "SELECT coalesce(max(run_id), 0) FROM _sluice.runs")
  "$sluice" "$ws" -c "$1" >"$dir/submit.out" 2>&1 &
  submitter=$!
  if ! wait_for "SELECT count(*) > 0 FROM _sluice.runs WHERE run_id > $before" t; then
    fail "run of [$1] not stored"
    cat "$dir/submit.out" >&2
    finish
  fi
  run_id=$(pg "SELECT max(run_id) FROM _sluice.runs")
}
# Every column but Sluice's own, in a stable order: the table as text.
table_text() {
  local cols
  cols=$(pg "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY column_name) FROM information_schema.columns
             WHERE table_schema = '$1' AND table_name = '$2' AND column_name NOT LIKE '\_sluice\_%'")
  pg "SELECT count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM (SELECT $cols FROM $1.$2) t"
}

"$sluice" "$ws" -c "SYNC CONNECTOR prod TO DESTINATION single FULL; SYNC CONNECTOR f TO DESTINATION single FULL;" \
  >"$dir/single.out" 2>&1 || { fail "single-process syncs"; cat "$dir/single.out" >&2; }

# A declared connector, two workers draining — after a worker with another
# key: it cannot open the run's secret, gives the unit back as it was (no
# attempt spent) and stops with status 2, so one misconfigured worker does
# not fail the run.
submit "SYNC CONNECTOR prod TO DESTINATION dist FULL DISTRIBUTED;"
SLUICE_SECRET_KEY=not-the-submitters "$sluice" worker --coordinator "$PG_URL" --drain --name wrongkey --poll-ms 50 \
  >"$dir/wrongkey.out" 2>&1
expect_eq "a worker with another key stops with status 2" 2 $?
expect_contains "and says why" "this worker cannot open the run's secrets" "$(cat "$dir/wrongkey.out")"
expect_eq "the unit is back, its attempt not spent" "pending|0" \
  "$(pg "SELECT string_agg(DISTINCT state, ',') || '|' || max(attempt) FROM _sluice.units WHERE run_id = $run_id")"
expect_not_contains "no token in its output" "$token" "$(cat "$dir/wrongkey.out")"
"$sluice" worker --coordinator "$PG_URL" --drain --name w1 --poll-ms 50 >"$dir/w1.out" 2>&1 &
w1=$!
"$sluice" worker --coordinator "$PG_URL" --drain --name w2 --poll-ms 50 >"$dir/w2.out" 2>&1 &
w2=$!
wait $w1
expect_eq "worker 1 exits 0" 0 $?
wait $w2
expect_eq "worker 2 exits 0" 0 $?
wait $submitter
expect_eq "the submitter ends well" 0 $?
expect_eq "run $run_id is done" done "$(pg "SELECT state FROM _sluice.runs WHERE run_id = $run_id")"
expect_eq "its units are done" "done" "$(pg "SELECT string_agg(DISTINCT state, ',') FROM _sluice.units WHERE run_id = $run_id")"
expect_eq "items equal a single-process sync" "$(table_text single prod_items)" "$(table_text dist prod_items)"
expect_eq "all $items items" "$items" "$(pg "SELECT count(*) FROM dist.prod_items")"
workers_out=$(cat "$dir/w1.out" "$dir/w2.out")
expect_contains "a unit start line" "of run $run_id, attempt 1: started" "$workers_out"
expect_contains "a unit end line" "(prod.items) of run $run_id, attempt 1: done, $items rows in " "$workers_out"

# The forge integration: a unit per account, children with their parents.
submit "SYNC CONNECTOR f TO DESTINATION dist FULL DISTRIBUTED;"
"$sluice" worker --coordinator "$PG_URL" --drain --name w1 --poll-ms 50 >"$dir/w1.out" 2>&1 &
w1=$!
"$sluice" worker --coordinator "$PG_URL" --drain --name w2 --poll-ms 50 >"$dir/w2.out" 2>&1 &
w2=$!
wait $w1
expect_eq "forge: worker 1 exits 0" 0 $?
wait $w2
expect_eq "forge: worker 2 exits 0" 0 $?
wait $submitter
expect_eq "forge: the submitter ends well" 0 $?
expect_eq "forge run is done" done "$(pg "SELECT state FROM _sluice.runs WHERE run_id = $run_id")"
expect_eq "a unit per account (issues ride with their repos), all done" "forge_repos:3 done" \
  "$(pg "SELECT string_agg(e, ' ' ORDER BY e) || ' ' || (SELECT string_agg(DISTINCT state, ',') FROM _sluice.units
           WHERE run_id = $run_id) FROM (SELECT entity || ':' || count(DISTINCT partition_id) e FROM _sluice.units
           WHERE run_id = $run_id GROUP BY entity) x")"
expect_eq "forge repos equal a single-process sync" "$(table_text single f_forge_repos)" "$(table_text dist f_forge_repos)"
expect_eq "forge issues equal a single-process sync" "$(table_text single f_forge_issues)" "$(table_text dist f_forge_issues)"
expect_contains "a partition in a unit's line" "(f.forge_repos[" "$(cat "$dir/w1.out" "$dir/w2.out")"

# --concurrency 2: the units go to both children (their names carry their pids).
submit "SYNC CONNECTOR f TO DESTINATION dist FULL DISTRIBUTED;"
"$sluice" worker --coordinator "$PG_URL" --drain --concurrency 2 --poll-ms 50 >"$dir/sup.out" 2>&1
expect_eq "--concurrency 2 exits 0" 0 $?
wait $submitter
expect_eq "the third run's submitter ends well" 0 $?
expect_eq "third run is done" done "$(pg "SELECT state FROM _sluice.runs WHERE run_id = $run_id")"
expect_contains "the supervisor names its children" "supervising 2 worker processes" "$(cat "$dir/sup.out")"
expect_eq "forge issues still equal" "$(table_text single f_forge_issues)" "$(table_text dist f_forge_issues)"
owners=$(pg "SELECT string_agg(DISTINCT lease_owner, ' ') FROM _sluice.units WHERE run_id = $run_id")
for owner in $owners; do
  expect_contains "unit owner $owner is a child's <host>:<pid>" "worker $owner: unit" "$(cat "$dir/sup.out")"
done

# SIGTERM mid-unit: the unit goes back (pending, "worker stopped"), the
# worker exits 0, and another worker finishes the run. A slow API (a second
# server) keeps the unit going while the signal comes.
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" --forge-repos 4 --api-latency-ms 300 \
  >/dev/null || exit 1
"$sluice" "$ws" -c "CREATE CONNECTOR slow TYPE 'forge' CONFIG {\"base_url\": \"$TEST_SERVER_URL\",
  \"token\": \"{{env.FORGE_TOKEN}}\", \"accounts\": [\"acme\"]};" >/dev/null 2>&1 || fail "slow connector"
submit "SYNC CONNECTOR slow TO DESTINATION dist FULL DISTRIBUTED;"
"$sluice" worker --coordinator "$PG_URL" --name stopper --poll-ms 50 >"$dir/stop.out" 2>&1 &
stopper=$!
wait_for "SELECT count(*) FROM _sluice.units WHERE run_id = $run_id AND lease_owner = 'stopper' AND state = 'leased'" 1 ||
  fail "the stopper leased no unit"
kill -TERM $stopper
wait $stopper
expect_eq "a stopped worker exits 0" 0 $?
stop_out=$(cat "$dir/stop.out")
expect_contains "the unit failed back" "attempt 1: stopped; failed back to the coordinator" "$stop_out"
expect_contains "and the worker says it stopped" "worker stopper: stopped" "$stop_out"
expect_eq "pending again, with why" "pending|1|worker stopped" \
  "$(pg "SELECT state || '|' || attempt || '|' || error FROM _sluice.units WHERE run_id = $run_id")"
"$sluice" worker --coordinator "$PG_URL" --drain --name finisher --poll-ms 50 >"$dir/fin.out" 2>&1
expect_eq "the finisher exits 0" 0 $?
wait $submitter
expect_eq "the stopped run's submitter ends well" 0 $?
expect_eq "the stopped run is done" done "$(pg "SELECT state FROM _sluice.runs WHERE run_id = $run_id")"
expect_contains "on a second attempt" "attempt 2: done" "$(cat "$dir/fin.out")"
expect_eq "all 4 repos" 4 "$(pg "SELECT count(*) FROM dist.slow_forge_repos")"
expect_not_contains "no password or token in any worker's output" "$token" \
  "$(cat "$dir"/w1.out "$dir"/w2.out "$dir"/sup.out "$dir"/stop.out "$dir"/fin.out)"
[ -n "${KEEP_OUT:-}" ] && cat "$dir"/*.out >"$KEEP_OUT"
finish
