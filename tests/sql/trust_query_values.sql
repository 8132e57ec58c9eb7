-- Invalid values are errors, never silent NULLs; `required` is enforced and
-- shown; reserved field names are refused (issue 13, defects 14 and 23).
CREATE CONNECTOR TYPE 'v';
CREATE CONNECTOR ENTITY 'v.events'
  FIELDS {"id": {"type": "integer", "primary_key": true},
          "at": {"type": "timestamp"},
          "day": {"type": "date"},
          "owner": {"type": "string", "required": true}}
  QUERY_HANDLER '''
function query(config, filters) {
  const rows = [{id: 1, at: new Date(0), day: new Date(86400000), owner: 'ann'}];
  if (filters.id === 2) rows.push({id: 2, at: new Date('garbage'), owner: 'bob'});
  if (filters.id === 3) rows.push({id: 3, day: new Date('garbage'), owner: 'cy'});
  if (filters.id === 4) rows.push({id: 4});
  if (filters.id === 5) rows.push({id: 5, owner: null});
  return rows;
}''';
CREATE CONNECTOR v TYPE 'v';
SELECT id, at, day, owner FROM v.events;
-- new Date('garbage') in a timestamp or date field: an error naming it all.
SELECT id, at FROM v.events WHERE id = 2;
SELECT id, day FROM v.events WHERE id = 3;
-- A required field missing, or null.
SELECT id, owner FROM v.events WHERE id = 4;
SELECT id, owner FROM v.events WHERE id = 5;
-- Not read, not checked (the field may not even have been fetched).
SELECT id FROM v.events WHERE id = 4;
DESCRIBE ENTITY 'v.events';

-- 23. Reserved column names are refused at CREATE, naming the field.
CREATE CONNECTOR ENTITY 'v.bad1' FIELDS {"id": {"type": "integer"}, "_sluice_source": {"type": "string"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR ENTITY 'v.bad2' FIELDS {"_SLUICE_synced_at": {"type": "string"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR ENTITY 'v.bad3' FIELDS {"_raw": {"type": "document"}}
  QUERY_HANDLER '''function query() { return []; }''';
CREATE CONNECTOR ENTITY 'v.bad4' FIELDS {"_parent": {"type": "document"}}
  QUERY_HANDLER '''function query() { return []; }''';
-- Close to reserved, but not: fine.
CREATE CONNECTOR ENTITY 'v.fine' FIELDS {"_sluice": {"type": "string"}, "raw": {"type": "string"}}
  QUERY_HANDLER '''function query() { return [{_sluice: 'a', raw: 'b'}]; }''';
SELECT _sluice, raw FROM v.fine;
SHOW ENTITIES FOR v;

-- Epoch numbers outside the years 1 to 9999 are refused as text of such a
-- year is, never cut short (a date of "10000-01-0") or left for a
-- destination to choke on; the last moment of 9999 is fine.
CREATE CONNECTOR ENTITY 'v.years' FIELDS {"id": {"type": "integer"}, "at": {"type": "timestamp"}, "day": {"type": "date"}}
  QUERY_HANDLER '''
function query(config, filters) {
  return {
    1: [{id: 1, at: 253402300799999, day: 253402300799999}],
    2: [{id: 2, at: 253402300800000}],
    3: [{id: 3, day: 253402300800000}],
    4: [{id: 4, day: -1e14}],
    5: [{id: 5, at: -62135596800}],
    6: [{id: 6, at: -62135596801}],
  }[filters.id];
}''';
SELECT id, at, day FROM v.years WHERE id = 1;
SELECT id, at FROM v.years WHERE id = 2;
SELECT id, day FROM v.years WHERE id = 3;
SELECT id, day FROM v.years WHERE id = 4;
SELECT id, at FROM v.years WHERE id = 5;
SELECT id, at FROM v.years WHERE id = 6;
