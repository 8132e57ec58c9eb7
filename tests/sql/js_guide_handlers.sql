-- The connector guide's handlers, verbatim (guide/*.js), against the test
-- API server: query, pagination, rate limiting, caching, error handling.
CREATE SECRET guide_key FROM ENV 'TEST_SERVER_TOKEN';
CREATE CONNECTOR TYPE 'guide' CONFIG_SCHEMA {
  "api_url": {"type": "string", "required": true},
  "api_key": {"type": "string", "required": true, "secret": true}};
CREATE CONNECTOR ACTION 'guide.query' PARAMETERS {"filters": {"type": "object"}, "options": {"type": "object"}} HANDLER FILE 'guide/query.js';
CREATE CONNECTOR ACTION 'guide.paginate' PARAMETERS {"options": {"type": "object"}} HANDLER FILE 'guide/pagination.js';
CREATE CONNECTOR ACTION 'guide.rate_limited' PARAMETERS {"calls": {"type": "integer"}} HANDLER FILE 'guide/rate_limiting.js';
CREATE CONNECTOR ACTION 'guide.cached' PARAMETERS {"filters": {"type": "object"}} HANDLER FILE 'guide/caching.js';
CREATE CONNECTOR ACTION 'guide.errors' PARAMETERS {"path": {"type": "string", "required": true}} HANDLER FILE 'guide/error_handling.js';
-- The shipped example's query handler maps 401 to ConnectorAuthError.
CREATE CONNECTOR ENTITY 'guide.items' FIELDS {"id": {"type": "string", "primary_key": true}}
  QUERY_HANDLER FILE '../../examples/myservice/items.js';
CREATE CONNECTOR g TYPE 'guide' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.guide_key}}"};
-- A literal key is refused: keys are secrets.
CREATE CONNECTOR wrong_key TYPE 'guide' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "not-the-key"};
CREATE SECRET bad_key VALUE 'not-the-key-either';
CREATE CONNECTOR unauthorized TYPE 'guide' CONFIG {"api_url": ENV('TEST_SERVER_URL'), "api_key": "{{secrets.bad_key}}"};
CREATE CONNECTOR nowhere TYPE 'guide' CONFIG {"api_url": "http://127.0.0.1:1", "api_key": "{{secrets.guide_key}}"};

-- Query handler: filters and LIMIT become query parameters; dates are Dates.
DECLARE items = CONNECTOR_EXEC g.query({"filters": {"status": "active"}, "options": {"limit": 3}});
PRINT ARRAY_LENGTH(items), items[0].id, items[0].status, items[0].created_at, items[0].metadata.rank;
ASSERT ARRAY_LENGTH(items) = 3;
ASSERT items[2].status = 'active';

-- Pagination: follows next_cursor through every page (25 items, pages of 100
-- asked, the server caps pages at its limit), and stops at options.limit.
DECLARE all_items = CONNECTOR_EXEC g.paginate({});
PRINT 'all pages:', ARRAY_LENGTH(all_items), all_items[24].id;
DECLARE some = CONNECTOR_EXEC g.paginate({"options": {"limit": 7}});
PRINT 'limited:', ARRAY_LENGTH(some);

-- Rate limiter: module state (lastCall) spaces calls at least 100 ms apart,
-- and keeps doing so across calls of the action.
DECLARE limited = CONNECTOR_EXEC g.rate_limited({"calls": 4});
PRINT 'rate limited calls:', limited.calls;
ASSERT limited.smallestGap >= 100, 'calls at least minInterval apart';

-- Cache: the second identical call is answered from the handler's Map, so
-- the server sees one request, not two.
CONNECTOR_EXEC g.cached({"filters": {"k": 1}});
CONNECTOR_EXEC g.cached({"filters": {"k": 1}});
CONNECTOR_EXEC g.cached({"filters": {"k": 2}});
SHOW CONNECTOR STATS FOR g;

-- Error handling: 401, 429 and refused connections become the guide's
-- error classes, which scripts catch by kind.
TRY
  CONNECTOR_EXEC unauthorized.errors({"path": "/items"});
CATCH auth_error
  PRINT 'caught', error.kind, error.message;
END TRY;
TRY
  CONNECTOR_EXEC g.errors({"path": "/flaky/always-429?fail=100&code=429&retry_after=0"});
CATCH rate_limit_error
  PRINT 'caught', error.kind, error.message;
END TRY;
TRY
  CONNECTOR_EXEC nowhere.errors({"path": "/items"});
CATCH connection_error
  PRINT 'caught', error.kind, error.message;
END TRY;
CONNECTOR_EXEC g.errors({"path": "/status/500"});
DECLARE ok = CONNECTOR_EXEC g.errors({"path": "/items?limit=1"});
PRINT 'ok:', ARRAY_LENGTH(ok.items);

-- The key was sent, and never shown: the server echoes it back.
CREATE CONNECTOR ACTION 'guide.echo' HANDLER '''
async function execute(config) {
  const response = await fetch(config.api_url + '/echo', {headers: {Authorization: 'Bearer ' + config.api_key}});
  const echoed = await response.json();
  console.log('sent', echoed.headers.authorization);
  return echoed.headers.authorization;
}
''';
PRINT CONNECTOR_EXEC g.echo({});

-- TEST CONNECTOR: a readable verdict, and the failing check named.
TEST CONNECTOR g;
TEST CONNECTOR unauthorized;
TEST CONNECTOR nowhere;
CREATE CONNECTOR no_env TYPE 'guide' CONFIG {"api_url": "{{env.SLUICE_TEST_NO_SUCH_VARIABLE}}", "api_key": "{{secrets.guide_key}}"};
TEST CONNECTOR no_env;
