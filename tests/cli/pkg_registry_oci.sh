# The OCI registry back end against Debian's docker-registry (distribution
# 2.8) on a free 127.0.0.1 port: publish (blobs, an OCI image manifest per
# version), list with SemVer order, fetch back identical bytes and the
# signature, duplicate versions refused, yank/unyank through the _yanked
# tag, moving tags MAJOR, MAJOR.MINOR and latest (visible in tags/list and
# pointing at the right manifest), a blob tampered in storage refused.
source "$(dirname "$0")/lib.bash"
command -v docker-registry >/dev/null || { echo "docker-registry is not installed: run scripts/setup" >&2; exit 1; }
source "$(dirname "$0")/pkg_registry_lib.bash"
# A free port: bind-and-release by the kernel, retried if the registry
# loses the race for it.
start_registry() {
  for _ in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat > config.yml <<YAML
version: 0.1
${auth_yaml:-}
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: false
http:
  addr: 127.0.0.1:$port
YAML
    docker-registry serve config.yml > registry.log 2>&1 &
    pid=$!
    for _ in $(seq $((150 * slow))); do
      # 200, or 401 when auth is configured: either way it is serving.
      case $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null) in
        200 | 401) return 0 ;;
      esac
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
  done
  return 1
}
start_registry || { fail "docker-registry did not start: $(cat registry.log)"; finish; }
url="oci://127.0.0.1:$port/sluice"
api="http://127.0.0.1:$port/v2/sluice/gh"

head -c 5000 /dev/urandom > a.sluicepkg
head -c 9000 /dev/urandom > b.sluicepkg
head -c 3000 /dev/urandom > c.sluicepkg
head -c 3000 /dev/urandom > d.sluicepkg
"$tool" keygen k.key k.pub > /dev/null || fail "keygen"
"$tool" sign k.key b.sluicepkg "sluice-package name=gh version=1.10.0" || fail "sign"

out=$("$tool" versions "$url" gh 2>&1) && fail "versions of an empty registry"
expect_contains "empty registry" "not_found" "$out"

"$tool" publish "$url" gh 1.2.0 a.sluicepkg "" ">=0.1.0" > /dev/null || fail "publish 1.2.0"
"$tool" publish "$url" gh 1.10.0 b.sluicepkg b.sluicepkg.minisig ">=0.2.0" > /dev/null || fail "publish 1.10.0"
"$tool" publish "$url" gh 1.3.0-beta.1 c.sluicepkg > /dev/null || fail "publish prerelease"
"$tool" publish "$url" gh 1.9.5 d.sluicepkg > /dev/null || fail "publish 1.9.5 (lower than 1.10.0)"

out=$("$tool" versions "$url" gh 2>&1) || fail "versions: $out"
expect_eq "versions" "1.2.0 sha256=$(sha256sum a.sluicepkg | cut -d' ' -f1) size=5000 engine=>=0.1.0 signed=no
1.3.0-beta.1 sha256=$(sha256sum c.sluicepkg | cut -d' ' -f1) size=3000 engine=>=0.1.0 signed=no
1.9.5 sha256=$(sha256sum d.sluicepkg | cut -d' ' -f1) size=3000 engine=>=0.1.0 signed=no
1.10.0 sha256=$(sha256sum b.sluicepkg | cut -d' ' -f1) size=9000 engine=>=0.2.0 signed=yes" "$out"

"$tool" fetch "$url" gh 1.10.0 got.sluicepkg > /dev/null || fail "fetch 1.10.0"
cmp -s got.sluicepkg b.sluicepkg || fail "fetched bytes differ"
cmp -s got.sluicepkg.minisig b.sluicepkg.minisig || fail "fetched signature differs"
"$tool" verify got.sluicepkg got.sluicepkg.minisig k.pub > /dev/null || fail "fetched signature verifies"
"$tool" fetch "$url" gh 1.2.0 got2.sluicepkg > /dev/null || fail "fetch 1.2.0"
cmp -s got2.sluicepkg a.sluicepkg || fail "fetched 1.2.0 differs"

out=$("$tool" publish "$url" gh 1.2.0 c.sluicepkg 2>&1) && fail "duplicate publish succeeded"
expect_contains "duplicate publish" "already_exists" "$out"
expect_contains "duplicate names the version" "gh 1.2.0" "$out"
"$tool" fetch "$url" gh 1.2.0 again.sluicepkg > /dev/null && cmp -s again.sluicepkg a.sluicepkg ||
  fail "1.2.0 changed after a refused republish"

