// SYNC CONNECTOR …: the statement's translation into a run of the sync
// driver (sync/sync_driver.h) — its entities chosen by name, its
// destination, its WHERE bound like a SELECT's (lang/sync_adapter.h) — and
// its summary; SYNC … SCHEDULE stores the statement to run when due.
#include "catalog/sync_runs.h"
#include "core/time_util.h"
#include "dest/destination_registry.h"
#include "dest/sqlite_destination.h"
#include "lang/interpreter.h"
#include "lang/sync_adapter.h"
#include "source/source.h"
#include "sync/cron.h"
#include "sync/sync_driver.h"
#include "sync/work_units.h"

namespace sluice {

Result<std::unique_ptr<Destination>> Interpreter::SyncDestination(const ast::SyncStmt& sync, bool own_connection) {
  switch (sync.target) {
    case ast::SyncTarget::kWorkspace:
      if (own_connection) {
        ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(workspace_.path(), "workspace"));
        return std::unique_ptr<Destination>(std::move(file));
      }
      return std::unique_ptr<Destination>(SqliteDestination::ForWorkspace(workspace_.db()));
    case ast::SyncTarget::kFile: {
      ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(sync.target_name));
      return std::unique_ptr<Destination>(std::move(file));
    }
    case ast::SyncTarget::kDestination:
      break;
  }
  ASSIGN_OR_RETURN(DestinationDef def, workspace_.catalog().GetDestination(sync.target_name));
  ASSIGN_OR_RETURN(Value config, connectors_.ResolveDestinationConfig(def.config, "destination '" + def.name + "'"));
  return DestinationRegistry::Builtin().Open(def.name, def.type, config);
}

Status Interpreter::ScheduleSync(const ast::SyncStmt& sync, const ast::Statement& statement) {
  Result<CronSchedule> cron = CronSchedule::Parse(*sync.schedule);
  if (!cron.ok()) return cron.TakeStatus();
  if (!workspace_.catalog().GetConnector(sync.connector.text).ok()) {
    return Status(ErrorKind::kNotFound, "connector '" + sync.connector.text + "' does not exist")
        .At(sync.connector.span.begin);
  }
  RETURN_IF_ERROR(SyncSchedules(workspace_.db())
                      .Put(sync.connector.text, std::string(statement.span.Text()), *sync.schedule,
                           FormatTimestamp(NowMicros())));
  output_.Print("scheduled '" + *sync.schedule + "' (UTC): `sluice scheduler` runs it when due");
  return Status::Ok();
}

namespace {

// SYNC … SHARD i/N: the statement's work units (sync/work_units.h), those
// of this shard synced one after another, each on its own with its
// partition — so its stale rows are only that partition's (or the whole
// entity's, unpartitioned), and shards running at once never delete each
// other's rows. `note` gets the line saying which units this shard had;
// the first failure is returned once every unit has been tried.
Status RunShard(const ast::SyncStmt& sync, const SyncRequest& request, const std::vector<EntityDef>& entities,
                Source& source, SyncDriver& driver, Destination& destination, std::vector<SyncOutcome>& outcomes,
                std::string& note) {
  Result<ShardSpec> shard = ParseShard(*sync.shard);
  if (!shard.ok()) return shard.TakeStatus();
  Partitioner* partitioner = source.partitioner();
  ASSIGN_OR_RETURN(std::vector<WorkUnit> units,
                   PlanWorkUnits(request.connector.name, request.chosen,
                                 [&](const EntityDef& root) -> Result<std::optional<std::vector<Partition>>> {
                                   if (!partitioner) return std::optional<std::vector<Partition>>();
                                   return partitioner->Partitions(root);
                                 }));
  std::vector<const WorkUnit*> mine;
  for (const WorkUnit& unit : units) {
    if (InShard(unit, *shard)) mine.push_back(&unit);
  }
  note = "shard " + *sync.shard + ": " + std::to_string(mine.size()) + " of " +
                     std::to_string(units.size()) + (units.size() == 1 ? " unit" : " units");
  if (mine.empty()) {
    note += " (nothing to sync in this shard: every unit falls in another)";
  } else {
    std::string labels;
    constexpr size_t kListed = 8;
    for (size_t i = 0; i < mine.size() && i < kListed; ++i) {
      const WorkUnit& unit = *mine[i];
      labels += (labels.empty() ? "" : ", ") + unit.entity;
      if (unit.partition) labels += "[" + unit.partition->id + "]";
    }
    if (mine.size() > kListed) labels += ", …";
    note += " (" + labels + ")";
  }
  Status first_failure;
  for (const WorkUnit* unit : mine) {
    SyncRequest part = request;
    part.partition = unit->partition;
    part.chosen.clear();
    for (const std::string& name : unit->entities) {
      for (const EntityDef& entity : entities) {
        if (entity.name == name) part.chosen.push_back(&entity);
      }
    }
    size_t before = outcomes.size();
    Status status = driver.Run(part, destination, outcomes);
    if (unit->partition) {
      for (size_t i = before; i < outcomes.size(); ++i) outcomes[i].entity += "[" + unit->partition->id + "]";
    }
    if (!status.ok() && first_failure.ok()) {
      first_failure = unit->partition ? std::move(status).WithContext("partition '" + unit->partition->id + "'")
                                      : std::move(status);
    }
  }
  return first_failure;
}

}  // namespace

