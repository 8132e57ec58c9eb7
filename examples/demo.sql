-- The demo workspace: the guide's `myservice` connector (defined by
-- examples/myservice/connector.sql, run just before this file), an
-- instance of it against a local example API (scripts/demo starts one and
-- sets MYSERVICE_URL and MYSERVICE_KEY), and a tour of what the catalog holds.

-- Credentials are secrets: stored encrypted, never printed.
CREATE OR REPLACE SECRET myservice_key FROM ENV 'MYSERVICE_KEY';

CREATE OR REPLACE CONNECTOR my_service_prod TYPE 'myservice'
  CONFIG {"api_url": ENV('MYSERVICE_URL'), "api_key": "{{secrets.myservice_key}}"}
  OPTIONS {"rate_limit": 10, "timeout_seconds": 30, "retry_count": 3};

PRINT '== is the API there, and does it take our key?';
TEST CONNECTOR my_service_prod;

PRINT '';
PRINT '== actions run JavaScript handlers (examples/myservice/*.js)';
DECLARE created = CONNECTOR_EXEC my_service_prod.items.create({"name": "Made by the demo"});
PRINT 'created item', created.id, '-', created.name, '(' || created.status || ')';
CONNECTOR_EXEC my_service_prod.items.delete(id => created.id);
SHOW CONNECTOR STATS;

PRINT '';

PRINT '== connector types';
SHOW CONNECTOR TYPES;

PRINT '';
PRINT '== the myservice type';
DESCRIBE CONNECTOR TYPE 'myservice';

PRINT '';
PRINT '== an entity';
DESCRIBE ENTITY 'myservice.items';

PRINT '';
PRINT '== the connector (its key is a reference to a secret)';
DESCRIBE CONNECTOR my_service_prod;
SHOW SECRETS;

-- Scripts: variables, local tables and SQL with variables bound.
PRINT '';
PRINT '== scripting';
CREATE TABLE IF NOT EXISTS demo_notes (id INTEGER PRIMARY KEY, note TEXT, created_at TEXT);
DELETE FROM demo_notes;
DECLARE now = CURRENT_TIMESTAMP();
INSERT INTO demo_notes (note, created_at) VALUES ('defined myservice from files', now);
DECLARE notes = SELECT note, created_at FROM demo_notes;
ASSERT ARRAY_LENGTH(notes) = 1, 'one note stored';
PRINT 'notes stored:', ARRAY_LENGTH(notes), '- first:', notes[0].note;

-- Live SQL over the connector: WHERE and LIMIT go to the handler where
-- that cannot change the answer, and SQLite checks every row anyway.
PRINT '';
PRINT '== live SQL over the API';
SELECT id, name, status, created_at FROM my_service_prod.items WHERE status = 'active' LIMIT 3;
SELECT status, count(*) AS items FROM my_service_prod.items GROUP BY status;
SELECT n.note, i.name FROM demo_notes n JOIN my_service_prod.items i ON i.id = '1';

-- Sync: the API's items into a table of the workspace, then again
-- incrementally — the handler is asked only for what changed since the
-- mark kept with the rows (options.cursor → ?updated_since=).
PRINT '';
PRINT '== sync into the workspace';
SYNC CONNECTOR my_service_prod FULL;
DECLARE later = CONNECTOR_EXEC my_service_prod.items.create({"name": "Made after the first sync"});
SYNC CONNECTOR my_service_prod;
PRINT '';
PRINT '== the synced table, queried like any other';
SELECT status, count(*) AS items FROM my_service_prod_items GROUP BY status;
SELECT id, name, updated_at, _sluice_source FROM my_service_prod_items ORDER BY updated_at DESC LIMIT 3;
DECLARE runs = SELECT mode, rows_written FROM _sluice_sync_runs ORDER BY id;
ASSERT ARRAY_LENGTH(runs) = 2 AND runs[1].rows_written = 1, 'the incremental run wrote only the new item';

-- A table integration: a CloudQuery-style JavaScript source plugin, run in
-- Sluice's own runtime. Its multiplexer resolves three accounts at once,
-- and each repo's issues (a child table) as its row arrives.
PRINT '';
PRINT '== a table integration (examples/integrations/forge)';
CREATE OR REPLACE CONNECTOR TYPE 'forge' FROM INTEGRATION 'integrations/forge';
CREATE OR REPLACE CONNECTOR forge TYPE 'forge'
  CONFIG {"base_url": ENV('MYSERVICE_URL'), "token": "{{secrets.myservice_key}}",
          "accounts": ["acme", "globex", "initech"]};
SELECT account, count(*) AS repos, sum(stars) AS stars FROM forge.forge_repos GROUP BY account;
SYNC CONNECTOR forge;
SELECT r.full_name, count(i.id) AS issues, sum(i.state = 'open') AS open
FROM forge_forge_repos r LEFT JOIN forge_forge_issues i ON i.repo_id = r.id
GROUP BY r.full_name ORDER BY issues DESC LIMIT 3;
