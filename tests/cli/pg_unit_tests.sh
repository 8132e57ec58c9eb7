# The C++ tests that need a real PostgreSQL server (sluice_pg_tests: the
# destination's partitions and fences, the distributed-run coordinator),
# against a throwaway cluster.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_postgres.bash"
start_postgres || exit 1
tests="$(dirname "$sluice")/sluice_pg_tests"
[ -x "$tests" ] || fail "no $tests (build the sluice_pg_tests target)"
SLUICE_TEST_PG_URL=$PG_URL "$tests" --gtest_brief=1 || fail "sluice_pg_tests"
finish
