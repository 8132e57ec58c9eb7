# INSTALL refuses tampered packages before touching the catalog: a flipped
# byte in the archive, a signature by a key the registry does not trust, a
# 1.0.0 signature replayed onto 1.0.1, a file that does not match the
# manifest's digest, and a file the manifest does not list (the last two
# re-packed and re-indexed by hand, as a compromised registry could).
# After every refusal the workspace has no type and no package record.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
author_setup
publish 1.0.0
publish 1.0.1
pkg=$registry/packages/myservice

# copy_registry NAME: a copy of the registry to tamper with.
copy_registry() { rm -rf "$dir/$1"; cp -r "$registry" "$dir/$1"; echo "$dir/$1"; }

# refused NAME REGISTRY_URL EXPECTED [VERSION] [ALLOW UNSIGNED]
refused() {
  local ws=$dir/ws-$1/ws.db
  mkdir -p "$dir/ws-$1"
  local version=""
  [ -z "${4:-}" ] || version="VERSION '$4'"
  out=$(in_ws "$ws" "CREATE REGISTRY t URL '$2' TRUSTED_KEYS ('$pubkey')" \
                    "$(try_integrity "INSTALL CONNECTOR TYPE 'myservice' $version FROM REGISTRY 't' ${5:-}")")
  expect_contains "$1: refused" "$3" "$out"
  expect_contains "$1: an integrity_error" "integrity_error: " "$out"
  expect_not_contains "$1: no package recorded" "myservice" "$(in_ws "$ws" "SHOW PACKAGES")"
  expect_not_contains "$1: no type defined" "myservice" "$(in_ws "$ws" "SHOW CONNECTOR TYPES")"
}

# A flipped byte.
t=$(copy_registry flipped)
python3 - "$t/packages/myservice/myservice-1.0.1.sluicepkg" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x01
open(p, 'wb').write(bytes(b))
PY
refused flipped "$t" "sha256"

# A wrong key: the consumer trusts another key than the signer's.
other=$("$sluice" keygen other -w "$dir/other.db" 2>&1 | grep -o 'RW[A-Za-z0-9+/=]*' | head -n1)
ws=$dir/ws-wrongkey/ws.db
mkdir -p "$dir/ws-wrongkey"
out=$(in_ws "$ws" "CREATE REGISTRY t URL '$registry' TRUSTED_KEYS ('$other')" \
                  "$(try_integrity "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 't'")")
expect_contains "wrong key: an integrity_error" "integrity_error: " "$out"
expect_contains "wrong key: refused naming the trust" "not among the keys" "$out"

# 1.0.0's signature replayed onto 1.0.1.
t=$(copy_registry replayed)
cp "$t/packages/myservice/myservice-1.0.0.sluicepkg.minisig" "$t/packages/myservice/myservice-1.0.1.sluicepkg.minisig"
refused replayed "$t" "signature" 1.0.1
refused replayed-allow "$t" "signature" 1.0.1 "ALLOW UNSIGNED"

# repack REGISTRY HOW: rewrites 1.0.1's archive (HOW = change | extra),
# unsigned, and its index entry to match the new bytes.
repack() {
  python3 - "$1" "$2" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
reg, how = sys.argv[1], sys.argv[2]
path = os.path.join(reg, 'packages/myservice/myservice-1.0.1.sluicepkg')
src = tarfile.open(fileobj=io.BytesIO(gzip.decompress(open(path, 'rb').read())))
out = io.BytesIO()
dst = tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT)
for m in src.getmembers():
    data = src.extractfile(m).read() if m.isfile() else None
    if how == 'change' and m.name.endswith('.js'):
        data = data + b'\n// changed after packaging\n'
        how = 'done'
    if data is not None:
        m.size = len(data)
        dst.addfile(m, io.BytesIO(data))
    else:
        dst.addfile(m)
if how == 'extra':
    info = tarfile.TarInfo('js/extra.js')
    extra = b'globalThis.evil = 1;\n'
    info.size = len(extra)
    dst.addfile(info, io.BytesIO(extra))
dst.close()
packed = gzip.compress(out.getvalue())
open(path, 'wb').write(packed)
sig = path + '.minisig'
if os.path.exists(sig):
    os.remove(sig)
PY
  reindex_unsigned "$1" 1.0.1
}

t=$(copy_registry changed)
repack "$t" change
refused changed "$t" "its manifest says" 1.0.1 "ALLOW UNSIGNED"
t=$(copy_registry extra)
repack "$t" extra
refused extra "$t" "js/extra.js" 1.0.1 "ALLOW UNSIGNED"

# The untouched registry still installs (the checks are not just failing).
ws=$dir/ws-good/ws.db
mkdir -p "$dir/ws-good"
out=$(in_ws "$ws" "CREATE REGISTRY t URL '$registry' TRUSTED_KEYS ('$pubkey')" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 't'")
expect_contains "the genuine package installs" "installed connector type 'myservice' 1.0.1" "$out"
finish
