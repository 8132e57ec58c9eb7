-- Tests of the forge integration against mocked APIs. The integration is
-- written against the CloudQuery JavaScript SDK and runs unchanged in
-- Sluice; tests/cli/integration_compat.sh checks its rows against the SDK's.

TEST CONNECTOR TYPE 'forge'
  NAME 'repos of each account, then the issues of each repo'
  TAGS ['unit']
  MOCK_API {
    "GET /forge/accounts/acme/repos?page=1": {"status": 200, "body": {"next_page": 2, "repos": [
      {"id": 1, "name": "repo-1", "full_name": "acme/repo-1", "account": "acme", "private": false, "stars": 10,
       "score": 4.5, "created_at": "2025-01-01T00:00:00Z", "topics": ["cli", "sql"],
       "owner": {"login": "acme", "id": 7}, "license": {"key": "mit", "name": "MIT License"}}]}},
    "GET /forge/accounts/acme/repos?page=2": {"status": 200, "body": {"next_page": null, "repos": [
      {"id": 2, "name": "repo-2", "full_name": "acme/repo-2", "account": "acme", "private": true, "stars": 0,
       "score": 0.25, "created_at": "2025-01-02T00:00:00Z", "topics": [], "owner": {"login": "acme", "id": 7},
       "license": null}]}},
    "GET /forge/accounts/globex/repos": {"status": 200, "body": {"next_page": null, "repos": [
      {"id": 3, "name": "repo-1", "full_name": "globex/repo-1", "account": "globex", "private": false, "stars": 3,
       "score": 1.0, "created_at": "2025-01-03T00:00:00Z", "topics": ["api"], "owner": {"login": "globex", "id": 8},
       "license": null}]}},
    "GET /forge/repos/1/issues": {"status": 200, "body": {"next_page": null, "issues": [
      {"id": 101, "number": 1, "title": "Crash", "state": "open", "labels": [{"name": "bug"}, {"name": "p1"}],
       "created_at": "2025-02-01T00:00:00Z", "closed_at": null, "author": {"login": "ann"}, "comments": 2},
      {"id": 102, "number": 2, "title": "Docs", "state": "closed", "labels": [],
       "created_at": "2025-02-02T00:00:00Z", "closed_at": "2025-02-03T00:00:00Z", "author": {"login": "bob"}, "comments": 0}]}},
    "GET /forge/repos/2/issues": {"status": 200, "body": {"next_page": null, "issues": []}},
    "GET /forge/repos/3/issues": {"status": 200, "body": {"next_page": null, "issues": [
      {"id": 301, "number": 1, "title": "Slow", "state": "open", "labels": [{"name": "perf"}],
       "created_at": "2025-02-04T00:00:00Z", "closed_at": null, "author": {"login": "cy"}, "comments": 5}]}}
  }
BEGIN
  CREATE CONNECTOR f TYPE 'forge' CONFIG {"base_url": "mock://", "token": "test-token", "accounts": ["acme", "globex"]};
  DECLARE repos = SELECT id, full_name, private, stars, score, topics, license, owner_login
                  FROM f.forge_repos ORDER BY id;
  ASSERT ARRAY_LENGTH(repos) = 3;
  ASSERT repos[0].full_name = 'acme/repo-1';
  ASSERT repos[0].owner_login = 'acme';
  ASSERT repos[0].license LIKE '%"key":"mit"%';
  ASSERT repos[1].license IS NULL;
  ASSERT repos[2].full_name = 'globex/repo-1';
  DECLARE issues = SELECT id, repo_id, labels, state_upper, author, closed_at FROM f.forge_issues ORDER BY id;
  ASSERT ARRAY_LENGTH(issues) = 3;
  ASSERT issues[0].repo_id = 1;
  ASSERT issues[0].labels = '["bug","p1"]';
  ASSERT issues[0].state_upper = 'OPEN';
  ASSERT issues[1].closed_at = '2025-02-03T00:00:00Z';
  ASSERT issues[2].repo_id = 3;
  ASSERT issues[2].author = 'cy';
  DECLARE sent = MOCK_REQUESTS();
  ASSERT sent[0].headers.authorization = 'Bearer test-token';
END TEST;

TEST CONNECTOR TYPE 'forge'
  NAME 'a sync writes both tables, keyed'
  TAGS ['unit', 'sync']
  MOCK_API {
    "GET /forge/accounts/acme/repos": {"status": 200, "body": {"next_page": null, "repos": [
      {"id": 1, "name": "a", "full_name": "acme/a", "account": "acme", "private": false, "stars": 1, "score": 1.5,
       "created_at": "2025-01-01T00:00:00Z", "topics": [], "owner": {"login": "acme", "id": 7}, "license": null},
      {"id": 2, "name": "b", "full_name": "acme/b", "account": "acme", "private": false, "stars": 2, "score": 2.5,
       "created_at": "2025-01-01T00:00:00Z", "topics": [], "owner": {"login": "acme", "id": 7}, "license": null}]}},
    "GET /forge/repos/:id/issues": {"status": 200, "body": {"next_page": null, "issues": [
      {"id": 9, "number": 1, "title": "t", "state": "open", "labels": [], "created_at": "2025-02-01T00:00:00Z",
       "closed_at": null, "author": {"login": "ann"}, "comments": 0}]}}
  }
BEGIN
  CREATE CONNECTOR f TYPE 'forge' CONFIG {"base_url": "mock://", "token": "t", "accounts": ["acme"]};
  SYNC CONNECTOR f;
  DECLARE synced = SELECT (SELECT count(*) FROM f_forge_repos) AS repos, (SELECT count(*) FROM f_forge_issues) AS issues;
  ASSERT synced[0].repos = 2;
  -- Both repos return the same issue id 9: one row, keyed.
  ASSERT synced[0].issues = 1;
  -- (Into a workspace file, the two tables come from one resolution, each
  -- repo fetched once: tests/cli/integrations.sh checks that. A test's
  -- workspace is in memory, where the tables sync one after the other.)
END TEST;

TEST CONNECTOR TYPE 'forge'
  NAME 'an account the API refuses fails the query, naming table and request'
  TAGS ['unit', 'errors']
  MOCK_API {
    "GET /forge/accounts/acme/repos": {"status": 200, "body": {"next_page": null, "repos": []}},
    "GET /forge/accounts/nope/repos": {"status": 404, "body": {"error": "unknown account: nope"}}
  }
BEGIN
  CREATE CONNECTOR f TYPE 'forge' CONFIG {"base_url": "mock://", "token": "t", "accounts": ["acme", "nope"]};
  DECLARE caught = NULL;
  TRY
    SELECT * FROM f.forge_repos;
  CATCH connector_error
    SET caught = error.message;
  END TRY;
  ASSERT caught LIKE '%table forge_repos (client forge:nope)%';
  ASSERT caught LIKE '%HTTP 404%unknown account: nope%';
END TEST;

TEST CONNECTOR TYPE 'forge'
  NAME 'CONFIG is checked against the plugin''s JSON schema'
  TAGS ['unit', 'errors']
BEGIN
  DECLARE caught = NULL;
  TRY
    CREATE CONNECTOR f TYPE 'forge' CONFIG {"base_url": "mock://", "accounts": "acme"};
  CATCH
    SET caught = error.message;
  END TRY;
  ASSERT caught LIKE '%JSON schema%/accounts%';
END TEST;
