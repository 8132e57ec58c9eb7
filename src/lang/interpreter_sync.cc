// SYNC CONNECTOR …: choosing entities, destination, mode and write mode,
// reading each entity through its SQL table (so WHERE is pushed down and
// re-checked exactly as in a SELECT), handing the rows to the sync engine,
// and recording every run in _sluice_sync_runs.
#include <chrono>
#include <cstdio>
#include <set>

#include "core/time_util.h"
#include "dest/file_destination.h"
#include "dest/postgres_destination.h"
#include "dest/sqlite_destination.h"
#include "lang/interpreter.h"
#include "lang/sql_binding.h"
#include "query/coerce.h"
#include "sync/cron.h"
#include "sync/sync_engine.h"

namespace sluice {
namespace {

// Rows of one entity from its virtual table, in TableSpec column order.
class TableRows : public SyncRowStream {
 public:
  TableRows(Stmt stmt, ConnectorRegistry& connectors) : stmt_(std::move(stmt)), connectors_(connectors) {}

  Result<bool> Next(std::vector<Value>& row) override {
    Result<bool> has_row = stmt_.Step();
    if (!has_row.ok()) {
      // The handler's failure keeps its kind (auth_error, …), not "SQL error".
      Status engine = connectors_.TakeLastError();
      return engine.ok() ? has_row.TakeStatus() : engine;
    }
    if (!*has_row) return false;
    int columns = stmt_.ColumnCount();
    row.resize(columns);
    for (int i = 0; i < columns; ++i) row[i] = stmt_.ColumnValue(i);
    return true;
  }

 private:
  Stmt stmt_;
  ConnectorRegistry& connectors_;
};

// Rows straight from the handler, coerced as the SQL table would: the path
// when there is no WHERE, which keeps SQLite (and its connection) out of
// reading, so the writer thread has the connection to itself.
class HandlerRows : public SyncRowStream {
 public:
  HandlerRows(std::unique_ptr<RowSource> source, EntitySchema schema)
      : source_(std::move(source)), schema_(std::move(schema)) {}

  Result<bool> Next(std::vector<Value>& row) override {
    ASSIGN_OR_RETURN(std::optional<Value> next, source_->Next());
    if (!next) return false;
    ASSIGN_OR_RETURN(row, CoerceRow(schema_, *next, ++count_));
    if (schema_.has_parent) row.push_back(Value(source_->Parent().dump()));
    return true;
  }

