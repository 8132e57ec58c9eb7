-- An OFFSET belongs to the whole of a compound SELECT, not to each arm:
-- SQLite 3.40 offers it to each arm's virtual table without its LIMIT, and
-- an arm that consumed it skipped rows of its own (9 10 1 came back as
-- 9 10 9, and 12 rows as 4).
CREATE CONNECTOR TYPE 'cmp';
CREATE CONNECTOR ENTITY 'cmp.nums'
  FIELDS {"n": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query() { return Array.from({length: 10}, (_, i) => ({n: i + 1})); }''';
CREATE CONNECTOR ENTITY 'cmp.paged'
  FIELDS {"n": {"type": "integer", "primary_key": true}}
  PUSHDOWN OFFSET
  QUERY_HANDLER '''
function query(config, filters, options) {
  const from = options.offset ?? 0;
  const all = Array.from({length: 10}, (_, i) => ({n: i + 1}));
  return all.slice(from, options.limit === undefined ? undefined : from + options.limit);
}''';
CREATE CONNECTOR cmp TYPE 'cmp';

SELECT n FROM cmp.nums UNION ALL SELECT n FROM cmp.nums LIMIT 3 OFFSET 8;
SELECT count(*) AS twelve FROM (SELECT n FROM cmp.nums UNION ALL SELECT n FROM cmp.nums LIMIT 100 OFFSET 8);
SELECT n FROM cmp.paged UNION ALL SELECT n FROM cmp.paged LIMIT 3 OFFSET 8;
SELECT n FROM cmp.nums UNION ALL SELECT n FROM cmp.paged LIMIT -1 OFFSET 18;
-- A plain SELECT still hands the OFFSET on (EXPLAIN shows who applies it).
EXPLAIN SELECT n FROM cmp.paged LIMIT 3 OFFSET 8;
