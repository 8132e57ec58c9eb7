// Definitions stored in the workspace catalog: plain structs, no behaviour.
//
// JSON-shaped parts (schemas, FIELDS, CONFIG, OPTIONS) are kept as Value so
// they round-trip exactly as the user wrote them.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"

namespace sluice {

struct ConnectorTypeDef {
  std::string name;
  std::string description;
  std::string version;
  Value config_schema = Value::object();  // {"key": {"type", "required", "default", "secret", "description"}}
  bool registered = false;                // REGISTER CONNECTOR TYPE succeeded
  std::string integration;                // directory of a table integration; empty for declared types
  // The kind of source its connectors are: "declared" (entities and
  // handlers in the catalog), "integration" (a plugin that lists its
  // tables), or a kind registered with the SourceRegistry.
  std::string kind = "declared";
  std::string created_at;                 // ISO-8601 UTC, set by the catalog
  std::string updated_at;
};

// Where handler code came from: the script (or FILE) and position, so errors
// inside JavaScript can be mapped back to what the user wrote.
struct HandlerDef {
  std::string code;
  std::string file;    // FILE path as resolved; empty for inline code
  std::string origin;  // "script.sql:12:3" of the code's first character
  std::string defined_at;  // "connector.sql:16:1": the CREATE statement
};

struct EntityDef {
  std::string type;  // connector type name
  std::string name;  // entity name, without the type prefix
  std::string description;
  Value fields = Value::object();  // {"id": {"type": "string", "primary_key": true}, …}
  std::string cursor;              // incremental sync field; empty if none
  std::string parent;              // parent entity name (same type); empty if none
  // PUSHDOWN OFFSET: the handler applies options.offset itself, so the
  // engine passes it rather than skipping the rows (see entity_provider.h).
  bool applies_offset = false;
  HandlerDef handler;
};

struct ActionDef {
  std::string type;
  std::string name;  // "items.create" (entity.action) or "ping" (type-level)
  std::string description;
  Value parameters = Value::object();
  HandlerDef handler;
};

struct ConnectorDef {
  std::string name;
  std::string type;
  Value config = Value::object();   // with {{secrets.x}} / {{env.X}} templates unresolved
  Value options = Value::object();
  bool enabled = true;
  std::string created_at;
  std::string updated_at;
};

struct DestinationDef {
  std::string name;
  std::string type;  // one of dest/destination_registry.h: "sqlite", "postgresql", "jsonl", "csv"
  Value config = Value::object();
  std::string created_at;
};

// What SHOW SECRETS may show: never the value.
struct SecretInfo {
  std::string name;
  std::string source;  // "value" or "env:NAME"
  std::string created_at;
  std::string updated_at;
};

}  // namespace sluice
