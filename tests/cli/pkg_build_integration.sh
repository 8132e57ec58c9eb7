# A table integration packages with the files it loads, and no npm is needed
# to use it: a copy of examples/integrations/forge is given production
# dependencies in node_modules (dep-a, which needs dep-b, nested and
# hoisted), an optional one not installed, a dev dependency, a dot-folder,
# a symlink, and copies of the SDK and Arrow; the package holds the
# integration's own files and exactly the production closure (not the dev
# dependency, the dot-folder, the symlink, or the SDK and Arrow Sluice
# provides itself), and the extracted integration/ folder loads as a
# connector type whose plugin imports the dependencies. `sluice package`
# takes an integration folder without .sql files. A plugin type is refused
# with the reason.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
export SLUICE_PACKAGE_STORE=$dir/store
cd "$dir"

cp -r "$root/examples/integrations/forge" forge
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("forge/package.json", "utf8"));
  p.license = "Apache-2.0";
  p.dependencies = {"dep-a": "^1.0.0", "@cloudquery/plugin-sdk-javascript": "^1.0.0", "apache-arrow": "^21.0.0"};
  p.optionalDependencies = {"not-installed": "^1.0.0"};
  p.devDependencies = {"dev-only": "^1.0.0"};
  fs.writeFileSync("forge/package.json", JSON.stringify(p, null, 2));
'
mk() {  # mk DIR NAME DEPENDENCIES-JSON CODE
  mkdir -p "$1"
  printf '{"name": "%s", "version": "1.0.0", "type": "module", "main": "index.js", "dependencies": %s}\n' "$2" "$3" >"$1/package.json"
  printf '%s\n' "$4" >"$1/index.js"
}
mk forge/node_modules/dep-a dep-a '{"dep-b": "^1.0.0"}' "import { b } from 'dep-b'; export const a = 'a+' + b;"
# dep-a's own nested copy of dep-b wins over the hoisted one, as in Node.
mk forge/node_modules/dep-a/node_modules/dep-b dep-b '{}' "export const b = 'nested-b';"
mk forge/node_modules/dep-b dep-b '{}' "export const b = 'hoisted-b';"
mk forge/node_modules/dev-only dev-only '{}' "export const d = 1;"
mk forge/node_modules/@cloudquery/plugin-sdk-javascript @cloudquery/plugin-sdk-javascript '{}' "export const sdk = 1;"
mk forge/node_modules/apache-arrow apache-arrow '{}' "export const arrow = 1;"
mkdir -p forge/.git && echo "ref" >forge/.git/HEAD
ln -s /etc/hostname forge/linked.txt
# The plugin imports the dependency, so loading the extracted copy proves it is there.
sed -i "1i import { a } from 'dep-a'; if (a !== 'a+nested-b') throw new Error('wrong dep-b: ' + a);" forge/plugin.js

out=$("$sluice" ws.db -c "CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION '$dir/forge';" 2>&1) || fail "defining forge: $out"
out=$("$sluice" ws.db -c "PACKAGE CONNECTOR TYPE 'forge' VERSION '1.0.0' LICENSE 'Apache-2.0' TO 'out';" 2>&1)
expect_contains "PACKAGE of an integration" "forge-1.0.0.sluicepkg" "$out"
listing=$(tar -tzf out/forge-1.0.0.sluicepkg | grep -v '/$' | sort)
expect_contains "the integration's own files" "integration/plugin.js" "$listing"
expect_contains "its tables folder" "integration/tables/forge_repos.js" "$listing"
expect_contains "a production dependency" "integration/node_modules/dep-a/index.js" "$listing"
expect_contains "a nested dependency" "integration/node_modules/dep-a/node_modules/dep-b/index.js" "$listing"
expect_contains "the SQL is the integration statement" "sql/forge.sql" "$listing"
expect_not_contains "no dev dependency" "dev-only" "$listing"
expect_not_contains "no SDK copy" "plugin-sdk-javascript" "$listing"
expect_not_contains "no Arrow copy (Sluice provides it)" "apache-arrow" "$listing"
expect_not_contains "no dot-folder" ".git" "$listing"
expect_not_contains "no symlink" "linked.txt" "$listing"
# dep-b is only reached through dep-a's nested copy, so the hoisted one is not needed.
expect_not_contains "the hoisted dep-b is not in the closure" "integration/node_modules/dep-b/" "$listing"

