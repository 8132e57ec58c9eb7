-- Values pushed to handlers are in the field's type, as SQLite compares
-- them (column affinity): a handler that applies filters exactly, as
-- "filterable" promises, returns what SQLite alone would. A value no value
-- of the field's type equals is not pushed at all, and then neither are
-- LIMIT and OFFSET.
CREATE CONNECTOR TYPE 'pd';
-- Applies equality filters exactly (===, IN lists too) and LIMIT; `asked`
-- shows what it was told.
CREATE CONNECTOR ENTITY 'pd.show'
  FIELDS {"id": {"type": "string", "primary_key": true, "filterable": true},
          "n": {"type": "integer", "filterable": true},
          "x": {"type": "number", "filterable": true},
          "b": {"type": "boolean", "filterable": true},
          "asked": {"type": "string"}}
  QUERY_HANDLER '''
function query(config, filters, options) {
  const asked = JSON.stringify({filters, conditions: options.conditions, limit: options.limit});
  const all = [{id: '5', n: 5, x: 2.5, b: true}, {id: '6', n: 6, x: 3, b: false},
               {id: 'x', n: 7, x: 4, b: true}];
  const rows = all.filter((row) => Object.entries(filters).every(
      ([k, v]) => (Array.isArray(v) ? v.includes(row[k]) : row[k] === v)));
  return rows.slice(0, options.limit).map((row) => ({...row, asked}));
}''';
CREATE CONNECTOR pd TYPE 'pd';

-- The probe: a boolean compared with 1, a text key with 5.
SELECT id, asked FROM pd.show WHERE b = 1 AND id = 5;
-- Text that is a number, for integer and number fields.
SELECT id, asked FROM pd.show WHERE n = '5';
SELECT id, asked FROM pd.show WHERE x = '2.5';
SELECT id, asked FROM pd.show WHERE n = 6.0;
SELECT id, asked FROM pd.show WHERE b = 0;
SELECT id, asked FROM pd.show WHERE b = true;
-- IN lists are converted item by item.
SELECT id, asked FROM pd.show WHERE n IN ('5', '7') ORDER BY id;
SELECT id FROM pd.show WHERE id IN (5, 6) ORDER BY id;
SELECT id FROM pd.show WHERE b IN (0) ORDER BY id;
-- Range comparisons are converted too (they reach options.conditions).
SELECT id, asked FROM pd.show WHERE n > '6';
-- A value no value of the field's type equals: not pushed, and LIMIT not
-- either; SQLite's answer stands (no rows for =, all for !=).
SELECT id, asked FROM pd.show WHERE n = 'abc' LIMIT 1;
SELECT id, asked FROM pd.show WHERE b = 2 LIMIT 1;
SELECT id, asked FROM pd.show WHERE n = 5.5;
SELECT count(*) AS all_rows FROM pd.show WHERE n != 'abc';
SELECT id, asked FROM pd.show WHERE n != 'abc' LIMIT 1;
EXPLAIN SELECT id FROM pd.show WHERE b = 2 AND id = 'x' LIMIT 1;
EXPLAIN SELECT id FROM pd.show WHERE b = 1 AND id = 5 LIMIT 1;
-- Variables are known only when the query runs: converted then, and a
-- value that matches nothing asks the handler nothing.
DECLARE five = 5;
SELECT id, asked FROM pd.show WHERE id = five;
DECLARE word = 'abc';
SELECT count(*) AS none FROM pd.show WHERE n = word;
