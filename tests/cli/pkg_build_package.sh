# PACKAGE CONNECTOR TYPE builds one deterministic archive: the same type
# defined in two fresh workspaces packages to the same bytes; Debian's tar
# lists and extracts it; the manifest (read with node) names the entities,
# keys, cursor, secrets and each file's sha256 (checked against sha256sum of
# the extracted files); the regenerated SQL and tests run in a third
# workspace and package again to the same bytes. Refusals name the reason:
# a version that is not SemVer, a license that is not SPDX or is missing,
# an unknown type, and a type whose recorded test now fails (naming it).
source "$(dirname "$0")/lib.bash"
export SLUICE_PACKAGE_STORE=$dir/store
cd "$dir"

mkdir -p src
cat >src/items.query.js <<'EOF'
async function query(config, filters, options) {
  const response = await fetch(config.api_url + '/items', {headers: {authorization: 'Bearer ' + config.api_key}});
  const body = await response.json();
  return body.items;
}
EOF
cat >src/create.action.js <<'EOF'
async function handler(config, params) { return {id: 'new-' + params.name}; }
EOF
# README.md is taken from the folder of the script running PACKAGE; -c has
# none, so the current directory.
cat >README.md <<'EOF'
# svc — a connector for tests
EOF
cat >src/connector.sql <<'EOF'
CREATE CONNECTOR TYPE 'svc'
  DESCRIPTION 'Straße — a service with ''quotes'' and ünïcode'
  VERSION '0.9.0'
  CONFIG_SCHEMA {
    "api_url": {"type": "string", "required": true},
    "api_key": {"type": "string", "required": true, "secret": true}
  };
CREATE CONNECTOR ENTITY 'svc.items'
  DESCRIPTION 'Items'
  FIELDS {"id": {"type": "string", "primary_key": true}, "name": {"type": "string"},
          "updated_at": {"type": "timestamp"}}
  CURSOR 'updated_at'
  QUERY_HANDLER FILE 'items.query.js';
CREATE CONNECTOR ENTITY 'svc.notes'
  FIELDS {"item_id": {"type": "string", "primary_key": true}, "n": {"type": "integer", "primary_key": true},
          "text": {"type": "string"}}
  PARENT 'svc.items'
  PUSHDOWN OFFSET
  QUERY_HANDLER '''async function query() { return []; }''';
CREATE CONNECTOR ACTION 'svc.items.create'
  DESCRIPTION 'Create an item'
  PARAMETERS {"name": {"type": "string", "required": true}}
  HANDLER FILE 'create.action.js';
TEST CONNECTOR TYPE 'svc' NAME 'lists items'
  MOCK_API {"GET /items": {"status": 200, "body": {"items": [{"id": "1", "name": "one"}]}}}
BEGIN
  CREATE CONNECTOR c TYPE 'svc' CONFIG {"api_url": "mock://", "api_key": "k"};
  DECLARE rows = SELECT * FROM c.items;
  ASSERT ARRAY_LENGTH(rows) = 1;
END TEST;
EOF

# package_in WS OUTDIR: defines svc in a fresh workspace and packages it.
package_in() {
  "$sluice" "$1" src/connector.sql >"$1.define.out" 2>&1 || { fail "defining svc in $1"; cat "$1.define.out" >&2; }
  "$sluice" "$1" -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' AUTHOR 'Zoë Ångström' LICENSE 'MIT OR Apache-2.0' TO '$2';" 2>&1
}
rm -f ws1.db ws2.db
out1=$(package_in ws1.db out1)
expect_contains "PACKAGE reports the path" "out1/svc-1.0.0.sluicepkg" "$out1"
[ -f out1/svc-1.0.0.sluicepkg ] || fail "out1/svc-1.0.0.sluicepkg was not written: $out1"
sleep 1  # a timestamp that leaked into the archive would now differ
out2=$(package_in ws2.db out2)
sum1=$(sha256sum <out1/svc-1.0.0.sluicepkg | cut -d' ' -f1)
sum2=$(sha256sum <out2/svc-1.0.0.sluicepkg | cut -d' ' -f1)
expect_eq "two fresh workspaces package to the same bytes" "$sum1" "$sum2"
expect_contains "PACKAGE reports the sha256" "$sum1" "$out1"