Status Interpreter::ExecuteSync(const ast::SyncStmt& sync, const ast::Statement& statement) {
  if (sync.schedule && !running_schedules_) return ScheduleSync(sync, statement);
  Catalog& catalog = workspace_.catalog();
  Result<ConnectorDef> connector = catalog.GetConnector(sync.connector.text);
  if (!connector.ok()) return connector.TakeStatus().At(sync.connector.span.begin);
  Result<std::vector<EntityDef>> listed = connectors_.Entities(connector->name);
  if (!listed.ok()) return listed.TakeStatus().At(sync.connector.span.begin);
  std::vector<EntityDef> entities = std::move(listed).value();
  std::vector<const EntityDef*> chosen;
  std::vector<ast::Name> asked = sync.entities;
  if (sync.entity) asked.push_back(*sync.entity);
  for (const ast::Name& name : asked) {
    const EntityDef* found = nullptr;
    for (const EntityDef& entity : entities) {
      if (entity.name == name.text) found = &entity;
    }
    if (!found) {
      return Status(ErrorKind::kNotFound, "connector '" + connector->name + "' (type '" + connector->type +
                                              "') has no entity '" + name.text + "'")
          .At(name.span.begin);
    }
    chosen.push_back(found);
  }
  if (asked.empty()) {
    for (const EntityDef& entity : entities) chosen.push_back(&entity);
  }
  if (chosen.empty()) {
    return Status(ErrorKind::kNotFound, "connector type '" + connector->type + "' has no entities to sync");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Destination> destination, SyncDestination(sync, false));
  ASSIGN_OR_RETURN(Source * source, connectors_.Get(connector->name));

  SyncRequest request;
  request.connector = *connector;
  request.chosen = std::move(chosen);
  request.choices.mode = sync.mode == ast::SyncMode::kFull          ? SyncModeChoice::kFull
                         : sync.mode == ast::SyncMode::kIncremental ? SyncModeChoice::kIncremental
                                                                    : SyncModeChoice::kDefault;
  request.choices.incremental_field = sync.incremental_field;
  if (sync.write_mode) request.choices.write_mode = WriteModeFromName(*sync.write_mode);
  request.choices.has_where = sync.where.has_value();
  request.choices.force = sync.force;
  request.own_connections =
      !sync.where && !(sync.target == ast::SyncTarget::kWorkspace && workspace_.path() == ":memory:");
  if (sync.distributed) {
    // The parser refuses these; a statement built otherwise still is not run.
    if (sync.where) {
      return Status(ErrorKind::kInvalidArgument, "a distributed run syncs whole entities: leave WHERE out");
    }
    return SubmitDistributedSync(sync, statement, request, *source);
  }
  SyncAdapter adapter(*this, sync, connector->name, *source);
  if (source->multi_table()) request.resolver = &adapter;
  SyncRuns runs(workspace_.db());
  SyncDriver driver(adapter, runs, [this](const SyncProgressEvent& event) { output_.SyncProgress(event); });
  std::vector<SyncOutcome> outcomes;
  Status first_failure;
  std::string note;
  if (sync.shard) {
    first_failure = RunShard(sync, request, entities, *source, driver, *destination, outcomes, note);
  } else {
    first_failure = driver.Run(request, *destination, outcomes);
  }

  ResultSet summary;
  summary.title = "sync " + connector->name + " → " + destination->Name();
  summary.columns = {"entity", "table", "mode", "write_mode", "rows_read", "rows_written", "rows_deleted",
                     "seconds", "rows_per_s", "status"};
  for (const SyncOutcome& o : outcomes) {
    if (!o.ran) {
      summary.rows.push_back({Value(o.entity), Value(o.table), Value(), Value(), Value(0), Value(0), Value(0),
                              Value(), Value(), Value(o.status)});
      continue;
    }
    summary.rows.push_back({Value(o.entity), Value(o.table), Value(o.mode), Value(o.write_mode), Value(o.rows_read),
                            Value(o.rows_written), Value(o.rows_deleted), Value(o.seconds), Value(o.rows_per_s),
                            Value(o.status)});
  }
  if (!note.empty()) output_.Print(note);
  if (!summary.rows.empty() || note.empty()) output_.Emit(summary);
  output_.SyncProgressEnd();
  return first_failure;
}


}  // namespace sluice

