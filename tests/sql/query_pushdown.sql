-- Live SQL over connectors against the test API server: what each handler
-- was asked (read back from the server's own request log), the answers
-- SQLite gives whatever was pushed, early stop, joins, coercion and errors.
CREATE SECRET key FROM ENV 'TEST_SERVER_TOKEN';

-- The shipped example connector (examples/myservice): id and status are
-- filterable, so equality on them and LIMIT go to the API.
CREATE CONNECTOR TYPE 'myservice' CONFIG_SCHEMA {
  "api_url": {"type": "string", "required": true},
  "api_key": {"type": "string", "required": true, "secret": true}};
CREATE CONNECTOR ENTITY 'myservice.items'
  FIELDS {"id": {"type": "string", "primary_key": true, "filterable": true},
          "name": {"type": "string"},
          "status": {"type": "string", "filterable": true},
          "created_at": {"type": "timestamp"},
          "metadata": {"type": "document"}}
  QUERY_HANDLER FILE '../../examples/myservice/items.js';
-- Page-number pagination, one request per page, as an async generator.
CREATE CONNECTOR ENTITY 'myservice.rows'
  FIELDS {"id": {"type": "integer"}, "name": {"type": "string"}, "value": {"type": "integer"},
          "active": {"type": "boolean"}, "created_at": {"type": "timestamp"}}
  QUERY_HANDLER '''
async function* query(config) {
  for (let page = 1; ; page++) {
    const response = await fetch(`${config.api_url}/pages?page=${page}&per_page=5&total=50`);
    const data = await response.json();
    yield data.items;
    if (!data.next_page) return;
  }
}
''';
-- A child entity: one item's details, fetched per parent item.
CREATE CONNECTOR ENTITY 'myservice.details'
  FIELDS {"id": {"type": "string"}, "updated_at": {"type": "timestamp"}, "rank": {"type": "integer"}}
  PARENT 'myservice.items'
  QUERY_HANDLER '''
async function query(config, filters, options, parent) {
  const response = await fetch(`${config.api_url}/items/${parent.id}`,
                               {headers: {Authorization: `Bearer ${config.api_key}`}});
  const item = await response.json();
  return [{id: item.id, updated_at: item.updated_at, rank: item.extra.rank}];
}
''';
-- The server's request log, as a table.
CREATE CONNECTOR ENTITY 'myservice.requests'
  FIELDS {"seq": {"type": "integer"}, "method": {"type": "string"}, "path": {"type": "string"},
          "query": {"type": "string"}}
  QUERY_HANDLER '''
async function query(config) { return (await fetch(config.api_url + '/requests')).json(); }
''';
CREATE CONNECTOR ACTION 'myservice.forget' HANDLER '''
async function execute(config) { await fetch(config.api_url + '/requests/reset', {method: 'POST'}); return null; }
''';
-- The connector guide's query handler, verbatim (guide/query.js).
CREATE CONNECTOR ENTITY 'myservice.guide_items'
  FIELDS {"id": {"type": "string", "filterable": true}, "name": {"type": "string"},
          "status": {"type": "string", "filterable": true}, "created_at": {"type": "timestamp"},
          "metadata": {"type": "document"}}
  QUERY_HANDLER FILE 'guide/query.js';
CREATE CONNECTOR api TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR api2 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};

-- Equality on a filterable field, and LIMIT, reach the API.
CONNECTOR_EXEC api.forget();
SELECT id, name, status FROM api.items WHERE status = 'active' LIMIT 3;
SELECT path, query FROM api.requests WHERE path = '/items';

-- LIKE is not something the handler applies: LIMIT stays with SQLite (the
-- API is asked for its default page), and the answer is still right.
CONNECTOR_EXEC api.forget();
SELECT id, name FROM api.items WHERE name LIKE 'item 1%' LIMIT 3;
SELECT path, query FROM api.requests WHERE path = '/items';

