# Names from an older workspace (or an API) reach SQL quoted, one statement
# at a time; the catalog migration to definition order; an integration's
# dynamic tables are listed and described (issue 13, defects 16, 21, 35).
source "$(dirname "$0")/lib.bash"
ws=$dir/ws.db
attack="x');DROP TABLE victim;DELETE FROM _sluice_secrets;--"

"$sluice" "$ws" -c "
  CREATE TABLE victim (x);
  INSERT INTO victim VALUES (1), (2), (3);
  CREATE SECRET precious VALUE 'a-secret-worth-keeping';
  CREATE CONNECTOR TYPE 'svc';
  CREATE CONNECTOR ENTITY 'svc.zeta' FIELDS {\"id\": {\"type\": \"integer\"}}
    QUERY_HANDLER '''function query() { return [{id: 26}]; }''';
  CREATE CONNECTOR ENTITY 'svc.alpha' FIELDS {\"id\": {\"type\": \"integer\"}}
    QUERY_HANDLER '''async function query() { await 0; throw new Error('alpha is not the first entity defined'); }''';
  -- The attack needs the entity its name starts with to exist.
  CREATE CONNECTOR ENTITY 'svc.x' FIELDS {\"id\": {\"type\": \"integer\"}}
    QUERY_HANDLER '''function query() { return [{id: 1}]; }''';
  CREATE CONNECTOR c TYPE 'svc';"
expect_eq "define exits 0" 0 $?

# 21. A hostile entity name the catalog holds already (CREATE refuses it
# now; a workspace written before, or by hand, may hold one).
sqlite3 "$ws" "INSERT INTO _sluice_entities (type, name, fields, handler_code, created_at, updated_at)
  SELECT 'svc', '$(printf '%s' "$attack" | sed "s/'/''/g")', '{\"id\": {\"type\": \"integer\"}}',
         'function query() { return [{id: 41}]; }', '', ''"
expect_eq "hostile row inserted" 1 "$(sqlite3 "$ws" "SELECT count(*) FROM _sluice_entities WHERE name LIKE 'x'')%'")"
out=$("$sluice" "$ws" -c "SELECT id FROM c.\`$attack\`;" 2>&1)
expect_contains "the hostile entity is a table like any other" "41" "$out"
"$sluice" "$ws" -c "SYNC CONNECTOR c ENTITIES (\`$attack\`);" >/dev/null 2>&1
expect_eq "the user table survives" 3 "$(sqlite3 "$ws" "SELECT count(*) FROM victim")"
expect_eq "the secrets survive" 1 "$(sqlite3 "$ws" "SELECT count(*) FROM _sluice_secrets")"

# A connector whose name needs quoting in SQL, from an older workspace.
sqlite3 "$ws" "INSERT INTO _sluice_connectors (name, type, created_at, updated_at)
  VALUES ('c\"; DROP TABLE victim; --', 'svc', '', '')"
out=$("$sluice" "$ws" -c "SELECT id FROM \`c\"; DROP TABLE victim; --\`.zeta;" 2>&1)
expect_contains "a quoted connector name works" "26" "$out"
expect_eq "the user table still survives" 3 "$(sqlite3 "$ws" "SELECT count(*) FROM victim")"
sqlite3 "$ws" "DELETE FROM _sluice_connectors WHERE name LIKE 'c\"%'; DELETE FROM _sluice_entities WHERE name LIKE 'x'')%'"

# 35. TEST CONNECTOR probes the first entity defined (zeta), not the first
# by name (alpha, whose handler fails).
out=$("$sluice" "$ws" -c "TEST CONNECTOR c;" 2>&1)
expect_eq "probe succeeds" 0 $?
expect_contains "zeta is probed" "query of entity 'zeta'" "$out"

# The same from a workspace of the previous schema (version 3), where
# entities had no position: migrating numbers them in the order they were
# inserted.
sqlite3 "$ws" "ALTER TABLE _sluice_entities DROP COLUMN position" 2>/dev/null
sqlite3 "$ws" "ALTER TABLE _sluice_entities DROP COLUMN applies_offset" 2>/dev/null
sqlite3 "$ws" "ALTER TABLE _sluice_connector_types DROP COLUMN kind" 2>/dev/null
sqlite3 "$ws" "DROP TABLE _sluice_registries; DROP TABLE _sluice_packages; DROP TABLE _sluice_tests;
  ALTER TABLE _sluice_sync_runs DROP COLUMN type_version; ALTER TABLE _sluice_sync_runs DROP COLUMN error_kind;
  ALTER TABLE _sluice_sync_runs DROP COLUMN distributed_run; ALTER TABLE _sluice_sync_runs DROP COLUMN units" 2>/dev/null
sqlite3 "$ws" "UPDATE _sluice_meta SET value = '3' WHERE key = 'schema_version'"
out=$("$sluice" "$ws" -c "TEST CONNECTOR c;" 2>&1)
expect_eq "probe after migration succeeds" 0 $?
expect_contains "zeta is probed after migration" "query of entity 'zeta'" "$out"
expect_eq "migrated positions" "zeta|1 alpha|2 x|3" \
  "$(sqlite3 "$ws" "SELECT name, position FROM _sluice_entities ORDER BY position" | tr '\n' ' ' | sed 's/ $//')"
out=$("$sluice" "$ws" -c "CREATE CONNECTOR ENTITY 'svc.beta' FIELDS {\"id\": {\"type\": \"integer\"}}
  QUERY_HANDLER '''function query() { return []; }''';" 2>&1)
expect_eq "a new entity comes last" 4 "$(sqlite3 "$ws" "SELECT position FROM _sluice_entities WHERE name = 'beta'")"

# 16. An integration with dynamic tables: SHOW ENTITIES FOR the connector
# and DESCRIBE ENTITY list the tables the running connector has.
source "$(dirname "$0")/../servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" --token tok-16 >/dev/null || exit 1
cp -r "$(dirname "$0")/../../examples/integrations/sheets" "$dir/sheets"
out=$("$sluice" "$dir/int.db" -f csv -c "
    CREATE SECRET tok VALUE 'tok-16';
    CREATE CONNECTOR TYPE 'sheets' FROM INTEGRATION '$dir/sheets';
    CREATE CONNECTOR s TYPE 'sheets' CONFIG {\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{secrets.tok}}\"};
    SELECT count(*) AS contacts FROM s.sheets_contacts;
    SHOW ENTITIES FOR s;" 2>&1)
expect_contains "the dynamic table is queryable" $'contacts\n10' "$out"
expect_contains "SHOW ENTITIES FOR the connector lists it" "sheets,sheets_contacts," "$out"
# 9. An integration table never declared appliesOffset: the engine skips.
all=$("$sluice" "$dir/int.db" -f csv -c "SELECT record_id FROM s.sheets_contacts;" 2>/dev/null | sed -n "5,6p")
out=$("$sluice" "$dir/int.db" -f csv -c "SELECT record_id FROM s.sheets_contacts LIMIT 2 OFFSET 3;" 2>/dev/null | sed 1d)
expect_eq "OFFSET over an integration table" "$all" "$out"
expect_eq "the rows are real" 2 "$(printf '%s\n' "$out" | grep -c rec)"
out=$("$sluice" "$dir/int.db" -f csv -c "SHOW ENTITIES;" 2>&1)
expect_contains "SHOW ENTITIES lists it too" "sheets,sheets_contacts," "$out"
out=$("$sluice" "$dir/int.db" -f csv -c "DESCRIBE ENTITY 's.sheets_contacts'; DESCRIBE ENTITY 'sheets.sheets_contacts';" 2>&1)
expect_eq "DESCRIBE ENTITY finds it" 0 $?
expect_contains "DESCRIBE ENTITY shows its fields" "record_id,string," "$out"

# 23. An integration's column with a reserved name stops the connector at
# load, naming the table and the column.
cp -r "$(dirname "$0")/../../examples/integrations/sheets" "$dir/badsheets"
sed -i "s/name: 'record_id'/name: '_sluice_source'/" "$dir/badsheets/tables/sheets_table.js"
out=$("$sluice" "$dir/bad.db" -c "
    CREATE SECRET tok VALUE 'tok-16';
    CREATE CONNECTOR TYPE 'badsheets' FROM INTEGRATION '$dir/badsheets';
    CREATE CONNECTOR b TYPE 'badsheets' CONFIG {\"base_url\": \"$TEST_SERVER_URL\", \"token\": \"{{secrets.tok}}\"};
    SELECT count(*) FROM b.sheets_contacts;" 2>&1)
expect_eq "the reserved column fails the query" 1 $?
expect_contains "naming table and field" "table 'sheets_contacts': field '_sluice_source' has a reserved name" "$out"
finish
