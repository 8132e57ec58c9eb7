CREATE CONNECTOR TYPE svc
  CONFIG_SCHEMA {"type": "object"}
  ENTITY items FIELDS {"id": "integer", "name": "string"}
  QUERY_HANDLER '''async function query(config, options) { return [{id: 1}]; }''';
CREATE SECRET key VALUE 'pa"ss\\word';
TEST CONNECTOR TYPE svc NAME 't' MOCK_API {"GET /items": {"status": 200, "body": [1]}} BEGIN
  SELECT * FROM t.items;
END;
PRINT NOT -(1 + [2, {a: 3}][0]);
