#!/usr/bin/env bash
# Runs sync_bench at 1M and 5M rows against a local test API server it
# starts (and stops): rows/s beside the SQLite insert limit, and peak RSS at
# both sizes (flat means streaming). SYNC_ROWS overrides the sizes.
set -euo pipefail
build=${1:-build}
source "$(dirname "$0")/../tests/servers/start_test_server.bash"
start_test_server "$build/test_api_server"
work=$(mktemp -d)
trap 'rm -rf "$work"; stop_test_server' EXIT
for rows in ${SYNC_ROWS:-1000000 5000000}; do
  "$build/sync_bench" "$TEST_SERVER_URL" "$rows" "$work"
done
