# Rows written faster than they are consumed (docs/sync.md, Memory and
# backpressure): a table integration's resolver that calls stream.write 5M
# times in a loop that never awaits, and a declared connector's generator
# that yields 5M rows without awaiting, sync into SQLite in flat memory —
# the peak RSS of 5M rows within 1.5× that of 1M. A row handed on counts as
# progress for the time limit (a loop that keeps producing is not stopped; one
# that produces nothing is), and a destination that refuses a row stops the
# loop with the destination's error.
# Under the sanitizer (SLUICE_TEST_SLOW > 1) the rows are scaled down.
source "$(dirname "$0")/lib.bash"
big=${SLUICE_WRITE_LOOP_ROWS:-5000000}
# Under the sanitizer fewer: AddressSanitizer's quarantine keeps freed
# memory resident, and the handler's memory limit is measured on RSS
# (500,000 rows passed it there after 120,000).
# (There RSS is no measure of flatness either: the RSS checks are for the
# ordinary build.)
if [ "$slow" -gt 1 ]; then big=100000; fi
small=$((big / 5))

mkdir -p "$dir/wl"
printf '{"name": "writeloop", "version": "1.0.0", "type": "module", "main": "main.js"}\n' > "$dir/wl/package.json"
cat > "$dir/wl/main.js" <<'JS'
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { Int64, Utf8, Float64 } from '@cloudquery/plugin-sdk-javascript/arrow';
let spec = {};
// Busy for `ms` without awaiting: a loop that is slow but never yields.
const spin = (ms) => { const until = Date.now() + ms; while (Date.now() < until); };
const tables = [createTable({ name: 'items', columns: [
  createColumn({ name: 'id', type: new Int64(), primaryKey: true }),
  createColumn({ name: 'name', type: new Utf8() }),
  createColumn({ name: 'score', type: new Float64() })],
  resolver: async (client, parent, stream) => {
    let i = 1;
    try {
      for (; i <= spec.rows; i++) {
        if (spec.spin_ms) spin(spec.spin_ms);
        stream.write({ id: i, name: `item ${i}`, score: i / 4 });
      }
      if (spec.idle_ms) spin(spec.idle_ms);
    } finally {
      console.log(`resolver stopped at ${i}`);
    }
  } })];
createServeCommand(newPlugin('writeloop', '1.0.0', async (logger, text) => {
  spec = JSON.parse(text || '{}');
  return { tables: async () => tables,
    sync: (o) => sync({ client: { id: () => 'c' }, tables, stream: o.stream, concurrency: 1 }) };
})).parse();
JS

ws=$dir/ws.db
setup() {  # CONFIG OPTIONS
  "$sluice" -w "$ws" -c "CREATE OR REPLACE CONNECTOR w TYPE 'wl' CONFIG $1 OPTIONS $2" >/dev/null 2>&1 ||
    fail "connector w with CONFIG $1"
}
# peak RSS (KiB) of a SYNC; its output in $dir/out
peak() {
  /usr/bin/time -f '%M' -o "$dir/rss" "$sluice" -w "$ws" -c "$1" > "$dir/out" 2>&1
  local status=$?
  tail -1 "$dir/rss"
  return $status
}
"$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'wl' FROM INTEGRATION '$dir/wl'" >/dev/null 2>&1 || fail "the integration loads"

# --- an integration's resolver: stream.write in a plain loop -----------------
setup "{\"rows\": $small}" "{}"
rss_small=$(peak "SYNC CONNECTOR w")
expect_eq "$small rows sync" 0 $?
expect_eq "all of them" "$small|$((small * (small + 1) / 2))" "$(sqlite3 "$ws" "SELECT count(*), sum(id) FROM w_items")"
setup "{\"rows\": $big}" "{}"
rss_big=$(peak "SYNC CONNECTOR w")
expect_eq "$big rows sync" 0 $?
expect_eq "all of them" "$big|$((big * (big + 1) / 2))|item $big" \
  "$(sqlite3 "$ws" "SELECT count(*), sum(id), (SELECT name FROM w_items WHERE id = $big) FROM w_items")"
echo "integration: peak RSS $((rss_small / 1024)) MiB at $small rows, $((rss_big / 1024)) MiB at $big"
if [ "$slow" -eq 1 ] && [ $((rss_big * 2)) -ge $((rss_small * 3)) ]; then
  fail "peak RSS stays flat: $rss_big KiB at $big rows, $rss_small KiB at $small"
fi

