# Shared by the package install/upgrade/e2e tests (tests/cli/pkg_install_*.sh,
# pkg_upgrade_*.sh, pkg_e2e_*.sh). Source it after lib.bash.
#
# An "author" workspace ($author) defines the guide's myservice connector
# from a copy of examples/myservice ($src), holds a signing key 'release'
# ($pubkey is its "RW…" public key), and declares registry 'r' at $registry
# (a directory) trusting that key. Installs go into other workspaces, with
# the package store and sluice.lock under $dir.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SLUICE_PACKAGE_STORE=$dir/store
src=$dir/src
author=$dir/author/author.db
registry=$dir/registry
mkdir -p "$dir/author" "$registry"
cp -r "$root/examples/myservice" "$src"
source "$root/tests/servers/start_test_server.bash"

# start_api: the test API server with a fresh token, which the myservice
# connector reads from MYSERVICE_KEY; $create_m is then the statement that
# creates connector m of type myservice against it.
start_api() {
  local token=pkg-key-$RANDOM$RANDOM
  start_test_server "$(dirname "$sluice")/test_api_server" --token "$token" >/dev/null || exit 1
  export MYSERVICE_KEY=$token
  create_m="CREATE CONNECTOR m TYPE 'myservice' CONFIG {\"api_url\": \"$TEST_SERVER_URL\", \"api_key\": \"{{env.MYSERVICE_KEY}}\"}"
}

# as_author SQL...: runs statements in the author workspace (from $src, so
# FILE paths and ./packages resolve there); stdout+stderr to stdout.
as_author() {
  local args=()
  for statement in "$@"; do args+=(-c "$statement"); done
  (cd "$src" && "$sluice" -w "$author" "${args[@]}" 2>&1)
}

# in_ws WORKSPACE SQL...: runs statements in WORKSPACE, from its folder.
in_ws() {
  local ws=$1
  shift
  local args=()
  for statement in "$@"; do args+=(-c "$statement"); done
  (cd "$(dirname "$ws")" && "$sluice" -w "$ws" "${args[@]}" 2>&1)
}

# Defines version 1.0.0 of myservice in the author workspace and makes the key.
author_setup() {
  (cd "$src" && "$sluice" -w "$author" connector.sql >/dev/null 2>&1) || fail "author: connector.sql"
  pubkey=$("$sluice" keygen release -w "$author" 2>&1 | grep -o 'RW[A-Za-z0-9+/=]*' | head -n1)
  [ -n "$pubkey" ] || fail "keygen printed a public key"
  out=$(as_author "CREATE REGISTRY r URL '$registry' TRUSTED_KEYS ('$pubkey')")
  [ $? -eq 0 ] || fail "author: CREATE REGISTRY: $out"
}

# publish VERSION [SQL run first]: packages the author's current definitions
# as VERSION and publishes them signed to r.
publish() {
  local version=$1
  out=$(as_author "PACKAGE CONNECTOR TYPE 'myservice' VERSION '$version' DESCRIPTION 'MyService — über-connector ✓' LICENSE 'MIT'" \
                  "PUBLISH CONNECTOR TYPE 'myservice' VERSION '$version' TO 'r' SIGNED BY 'release'")
  [ $? -eq 0 ] || fail "publish $version: $out"
}

# The entity with one more field, "owner" (an additive change).
add_owner_field() {
  sed -e 's/"metadata":   {"type": "document"}/"metadata":   {"type": "document"},\n    "owner":      {"type": "string"}/' \
    "$src/connector.sql" > "$src/connector_v11.sql"
  (cd "$src" && "$sluice" -w "$author" connector_v11.sql >/dev/null 2>&1) || fail "author: connector_v11.sql"
}

# A consumer workspace trusting r: new_consumer NAME → $dir/NAME/ws.db
new_consumer() {
  mkdir -p "$dir/$1"
  local ws=$dir/$1/ws.db
  out=$(in_ws "$ws" "CREATE REGISTRY r URL '$registry' TRUSTED_KEYS ('$pubkey')")
  [ $? -eq 0 ] || fail "$1: CREATE REGISTRY: $out"
  echo "$ws"
}

# setup_v1: the test API server (start_api), myservice 1.0.0 published signed
# to r, and consumer workspace $a trusting r, with nothing installed yet.
setup_v1() {
  start_api
  author_setup
  publish 1.0.0
  a=$(new_consumer a)
}

# try_integrity STATEMENT: the statement inside TRY … CATCH integrity_error,
# which prints "integrity_error: <message>" when that is the error's kind.
try_integrity() {
  printf "TRY %s; CATCH integrity_error PRINT 'integrity_error: ' || error.message; END TRY" "$1"
}

# rewrite_package REGISTRY VERSION PY: rewrites VERSION's archive in REGISTRY
# (a directory registry) as a compromised registry could: the Python code PY
# edits `sql` (sql/myservice.sql as text), `files` (path → bytes) and `man`
# (the manifest); the manifest's file list, the archive and the index entry
# are then made consistent, and the signature removed (so only ALLOW
# UNSIGNED gets past the trust check to the checks behind it).
rewrite_package() {
  python3 - "$1" "$2" "$3" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
reg, version, code = sys.argv[1], sys.argv[2], sys.argv[3]
path = os.path.join(reg, 'packages/myservice/myservice-%s.sluicepkg' % version)
src = tarfile.open(fileobj=io.BytesIO(gzip.decompress(open(path, 'rb').read())))
files = {m.name: src.extractfile(m).read() for m in src.getmembers() if m.isfile()}
man = json.loads(files.pop('sluice-package.json'))
sql = files['sql/myservice.sql'].decode()
exec(code)
files['sql/myservice.sql'] = sql.encode()
man['files'] = sorted(({'path': p, 'sha256': hashlib.sha256(d).hexdigest(), 'size': len(d)}
                       for p, d in files.items()), key=lambda f: f['path'])
out = io.BytesIO()
dst = tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT)
for p, d in [('sluice-package.json', json.dumps(man, indent=2).encode())] + sorted(files.items()):
    info = tarfile.TarInfo(p)
    info.size = len(d)
    info.mode = 0o755
    dst.addfile(info, io.BytesIO(d))
dst.close()
packed = gzip.compress(out.getvalue())
open(path, 'wb').write(packed)
if os.path.exists(path + '.minisig'):
    os.remove(path + '.minisig')
PY
  reindex_unsigned "$1" "$2"
}

# reindex_unsigned REGISTRY VERSION: VERSION's index entry in REGISTRY (a
# directory registry) made to match its archive as it now is — digest and
# size — and marked unsigned, as a registry that rewrote the archive would.
reindex_unsigned() {
  python3 - "$1" "$2" <<'PY'
import hashlib, json, os, sys
reg, version = sys.argv[1], sys.argv[2]
packed = open(os.path.join(reg, 'packages/myservice/myservice-%s.sluicepkg' % version), 'rb').read()
index = os.path.join(reg, 'index/myservice.json')
lines = []
for line in open(index):
    if not line.strip():
        continue
    e = json.loads(line)
    if e.get('version') == version:
        e['sha256'] = hashlib.sha256(packed).hexdigest()
        e['size'] = len(packed)
        for k in ('is_signed', 'signed'):
            if k in e:
                e[k] = False
        if 'key_id' in e:
            e['key_id'] = ''
    lines.append(json.dumps(e, separators=(',', ':')))
open(index, 'w').write('\n'.join(lines) + '\n')
PY
}
