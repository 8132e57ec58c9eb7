-- The `myservice` connector of the connector guide, defined from files:
-- a type with its config schema, the `items` entity and its actions.
-- Handlers live beside this file (FILE paths are relative to it).

CREATE OR REPLACE CONNECTOR TYPE 'myservice'
  DESCRIPTION 'Custom connector for MyService API'
  VERSION '1.0.0'
  CONFIG_SCHEMA {
    "api_url": {"type": "string", "required": true,
                "description": "Base URL of the API, e.g. https://api.myservice.com"},
    "api_key": {"type": "string", "required": true, "secret": true,
                "description": "API key, sent as a Bearer token"}
  };

CREATE OR REPLACE CONNECTOR ENTITY 'myservice.items'
  DESCRIPTION 'Items, newest first'
  FIELDS {
    "id":         {"type": "string", "primary_key": true, "filterable": true},
    "name":       {"type": "string"},
    "status":     {"type": "string", "filterable": true},
    "created_at": {"type": "timestamp"},
    "updated_at": {"type": "timestamp"},
    "metadata":   {"type": "document"}
  }
  CURSOR 'updated_at'
  QUERY_HANDLER FILE 'items.js';

CREATE OR REPLACE CONNECTOR ACTION 'myservice.items.create'
  DESCRIPTION 'Create an item'
  PARAMETERS {
    "name":   {"type": "string", "required": true},
    "status": {"type": "string", "default": "active"}
  }
  HANDLER FILE 'create.js';

CREATE OR REPLACE CONNECTOR ACTION 'myservice.items.delete'
  DESCRIPTION 'Delete an item by id'
  PARAMETERS {
    "id": {"type": "string", "required": true}
  }
  HANDLER FILE 'delete.js';

REGISTER CONNECTOR TYPE 'myservice';