# Moving tags: 1 and latest → 1.10.0; 1.2 → 1.2.0; 1.9 → 1.9.5; 1.10 → 1.10.0; no 1.3 (prerelease).
tags=$(curl -fsS "$api/tags/list" | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["tags"])))')
expect_eq "tags" "1 1.10 1.10.0 1.2 1.2.0 1.3.0-beta.1 1.9 1.9.5 latest" "$tags"
digest() {
  curl -fsSI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$api/manifests/$1" |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}
expect_eq "tag 1 is 1.10.0" "$(digest 1.10.0)" "$(digest 1)"
expect_eq "latest is 1.10.0" "$(digest 1.10.0)" "$(digest latest)"
expect_eq "tag 1.9 is 1.9.5" "$(digest 1.9.5)" "$(digest 1.9)"
expect_eq "tag 1.2 is 1.2.0" "$(digest 1.2.0)" "$(digest 1.2)"
art=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$api/manifests/1.10.0" |
  python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["artifactType"], m["config"]["mediaType"], *[l["mediaType"] for l in m["layers"]])')
expect_eq "manifest media types" "application/vnd.sluice.connector.v1 application/vnd.sluice.connector.config.v1+json application/vnd.sluice.connector.layer.v1.tar+gzip application/vnd.sluice.signature.minisign.v1" "$art"

# A tag whose manifest names another version (the 1.2.0 manifest under
# 8.0.0) is skipped, not a failure for every version of the package.
curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$api/manifests/1.2.0" >m120.json
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary @m120.json "$api/manifests/8.0.0" >/dev/null || fail "pushing the odd tag"
out=$("$tool" versions "$url" gh 2>&1) || fail "one inconsistent tag fails every version: $out"
expect_contains "the good versions are listed" "1.10.0 sha256=" "$out"
expect_not_contains "the inconsistent tag is skipped" "8.0.0" "$out"

# Yank and unyank.
"$tool" yank "$url" gh 1.9.5 "breaks pagination" || fail "yank"
out=$("$tool" versions "$url" gh 2>&1)
expect_contains "yanked" "1.9.5 sha256=$(sha256sum d.sluicepkg | cut -d' ' -f1) size=3000 engine=>=0.1.0 signed=no yanked reason=breaks pagination" "$out"
"$tool" fetch "$url" gh 1.9.5 y.sluicepkg > /dev/null || fail "a yanked version still fetches"
"$tool" yank "$url" gh 1.2.0 || fail "yank 1.2.0"
"$tool" unyank "$url" gh 1.9.5 || fail "unyank"
out=$("$tool" versions "$url" gh 2>&1)
expect_not_contains "unyanked" "1.9.5 sha256=$(sha256sum d.sluicepkg | cut -d' ' -f1) size=3000 engine=>=0.1.0 signed=no yanked" "$out"
expect_contains "1.2.0 still yanked" "1.2.0 sha256=$(sha256sum a.sluicepkg | cut -d' ' -f1) size=5000 engine=>=0.1.0 signed=no yanked" "$out"
out=$("$tool" yank "$url" gh 7.0.0 2>&1) && fail "yank of an absent version"
expect_contains "yank absent" "not_found" "$out"

# Unknown package, bad names.
out=$("$tool" versions "$url" jira 2>&1) && fail "unknown package"
expect_contains "unknown package" "no package named 'jira'" "$out"
out=$("$tool" publish "$url" GH 1.0.0 a.sluicepkg 2>&1) && fail "upper-case OCI name"
expect_contains "upper-case OCI name" "upper-case" "$out"

# A blob tampered in the registry's storage (same size, one byte flipped).
sha=$(sha256sum a.sluicepkg | cut -d' ' -f1)
blob=$dir/storage/docker/registry/v2/blobs/sha256/${sha:0:2}/$sha/data
if [ -f "$blob" ]; then
  python3 - "$blob" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[10] ^= 1
open(p, 'wb').write(bytes(b))
PY
  out=$("$tool" fetch "$url" gh 1.2.0 bad.sluicepkg 2>&1) && fail "tampered blob fetched"
  expect_contains "tampered blob" "integrity_error" "$out"
else
  fail "blob not found in storage at $blob"
fi

# Registry gone.
kill "$pid"; wait "$pid" 2>/dev/null; pid=
out=$("$tool" versions "$url" gh 2>&1) && fail "versions with no registry"
expect_contains "no registry" "connection_error" "$out"

