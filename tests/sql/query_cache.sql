-- OPTIONS.cache_ttl: a query whose filters include a cached complete scan's
-- is answered from it (counted in SHOW CONNECTOR STATS), and the answers stay
-- right because SQLite re-checks every row.
CREATE SECRET key FROM ENV 'TEST_SERVER_TOKEN';
CREATE CONNECTOR TYPE 'myservice' CONFIG_SCHEMA {
  "api_url": {"type": "string", "required": true},
  "api_key": {"type": "string", "required": true, "secret": true}};
CREATE CONNECTOR ENTITY 'myservice.items'
  FIELDS {"id": {"type": "string", "primary_key": true, "filterable": true},
          "name": {"type": "string"},
          "status": {"type": "string", "filterable": true}}
  QUERY_HANDLER FILE '../../examples/myservice/items.js';
CREATE CONNECTOR ENTITY 'myservice.requests'
  FIELDS {"path": {"type": "string"}, "query": {"type": "string"}}
  QUERY_HANDLER '''async function query(config) { return (await fetch(config.api_url + '/requests')).json(); }''';
CREATE CONNECTOR cached TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"}
  OPTIONS {"cache_ttl": 60};
CREATE CONNECTOR log TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};

SELECT count(*) AS active FROM cached.items WHERE status = 'active';
SELECT count(*) AS active_again FROM cached.items WHERE status = 'active';
SELECT id, name FROM cached.items WHERE status = 'active' AND name LIKE 'item 1%';
SELECT id FROM cached.items WHERE status = 'active' LIMIT 2;
SELECT id, status FROM cached.items WHERE id = '4';
SELECT query FROM log.requests WHERE path = '/items';
SHOW CONNECTOR STATS FOR cached;
