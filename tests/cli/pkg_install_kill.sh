# A kill -9 during INSTALL or UPGRADE leaves the previous version usable:
# SLUICE_TEST_KILL_AT=install-before-commit raises SIGKILL just before the
# catalog commit. After a killed upgrade, 1.0.0 still queries, SHOW PACKAGES
# and sluice.lock say 1.0.0, and the upgrade then succeeds; after a killed
# first install, nothing is half-installed and INSTALL succeeds.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
setup_v1
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'" "$create_m")
expect_eq "install" 0 $?
add_owner_field
publish 1.1.0

SLUICE_TEST_KILL_AT=install-before-commit in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'" >/dev/null
expect_eq "the upgrade was killed (SIGKILL)" 137 $?
expect_contains "1.0.0 still queries" "25" "$(in_ws "$a" "SELECT count(*) AS n FROM m.items")"
out=$(in_ws "$a" "SHOW PACKAGES")
expect_contains "SHOW PACKAGES says 1.0.0" "1.0.0" "$out"
expect_not_contains "no half-applied field" "owner" "$(in_ws "$a" "DESCRIBE ENTITY 'myservice.items'")"
expect_contains "the lock still says 1.0.0" '"version": "1.0.0"' "$(cat "$dir/a/sluice.lock")"
expect_contains "then the upgrade succeeds" "1.0.0 → 1.1.0" "$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'")"
expect_contains "and the connector queries" "25" "$(in_ws "$a" "SELECT count(*) AS n FROM m.items")"

b=$(new_consumer b)
SLUICE_TEST_KILL_AT=install-before-commit in_ws "$b" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'" >/dev/null
expect_eq "the install was killed (SIGKILL)" 137 $?
expect_not_contains "no half-installed type" "myservice" "$(in_ws "$b" "SHOW CONNECTOR TYPES")"
expect_not_contains "no package record" "myservice" "$(in_ws "$b" "SHOW PACKAGES")"
expect_contains "then INSTALL succeeds" "installed connector type 'myservice' 1.1.0" \
  "$(in_ws "$b" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")"
finish
