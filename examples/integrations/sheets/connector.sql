-- The sheets integration (this folder's package.json and main.js) as a
-- connector type. Its tables are dynamic: a connector lists them from the
-- API's schema when it starts, so the type itself has none.
CREATE OR REPLACE CONNECTOR TYPE 'sheets' FROM INTEGRATION '.';
