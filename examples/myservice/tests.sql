-- Tests of the myservice connector (connector.sql, beside this file).
-- `sluice test examples/myservice` runs them: connector.sql first, then each
-- test in a workspace of its own. The first two are the connector guide's,
-- verbatim; the integration test needs MYSERVICE_TEST_URL and
-- MYSERVICE_TEST_KEY (`make test` points them at the local test API) and is
-- skipped without them.

TEST CONNECTOR TYPE 'myservice'
NAME 'query returns items'
MOCK_API {
"GET /items": {
"status": 200,
"body": {"items": [{"id": "1", "name": "Test"}]}
}
}
BEGIN
CREATE CONNECTOR test_conn TYPE 'myservice'
CONFIG {"api_url": "mock://", "api_key": "test"};
DECLARE results = SELECT * FROM test_conn.items;
ASSERT ARRAY_LENGTH(results) = 1;
ASSERT results[0].name = 'Test';
END TEST;

TEST CONNECTOR TYPE 'myservice'
NAME 'integration with real API'
TAGS ['integration', 'slow']
BEGIN
CREATE CONNECTOR test_conn TYPE 'myservice'
CONFIG {
"api_url": ENV('MYSERVICE_TEST_URL'),
"api_key": ENV('MYSERVICE_TEST_KEY')
};
-- Create item
DECLARE created = CONNECTOR_EXEC test_conn.items.create({
"name": "Integration Test " || CURRENT_TIMESTAMP()
});
ASSERT created.id IS NOT NULL;
-- Query item
DECLARE items = SELECT * FROM test_conn.items
WHERE id = created.id;
ASSERT ARRAY_LENGTH(items) = 1;
-- Cleanup
CONNECTOR_EXEC test_conn.items.delete(id => created.id);
END TEST;

-- What the handler sends: the key as a bearer token, the WHERE clause's
-- filterable fields as query parameters, LIMIT when it cannot change the answer.
TEST CONNECTOR TYPE 'myservice'
  NAME 'sends the key and pushes filters and limit down'
  TAGS ['unit']
  MOCK_API {"GET /items": {"status": 200, "body": {"items": [
    {"id": "7", "name": "seven", "status": "active", "created_at": "2026-01-02T03:04:05Z"}]}}}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k-123"};
  DECLARE rows = SELECT id, created_at FROM c.items WHERE status = 'active' LIMIT 5;
  ASSERT ARRAY_LENGTH(rows) = 1;
  ASSERT rows[0].created_at = '2026-01-02T03:04:05Z';
  DECLARE sent = MOCK_REQUESTS();
  ASSERT ARRAY_LENGTH(sent) = 1;
  ASSERT sent[0].headers.authorization = 'Bearer k-123';
  ASSERT sent[0].query.status = 'active';
  ASSERT sent[0].query.limit = '5';
END TEST;

-- Successive calls to one route get its responses in order: two pages.
TEST CONNECTOR TYPE 'myservice'
  NAME 'follows the page cursor'
  TAGS ['unit']
  MOCK_API {"GET /items": [
    {"status": 200, "body": {"items": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}], "next_cursor": "p2"}},
    {"status": 200, "body": {"items": [{"id": "3", "name": "c"}]}}
  ]}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k"};
  DECLARE names = SELECT group_concat(name, ',') AS all_names FROM c.items;
  ASSERT names[0].all_names = 'a,b,c';
  ASSERT ARRAY_LENGTH(MOCK_REQUESTS()) = 2;
  ASSERT MOCK_REQUESTS()[0].query.cursor IS NULL;
  ASSERT MOCK_REQUESTS()[1].query.cursor = 'p2';
END TEST;

-- A query string in the key matches that query exactly.
TEST CONNECTOR TYPE 'myservice'
  NAME 'looks an item up by id'
  TAGS ['unit']
  MOCK_API {
    "GET /items?id=42&limit=100": {"status": 200, "body": {"items": [{"id": "42", "name": "answer"}]}},
    "GET /items": {"status": 200, "body": {"items": []}}
  }
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k"};
  DECLARE found = SELECT name FROM c.items WHERE id = '42';
  ASSERT found[0].name = 'answer';
