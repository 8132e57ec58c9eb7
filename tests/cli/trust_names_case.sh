# A workspace made before CREATE refused names that differ only in letter
# case may hold such a pair: SELECT and SYNC refuse it with a clear error
# instead of sharing one table and deleting each other's rows.
source "$(dirname "$0")/lib.bash"
ws=$dir/ws.db
q() { sqlite3 "${2:-$ws}" "$1"; }

"$sluice" "$ws" -c "
  CREATE CONNECTOR TYPE 'cs';
  CREATE CONNECTOR ENTITY 'cs.items' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''function query() { return [{id: 1}, {id: 2}]; }''';
  CREATE CONNECTOR ENTITY 'cs.other' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''function query() { return [{id: 7}]; }''';
  CREATE CONNECTOR c TYPE 'cs';
  SYNC CONNECTOR c ENTITIES (items) TO '$dir/out.db' FULL;" >/dev/null 2>&1
expect_eq "defined and synced" 2 "$(q "SELECT count(*) FROM c_items" "$dir/out.db")"

# As an older version would have stored them.
q "INSERT INTO _sluice_entities (type, name, fields, handler_code, created_at, updated_at)
   VALUES ('cs', 'Items', '{\"id\": {\"type\": \"integer\", \"primary_key\": true}}',
           'function query() { return [{id: 3}]; }', '', '')"
out=$("$sluice" "$ws" -c "SELECT id FROM c.Items;" 2>&1)
expect_contains "SELECT names both entities" \
  "entities 'cs.Items' and 'cs.items' differ only in letter case" "$out"
out=$("$sluice" "$ws" -c "SELECT id FROM c.items;" 2>&1)
expect_contains "either of them" "entities 'cs.items' and 'cs.Items' differ only in letter case" "$out"
out=$("$sluice" "$ws" -c "SYNC CONNECTOR c ENTITIES (Items) TO '$dir/out.db' FULL;" 2>&1)
expect_contains "SYNC refuses it" "differ only in letter case" "$out"
expect_eq "the synced rows are kept" "1 2" "$(q "SELECT id FROM c_items ORDER BY id" "$dir/out.db" | tr '\n' ' ' | sed 's/ $//')"
out=$("$sluice" "$ws" -c "SELECT id FROM c.other;" 2>&1)
expect_contains "other entities still work" "7" "$out"
q "DELETE FROM _sluice_entities WHERE name = 'Items'"

# Two connectors.
q "INSERT INTO _sluice_connectors (name, type, created_at, updated_at) VALUES ('C', 'cs', '', '')"
out=$("$sluice" "$ws" -c "SYNC CONNECTOR C ENTITIES (items) TO '$dir/out.db' FULL;" 2>&1)
expect_contains "connectors too" "connectors 'C' and 'c' differ only in letter case" "$out"
out=$("$sluice" "$ws" -c "SELECT id FROM C.items;" 2>&1)
expect_contains "in SELECT too" "connectors 'C' and 'c' differ only in letter case" "$out"
expect_eq "still kept" 2 "$(q "SELECT count(*) FROM c_items" "$dir/out.db")"
q "DELETE FROM _sluice_connectors WHERE name = 'C'"

# Two fields: a clear error, not "vtable constructor failed".
q "UPDATE _sluice_entities SET fields = '{\"id\": {\"type\": \"integer\"}, \"ID\": {\"type\": \"string\"}}'
   WHERE name = 'other'"
out=$("$sluice" "$ws" -c "SELECT * FROM c.other;" 2>&1)
expect_contains "fields named" "fields of c.other 'id' and 'ID' differ only in letter case" "$out"
out=$("$sluice" "$ws" -c "SYNC CONNECTOR c ENTITIES (other) TO '$dir/out.db';" 2>&1)
expect_contains "in SYNC too" "differ only in letter case" "$out"

finish
