-- Tests of the sheets integration, whose tables come from the API's own
-- schema (GET /sheets/meta) when a connector starts.

TEST CONNECTOR TYPE 'sheets'
  NAME 'tables and column types come from the remote schema'
  TAGS ['unit']
  MOCK_API {
    "GET /sheets/meta": {"status": 200, "body": {"tables": [
      {"name": "Team Members", "primary_field": "id", "fields": [
        {"name": "id", "type": "autoNumber"}, {"name": "Full Name", "type": "singleLineText"},
        {"name": "rate", "type": "number", "options": {"precision": 2}}, {"name": "active", "type": "checkbox"},
        {"name": "joined", "type": "dateTime"}, {"name": "skills", "type": "multipleSelects"}]}]}},
    "GET /sheets/tables/Team%20Members/records": [
      {"status": 200, "body": {"offset": "page2", "records": [
        {"id": "rec1", "created_time": "2025-01-01T00:00:00.000Z",
         "fields": {"id": 1, "Full Name": "Ann", "rate": 10.5, "active": true, "joined": "2025-01-02T03:04:05.000Z", "skills": ["sql"]}}]}},
      {"status": 200, "body": {"records": [
        {"id": "rec2", "created_time": "2025-01-01T00:00:00.000Z", "fields": {"id": 2, "Full Name": "Bo"}}]}}
    ]
  }
BEGIN
  CREATE CONNECTOR s TYPE 'sheets' CONFIG {"base_url": "mock://", "token": "t"};
  DECLARE rows = SELECT id, full_name, rate, active, joined, skills FROM s.sheets_team_members ORDER BY id;
  ASSERT ARRAY_LENGTH(rows) = 2;
  ASSERT rows[0].full_name = 'Ann';
  ASSERT rows[0].rate = 10.5;
  ASSERT rows[0].active = 1;
  ASSERT rows[0].joined = '2025-01-02T03:04:05Z';
  ASSERT rows[1].rate IS NULL;
  DECLARE sent = MOCK_REQUESTS();
  ASSERT sent[2].query.offset = 'page2';
END TEST;

TEST CONNECTOR TYPE 'sheets'
  NAME 'a table the remote schema does not list is not there'
  TAGS ['unit', 'errors']
  MOCK_API {"GET /sheets/meta": {"status": 200, "body": {"tables": []}}}
BEGIN
  CREATE CONNECTOR s TYPE 'sheets' CONFIG {"base_url": "mock://", "token": "t"};
  DECLARE caught = NULL;
  TRY
    SELECT * FROM s.sheets_contacts;
  CATCH
    SET caught = error.message;
  END TRY;
  ASSERT caught LIKE '%no table ''sheets_contacts''%';
END TEST;

TEST CONNECTOR TYPE 'sheets'
  NAME 'a value of the wrong type names table, column and row'
  TAGS ['unit', 'errors']
  MOCK_API {
    "GET /sheets/meta": {"status": 200, "body": {"tables": [
      {"name": "t", "primary_field": "id", "fields": [{"name": "id", "type": "autoNumber"}]}]}},
    "GET /sheets/tables/t/records": {"status": 200, "body": {"records": [
      {"id": "rec1", "fields": {"id": 1}}, {"id": "rec2", "fields": {"id": "two"}}]}}
  }
BEGIN
  CREATE CONNECTOR s TYPE 'sheets' CONFIG {"base_url": "mock://", "token": "t"};
  DECLARE caught = NULL;
  TRY
    SELECT * FROM s.sheets_t;
  CATCH
    SET caught = error.message;
  END TRY;
  PRINT caught;
  ASSERT caught LIKE '%table sheets_t%column id%row 2%"two"%Int64%';
END TEST;