mkdir x && tar -xzf out/forge-1.0.0.sluicepkg -C x || fail "tar cannot extract"
expect_contains "the SQL loads ../integration" "FROM INTEGRATION '../integration'" "$(cat x/sql/forge.sql)"
kind=$(node -e 'const m = JSON.parse(require("fs").readFileSync("x/sluice-package.json", "utf8")); console.log(m.kind, m.license, m.entities.map(e => e.name).sort().join(","))')
expect_eq "manifest kind, license and tables" "integration Apache-2.0 forge_issues,forge_repos" "$kind"
# Installed elsewhere, with no node_modules beyond what the package carries.
rm -rf forge
out=$("$sluice" ws2.db x/sql/forge.sql 2>&1) || fail "the extracted integration does not load: $out"
out=$("$sluice" ws2.db -f csv -c "SHOW ENTITIES;" 2>&1)
expect_contains "the extracted integration's tables" "forge,forge_repos" "$out"

# `sluice package DIR` for an integration folder with no .sql files: the
# type is named after package.json's name, its license taken from there.
cp -r "$root/examples/integrations/sheets" sheets && rm sheets/*.sql
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("sheets/package.json", "utf8"));
  p.license = "BSD-3-Clause";
  fs.writeFileSync("sheets/package.json", JSON.stringify(p, null, 2));
'
out=$("$sluice" package sheets --version 2.0.0 --out cli 2>&1) || fail "sluice package of an integration folder: $out"
name=$(node -e 'console.log(require("./sheets/package.json").name.replace(/[^A-Za-z0-9_]/g, "_"))')
[ -f "cli/$name-2.0.0.sluicepkg" ] || fail "no cli/$name-2.0.0.sluicepkg: $out"
license=$(tar -xzOf "cli/$name-2.0.0.sluicepkg" sluice-package.json | node -e 'let t = ""; process.stdin.on("data", d => t += d).on("end", () => { const m = JSON.parse(t); console.log(m.kind, m.license); })')
expect_eq "integration folder: kind and license from package.json" "integration BSD-3-Clause" "$license"
description=$(tar -xzOf "cli/$name-2.0.0.sluicepkg" sluice-package.json | node -e 'let t = ""; process.stdin.on("data", d => t += d).on("end", () => console.log(JSON.parse(t).description))')
expect_eq "integration folder: description from package.json" \
  "$(node -e 'console.log(require("./sheets/package.json").description)')" "$description"
# Without any license the message names the folder's ways to give one.
cp -r sheets nolicense && node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("nolicense/package.json", "utf8"));
  delete p.license;
  fs.writeFileSync("nolicense/package.json", JSON.stringify(p, null, 2));
'
rm -f nolicense/LICENSE*
out=$("$sluice" package nolicense --version 2.0.0 --out cli2 2>&1) && fail "packaged without a license"
expect_contains "no license: the CLI's ways" "--license L" "$out"
expect_contains "no license: a LICENSE file" "SPDX-License-Identifier" "$out"
expect_not_contains "no license: not the statement's clause" "say LICENSE" "$out"

# A plugin type cannot be packaged: Sluice serving examples/myservice as a
# CloudQuery plugin (`sluice plugin wrapper`), used FROM PLUGIN LOCAL, is one.
"$sluice" plugin wrapper "$root/examples/myservice" -o "$dir/myservice-plugin" >/dev/null 2>&1
out=$("$sluice" ws.db -c "CREATE CONNECTOR TYPE 'remote' FROM PLUGIN LOCAL '$dir/myservice-plugin';" 2>&1) ||
  fail "plugin type: $out"
out=$("$sluice" ws.db -c "PACKAGE CONNECTOR TYPE 'remote' VERSION '1.0.0' LICENSE 'MIT' TO 'out';" 2>&1)
expect_contains "a plugin type is refused, with the reason" "a package cannot carry" "$out"
[ ! -e out/remote-1.0.0.sluicepkg ] || fail "a plugin type was packaged"

finish
