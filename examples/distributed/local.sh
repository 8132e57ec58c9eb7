#!/bin/bash
# A distributed sync on one machine (docs/distributed.md): a throwaway
# PostgreSQL cluster as destination and coordinator, the test API server's
# forge API with twelve accounts (twelve work units) behind 50 ms of
# latency, one `SYNC … DISTRIBUTED` and three `sluice worker` processes.
# Then the same sync in one process into another schema, and the two are
# compared row for row.
#
#   examples/distributed/local.sh [BUILD_DIR]     (default: build)
#
# Needs a built tree (sluice and test_api_server) and PostgreSQL's server
# binaries (Debian: postgresql). Everything it starts is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
sluice=$build/sluice
accounts=${ACCOUNTS:-12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work XDG_CONFIG_HOME=$work/config SLUICE_SECRET_KEY=local-example-key

source "$root/tests/servers/start_postgres.bash"
source "$root/tests/servers/start_test_server.bash"
start_postgres
start_test_server "$build/test_api_server" --token forge-token --forge-accounts "$accounts" \
  --forge-repos 6 --api-latency-ms 50 >/dev/null
export FORGE_URL=$TEST_SERVER_URL PG_URL

# The workspace that submits: the forge connector type, a secret, two
# destinations (schemas `dist` and `single` in the same database).
names=$(for i in $(seq "$accounts"); do
  case $i in 1) echo acme ;; 2) echo globex ;; 3) echo initech ;; *) echo "org-$i" ;; esac
done | sed 's/.*/"&"/' | paste -sd, -)
ws=$work/submit.db
"$sluice" "$ws" -c "
  CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION '$root/examples/integrations/forge';
  CREATE SECRET forge_token VALUE 'forge-token';
  CREATE CONNECTOR f TYPE 'forge'
    CONFIG {\"base_url\": ENV('FORGE_URL'), \"token\": \"{{secrets.forge_token}}\", \"accounts\": [$names]}
    OPTIONS {\"concurrency\": 1, \"batch_size\": 5, \"lease_seconds\": 10};
  CREATE DESTINATION dist TYPE 'postgresql' CONFIG {\"connection_string\": ENV('PG_URL'), \"schema\": \"dist\"};
  CREATE DESTINATION single TYPE 'postgresql' CONFIG {\"connection_string\": ENV('PG_URL'), \"schema\": \"single\"};" >/dev/null

# Submit the run; the statement waits until the workers have done it.
"$sluice" "$ws" -c "SYNC CONNECTOR f TO DESTINATION dist FULL DISTRIBUTED;" >"$work/submit.out" 2>&1 &
submitter=$!
# --drain workers exit when no run has work: start them once the run is stored.
until [ "$(psql "$PG_URL" -Atq -c "SELECT count(*) FROM _sluice.runs WHERE state = 'running'" 2>/dev/null)" = 1 ]; do
  kill -0 "$submitter" 2>/dev/null || { cat "$work/submit.out"; exit 1; }
  sleep 0.1
done

# Three workers: each leases a unit, syncs it, leases the next; --drain
# makes them exit when no unit is left. Their stderr says what each did.
workers=()
for w in 1 2 3; do
  "$sluice" worker --coordinator "$PG_URL" --name "worker-$w" --drain --poll-ms 100 2>"$work/worker-$w.log" &
  workers+=($!)
done
wait "$submitter"
for pid in "${workers[@]}"; do wait "$pid" || true; done

echo "== the submitter"
cat "$work/submit.out"
echo "== who synced what"
grep -h ': done' "$work"/worker-*.log | sed 's/^/  /'
"$sluice" "$ws" -c "SHOW SYNC UNITS;"

# The same sync in one process, and the comparison: the md5 of each table's
# rows in order, without Sluice's own _sluice_* columns.
"$sluice" "$ws" -c "SYNC CONNECTOR f TO DESTINATION single FULL;" >/dev/null 2>&1
digest() {
  local columns
  columns=$(psql "$PG_URL" -Atq -c "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY column_name)
    FROM information_schema.columns WHERE table_schema = '$1' AND table_name = '$2' AND column_name NOT LIKE '\_sluice\_%'")
  psql "$PG_URL" -Atq -c "SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(r, E'\n' ORDER BY r), ''))
    FROM (SELECT ROW($columns)::text AS r FROM $1.$2) t"
}
status=0
for table in f_forge_repos f_forge_issues; do
  d=$(digest dist "$table") s=$(digest single "$table")
  echo "$table: distributed $d; single process $s"
  [ "$d" = "$s" ] || status=1
done
[ "$status" = 0 ] && echo "the distributed tables equal the single-process sync" || echo "MISMATCH"
exit "$status"