END TEST;

TEST CONNECTOR TYPE 'myservice'
  NAME 'create posts the parameters with their defaults'
  TAGS ['unit']
  MOCK_API {"POST /items": {"status": 201, "body": {"id": "99", "name": "new", "status": "active"}}}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k"};
  DECLARE created = CONNECTOR_EXEC c.items.create({"name": "new"});
  ASSERT created.id = '99';
  DECLARE sent = MOCK_REQUESTS()[0];
  ASSERT sent.method = 'POST';
  ASSERT sent.body.name = 'new';
  ASSERT sent.body.status = 'active', 'PARAMETERS default applied before the handler runs';
  ASSERT sent.headers["content-type"] = 'application/json';
END TEST;

TEST CONNECTOR TYPE 'myservice'
  NAME 'delete of a missing item is a connector error'
  TAGS ['unit', 'errors']
  MOCK_API {"DELETE /items/:id": {"status": 404, "body": {"error": "not found"}}}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k"};
  DECLARE caught = NULL;
  TRY
    CONNECTOR_EXEC c.items.delete(id => 'nope');
  CATCH connector_error
    SET caught = error.message;
  END TRY;
  ASSERT caught LIKE '%No item nope%';
  ASSERT MOCK_REQUESTS()[0].path = '/items/nope';
END TEST;

TEST CONNECTOR TYPE 'myservice'
  NAME 'a refused key is an auth error'
  TAGS ['unit', 'errors']
  MOCK_API {"GET /items": {"status": 401, "body": {"error": "unauthorized"}}}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "wrong"};
  DECLARE kind = NULL;
  TRY
    DECLARE rows = SELECT * FROM c.items;
  CATCH auth_error
    SET kind = error.kind;
  END TRY;
  ASSERT kind = 'auth_error';
END TEST;

-- The engine retries a 429 (honouring Retry-After) before the handler sees it.
TEST CONNECTOR TYPE 'myservice'
  NAME 'a 429 is retried, then the page arrives'
  TAGS ['unit', 'errors']
  MOCK_API {"GET /items": [
    {"status": 429, "headers": {"Retry-After": "0"}, "body": {"error": "slow down"}},
    {"status": 200, "body": {"items": [{"id": "1", "name": "after the wait"}]}}
  ]}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k"};
  DECLARE rows = SELECT name FROM c.items;
  ASSERT rows[0].name = 'after the wait';
  ASSERT ARRAY_LENGTH(MOCK_REQUESTS()) = 2;
END TEST;

TEST CONNECTOR TYPE 'myservice'
  NAME 'past its retries a 429 is a rate-limit error'
  TAGS ['unit', 'errors']
  MOCK_API {"GET /items": {"status": 429, "headers": {"Retry-After": "0"}, "body": {}}}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k"}
    OPTIONS {"retry_count": 1};
  DECLARE kind = NULL;
  TRY
    DECLARE rows = SELECT * FROM c.items;
  CATCH rate_limit_error
    SET kind = error.kind;
  END TRY;
  ASSERT kind = 'rate_limit_error';
  ASSERT ARRAY_LENGTH(MOCK_REQUESTS()) = 2, 'one try and one retry';
END TEST;

TEST CONNECTOR TYPE 'myservice'
  NAME 'a slow API hits the connector timeout'
  TAGS ['unit', 'errors']
  MOCK_API {"GET /items": {"status": 200, "body": {"items": []}, "delay_ms": 5000}}
BEGIN
  CREATE CONNECTOR c TYPE 'myservice' CONFIG {"api_url": "mock://", "api_key": "k"}
    OPTIONS {"timeout_seconds": 0.2};
  DECLARE kind = NULL;
  TRY
    DECLARE rows = SELECT * FROM c.items;
  CATCH timeout_error
    SET kind = error.kind;
  END TRY;
  ASSERT kind = 'timeout_error';
END TEST;
