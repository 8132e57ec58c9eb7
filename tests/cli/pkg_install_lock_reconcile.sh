# The catalog is the truth and sluice.lock follows it:
# - a kill after the upgrade's commit leaves the lock one step behind; a bare
#   INSTALL (or UPGRADE/ROLLBACK) rewrites it from the catalog instead of
#   refusing;
# - a teammate installing from the lock (no VERSION) keeps the lock's
#   constraint, so UPGRADE stays within it;
# - DROP CONNECTOR TYPE of an installed type drops its record and lock entry;
# - DROP REGISTRY of a registry installed packages came from is refused;
#   UPGRADE's message for an undeclared registry names what fixes it;
# - ROLLBACK restores the constraint too and says "rolled forward" going up;
# - UPGRADE never moves down, also when the installed version is yanked;
#   SHOW PACKAGES flags a yanked installed version; installed types are
#   registered;
# - INSTALL of the installed version repairs a deleted store entry.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
setup_v1
lockver() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['packages'].get('myservice', {}).get('$2', 'none'))" "$1"; }
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")
expect_contains "install" "installed connector type 'myservice' 1.0.0" "$out"
expect_eq "an installed type is registered" "1" "$(sqlite3 "$a" "SELECT registered FROM _sluice_connector_types WHERE name = 'myservice'")"
add_owner_field
publish 1.1.0

# A kill after the commit: the lock says 1.0.0, the catalog 1.1.0.
SLUICE_TEST_KILL_AT=install-after-commit in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'" >/dev/null
expect_eq "the upgrade was killed after its commit" 137 $?
expect_eq "the lock is one step behind" "1.0.0" "$(lockver "$dir/a/sluice.lock" version)"
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")
expect_contains "a bare INSTALL does not refuse" "1.1.0 is already installed" "$out"
expect_eq "and rewrites the lock from the catalog" "1.1.0" "$(lockver "$dir/a/sluice.lock" version)"

# A teammate installs from the lock: the constraint stays ^1.
b=$(new_consumer b)
cp "$dir/a/sluice.lock" "$dir/b/sluice.lock"
out=$(in_ws "$b" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")
expect_contains "b installs the pinned 1.1.0" "installed connector type 'myservice' 1.1.0" "$out"
expect_eq "b's lock keeps the constraint" "^1" "$(lockver "$dir/b/sluice.lock" constraint)"
expect_contains "b's record keeps the constraint" "^1" "$(in_ws "$b" "SHOW PACKAGES")"

# ROLLBACK restores 1.0.0 with its constraint; rolling again goes forward.
out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice'")
expect_contains "rollback" "rolled back connector type 'myservice' 1.1.0 → 1.0.0" "$out"
expect_eq "the constraint is 1.0.0's" "^1" "$(lockver "$dir/a/sluice.lock" constraint)"
out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice'")
expect_contains "going up says so" "rolled forward connector type 'myservice' 1.0.0 → 1.1.0" "$out"

# The installed 1.1.0 is yanked: UPGRADE does not go down to 1.0.0.
out=$(in_ws "$a" "YANK CONNECTOR TYPE 'myservice' VERSION '1.1.0' FROM REGISTRY 'r' REASON 'broken'")
out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'")
expect_contains "UPGRADE does not go down" "no newer version satisfies" "$out"
expect_contains "it says the installed version is yanked" "1.1.0 is yanked" "$out"
expect_contains "and the way down" "ROLLBACK CONNECTOR TYPE 'myservice'" "$out"
expect_eq "still 1.1.0" "1.1.0" "$(lockver "$dir/a/sluice.lock" version)"
expect_contains "SHOW PACKAGES flags the yank" "yes: broken" "$(in_ws "$a" "SHOW PACKAGES")"

# The store entry is deleted: INSTALL of the installed version repairs it.
rm -rf "$SLUICE_PACKAGE_STORE"
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")
expect_contains "INSTALL repairs the store" "fetched again" "$out"
sha=$(sha256sum "$registry/packages/myservice/myservice-1.1.0.sluicepkg" | cut -c1-64)
[ -f "$SLUICE_PACKAGE_STORE/sha256/$sha/sql/myservice.sql" ] || fail "the store folder is back"
rm -rf "$SLUICE_PACKAGE_STORE/sha256/$sha"
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")
expect_contains "a missing folder is extracted again" "extracted again" "$out"

# DROP REGISTRY is refused while installed packages name it.
out=$(in_ws "$a" "DROP REGISTRY r")
expect_contains "DROP REGISTRY refused naming the type" "'myservice' 1.1.0" "$out"
expect_contains "and saying how to proceed" "CREATE OR REPLACE REGISTRY r URL" "$out"
# An undeclared registry (dropped before this check existed): UPGRADE's hint.
sqlite3 "$a" "DELETE FROM _sluice_registries WHERE name = 'r'"
out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'")
expect_contains "UPGRADE names how to declare it again" "CREATE REGISTRY r URL '$registry'" "$out"
expect_not_contains "and no argument UPGRADE lacks" "a directory or URL works" "$out"

# DROP CONNECTOR TYPE takes the record and the lock entry.
out=$(in_ws "$b" "DROP CONNECTOR TYPE 'myservice'")
expect_eq "b drops the type" 0 $?
expect_eq "the lock no longer pins it" "none" "$(lockver "$dir/b/sluice.lock" version)"
expect_eq "the record is gone" "" "$(sqlite3 "$b" "SELECT type FROM _sluice_packages")"
finish
