-- Child entities (PARENT): scanned alone, a child's handler runs once per
-- parent row; joined on _parent, once per parent the join needs.
CREATE CONNECTOR TYPE 'gh';
CREATE CONNECTOR ENTITY 'gh.repos' FIELDS {"name": {"type": "string"}, "stars": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return [{name: 'alpha', stars: 5}, {name: 'beta', stars: 9}]; }''';
CREATE CONNECTOR ENTITY 'gh.issues' FIELDS {"repo": {"type": "string"}, "n": {"type": "integer"}}
  PARENT 'gh.repos'
  QUERY_HANDLER '''
async function query(config, filters, options, parent) {
  console.log('issues of', parent.name);
  return [{repo: parent.name, n: 1}, {repo: parent.name, n: 2}];
}
''';
CREATE CONNECTOR g TYPE 'gh';
SELECT repo, n FROM g.issues;
-- LIMIT counts rows of the whole scan, so it is not passed to each call.
SELECT repo, n FROM g.issues LIMIT 3;
SELECT r.name, i.n FROM g.repos r JOIN g.issues i ON i._parent = r._raw WHERE r.stars > 6;
SELECT json_extract(_parent, '$.name') AS parent, n FROM g.issues WHERE n = 2;
-- A parent met twice in one statement is asked about once.
CREATE TABLE picks (repo TEXT, why TEXT);
INSERT INTO picks VALUES ('beta', 'first'), ('beta', 'second');
SELECT p.why, i.n FROM picks p JOIN g.repos r ON r.name = p.repo JOIN g.issues i ON i._parent = r._raw ORDER BY p.why, i.n;
SHOW CONNECTOR STATS FOR g;
EXPLAIN SELECT r.name, i.n FROM g.repos r JOIN g.issues i ON i._parent = r._raw;
