#include "lang/catalog_snapshot.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "catalog/templates.h"
#include "core/file_util.h"
#include "package/archive.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

constexpr int kFormat = 1;
// An integration folder travels inside the run's row in PostgreSQL and
// into every worker's memory: bigger than this is a folder that holds
// something else (data, a build tree), better left out of the integration.
constexpr uint64_t kMaxIntegrationBytes = 64ull << 20;
// A folder nested deeper is a symbolic link loop.
constexpr int kMaxDepth = 64;

std::string ConnectorLabel(const std::string& connector) { return "connector '" + connector + "'"; }

// --- the integration folder ------------------------------------------------

// Every file under `dir`, symbolic links followed (a worker has only what
// the archive holds), under `prefix`.
Status CollectFolder(const fs::path& dir, const std::string& prefix, int depth, uint64_t& total,
                     std::vector<ArchiveEntry>& out, const std::string& connector) {
  if (depth > kMaxDepth) {
    return Status(ErrorKind::kInvalidArgument, "the integration folder of " + ConnectorLabel(connector) +
                                                   " nests deeper than " + std::to_string(kMaxDepth) +
                                                   " folders at '" + dir.string() + "' (a symbolic link loop?)");
  }
  std::error_code error;
  std::vector<fs::path> children;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    children.push_back(it->path());
  }
  if (error) return Status(ErrorKind::kIo, "cannot list '" + dir.string() + "': " + error.message());
  for (const fs::path& child : children) {
    std::string path = prefix + child.filename().string();
    fs::file_status status = fs::status(child, error);  // follows links
    if (error) return Status(ErrorKind::kIo, "cannot read '" + child.string() + "': " + error.message());
    if (fs::is_directory(status)) {
      RETURN_IF_ERROR(CollectFolder(child, path + "/", depth + 1, total, out, connector));
      continue;
    }
    if (!fs::is_regular_file(status)) {
      return Status(ErrorKind::kInvalidArgument, "the integration folder of " + ConnectorLabel(connector) +
                                                     " holds '" + child.string() +
                                                     "', which is not a regular file or folder: it cannot travel "
                                                     "to workers");
    }
    uint64_t left = kMaxIntegrationBytes - total;
    Result<std::optional<std::string>> data = ReadFileCapped(child.string(), left);
    if (!data.ok() && data.status().kind() == ErrorKind::kInvalidArgument) {
      return Status(ErrorKind::kInvalidArgument,
                    "the integration folder of " + ConnectorLabel(connector) + " ('" + dir.string() +
                        "' and what it holds) is over " + std::to_string(kMaxIntegrationBytes >> 20) +
                        " MiB: a distributed run carries it to every worker; keep data and build output "
                        "out of it");
    }
    if (!data.ok()) return data.TakeStatus();
    if (!*data) return Status(ErrorKind::kIo, "'" + child.string() + "' went away while it was read");
    total += (*data)->size();
    bool executable = (fs::status(child, error).permissions() & fs::perms::owner_exec) != fs::perms::none;
    out.push_back({path, std::move(**data), executable});
  }
  return Status::Ok();
}

Status MakeDirs(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Status(ErrorKind::kIo, "cannot create folder '" + dir.string() + "': " + error.message());
  return Status::Ok();
}

// --- reading a snapshot, which comes from another machine ------------------

Status Malformed(const std::string& what) {
  return Status(ErrorKind::kInvalidArgument, "the run's catalog snapshot is malformed: " + what);
}

Result<std::string> Text(const Value& object, const char* key, const std::string& where) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return Malformed(where + ": '" + key + "' must be text");
  return found->get<std::string>();
}

Result<bool> Flag(const Value& object, const char* key, const std::string& where) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_boolean()) return Malformed(where + ": '" + key + "' must be true or false");
  return found->get<bool>();
}

Result<Value> Object(const Value& object, const char* key, const std::string& where) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_object()) return Malformed(where + ": '" + key + "' must be an object");
  return *found;
}

Value HandlerValue(const HandlerDef& handler) {
  return {{"code", handler.code}, {"file", handler.file}, {"origin", handler.origin}, {"defined_at", handler.defined_at}};
}

Result<HandlerDef> ReadHandler(const Value& object, const std::string& where) {
  ASSIGN_OR_RETURN(Value handler, Object(object, "handler", where));
  HandlerDef def;
  ASSIGN_OR_RETURN(def.code, Text(handler, "code", where));
  ASSIGN_OR_RETURN(def.file, Text(handler, "file", where));
  ASSIGN_OR_RETURN(def.origin, Text(handler, "origin", where));
  ASSIGN_OR_RETURN(def.defined_at, Text(handler, "defined_at", where));
  return def;
}

