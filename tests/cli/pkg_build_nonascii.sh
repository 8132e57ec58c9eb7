# Names outside ASCII once crashed PACKAGE inside libarchive (the engine
# runs in the "C" locale). An entity 'bücher' and an integration file
# 'ünïcode.js' package, publish and install end to end, the archive lists
# them in UTF-8 with no unknown pax keyword, and packaging is deterministic.
# A type 'é' is refused with the reason: a package is named after its type
# and registries take ASCII names.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
export SLUICE_PACKAGE_STORE=$dir/store
cd "$dir"
export LC_ALL=C

out=$("$sluice" author.db -c "CREATE CONNECTOR TYPE 'é' CONFIG_SCHEMA {};
PACKAGE CONNECTOR TYPE 'é' VERSION '1.0.0' LICENSE 'MIT';" 2>&1)
expect_eq "PACKAGE of type 'é' is refused, not a crash" 1 "$?"
expect_contains "the refusal says why" "a package is named after its type" "$out"

out=$("$sluice" author.db -c "CREATE CONNECTOR TYPE 'shop' VERSION '1.0.0' CONFIG_SCHEMA {};
CREATE CONNECTOR ENTITY 'shop.bücher' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}}
  QUERY_HANDLER '''async function query() { return [{id: 'ü-row'}]; }''';
PACKAGE CONNECTOR TYPE 'shop' LICENSE 'MIT';" 2>&1)
expect_eq "PACKAGE of an entity 'bücher' succeeds: $out" 0 "$?"
[ -f packages/shop-1.0.0.sluicepkg ] || fail "no packages/shop-1.0.0.sluicepkg: $out"
listing=$(LC_ALL=C.UTF-8 tar -tzf packages/shop-1.0.0.sluicepkg 2>&1)
expect_contains "the archive names the entity in UTF-8" "js/bücher.query.js" "$listing"
expect_not_contains "no unknown pax keyword" "Ignoring" "$listing"
first=$(sha256sum <packages/shop-1.0.0.sluicepkg)
rm packages/shop-1.0.0.sluicepkg
"$sluice" author.db -c "PACKAGE CONNECTOR TYPE 'shop' LICENSE 'MIT';" >/dev/null 2>&1
expect_eq "the same bytes again" "$first" "$(sha256sum <packages/shop-1.0.0.sluicepkg)"

out=$("$sluice" author.db -c "PUBLISH CONNECTOR TYPE 'shop' TO '$dir/registry';" 2>&1) ||
  fail "PUBLISH: $out"
out=$("$sluice" consumer.db -c "INSTALL CONNECTOR TYPE 'shop' FROM REGISTRY '$dir/registry' ALLOW UNSIGNED;
CREATE CONNECTOR c TYPE 'shop' CONFIG {};
SELECT id FROM c.bücher;" 2>&1)
expect_contains "the installed entity answers" "ü-row" "$out"

# An integration folder with a non-ASCII file name.
cp -r "$root/examples/integrations/sheets" sheets && rm sheets/*.sql
sed -i 's/"version": *"[^"]*"/"version": "1.0.0", "license": "MIT"/' sheets/package.json
echo '// note' >"sheets/tables/ünïcode.js"
out=$("$sluice" package sheets --out "$dir/cli" 2>&1)
expect_eq "sluice package of a folder holding 'ünïcode.js': $out" 0 "$?"
pkg=$(ls "$dir"/cli/*.sluicepkg 2>/dev/null | head -1)
[ -n "$pkg" ] || fail "no package written: $out"
[ -n "$pkg" ] && expect_contains "the file is in the archive" "integration/tables/ünïcode.js" \
  "$(LC_ALL=C.UTF-8 tar -tzf "$pkg")"
finish
