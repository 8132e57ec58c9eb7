# `make test` runs every example connector's tests through `sluice test`:
# the unit tests against their MOCK_API tables, and the guide's integration
# test against a local server that implements create, query by id and
# delete (the test API server), reached through MYSERVICE_TEST_URL and
# MYSERVICE_TEST_KEY. Without those variables the integration test is
# skipped, not failed.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source tests/servers/start_test_server.bash
key=example-tests-key-$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$key" >/dev/null || exit 1

# Every example connector folder has tests.
# (examples/distributed holds deployment files, no connector.)
for folder in $(ls -d examples/*/ examples/integrations/*/ | grep -v -e '^examples/integrations/$' -e '^examples/distributed/$'); do
  if ! grep -lq "TEST CONNECTOR TYPE" "$folder"*.sql 2>/dev/null; then fail "$folder has no tests"; fi
done

# The distributed examples that cannot run here (no Kubernetes, no Slurm):
# their syntax at least; examples/distributed/README.md says which is which.
for f in examples/distributed/*.sh; do bash -n "$f" || fail "bash -n $f"; done
for f in examples/distributed/*.yaml; do
  out=$(python3 -c 'import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
assert docs and all("apiVersion" in d and "kind" in d for d in docs), "not Kubernetes objects"
for d in docs:
    for name, text in (d.get("data") or {}).items():
        if name.endswith(".yaml"): list(yaml.safe_load_all(text))
print(len(docs))' "$f" 2>&1) || fail "$f does not parse: $out"
done

out=$(MYSERVICE_TEST_URL=$TEST_SERVER_URL MYSERVICE_TEST_KEY=$key "$sluice" test -j 2 examples/ 2>&1)
status=$?
printf '%s\n' "$out"
expect_eq "sluice test examples/ passes" 0 $status
expect_contains "the integration test ran against the server" "PASS  integration with real API" "$out"
expect_contains "the guide's unit test passed" "PASS  query returns items" "$out"
expect_contains "nothing failed or was skipped" " 0 failed, 0 skipped" "$(printf '%s\n' "$out" | tail -n 1)"
expect_not_contains "the key is never printed" "$key" "$out"
log=$(curl -s "$TEST_SERVER_URL/requests")
expect_contains "the integration test created an item" '"method":"POST"' "$log"
expect_contains "and deleted it" '"method":"DELETE"' "$log"

out=$(env -u MYSERVICE_TEST_URL -u MYSERVICE_TEST_KEY "$sluice" test examples/ 2>&1)
expect_eq "without the variables the run still passes" 0 $?
skip_line=$(printf '%s\n' "$out" | grep "SKIP  integration with real API" | sed -E 's/ \([0-9]+ ms\)//')
expect_eq "the integration test is skipped with the reason" \
  "  SKIP  integration with real API: ENV('MYSERVICE_TEST_URL') is not set" "$skip_line"
finish
