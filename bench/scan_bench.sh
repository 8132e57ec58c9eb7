#!/usr/bin/env bash
# Runs scan_bench against a local test API server it starts (and stops).
set -euo pipefail
build=${1:-build}
source "$(dirname "$0")/../tests/servers/start_test_server.bash"
start_test_server "$build/test_api_server"
"$build/scan_bench" "$TEST_SERVER_URL" "${SCAN_ROWS:-1000000}"
