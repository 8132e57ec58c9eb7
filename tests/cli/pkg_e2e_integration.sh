# A table integration (examples/integrations/forge, CloudQuery JS SDK) as a
# package: published to a directory registry, installed into another
# workspace without npm — it runs from the package store's extracted copy —
# and queried against the test API server.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
export SLUICE_PACKAGE_STORE=$dir/store
export FORGE_TOKEN=forge-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$FORGE_TOKEN" >/dev/null || exit 1
mkdir -p "$dir/author" "$dir/consumer"
out=$(cd "$dir/author" && "$sluice" -w "$dir/author/ws.db" \
  -c "CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION '$root/examples/integrations/forge'" \
  -c "PACKAGE CONNECTOR TYPE 'forge' VERSION '1.0.0' LICENSE 'MIT'" \
  -c "PUBLISH CONNECTOR TYPE 'forge' VERSION '1.0.0' TO '$dir/registry'" 2>&1)
expect_eq "package and publish the integration" 0 $?
out=$(cd "$dir/consumer" && "$sluice" -w "$dir/consumer/ws.db" \
  -c "INSTALL CONNECTOR TYPE 'forge' FROM REGISTRY '$dir/registry' ALLOW UNSIGNED" \
  -c "CREATE CONNECTOR f TYPE 'forge' CONFIG {\"base_url\": \"$TEST_SERVER_URL\", \"token\": ENV('FORGE_TOKEN'), \"accounts\": [\"acme\"]}" \
  -c "SELECT count(*) AS n FROM f.forge_repos" \
  -c "SELECT integration FROM _sluice_connector_types WHERE name = 'forge'" 2>&1)
expect_eq "install and query exit 0" 0 $?
expect_contains "installed" "installed connector type 'forge' 1.0.0" "$out"
expect_contains "the integration runs from the package store" "$SLUICE_PACKAGE_STORE/sha256/" "$out"
expect_contains "its rows" " 4" "$out"
finish
