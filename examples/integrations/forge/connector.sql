-- The forge integration (this folder's package.json and main.js) as a
-- connector type: `sluice test examples/integrations/forge` runs this first.
CREATE OR REPLACE CONNECTOR TYPE 'forge' FROM INTEGRATION '.';
