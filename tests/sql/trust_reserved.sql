-- Sluice's own tables are not sync targets, whatever a connector is named
-- or OPTIONS.sync_table says: a FORCE run into `_sluice_secrets` replaced
-- the secrets table. Secret names follow the rule of every other name, and
-- a destination's credential keys are credentials in any letter case.
CREATE CONNECTOR TYPE 'tt';
CREATE SECRET mysec VALUE 'hunter2xx';
CREATE CONNECTOR ENTITY 'tt.secrets'
  FIELDS {"name": {"type": "string", "primary_key": true}}
  QUERY_HANDLER '''function query() { return [{name: 'pwned'}]; }''';
CREATE CONNECTOR _sluice TYPE 'tt';
SYNC CONNECTOR _sluice ENTITIES (secrets) FULL FORCE;
CREATE CONNECTOR other TYPE 'tt' OPTIONS {"sync_table": "_SLUICE_{entity}"};
SYNC CONNECTOR other FULL FORCE;
SHOW SECRETS;
SELECT count(*) AS runs FROM _sluice_sync_runs;
SELECT count(*) AS tables FROM sqlite_master WHERE name LIKE '%secrets' AND name != '_sluice_secrets';

CREATE SECRET `s');--` VALUE 'x';
CREATE SECRET `a b` VALUE 'x';
SHOW SECRETS;

CREATE DESTINATION pg TYPE 'postgresql' CONFIG {"host": "127.0.0.1", "PASSWORD": "UpperPw6"};
CREATE DESTINATION pg TYPE 'postgresql' CONFIG {"connection_string": "host=127.0.0.1 Password=UpperPw6"};
SHOW DESTINATIONS;