# A destination that refuses a row stops the loop, with its error.
sqlite3 "$ws" "CREATE TRIGGER refuse BEFORE INSERT ON w_items WHEN NEW.id = 1000 BEGIN SELECT RAISE(ABORT, 'row 1000 refused'); END;"
setup "{\"rows\": $big}" "{}"
peak "SYNC CONNECTOR w" >/dev/null
expect_eq "the refused row fails the sync" 1 $?
expect_contains "with the destination's error" "row 1000 refused" "$(cat "$dir/out")"
stopped=$(sed -n 's/.*resolver stopped at \([0-9]*\).*/\1/p' "$dir/out")
if [ -z "$stopped" ] || [ "$stopped" -ge "$big" ]; then
  fail "the resolver's loop is stopped (stopped at '${stopped}' of $big)"
fi
echo "a refused row 1000: the resolver stopped at row $stopped of $big"
sqlite3 "$ws" "DROP TRIGGER refuse"

# The time limit: a loop that keeps writing, for three times the limit, is
# not stopped; one that then writes nothing for three times the limit is.
setup "{\"rows\": $((150 / slow)), \"spin_ms\": $((20 * slow))}" "{\"timeout_seconds\": $slow}"
peak "SYNC CONNECTOR w" >/dev/null
expect_eq "a loop making rows for 3 s under a 1 s limit syncs" 0 $?
expect_eq "all its rows" "$((150 / slow))" "$(sqlite3 "$ws" "SELECT count(*) FROM w_items")"
setup "{\"rows\": 10, \"idle_ms\": $((3000 * slow))}" "{\"timeout_seconds\": $slow}"
peak "SYNC CONNECTOR w" >/dev/null
expect_eq "a loop idle for 3 s under a 1 s limit fails" 1 $?
expect_contains "at the time limit" "time limit" "$(cat "$dir/out")"

# --- a declared connector's generator: yields without awaiting --------------
"$sluice" -w "$ws" -c "CREATE CONNECTOR TYPE 'gen' CONFIG_SCHEMA {\"rows\": {\"type\": \"integer\"}, \"spin_ms\": {\"type\": \"integer\", \"default\": 0}, \"idle_ms\": {\"type\": \"integer\", \"default\": 0}};
  CREATE CONNECTOR ENTITY 'gen.rows' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"name\": {\"type\": \"string\"}, \"score\": {\"type\": \"number\"}}
    QUERY_HANDLER '''function* query(config) {
      const spin = (ms) => { const until = Date.now() + ms; while (Date.now() < until); };
      for (let i = 1; i <= config.rows; i++) {
        if (config.spin_ms) spin(config.spin_ms);
        yield {id: i, name: 'row ' + i, score: i / 4};
      }
      if (config.idle_ms) spin(config.idle_ms);
    }''';" >/dev/null 2>&1 || fail "the declared connector type"
gen() { "$sluice" -w "$ws" -c "CREATE OR REPLACE CONNECTOR g TYPE 'gen' CONFIG $1 OPTIONS $2" >/dev/null 2>&1 || fail "connector g"; }
gen "{\"rows\": $small}" "{}"
rss_small=$(peak "SYNC CONNECTOR g")
expect_eq "a generator's $small rows sync" 0 $?
gen "{\"rows\": $big}" "{}"
rss_big=$(peak "SYNC CONNECTOR g")
expect_eq "a generator's $big rows sync" 0 $?
expect_eq "all of them" "$big|$((big * (big + 1) / 2))" "$(sqlite3 "$ws" "SELECT count(*), sum(id) FROM g_rows")"
echo "declared generator: peak RSS $((rss_small / 1024)) MiB at $small rows, $((rss_big / 1024)) MiB at $big"
if [ "$slow" -eq 1 ] && [ $((rss_big * 2)) -ge $((rss_small * 3)) ]; then
  fail "peak RSS stays flat: $rss_big KiB at $big rows, $rss_small KiB at $small"
fi
gen "{\"rows\": $((150 / slow)), \"spin_ms\": $((20 * slow))}" "{\"timeout_seconds\": $slow}"
peak "SYNC CONNECTOR g" >/dev/null
expect_eq "a generator making rows for 3 s under a 1 s limit syncs" 0 $?
gen "{\"rows\": 10, \"idle_ms\": $((3000 * slow))}" "{\"timeout_seconds\": $slow}"
peak "SYNC CONNECTOR g" >/dev/null
expect_eq "a generator idle for 3 s under a 1 s limit fails" 1 $?
expect_contains "at the time limit" "time limit" "$(cat "$dir/out")"
finish
