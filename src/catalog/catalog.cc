#include "catalog/catalog.h"

#include <ctime>
#include <optional>

#include "core/identifier.h"
#include "core/time_util.h"

namespace sluice {
namespace {

using Origin = CodeLocation;

std::string TypeLabel(const std::string& name) { return "connector type '" + name + "'"; }
std::string EntityLabel(const std::string& type, const std::string& name) {
  return "entity '" + type + "." + name + "'";
}
std::string ActionLabel(const std::string& type, const std::string& name) {
  return "action '" + type + "." + name + "'";
}
std::string ConnectorLabel(const std::string& name) { return "connector '" + name + "'"; }
std::string DestinationLabel(const std::string& name) { return "destination '" + name + "'"; }

// The origin parameter keeps the Status pointing at the caller, not here.
Status NotFound(const std::string& label, Origin origin = Origin::current()) {
  return Status(ErrorKind::kNotFound, label + " does not exist", origin);
}
Status AlreadyExists(const std::string& label, Origin origin = Origin::current()) {
  return Status(ErrorKind::kAlreadyExists, label + " already exists (use CREATE OR REPLACE)",
                origin);
}
// Names become SQL table names and statement words: only what CheckName
// allows gets into the catalog. An action's name is dotted
// ("items.create"): each part is a name.
Status RequireName(const std::string& name, const char* what, bool dotted = false) {
  if (!dotted || name.find('.') == std::string::npos) return CheckName(name, what);
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    Status part = CheckName(std::string_view(name).substr(start, dot - start), what);
    if (!part.ok()) {
      return Status(ErrorKind::kInvalidArgument, part.message() + " (in '" + name + "')");
    }
    if (dot == std::string::npos) return Status();
    start = dot + 1;
  }
}

Result<std::string> JsonText(const Value& value, const std::string& what) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    // The only way dump() fails: a string that is not valid UTF-8.
    return Status(ErrorKind::kInvalidArgument, what + " contains text that is not valid UTF-8");
  }
}

Result<Value> ParseJson(const std::string& text, const std::string& what) {
  Value value = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status(ErrorKind::kInternal, "the catalog entry for " + what + " holds invalid JSON");
  }
  return value;
}

Status BindOne(Stmt& stmt, int index, const std::string& value) {
  return stmt.BindText(index, value);
}
Status BindOne(Stmt& stmt, int index, bool value) { return stmt.BindInt(index, value ? 1 : 0); }
// A string literal would silently pick the bool overload.
Status BindOne(Stmt& stmt, int index, const char* value) = delete;

// Prepares `sql` and binds `args` to ?1, ?2, … in order.
template <typename... Args>
Result<Stmt> Query(Database& db, std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  int index = 0;
  Status status;
  [[maybe_unused]] auto bind = [&](const auto& arg) {  // unused with no args
    if (status.ok()) status = BindOne(stmt, ++index, arg);
  };
  (bind(args), ...);
  if (!status.ok()) return status;
  return stmt;
}

template <typename... Args>
Status Run(Database& db, std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(Stmt stmt, Query(db, sql, args...));
  return stmt.Run();
}

template <typename... Args>
Result<bool> Exists(Database& db, std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(Stmt stmt, Query(db, sql, args...));
  return stmt.Step();
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Runs `read` on each row of `stmt`, collecting the definitions it returns.
template <typename Def, typename Read>
Result<std::vector<Def>> ReadAll(Stmt& stmt, Read read) {
  std::vector<Def> defs;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return defs;
    ASSIGN_OR_RETURN(Def def, read(stmt));
    defs.push_back(std::move(def));
  }
}

// The first column of every row, in order.
template <typename... Args>
Result<std::vector<std::string>> Names(Database& db, std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(Stmt stmt, Query(db, sql, args...));
  return ReadAll<std::string>(stmt, [](Stmt& row) -> Result<std::string> {
    return row.ColumnText(0);
  });
}

// Fails when `sql` finds a row and the caller did not say OR REPLACE.
template <typename... Args>
Status CheckNotTaken(Database& db, bool or_replace, const std::string& label,
                     std::string_view sql, const Args&... args) {
  if (or_replace) return Status();
  ASSIGN_OR_RETURN(bool exists, Exists(db, sql, args...));
  return exists ? AlreadyExists(label) : Status();
}

