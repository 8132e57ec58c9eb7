# SYNC … SHARD i/N and `sluice sync --shard i/N`: N processes, each syncing
# the work units of its shard, together write what one process writes.
# Into SQLite (a declared connector, whole entities as units, separate
# workspaces and then one) and into one PostgreSQL schema from N processes
# at once (the forge integration: one unit per account; a declared entity
# with a partitions handler), for N from 1 to 4; a re-run of one shard
# leaves the other shards' rows; the flags' echo and errors.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source tests/servers/start_test_server.bash
source tests/servers/start_postgres.bash
export SLUICE_SECRET_KEY=shard-tests-key

# --- SQLite: whole entities --------------------------------------------------
# Six entities of static rows (no network): each is one unit.
declared="CREATE CONNECTOR TYPE 'six';"
for e in 1 2 3 4 5 6; do
  declared+=" CREATE CONNECTOR ENTITY 'six.e$e' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"v\": {\"type\": \"string\"}}
    QUERY_HANDLER '''function query() { return [{id: 1, v: 'e$e-one'}, {id: 2, v: 'e$e-twö'}, {id: $e, v: 'e$e-own'}]; }''';"
done
declared+=" CREATE CONNECTOR s TYPE 'six';"
tables() { sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 's\_e%' ESCAPE '\\' ORDER BY name" | paste -sd, -; }
# Every s_e* table's rows, without the _sluice_ columns.
dump() {
  local t
  for t in $(tables "$1" | tr , ' '); do sqlite3 "$1" "SELECT '$t', id, v FROM $t ORDER BY id"; done
}
for w in plain one two shared; do
  "$sluice" -w "$dir/$w.db" -c "$declared" >/dev/null 2>&1 || fail "defining six in $w"
done
"$sluice" -w "$dir/plain.db" -c "SYNC CONNECTOR s FULL;" >/dev/null 2>&1 || fail "plain sync"
expect_eq "plain sync writes six tables" "s_e1,s_e2,s_e3,s_e4,s_e5,s_e6" "$(tables "$dir/plain.db")"
out1=$("$sluice" -w "$dir/one.db" -c "SYNC CONNECTOR s FULL SHARD 1/2;" 2>&1)
expect_eq "shard 1/2 exit" 0 $?
out2=$("$sluice" -w "$dir/two.db" -c "SYNC CONNECTOR s FULL SHARD 2/2;" 2>&1)
expect_eq "shard 2/2 exit" 0 $?
n1=$(printf '%s\n' "$out1" | sed -n 's|^shard 1/2: \([0-9]*\) of 6 units.*|\1|p')
n2=$(printf '%s\n' "$out2" | sed -n 's|^shard 2/2: \([0-9]*\) of 6 units.*|\1|p')
expect_eq "the shards' notes count six units between them" 6 "$((n1 + n2))"
t1=$(tables "$dir/one.db")
t2=$(tables "$dir/two.db")
expect_eq "no entity in both shards" "" "$(comm -12 <(tr , '\n' <<<"$t1" | sort) <(tr , '\n' <<<"$t2" | sort))"
expect_eq "each entity in one of them" "$(tables "$dir/plain.db")" \
  "$( (tr , '\n' <<<"$t1"; tr , '\n' <<<"$t2") | grep . | sort | paste -sd, -)"
expect_eq "the shards' rows are the plain sync's" "$(dump "$dir/plain.db")" \
  "$( (dump "$dir/one.db"; dump "$dir/two.db") | sort -t'|' -k1,1 -s)"
# Both shards into one workspace, one after the other.
"$sluice" -w "$dir/shared.db" -c "SYNC CONNECTOR s FULL SHARD 2/2;" -c "SYNC CONNECTOR s FULL SHARD 1/2;" >/dev/null 2>&1
expect_eq "both shards into one workspace" "$(dump "$dir/plain.db")" "$(dump "$dir/shared.db")"
# A shard that gets no unit says so and writes nothing.
out=$("$sluice" -w "$dir/shared.db" -c "SYNC CONNECTOR s.e1 SHARD 1/2;" -c "SYNC CONNECTOR s.e1 SHARD 2/2;" 2>&1)
expect_eq "status with an empty shard" 0 $?
expect_contains "an empty shard says so" "0 of 1 unit (nothing to sync in this shard" "$out"
expect_contains "and the other has the unit" "1 of 1 unit (e1)" "$out"
# The entity column names the unit's entities.
expect_contains "summary rows per entity" " e1  " "$out"

# --- PostgreSQL, N processes at once -------------------------------------------
start_postgres || exit 1
token=shard-$RANDOM$RANDOM
export FORGE_TOKEN=$token
repos=5
[ "$slow" -gt 1 ] && repos=3
start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" --forge-repos "$repos" >/dev/null || exit 1
api=$TEST_SERVER_URL
pg() { psql "$PG_URL" -Atq -c "$1" 2>&1; }
forge="CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION 'examples/integrations/forge';
  CREATE CONNECTOR f TYPE 'forge' CONFIG {\"base_url\": \"$api\", \"token\": \"{{env.FORGE_TOKEN}}\", \"accounts\": [\"acme\", \"globex\", \"initech\"]};"
dest() { echo "CREATE OR REPLACE DESTINATION $1 TYPE 'postgresql' CONFIG {\"connection_string\": \"$PG_URL\", \"schema\": \"$1\"};"; }
# md5 of a table's rows in id order, without the _sluice_ columns.
digest() {
  pg "SELECT count(*) || ':' || md5(coalesce(string_agg((SELECT jsonb_object_agg(k, v) FROM jsonb_each(to_jsonb(r)) AS e(k, v)
        WHERE k NOT LIKE '\\_sluice%')::text, '|' ORDER BY r.id::text), '')) FROM $1 r"
}
setup() { "$sluice" -w "$1" -c "$forge" -c "$2" >/dev/null 2>&1 || fail "setup $1"; }