 private:
  std::unique_ptr<RowSource> source_;
  EntitySchema schema_;
  int64_t count_ = 0;
};

std::string Rate(int64_t rows, std::chrono::microseconds elapsed) {
  double seconds = static_cast<double>(elapsed.count()) / 1e6;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", seconds > 0 ? static_cast<double>(rows) / seconds : 0.0);
  return buffer;
}

std::string SecondsText(std::chrono::microseconds elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", static_cast<double>(elapsed.count()) / 1e6);
  return buffer;
}

// Parents before their children, otherwise as declared.
std::vector<const EntityDef*> ParentsFirst(const std::vector<const EntityDef*>& chosen) {
  std::vector<const EntityDef*> ordered;
  std::set<std::string> placed, names;
  for (const EntityDef* entity : chosen) names.insert(entity->name);
  while (ordered.size() < chosen.size()) {
    size_t before = ordered.size();
    for (const EntityDef* entity : chosen) {
      if (placed.count(entity->name)) continue;
      if (!entity->parent.empty() && names.count(entity->parent) && !placed.count(entity->parent)) continue;
      ordered.push_back(entity);
      placed.insert(entity->name);
    }
    if (ordered.size() == before) break;  // a cycle: cannot happen for valid definitions
  }
  return ordered;
}

}  // namespace

Result<std::unique_ptr<Destination>> Interpreter::SyncDestination(const ast::SyncStmt& sync) {
  switch (sync.target) {
    case ast::SyncTarget::kWorkspace:
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
  auto text = [&](const char* key) -> Result<std::string> {
    if (!config.contains(key) || !config[key].is_string()) {
      return Status(ErrorKind::kInvalidArgument,
                    "destination '" + def.name + "' (" + def.type + ") needs CONFIG {\"" + key + "\": \"…\"}");
    }
    return config[key].get<std::string>();
  };
  if (def.type == "sqlite") {
    ASSIGN_OR_RETURN(std::string path, text("path"));
    ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(path));
    return std::unique_ptr<Destination>(std::move(file));
  }
  if (def.type == "jsonl" || def.type == "csv") {
    ASSIGN_OR_RETURN(std::string path, text("path"));
    ASSIGN_OR_RETURN(auto files, FileDestination::Open(def.name, path, def.type == "csv" ? FileFormat::kCsv
                                                                                        : FileFormat::kJsonl));
    return std::unique_ptr<Destination>(std::move(files));
  }
  ASSIGN_OR_RETURN(auto postgres, PostgresDestination::Connect(def.name, config));
  return std::unique_ptr<Destination>(std::move(postgres));
}

Status Interpreter::ScheduleSync(const ast::SyncStmt& sync, const ast::Statement& statement) {
  Result<CronSchedule> cron = CronSchedule::Parse(*sync.schedule);
  if (!cron.ok()) return cron.TakeStatus();
  if (!workspace_.catalog().GetConnector(sync.connector.text).ok()) {
    return Status(ErrorKind::kNotFound, "connector '" + sync.connector.text + "' does not exist")
        .At(sync.connector.span.begin);
  }
  ASSIGN_OR_RETURN(Stmt put, workspace_.db().Prepare(
                                 "INSERT INTO _sluice_sync_schedules (connector, statement, cron, created_at) "
                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (connector, statement) DO UPDATE SET "
                                 "cron = excluded.cron"));
  RETURN_IF_ERROR(put.BindText(1, sync.connector.text));
  RETURN_IF_ERROR(put.BindText(2, std::string(statement.span.Text())));
  RETURN_IF_ERROR(put.BindText(3, *sync.schedule));
  RETURN_IF_ERROR(put.BindText(4, FormatTimestamp(NowMicros())));
  RETURN_IF_ERROR(put.Run());
  output_.Print("scheduled '" + *sync.schedule + "' (UTC): `sluice scheduler` runs it when due");
  return Status::Ok();
}

Status Interpreter::ExecuteSync(const ast::SyncStmt& sync, const ast::Statement& statement) {
  if (sync.schedule && !running_schedules_) return ScheduleSync(sync, statement);
  Catalog& catalog = workspace_.catalog();
  Result<ConnectorDef> connector = catalog.GetConnector(sync.connector.text);
  if (!connector.ok()) return connector.TakeStatus().At(sync.connector.span.begin);
  ASSIGN_OR_RETURN(std::vector<EntityDef> entities, catalog.ListEntities(connector->type));
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
  ASSIGN_OR_RETURN(std::unique_ptr<Destination> destination, SyncDestination(sync));

  ResultSet summary;
  summary.title = "sync " + connector->name + " → " + destination->Name();
  summary.columns = {"entity", "table", "mode", "write_mode", "rows_read", "rows_written", "rows_deleted",
                     "seconds", "rows_per_s", "status"};
  Status first_failure;
  for (const EntityDef* entity : ParentsFirst(chosen)) {
    Status status = SyncOneEntity(sync, *connector, *entity, *destination, summary);
    if (!status.ok() && first_failure.ok()) first_failure = std::move(status);
  }
  connectors_.ClearSyncOptions();
  output_.Emit(summary);
  return first_failure;
}

Status Interpreter::SyncOneEntity(const ast::SyncStmt& sync, const ConnectorDef& connector, const EntityDef& entity,
                                  Destination& destination, ResultSet& summary) {
  EntitySyncPlan plan;
  plan.table.connector = connector.name;
  plan.table.entity = entity.name;
  plan.table.name = connector.name + "_" + entity.name;
  plan.synced_at = FormatTimestamp(NowMicros());
  plan.force = sync.force;
  // OPTIONS.batch_size: rows per destination transaction.
  if (connector.options.contains("batch_size") && connector.options["batch_size"].is_number_integer() &&
      connector.options["batch_size"].get<int64_t>() > 0) {
    plan.batch_rows = static_cast<size_t>(connector.options["batch_size"].get<int64_t>());
  }
  std::string where_label = connector.name + "." + entity.name;
  auto fail_early = [&](Status status) {
    summary.rows.push_back({Value(entity.name), Value(plan.table.name), Value(), Value(), Value(0), Value(0),
                            Value(0), Value(), Value(), Value("failed: " + status.message())});
    return status.WithContext("sync " + where_label);
  };

  ASSIGN_OR_RETURN(EntitySchema schema, connectors_.Schema(connector.name, entity.name));
  for (const EntityField& field : schema.fields) {
    const Value& spec = entity.fields.contains(field.name) ? entity.fields[field.name] : Value::object();
    bool key = spec.is_object() && spec.value("primary_key", false);
    plan.table.columns.push_back({field.name, field.type, key});
  }
  if (schema.has_parent) plan.table.columns.push_back({"_parent", "document", false});

  plan.cursor_field = sync.incremental_field.value_or(entity.cursor);
  bool incremental = sync.mode == ast::SyncMode::kIncremental ||
                     (sync.mode == ast::SyncMode::kDefault && !entity.cursor.empty());
  if (incremental && plan.cursor_field.empty()) {
    return fail_early(Status(ErrorKind::kInvalidArgument,
                             "entity '" + entity.name + "' has no CURSOR: write INCREMENTAL ON field, or FULL"));
  }
  if (!plan.cursor_field.empty()) {
    const EntityField* cursor = nullptr;
    for (const EntityField& field : schema.fields) {
      if (field.name == plan.cursor_field) cursor = &field;
    }
    if (!cursor) {
      return fail_early(Status(ErrorKind::kNotFound, "cursor field '" + plan.cursor_field +
                                                         "' is not a field of entity '" + entity.name + "'"));
    }
    plan.cursor_type = cursor->type;
    plan.cursor_ordered = cursor->sortable;
  }
  plan.incremental = incremental;
  bool keyed = plan.table.HasPrimaryKey();
  if (sync.write_mode) {
    plan.write_mode = *WriteModeFromName(*sync.write_mode);
  } else {
    // An incremental run upserts where the destination can, else appends.
    plan.write_mode = !incremental ? WriteMode::kOverwriteDeleteStale
                                   : (keyed && destination.AbsorbsRepeats() ? WriteMode::kOverwrite
                                                                            : WriteMode::kAppend);
  }
  if (plan.write_mode == WriteMode::kOverwrite && !keyed) {
    return fail_early(Status(ErrorKind::kInvalidArgument,
                             "entity '" + entity.name + "' has no primary key, so 'overwrite' cannot upsert: "
                             "use 'append' or 'overwrite-delete-stale' (full replacement)"));
  }
  if (plan.write_mode == WriteMode::kOverwriteDeleteStale && incremental) {
    return fail_early(Status(ErrorKind::kInvalidArgument,
                             "'overwrite-delete-stale' needs a FULL sync: an incremental run does not see every "
                             "row, so it cannot tell which are stale"));
  }

  // The entity's table, with the statement's WHERE bound like a SELECT's.
  ASSIGN_OR_RETURN(std::optional<std::string> table, EntityTable(connector.name, entity.name));
  std::string columns;
  for (const ColumnSpec& column : plan.table.columns) {
    columns += (columns.empty() ? "" : ", ") + QuoteIdentifier(column.name);
  }
  std::string sql = "SELECT " + columns + " FROM temp." + QuoteIdentifier(*table);
  std::vector<Value> params;
  if (sync.where) {
    ASSIGN_OR_RETURN(BoundSql bound, BindVariables(*sync.where, variables_));
    sql += " WHERE (" + bound.text + ")";
    params = std::move(bound.params);
  }

  // The run is on record before it starts, so a killed one shows as such.
  const std::string mode_name = incremental ? "incremental" : "full";
  ASSIGN_OR_RETURN(Stmt interrupted, workspace_.db().Prepare(
                                         "UPDATE _sluice_sync_runs SET status = 'interrupted' WHERE status = "
                                         "'running' AND connector = ?1 AND entity = ?2 AND destination = ?3"));
  RETURN_IF_ERROR(interrupted.BindText(1, connector.name));
  RETURN_IF_ERROR(interrupted.BindText(2, entity.name));
  RETURN_IF_ERROR(interrupted.BindText(3, destination.Name()));
  RETURN_IF_ERROR(interrupted.Run());
  ASSIGN_OR_RETURN(Stmt record, workspace_.db().Prepare(
                                    "INSERT INTO _sluice_sync_runs (connector, entity, destination, table_name, "
                                    "mode, write_mode, status, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                    "'running', ?7)"));
  RETURN_IF_ERROR(record.BindText(1, connector.name));
  RETURN_IF_ERROR(record.BindText(2, entity.name));
  RETURN_IF_ERROR(record.BindText(3, destination.Name()));
  RETURN_IF_ERROR(record.BindText(4, plan.table.name));
  RETURN_IF_ERROR(record.BindText(5, mode_name));
  RETURN_IF_ERROR(record.BindText(6, WriteModeName(plan.write_mode)));
  RETURN_IF_ERROR(record.BindText(7, plan.synced_at));
  RETURN_IF_ERROR(record.Run());
  int64_t run_id = workspace_.db().LastInsertRowid();

  OpenSyncRows open_rows = [&](const std::optional<SyncState>& state) -> Result<std::unique_ptr<SyncRowStream>> {
    Value extra = Value::object();
    if (state && !state->cursor_value.is_null()) {
      extra["cursor"] = Value{{"field", plan.cursor_field}, {"value", state->cursor_value}};
    }
    if (plan.cursor_ordered) extra["order_by"] = Value::array({Value{{"field", plan.cursor_field}, {"desc", false}}});
    // Set for the scan either way: it also keeps a sync away from the query cache.
    connectors_.SetSyncOptions(connector.name, entity.name, std::move(extra));
    if (!sync.where) {
      ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source,
                       connectors_.Scan(connector.name, entity.name, Value::object(), Value::object(), Value()));
      return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(std::move(source), schema));
    }
    ASSIGN_OR_RETURN(Stmt stmt, workspace_.db().Prepare(sql));
    for (size_t i = 0; i < params.size(); ++i) RETURN_IF_ERROR(stmt.Bind(static_cast<int>(i + 1), params[i]));
    (void)connectors_.TakeLastError();
    return std::unique_ptr<SyncRowStream>(std::make_unique<TableRows>(std::move(stmt), connectors_));
  };
  auto last_shown = std::chrono::steady_clock::now();
  auto started = last_shown;
  SyncProgress progress = [&](const EntitySyncReport& so_far, bool done) {
    auto now = std::chrono::steady_clock::now();
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - started);
    std::string line = "sync " + where_label + ": " + std::to_string(so_far.rows_written) + " rows written, " +
                       std::to_string(so_far.batches) + " batches, " + Rate(so_far.rows_written, elapsed) +
                       " rows/s, " + SecondsText(elapsed) + " s";
    if (output_.ShowsProgress()) {
      if (done) {
        output_.Progress("");
      } else if (now - last_shown > std::chrono::milliseconds(100)) {
        output_.Progress(line);
        last_shown = now;
      }
    } else if (!done) {
      output_.Log(line);
    }
  };
  EntitySyncReport report = SyncEntity(destination, plan, open_rows, progress);

  ASSIGN_OR_RETURN(Stmt finish, workspace_.db().Prepare(
                                    "UPDATE _sluice_sync_runs SET status = ?2, rows_read = ?3, rows_written = ?4, "
                                    "rows_deleted = ?5, duration_ms = ?6, finished_at = ?7, error = ?8 WHERE id = ?1"));
  RETURN_IF_ERROR(finish.BindInt(1, run_id));
  RETURN_IF_ERROR(finish.BindText(2, report.status.ok() ? "ok" : "failed"));
  RETURN_IF_ERROR(finish.BindInt(3, report.rows_read));
  RETURN_IF_ERROR(finish.BindInt(4, report.rows_written));
  RETURN_IF_ERROR(finish.BindInt(5, report.rows_deleted));
  RETURN_IF_ERROR(finish.BindInt(6, report.elapsed.count() / 1000));
  RETURN_IF_ERROR(finish.BindText(7, FormatTimestamp(NowMicros())));
  if (report.status.ok()) {
    RETURN_IF_ERROR(finish.BindNull(8));
  } else {
    RETURN_IF_ERROR(finish.BindText(8, report.status.ToString()));
  }
  RETURN_IF_ERROR(finish.Run());

  std::string status = report.status.ok() ? "ok" : "failed: " + report.status.ToString();
  if (report.status.ok() && !report.migration.empty()) status += " (table " + report.migration + ")";
  summary.rows.push_back({Value(entity.name), Value(plan.table.name), Value(mode_name),
                          Value(WriteModeName(plan.write_mode)), Value(report.rows_read),
                          Value(report.rows_written), Value(report.rows_deleted), Value(SecondsText(report.elapsed)),
                          Value(Rate(report.rows_written, report.elapsed)), Value(status)});
  if (report.status.ok()) return Status::Ok();
  return report.status.WithContext("sync " + where_label);
}

}  // namespace sluice