// SQLite folds ASCII case in identifiers, so `items` and `Items` would be one
// table (the live one, and the synced one), each deleting the other's rows:
// a name may not differ from another of its kind in its scope only by ASCII
// case. Replacing the same exact name stays allowed. `sql` selects the other
// names whose fold matches; `label` turns one into its label.
template <typename Label, typename... Args>
Status CheckNoCaseTwin(Database& db, const std::string& label, Label other_label,
                       std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(std::vector<std::string> twins, Names(db, sql, args...));
  if (twins.empty()) return Status();
  return Status(ErrorKind::kAlreadyExists,
                label + " differs only in letter case from " + other_label(twins.front()) +
                    ", which exists; SQLite does not tell such names apart (the tables and "
                    "columns named after them would be one): choose another name or drop " +
                    other_label(twins.front()) + " first");
}

Result<bool> TypeExists(Database& db, const std::string& type) {
  return Exists(db, "SELECT 1 FROM _sluice_connector_types WHERE name = ?", type);
}

Status RequireType(Database& db, const std::string& type, Origin origin = Origin::current()) {
  ASSIGN_OR_RETURN(bool exists, TypeExists(db, type));
  return exists ? Status() : NotFound(TypeLabel(type), origin);
}

// A definition changed under a registered type: REGISTER must check it again.
Status MarkUnregistered(Database& db, const std::string& type) {
  return Run(db, "UPDATE _sluice_connector_types SET registered = 0, updated_at = ? WHERE name = ?",
             NowIso8601(), type);
}

// For Get*: say which part of "type.name" is missing.
Status EntryNotFound(Database& db, const std::string& type, const std::string& label,
                     Origin origin = Origin::current()) {
  ASSIGN_OR_RETURN(bool type_exists, TypeExists(db, type));
  return type_exists ? NotFound(label, origin) : NotFound(TypeLabel(type), origin);
}

constexpr char kTypeColumns[] =
    "SELECT name, description, version, config_schema, registered, integration, created_at, "
    "updated_at, kind FROM _sluice_connector_types";

Result<ConnectorTypeDef> ReadType(Stmt& stmt) {
  ConnectorTypeDef def;
  def.name = stmt.ColumnText(0);
  def.description = stmt.ColumnText(1);
  def.version = stmt.ColumnText(2);
  ASSIGN_OR_RETURN(def.config_schema, ParseJson(stmt.ColumnText(3), TypeLabel(def.name)));
  def.registered = stmt.ColumnInt(4) != 0;
  def.integration = stmt.ColumnText(5);
  def.created_at = stmt.ColumnText(6);
  def.updated_at = stmt.ColumnText(7);
  def.kind = stmt.ColumnText(8);
  return def;
}

constexpr char kEntityColumns[] =
    "SELECT type, name, description, fields, cursor_field, parent, handler_code, handler_file, "
    "handler_origin, defined_at, applies_offset FROM _sluice_entities";

Result<EntityDef> ReadEntity(Stmt& stmt) {
  EntityDef def;
  def.type = stmt.ColumnText(0);
  def.name = stmt.ColumnText(1);
  def.description = stmt.ColumnText(2);
  ASSIGN_OR_RETURN(def.fields, ParseJson(stmt.ColumnText(3), EntityLabel(def.type, def.name)));
  def.cursor = stmt.ColumnText(4);
  def.parent = stmt.ColumnText(5);
  def.handler = {stmt.ColumnText(6), stmt.ColumnText(7), stmt.ColumnText(8), stmt.ColumnText(9)};
  def.applies_offset = stmt.ColumnInt(10) != 0;
  return def;
}

constexpr char kActionColumns[] =
    "SELECT type, name, description, parameters, handler_code, handler_file, handler_origin, "
    "defined_at FROM _sluice_actions";

Result<ActionDef> ReadAction(Stmt& stmt) {
  ActionDef def;
  def.type = stmt.ColumnText(0);
  def.name = stmt.ColumnText(1);
  def.description = stmt.ColumnText(2);
  ASSIGN_OR_RETURN(def.parameters, ParseJson(stmt.ColumnText(3), ActionLabel(def.type, def.name)));
  def.handler = {stmt.ColumnText(4), stmt.ColumnText(5), stmt.ColumnText(6), stmt.ColumnText(7)};
  return def;
}

constexpr char kConnectorColumns[] =
    "SELECT name, type, config, options, enabled, created_at, updated_at FROM _sluice_connectors";

