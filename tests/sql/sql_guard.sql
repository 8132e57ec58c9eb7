-- User SQL may read the catalog but not change it, and cannot ATTACH.
CREATE CONNECTOR TYPE 'svc';
SELECT name FROM _sluice_connector_types;
DELETE FROM _sluice_connector_types;
DROP TABLE _sluice_connectors;
UPDATE _sluice_connector_types SET name = 'x';
CREATE TABLE _sluice_mine (x);
PRAGMA writable_schema = 1;
SHOW CONNECTOR TYPES;
-- SQLite's own errors come through with the position of the statement.
SELECT * FROM nowhere;
SELECT 1 +;
