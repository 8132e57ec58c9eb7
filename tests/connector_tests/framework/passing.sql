-- Tests that must pass. The first two run in this order: the second proves
-- that nothing the first made reached it.
TEST CONNECTOR TYPE 'probe' NAME 'makes a connector, a secret and a variable'
BEGIN
  CREATE SECRET probe_token VALUE 'tok-abc-123';
  CREATE CONNECTOR leaky TYPE 'probe' CONFIG {"url": "mock://", "token": "{{secrets.probe_token}}"};
  DECLARE left_behind = 'yes';
  DECLARE first = CONNECTOR_EXEC leaky.count();
  DECLARE second = CONNECTOR_EXEC leaky.count();
  ASSERT second.calls = 2;
  DECLARE mine = SELECT count(*) AS n FROM _sluice_connectors WHERE name = 'leaky';
  ASSERT mine[0].n = 1;
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'sees none of it'
BEGIN
  DECLARE connectors = SELECT count(*) AS n FROM _sluice_connectors;
  ASSERT connectors[0].n = 0, 'no connector from the test before';
  DECLARE secrets = SELECT count(*) AS n FROM _sluice_secrets;
  ASSERT secrets[0].n = 0, 'no secret from the test before';
  DECLARE types = SELECT count(*) AS n FROM _sluice_connector_types WHERE name = 'probe';
  ASSERT types[0].n = 1, 'the definitions it tests are there';
  CREATE CONNECTOR leaky TYPE 'probe' CONFIG {"url": "mock://"};
  DECLARE again = CONNECTOR_EXEC leaky.count();
  ASSERT again.calls = 1, 'handler module state starts afresh';
  DECLARE leaked = TRUE;
  TRY
    PRINT left_behind;
  CATCH
    SET leaked = FALSE;
  END TRY;
  ASSERT NOT leaked, 'no variable from the test before';
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'records what was sent'
  TAGS ['mock']
  MOCK_API {"GET /things": {"status": 200, "body": {"things": [{"id": 1, "kind": "a"}]}},
            "GET /things/:id": {"status": 200, "body": {"id": 5}}}
BEGIN
  CREATE CONNECTOR p TYPE 'probe' CONFIG {"url": "https://api.example.invalid", "token": "t-1"};
  DECLARE rows = SELECT * FROM p.things WHERE kind = 'a b&c';
  DECLARE one = CONNECTOR_EXEC p.lookup(id => '5');
  ASSERT one.id = 5;
  DECLARE sent = MOCK_REQUESTS();
  ASSERT ARRAY_LENGTH(sent) = 2;
  ASSERT sent[0].url = 'https://api.example.invalid/things?kind=a%20b%26c', 'any host is answered by the mock';
  ASSERT sent[0].query.kind = 'a b&c';
  ASSERT sent[0].headers["x-token"] = 't-1';
  ASSERT sent[1].path = '/things/5';
  ASSERT sent[1].query.full = '1';
  ASSERT sent[1].matched;
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'two connectors share one mock'
  TAGS ['mock']
  MOCK_API {"GET /things": {"status": 200, "body": {"things": [{"id": 1, "kind": "x"}]}}}
BEGIN
  CREATE CONNECTOR one TYPE 'probe' CONFIG {"url": "mock://"};
  CREATE CONNECTOR two TYPE 'probe' CONFIG {"url": "mock://"};
  DECLARE joined = SELECT count(*) AS n FROM one.things a JOIN two.things b ON a.id = b.id;
  ASSERT joined[0].n = 1;
  ASSERT ARRAY_LENGTH(MOCK_REQUESTS()) = 2;
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'ENV with a default does not skip'
  TAGS ['env']
BEGIN
  ASSERT ENV('SLUICE_TEST_SURELY_UNSET_VARIABLE', 'fallback') = 'fallback';
END TEST;
