# Streaming /api/query with Node's fetch (tests/compat/serve_stream.mjs):
# NDJSON row by row, an aborted stream stops the scan (the test API server's
# request log stops growing), many reads while another process syncs, and
# clients that do not read their stream block no one.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" >/dev/null || exit 1
export PAGER_API=$TEST_SERVER_URL SLUICE_SERVE_TOKEN=serve-stream-token-0123456789
ws=$dir/ws.db
run() { "$sluice" "$ws" -c "$1" 2>&1; }

# A paginated entity over /pages (5 rows a page), each page behind a /slow
# call of delay_ms: `endless` has 20000 pages, `slowsync` takes a while.
out=$(run "CREATE CONNECTOR TYPE 'pager' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}, \"total\": {\"type\": \"integer\"}, \"delay_ms\": {\"type\": \"integer\"}};
  CREATE CONNECTOR ENTITY 'pager.rows' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"name\": {\"type\": \"string\"}}
    QUERY_HANDLER '''async function* query(config) {
      for (let page = 1; ; page++) {
        if (config.delay_ms) await fetch(config.url + '/slow?ms=' + config.delay_ms);
        const response = await fetch(config.url + '/pages?page=' + page + '&per_page=5&total=' + config.total);
        const data = await response.json();
        yield data.items.map(item => ({id: item.id, name: item.name}));
        if (!data.next_page) break;
      }
    }''';
  CREATE CONNECTOR endless TYPE 'pager' CONFIG {\"url\": ENV('PAGER_API'), \"total\": 100000, \"delay_ms\": 20};
  CREATE CONNECTOR quick TYPE 'pager' CONFIG {\"url\": ENV('PAGER_API'), \"total\": 50, \"delay_ms\": 0};
  CREATE CONNECTOR slowsync TYPE 'pager' CONFIG {\"url\": ENV('PAGER_API'), \"total\": 200, \"delay_ms\": 400}
    OPTIONS {\"batch_size\": 5};
  SYNC CONNECTOR quick FULL;")
expect_eq "setting up" 0 $?
expect_contains "the quick sync ran" "quick_rows" "$out"

source "$(dirname "$0")/serve_lib.bash"
trap 'stop_serves; stop_test_server; rm -rf "$dir"' EXIT
start_serve base "$ws" || { fail "sluice serve did not start"; finish; }

node "$root/tests/compat/serve_stream.mjs" "$base" "$TEST_SERVER_URL" "$sluice" "$ws"
expect_eq "serve_stream.mjs" 0 $?
kill -0 $serve_pid 2>/dev/null || fail "the server died"
finish