Result<ConnectorDef> ReadConnector(Stmt& stmt) {
  ConnectorDef def;
  def.name = stmt.ColumnText(0);
  def.type = stmt.ColumnText(1);
  ASSIGN_OR_RETURN(def.config, ParseJson(stmt.ColumnText(2), ConnectorLabel(def.name)));
  ASSIGN_OR_RETURN(def.options, ParseJson(stmt.ColumnText(3), ConnectorLabel(def.name)));
  def.enabled = stmt.ColumnInt(4) != 0;
  def.created_at = stmt.ColumnText(5);
  def.updated_at = stmt.ColumnText(6);
  return def;
}

constexpr char kDestinationColumns[] =
    "SELECT name, type, config, created_at FROM _sluice_destinations";

Result<DestinationDef> ReadDestination(Stmt& stmt) {
  DestinationDef def;
  def.name = stmt.ColumnText(0);
  def.type = stmt.ColumnText(1);
  ASSIGN_OR_RETURN(def.config, ParseJson(stmt.ColumnText(2), DestinationLabel(def.name)));
  def.created_at = stmt.ColumnText(3);
  return def;
}

// The single row `sql` selects, or nullopt when there is none.
template <typename Def, typename Read, typename... Args>
Result<std::optional<Def>> ReadOne(Database& db, Read read, const std::string& sql,
                                   const Args&... args) {
  ASSIGN_OR_RETURN(Stmt stmt, Query(db, sql, args...));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Def>();
  ASSIGN_OR_RETURN(Def def, read(stmt));
  return std::optional<Def>(std::move(def));
}

}  // namespace

std::string NowIso8601() {
  constexpr int64_t kMicrosPerSecond = 1'000'000;
  return FormatTimestamp(NowMicros() / kMicrosPerSecond * kMicrosPerSecond);
}

// --- connector types ------------------------------------------------------

Status Catalog::PutConnectorType(const ConnectorTypeDef& def, bool or_replace) {
  RETURN_IF_ERROR(RequireName(def.name, "connector type"));
  ASSIGN_OR_RETURN(std::string schema, JsonText(def.config_schema, TypeLabel(def.name)));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(CheckNotTaken(db_, or_replace, TypeLabel(def.name),
                                "SELECT 1 FROM _sluice_connector_types WHERE name = ?", def.name));
  // An upsert, not INSERT OR REPLACE: replacing the row would delete it first,
  // which the entities, actions and connectors referring to it forbid.
  std::string now = NowIso8601();
  RETURN_IF_ERROR(Run(db_,
      "INSERT INTO _sluice_connector_types (name, description, version, config_schema, "
      "registered, integration, created_at, updated_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (name) DO UPDATE SET description = excluded.description, "
      "version = excluded.version, config_schema = excluded.config_schema, "
      "registered = excluded.registered, integration = excluded.integration, "
      "updated_at = excluded.updated_at, kind = excluded.kind",
      def.name, def.description, def.version, schema, def.registered, def.integration, now, now, def.kind));
  return tx.Commit();
}

Result<ConnectorTypeDef> Catalog::GetConnectorType(const std::string& name) {
  ASSIGN_OR_RETURN(auto def, ReadOne<ConnectorTypeDef>(
                                 db_, ReadType, std::string(kTypeColumns) + " WHERE name = ?", name));
  if (!def) return NotFound(TypeLabel(name));
  return std::move(*def);
}

Result<std::vector<ConnectorTypeDef>> Catalog::ListConnectorTypes() {
  ASSIGN_OR_RETURN(Stmt stmt, Query(db_, std::string(kTypeColumns) + " ORDER BY name"));
  return ReadAll<ConnectorTypeDef>(stmt, ReadType);
}

Status Catalog::SetRegistered(const std::string& type, bool registered) {
  RETURN_IF_ERROR(Run(db_,
      "UPDATE _sluice_connector_types SET registered = ?, updated_at = ? WHERE name = ?",
      registered, NowIso8601(), type));
  return db_.Changes() == 0 ? NotFound(TypeLabel(type)) : Status();
}

Status Catalog::DropConnectorType(const std::string& name) {
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(RequireType(db_, name));
  ASSIGN_OR_RETURN(auto users,
                   Names(db_, "SELECT name FROM _sluice_connectors WHERE type = ? ORDER BY name",
                         name));
  if (!users.empty()) {
    return Status(ErrorKind::kInvalidArgument, TypeLabel(name) + " is used by connectors: " +
                                                   Join(users) + "; drop them first");
  }
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_entities WHERE type = ?", name));
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_actions WHERE type = ?", name));
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_connector_types WHERE name = ?", name));
  return tx.Commit();
}

