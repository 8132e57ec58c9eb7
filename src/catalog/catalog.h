// Catalog: create, read, list and drop the definitions of DESIGN.md §3 in the
// workspace's `_sluice_*` tables.
//
// Put* with or_replace=false fails with kAlreadyExists when the name is
// taken; Get* fails with kNotFound naming what was looked for. Dropping a
// connector type removes its entities and actions and fails (kInvalidArgument,
// naming them) while connectors still use it. Names compare case-sensitively,
// as written; lists are ordered by name. Multi-statement changes run in one
// transaction, so a failed change leaves the catalog as it was.
//
// The catalog checks references (types, parents), not content: schemas,
// FIELDS, CONFIG and OPTIONS are validated by the caller (config_schema.h).
//
// Ownership: borrows the Database of its Workspace.
// Thread-safety: one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "catalog/definitions.h"
#include "core/sqlite.h"
#include "core/status.h"

namespace sluice {

class Catalog {
 public:
  explicit Catalog(Database& db) : db_(db) {}

  // Replacing keeps the type's entities, actions and created_at; `registered`
  // is stored as given.
  Status PutConnectorType(const ConnectorTypeDef& def, bool or_replace);
  Result<ConnectorTypeDef> GetConnectorType(const std::string& name);
  Result<std::vector<ConnectorTypeDef>> ListConnectorTypes();
  Status SetRegistered(const std::string& type, bool registered);
  Status DropConnectorType(const std::string& name);

  // The type must exist, and a PARENT must be an existing entity of the same
  // type that does not descend from this one. Creating, replacing or dropping
  // an entity or action marks its type unregistered until REGISTER runs again.
  Status PutEntity(const EntityDef& def, bool or_replace);
  Result<EntityDef> GetEntity(const std::string& type, const std::string& name);
  // "" = all types (ordered by type, then name, or by when each entity was
  // first created); a named type must exist. Replacing an entity keeps its
  // place in the definition order.
  enum class EntityOrder { kName, kDefinition };
  Result<std::vector<EntityDef>> ListEntities(const std::string& type,
                                              EntityOrder order = EntityOrder::kName);
  // Fails (kInvalidArgument, naming them) while other entities name it PARENT.
  Status DropEntity(const std::string& type, const std::string& name);

  Status PutAction(const ActionDef& def, bool or_replace);
  Result<ActionDef> GetAction(const std::string& type, const std::string& name);
  Result<std::vector<ActionDef>> ListActions(const std::string& type);  // as ListEntities
  Status DropAction(const std::string& type, const std::string& name);

  // The type must exist.
  Status PutConnector(const ConnectorDef& def, bool or_replace);
  Result<ConnectorDef> GetConnector(const std::string& name);
  Result<std::vector<ConnectorDef>> ListConnectors();
  Status UpdateConnector(const ConnectorDef& def);  // config/options/enabled
  // Also forgets its sync cursors and schedules (a connector created again
  // under the name starts afresh); its sync run history stays.
  Status DropConnector(const std::string& name);

  Status PutDestination(const DestinationDef& def, bool or_replace);
  Result<DestinationDef> GetDestination(const std::string& name);
  Result<std::vector<DestinationDef>> ListDestinations();
  Status DropDestination(const std::string& name);

 private:
  Database& db_;
};

// Current time as ISO-8601 UTC with seconds ("2026-11-21T12:00:00Z").
std::string NowIso8601();

}  // namespace sluice
