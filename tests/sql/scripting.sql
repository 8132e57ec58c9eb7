-- Variables, expressions, control flow and SQL with variables bound.

DECLARE n = 2 + 3 * 4;
DECLARE greeting = 'hello' || ', ' || 'world';
DECLARE doc = {"name": "x", "tags": ["a", "b"], "nested": {"k": [1, 2, {"deep": true}]}};
PRINT n, greeting;
PRINT doc.tags[1], doc.nested.k[2].deep, doc.missing, doc.tags[9];
PRINT 7 / 2, 7.0 / 2, 7 % 3, -n;
PRINT NULL = NULL, NULL IS NULL, 1 IN (1, NULL), 2 IN (1, NULL), 3 NOT IN (1, 2);
PRINT doc.tags CONTAINS 'b', 'abc' LIKE 'A%', TRUE AND NULL, FALSE AND NULL, TRUE OR NULL;
PRINT CURRENT_TIMESTAMP() LIKE '____-__-__T__:__:__Z';
PRINT DATE_ADD('2026-01-01T00:00:00Z', INTERVAL '1 day 2 hours'), '2026-01-08T00:00:00Z' - INTERVAL '7d';
PRINT UPPER(SUBSTR('sluice', 1, 3)), ARRAY_LENGTH(SPLIT('a,b,c', ',')), COALESCE(NULL, 'x');

SET n = n + 1;
PRINT n;
SET undeclared = 1;
PRINT nosuch;
PRINT 1 / 0;
PRINT 'a' + 1;
PRINT 9223372036854775807 + 1;
PRINT NOSUCHFUNC(1);
PRINT ARRAY_LENGTH('not an array');

IF n > 100 THEN
  PRINT 'big';
ELSIF n > 10 THEN
  PRINT 'medium', n;
ELSE
  PRINT 'small';
END IF;

-- Blocks scope their variables.
IF TRUE THEN
  DECLARE inner_only = 1;
  SET n = 0;
END IF;
PRINT n;
PRINT inner_only;

FOR tag IN doc.tags LOOP
  PRINT 'tag', tag;
END LOOP;

CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, age INTEGER);
INSERT INTO people (name, age) VALUES ('ada', 36), ('alan', 41), ('grace', 85);
DECLARE min_age = 40;
FOR person IN (SELECT name, age FROM people WHERE age > min_age ORDER BY age) LOOP
  PRINT person.name, person.age;
END LOOP;

-- Variables bind as parameters, so quotes in values are data, not SQL.
DECLARE evil = 'x''); DROP TABLE people; --';
INSERT INTO people (name, age) VALUES (evil, 1);
DECLARE everyone = SELECT name FROM people ORDER BY id;
PRINT ARRAY_LENGTH(everyone), everyone[3].name;
DECLARE filter = {"min": 80};
SELECT name FROM people WHERE age > filter.min;
SELECT count(*) AS n FROM people WHERE name IN (SELECT name FROM people WHERE age < 40);
PRINT 'ada' IN (SELECT name FROM people);

ASSERT ARRAY_LENGTH(everyone) = 4;
ASSERT ARRAY_LENGTH(everyone) = 3;
ASSERT everyone[0].name = 'ada', 'first is ada';
ASSERT everyone[0].name = 'grace', 'first is grace';
ASSERT everyone[0].nosuch IS NOT NULL;
ASSERT n > 10;

TRY
  ASSERT 1 = 2, 'inside try';
  PRINT 'not reached';
CATCH connector_error
  PRINT 'wrong handler';
CATCH assertion_error
  PRINT 'caught', error.kind;
END TRY;

TRY
  SELECT * FROM no_such_table;
CATCH
  PRINT 'caught', error.kind, error.message;
END TRY;

-- A CATCH that does not match lets the error through.
TRY
  PRINT 1 / 0;
CATCH auth_error
  PRINT 'not this one';
END TRY;