// --- entities -------------------------------------------------------------

Status Catalog::PutEntity(const EntityDef& def, bool or_replace) {
  RETURN_IF_ERROR(RequireName(def.name, "entity"));
  std::string label = EntityLabel(def.type, def.name);
  ASSIGN_OR_RETURN(std::string fields, JsonText(def.fields, label));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(RequireType(db_, def.type));
  RETURN_IF_ERROR(CheckNotTaken(db_, or_replace, label,
                                "SELECT 1 FROM _sluice_entities WHERE type = ? AND name = ?",
                                def.type, def.name));
  RETURN_IF_ERROR(CheckNoCaseTwin(
      db_, label, [&](const std::string& other) { return EntityLabel(def.type, other); },
      "SELECT name FROM _sluice_entities WHERE type = ?1 AND name <> ?2 "
      "AND name = ?2 COLLATE NOCASE ORDER BY name",
      def.type, def.name));
  // Walk up from the new parent: meeting this entity again would make a loop
  // that sync and child queries would follow forever. (The bound only matters
  // for a catalog that already holds a loop.)
  constexpr int kMaxDepth = 10000;
  std::string ancestor = def.parent;
  for (int depth = 0; !ancestor.empty() && depth < kMaxDepth; ++depth) {
    if (ancestor == def.name) {
      return Status(ErrorKind::kInvalidArgument,
                    label + " cannot have PARENT '" + def.type + "." + def.parent +
                        "': that would make entities their own ancestors");
    }
    ASSIGN_OR_RETURN(Stmt stmt, Query(db_,
        "SELECT parent FROM _sluice_entities WHERE type = ? AND name = ?", def.type, ancestor));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      return Status(ErrorKind::kNotFound, label + " has PARENT '" + def.type + "." + ancestor +
                                              "', which does not exist");
    }
    ancestor = stmt.ColumnText(0);
  }
  std::string now = NowIso8601();
  RETURN_IF_ERROR(Run(
      db_,
      "INSERT INTO _sluice_entities (type, name, description, fields, cursor_field, parent, "
      "handler_code, handler_file, handler_origin, defined_at, applies_offset, created_at, "
      "updated_at, "
      "position) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "(SELECT coalesce(max(position), 0) + 1 FROM _sluice_entities)) "
      "ON CONFLICT (type, name) DO UPDATE SET description = excluded.description, "
      "fields = excluded.fields, cursor_field = excluded.cursor_field, parent = excluded.parent, "
      "handler_code = excluded.handler_code, handler_file = excluded.handler_file, "
      "handler_origin = excluded.handler_origin, defined_at = excluded.defined_at, "
      "applies_offset = excluded.applies_offset, updated_at = excluded.updated_at",
      def.type, def.name, def.description, fields, def.cursor, def.parent, def.handler.code,
      def.handler.file, def.handler.origin, def.handler.defined_at, def.applies_offset, now, now));
  RETURN_IF_ERROR(MarkUnregistered(db_, def.type));
  return tx.Commit();
}

Result<EntityDef> Catalog::GetEntity(const std::string& type, const std::string& name) {
  ASSIGN_OR_RETURN(auto def, ReadOne<EntityDef>(
                                 db_, ReadEntity,
                                 std::string(kEntityColumns) + " WHERE type = ? AND name = ?",
                                 type, name));
  if (!def) return EntryNotFound(db_, type, EntityLabel(type, name));
  return std::move(*def);
}

Result<std::vector<EntityDef>> Catalog::ListEntities(const std::string& type, EntityOrder order) {
  if (!type.empty()) RETURN_IF_ERROR(RequireType(db_, type));
  ASSIGN_OR_RETURN(
      Stmt stmt, Query(db_,
                       std::string(kEntityColumns) + " WHERE ?1 = '' OR type = ?1 ORDER BY type, " +
                           (order == EntityOrder::kDefinition ? "position, name" : "name"),
                       type));
  return ReadAll<EntityDef>(stmt, ReadEntity);
}

