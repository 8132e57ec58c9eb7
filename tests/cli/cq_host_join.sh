#!/usr/bin/env bash
# A join over a hosted plugin's table reads the plugin once per statement.
# Nothing is pushed down to a plugin, so every scan of its table is the
# whole table: SQLite's nested loop used to rescan the inner side once per
# outer row — one whole Sync (a full API crawl) per row. The rows of the
# first complete scan now serve the rest of the statement
# (SourceRegistry::Scan), which SHOW CONNECTOR STATS counts as cache hits.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT

node tests/compat/cq_test_plugin.mjs serve --address "unix:$dir/numbers.sock" --log-format json \
  >"$dir/numbers.out" 2>"$dir/numbers.err" &
pids+=($!)
for _ in $(seq $((300 * slow))); do [ -S "$dir/numbers.sock" ] && break; sleep 0.1; done
[ -S "$dir/numbers.sock" ] || { cat "$dir/numbers.err" >&2; fail "the plugin serves"; finish; exit 1; }

out=$("$sluice" -w "$dir/ws.db" -f csv -c "CREATE CONNECTOR TYPE 'nums' FROM PLUGIN 'unix:$dir/numbers.sock';
  CREATE CONNECTOR a TYPE 'nums' CONFIG {\"rows\": 30};
  CREATE CONNECTOR b TYPE 'nums' CONFIG {\"rows\": 30};
  SELECT count(*) AS n FROM a.numbers x JOIN b.numbers y ON x.id = y.id;
  SELECT count(*) AS n FROM a.numbers x, a.numbers y WHERE x.id < y.id;
  SHOW CONNECTOR STATS;" 2>&1)
expect_eq "the queries run" 0 $?
expect_contains "the join is right" "n
30" "$out"
expect_contains "the self-join is right" "n
435" "$out"
# A rescan is a cache hit: the old code made none (a Sync per outer row).
hits=$(printf '%s\n' "$out" | awk -F, '$1 == "a" || $1 == "b" { sum += $NF } END { print sum + 0 }')
[ "$hits" -ge 29 ] || fail "the inner side is read from the kept rows, not a Sync per outer row (cache hits: $hits)"
cancelled=$(grep -c "sync cancelled by the client" "$dir/numbers.out")
[ "$cancelled" -le 4 ] || fail "few Syncs were started (cancelled: $cancelled)"
finish
