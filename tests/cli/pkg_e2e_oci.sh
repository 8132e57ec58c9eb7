# An OCI registry end to end: Debian's docker-registry on a free loopback
# port; the author publishes signed 1.0.0 and 1.1.0 to it; a consumer
# installs ^1.0 (1.1.0), queries it against the test API server, YANKs
# 1.1.0 through the registry, and a fresh workspace then resolves 1.0.0
# while the first one's sluice.lock still gets 1.1.0.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
command -v docker-registry >/dev/null || { echo "docker-registry is not installed: run scripts/setup" >&2; exit 1; }
start_api

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$dir/oci"
cat > "$dir/oci.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/oci
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$dir/oci.yml" </dev/null >"$dir/oci.log" 2>&1 &
oci_pid=$!
trap 'kill $oci_pid 2>/dev/null; stop_test_server; rm -rf "$dir"' EXIT
for _ in $(seq 1 $((300 * slow))); do
  curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/v2/" >/dev/null || { fail "docker-registry did not start: $(cat "$dir/oci.log")"; finish; exit 1; }
oci=oci://127.0.0.1:$port/sluice

author_setup
out=$(as_author "CREATE REGISTRY o URL '$oci' TRUSTED_KEYS ('$pubkey')")
[ $? -eq 0 ] || fail "author: CREATE REGISTRY o: $out"
publish_oci() {
  out=$(as_author "PACKAGE CONNECTOR TYPE 'myservice' VERSION '$1' LICENSE 'MIT'" \
                  "PUBLISH CONNECTOR TYPE 'myservice' VERSION '$1' TO 'o' SIGNED BY 'release'")
  [ $? -eq 0 ] || fail "publish $1 to OCI: $out"
}
publish_oci 1.0.0
add_owner_field
publish_oci 1.1.0

mkdir -p "$dir/a" "$dir/b"
a=$dir/a/ws.db
out=$(in_ws "$a" "CREATE REGISTRY o URL '$oci' TRUSTED_KEYS ('$pubkey')" \
                 "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1.0' FROM REGISTRY 'o'" \
                 "$create_m" \
                 "SELECT count(*) AS n FROM m.items")
expect_eq "install from OCI exits 0" 0 $?
expect_contains "installed from OCI" "installed connector type 'myservice' 1.1.0 from registry 'o'" "$out"
expect_contains "…and queries" "25" "$out"

out=$(in_ws "$a" "YANK CONNECTOR TYPE 'myservice' VERSION '1.1.0' FROM REGISTRY 'o' REASON 'testing'")
expect_eq "yank on OCI exits 0" 0 $?
b=$dir/b/ws.db
out=$(in_ws "$b" "CREATE REGISTRY o URL '$oci' TRUSTED_KEYS ('$pubkey')" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1.0' FROM REGISTRY 'o'")
expect_contains "yanked on OCI is skipped" "installed connector type 'myservice' 1.0.0" "$out"
mkdir -p "$dir/c"
cp "$dir/a/sluice.lock" "$dir/c/sluice.lock"
out=$(in_ws "$dir/c/ws.db" "CREATE REGISTRY o URL '$oci' TRUSTED_KEYS ('$pubkey')" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1.0' FROM REGISTRY 'o'")
expect_contains "yanked but locked on OCI installs" "installed connector type 'myservice' 1.1.0" "$out"
out=$(as_author "PUBLISH CONNECTOR TYPE 'myservice' VERSION '1.0.0' TO 'o' SIGNED BY 'release'")
[ $? -ne 0 ] || fail "republishing an exact version is refused"
finish
