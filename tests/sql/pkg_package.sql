-- PACKAGE refuses, with the reason, what cannot be a package; nothing here
-- writes a file (the successful paths are tests/cli/pkg_build_*.sh).
CREATE CONNECTOR TYPE 'svc' DESCRIPTION 'Ünïcode ''svc''' VERSION '0.1.0'
  CONFIG_SCHEMA {"url": {"type": "string"}};
CREATE CONNECTOR ENTITY 'svc.items' FIELDS {"id": {"type": "string", "primary_key": true}}
  QUERY_HANDLER '''async function query() { return [{id: "a"}]; }''';

PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0' LICENSE 'MIT' TO 'never';
PACKAGE CONNECTOR TYPE 'svc' VERSION '01.0.0' LICENSE 'MIT' TO 'never';
PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' LICENSE 'mit' TO 'never';
PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' LICENSE 'MIT AND' TO 'never';
PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' TO 'never';
PACKAGE CONNECTOR TYPE 'ghost' VERSION '1.0.0' LICENSE 'MIT' TO 'never';

-- A test that passes is recorded; once the handler breaks, the type cannot be packaged.
TEST CONNECTOR TYPE 'svc' NAME 'returns one item'
BEGIN
  CREATE CONNECTOR c TYPE 'svc' CONFIG {"url": "x"};
  DECLARE rows = SELECT * FROM c.items;
  ASSERT ARRAY_LENGTH(rows) = 1;
END TEST;
CREATE OR REPLACE CONNECTOR ENTITY 'svc.items' FIELDS {"id": {"type": "string", "primary_key": true}}
  QUERY_HANDLER '''async function query() { return []; }''';
PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' LICENSE 'MIT' TO 'never';
