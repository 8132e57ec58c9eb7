# `sluice test`: verdicts, failure reports, counts and exit status over the
# framework's own fixtures (tests/connector_tests), filters, parallel runs,
# JUnit XML, setup failures, --workspace, secret masking, and TEST blocks
# run as plain scripts.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fixtures=tests/connector_tests/framework
unset SLUICE_TEST_SURELY_UNSET_VARIABLE

verdicts() { grep -E '^  (PASS|FAIL|SKIP)  ' | sed -E 's/ \([0-9]+ ms\)(:|$)/\1/'; }

out=$("$sluice" test tests/connector_tests 2>&1)
expect_eq "failures make the exit status 1" 1 $?
expect_eq "the closing line is the summary" "5 passed, 6 failed, 1 skipped" "$(printf '%s\n' "$out" | tail -n 1)"
expect_eq "every test has its verdict, in file order" "  FAIL  a failed assertion fails
  FAIL  an unmatched request fails
  FAIL  a thrown handler error fails
  FAIL  a malformed MOCK_API fails
  FAIL  an undefined type fails
  SKIP  a missing ENV variable skips: ENV('SLUICE_TEST_SURELY_UNSET_VARIABLE') is not set
  FAIL  mock:// without MOCK_API fails
  PASS  makes a connector, a secret and a variable
  PASS  sees none of it
  PASS  records what was sent
  PASS  two connectors share one mock
  PASS  ENV with a default does not skip" "$(printf '%s\n' "$out" | verdicts)"
expect_contains "an assertion names file:line:col, expected and actual" \
  "$fixtures/failing.sql:8:10: assertion failed: rows[0].kind = 'expected kind' (expected 'expected kind', found 'real')" "$out"
expect_contains "a failure shows what the test printed" "| rows seen: 1" "$out"
expect_contains "an unmatched request names itself and the mocks, even when the handler hid it" \
  "unmatched request GET /things?kind=k; MOCK_API has: GET /other, POST /things" "$out"
expect_contains "a thrown error fails with its message and the handler's line" \
  "Error: boom: the handler exploded" "$out"
expect_contains "a malformed MOCK_API says why" 'MOCK_API key "things" must be "METHOD /path"' "$out"
expect_contains "an undefined type says so" "connector type 'no_such_type' is not defined" "$out"
expect_contains "mock:// outside a MOCK_API test says so" "mock:// URLs are answered only inside TEST" "$out"

out=$("$sluice" test "$fixtures/passing.sql" 2>&1)
expect_eq "a file alone runs with its folder's definitions" 0 $?
expect_eq "passing alone" "5 passed, 0 failed, 0 skipped" "$(printf '%s\n' "$out" | tail -n 1)"

# Parallel runs give the same verdicts, reported in the same order.
serial=$("$sluice" test tests/connector_tests 2>&1 | verdicts)
for jobs in 2 4; do
  out=$("$sluice" test -j "$jobs" tests/connector_tests 2>&1)
  expect_eq "-j $jobs exit status" 1 $?
  expect_eq "-j $jobs verdicts" "$serial" "$(printf '%s\n' "$out" | verdicts)"
  expect_eq "-j $jobs summary" "5 passed, 6 failed, 1 skipped" "$(printf '%s\n' "$out" | tail -n 1)"
done

out=$("$sluice" test --tags mock tests/connector_tests 2>&1)
expect_eq "--tags picks tests with the tag" "  PASS  records what was sent
  PASS  two connectors share one mock" "$(printf '%s\n' "$out" | verdicts)"
out=$("$sluice" test --exclude-tags env,mock "$fixtures/passing.sql" 2>&1)
expect_eq "--exclude-tags drops tests with any of them" "2 passed, 0 failed, 0 skipped" "$(printf '%s\n' "$out" | tail -n 1)"
out=$("$sluice" test --filter UNMATCHED tests/connector_tests 2>&1)
expect_eq "--filter matches names in any case" "  FAIL  an unmatched request fails" "$(printf '%s\n' "$out" | verdicts)"

"$sluice" test --junit "$dir/junit.xml" tests/connector_tests >/dev/null 2>&1
junit=$(cat "$dir/junit.xml" 2>/dev/null)
expect_contains "JUnit totals" '<testsuites name="sluice test" tests="12" failures="6" skipped="1"' "$junit"
expect_contains "JUnit suite per file" "<testsuite name=\"$fixtures/passing.sql\" tests=\"5\" failures=\"0\"" "$junit"
expect_contains "JUnit failure with kind" 'type="assertion_error"' "$junit"
expect_contains "JUnit skip with reason" '<skipped message="ENV(' "$junit"
if command -v python3 >/dev/null; then
  python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$dir/junit.xml" ||
    fail "the JUnit file is not well-formed XML"
fi

out=$("$sluice" test "$dir/no-such-folder" 2>&1)
expect_eq "a missing path is a usage error" 2 $?
expect_contains "and says which" "no such file or folder: $dir/no-such-folder" "$out"
mkdir -p "$dir/empty"
"$sluice" test "$dir/empty" >/dev/null 2>&1
expect_eq "a folder without .sql files is a usage error" 2 $?

