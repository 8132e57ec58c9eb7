# A connector from PACKAGE to INSTALL on another workspace through a
# directory registry, all through SQL statements: the author publishes a
# signed myservice 1.0.0; a second workspace installs it (sluice.lock
# written, the package kept in the store) and queries the installed
# connector against the test API server; SHOW PACKAGES says what is there
# and, once 1.1.0 is published, that an update is available; a third
# workspace with the first one's sluice.lock gets exactly 1.0.0, a fourth
# without it gets 1.1.0. The package's description is not ASCII.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
start_api
author_setup
publish 1.0.0
[ -f "$registry/packages/myservice/myservice-1.0.0.sluicepkg" ] || fail "the registry holds the package"

a=$(new_consumer a)
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")
expect_eq "install exits 0" 0 $?
expect_contains "install says what it did" "installed connector type 'myservice' 1.0.0 from registry 'r'" "$out"
expect_contains "install names the signer" "signed by key" "$out"
[ -f "$dir/a/sluice.lock" ] || fail "sluice.lock written beside the workspace"
lock=$(cat "$dir/a/sluice.lock")
expect_contains "the lock pins the version" '"version": "1.0.0"' "$lock"
expect_contains "the lock keeps the range" '"constraint": "^1"' "$lock"
sha=$(sha256sum "$registry/packages/myservice/myservice-1.0.0.sluicepkg" | cut -d' ' -f1)
expect_contains "the lock pins the digest" "\"sha256\": \"$sha\"" "$lock"
[ -f "$SLUICE_PACKAGE_STORE/sha256/$sha.sluicepkg" ] || fail "the package is in the store"
expect_contains "the non-ASCII description survives" "über-connector ✓" "$(cat "$SLUICE_PACKAGE_STORE/sha256/$sha/sluice-package.json")"

out=$(in_ws "$a" "$create_m" "SELECT count(*) AS n FROM m.items")
expect_contains "the installed connector queries the API" "25" "$out"
expect_contains "the type has the package's version" "1.0.0" "$(in_ws "$a" "SHOW CONNECTOR TYPES")"

out=$(in_ws "$a" "SHOW PACKAGES")
expect_contains "SHOW PACKAGES: type and version" "myservice" "$out"
expect_contains "SHOW PACKAGES: short digest" "${sha:0:12}" "$out"
expect_not_contains "SHOW PACKAGES: no update yet" "1.1.0" "$out"

# Installing again is a no-op; a second version is refused with a hint.
expect_contains "reinstall is a no-op" "already installed" "$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")"

add_owner_field
publish 1.1.0
out=$(in_ws "$a" "SHOW PACKAGES")
expect_contains "SHOW PACKAGES: update available" "1.1.0" "$out"
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' VERSION '1.1.0' FROM REGISTRY 'r'")
expect_contains "installing another version points to UPGRADE" "UPGRADE CONNECTOR TYPE 'myservice'" "$out"

# A teammate with the lock gets the pinned bytes; without it, the newest.
b=$(new_consumer b)
cp "$dir/a/sluice.lock" "$dir/b/sluice.lock"
out=$(in_ws "$b" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")
expect_contains "the lock decides the version" "1.0.0" "$out"
expect_contains "…and says so" "sluice.lock pins it" "$out"
c=$(new_consumer c)
out=$(in_ws "$c" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")
expect_contains "without a lock: the newest" "installed connector type 'myservice' 1.1.0" "$out"
expect_contains "the new field is there" "owner" "$(in_ws "$c" "DESCRIBE ENTITY 'myservice.items'")"

# A dropped type can be installed again (its stale package record is ignored).
out=$(in_ws "$c" "DROP CONNECTOR TYPE 'myservice'" "SHOW PACKAGES")
expect_not_contains "a dropped type is not listed" "myservice" "$out"
expect_contains "…and installs again" "installed connector type 'myservice' 1.1.0" \
  "$(in_ws "$c" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")"

# By path instead of a declared name: no trusted keys, so ALLOW UNSIGNED is needed.
d=$dir/d/ws.db
mkdir -p "$dir/d"
out=$(in_ws "$d" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY '$registry'")
expect_contains "a bare path trusts no key" "trusts no keys" "$out"
expect_contains "…and says what to do" "ALLOW UNSIGNED" "$out"
out=$(in_ws "$d" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY '$registry' ALLOW UNSIGNED")
expect_contains "ALLOW UNSIGNED installs it" "installed connector type 'myservice' 1.1.0" "$out"

# A type written by hand is not silently replaced.
e=$dir/e/ws.db
mkdir -p "$dir/e"
out=$(in_ws "$e" "CREATE CONNECTOR TYPE 'myservice'" "CREATE REGISTRY r URL '$registry' TRUSTED_KEYS ('$pubkey')" \
                 "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")
expect_contains "a hand-written type is kept" "not installed from a package" "$out"
finish
