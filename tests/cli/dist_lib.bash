# Shared set-up of the distributed-sync tests (tests/cli/dist_*.sh), sourced
# after lib.bash: a throwaway PostgreSQL cluster (destination and
# coordinator), the test API server's forge API with many accounts (one work
# unit each) behind some latency, a workspace with the forge connector `f`
# and two destinations in one database — `dist` (schema dist, the
# distributed run) and `single` (schema single, the same sync in one
# process) — and helpers to submit a run, start and stop workers, watch
# `_sluice.units` and compare the two schemas.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
source "$root/tests/servers/start_postgres.bash"
export SLUICE_SECRET_KEY=dist-tests-key
ws=$dir/ws.db
worker_pids=()

pg() { psql "$PG_URL" -Atq -c "$1" 2>&1; }

# dist_setup ACCOUNTS LATENCY_MS OPTIONS_JSON [server args…]: starts the
# servers and defines everything; OPTIONS_JSON is the connector's OPTIONS.
dist_setup() {
  local accounts=$1 latency=$2 options=$3
  shift 3
  start_postgres || exit 1
  start_test_server "$(dirname "$sluice")/test_api_server" --token dist-token --forge-accounts "$accounts" \
    --api-latency-ms "$latency" "$@" >/dev/null || exit 1
  export FORGE_URL=$TEST_SERVER_URL PG_URL
  local names i
  names=$(for ((i = 1; i <= accounts; i++)); do
    case $i in 1) echo acme ;; 2) echo globex ;; 3) echo initech ;; *) echo "org-$i" ;; esac
  done | sed 's/.*/"&"/' | paste -sd, -)
  local out
  out=$("$sluice" "$ws" -c "
    CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION '$root/examples/integrations/forge';
    CREATE SECRET forge_token VALUE 'dist-token';
    CREATE CONNECTOR f TYPE 'forge'
      CONFIG {\"base_url\": ENV('FORGE_URL'), \"token\": \"{{secrets.forge_token}}\", \"accounts\": [$names]}
      OPTIONS $options;
    CREATE CONNECTOR g TYPE 'forge'
      CONFIG {\"base_url\": ENV('FORGE_URL'), \"token\": \"{{secrets.forge_token}}\", \"accounts\": [$names]}
      OPTIONS {\"concurrency\": 4};
    CREATE DESTINATION dist TYPE 'postgresql' CONFIG {\"connection_string\": ENV('PG_URL'), \"schema\": \"dist\"};
    CREATE DESTINATION single TYPE 'postgresql' CONFIG {\"connection_string\": ENV('PG_URL'), \"schema\": \"single\"};" 2>&1) ||
    { echo "$out" >&2; fail "dist setup"; finish; }
}

# The same sync in one process, into schema `single`: what every
# distributed run is compared with. Connector `g` reads the same accounts
# with four clients at once (f's rows, sooner), in the background:
# dist_single_wait waits for it.
dist_single() {
  "$sluice" "$ws" -c "SYNC CONNECTOR g TO DESTINATION single FULL;" >"$dir/single.out" 2>&1 &
  single_pid=$!
}
dist_single_wait() {
  [ -n "${single_pid:-}" ] || return 0
  wait "$single_pid" || { cat "$dir/single.out" >&2; fail "the single-process sync"; }
  single_pid=
}

# dist_submit [SQL]: runs the distributed SYNC in the background (its output
# in $dir/submit.out, its pid in $submit_pid) and waits until its run is
# stored; sets $run_id.
dist_submit() {
  local sql=${1:-SYNC CONNECTOR f TO DESTINATION dist FULL DISTRIBUTED;}
  local before i
  before=$(psql "$PG_URL" -Atq -c "SELECT coalesce(max(run_id), 0) FROM _sluice.runs" 2>/dev/null)
  "$sluice" "$ws" -c "$sql" >"$dir/submit.out" 2>&1 &
  submit_pid=$!
  run_id=
  for ((i = 0; i < 200 * slow; i++)); do
    run_id=$(psql "$PG_URL" -Atq -c "SELECT max(run_id) FROM _sluice.runs WHERE run_id > ${before:-0}" 2>/dev/null)
    [ -n "$run_id" ] && return 0
    kill -0 "$submit_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/submit.out" >&2
  fail "the distributed run was not stored"
  finish
}

# dist_wait_submit: waits for the submitting statement; its status in
# $submit_status, its output in $submit_out.
dist_wait_submit() {
  wait "$submit_pid"
  submit_status=$?
  submit_out=$(cat "$dir/submit.out")
}

# start_worker [ARGS…]: a `sluice worker` in the background, named by its
# default (HOST:PID), its stderr in $dir/worker-PID.err; its pid in
# $worker_pid and appended to worker_pids.
start_worker() {
  worker_count=$((${worker_count:-0} + 1))
  local err=$dir/worker-$worker_count.err
  "$sluice" worker --coordinator "$PG_URL" --poll-ms 100 "$@" 2>"$err" &
  worker_pid=$!
  ln -sf "$err" "$dir/worker-$worker_pid.err"
  worker_pids+=("$worker_pid")
}

# Waits for every worker started (they run with --drain); kills those that
# outlive the test's patience.
wait_workers() {
  local pid i
  for pid in "${worker_pids[@]}"; do
    for ((i = 0; i < 600 * slow; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      fail "worker $pid did not drain"
      kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  done
}

# unit_sql WHERE: the first unit of the run matching WHERE, as
# unit_id|partition_id|attempt|lease_epoch|lease_owner|rows_written.
unit_sql() {
  psql "$PG_URL" -Atq -c "SELECT unit_id, partition_id, attempt, lease_epoch, lease_owner, rows_written
    FROM _sluice.units WHERE run_id = $run_id AND ($1) ORDER BY unit_id LIMIT 1" 2>/dev/null
}

# wait_for_unit WHERE [TENTHS]: polls until a unit matches; sets $unit
# (as unit_sql prints it). False when none did in time.
wait_for_unit() {
  local i limit=${2:-300}
  for ((i = 0; i < limit * slow; i++)); do
    unit=$(unit_sql "$1")
    [ -n "$unit" ] && return 0
    sleep 0.1
  done
  return 1
}

# The worker pid in a lease_owner (HOST:PID).
owner_pid() { printf '%s\n' "${1##*:}"; }

# digest SCHEMA TABLE: row count and the md5 of the table's rows in order,
# without Sluice's _sluice_* columns (their timestamps and sources differ
# between two runs by design). WHERE clause optional as $3.
digest() {
  local columns
  columns=$(pg "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY column_name)
    FROM information_schema.columns WHERE table_schema = '$1' AND table_name = '$2' AND column_name NOT LIKE '\_sluice\_%'")
  [ -n "$columns" ] || { echo "no table $1.$2"; return; }
  pg "SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(r, E'\n' ORDER BY r), ''))
    FROM (SELECT ROW($columns)::text AS r FROM $1.$2 WHERE ${3:-true}) t"
}

# expect_tables_equal NAME: both forge tables of `dist` (connector f)
# equal `single`'s (connector g), and no key is there twice.
expect_tables_equal() {
  dist_single_wait
  local entity
  for entity in forge_repos forge_issues; do
    expect_eq "$1: $entity equals the single-process sync" "$(digest single "g_$entity")" "$(digest dist "f_$entity")"
    expect_eq "$1: $entity has every key once" "$(pg "SELECT count(*) FROM single.g_$entity")" \
      "$(pg "SELECT count(DISTINCT id) FROM dist.f_$entity")"
  done
}

# The run's state and its units' states, e.g. "done|12 done".
run_state() {
  pg "SELECT r.state || '|' || (SELECT string_agg(n || ' ' || state, ', ' ORDER BY state)
        FROM (SELECT state, count(*) AS n FROM _sluice.units WHERE run_id = r.run_id GROUP BY state) s)
      FROM _sluice.runs r WHERE run_id = $run_id"
}

# worker_ports PID: the local ports of PID's connections to PostgreSQL,
# comma-separated — pg_stat_activity.client_port of its sessions.
worker_ports() {
  ss -Htnp state established "( dport = :$PG_PORT )" 2>/dev/null | grep -F "pid=$1," |
    awk '{ n = split($3, a, ":"); print a[n] }' | paste -sd, -
}

# in_transaction PID: whether one of PID's sessions is inside a transaction
# (a batch being written). A worker stopped there holds its unit's row lock.
in_transaction() {
  local ports
  ports=$(worker_ports "$1")
  [ -n "$ports" ] || return 1
  [ "$(pg "SELECT count(*) FROM pg_stat_activity WHERE client_port IN ($ports) AND xact_start IS NOT NULL")" != 0 ]
}

# show_unit UNIT_ID COLUMN…: those columns of the unit's row in
# SHOW SYNC UNITS FOR RUN $run_id (read as CSV by the header's names),
# joined with '|'.
show_unit() {
  "$sluice" "$ws" -f csv -c "SHOW SYNC UNITS FOR RUN $run_id;" 2>&1 | python3 -c '
import csv, sys
for row in csv.DictReader(sys.stdin):
    if row.get("unit") == sys.argv[1]:
        print("|".join(row.get(c, "(no column " + c + ")") for c in sys.argv[2:]))
        break
else:
    print("(no row for unit " + sys.argv[1] + ")")' "$@"
}

# The failure tests' run (dist_kill, dist_zombie, dist_terminate): 12
# accounts (6 under the sanitizer) of 6 repos, a short lease, batches of 2
# so a unit commits many times; a single-process sync to compare with; the
# run submitted and three draining workers started. Sets $accounts.
dist_three_workers() {
  accounts=12
  [ "$slow" -gt 1 ] && accounts=6
  dist_setup "$accounts" 60 "{\"concurrency\": 1, \"batch_size\": 2, \"lease_seconds\": $((2 * slow)), \"max_attempts\": 3}" \
    --forge-repos 6
  dist_single
  dist_submit
  for _ in 1 2 3; do start_worker --drain; done
}