setup "$dir/single.db" "$(dest single)"
out=$("$sluice" -w "$dir/single.db" -c "SYNC CONNECTOR f ENTITIES (forge_repos, forge_issues) TO DESTINATION single FULL;" 2>&1)
expect_eq "single-process sync" 0 $?
want_repos=$(digest single.f_forge_repos)
want_issues=$(digest single.f_forge_issues)
expect_contains "every repo" "$((3 * repos)):" "$want_repos"

for n in 1 2 3 4; do
  pids=()
  for i in $(seq 1 "$n"); do
    setup "$dir/n$n-$i.db" "$(dest "s$n")"
  done
  for i in $(seq 1 "$n"); do
    "$sluice" -w "$dir/n$n-$i.db" -c "SYNC CONNECTOR f ENTITIES (forge_repos, forge_issues) TO DESTINATION s$n FULL SHARD $i/$n;" \
      >"$dir/n$n-$i.out" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 "$n"); do
    wait "${pids[$((i - 1))]}"
    status=$?
    expect_eq "$n shards: shard $i/$n exit" 0 $status
    [ $status -eq 0 ] || cat "$dir/n$n-$i.out" >&2
  done
  total=$(cat "$dir"/n$n-*.out | sed -n "s|^shard [0-9]*/$n: \([0-9]*\) of .*|\1|p" | awk '{ s += $1 } END { print s + 0 }')
  units=$(sed -n "s|^shard 1/$n: [0-9]* of \([0-9]*\) unit.*|\1|p" "$dir/n$n-1.out")
  expect_eq "$n shards: every unit in one shard" "$units" "$total"
  expect_eq "$n shards: repos as one process writes them" "$want_repos" "$(digest "s$n.f_forge_repos")"
  expect_eq "$n shards: issues as one process writes them" "$want_issues" "$(digest "s$n.f_forge_issues")"
  expect_eq "$n shards: every account's repos once" "acme:$repos globex:$repos initech:$repos" \
    "$(pg "SELECT string_agg(account || ':' || n, ' ' ORDER BY account) FROM (SELECT account, count(DISTINCT id) AS n FROM s$n.f_forge_repos GROUP BY account) c")"
done

# A later re-run of one shard replaces its own rows only: stale deletes are
# per unit (the partition, or the whole entity the shard owns).
out=$("$sluice" -w "$dir/n3-2.db" -c "SYNC CONNECTOR f ENTITIES (forge_repos, forge_issues) TO DESTINATION s3 FULL SHARD 2/3;" 2>&1)
expect_eq "re-run of shard 2/3" 0 $?
expect_eq "re-run: repos all there" "$want_repos" "$(digest s3.f_forge_repos)"
expect_eq "re-run: issues all there" "$want_issues" "$(digest s3.f_forge_issues)"