Status Catalog::DropEntity(const std::string& type, const std::string& name) {
  std::string label = EntityLabel(type, name);
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(bool exists,
                   Exists(db_, "SELECT 1 FROM _sluice_entities WHERE type = ? AND name = ?",
                          type, name));
  if (!exists) return EntryNotFound(db_, type, label);
  ASSIGN_OR_RETURN(auto children, Names(db_,
      "SELECT ?1 || '.' || name FROM _sluice_entities WHERE type = ?1 AND parent = ?2 "
      "ORDER BY name", type, name));
  if (!children.empty()) {
    return Status(ErrorKind::kInvalidArgument, label + " is the PARENT of entities: " +
                                                   Join(children) + "; drop them first");
  }
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_entities WHERE type = ? AND name = ?", type, name));
  RETURN_IF_ERROR(MarkUnregistered(db_, type));
  return tx.Commit();
}

// --- actions --------------------------------------------------------------

Status Catalog::PutAction(const ActionDef& def, bool or_replace) {
  RETURN_IF_ERROR(RequireName(def.name, "action", /*dotted=*/true));
  std::string label = ActionLabel(def.type, def.name);
  ASSIGN_OR_RETURN(std::string parameters, JsonText(def.parameters, label));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(RequireType(db_, def.type));
  RETURN_IF_ERROR(CheckNotTaken(db_, or_replace, label,
                                "SELECT 1 FROM _sluice_actions WHERE type = ? AND name = ?",
                                def.type, def.name));
  RETURN_IF_ERROR(CheckNoCaseTwin(
      db_, label, [&](const std::string& other) { return ActionLabel(def.type, other); },
      "SELECT name FROM _sluice_actions WHERE type = ?1 AND name <> ?2 "
      "AND name = ?2 COLLATE NOCASE ORDER BY name",
      def.type, def.name));
  std::string now = NowIso8601();
  RETURN_IF_ERROR(Run(db_,
      "INSERT INTO _sluice_actions (type, name, description, parameters, handler_code, "
      "handler_file, handler_origin, defined_at, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (type, name) DO UPDATE SET description = excluded.description, "
      "parameters = excluded.parameters, handler_code = excluded.handler_code, "
      "handler_file = excluded.handler_file, handler_origin = excluded.handler_origin, "
      "defined_at = excluded.defined_at, updated_at = excluded.updated_at",
      def.type, def.name, def.description, parameters, def.handler.code, def.handler.file,
      def.handler.origin, def.handler.defined_at, now, now));
  RETURN_IF_ERROR(MarkUnregistered(db_, def.type));
  return tx.Commit();
}

Result<ActionDef> Catalog::GetAction(const std::string& type, const std::string& name) {
  ASSIGN_OR_RETURN(auto def, ReadOne<ActionDef>(
                                 db_, ReadAction,
                                 std::string(kActionColumns) + " WHERE type = ? AND name = ?",
                                 type, name));
  if (!def) return EntryNotFound(db_, type, ActionLabel(type, name));
  return std::move(*def);
}

Result<std::vector<ActionDef>> Catalog::ListActions(const std::string& type) {
  if (!type.empty()) RETURN_IF_ERROR(RequireType(db_, type));
  ASSIGN_OR_RETURN(Stmt stmt, Query(db_, std::string(kActionColumns) +
                                             " WHERE ?1 = '' OR type = ?1 ORDER BY type, name",
                                    type));
  return ReadAll<ActionDef>(stmt, ReadAction);
}

Status Catalog::DropAction(const std::string& type, const std::string& name) {
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_actions WHERE type = ? AND name = ?", type, name));
  if (db_.Changes() == 0) return EntryNotFound(db_, type, ActionLabel(type, name));
  RETURN_IF_ERROR(MarkUnregistered(db_, type));
  return tx.Commit();
}

// --- connectors -----------------------------------------------------------

Status Catalog::PutConnector(const ConnectorDef& def, bool or_replace) {
  RETURN_IF_ERROR(RequireName(def.name, "connector"));
  std::string label = ConnectorLabel(def.name);
  ASSIGN_OR_RETURN(std::string config, JsonText(def.config, label));
  ASSIGN_OR_RETURN(std::string options, JsonText(def.options, label));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(RequireType(db_, def.type));
  RETURN_IF_ERROR(CheckNotTaken(db_, or_replace, label,
                                "SELECT 1 FROM _sluice_connectors WHERE name = ?", def.name));
  RETURN_IF_ERROR(CheckNoCaseTwin(
      db_, label, ConnectorLabel,
      "SELECT name FROM _sluice_connectors WHERE name <> ?1 AND name = ?1 COLLATE NOCASE "
      "ORDER BY name",
      def.name));
  std::string now = NowIso8601();
  RETURN_IF_ERROR(Run(db_,
      "INSERT INTO _sluice_connectors (name, type, config, options, enabled, created_at, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (name) DO UPDATE SET type = excluded.type, config = excluded.config, "
      "options = excluded.options, enabled = excluded.enabled, updated_at = excluded.updated_at",
      def.name, def.type, config, options, def.enabled, now, now));
  return tx.Commit();
}