# Setup failures: a file that does not parse, definitions that fail.
mkdir -p "$dir/broken" "$dir/baddefs"
cp "$fixtures/probe.sql" "$dir/broken/"
printf "TEST CONNECTOR TYPE 'probe' NAME 'x' BEGIN ASSERT 1 = ; END TEST;\n" >"$dir/broken/tests.sql"
out=$("$sluice" test "$dir/broken" 2>&1)
expect_eq "a parse error fails the run" 1 $?
expect_contains "and names the file and line" "$dir/broken/tests.sql:1:" "$out"
expect_eq "counted once" "0 passed, 1 failed, 0 skipped" "$(printf '%s\n' "$out" | tail -n 1)"
printf "CREATE CONNECTOR ENTITY 'nope.things' FIELDS {} QUERY_HANDLER 'x';\n" >"$dir/baddefs/defs.sql"
cp "$fixtures/passing.sql" "$dir/baddefs/"
out=$("$sluice" test "$dir/baddefs" 2>&1)
expect_eq "failing definitions fail the run" 1 $?
expect_contains "and say where" "FAIL  definitions" "$out"
expect_eq "their folder's tests do not run" "0 passed, 1 failed, 0 skipped" "$(printf '%s\n' "$out" | tail -n 1)"

# --workspace: tests run over a copy of a real workspace, which stays as it was.
export SLUICE_SECRET_KEY=workspace-key-for-tests
"$sluice" "$dir/ws.db" "$fixtures/probe.sql" >/dev/null 2>&1 || fail "making the workspace"
mkdir -p "$dir/only-tests"
cp "$fixtures/passing.sql" "$dir/only-tests/"
before=$(sha256sum "$dir/ws.db")
out=$("$sluice" test --workspace "$dir/ws.db" "$dir/only-tests" 2>&1)
expect_eq "--workspace provides the definitions" "5 passed, 0 failed, 0 skipped" "$(printf '%s\n' "$out" | tail -n 1)"
expect_eq "--workspace is never changed" "$before" "$(sha256sum "$dir/ws.db")"
out=$("$sluice" test "$dir/only-tests" 2>&1)
expect_contains "without it, the type is missing" "connector type 'probe' is not defined" "$out"
unset SLUICE_SECRET_KEY

# Secrets a test stores never show in its report or the JUnit file.
mkdir -p "$dir/secrets"
cp "$fixtures/probe.sql" "$dir/secrets/"
cat >"$dir/secrets/tests.sql" <<'SQL'
TEST CONNECTOR TYPE 'probe' NAME 'leaks nothing'
BEGIN
  CREATE SECRET s VALUE 'super-secret-value-42';
  CREATE CONNECTOR p TYPE 'probe' CONFIG {"url": "mock://", "token": "{{secrets.s}}"};
  PRINT 'printed: super-secret-value-42';
  ASSERT 'super-secret-value-42' = 'something else';
END TEST;
SQL
out=$("$sluice" test --junit "$dir/secrets.xml" "$dir/secrets" 2>&1)
expect_contains "the failure is reported" "FAIL  leaks nothing" "$out"
expect_not_contains "the secret is masked in the report" "super-secret-value-42" "$out"
expect_not_contains "and in the JUnit file" "super-secret-value-42" "$(cat "$dir/secrets.xml")"
if [ -e "$XDG_CONFIG_HOME/sluice/secret.key" ]; then fail "a test run made a key file in the user's config"; fi

# TEST blocks in a plain script run the same way, each isolated.
out=$("$sluice" "$dir/plain.db" "$fixtures/probe.sql" "$fixtures/passing.sql" 2>&1)
expect_eq "passing tests in a script" 0 $?
expect_contains "a script prints verdicts" "PASS  sees none of it (" "$out"
out=$("$sluice" "$dir/plain.db" "$fixtures/failing.sql" 2>&1)
expect_eq "a failing test fails the script" 1 $?
expect_contains "naming the test and the assertion" \
  "test 'a failed assertion fails' failed: assertion failed: rows[0].kind = 'expected kind'" "$out"
# A test that syncs (several entities, which could run at once) writes
# into its own copy, never into the workspace file it was copied from.
cat >"$dir/sync_test.sql" <<'SQL'
TEST CONNECTOR TYPE 'probe' NAME 'syncs inside'
  MOCK_API {"GET /things": {"status": 200, "body": {"things": [{"id": 1, "kind": "a"}]}}}
BEGIN
  CREATE CONNECTOR inner_conn TYPE 'probe' CONFIG {"url": "mock://"};
  SYNC CONNECTOR inner_conn FULL;
  DECLARE synced = SELECT count(*) AS n FROM inner_conn_things;
  ASSERT synced[0].n = 1;
END TEST;
SQL
out=$("$sluice" "$dir/plain.db" "$dir/sync_test.sql" 2>&1)
expect_contains "a test can sync" "PASS  syncs inside" "$out"
expect_eq "into its copy only" "" "$(sqlite3 "$dir/plain.db" "SELECT name FROM sqlite_master WHERE name LIKE 'inner_conn%'")"
connectors=$("$sluice" "$dir/plain.db" --format csv -c "SELECT count(*) FROM _sluice_connectors" 2>&1)
expect_eq "a script's tests leave its workspace alone" "count(*)
0" "$connectors"
finish
