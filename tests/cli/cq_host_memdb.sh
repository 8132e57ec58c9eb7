# Sluice hosts the JavaScript SDK's own plugin, memdb (`dist/main.js serve`
# of @cloudquery/plugin-sdk-javascript 0.1.25), as a source: CREATE CONNECTOR
# TYPE … FROM PLUGIN over a unix socket, its tables as entities (with the
# SDK's _cq_id/_cq_parent_id uuid columns and a json column), SELECT of a
# table and of a child table. An empty CONFIG reaches the plugin as `{}`:
# memdb refuses the CLI's `null` ("Invalid spec: must be object").
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
main=tests/compat/node_modules/@cloudquery/plugin-sdk-javascript/dist/main.js
if [ ! -f "$main" ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
plugin_pid=""
trap '[ -n "$plugin_pid" ] && kill "$plugin_pid" 2>/dev/null; rm -rf "$dir"' EXIT
socket=$dir/memdb.sock
node "$main" serve --address "unix:$socket" --log-format json > "$dir/plugin.out" 2> "$dir/plugin.err" &
plugin_pid=$!
for _ in $(seq $((300 * slow))); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { cat "$dir/plugin.err" >&2; fail "memdb serves on $socket"; finish; }

ws=$dir/ws.db
out=$("$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'memdb' FROM PLUGIN 'unix:$socket'; CREATE CONNECTOR m TYPE 'memdb' CONFIG {};" 2>&1)
expect_eq "the type and connector are made" 0 $?
# memdb's spec schema has trailing commas: not JSON, so not used, and said.
expect_contains "an unreadable spec schema is reported" "is not a JSON object; CONFIG is not checked" "$out"

entities=$("$sluice" -w "$ws" -f csv -c "SHOW ENTITIES" 2>&1 | grep '^memdb,' | cut -d, -f2,3 | sort)
expect_eq "memdb's tables (and field counts) are the entities" "table1,4
table2,3
table3,3
table3_child1,5" "$entities"
described=$("$sluice" -w "$ws" -f csv -c "DESCRIBE ENTITY m.table1" 2>&1)
expect_contains "the uuid column is a string" "_cq_id,string" "$described"
expect_contains "the json column is a document" "json,document" "$described"

got=$("$sluice" -w "$ws" -f csv -c "SELECT id, json FROM m.table1 ORDER BY id" 2>&1)
expect_eq "table1's rows" 'id,json
id-1,"{""a"":1}"
id-2,"[1,2,3]"
id-3,' "$got"
got=$("$sluice" -w "$ws" -f csv -c "SELECT count(*) AS n, count(DISTINCT _cq_id) AS ids FROM m.table1" 2>&1)
expect_eq "every row has its own _cq_id" "n,ids
3,3" "$got"
# A child table asked alone: the plugin resolves its parent too; only the
# child's rows come back, each pointing at a parent row.
got=$("$sluice" -w "$ws" -f csv -c "SELECT count(*) AS n FROM m.table3_child1 c WHERE c._cq_parent_id IS NOT NULL" 2>&1)
expect_eq "the child table's rows" "n
4" "$got"
# A json column through SQLite's JSON functions.
got=$("$sluice" -w "$ws" -f csv -c "SELECT json_extract(json, '\$.a') AS a FROM m.table1 WHERE id = 'id-1'" 2>&1)
expect_eq "a document field works in SQL" "a
1" "$got"
finish