Result<EntityDef> ReadEntity(const Value& value, const std::string& type) {
  if (!value.is_object()) return Malformed("an entity is not an object");
  EntityDef def;
  def.type = type;
  ASSIGN_OR_RETURN(def.name, Text(value, "name", "an entity"));
  std::string where = "entity '" + def.name + "'";
  ASSIGN_OR_RETURN(def.description, Text(value, "description", where));
  ASSIGN_OR_RETURN(def.fields, Object(value, "fields", where));
  ASSIGN_OR_RETURN(def.cursor, Text(value, "cursor", where));
  ASSIGN_OR_RETURN(def.parent, Text(value, "parent", where));
  ASSIGN_OR_RETURN(def.applies_offset, Flag(value, "applies_offset", where));
  ASSIGN_OR_RETURN(def.handler, ReadHandler(value, where));
  return def;
}

Result<ActionDef> ReadAction(const Value& value, const std::string& type) {
  if (!value.is_object()) return Malformed("an action is not an object");
  ActionDef def;
  def.type = type;
  ASSIGN_OR_RETURN(def.name, Text(value, "name", "an action"));
  std::string where = "action '" + def.name + "'";
  ASSIGN_OR_RETURN(def.description, Text(value, "description", where));
  ASSIGN_OR_RETURN(def.parameters, Object(value, "parameters", where));
  ASSIGN_OR_RETURN(def.handler, ReadHandler(value, where));
  return def;
}

// Unpacks the integration's archive into `folder` (which must not exist).
Status UnpackIntegration(const std::string& archive, const fs::path& folder) {
  ArchiveLimits limits;
  limits.max_total_bytes = kMaxIntegrationBytes;
  limits.max_entry_bytes = kMaxIntegrationBytes;
  Result<std::vector<ArchiveEntry>> entries = ReadArchive(archive, limits);
  if (!entries.ok()) return entries.TakeStatus().WithContext("the run's integration archive");
  RETURN_IF_ERROR(MakeDirs(folder));
  for (const ArchiveEntry& entry : *entries) {
    // ReadArchive refused absolute paths, "..", links and repeats.
    fs::path file = folder / entry.path;
    RETURN_IF_ERROR(MakeDirs(file.parent_path()));
    RETURN_IF_ERROR(WriteNewFile(file.string(), entry.data, entry.executable ? 0755 : 0644));
  }
  return Status::Ok();
}

}  // namespace

Result<CatalogSnapshot> SnapshotConnector(Workspace& workspace, const std::string& connector_name) {
  Catalog& catalog = workspace.catalog();
  ASSIGN_OR_RETURN(ConnectorDef connector, catalog.GetConnector(connector_name));
  ASSIGN_OR_RETURN(ConnectorTypeDef type, catalog.GetConnectorType(connector.type));
  if (type.kind != "declared" && type.kind != "integration") {
    return Status(ErrorKind::kInvalidArgument,
                  ConnectorLabel(connector.name) + " (type '" + type.name + "') is a " + type.kind +
                      " source, which cannot run distributed: only declared connector types and table "
                      "integrations travel to workers");
  }
  CatalogSnapshot snapshot;
  Value& out = snapshot.catalog;
  out["format"] = kFormat;
  out["type"] = {{"name", type.name},
                 {"description", type.description},
                 {"version", type.version},
                 {"config_schema", type.config_schema},
                 {"registered", type.registered},
                 {"kind", type.kind}};
  Value entities = Value::array();
  ASSIGN_OR_RETURN(std::vector<EntityDef> listed, catalog.ListEntities(type.name, Catalog::EntityOrder::kDefinition));
  for (const EntityDef& entity : listed) {
    entities.push_back({{"name", entity.name},
                        {"description", entity.description},
                        {"fields", entity.fields},
                        {"cursor", entity.cursor},
                        {"parent", entity.parent},
                        {"applies_offset", entity.applies_offset},
                        {"handler", HandlerValue(entity.handler)}});
  }
  out["entities"] = std::move(entities);
  Value actions = Value::array();
  ASSIGN_OR_RETURN(std::vector<ActionDef> listed_actions, catalog.ListActions(type.name));
  for (const ActionDef& action : listed_actions) {
    actions.push_back({{"name", action.name},
                       {"description", action.description},
                       {"parameters", action.parameters},
                       {"handler", HandlerValue(action.handler)}});
  }
  out["actions"] = std::move(actions);
  out["connector"] = {{"name", connector.name},
                      {"type", connector.type},
                      {"config", connector.config},
                      {"options", connector.options},
                      {"enabled", connector.enabled}};
  std::set<std::string> names = SecretNamesIn(connector.config);
  names.merge(SecretNamesIn(connector.options));
  Result<Value> sealed = workspace.secrets().ExportSealed({names.begin(), names.end()});
  if (!sealed.ok()) {
    return sealed.TakeStatus().WithContext(ConnectorLabel(connector.name) +
                                           " names it in a {{secrets.…}} template");
  }
  out["secrets"] = std::move(sealed).value();

  if (type.kind == "integration") {
    std::error_code error;
    if (!fs::is_directory(type.integration, error)) {
      return Status(ErrorKind::kNotFound, "the integration folder '" + type.integration + "' of " +
                                              ConnectorLabel(connector.name) + " does not exist");
    }
    std::vector<ArchiveEntry> files;
    uint64_t total = 0;
    RETURN_IF_ERROR(CollectFolder(type.integration, "", 0, total, files, connector.name));
    Result<std::string> archive = WriteArchive(std::move(files));
    if (!archive.ok()) {
      return archive.TakeStatus().WithContext("the integration folder of " + ConnectorLabel(connector.name));
    }
    snapshot.integration_archive = std::move(archive).value();
  }
  return snapshot;
}

