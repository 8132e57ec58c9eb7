# ALLOW UNSIGNED belongs to the statement that says it: an INSTALL … ALLOW
# UNSIGNED does not let a later unsigned version in through a bare UPGRADE or
# ROLLBACK; each of them refuses like INSTALL does and accepts its own ALLOW
# UNSIGNED clause, which its refusal names. After the registry's key is
# rotated, ROLLBACK to a version signed by the old key is refused the same
# way (and ALLOW UNSIGNED, which it names, works).
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
author_setup
publish 1.0.0
publish 1.0.1
rewrite_package "$registry" 1.0.1 "" || fail "rewrite 1.0.1 unsigned"
a=$(new_consumer a)
version() { in_ws "$a" "SHOW PACKAGES" | grep -o "myservice *| *[0-9.]*" | grep -o "[0-9.]*$"; }

out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' VERSION '1.0.0' FROM REGISTRY 'r' ALLOW UNSIGNED")
expect_contains "1.0.0 installs" "installed connector type 'myservice' 1.0.0" "$out"
out=$(in_ws "$a" "$(try_integrity "UPGRADE CONNECTOR TYPE 'myservice' VERSION '^1'")")
expect_contains "a bare UPGRADE refuses the unsigned 1.0.1" "integrity_error: " "$out"
expect_contains "the refusal names UPGRADE's clause" "add ALLOW UNSIGNED to the UPGRADE" "$out"
expect_eq "still 1.0.0" "1.0.0" "$(version)"
out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice' VERSION '^1' ALLOW UNSIGNED")
expect_contains "UPGRADE … ALLOW UNSIGNED takes it" "1.0.0 → 1.0.1" "$out"

out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice'")
expect_contains "rolling back to the signed 1.0.0 needs nothing" "→ 1.0.0" "$out"
out=$(in_ws "$a" "$(try_integrity "ROLLBACK CONNECTOR TYPE 'myservice'")")
expect_contains "rolling forward to the unsigned 1.0.1 is refused" "integrity_error: " "$out"
expect_contains "naming ROLLBACK's clause" "ROLLBACK CONNECTOR TYPE 'myservice' ALLOW UNSIGNED" "$out"
out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice' ALLOW UNSIGNED")
expect_contains "ROLLBACK … ALLOW UNSIGNED takes it" "→ 1.0.1" "$out"

# The registry's key is rotated: 1.0.0's signer is no longer trusted.
other=$("$sluice" keygen other -w "$dir/other.db" 2>&1 | grep -o 'RW[A-Za-z0-9+/=]*' | head -n1)
out=$(in_ws "$a" "CREATE OR REPLACE REGISTRY r URL '$registry' TRUSTED_KEYS ('$other')")
out=$(in_ws "$a" "$(try_integrity "ROLLBACK CONNECTOR TYPE 'myservice'")")
expect_contains "after rotation ROLLBACK is refused" "not among the keys" "$out"
expect_contains "naming a clause ROLLBACK takes" "add ALLOW UNSIGNED to the ROLLBACK" "$out"
expect_eq "still 1.0.1" "1.0.1" "$(version)"
out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice' ALLOW UNSIGNED")
expect_contains "and that clause works" "→ 1.0.0" "$out"
finish