listing=$(tar -tzf out1/svc-1.0.0.sluicepkg | sort)
expect_eq "archive layout" "README.md
js/items.create.action.js
js/items.query.js
js/notes.query.js
sluice-package.json
sql/svc.sql
tests/svc.sql" "$(printf '%s\n' "$listing" | grep -v '/$')"
mkdir x && tar -xzf out1/svc-1.0.0.sluicepkg -C x || fail "Debian tar cannot extract the package"
expect_eq "handler shipped exactly as written" "$(cat src/items.query.js)" "$(cat x/js/items.query.js)"
expect_contains "regenerated SQL points at the shipped handler" "QUERY_HANDLER FILE '../js/items.query.js'" "$(cat x/sql/svc.sql)"
expect_contains "regenerated SQL keeps PUSHDOWN OFFSET" "PUSHDOWN OFFSET" "$(cat x/sql/svc.sql)"
expect_contains "regenerated SQL escapes quotes" "''quotes''" "$(cat x/sql/svc.sql)"
expect_contains "recorded test shipped" "NAME 'lists items'" "$(cat x/tests/svc.sql)"

# The manifest, read by node; every listed file's digest is the extracted file's.
manifest=$(node -e '
  const m = JSON.parse(require("fs").readFileSync("x/sluice-package.json", "utf8"));
  const items = m.entities.find(e => e.name === "items"), notes = m.entities.find(e => e.name === "notes");
  console.log([m.name, m.version, m.license, m.kind, m.engines.sluice, m.description, m.author].join("|"));
  console.log("items key=" + items.primary_key.join(",") + " cursor=" + items.cursor);
  console.log("notes key=" + notes.primary_key.join(",") + " parent=" + notes.parent);
  console.log("actions=" + m.actions.map(a => a.name).join(","));
  console.log("secrets=" + m.secrets.join(","));
  for (const f of m.files) console.log(f.sha256 + "  " + f.path + " " + f.size);
')
expect_contains "manifest identity" "svc|1.0.0|MIT OR Apache-2.0|declared|>=0.1.0|Straße — a service with 'quotes' and ünïcode|Zoë Ångström" "$manifest"
expect_contains "manifest entity keys" "items key=id cursor=updated_at" "$manifest"
expect_contains "manifest composite key and parent" "notes key=item_id,n parent=items" "$manifest"
expect_contains "manifest actions" "actions=items.create" "$manifest"
expect_contains "manifest secrets" "secrets=api_key" "$manifest"
while read -r sum path size; do
  [ -n "$sum" ] || continue
  expect_eq "sha256 of $path" "$sum" "$(sha256sum <"x/$path" | cut -d' ' -f1)"
  expect_eq "size of $path" "$size" "$(stat -c %s "x/$path")"
done < <(printf '%s\n' "$manifest" | grep -E '^[0-9a-f]{64}  ' | sed 's/  / /')

# The package's own SQL and tests, run into a third workspace, package to the same bytes.
out=$("$sluice" ws3.db x/sql/svc.sql x/tests/svc.sql 2>&1) || fail "the packaged SQL does not run: $out"
out3=$("$sluice" ws3.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' AUTHOR 'Zoë Ångström' LICENSE 'MIT OR Apache-2.0' TO 'out3';" 2>&1)
expect_eq "the packaged SQL and tests package to the same bytes" "$sum1" "$(sha256sum <out3/svc-1.0.0.sluicepkg | cut -d' ' -f1)"

# Refusals, with the reason.
out=$("$sluice" ws1.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0' LICENSE 'MIT' TO 'bad';" 2>&1)
expect_contains "a version that is not SemVer" "1.0" "$out"
expect_contains "refused, not written" "cannot package connector type 'svc'" "$out"
out=$("$sluice" ws1.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION 'v1.0.0' LICENSE 'MIT' TO 'bad';" 2>&1)
expect_contains "a leading v is not SemVer" "v1.0.0" "$out"
out=$("$sluice" ws1.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' LICENSE 'Nonsense-9' TO 'bad';" 2>&1)
expect_contains "a license that is not SPDX" "Nonsense-9" "$out"
out=$("$sluice" ws1.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' TO 'bad';" 2>&1)
expect_contains "a package names its license" "names its license" "$out"
out=$("$sluice" ws1.db -c "PACKAGE CONNECTOR TYPE 'nope' VERSION '1.0.0' LICENSE 'MIT' TO 'bad';" 2>&1)
expect_contains "an unknown type" "nope" "$out"
[ ! -e bad ] || fail "a refused PACKAGE wrote something: $(ls -R bad)"

# A recorded test that fails now (the handler changed) refuses the package, naming the test.
"$sluice" ws1.db -c "CREATE OR REPLACE CONNECTOR ENTITY 'svc.items'
  FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}}
  QUERY_HANDLER '''async function query() { throw new Error('broken on purpose'); }''';" >/dev/null 2>&1
out=$("$sluice" ws1.db -c "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.1' LICENSE 'MIT' TO 'bad';" 2>&1)
expect_contains "a failing recorded test refuses the package" "test 'lists items' failed" "$out"
expect_contains "with the test's message" "broken on purpose" "$out"
[ ! -e bad/svc-1.0.1.sluicepkg ] || fail "a package with a failing test was written"

finish
