#include "catalog/sync_runs.h"

#include "core/secret_masker.h"

namespace sluice {

Result<int64_t> SyncRuns::Start(const SyncRunStart& run, int64_t distributed_run) {
  ASSIGN_OR_RETURN(Stmt record,
                   db_.Prepare("INSERT INTO _sluice_sync_runs (connector, entity, destination, table_name, mode, "
                               "write_mode, status, started_at, distributed_run, type_version) VALUES (?1, ?2, ?3, ?4, "
                               "?5, ?6, 'running', ?7, ?9, CASE WHEN ?8 != '' THEN ?8 ELSE COALESCE("
                               "(SELECT p.version FROM _sluice_packages p JOIN _sluice_connectors c ON c.type = "
                               "p.type WHERE c.name = ?1), "
                               "(SELECT t.version FROM _sluice_connector_types t JOIN _sluice_connectors c ON "
                               "c.type = t.name WHERE c.name = ?1), '') END)"));
  RETURN_IF_ERROR(record.BindText(1, run.connector));
  RETURN_IF_ERROR(record.BindText(2, run.entity));
  RETURN_IF_ERROR(record.BindText(3, run.destination));
  RETURN_IF_ERROR(record.BindText(4, run.table));
  RETURN_IF_ERROR(record.BindText(5, run.mode));
  RETURN_IF_ERROR(record.BindText(6, run.write_mode));
  RETURN_IF_ERROR(record.BindText(7, run.started_at));
  RETURN_IF_ERROR(record.BindText(8, run.type_version));
  if (distributed_run > 0) {
    RETURN_IF_ERROR(record.BindInt(9, distributed_run));
  } else {
    RETURN_IF_ERROR(record.BindNull(9));
  }
  RETURN_IF_ERROR(record.Run());
  return db_.LastInsertRowid();
}

Status SyncRuns::MarkInterrupted(const std::string& connector, const std::string& entity,
                                 const std::string& destination, int64_t except_run) {
  ASSIGN_OR_RETURN(Stmt interrupted, db_.Prepare("UPDATE _sluice_sync_runs SET status = 'interrupted' WHERE status = "
                                                 "'running' AND connector = ?1 AND entity = ?2 AND destination = ?3 "
                                                 "AND id != ?4"));
  RETURN_IF_ERROR(interrupted.BindText(1, connector));
  RETURN_IF_ERROR(interrupted.BindText(2, entity));
  RETURN_IF_ERROR(interrupted.BindText(3, destination));
  RETURN_IF_ERROR(interrupted.BindInt(4, except_run));
  return interrupted.Run();
}

Status SyncRuns::Finish(int64_t run, const SyncRunEnd& end, const std::string& outcome, const std::string& units) {
  ASSIGN_OR_RETURN(Stmt finish, db_.Prepare("UPDATE _sluice_sync_runs SET status = ?2, rows_read = ?3, rows_written = "
                                            "?4, rows_deleted = ?5, duration_ms = ?6, finished_at = ?7, error = ?8, "
                                            "error_kind = ?9, units = ?10 WHERE id = ?1"));
  RETURN_IF_ERROR(finish.BindInt(1, run));
  RETURN_IF_ERROR(finish.BindText(2, !outcome.empty() ? outcome : end.status.ok() ? "ok" : "failed"));
  RETURN_IF_ERROR(finish.BindInt(3, end.rows_read));
  RETURN_IF_ERROR(finish.BindInt(4, end.rows_written));
  RETURN_IF_ERROR(finish.BindInt(5, end.rows_deleted));
  RETURN_IF_ERROR(finish.BindInt(6, end.duration_ms));
  if (end.finished_at.empty()) {
    RETURN_IF_ERROR(finish.BindNull(7));
  } else {
    RETURN_IF_ERROR(finish.BindText(7, end.finished_at));
  }
  if (units.empty()) {
    RETURN_IF_ERROR(finish.BindNull(10));
  } else {
    RETURN_IF_ERROR(finish.BindText(10, units));
  }
  if (end.status.ok()) {
    RETURN_IF_ERROR(finish.BindNull(8));
    RETURN_IF_ERROR(finish.BindNull(9));
  } else {
    RETURN_IF_ERROR(finish.BindText(9, ErrorKindName(end.status.kind())));
    // The workspace file is not an output, but it must not hold a secret
    // a handler put in its error message either.
    RETURN_IF_ERROR(finish.BindText(8, SecretMasker::Global().Mask(end.status.ToString())));
  }
  return finish.Run();
}

Result<SyncRunRows> SyncRuns::List(const std::string& connector) {
  std::string sql =
      "SELECT id, connector, entity, destination, table_name AS \"table\", mode, write_mode, started_at, "
      "duration_ms, rows_read, rows_written, rows_deleted, status, error, type_version, distributed_run, units "
      "FROM _sluice_sync_runs";
  if (!connector.empty()) sql += " WHERE connector = ?1";
  sql += " ORDER BY id DESC LIMIT 100";
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(sql));
  if (!connector.empty()) RETURN_IF_ERROR(stmt.BindText(1, connector));
  SyncRunRows result;
  for (int i = 0; i < stmt.ColumnCount(); ++i) result.columns.push_back(stmt.ColumnName(i));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::vector<Value> values;
    for (int i = 0; i < stmt.ColumnCount(); ++i) values.push_back(stmt.ColumnValue(i));
    result.rows.push_back(std::move(values));
  }
  return result;
}

