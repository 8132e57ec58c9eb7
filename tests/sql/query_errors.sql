-- Live SQL over connectors: coercion and handler failures are statement
-- errors that name connector, entity, field and row; the session goes on.
CREATE CONNECTOR TYPE 'bad';
CREATE CONNECTOR ENTITY 'bad.rows' FIELDS {"n": {"type": "integer"}, "at": {"type": "timestamp"},
                                           "tags": {"type": "array"}, "ok": {"type": "boolean"}}
  QUERY_HANDLER '''
async function query(config, filters) {
  const rows = [{n: 1, at: '2026-01-01T00:00:00Z', tags: ['a'], ok: true},
                {n: 2, at: 1767225600, tags: [], ok: 0}];
  if (filters.n === 3) rows.push({n: 'three'});
  if (filters.n === 4) rows.push({n: 4, at: 'yesterday'});
  if (filters.n === 5) rows.push({n: 5, tags: 'not-a-list'});
  if (filters.n === 6) rows.push({n: 2 ** 70});
  if (filters.n === 7) rows.push({n: 7, tags: {not: 'a list'}});
  return rows;
}
''';
CREATE CONNECTOR ENTITY 'bad.fails' FIELDS {"x": {"type": "string"}}
  QUERY_HANDLER '''async function query() { throw new ConnectorAuthError('token expired'); }''';
CREATE CONNECTOR ENTITY 'bad.notrows' FIELDS {"x": {"type": "string"}}
  QUERY_HANDLER '''async function query() { return [1, 2]; }''';
CREATE CONNECTOR b TYPE 'bad';

SELECT n, at, tags, ok FROM b.rows WHERE n < 3;
SELECT n FROM b.rows WHERE n = 3;
SELECT n, at FROM b.rows WHERE n = 4;
SELECT n, tags FROM b.rows WHERE n = 5;
-- A field the query does not read is not coerced, so its bad value is no error.
SELECT n FROM b.rows WHERE n = 5;
SELECT n FROM b.rows WHERE n = 6;
-- An object arrives as its JSON text; for an array field that is still an error.
SELECT n, tags FROM b.rows WHERE n = 7;
SELECT * FROM b.fails;
TRY
  SELECT * FROM b.fails;
CATCH auth_error
  PRINT 'caught', error.kind;
END TRY;
SELECT * FROM b.notrows;
SELECT * FROM b.nosuch;
SELECT * FROM nobody.rows;
-- After all that, the connector still answers.
SELECT count(*) AS rows FROM b.rows;
