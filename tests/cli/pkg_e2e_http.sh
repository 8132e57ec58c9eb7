# The same registry tree served by a static HTTP server on 127.0.0.1: the
# author publishes to the directory, a consumer installs over HTTP (signed,
# checked against its TRUSTED_KEYS), queries the installed connector against
# the test API server, and sees updates over HTTP. Debian's minisign verifies
# the published signature and its trusted comment. The HTTP registry is
# read-only: YANK through it says so.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
start_api
author_setup
publish 1.0.0
pkg=$registry/packages/myservice/myservice-1.0.0.sluicepkg
sha=$(sha256sum "$pkg" | cut -d' ' -f1)
out=$(minisign -Vm "$pkg" -x "$pkg.minisig" -P "$pubkey" 2>&1) || fail "minisign -V: $out"
expect_contains "minisign: the trusted comment binds name, version, digest" \
  "sluice-package name=myservice version=1.0.0 sha256=$sha" "$out"

"$(dirname "$sluice")/static_http_server" "$registry" "$dir/http.port" </dev/null >"$dir/http.log" 2>&1 &
http_pid=$!
trap 'kill $http_pid 2>/dev/null; stop_test_server; rm -rf "$dir"' EXIT
for _ in $(seq 1 $((100 * slow))); do [ -s "$dir/http.port" ] && break; sleep 0.1; done
[ -s "$dir/http.port" ] || { fail "static_http_server did not start: $(cat "$dir/http.log")"; finish; exit 1; }
url=http://127.0.0.1:$(cat "$dir/http.port")

mkdir -p "$dir/h"
ws=$dir/h/ws.db
out=$(in_ws "$ws" "CREATE REGISTRY web URL '$url' TRUSTED_KEYS ('$pubkey')" \
                  "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1.0' FROM REGISTRY 'web'" \
                  "$create_m" \
                  "SELECT count(*) AS n FROM m.items")
expect_eq "install over HTTP exits 0" 0 $?
expect_contains "installed over HTTP" "installed connector type 'myservice' 1.0.0 from registry 'web'" "$out"
expect_contains "…and queries" "25" "$out"
expect_contains "the lock names the URL" "\"registry\": \"$url\"" "$(cat "$dir/h/sluice.lock")"

add_owner_field
publish 1.1.0
expect_contains "update available over HTTP" "1.1.0" "$(in_ws "$ws" "SHOW PACKAGES")"
expect_contains "upgrade over HTTP" "1.0.0 → 1.1.0" "$(in_ws "$ws" "UPGRADE CONNECTOR TYPE 'myservice'")"
out=$(in_ws "$ws" "YANK CONNECTOR TYPE 'myservice' VERSION '1.1.0' FROM REGISTRY 'web'")
[ $? -ne 0 ] || fail "YANK through a static HTTP registry fails"

kill $http_pid 2>/dev/null
wait $http_pid 2>/dev/null
out=$(in_ws "$ws" "SHOW PACKAGES")
expect_eq "SHOW PACKAGES with the server down exits 0" 0 $?
expect_contains "update unknown while unreachable" "unknown (" "$out"
finish
