-- Connector types, entities, actions and connectors: create, replace, show,
-- describe, drop — and each way a definition can be refused.

CREATE CONNECTOR TYPE 'shop'
  DESCRIPTION 'A web shop'
  VERSION '0.1.0'
  CONFIG_SCHEMA {
    "base_url": {"type": "string", "required": true},
    "token":    {"type": "string", "required": true, "secret": true},
    "page_size": {"type": "integer", "default": 50},
    "verbose":  {"type": "boolean"}
  };

-- A second CREATE of the same name is refused; OR REPLACE replaces.
CREATE CONNECTOR TYPE 'shop';
CREATE OR REPLACE CONNECTOR TYPE 'shop'
  DESCRIPTION 'A web shop, replaced'
  CONFIG_SCHEMA {
    "base_url": {"type": "string", "required": true},
    "token":    {"type": "string", "required": true, "secret": true},
    "page_size": {"type": "integer", "default": 50}
  };

CREATE CONNECTOR ENTITY 'shop.orders'
  DESCRIPTION 'Orders'
  FIELDS {
    "id":      {"type": "integer", "primary_key": true},
    "total":   {"type": "number"},
    "placed":  {"type": "timestamp"},
    "lines":   {"type": "array"}
  }
  CURSOR 'placed'
  QUERY_HANDLER '''async function query(config, filters, options) { return []; }''';

CREATE CONNECTOR ENTITY 'shop.order_lines'
  FIELDS {"order_id": {"type": "integer"}, "sku": {"type": "string"}}
  PARENT 'shop.orders'
  QUERY_HANDLER '''async function query(config, filters, options, parent) { return []; }''';

-- Refusals: an entity of a missing type, an unknown field type, a cursor that
-- is not a field, a parent in another type, a handler file that is missing.
CREATE CONNECTOR ENTITY 'nosuch.things' FIELDS {"id": {"type": "string"}} QUERY_HANDLER 'x';
CREATE CONNECTOR ENTITY 'shop.bad' FIELDS {"id": {"type": "uuid"}} QUERY_HANDLER 'x';
CREATE CONNECTOR ENTITY 'shop.bad' FIELDS {"id": {"type": "string"}} CURSOR 'updated' QUERY_HANDLER 'x';
CREATE CONNECTOR ENTITY 'shop.bad' FIELDS {"id": {"type": "string"}} PARENT 'other.orders' QUERY_HANDLER 'x';
CREATE CONNECTOR ENTITY 'shop.bad' FIELDS {"id": {"type": "string"}} QUERY_HANDLER FILE 'no_such_handler.js';
CREATE CONNECTOR ENTITY 'shop.bad' FIELDS {"id": {"type": "string"}} QUERY_HANDLER '''   ''';

CREATE CONNECTOR ACTION 'shop.orders.cancel'
  DESCRIPTION 'Cancel an order'
  PARAMETERS {"id": {"type": "integer", "required": true}, "reason": {"type": "string", "default": "customer"}}
  HANDLER '''async function execute(config, params) { return {ok: true}; }''';
CREATE CONNECTOR ACTION 'shop.ping' HANDLER '''async function execute() { return 1; }''';

REGISTER CONNECTOR TYPE 'shop';
SHOW CONNECTOR TYPES;
SHOW ENTITIES;
SHOW ACTIONS FOR 'shop';

-- Connectors: config is checked against CONFIG_SCHEMA.
CREATE SECRET shop_token VALUE 'tok-0123456789';
CREATE CONNECTOR eu TYPE 'shop' CONFIG {"base_url": "https://eu.example", "token": "{{secrets.shop_token}}"};
CREATE CONNECTOR us TYPE 'shop' CONFIG {"token": "{{secrets.shop_token}}"};
CREATE CONNECTOR us TYPE 'shop' CONFIG {"base_url": "https://us.example", "token": "{{secrets.shop_token}}", "page_sise": 10};
CREATE CONNECTOR us TYPE 'shop' CONFIG {"base_url": 42, "token": "{{secrets.shop_token}}"};
CREATE CONNECTOR us TYPE 'shop' CONFIG {"base_url": "https://us.example", "token": "plain-text-token"};
CREATE CONNECTOR us TYPE 'shop' CONFIG {"base_url": "https://us.example", "token": "{{secrets.missing}}"};
CREATE CONNECTOR us TYPE 'nosuch' CONFIG {};
CREATE CONNECTOR us TYPE 'shop' CONFIG {"base_url": "https://us.example", "token": "{{secrets.shop_token}}"}
  OPTIONS {"rate_limit": 5, "retries": 2};
CREATE CONNECTOR us TYPE 'shop' CONFIG {"base_url": "https://us.example", "token": "{{env.SHOP_TOKEN}}"}
  OPTIONS {"rate_limit": 5};
SHOW CONNECTORS;
DESCRIBE CONNECTOR eu;

ALTER CONNECTOR us SET OPTIONS {"timeout_seconds": 10};
ALTER CONNECTOR us SET CONFIG {"page_size": 200};
ALTER CONNECTOR us SET CONFIG {"page_size": "lots"};
ALTER CONNECTOR us DISABLE;
DESCRIBE CONNECTOR us;
ALTER CONNECTOR nobody ENABLE;

DESCRIBE ENTITY 'shop.orders';
DESCRIBE ACTION 'shop.orders.cancel';
DESCRIBE CONNECTOR TYPE 'nosuch';

-- Dropping: a type in use is refused, naming the connectors.
DROP CONNECTOR TYPE 'shop';
DROP CONNECTOR ENTITY 'shop.orders';
DROP CONNECTOR us;
DROP CONNECTOR us;
DROP CONNECTOR IF EXISTS us;
DROP CONNECTOR eu;
DROP CONNECTOR TYPE 'shop';
SHOW CONNECTOR TYPES;
SHOW ENTITIES;