# Basic auth (htpasswd): without credentials an auth_error; with them from
# SLUICE_REGISTRY_USERNAME/PASSWORD it works; the password never shows.
hash=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("s3cret-pw", crypt.mksalt(crypt.METHOD_BLOWFISH)))' 2>/dev/null)
if [ -n "$hash" ]; then
  echo "ci:$hash" > htpasswd
  auth_yaml="auth:
  htpasswd:
    realm: sluice-test
    path: $dir/htpasswd"
  rm -rf "$dir/storage"
  start_registry || fail "docker-registry with auth did not start: $(cat registry.log)"
  aurl="oci://127.0.0.1:$port/sluice"
  out=$("$tool" publish "$aurl" gh 1.0.0 a.sluicepkg 2>&1) && fail "publish without credentials"
  expect_contains "no credentials" "auth_error" "$out"
  out=$(SLUICE_REGISTRY_USERNAME=ci SLUICE_REGISTRY_PASSWORD=wrong "$tool" versions "$aurl" gh 2>&1) &&
    fail "wrong password accepted"
  expect_contains "wrong password" "auth_error" "$out"
  expect_not_contains "wrong password not shown" "wrong" "${out//wrong password/}"
  export SLUICE_REGISTRY_USERNAME=ci SLUICE_REGISTRY_PASSWORD=s3cret-pw
  out=$("$tool" publish "$aurl" gh 1.0.0 a.sluicepkg 2>&1) || fail "publish with credentials: $out"
  out=$("$tool" versions "$aurl" gh 2>&1) || fail "versions with credentials: $out"
  expect_contains "versions with credentials" "1.0.0 sha256=$(sha256sum a.sluicepkg | cut -d' ' -f1)" "$out"
  out=$("$tool" publish "$aurl" gh 1.0.0 a.sluicepkg 2>&1)
  expect_contains "duplicate with credentials" "already_exists" "$out"
  expect_not_contains "password never in output" "s3cret-pw" "$out"
  expect_not_contains "credentials never in output" "Basic" "$out"
  unset SLUICE_REGISTRY_USERNAME SLUICE_REGISTRY_PASSWORD
  kill "$pid"; wait "$pid" 2>/dev/null; pid=
else
  echo "no bcrypt available to python3's crypt: auth part skipped" >&2
fi

# A hostile "registry": crafted responses served as static files.
fake=$dir/fake/v2/sluice
mkdir -p "$fake/gh/tags" "$fake/gh/manifests" "$fake/bad/tags" "$fake/bad/manifests" \
  "$fake/junk/tags" "$fake/gh/blobs"
echo '{"name": "sluice/gh", "tags": ["1.0.0", "2.0.0", "latest"]}' > "$fake/gh/tags/list"
sha=$(sha256sum a.sluicepkg | cut -d' ' -f1)
printf '{"schemaVersion":2,"config":{},"layers":[{"mediaType":"application/vnd.sluice.connector.layer.v1.tar+gzip","digest":"sha256:%s","size":5000}]}' "$sha" > "$fake/gh/manifests/1.0.0"
printf '{"schemaVersion":2,"config":{},"layers":[{"mediaType":"application/vnd.sluice.connector.layer.v1.tar+gzip","digest":"sha256:%s","size":5000}],"annotations":{"dev.sluice.engine":7}}' "$sha" > "$fake/gh/manifests/2.0.0"
cp b.sluicepkg "$fake/gh/blobs/sha256:$sha"   # the wrong bytes under a's digest
echo '{"tags": ["1.0.0"]}' > "$fake/bad/tags/list"
echo '{"layers": [{"mediaType": "application/vnd.sluice.connector.layer.v1.tar+gzip", "digest": "sha256:zz", "size": -1}], "config": {}}' > "$fake/bad/manifests/1.0.0"
echo '{"tags": "nope"' > "$fake/junk/tags/list"
"$bin/static_http_server" "$dir/fake" "$dir/fakeport" > /dev/null 2>&1 &
pid=$!
for _ in $(seq $((100 * slow))); do [ -s "$dir/fakeport" ] && break; sleep 0.1; done
furl="oci://127.0.0.1:$(cat "$dir/fakeport")/sluice"
out=$("$tool" versions "$furl" gh 2>&1) || fail "fake registry versions: $out"
expect_contains "engine of the wrong type is ignored" "2.0.0 sha256=$sha size=5000 engine= signed=no" "$out"
out=$("$tool" fetch "$furl" gh 1.0.0 evil.sluicepkg 2>&1) && fail "wrong blob fetched"
expect_contains "wrong blob" "integrity_error" "$out"
[ -e evil.sluicepkg ] && fail "a wrong blob was written out"
out=$("$tool" versions "$furl" bad 2>&1) && fail "bad manifest accepted"
expect_contains "bad manifest" "digest or size is invalid" "$out"
expect_contains "bad manifest names it" "manifest bad:1.0.0" "$out"
out=$("$tool" versions "$furl" junk 2>&1) && fail "junk tag list accepted"
expect_contains "junk tag list" "not valid JSON" "$out"
finish
