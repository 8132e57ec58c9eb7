# INSTALL and ROLLBACK never use a store folder that differs from the
# verified package: a changed handler file, an extra file or a missing one in
# <store>/sha256/<hex>/ is noticed (every file against the manifest), and the
# folder is extracted afresh from the archive, so the genuine code is
# installed.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
author_setup
publish 1.0.0
publish 1.0.1
genuine=$(tar -xzOf "$registry/packages/myservice/myservice-1.0.1.sluicepkg" js/items.query.js)

handler() { sqlite3 "$1" "SELECT handler_code FROM _sluice_entities WHERE name = 'items'"; }
folder_of() {  # the store folder of VERSION
  local sha
  sha=$(sha256sum "$registry/packages/myservice/myservice-$1.sluicepkg" | cut -c1-64)
  echo "$SLUICE_PACKAGE_STORE/sha256/$sha"
}

a=$(new_consumer a)
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")
expect_contains "a installs 1.0.1" "installed connector type 'myservice' 1.0.1" "$out"
f=$(folder_of 1.0.1)
[ -d "$f" ] || fail "1.0.1 is extracted at $f"

# tampered FILE_EDIT: another workspace installs the same package from the store.
n=0
tampered() {
  n=$((n + 1))
  local ws
  ws=$(new_consumer "b$n")
  out=$(in_ws "$ws" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'")
  expect_contains "$1: installs" "installed connector type 'myservice' 1.0.1" "$out"
  expect_eq "$1: the genuine handler is installed" "$genuine" "$(handler "$ws")"
  expect_eq "$1: the store folder is genuine again" "$genuine" "$(cat "$f/js/items.query.js")"
  [ ! -e "$f/js/extra.js" ] || fail "$1: the extra file is gone"
}
echo 'throw new Error("evil from store")' > "$f/js/items.query.js"
tampered "changed handler"
echo 'globalThis.evil = 1;' > "$f/js/extra.js"
tampered "extra file"
rm "$f/js/items.create.action.js"
tampered "missing file"
ln -s /etc/passwd "$f/js/link.js"
tampered "a symbolic link"

# ROLLBACK from a tampered folder of the previous version.
out=$(in_ws "$a" "DROP CONNECTOR TYPE 'myservice'" "INSTALL CONNECTOR TYPE 'myservice' VERSION '1.0.0' FROM REGISTRY 'r'" \
                 "UPGRADE CONNECTOR TYPE 'myservice' VERSION '^1'")
expect_contains "a upgrades to 1.0.1" "1.0.0 → 1.0.1" "$out"
f0=$(folder_of 1.0.0)
genuine0=$(tar -xzOf "$registry/packages/myservice/myservice-1.0.0.sluicepkg" js/items.query.js)
echo 'throw new Error("evil from store")' > "$f0/js/items.query.js"
out=$(in_ws "$a" "ROLLBACK CONNECTOR TYPE 'myservice'")
expect_contains "rollback works" "→ 1.0.0" "$out"
expect_eq "rollback installs the genuine handler" "$genuine0" "$(handler "$a")"
finish
