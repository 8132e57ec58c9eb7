# sluice.lock and YANK: a yanked version is skipped by resolution but still
# installs where sluice.lock pins it; a lock whose digest differs from the
# registry's is refused naming both digests; resolving to nothing lists
# every version and why it was passed over; YANK … UNDO brings it back.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
author_setup
publish 1.0.0
publish 1.0.1

a=$(new_consumer a)
expect_contains "a: the newest" "1.0.1" "$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")"

out=$(as_author "YANK CONNECTOR TYPE 'myservice' VERSION '1.0.1' FROM REGISTRY 'r' REASON 'broken pagination'")
expect_eq "yank exits 0" 0 $?
expect_contains "yank says what it did" "yanked connector type 'myservice' 1.0.1" "$out"

b=$(new_consumer b)
expect_contains "yanked-not-locked is skipped" "installed connector type 'myservice' 1.0.0" \
  "$(in_ws "$b" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")"
expect_not_contains "b: no update (the newer one is yanked)" "1.0.1" "$(in_ws "$b" "SHOW PACKAGES")"

c=$(new_consumer c)
cp "$dir/a/sluice.lock" "$dir/c/sluice.lock"
out=$(in_ws "$c" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")
expect_contains "yanked-but-locked installs" "installed connector type 'myservice' 1.0.1" "$out"
expect_contains "…and says it is yanked" "yanked" "$out"

d=$(new_consumer d)
out=$(in_ws "$d" "INSTALL CONNECTOR TYPE 'myservice' VERSION '1.0.1' FROM REGISTRY 'r'")
[ $? -ne 0 ] || fail "an exact yanked version without a lock is refused"
expect_contains "nothing matches: why" "1.0.1 (yanked: broken pagination)" "$out"
expect_contains "nothing matches: the others" "1.0.0 (outside the range)" "$out"

e=$(new_consumer e)
sed -e 's/"sha256": "[0-9a-f]*"/"sha256": "'"$(printf 'f%.0s' {1..64})"'"/' "$dir/a/sluice.lock" > "$dir/e/sluice.lock"
out=$(in_ws "$e" "$(try_integrity "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'")")
expect_contains "digest mismatch: the lock's digest" "$(printf 'f%.0s' {1..64})" "$out"
expect_contains "digest mismatch: the registry's digest" \
  "$(sha256sum "$registry/packages/myservice/myservice-1.0.1.sluicepkg" | cut -d' ' -f1)" "$out"
expect_contains "digest mismatch: an integrity_error" "integrity_error: " "$out"

out=$(as_author "YANK CONNECTOR TYPE 'myservice' VERSION '1.0.1' FROM REGISTRY 'r' UNDO")
expect_contains "un-yank" "un-yanked" "$out"
expect_contains "b: update available again" "1.0.1" "$(in_ws "$b" "SHOW PACKAGES")"
f=$(new_consumer f)
expect_contains "un-yanked resolves again" "1.0.1" "$(in_ws "$f" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")"
out=$(as_author "YANK CONNECTOR TYPE 'myservice' VERSION '9.9.9' FROM REGISTRY 'r'")
[ $? -ne 0 ] || fail "yanking a version that does not exist fails"
finish
