#!/usr/bin/env bash
# A served table of bools and nulls alone: readers cap a record's values
# against its bytes (a million bools fit in 125 kB — an allocation bomb if
# believed blindly), so plugin serve cuts records at
# kRecordValuesAlwaysAccepted values as well as at 4 MiB. Without that,
# 200,000 rows of two such columns made one record Sluice itself refused.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
mkdir "$dir/flags"
cat >"$dir/flags/flags.sql" <<'SQL'
CREATE OR REPLACE CONNECTOR TYPE 'flags' CONFIG_SCHEMA {"rows": {"type": "integer"}};
CREATE OR REPLACE CONNECTOR ENTITY 'flags.bits'
  FIELDS {"a": {"type": "boolean"}, "b": {"type": "boolean"}}
  QUERY_HANDLER '''async function* query(config) {
  for (let s = 0; s < config.rows; s += 10000)
    yield Array.from({length: 10000}, (_, i) => ({a: (s + i) % 2 === 0, b: null}));
}''';
SQL
"$sluice" plugin serve "$dir/flags" --network unix --address "$dir/f.sock" >"$dir/serve.out" 2>&1 &
server=$!
for _ in $(seq $((300 * slow))); do [ -S "$dir/f.sock" ] && break; sleep 0.1; done
echo '{"rows": 200000}' >"$dir/spec.json"
node tests/compat/cli_emulator.mjs sync "unix:$dir/f.sock" --spec "$dir/spec.json" >"$dir/rows.json" 2>"$dir/rows.err"
expect_eq "the sync passes every message rule" 0 $?
expect_eq "every row arrives" 200000 "$(node -e 'console.log(require(process.argv[1]).rows.bits)' "$dir/rows.json")"
inserts=$(node -e 'console.log(require(process.argv[1]).inserts.length)' "$dir/rows.json")
[ "$inserts" -ge 7 ] || fail "records cut by their count of values (inserts: $inserts)"
finish
