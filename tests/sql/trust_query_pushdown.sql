-- Pushdown never changes a result (issue 13, defects 9–12): OFFSET, LIMIT -1,
-- non-binary collations and rowid, against handlers that ignore what they
-- are told and one that applies it.
CREATE CONNECTOR TYPE 'pd';
-- Ignores filters and options, as every handler in the guide does with
-- OFFSET; `asked` shows what it was told.
CREATE CONNECTOR ENTITY 'pd.nums'
  FIELDS {"n": {"type": "integer", "primary_key": true, "filterable": true},
          "asked": {"type": "string"}}
  QUERY_HANDLER '''
function query(config, filters, options) {
  const asked = JSON.stringify({limit: options.limit, offset: options.offset});
  return Array.from({length: 10}, (_, i) => ({n: i + 1, asked}));
}''';
-- Declares and applies OFFSET (and LIMIT) itself.
CREATE CONNECTOR ENTITY 'pd.paged'
  FIELDS {"n": {"type": "integer", "primary_key": true}, "asked": {"type": "string"}}
  PUSHDOWN OFFSET
  QUERY_HANDLER '''
function query(config, filters, options) {
  const asked = JSON.stringify({limit: options.limit, offset: options.offset});
  const all = Array.from({length: 10}, (_, i) => ({n: i + 1, asked}));
  const from = options.offset ?? 0;
  return all.slice(from, options.limit === undefined ? undefined : from + options.limit);
}''';
-- Applies equality filters exactly (as JSON compares), with a text key.
CREATE CONNECTOR ENTITY 'pd.tickets'
  FIELDS {"id": {"type": "string", "primary_key": true, "filterable": true},
          "status": {"type": "string", "filterable": true}}
  QUERY_HANDLER '''
function query(config, filters) {
  const all = Array.from({length: 40}, (_, i) => ({id: 't' + (i + 1), status: i % 2 ? 'closed' : 'open'}));
  return all.filter((row) => Object.entries(filters).every(([k, v]) => (Array.isArray(v) ? v.includes(row[k]) : row[k] === v)));
}''';
CREATE CONNECTOR ENTITY 'pd.nokey'
  FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''function query() { return [{n: 1}, {n: 2}]; }''';
CREATE CONNECTOR pd TYPE 'pd';

-- 9. OFFSET over a handler that ignores it: the engine skips, and asks
-- for LIMIT + OFFSET rows. Same answer as with nothing pushed.
SELECT n, asked FROM pd.nums LIMIT 3 OFFSET 5;
SELECT n FROM (SELECT n FROM pd.nums ORDER BY n + 0) LIMIT 3 OFFSET 5;
EXPLAIN SELECT n FROM pd.nums LIMIT 3 OFFSET 5;
-- An OFFSET past the end: nothing.
SELECT count(*) AS none FROM (SELECT n FROM pd.nums LIMIT 3 OFFSET 50);
-- With an equality filter too (still safe to push).
SELECT n, asked FROM pd.nums WHERE n = 9 LIMIT 1 OFFSET 0;
-- The handler that declared PUSHDOWN OFFSET gets it, and applies it.
SELECT n, asked FROM pd.paged LIMIT 3 OFFSET 5;
EXPLAIN SELECT n FROM pd.paged LIMIT 3 OFFSET 5;
DESCRIBE ENTITY 'pd.paged';

-- 10. LIMIT -1 is SQLite's "no limit": no limit is passed.
SELECT n, asked FROM pd.nums LIMIT -1 OFFSET 8;
SELECT n, asked FROM pd.paged LIMIT -1 OFFSET 8;
SELECT n, asked FROM pd.paged LIMIT -5;

-- 11. A non-binary collation is never pushed: SQLite alone checks it.
SELECT count(*) AS open_nocase FROM pd.tickets WHERE status = 'OPEN' COLLATE NOCASE;
SELECT count(*) AS open_binary FROM pd.tickets WHERE status = 'OPEN';
SELECT count(*) AS open_exact FROM pd.tickets WHERE status = 'open';
SELECT id FROM pd.tickets WHERE id = 'T3' COLLATE NOCASE;
SELECT id FROM pd.tickets WHERE id COLLATE NOCASE IN ('T5', 't7') ORDER BY id;
SELECT id FROM pd.tickets WHERE id IN ('T5', 't7') ORDER BY id;
EXPLAIN SELECT id FROM pd.tickets WHERE status = 'OPEN' COLLATE NOCASE LIMIT 2;

-- 12. rowid comes from the primary key, whatever was pushed.
SELECT rowid, n FROM pd.nums WHERE n = 7;
SELECT rowid, n FROM pd.nums LIMIT 1 OFFSET 6;
SELECT rowid, n FROM pd.paged LIMIT 1 OFFSET 6;
SELECT (SELECT rowid FROM pd.tickets WHERE id = 't7') = (SELECT rowid FROM pd.tickets LIMIT 1 OFFSET 6)
  AS same_rowid;
SELECT (SELECT rowid FROM pd.tickets WHERE id = 't7') = (SELECT rowid FROM pd.tickets WHERE id = 't8')
  AS collides;
SELECT rowid FROM pd.nokey;
