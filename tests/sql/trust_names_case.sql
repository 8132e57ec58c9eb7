-- Names that differ only in letter case are one name to SQLite (it folds
-- ASCII case in table and column names): CREATE refuses such a pair, per
-- kind and scope, so no two definitions share a table or a column.
CREATE CONNECTOR TYPE 'cs';
CREATE CONNECTOR ENTITY 'cs.items' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query() { return [{id: 1}, {id: 2}]; }''';
-- Entities of one type.
CREATE CONNECTOR ENTITY 'cs.Items' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query() { return [{id: 3}]; }''';
CREATE OR REPLACE CONNECTOR ENTITY 'cs.ITEMS' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{id: 3}]; }''';
-- The same exact name is still replaced.
CREATE OR REPLACE CONNECTOR ENTITY 'cs.items' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query() { return [{id: 1}, {id: 2}, {id: 3}]; }''';
-- Only ASCII folds: SQLite tells `é` and `É` apart, so these are two.
CREATE CONNECTOR ENTITY 'cs.café' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{id: 1}]; }''';
CREATE CONNECTOR ENTITY 'cs.cafÉ' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{id: 2}]; }''';
-- Another type's entity may have any case: it is another scope.
CREATE CONNECTOR TYPE 'other';
CREATE CONNECTOR ENTITY 'other.Items' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{id: 9}]; }''';
-- Fields of one entity.
CREATE CONNECTOR ENTITY 'cs.twins' FIELDS {"id": {"type": "integer"}, "ID": {"type": "string"}}
  QUERY_HANDLER '''function query() { return [{id: 1, ID: 'x'}]; }''';
CREATE CONNECTOR ENTITY 'cs.twins' FIELDS {"Name": {"type": "string"}, "nAME": {"type": "string"}}
  QUERY_HANDLER '''function query() { return []; }''';
-- Actions of a type.
CREATE CONNECTOR ACTION 'cs.items.create' HANDLER '''function execute() { return 1; }''';
CREATE CONNECTOR ACTION 'cs.Items.Create' HANDLER '''function execute() { return 2; }''';
-- Connectors.
CREATE CONNECTOR c TYPE 'cs';
CREATE CONNECTOR C TYPE 'cs';
CREATE OR REPLACE CONNECTOR C TYPE 'cs';
CREATE OR REPLACE CONNECTOR c TYPE 'cs';
-- Destinations.
CREATE DESTINATION lake TYPE 'sqlite' CONFIG {};
CREATE DESTINATION LAKE TYPE 'sqlite' CONFIG {};
SHOW ENTITIES;
SHOW CONNECTORS;
-- What the probe did in one run: both now name the one entity there is.
SELECT id FROM c.items;
SELECT count(*) AS n FROM c.Items;
SELECT id FROM c.café;
SELECT id FROM c.cafÉ;
