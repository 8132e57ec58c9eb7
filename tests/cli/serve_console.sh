# The web console: its files and headers with curl, then every page in
# headless Chromium (tests/compat/console_test.mjs) on a workspace seeded by
# scripts/demo plus a failed run, served read-only and --allow-writes.
# Screenshots go to $SLUICE_SCREENSHOT_DIR (default <build>/console-screenshots).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=$(dirname "$sluice")
if [ ! -d tests/compat/node_modules/puppeteer-core ] || [ ! -x /usr/bin/chromium ]; then
  echo "puppeteer-core or /usr/bin/chromium is missing: run scripts/setup" >&2
  exit 1
fi
export SLUICE_SCREENSHOT_DIR=${SLUICE_SCREENSHOT_DIR:-$build/console-screenshots}
rm -rf "$SLUICE_SCREENSHOT_DIR"

source tests/cli/serve_lib.bash
cleanup() {
  stop_serves
  rm -rf "$dir"
}
trap cleanup EXIT

# The demo's workspace: myservice synced full then incrementally, forge's
# two tables (scripts/demo starts and stops its own test API server).
if ! BUILD=$build DEMO_DIR=$dir/demo scripts/demo > "$dir/demo.log" 2>&1; then
  tail -n 40 "$dir/demo.log" >&2
  echo "FAIL: scripts/demo" >&2
  exit 1
fi
db=$dir/demo/sluice.db
export XDG_CONFIG_HOME=$dir/demo/config  # the demo's secret key

# A live connector on a test API server of our own (for the query page's
# EXPLAIN), and a connector whose API is not there: a failed run.
source tests/servers/start_test_server.bash
export LIVE_KEY=live-key-$RANDOM$RANDOM
start_test_server "$build/test_api_server" --token "$LIVE_KEY" || exit 1
"$sluice" "$db" \
  -c "CREATE SECRET live_key FROM ENV 'LIVE_KEY'" \
  -c "CREATE CONNECTOR live TYPE 'myservice' CONFIG {\"api_url\": \"$TEST_SERVER_URL\", \"api_key\": \"{{secrets.live_key}}\"}" \
  -c "CREATE CONNECTOR broken TYPE 'myservice' CONFIG {\"api_url\": \"http://127.0.0.1:1\", \"api_key\": \"{{secrets.live_key}}\"} OPTIONS {\"retry_count\": 0}" \
  > "$dir/seed.out" 2>&1 || { cat "$dir/seed.out" >&2; fail "seeding the live and broken connectors"; }
"$sluice" "$db" -c "SYNC CONNECTOR broken" > "$dir/broken.out" 2>&1
expect_eq "the broken connector's sync fails" 1 $?
export FAILED_RUN_ID=$(sqlite3 "$db" "SELECT max(id) FROM _sluice_sync_runs WHERE status = 'failed'")
expect_eq "and is recorded as the fifth run" 5 "$FAILED_RUN_ID"

# The CSV the console must export, written by Python's csv module (RFC 4180:
# CRLF, quotes only where needed) from the same query.
export CSV_SQL="SELECT id, name, status, name || ', \"quoted\"' AS tricky, NULL AS missing FROM my_service_prod_items ORDER BY id LIMIT 10"
export EXPECTED_CSV_FILE=$dir/expected.csv
python3 - "$db" "$EXPECTED_CSV_FILE" <<'EOF' || fail "writing the expected CSV"
import csv, os, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
cursor = connection.execute(os.environ["CSV_SQL"])
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow([c[0] for c in cursor.description])
    writer.writerows(cursor.fetchall())
EOF
export LIVE_SQL="SELECT id, name, status FROM live.items WHERE status = 'active' LIMIT 3"

export SLUICE_SERVE_TOKEN=console-test-token-$RANDOM$RANDOM
export CONSOLE_TOKEN=$SLUICE_SERVE_TOKEN
# A workspace of awkward content for the layout checks: a handler's error of
# 5000 unbroken characters after a right-to-left override, a 3000-character
# field name, a value with bidi controls.
long=$(printf 'W%.0s' $(seq 5000))
longname=$(printf 'f%.0s' $(seq 3000))
"$sluice" "$dir/awkward.db" -c "CREATE CONNECTOR TYPE 'evil' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'evil.boom' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}}
    QUERY_HANDLER '''async function query() { throw new Error('\u202e$long'); }''';
  CREATE CONNECTOR ENTITY 'evil.wide' DESCRIPTION 'reversed: ‮exe.txt'
    FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}, \"$longname\": {\"type\": \"string\"}}
    QUERY_HANDLER '''async function query() { return [{id: '\u202eevil.txt'}]; }''';
  CREATE CONNECTOR evil TYPE 'evil' CONFIG {}" > "$dir/awkward.out" 2>&1 || { cat "$dir/awkward.out" >&2; fail "seeding the awkward workspace"; }
"$sluice" "$dir/awkward.db" -c "SYNC CONNECTOR evil" > "$dir/awkward-sync.out" 2>&1
expect_eq "the awkward sync fails (boom)" 1 $?

start_serve CONSOLE_URL "$db" || { fail "sluice serve (read-only) did not start"; finish; }
start_serve CONSOLE_WRITE_URL "$db" --allow-writes || { fail "sluice serve --allow-writes did not start"; finish; }
start_serve CONSOLE_AWKWARD_URL "$dir/awkward.db" || { fail "sluice serve (awkward) did not start"; finish; }
export CONSOLE_URL CONSOLE_WRITE_URL CONSOLE_AWKWARD_URL

# The files and their headers.
headers=$(curl -s -D - -o "$dir/index.html" "$CONSOLE_URL/")
expect_contains "/ is the console" "Sluice console" "$(cat "$dir/index.html")"
expect_contains "a strict CSP" "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'" "$headers"
expect_contains "no framing" "frame-ancestors 'none'" "$headers"
expect_contains "X-Frame-Options" "X-Frame-Options: DENY" "$headers"
expect_contains "nosniff" "X-Content-Type-Options: nosniff" "$headers"
expect_contains "no referrer" "Referrer-Policy: no-referrer" "$headers"
expect_not_contains "no inline script in the page" "<script>" "$(cat "$dir/index.html")"
expect_not_contains "no inline style in the page" "style=" "$(cat "$dir/index.html")"
expect_contains "app.js is JavaScript" "Content-Type: text/javascript" "$(curl -s -D - -o /dev/null "$CONSOLE_URL/console/app.js")"
expect_contains "style.css is CSS" "Content-Type: text/css" "$(curl -s -D - -o /dev/null "$CONSOLE_URL/console/style.css")"
expect_eq "an unknown file is a 404" 404 "$(curl -s -o "$dir/missing.json" -w '%{http_code}' "$CONSOLE_URL/console/nope.js")"
expect_contains "as a JSON error" '"kind":"not_found"' "$(cat "$dir/missing.json")"
expect_eq "no way out of the embedded files" 404 "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$CONSOLE_URL/console/../../CMakeLists.txt")"
expect_eq "a page from another host name (DNS rebinding) is refused" 403 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "$CONSOLE_URL/")"

# Every page in Chromium.
node tests/compat/console_test.mjs > "$dir/console.log" 2>&1
status=$?
cat "$dir/console.log"
expect_eq "console_test.mjs passes" 0 $status
shots=$(ls "$SLUICE_SCREENSHOT_DIR"/*.png 2>/dev/null | wc -l)
[ "$shots" -ge 10 ] || fail "screenshots written ($shots in $SLUICE_SCREENSHOT_DIR)"
stop_test_server
finish