namespace sluice {

namespace {

// DistributedRunSpec::choices back into the statement's choices; what is
// not understood is refused (a run written by a newer submitter).
Result<SyncChoices> ChoicesFromValue(const Value& value) {
  SyncChoices choices;
  if (!value.is_object()) return Status(ErrorKind::kInvalidArgument, "the run's choices are not an object");
  auto mode = value.find("mode");
  if (mode != value.end() && !mode->is_null()) {
    if (!mode->is_string()) return Status(ErrorKind::kInvalidArgument, "the run's mode is not a string");
    const std::string& name = mode->get_ref<const std::string&>();
    if (name == "full") {
      choices.mode = SyncModeChoice::kFull;
    } else if (name == "incremental") {
      choices.mode = SyncModeChoice::kIncremental;
    } else if (name != "default") {
      return Status(ErrorKind::kInvalidArgument, "the run's mode '" + name + "' is unknown");
    }
  }
  auto field = value.find("incremental_field");
  if (field != value.end() && !field->is_null()) {
    if (!field->is_string()) {
      return Status(ErrorKind::kInvalidArgument, "the run's incremental_field is not a string");
    }
    choices.incremental_field = field->get<std::string>();
  }
  auto write_mode = value.find("write_mode");
  if (write_mode != value.end() && !write_mode->is_null()) {
    std::optional<WriteMode> parsed;
    if (write_mode->is_string()) parsed = WriteModeFromName(write_mode->get_ref<const std::string&>());
    if (!parsed) return Status(ErrorKind::kInvalidArgument, "the run's write_mode is unknown");
    choices.write_mode = parsed;
  }
  auto force = value.find("force");
  if (force != value.end() && !force->is_null()) {
    if (!force->is_boolean()) return Status(ErrorKind::kInvalidArgument, "the run's force is not a boolean");
    choices.force = force->get<bool>();
  }
  return choices;
}

}  // namespace

Status Interpreter::RunSyncUnit(const UnitSync& unit, std::vector<SyncOutcome>& outcomes) {
  std::string label = "connector '" + unit.connector + "'";
  if (unit.partition) label += ", partition '" + unit.partition->id + "'";
  if (!unit.destination) return Status(ErrorKind::kInternal, label + ": a work unit without a destination");
  if (unit.entities.empty()) return Status(ErrorKind::kInvalidArgument, label + ": a work unit without entities");
  ASSIGN_OR_RETURN(ConnectorDef connector, workspace_.catalog().GetConnector(unit.connector));
  ASSIGN_OR_RETURN(std::vector<EntityDef> entities, connectors_.Entities(connector.name));
  SyncRequest request;
  request.connector = connector;
  for (const std::string& name : unit.entities) {
    const EntityDef* found = nullptr;
    for (const EntityDef& entity : entities) {
      if (entity.name == name) found = &entity;
    }
    if (!found) {
      return Status(ErrorKind::kNotFound, "connector '" + connector.name + "' (type '" + connector.type +
                                              "') has no entity '" + name + "' (the run's catalog differs)");
    }
    request.chosen.push_back(found);
  }
  Result<SyncChoices> choices = ChoicesFromValue(unit.choices);
  if (!choices.ok()) return choices.TakeStatus().WithContext(label);
  request.choices = *choices;
  request.partition = unit.partition;
  request.fence = unit.fence;
  request.synced_at = unit.synced_at;
  request.defer_stale = true;
  // Every entity on the worker's one connection: its fence is checked there.
  request.own_connections = false;
  ASSIGN_OR_RETURN(Source * source, connectors_.Get(connector.name));
  // The adapter reads the statement for its WHERE (none) and, with own
  // connections, its target (not used: the worker's destination is given).
  ast::SyncStmt sync;
  sync.connector.text = connector.name;
  SyncAdapter adapter(*this, sync, connector.name, *source);
  if (source->multi_table()) request.resolver = &adapter;
  SyncRuns runs(workspace_.db());
  SyncDriver driver(adapter, runs, [this](const SyncProgressEvent& event) { output_.SyncProgress(event); });
  Status status = driver.Run(request, *unit.destination, outcomes);
  output_.SyncProgressEnd();
  return status;
}

}  // namespace sluice
