# PUBLISH sends the package PACKAGE wrote to a directory registry, signed
# with a key from `sluice keygen`; Debian's minisign verifies the published
# signature with the printed public key and shows the trusted comment that
# binds name, version and digest. Publishing the same version again is
# refused; publishing unsigned, or with a key it does not trust, to a
# registry that declares trusted keys is refused; a bare path without keys
# takes an unsigned package. A damaged or tampered package file is not
# published. `sluice package DIR` packages a folder of .sql
# files (examples/myservice) to the same layout.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
export SLUICE_PACKAGE_STORE=$dir/store
cd "$dir"

"$sluice" ws.db -c "CREATE CONNECTOR TYPE 'svc' DESCRIPTION 'Ünïcode svc' VERSION '1.0.0' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}};
CREATE CONNECTOR ENTITY 'svc.items' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}}
  QUERY_HANDLER '''async function query() { return [{id: 'a'}]; }''';" >/dev/null 2>&1 || fail "defining svc"

out=$("$sluice" keygen signer -w ws.db 2>&1) || fail "keygen: $out"
public=$(printf '%s\n' "$out" | grep -E '^RW[A-Za-z0-9+/=]{50,}$' | head -1)
[ -n "$public" ] || fail "keygen printed no RW public key: $out"
expect_not_contains "keygen does not print the secret key" "sluice-ed25519-secret" "$out"

out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' TO '$dir/registry';" 2>&1)
expect_contains "PUBLISH needs the package PACKAGE wrote" "run PACKAGE CONNECTOR TYPE 'svc'" "$out"
out=$("$sluice" other.db -c "PUBLISH CONNECTOR TYPE 'svc' TO '$dir/registry';" 2>&1)
expect_contains "PUBLISH of a type not in the workspace suggests VERSION" "VERSION '…'" "$out"

out=$("$sluice" ws.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' LICENSE 'MIT';" 2>&1)
[ -f packages/svc-1.0.0.sluicepkg ] || fail "PACKAGE without TO writes ./packages: $out"
sum=$(sha256sum <packages/svc-1.0.0.sluicepkg | cut -d' ' -f1)

out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' TO '$dir/registry' SIGNED BY 'signer';" 2>&1)
expect_contains "PUBLISH reports the digest" "$sum" "$out"
expect_not_contains "no secret in the output" "sluice-ed25519-secret" "$out"
pkg=$(find registry -name 'svc-1.0.0.sluicepkg' | head -1)
sig=$(find registry -name 'svc-1.0.0.sluicepkg.minisig' | head -1)
[ -n "$pkg" ] && [ -n "$sig" ] || fail "the registry holds the package and its signature: $(find registry)"
expect_eq "the registry holds the same bytes" "$sum" "$(sha256sum <"$pkg" | cut -d' ' -f1)"
verified=$(minisign -Vm "$pkg" -x "$sig" -P "$public" 2>&1) || fail "minisign -V refuses our signature: $verified"
expect_contains "minisign verifies" "Signature and comment signature verified" "$verified"
expect_contains "the trusted comment binds name, version and digest" \
  "Trusted comment: sluice-package name=svc version=1.0.0 sha256=$sum" "$verified"
cp "$pkg" tampered.sluicepkg && printf 'x' >>tampered.sluicepkg
if minisign -Vm tampered.sluicepkg -x "$sig" -P "$public" >/dev/null 2>&1; then
  fail "minisign verified a tampered package"
fi

out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' VERSION '1.0.0' TO '$dir/registry' SIGNED BY 'signer';" 2>&1)
expect_contains "publishing an existing version is refused" "1.0.0" "$out"
[ "$(sha256sum <"$pkg" | cut -d' ' -f1)" = "$sum" ] || fail "a refused publish changed the published package"

# A registry that trusts keys takes only packages signed by one of them.
"$sluice" keygen other -w ws.db >/dev/null 2>&1
out=$("$sluice" ws.db -c "CREATE REGISTRY team URL '$dir/team' TRUSTED_KEYS ('$public');
PUBLISH CONNECTOR TYPE 'svc' TO 'team';" 2>&1)
expect_contains "unsigned to a registry that trusts keys is refused" "SIGNED BY" "$out"
out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' TO 'team' SIGNED BY 'other';" 2>&1)
expect_contains "an untrusted key is refused" "does not trust key" "$out"
out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' TO 'team' SIGNED BY 'signer';" 2>&1)
expect_contains "a trusted key publishes" "$sum" "$out"
out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' TO '$dir/open';" 2>&1)
expect_contains "unsigned to a bare path" "$sum" "$out"

# A damaged package file is not published.
"$sluice" ws.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.1' LICENSE 'MIT';" >/dev/null 2>&1
head -c 100 packages/svc-1.0.1.sluicepkg >cut && mv cut packages/svc-1.0.1.sluicepkg
out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' VERSION '1.0.1' TO '$dir/open';" 2>&1)
expect_contains "a damaged package is not published" "svc-1.0.1.sluicepkg" "$out"
[ -z "$(find open -name 'svc-1.0.1*')" ] || fail "a damaged package was published"

# A file changed after PACKAGE (its manifest digest no longer matches) is not published.
mkdir t && tar -xzf packages/svc-1.0.0.sluicepkg -C t
printf '// changed\n' >>t/js/items.query.js
(cd t && tar -czf ../packages/svc-1.0.0.sluicepkg sluice-package.json sql js)
out=$("$sluice" ws.db -c "PUBLISH CONNECTOR TYPE 'svc' VERSION '1.0.0' TO '$dir/open2';" 2>&1)
expect_contains "a file that does not match its manifest digest" "js/items.query.js' does not match its manifest digest" "$out"
[ -z "$(find open2 -name 'svc-1.0.0*' 2>/dev/null)" ] || fail "a tampered package was published"

# sluice package DIR: the connector guide's example folder.
out=$("$sluice" package "$root/examples/myservice" --license MIT --out "$dir/cli" 2>&1)
expect_contains "sluice package DIR" "myservice-1.0.0.sluicepkg" "$out"
listing=$(tar -tzf cli/myservice-1.0.0.sluicepkg 2>&1 | grep -v '/$' | sort)
expect_contains "its entity handler" "js/items.query.js" "$listing"
expect_contains "its actions" "js/items.create.action.js" "$listing"
expect_contains "its tests" "tests/myservice.sql" "$listing"
out2=$("$sluice" package "$root/examples/myservice" --license MIT --out "$dir/cli2" 2>&1)
expect_eq "sluice package is deterministic" "$(sha256sum <cli/myservice-1.0.0.sluicepkg)" "$(sha256sum <cli2/myservice-1.0.0.sluicepkg)"

finish
