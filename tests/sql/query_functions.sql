-- WHERE forms of DESIGN.md §3 in SQL: CONTAINS, NOW(), INTERVAL arithmetic.
CREATE TABLE ev (name TEXT, at TEXT, tags TEXT);
INSERT INTO ev VALUES ('old', '2020-01-01T00:00:00Z', '["bug","ui"]'),
                      ('recent', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hours'), '["feature", 7]');
SELECT name FROM ev WHERE at > NOW() - INTERVAL '7d';
SELECT name FROM ev WHERE tags CONTAINS 'bug';
SELECT name FROM ev WHERE tags CONTAINS 7 AND NOT tags CONTAINS 'bug';
SELECT '2026-01-08T00:00:00Z' - INTERVAL '7 days' AS week_before, ('2026-01-01T00:00:00Z') + INTERVAL '36h' AS later;
DECLARE since = '2019-12-31T00:00:00Z';
SELECT count(*) AS n FROM ev WHERE at >= since + INTERVAL '1d' - INTERVAL '1 day';
-- Over a connector, the handler is told the computed bound.
CREATE CONNECTOR TYPE 'gh';
CREATE CONNECTOR ENTITY 'gh.issues'
  FIELDS {"n": {"type": "integer"}, "labels": {"type": "array"}, "at": {"type": "timestamp"}}
  QUERY_HANDLER '''
async function query(config, filters, options) {
  console.log('asked:', options.conditions.map(c => c.field + ' ' + c.op).join(', '));
  return [{n: 1, labels: ['bug'], at: new Date()}, {n: 2, labels: ['bug'], at: new Date(0)}, {n: 3, labels: []}];
}
''';
CREATE CONNECTOR g TYPE 'gh';
SELECT n FROM g.issues WHERE labels CONTAINS 'bug' AND at > NOW() - INTERVAL '1 day';
-- Errors
SELECT 1 - INTERVAL '1d';
SELECT NOW() - INTERVAL 'a fortnight';
SELECT 'not a time' - INTERVAL '1d';
