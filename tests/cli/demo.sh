# `make demo` keeps working: the demo script runs end to end against its
# local example API, and the action it shows really ran.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(BUILD=$(dirname "$sluice") DEMO_DIR=$dir/demo bash "$root/scripts/demo" 2>&1)
expect_eq "demo exit status" 0 $?
expect_contains "connection check" "connector 'my_service_prod': OK" "$out"
expect_contains "create action ran" "created item 26 - Made by the demo (active)" "$out"
expect_contains "delete action ran" '{"deleted":"26"}' "$out"
expect_contains "live query" " 5  | item 5 | active" "$out"
expect_contains "aggregate over the API" "archived |    12" "$out"
expect_contains "the demo syncs into the workspace" "sync my_service_prod → workspace" "$out"
expect_contains "and queries the synced table" "Made after the first sync" "$out"
expect_eq "synced rows in the demo workspace" 26 "$(sqlite3 "$dir/demo/sluice.db" "SELECT count(*) FROM my_service_prod_items")"
expect_contains "the demo queries a table integration" "acme    |     4 |" "$out"
expect_eq "the integration's issues synced" 30 "$(sqlite3 "$dir/demo/sluice.db" "SELECT count(*) FROM forge_forge_issues")"
expect_not_contains "key never printed" "demo-key-" "$out"
if grep -q "demo-key-" "$dir/demo/sluice.db"; then fail "the key is stored in plain text"; fi
finish
