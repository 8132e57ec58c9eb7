-- EXPLAIN over connector queries shows what each handler is asked.
CREATE CONNECTOR TYPE 'gen';
CREATE CONNECTOR ENTITY 'gen.nums'
  FIELDS {"n": {"type": "integer", "filterable": true}, "label": {"type": "string", "sortable": true},
          "score": {"type": "number"}}
  QUERY_HANDLER '''async function query() { return [{n: 1, label: 'a', score: 0.5}]; }''';
CREATE CONNECTOR g TYPE 'gen';
EXPLAIN SELECT * FROM g.nums WHERE n = 3 LIMIT 10;
EXPLAIN SELECT label FROM g.nums WHERE score > 0.2 LIMIT 5;
EXPLAIN SELECT label FROM g.nums ORDER BY label LIMIT 5 OFFSET 2;
EXPLAIN SELECT a.n FROM g.nums a JOIN g.nums b ON b.n = a.n WHERE a.n IN (1, 2) ORDER BY a.score DESC;
-- Plain SQL keeps SQLite's own EXPLAIN.
EXPLAIN QUERY PLAN SELECT n FROM g.nums WHERE n = 1;
