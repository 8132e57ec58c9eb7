-- TEST blocks run from a plain script: each isolated, its verdict printed,
-- a failure failing the statement; what MOCK_API does inside one.
CREATE CONNECTOR TYPE 'svc' CONFIG_SCHEMA {"url": {"type": "string", "required": true},
                                           "key": {"type": "string", "secret": true}};
CREATE CONNECTOR ENTITY 'svc.items' FIELDS {"id": {"type": "integer"}, "name": {"type": "string"}}
  QUERY_HANDLER '''async function query(config) {
    const response = await fetch(config.url + '/items', {headers: {Authorization: 'Key ' + config.key}});
    return (await response.json()).items;
  }''';
CREATE CONNECTOR outside TYPE 'svc' CONFIG {"url": "mock://"};
DECLARE kept = 'from outside';

TEST CONNECTOR TYPE 'svc' NAME 'passes' MOCK_API {"GET /items": {"body": {"items": [{"id": 1, "name": "one"}]}}}
BEGIN
  CREATE CONNECTOR inside TYPE 'svc' CONFIG {"url": "mock://", "key": "literal-test-key"};
  DECLARE rows = SELECT name FROM inside.items;
  ASSERT rows[0].name = 'one';
  ASSERT MOCK_REQUESTS()[0].headers.authorization = 'Key literal-test-key';
  PRINT 'a test prints to the script''s output';
END TEST;

-- Nothing the test made is left.
SELECT name FROM _sluice_connectors ORDER BY name;
PRINT kept;

-- Headers, status and text bodies; responses in order, the last repeating.
TEST CONNECTOR TYPE 'svc' NAME 'responses in order'
  MOCK_API {"GET /items": [{"status": 200, "body": {"items": [{"id": 1}]}},
                           {"status": 200, "body": {"items": [{"id": 2}, {"id": 3}]}}]}
BEGIN
  CREATE CONNECTOR c TYPE 'svc' CONFIG {"url": "mock://"};
  DECLARE first = SELECT count(*) AS n FROM c.items;
  DECLARE second = SELECT count(*) AS n FROM c.items;
  DECLARE third = SELECT count(*) AS n FROM c.items;
  ASSERT first[0].n = 1;
  ASSERT second[0].n = 2;
  ASSERT third[0].n = 2;
END TEST;

TEST CONNECTOR TYPE 'svc' NAME 'skipped without its variable'
BEGIN
  PRINT ENV('SLUICE_TEST_NO_SUCH_VARIABLE');
END TEST;

-- A skip is not an error TRY can catch.
TEST CONNECTOR TYPE 'svc' NAME 'skips through TRY'
BEGIN
  TRY
    PRINT ENV('SLUICE_TEST_NO_SUCH_VARIABLE');
  CATCH
    PRINT 'never printed';
  END TRY;
END TEST;

TEST CONNECTOR TYPE 'svc' NAME 'fails' BEGIN
  ASSERT 1 + 1 = 3, 'arithmetic';
END TEST;

TEST CONNECTOR TYPE 'svc' NAME 'bad tags' TAGS 'slow' BEGIN PRINT 'x'; END TEST;
TEST CONNECTOR TYPE 'svc' NAME 'bad mock' MOCK_API {"GET /x": {"status": "ok"}} BEGIN PRINT 'x'; END TEST;
TEST CONNECTOR TYPE 'svc' NAME 'bad mock value' MOCK_API [] BEGIN PRINT 'x'; END TEST;

-- Outside a test: MOCK_REQUESTS() has nothing to read, mock:// has no table,
-- and a secret key still takes only a secret.
PRINT MOCK_REQUESTS();
SELECT * FROM outside.items;
CREATE CONNECTOR literal TYPE 'svc' CONFIG {"url": "mock://", "key": "not-a-secret"};
