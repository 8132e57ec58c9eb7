# Definitions survive closing and reopening the workspace; secrets are
# encrypted at rest under a key file only the user can read.
source "$(dirname "$0")/lib.bash"
ws=$dir/ws.db

"$sluice" "$ws" -c "
  CREATE CONNECTOR TYPE 'svc' VERSION '2.0.0' CONFIG_SCHEMA {
    \"url\": {\"type\": \"string\", \"required\": true},
    \"key\": {\"type\": \"string\", \"secret\": true}};
  CREATE CONNECTOR ENTITY 'svc.items' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}}
    QUERY_HANDLER '''async function query() { return []; }''';
  CREATE CONNECTOR ACTION 'svc.items.touch' HANDLER '''async function execute() {}''';
  CREATE SECRET svc_key VALUE 'plaintext-that-must-not-be-on-disk';
  CREATE CONNECTOR prod TYPE 'svc' CONFIG {\"url\": \"https://x\", \"key\": \"{{secrets.svc_key}}\"};
  CREATE DESTINATION wh TYPE 'postgresql' CONFIG {\"host\": \"localhost\", \"password\": \"{{secrets.svc_key}}\"};
  REGISTER CONNECTOR TYPE 'svc';"
expect_eq "define exits 0" 0 $?

out=$("$sluice" "$ws" --format csv -c "SHOW CONNECTOR TYPES; SHOW CONNECTORS; SHOW ENTITIES; SHOW ACTIONS; SHOW DESTINATIONS; SHOW SECRETS;" 2>&1)
expect_contains "type survives" "svc,2.0.0,1,1,true," "$out"
expect_contains "connector survives" "prod,svc,true," "$out"
expect_contains "entity survives" "svc,items,1,,," "$out"
expect_contains "action survives" "svc,items.touch,," "$out"
expect_contains "destination survives" "wh,postgresql," "$out"
expect_contains "secret listed by name" "svc_key,value," "$out"
expect_not_contains "secret value never shown" "plaintext-that-must" "$out"

out=$("$sluice" "$ws" -f json -c "DESCRIBE ENTITY 'svc.items';")
expect_contains "handler origin recorded" '"value":"<command 1>:' "$out"

if grep -q "plaintext-that-must-not-be-on-disk" "$ws"; then fail "secret stored in plain text"; fi
key=$XDG_CONFIG_HOME/sluice/secret.key
expect_eq "key file mode" 600 "$(stat -c %a "$key")"
expect_eq "key dir mode" 700 "$(stat -c %a "$(dirname "$key")")"

# A different key is detected, not mistaken for corrupt data.
out=$(SLUICE_SECRET_KEY=some-other-passphrase "$sluice" "$ws" -c "CREATE SECRET second VALUE 'v-123456';" 2>&1)
expect_eq "wrong key fails" 1 $?
expect_contains "wrong key named" "does not match" "$out"

# The catalog has a schema version; a newer one is refused.
out=$("$sluice" "$ws" -f csv -c "SELECT value FROM _sluice_meta WHERE key = 'schema_version';")
expect_eq "schema version" "$(printf 'value\n8')" "$out"
sqlite3 "$ws" "UPDATE _sluice_meta SET value = '999' WHERE key = 'schema_version';"
out=$("$sluice" "$ws" -c "SHOW CONNECTORS;" 2>&1)
expect_eq "newer workspace refused" 1 $?
expect_contains "newer workspace message" "999" "$out"
sqlite3 "$ws" "UPDATE _sluice_meta SET value = '8' WHERE key = 'schema_version';"

# Dropping a type in use names its connectors, and nothing is dropped.
out=$("$sluice" "$ws" -c "DROP CONNECTOR TYPE 'svc';" 2>&1)
expect_contains "drop in use" "used by connectors: prod" "$out"
finish