Status RestoreSnapshot(Workspace& workspace, const CatalogSnapshot& snapshot, const std::string& scratch_dir) {
  const Value& in = snapshot.catalog;
  if (!in.is_object()) return Malformed("not an object");
  auto format = in.find("format");
  if (format == in.end() || !format->is_number_integer() || format->get<int64_t>() != kFormat) {
    return Status(ErrorKind::kInvalidArgument,
                  "the run's catalog snapshot has a format this build of Sluice does not read (it reads format " +
                      std::to_string(kFormat) + "): run workers of the submitter's version");
  }
  ASSIGN_OR_RETURN(Value type_value, Object(in, "type", "the snapshot"));
  ConnectorTypeDef type;
  ASSIGN_OR_RETURN(type.name, Text(type_value, "name", "the type"));
  std::string where = "type '" + type.name + "'";
  ASSIGN_OR_RETURN(type.description, Text(type_value, "description", where));
  ASSIGN_OR_RETURN(type.version, Text(type_value, "version", where));
  ASSIGN_OR_RETURN(type.config_schema, Object(type_value, "config_schema", where));
  ASSIGN_OR_RETURN(type.registered, Flag(type_value, "registered", where));
  ASSIGN_OR_RETURN(type.kind, Text(type_value, "kind", where));
  if (type.kind == "integration") {
    if (snapshot.integration_archive.empty()) return Malformed(where + " is a table integration without its archive");
    fs::path folder = fs::path(scratch_dir) / "integration";
    RETURN_IF_ERROR(UnpackIntegration(snapshot.integration_archive, folder));
    type.integration = folder.string();
  } else if (type.kind != "declared") {
    return Malformed(where + " is of kind '" + type.kind + "', which does not travel");
  }

  auto entities = in.find("entities");
  auto actions = in.find("actions");
  if (entities == in.end() || !entities->is_array()) return Malformed("'entities' must be an array");
  if (actions == in.end() || !actions->is_array()) return Malformed("'actions' must be an array");
  std::vector<EntityDef> entity_defs;
  for (const Value& value : *entities) {
    ASSIGN_OR_RETURN(EntityDef def, ReadEntity(value, type.name));
    entity_defs.push_back(std::move(def));
  }
  std::vector<ActionDef> action_defs;
  for (const Value& value : *actions) {
    ASSIGN_OR_RETURN(ActionDef def, ReadAction(value, type.name));
    action_defs.push_back(std::move(def));
  }
  ASSIGN_OR_RETURN(Value connector_value, Object(in, "connector", "the snapshot"));
  ConnectorDef connector;
  ASSIGN_OR_RETURN(connector.name, Text(connector_value, "name", "the connector"));
  ASSIGN_OR_RETURN(connector.type, Text(connector_value, "type", "the connector"));
  ASSIGN_OR_RETURN(connector.config, Object(connector_value, "config", "the connector"));
  ASSIGN_OR_RETURN(connector.options, Object(connector_value, "options", "the connector"));
  ASSIGN_OR_RETURN(connector.enabled, Flag(connector_value, "enabled", "the connector"));
  if (connector.type != type.name) return Malformed("the connector is not of the snapshot's type");
  auto secrets = in.find("secrets");
  if (secrets == in.end()) return Malformed("'secrets' is missing");

  Catalog& catalog = workspace.catalog();
  RETURN_IF_ERROR(catalog.PutConnectorType(type, /*or_replace=*/false));
  // Parents before children, whatever order the entities came in (a
  // replaced entity keeps its first place, which may be before its parent's).
  std::set<std::string> stored;
  while (stored.size() < entity_defs.size()) {
    size_t before = stored.size();
    for (const EntityDef& def : entity_defs) {
      if (stored.count(def.name) || (!def.parent.empty() && !stored.count(def.parent))) continue;
      RETURN_IF_ERROR(catalog.PutEntity(def, /*or_replace=*/false));
      stored.insert(def.name);
    }
    if (stored.size() == before) return Malformed("an entity's PARENT is missing or a loop");
  }
  for (const ActionDef& def : action_defs) RETURN_IF_ERROR(catalog.PutAction(def, /*or_replace=*/false));
  // Storing entities marked the type unregistered; the submitter's mark stands.
  RETURN_IF_ERROR(catalog.SetRegistered(type.name, type.registered));
  RETURN_IF_ERROR(workspace.secrets().ImportSealed(*secrets));
  return catalog.PutConnector(connector, /*or_replace=*/false);
}

}  // namespace sluice
