# Sluice's semver (src/package/semver.h) against node-semver 7, the
# reference for npm's range rules: a generated table of versions × ranges
# (tests/compat/semver_oracle.mjs), every validRange, satisfies and
# maxSatisfying compared line by line.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tool=$(dirname "$sluice")/semver_tool
if ! command -v node > /dev/null; then
  echo "SKIP: node is not installed (scripts/setup installs it)"
  exit 0
fi
if [ ! -d tests/compat/node_modules/semver ]; then
  echo "tests/compat/node_modules/semver is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi

node tests/compat/semver_oracle.mjs inputs > "$dir/inputs.json" || fail "oracle inputs"
node tests/compat/semver_oracle.mjs table "$dir/inputs.json" > "$dir/node.txt" || fail "oracle table"
"$tool" "$dir/inputs.json" > "$dir/sluice.txt" || fail "semver_tool"
pairs=$(node -e 'const d=require(process.argv[1]); console.log(d.versions.length * d.ranges.length)' \
  "$dir/inputs.json")
ranges=$(wc -l < "$dir/node.txt")
invalid=$(grep -c $'\tnull\t-\t' "$dir/node.txt")
echo "compared $ranges ranges ($invalid invalid) × $(( pairs / ranges )) versions = $pairs (range, version) pairs"
expect_eq "as many lines as ranges" "$ranges" "$(wc -l < "$dir/sluice.txt")"
if ! diff "$dir/node.txt" "$dir/sluice.txt" > "$dir/diff.txt"; then
  fail "Sluice and node-semver disagree on $(grep -c '^<' "$dir/diff.txt") ranges:"
  head -n 40 "$dir/diff.txt" | cut -c1-300 >&2
fi
[ "$pairs" -gt 20000 ] || fail "the table is too small: $pairs pairs"

# The comparison can fail: one range's answers changed must be seen.
sed '1s/\t1/\t0/' "$dir/node.txt" > "$dir/node_changed.txt"
if diff -q "$dir/node_changed.txt" "$dir/sluice.txt" > /dev/null; then
  fail "a changed oracle line went unnoticed"
fi
# And the tool reads stdin too.
expect_eq "stdin" "$(cat "$dir/sluice.txt")" "$("$tool" - < "$dir/inputs.json")"
finish