-- A predicate on a field that is not filterable, with LIMIT.
CONNECTOR_EXEC api.forget();
SELECT id FROM api.items WHERE created_at > '2026-01-01T20:00:00Z' LIMIT 2;
SELECT path, query FROM api.requests WHERE path = '/items';

-- OR: nothing pushed; SQLite filters.
CONNECTOR_EXEC api.forget();
SELECT id, status FROM api.items WHERE status = 'archived' OR id = '3' LIMIT 4;
SELECT path, query FROM api.requests WHERE path = '/items';

-- NULL comparisons keep SQL's meaning.
SELECT count(*) AS none FROM api.items WHERE status = NULL;
SELECT count(*) AS all_have_status FROM api.items WHERE status IS NOT NULL;

-- ORDER BY on a field the handler cannot sort: SQLite sorts, no LIMIT pushed.
CONNECTOR_EXEC api.forget();
SELECT id, created_at FROM api.items ORDER BY created_at DESC LIMIT 2;
SELECT path, query FROM api.requests WHERE path = '/items';

-- IN lists arrive as arrays (the handler sends the last one it is given).
SELECT id FROM api.items WHERE id IN ('2', '5') ORDER BY id;

-- Early stop: LIMIT 7 over 5-row pages reads two pages of ten.
CONNECTOR_EXEC api.forget();
SELECT id, name, active FROM api.rows LIMIT 7;
SELECT count(*) AS pages_fetched FROM api.requests WHERE path = '/pages';

-- Joins: two connectors, and a local table.
CREATE TABLE wanted (id TEXT, why TEXT);
INSERT INTO wanted VALUES ('4', 'audit'), ('6', 'review');
SELECT w.why, a.name, b.status FROM wanted w
  JOIN api.items a ON a.id = w.id
  JOIN api2.items b ON b.id = a.id
ORDER BY w.why;

-- Fields beyond FIELDS stay reachable through _raw.
SELECT id, json_extract(_raw, '$.metadata.rank') AS rank FROM api.items WHERE id = '7';

-- Variables bind into queries over connectors too.
DECLARE wanted_status = 'archived';
DECLARE archived = SELECT id FROM api.items WHERE status = wanted_status LIMIT 2;
PRINT ARRAY_LENGTH(archived), archived[0].id;

-- The guide's handler, as a table.
CONNECTOR_EXEC api.forget();
SELECT id, name, status, created_at, metadata FROM api.guide_items WHERE status = 'archived' LIMIT 2;
SELECT path, query FROM api.requests WHERE path = '/items';

-- Any number of connectors in one statement (SQLite's ATTACH limit of 10
-- does not apply: entities are tables, not databases).
CREATE CONNECTOR c1 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c2 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c3 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c4 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c5 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c6 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c7 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c8 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c9 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c10 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
CREATE CONNECTOR c11 TYPE 'myservice' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.key}}"};
SELECT count(*) AS eleven_connectors FROM (
  SELECT id FROM c1.items WHERE id = '1' UNION ALL SELECT id FROM c2.items WHERE id = '1' UNION ALL
  SELECT id FROM c3.items WHERE id = '1' UNION ALL SELECT id FROM c4.items WHERE id = '1' UNION ALL
  SELECT id FROM c5.items WHERE id = '1' UNION ALL SELECT id FROM c6.items WHERE id = '1' UNION ALL
  SELECT id FROM c7.items WHERE id = '1' UNION ALL SELECT id FROM c8.items WHERE id = '1' UNION ALL
  SELECT id FROM c9.items WHERE id = '1' UNION ALL SELECT id FROM c10.items WHERE id = '1' UNION ALL
  SELECT id FROM c11.items WHERE id = '1');

-- Child entities against the server: a join on _parent fetches details only
-- for the parent rows the query keeps.
CONNECTOR_EXEC api.forget();
SELECT i.id, i.name, d.rank, d.updated_at FROM api.items i JOIN api.details d ON d._parent = i._raw
WHERE i.id IN ('4', '9') ORDER BY i.id;
SELECT path FROM api.requests ORDER BY seq;
