# The static HTTP registry: a directory registry published into with
# pkg_tool, served by a plain static file server on 127.0.0.1, read back
# over HTTP (versions in SemVer order, yanks, byte-identical fetch with its
# signature); publishing or yanking over HTTP is refused as read-only; an
# unknown package is not_found naming it; a tampered file on the server is
# an integrity error.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_registry_lib.bash"
mkdir reg
head -c 5000 /dev/urandom > a.sluicepkg
head -c 7000 /dev/urandom > b.sluicepkg
"$tool" keygen k.key k.pub > /dev/null || fail "keygen"
"$tool" sign k.key b.sluicepkg "sluice-package name=gh version=1.10.0" || fail "sign"
"$tool" publish "$dir/reg" gh 1.2.0 a.sluicepkg > /dev/null || fail "publish 1.2.0"
"$tool" publish "$dir/reg" gh 1.10.0 b.sluicepkg b.sluicepkg.minisig > /dev/null || fail "publish 1.10.0"
"$tool" yank "$dir/reg" gh 1.2.0 "bad pagination" || fail "yank"

"$bin/static_http_server" "$dir/reg" "$dir/port" > /dev/null 2>"$dir/server.err" &
pid=$!
for _ in $(seq $((100 * slow))); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { fail "static_http_server did not start: $(cat "$dir/server.err")"; finish; }
url="http://127.0.0.1:$(cat "$dir/port")"

out=$("$tool" versions "$url" gh 2>&1) || fail "versions over HTTP: $out"
expect_eq "versions over HTTP" "1.2.0 sha256=$(sha256sum a.sluicepkg | cut -d' ' -f1) size=5000 engine=>=0.1.0 signed=no yanked reason=bad pagination
1.10.0 sha256=$(sha256sum b.sluicepkg | cut -d' ' -f1) size=7000 engine=>=0.1.0 signed=yes" "$out"
"$tool" fetch "$url" gh 1.10.0 got.sluicepkg > /dev/null || fail "fetch over HTTP"
cmp -s got.sluicepkg b.sluicepkg || fail "fetched bytes differ"
cmp -s got.sluicepkg.minisig b.sluicepkg.minisig || fail "fetched signature differs"
"$tool" verify got.sluicepkg got.sluicepkg.minisig k.pub > /dev/null || fail "fetched signature verifies"
# A trailing slash on the URL is the same registry.
"$tool" fetch "$url/" gh 1.2.0 yanked.sluicepkg > /dev/null || fail "fetch of a yanked version"

out=$("$tool" publish "$url" gh 2.0.0 a.sluicepkg 2>&1) && fail "publish over HTTP succeeded"
expect_contains "publish over HTTP" "invalid_argument" "$out"
expect_contains "publish over HTTP says why" "read-only: publish to the directory it serves" "$out"
out=$("$tool" yank "$url" gh 1.10.0 2>&1) && fail "yank over HTTP succeeded"
expect_contains "yank over HTTP" "read-only" "$out"

out=$("$tool" versions "$url" jira 2>&1) && fail "unknown package listed"
expect_contains "unknown package" "not_found" "$out"
expect_contains "unknown package names it" "no package named 'jira' in registry $url" "$out"

# Tampering on the server: same size, one byte flipped.
f=reg/packages/gh/gh-1.10.0.sluicepkg
printf '\x00' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
cmp -s "$f" b.sluicepkg && printf '\x01' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
out=$("$tool" fetch "$url" gh 1.10.0 bad.sluicepkg 2>&1) && fail "tampered package fetched"
expect_contains "tampered package" "integrity_error" "$out"
[ -e bad.sluicepkg ] && fail "a tampered package was written out"

# A server sending more than the index says: refused before it is all read.
head -c 100000 /dev/urandom >> reg/packages/gh/gh-1.2.0.sluicepkg
out=$("$tool" fetch "$url" gh 1.2.0 big.sluicepkg 2>&1) && fail "oversized package fetched"
expect_contains "oversized package" "integrity_error" "$out"
expect_contains "oversized package says so" "larger than 5001 bytes" "$out"

# A hostile index: garbage is a clear error, not a crash.
echo '{"name": "gh", "version": [1]}' >> reg/index/gh.json
out=$("$tool" versions "$url" gh 2>&1) && fail "malformed index accepted"
expect_contains "malformed index" "index/gh.json line 3" "$out"

# Nobody listening.
kill "$pid"; wait "$pid" 2>/dev/null; pid=
out=$("$tool" versions "$url" gh 2>&1) && fail "versions with no server"
expect_contains "no server" "connection_error" "$out"
finish
