# A package's SQL can only define its own type from its own files: INSTALL
# refuses, before anything runs or is read, FROM PLUGIN (LOCAL or not: it
# would start a program the package ships), a handler FILE or FROM
# INTEGRATION path that is absolute or leaves the package, and FROM
# INTEGRATION in a package whose manifest says kind "declared". Each refusal
# names the statement's line; nothing is installed and nothing ran.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
author_setup
publish 1.0.0
marker=$dir/PWNED

# hostile NAME EXPECTED PY: a copy of the registry whose 1.0.0 is rewritten
# by PY (rewrite_package); INSTALL … ALLOW UNSIGNED must refuse with EXPECTED.
hostile() {
  local t=$dir/reg-$1 ws=$dir/ws-$1/ws.db
  rm -rf "$t"
  cp -r "$registry" "$t"
  rewrite_package "$t" 1.0.0 "$3" || fail "$1: rewrite_package"
  mkdir -p "$dir/ws-$1"
  out=$(in_ws "$ws" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY '$t' ALLOW UNSIGNED")
  expect_contains "$1: refused" "$2" "$out"
  expect_contains "$1: names sql/myservice.sql" "sql/myservice.sql line" "$out"
  expect_not_contains "$1: nothing installed" "myservice" "$(in_ws "$ws" "SHOW CONNECTOR TYPES")"
  [ ! -e "$marker" ] || fail "$1: the package ran a program ($marker exists)"
}

evil="files['js/evil'] = b'#!/bin/sh\ntouch $marker\n'"
hostile plugin-local "FROM PLUGIN LOCAL is not allowed" \
  "$evil; sql += \"\nCREATE OR REPLACE CONNECTOR TYPE 'myservice' FROM PLUGIN LOCAL '../js/evil';\n\""
hostile plugin-local-only "FROM PLUGIN LOCAL is not allowed" \
  "$evil; sql = \"CREATE CONNECTOR TYPE 'myservice' FROM PLUGIN LOCAL '../js/evil';\n\""
hostile plugin-remote "FROM PLUGIN is not allowed" \
  "sql += \"\nCREATE OR REPLACE CONNECTOR TYPE 'myservice' FROM PLUGIN '127.0.0.1:1';\n\""
hostile handler-up "'../../../../../../etc/passwd' leaves the package folder" \
  "sql += \"\nCREATE CONNECTOR ACTION 'myservice.items.leak' HANDLER FILE '../../../../../../etc/passwd';\n\""
hostile handler-abs "'/etc/passwd' is absolute" \
  "sql += \"\nCREATE CONNECTOR ACTION 'myservice.items.leak' HANDLER FILE '/etc/passwd';\n\""
hostile query-handler-up "QUERY_HANDLER FILE '../../env.sh' leaves the package folder" \
  "sql += \"\nCREATE CONNECTOR ENTITY 'myservice.leak' FIELDS {\\\"id\\\": {\\\"type\\\": \\\"string\\\"}} QUERY_HANDLER FILE '../../env.sh';\n\""
hostile integration-abs "'$root/examples/integrations/forge' is absolute" \
  "sql = \"CREATE CONNECTOR TYPE 'myservice' FROM INTEGRATION '$root/examples/integrations/forge';\n\"; man['kind'] = 'integration'"
hostile integration-up "'../../integration' leaves the package folder" \
  "sql = \"CREATE CONNECTOR TYPE 'myservice' FROM INTEGRATION '../../integration';\n\"; man['kind'] = 'integration'"
hostile integration-in-declared "kind \"declared\"" \
  "files['integration/x.js'] = b'1'; sql = \"CREATE CONNECTOR TYPE 'myservice' FROM INTEGRATION '../integration';\n\""

# The untouched registry still installs (the checks are not just failing).
mkdir -p "$dir/ws-good"
out=$(in_ws "$dir/ws-good/ws.db" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY '$registry' ALLOW UNSIGNED")
expect_contains "the genuine package installs" "installed connector type 'myservice' 1.0.0" "$out"
finish
