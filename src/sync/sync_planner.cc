#include "sync/sync_planner.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "catalog/connector_options.h"

namespace sluice {

std::string SyncTableName(const ConnectorDef& connector, const std::string& entity) {
  std::string name = OptionText(connector.options, "sync_table");
  for (auto [marker, value] : {std::pair<std::string, std::string>{"{connector}", connector.name},
                               std::pair<std::string, std::string>{"{entity}", entity}}) {
    for (size_t at = name.find(marker); at != std::string::npos; at = name.find(marker, at + value.size())) {
      name.replace(at, marker.size(), value);
    }
  }
  return name;
}

Result<std::string> PlanSyncTable(const ConnectorDef& connector, const std::string& entity) {
  std::string name = SyncTableName(connector, entity);
  // Sluice's own tables (secrets, runs, marks) share the workspace with
  // synced ones: a connector named `_sluice`, or a sync_table of
  // `_sluice_{entity}`, would otherwise let a FORCE run replace them.
  std::string prefix = name.substr(0, 7);
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return std::tolower(c); });
  if (prefix == "_sluice") {
    return Status(ErrorKind::kInvalidArgument,
                  "table '" + name +
                      "': names starting with '_sluice' are Sluice's own; choose another OPTIONS.sync_table "
                      "or connector name");
  }
  return name;
}

bool IsFullRun(const SyncChoices& choices, const EntityDef& entity) {
  return choices.mode == SyncModeChoice::kFull || (choices.mode == SyncModeChoice::kDefault && entity.cursor.empty());
}

Result<PlannedEntitySync> PlanEntitySync(const SyncChoices& choices, const ConnectorDef& connector,
                                         const EntityDef& entity, const EntitySchema& schema, bool absorbs_repeats,
                                         const std::string& synced_at) {
  PlannedEntitySync planned;
  EntitySyncPlan& plan = planned.plan;
  plan.table.connector = connector.name;
  plan.table.entity = entity.name;
  ASSIGN_OR_RETURN(plan.table.name, PlanSyncTable(connector, entity.name));
  plan.synced_at = synced_at;
  plan.force = choices.force;
  // OPTIONS.batch_size: rows per destination transaction.
  if (int64_t batch_rows = OptionInt(connector.options, "batch_size"); batch_rows > 0) {
    plan.batch_rows = static_cast<size_t>(batch_rows);
  }
  for (const EntityField& field : schema.fields) {
    const Value& spec = entity.fields.contains(field.name) ? entity.fields[field.name] : Value::object();
    bool key = spec.is_object() && spec.value("primary_key", false);
    plan.table.columns.push_back({field.name, field.type, key});
  }
  if (schema.has_parent) plan.table.columns.push_back({"_parent", "document", false});

  plan.cursor_field = choices.incremental_field.value_or(entity.cursor);
  bool incremental = choices.mode == SyncModeChoice::kIncremental ||
                     (choices.mode == SyncModeChoice::kDefault && !entity.cursor.empty());
  if (incremental && plan.cursor_field.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "entity '" + entity.name + "' has no CURSOR: write INCREMENTAL ON field, or FULL");
  }
  if (!plan.cursor_field.empty()) {
    const EntityField* cursor = nullptr;
    for (const EntityField& field : schema.fields) {
      if (field.name == plan.cursor_field) cursor = &field;
    }
    if (!cursor) {
      return Status(ErrorKind::kNotFound,
                    "cursor field '" + plan.cursor_field + "' is not a field of entity '" + entity.name + "'");
    }
    plan.cursor_type = cursor->type;
    plan.cursor_ordered = cursor->sortable;
  }
  plan.incremental = incremental;
  bool keyed = plan.table.HasPrimaryKey();
  if (choices.write_mode) {
    plan.write_mode = *choices.write_mode;
    // Rows outside the filter are not read, so they would all look stale.
    if (choices.has_where && plan.write_mode == WriteMode::kOverwriteDeleteStale) {
      return Status(ErrorKind::kInvalidArgument,
                    "'overwrite-delete-stale' cannot go with WHERE: the rows WHERE leaves out would all "
                    "be deleted as stale; use 'overwrite' (the default with WHERE) or 'append'");
    }
  } else {
    // An incremental or filtered run does not see every row: it upserts
    // where the destination can, else appends, and never deletes.
    plan.write_mode = !incremental && !choices.has_where ? WriteMode::kOverwriteDeleteStale
                      : keyed && absorbs_repeats         ? WriteMode::kOverwrite
                                                         : WriteMode::kAppend;
    if (choices.has_where && !incremental) {
      planned.note = std::string("WHERE: write mode '") + WriteModeName(plan.write_mode) + "', stale rows kept";
    }
  }
  if (plan.write_mode == WriteMode::kOverwrite && !keyed) {
    return Status(ErrorKind::kInvalidArgument,
                  "entity '" + entity.name + "' has no primary key, so 'overwrite' cannot upsert: "
                  "use 'append' or 'overwrite-delete-stale' (full replacement)");
  }
  if (plan.write_mode == WriteMode::kOverwriteDeleteStale && incremental) {
    return Status(ErrorKind::kInvalidArgument,
                  "'overwrite-delete-stale' needs a FULL sync: an incremental run does not see every "
                  "row, so it cannot tell which are stale");
  }
  planned.mode_name = incremental ? "incremental" : "full";
  return planned;
}

}  // namespace sluice