Result<std::optional<DistributedRunRecord>> SyncRuns::FindDistributed(std::optional<int64_t> run) {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("SELECT distributed_run, connector, destination FROM _sluice_sync_runs "
                                          "WHERE distributed_run IS NOT NULL AND (?1 IS NULL OR distributed_run = ?1) "
                                          "ORDER BY id DESC LIMIT 1"));
  if (run) {
    RETURN_IF_ERROR(stmt.BindInt(1, *run));
  } else {
    RETURN_IF_ERROR(stmt.BindNull(1));
  }
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<DistributedRunRecord>();
  return std::optional<DistributedRunRecord>(
      DistributedRunRecord{stmt.ColumnInt(0), stmt.ColumnText(1), stmt.ColumnText(2)});
}

Status SyncSchedules::Put(const std::string& connector, const std::string& statement, const std::string& cron,
                          const std::string& created_at) {
  ASSIGN_OR_RETURN(Stmt put, db_.Prepare("INSERT INTO _sluice_sync_schedules (connector, statement, cron, created_at) "
                                         "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (connector, statement) DO UPDATE SET "
                                         "cron = excluded.cron"));
  RETURN_IF_ERROR(put.BindText(1, connector));
  RETURN_IF_ERROR(put.BindText(2, statement));
  RETURN_IF_ERROR(put.BindText(3, cron));
  RETURN_IF_ERROR(put.BindText(4, created_at));
  return put.Run();
}

Result<std::vector<SyncSchedule>> SyncSchedules::List() {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("SELECT id, connector, statement, cron, last_run FROM _sluice_sync_schedules "
                                          "ORDER BY id"));
  std::vector<SyncSchedule> schedules;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    schedules.push_back(
        {stmt.ColumnInt(0), stmt.ColumnText(1), stmt.ColumnText(2), stmt.ColumnText(3), stmt.ColumnText(4)});
  }
  return schedules;
}

Status SyncSchedules::MarkRun(int64_t id, const std::string& minute) {
  ASSIGN_OR_RETURN(Stmt mark, db_.Prepare("UPDATE _sluice_sync_schedules SET last_run = ?2 WHERE id = ?1"));
  RETURN_IF_ERROR(mark.BindInt(1, id));
  RETURN_IF_ERROR(mark.BindText(2, minute));
  return mark.Run();
}

}  // namespace sluice