# --- a declared entity with a partitions handler ------------------------------------
# /items by status: the partition's spec is the status filter. (With
# today's hash b.items[s1] is in 2/2 and [s2] in 1/2; the checks below find
# the owner from the shards' notes rather than assume it.)
cat > "$dir/bystatus.js" <<'JS'
function partitions(config) {
  return [{id: 's1', status: 'active'}, {id: 's2', status: 'archived'}];
}
async function* query(config, filters, options) {
  const status = options.partition ? options.partition.status : undefined;
  let cursor = null;
  do {
    const params = new URLSearchParams({limit: '7'});
    if (status) params.append('status', status);
    if (cursor) params.append('cursor', cursor);
    const response = await fetch(`${config.api_url}/items?${params}`,
                                 {headers: {'Authorization': `Bearer ${config.api_key}`}});
    if (!response.ok) throw new ConnectorError(`API error: ${response.status}`);
    const data = await response.json();
    yield data.items.map(item => ({id: item.id, name: item.name, status: item.status}));
    cursor = data.next_cursor;
  } while (cursor);
}
JS
bystatus="CREATE CONNECTOR TYPE 'bystatus' CONFIG_SCHEMA {\"api_url\": {\"type\": \"string\"}, \"api_key\": {\"type\": \"string\", \"secret\": true}};
  CREATE CONNECTOR ENTITY 'bystatus.items' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true},
    \"name\": {\"type\": \"string\"}, \"status\": {\"type\": \"string\"}} QUERY_HANDLER FILE '$dir/bystatus.js';
  CREATE CONNECTOR b TYPE 'bystatus' CONFIG {\"api_url\": \"$api\", \"api_key\": \"{{env.FORGE_TOKEN}}\"};"
"$sluice" -w "$dir/b0.db" -c "$bystatus" -c "$(dest bsingle)" >/dev/null 2>&1 || fail "setup bystatus"
"$sluice" -w "$dir/b0.db" -c "SYNC CONNECTOR b TO DESTINATION bsingle FULL;" >/dev/null 2>&1 || fail "unsharded bystatus"
want_items=$(digest bsingle.b_items)
expect_contains "every item" "25:" "$want_items"
for i in 1 2; do
  "$sluice" -w "$dir/b$i.db" -c "$bystatus" -c "$(dest bshard)" >/dev/null 2>&1 || fail "setup bystatus $i"
done
"$sluice" -w "$dir/b1.db" -c "SYNC CONNECTOR b TO DESTINATION bshard FULL SHARD 1/2;" >"$dir/b1.out" 2>&1 &
p1=$!
"$sluice" -w "$dir/b2.db" -c "SYNC CONNECTOR b TO DESTINATION bshard FULL SHARD 2/2;" >"$dir/b2.out" 2>&1
expect_eq "partition shard 2/2" 0 $?
wait $p1
expect_eq "partition shard 1/2" 0 $?
owner() { grep -l "^shard [12]/2: .*items\[$1\]" "$dir/b1.out" "$dir/b2.out" | sed 's|.*/b\([12]\)\.out|\1|'; }
own1=$(owner s1)
own2=$(owner s2)
expect_eq "one shard has partition s1" 1 "$(printf '%s\n' "$own1" | grep -c .)"
expect_eq "one shard has partition s2" 1 "$(printf '%s\n' "$own2" | grep -c .)"
expect_contains "its summary row names it" " items[s2] " "$(cat "$dir/b$own2.out")"
expect_eq "sharded by partition, as unsharded" "$want_items" "$(digest bshard.b_items)"
expect_eq "each row in its partition" "active:s1:13 archived:s2:12" \
  "$(pg "SELECT string_agg(status || ':' || _sluice_partition || ':' || n, ' ' ORDER BY status) FROM
         (SELECT status, _sluice_partition, count(*) AS n FROM bshard.b_items GROUP BY 1, 2) c")"
other=$((3 - own1))
# An active item goes: the archived shard's re-run keeps it (not its
# partition), the active shard's re-run deletes it.
expect_eq "item 1 is active" "active" "$(pg "SELECT status FROM bshard.b_items WHERE id = '1'")"
curl -s -X DELETE -H "Authorization: Bearer $token" "$api/items/1" -d '' >/dev/null
"$sluice" -w "$dir/b$other.db" -c "SYNC CONNECTOR b TO DESTINATION bshard FULL SHARD $other/2;" >/dev/null 2>&1
expect_eq "another shard's re-run leaves the row" 1 "$(pg "SELECT count(*) FROM bshard.b_items WHERE id = '1'")"
out=$("$sluice" -w "$dir/b$own1.db" -c "SYNC CONNECTOR b TO DESTINATION bshard FULL SHARD $own1/2;" 2>&1)
expect_eq "its own shard's re-run deletes it" "0 24" "$(pg "SELECT count(*) FILTER (WHERE id = '1') || ' ' || count(*) FROM bshard.b_items")"
# Into SQLite, a partitioned unit is refused by the destination.
out=$("$sluice" -w "$dir/b1.db" -c "SYNC CONNECTOR b FULL SHARD 1/1;" 2>&1)
expect_eq "partitioned unit into SQLite fails" 1 $?
expect_contains "and says which partition" "partition 's" "$out"
expect_eq "and writes nothing there" "" "$(sqlite3 "$dir/b1.db" "SELECT name FROM sqlite_master WHERE name = 'b_items'")"

# --- sluice sync --shard / --distributed -------------------------------------------
cat > "$dir/forge.yaml" <<YAML
kind: source
spec:
  name: fy
  path: $root/examples/integrations/forge
  tables: ["forge_repos"]
  destinations: ["pgdest"]
  spec:
    base_url: $api
    token: \${FORGE_TOKEN}
    accounts: [acme, globex, initech]
---
kind: destination
spec:
  name: pgdest
  path: cloudquery/postgresql
  spec:
    connection_string: $PG_URL
YAML
out=$("$sluice" sync "$dir/forge.yaml" -w "$dir/yaml.db" --shard 2/3 2>&1)
expect_eq "sluice sync --shard 2/3" 0 $?
expect_contains "the statement echoes its shard" "SHARD 2/3;" "$out"
expect_contains "and the shard's note" "shard 2/3: " "$out"
expect_not_contains "the token is never printed" "$token" "$out"
for bad in 0/3 4/3 1/0 x/3 3 ""; do
  out=$("$sluice" sync "$dir/forge.yaml" -w "$dir/yaml-bad.db" --shard "$bad" 2>&1)
  expect_eq "--shard '$bad' is a usage error" 2 $?
  expect_contains "--shard '$bad' says why" "--shard: " "$out"
done
# --distributed hands the run to workers (more in tests/cli/dist_*.sh): one
# leases the units while `sluice sync` waits for them.
"$sluice" worker --coordinator "$PG_URL" --poll-ms 100 >"$dir/yaml-worker.log" 2>&1 &
yaml_worker=$!
out=$(timeout $((120 * slow)) "$sluice" sync "$dir/forge.yaml" -w "$dir/yaml-dist.db" --distributed 2>&1)
expect_eq "sluice sync --distributed ends once the worker has synced it" 0 $?
expect_contains "the statement echoes DISTRIBUTED" "TO DESTINATION pgdest DISTRIBUTED;" "$out"
expect_contains "its run is done" "(done)" "$out"
kill -TERM $yaml_worker
wait $yaml_worker
expect_eq "the worker stops cleanly" 0 $?
expect_eq "every account's repos, once" "$((3 * repos))|$((3 * repos))" \
  "$(psql "$PG_URL" -Atq -c "SELECT count(*), count(DISTINCT id) FROM public.forge_repos")"
out=$("$sluice" sync "$dir/forge.yaml" -w "$dir/yaml-bad.db" --shard 1/2 --distributed 2>&1)
expect_eq "--shard with --distributed" 2 $?
expect_contains "says not both" "not both" "$out"
expect_eq "a refused flag defines nothing" "" "$(sqlite3 "$dir/yaml-bad.db" "SELECT name FROM _sluice_connectors" 2>/dev/null)"

finish
