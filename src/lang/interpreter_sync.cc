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
#include "sync/cron.h"
#include "sync/sync_driver.h"

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
  SyncAdapter adapter(*this, sync, connector->name, *source);
  if (source->multi_table()) request.resolver = &adapter;
  SyncRuns runs(workspace_.db());
  SyncDriver driver(adapter, runs, [this](const SyncProgressEvent& event) { output_.SyncProgress(event); });
  std::vector<SyncOutcome> outcomes;
  Status first_failure = driver.Run(request, *destination, outcomes);

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
  output_.Emit(summary);
  output_.SyncProgressEnd();
  return first_failure;
}

}  // namespace sluice

namespace sluice {

Status Interpreter::RunSyncUnit(const UnitSync&, std::vector<SyncOutcome>&) {
  return Status(ErrorKind::kNotImplemented, "work units are not built yet");
}

}  // namespace sluice