Result<ConnectorDef> Catalog::GetConnector(const std::string& name) {
  ASSIGN_OR_RETURN(auto def, ReadOne<ConnectorDef>(
                                 db_, ReadConnector,
                                 std::string(kConnectorColumns) + " WHERE name = ?", name));
  if (!def) return NotFound(ConnectorLabel(name));
  return std::move(*def);
}

Result<std::vector<ConnectorDef>> Catalog::ListConnectors() {
  ASSIGN_OR_RETURN(Stmt stmt, Query(db_, std::string(kConnectorColumns) + " ORDER BY name"));
  return ReadAll<ConnectorDef>(stmt, ReadConnector);
}

Status Catalog::UpdateConnector(const ConnectorDef& def) {
  std::string label = ConnectorLabel(def.name);
  ASSIGN_OR_RETURN(std::string config, JsonText(def.config, label));
  ASSIGN_OR_RETURN(std::string options, JsonText(def.options, label));
  RETURN_IF_ERROR(Run(db_,
      "UPDATE _sluice_connectors SET config = ?, options = ?, enabled = ?, updated_at = ? "
      "WHERE name = ?",
      config, options, def.enabled, NowIso8601(), def.name));
  return db_.Changes() == 0 ? NotFound(label) : Status();
}

Status Catalog::DropConnector(const std::string& name) {
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_connectors WHERE name = ?", name));
  if (db_.Changes() == 0) return NotFound(ConnectorLabel(name));
  // A connector created again under this name starts afresh: an old cursor
  // would skip its rows, an old schedule would run without being asked.
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_sync_state WHERE connector = ?", name));
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_sync_schedules WHERE connector = ?", name));
  return tx.Commit();
}

// --- destinations ---------------------------------------------------------

Status Catalog::PutDestination(const DestinationDef& def, bool or_replace) {
  RETURN_IF_ERROR(RequireName(def.name, "destination"));
  std::string label = DestinationLabel(def.name);
  ASSIGN_OR_RETURN(std::string config, JsonText(def.config, label));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  RETURN_IF_ERROR(CheckNotTaken(db_, or_replace, label,
                                "SELECT 1 FROM _sluice_destinations WHERE name = ?", def.name));
  RETURN_IF_ERROR(CheckNoCaseTwin(
      db_, label, DestinationLabel,
      "SELECT name FROM _sluice_destinations WHERE name <> ?1 AND name = ?1 COLLATE NOCASE "
      "ORDER BY name",
      def.name));
  std::string now = NowIso8601();
  RETURN_IF_ERROR(Run(db_,
      "INSERT INTO _sluice_destinations (name, type, config, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET type = excluded.type, "
      "config = excluded.config, updated_at = excluded.updated_at",
      def.name, def.type, config, now, now));
  return tx.Commit();
}

Result<DestinationDef> Catalog::GetDestination(const std::string& name) {
  ASSIGN_OR_RETURN(auto def, ReadOne<DestinationDef>(
                                 db_, ReadDestination,
                                 std::string(kDestinationColumns) + " WHERE name = ?", name));
  if (!def) return NotFound(DestinationLabel(name));
  return std::move(*def);
}

Result<std::vector<DestinationDef>> Catalog::ListDestinations() {
  ASSIGN_OR_RETURN(Stmt stmt, Query(db_, std::string(kDestinationColumns) + " ORDER BY name"));
  return ReadAll<DestinationDef>(stmt, ReadDestination);
}

Status Catalog::DropDestination(const std::string& name) {
  RETURN_IF_ERROR(Run(db_, "DELETE FROM _sluice_destinations WHERE name = ?", name));
  return db_.Changes() == 0 ? NotFound(DestinationLabel(name)) : Status();
}

}  // namespace sluice
