-- Names reach SQL quoted, and only valid names get into the catalog
-- (issue 13, defects 21 and 35).
CREATE TABLE victim (x);
INSERT INTO victim VALUES (1), (2);
CREATE SECRET precious VALUE 'a-secret-worth-keeping';
CREATE CONNECTOR TYPE 'svc';
-- The attack of the issue: refused at CREATE, naming the character.
CREATE CONNECTOR ENTITY 'svc.x'');DROP TABLE victim;DELETE FROM _sluice_secrets;--'
  FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{id: 1}]; }''';
CREATE CONNECTOR TYPE 'x'');DROP TABLE victim;--';
CREATE CONNECTOR ENTITY 'svc.two words' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR ENTITY 'svc.semi;colon' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR ENTITY 'svc.1st' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR ENTITY "svc.tab\there" FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR ENTITY "svc.nbsp\u00a0here" FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR `bad-name` TYPE 'svc';
CREATE CONNECTOR ACTION 'svc.ping;x' HANDLER '''function execute() { return 1; }''';
CREATE DESTINATION `out"put` TYPE 'sqlite' CONFIG {};
SELECT count(*) AS victim_rows FROM victim;
SHOW SECRETS;
SHOW ENTITIES;

-- A valid name that is not ASCII works end to end.
CREATE CONNECTOR ENTITY 'svc.café'
  FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query() { return [{id: 1}, {id: 2}]; }''';
-- 35. Entities are defined in this order: zeta first.
CREATE CONNECTOR ENTITY 'svc.zeta' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{id: 26}]; }''';
CREATE CONNECTOR ENTITY 'svc.alpha' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { await 0; throw new Error('alpha is not the first entity defined'); }''';
CREATE CONNECTOR münchen TYPE 'svc';
SELECT id FROM münchen.café ORDER BY id;
SELECT c.id FROM münchen.café AS c WHERE c.id = 2;
EXPLAIN SELECT id FROM münchen.café WHERE id = 1;
-- TEST CONNECTOR probes the first entity defined (café), not alpha.
TEST CONNECTOR münchen;
-- Replacing an entity keeps its place.
CREATE OR REPLACE CONNECTOR ENTITY 'svc.café' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{id: 7}]; }''';
TEST CONNECTOR münchen;
DROP CONNECTOR ENTITY 'svc.café';
TEST CONNECTOR münchen;
SELECT count(*) AS victim_rows FROM victim;
