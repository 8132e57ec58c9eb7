-- Tests that must fail (or be skipped), each for one reason.
TEST CONNECTOR TYPE 'probe' NAME 'a failed assertion fails'
  MOCK_API {"GET /things": {"status": 200, "body": {"things": [{"id": 1, "kind": "real"}]}}}
BEGIN
  CREATE CONNECTOR p TYPE 'probe' CONFIG {"url": "mock://"};
  DECLARE rows = SELECT * FROM p.things;
  PRINT 'rows seen:', ARRAY_LENGTH(rows);
  ASSERT rows[0].kind = 'expected kind';
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'an unmatched request fails'
  MOCK_API {"GET /other": {"status": 200, "body": {}}, "POST /things": {"status": 201}}
BEGIN
  CREATE CONNECTOR p TYPE 'probe' CONFIG {"url": "mock://"};
  TRY
    DECLARE rows = SELECT * FROM p.things WHERE kind = 'k';
  CATCH
    PRINT 'the handler failed, and the test must still fail';
  END TRY;
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'a thrown handler error fails'
BEGIN
  CREATE CONNECTOR p TYPE 'probe' CONFIG {"url": "mock://"};
  CONNECTOR_EXEC p.explode();
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'a malformed MOCK_API fails'
  MOCK_API {"things": {"status": 200}}
BEGIN
  PRINT 'never runs';
END TEST;

TEST CONNECTOR TYPE 'no_such_type' NAME 'an undefined type fails'
BEGIN
  PRINT 'never runs';
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'a missing ENV variable skips'
  TAGS ['env']
BEGIN
  CREATE CONNECTOR p TYPE 'probe' CONFIG {"url": ENV('SLUICE_TEST_SURELY_UNSET_VARIABLE')};
  ASSERT FALSE, 'never reached';
END TEST;

TEST CONNECTOR TYPE 'probe' NAME 'mock:// without MOCK_API fails'
BEGIN
  CREATE CONNECTOR p TYPE 'probe' CONFIG {"url": "mock://"};
  DECLARE rows = SELECT * FROM p.things;
END TEST;
