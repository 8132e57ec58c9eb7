# ROLLBACK works offline: after an upgrade 1.0.0 → 1.1.0 the registry is
# gone, and ROLLBACK restores 1.0.0 from the package store (digest checked),
# swapping current and previous; the connector still queries; SHOW PACKAGES
# does not fail on the missing registry ("unknown (…)"); rolling back again
# rolls forward. A damaged store entry is refused, not used.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
setup_v1
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'" "$create_m")
expect_eq "install" 0 $?
out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice'")
[ $? -ne 0 ] || fail "nothing to roll back to"
expect_contains "no previous version" "no previous version" "$out"

add_owner_field
publish 1.1.0
expect_contains "upgrade" "1.0.0 → 1.1.0" "$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'")"

mv "$registry" "$registry.gone"
out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice'")
expect_eq "rollback offline exits 0" 0 $?
expect_contains "rollback says what it did" "rolled back connector type 'myservice' 1.1.0 → 1.0.0" "$out"
expect_not_contains "the added field is gone" "owner" "$(in_ws "$a" "DESCRIBE ENTITY 'myservice.items'")"
expect_contains "the connector still queries" "25" "$(in_ws "$a" "SELECT count(*) AS n FROM m.items")"
out=$(in_ws "$a" "SHOW PACKAGES")
expect_eq "SHOW PACKAGES with the registry gone exits 0" 0 $?
expect_contains "SHOW PACKAGES: update unknown" "unknown (" "$out"
expect_contains "SHOW PACKAGES: previous is 1.1.0" "1.1.0" "$out"
expect_contains "the lock follows the rollback" '"version": "1.0.0"' "$(cat "$dir/a/sluice.lock")"

out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice'")
expect_contains "rolling back again rolls forward" "1.0.0 → 1.1.0" "$out"

# A damaged store entry: refused.
sha=$(sha256sum "$registry.gone/packages/myservice/myservice-1.0.0.sluicepkg" | cut -d' ' -f1)
chmod u+w "$SLUICE_PACKAGE_STORE/sha256/$sha.sluicepkg" 2>/dev/null
printf 'x' >> "$SLUICE_PACKAGE_STORE/sha256/$sha.sluicepkg"
out=$(in_ws "$a" "$(try_integrity "ROLLBACK CONNECTOR TYPE 'myservice'")")
expect_contains "damaged: an integrity_error" "integrity_error: " "$out"
expect_contains "damaged: named" "is damaged" "$out"
expect_contains "still 1.1.0" "1.1.0" "$(in_ws "$a" "DESCRIBE CONNECTOR TYPE 'myservice'")"
finish
