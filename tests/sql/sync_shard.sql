-- SYNC … SHARD i/N: a shard that gets none of the statement's units (a
-- parent with its child is one unit) says so and writes nothing; an unknown
-- connector or entity fails as without SHARD. The clause's parse errors are
-- src/lang/parser_test.cc's; the union of shards against a plain sync is
-- tests/cli/sync_shards.sh (a successful summary has timings).
CREATE CONNECTOR TYPE 'sh';
CREATE CONNECTOR ENTITY 'sh.one' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query() { return [{id: 1}]; }''';
CREATE CONNECTOR ENTITY 'sh.kid' FIELDS {"id": {"type": "integer", "primary_key": true}}
  PARENT 'sh.one' QUERY_HANDLER '''function query() { return [{id: 2}]; }''';
CREATE CONNECTOR c TYPE 'sh';
-- c.one (with its child) is one unit, in shard 319 of 1000 by the stable hash.
SYNC CONNECTOR c.one SHARD 1/1000;
SYNC CONNECTOR c ENTITIES (one, kid) FULL SHARD 1000/1000;
SELECT count(*) AS tables FROM sqlite_master WHERE name LIKE 'c\_%' ESCAPE '\';
SELECT count(*) AS runs FROM _sluice_sync_runs;
SYNC CONNECTOR nope SHARD 1/2;
SYNC CONNECTOR c.nope SHARD 1/2;
SELECT count(*) AS tables FROM sqlite_master WHERE name LIKE 'c\_%' ESCAPE '\';
