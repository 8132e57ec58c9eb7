# Sluice's Arrow IPC codec against the real Arrow JS (19.0.1, what the
# CloudQuery JS SDK uses, and 21.2.0) and the JS SDK's own encoders, both
# ways, for every type CloudQuery uses (tests/compat/arrow_roundtrip.mjs).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tool=$(dirname "$sluice")/cq_arrow_tool
if [ ! -d tests/compat/node_modules/apache-arrow ] || [ ! -d tests/compat/node_modules/@apache-arrow/esnext-esm ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi

# C++ → JS: every sample decodes in both Arrow versions to the same values.
mkdir -p "$dir/cpp"
"$tool" encode-samples "$dir/cpp" || fail "cq_arrow_tool encode-samples"
out=$(node tests/compat/arrow_roundtrip.mjs cpp-to-js "$dir/cpp" 2>&1)
status=$?
printf '%s\n' "$out" | tail -n 20
expect_eq "Arrow JS reads what Sluice writes" 0 $status
expect_contains "and checked something" " 0 mismatches" "$out"

# JS → C++: both Arrow versions and the SDK's encodeTable/encodeResource.
mkdir -p "$dir/js"
out=$(node tests/compat/arrow_roundtrip.mjs js-to-cpp "$dir/js" "$tool" 2>&1)
status=$?
printf '%s\n' "$out" | tail -n 20
expect_eq "Sluice reads what Arrow JS and the JS SDK write" 0 $status
expect_contains "the SDK's resource was read" "$(printf '"ünï"')" "$("$tool" decode "$dir/js/sdk_resource.arrow")"

# The comparison can fail: one changed expected value must be seen.
sed 's/"\\"hello\\""/"\\"hellO\\""/' "$dir/cpp/samples.json" > "$dir/cpp/samples.changed" &&
  mv "$dir/cpp/samples.changed" "$dir/cpp/samples.json"
out=$(node tests/compat/arrow_roundtrip.mjs cpp-to-js "$dir/cpp" 2>&1)
expect_eq "a changed value is a mismatch" 1 $?
expect_contains "and it is named" "reading utf8 row 1" "$out"

# Hostile bytes: a clean error, never a crash.
head -c 1000 /dev/urandom > "$dir/garbage.arrow"
"$tool" decode "$dir/garbage.arrow" > /dev/null 2> "$dir/garbage.err"
expect_eq "garbage is an error" 1 $?
expect_contains "saying it is malformed" "Arrow IPC" "$(cat "$dir/garbage.err")"
head -c 100 "$dir/js/sdk_resource.arrow" > "$dir/truncated.arrow"
"$tool" decode "$dir/truncated.arrow" > /dev/null 2> "$dir/truncated.err"
expect_eq "a truncated stream is an error" 1 $?
finish
