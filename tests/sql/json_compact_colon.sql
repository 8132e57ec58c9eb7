-- Compact JSON (no space after a key's colon) is JSON, not a SQL
-- parameter: `{"a":true}` once failed with "expected ':', found ':true'".
DECLARE flags = {"on":true, "off":false, "none":null, "n":1, 'single':"x"};
PRINT flags;
DECLARE x = 41;
DECLARE computed = {"next":x + 1};
PRINT computed.next;
CREATE CONNECTOR TYPE 'compact' CONFIG_SCHEMA {"flag":{"type":"boolean"}};
CREATE CONNECTOR compact_one TYPE 'compact' CONFIG {"flag":true};
SELECT name, config FROM _sluice_connectors WHERE name = 'compact_one';
