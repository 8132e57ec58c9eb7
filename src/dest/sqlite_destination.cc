#include "dest/sqlite_destination.h"

#include <filesystem>
#include <map>

#include "core/sync_state_schema.h"
#include "dest/table_migration.h"

namespace sluice {
namespace {

struct ExistingColumn {
  std::string type;
  int pk_position = 0;  // 0: not part of the primary key
};

Result<std::map<std::string, ExistingColumn>> TableColumns(Database& db, const std::string& table) {
  ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT name, type, pk FROM pragma_table_info(?1)"));
  RETURN_IF_ERROR(stmt.BindText(1, table));
  std::map<std::string, ExistingColumn> columns;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    columns[stmt.ColumnText(0)] = {stmt.ColumnText(1), static_cast<int>(stmt.ColumnInt(2))};
  }
  return columns;
}

class SqliteTableWriter : public TableWriter {
 public:
  SqliteTableWriter(Database& db, std::string state_key) : db_(db), state_key_(std::move(state_key)) {}
  ~SqliteTableWriter() override {
    if (in_transaction_) (void)db_.Exec("ROLLBACK");
  }

  Status Open(const TableSpec& table, const OpenOptions& options, TableLock lock) {
    lock_ = std::move(lock);
    table_ = table;
    options_ = options;
    RETURN_IF_ERROR(Migrate());
    std::string names, marks, updates, keys;
    int index = 1;
    for (const ColumnSpec& column : table_.columns) {
      std::string quoted = QuoteIdentifier(column.name);
      names += quoted + ", ";
      marks += "?" + std::to_string(index++) + ", ";
      if (column.primary_key) {
        keys += (keys.empty() ? "" : ", ") + quoted;
      } else {
        updates += quoted + " = excluded." + quoted + ", ";
      }
    }
    std::string sql = "INSERT INTO " + QuoteIdentifier(table_.name) + " (" + names +
                      "_sluice_source, _sluice_synced_at) VALUES (" + marks + "?" + std::to_string(index) + ", ?" +
                      std::to_string(index + 1) + ")";
    if (!keys.empty()) {
      // Append keeps the row already there: at an incremental boundary, the
      // same row arrives again.
      sql += options_.mode == WriteMode::kAppend
                 ? " ON CONFLICT (" + keys + ") DO NOTHING"
                 : " ON CONFLICT (" + keys + ") DO UPDATE SET " + updates +
                       "_sluice_source = excluded._sluice_source, _sluice_synced_at = excluded._sluice_synced_at";
    }
    ASSIGN_OR_RETURN(insert_, db_.Prepare(sql));
    source_index_ = index;
    RETURN_IF_ERROR(insert_.BindText(source_index_, table_.connector));
    RETURN_IF_ERROR(insert_.BindText(source_index_ + 1, options_.synced_at));
    return Status::Ok();
  }

  Status Write(const std::vector<Value>& row) override {
    if (!in_transaction_) RETURN_IF_ERROR(Begin());
    // The row outlives the insert: its text is bound without a copy.
    for (size_t i = 0; i < row.size(); ++i) RETURN_IF_ERROR(insert_.BindBorrowed(static_cast<int>(i + 1), row[i]));
    Status run = insert_.Run();
    insert_.Reset();
    return run;
  }

  Status Commit(const SyncState* state) override {
    if (!in_transaction_ && !state) return Status::Ok();
    if (!in_transaction_) RETURN_IF_ERROR(Begin());
    if (state) {
      ASSIGN_OR_RETURN(Stmt put, db_.Prepare(
                                     "INSERT OR REPLACE INTO _sluice_sync_state (connector, entity, destination, "
                                     "cursor_field, cursor_value, updated_at, boundary_keys) VALUES (?1, ?2, ?3, ?4, "
                                     "?5, ?6, ?7)"));
      RETURN_IF_ERROR(put.BindText(1, table_.connector));
      RETURN_IF_ERROR(put.BindText(2, table_.entity));
      RETURN_IF_ERROR(put.BindText(3, state_key_));
      RETURN_IF_ERROR(put.BindText(4, state->cursor_field));
      RETURN_IF_ERROR(put.BindText(5, state->cursor_value.dump()));
      RETURN_IF_ERROR(put.BindText(6, options_.synced_at));
      RETURN_IF_ERROR(put.BindText(7, state->boundary_keys.dump()));
      RETURN_IF_ERROR(put.Run());
    }
    Status committed = db_.Exec("COMMIT");
    if (committed.ok()) in_transaction_ = false;
    return committed;
  }

  Result<int64_t> DeleteStale() override {
    ASSIGN_OR_RETURN(Stmt stale, db_.Prepare("DELETE FROM " + QuoteIdentifier(table_.name) +
                                             " WHERE _sluice_source = ?1 AND _sluice_synced_at IS NOT ?2"));
    RETURN_IF_ERROR(stale.BindText(1, table_.connector));
    RETURN_IF_ERROR(stale.BindText(2, options_.synced_at));
    RETURN_IF_ERROR(stale.Run());
    return static_cast<int64_t>(db_.Changes());
  }

  std::string Migration() const override { return migration_; }

 private:
  Status Begin() {
    RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    in_transaction_ = true;
    return Status::Ok();
  }

  Status Migrate() {
    ASSIGN_OR_RETURN(auto existing, TableColumns(db_, table_.name));
    std::map<std::string, std::string> types;
    for (const auto& [name, column] : existing) types[name] = column.type;
    auto keys = [&]() -> Result<std::vector<std::string>> {
      std::map<int, std::string> by_position;
      for (const auto& [name, column] : existing) {
        if (column.pk_position > 0) by_position[column.pk_position] = name;
      }
      std::vector<std::string> names;
      for (const auto& [position, name] : by_position) names.push_back(name);
      return names;
    };
    ASSIGN_OR_RETURN(TableMigration migration,
                     PlanTableMigration(table_, types, SqliteDestination::ColumnType, keys, options_.force,
                                        table_.name));
    migration_ = migration.Describe();
    if (migration.kind == TableMigration::Kind::kRecreate) {
      RETURN_IF_ERROR(db_.RunStatement("DROP TABLE " + QuoteIdentifier(table_.name)));
      ASSIGN_OR_RETURN(Stmt forget, db_.Prepare("DELETE FROM _sluice_sync_state WHERE destination = ?1"));
      RETURN_IF_ERROR(forget.BindText(1, state_key_));
      RETURN_IF_ERROR(forget.Run());
    }
    if (migration.kind != TableMigration::Kind::kAlter) {
      return db_.RunStatement(CreateTableSql(table_, QuoteIdentifier(table_.name), SqliteDestination::ColumnType,
                                             "_sluice_source TEXT NOT NULL, _sluice_synced_at TEXT NOT NULL"));
    }
    for (const ColumnSpec& column : migration.added) {
      RETURN_IF_ERROR(db_.RunStatement("ALTER TABLE " + QuoteIdentifier(table_.name) + " ADD COLUMN " +
                                       QuoteIdentifier(column.name) + " " +
                                       SqliteDestination::ColumnType(column.type)));
    }
    return Status::Ok();
  }

  Database& db_;
  std::string state_key_;
  TableLock lock_;  // held while the writer lives
  TableSpec table_;
  OpenOptions options_;
  Stmt insert_;
  int source_index_ = 0;
  bool in_transaction_ = false;
  std::string migration_;
};

}  // namespace

const char* SqliteDestination::ColumnType(const std::string& field_type) {
  if (field_type == "integer" || field_type == "boolean") return "INTEGER";
  if (field_type == "number") return "REAL";
  return "TEXT";
}

std::unique_ptr<SqliteDestination> SqliteDestination::ForWorkspace(Database& workspace) {
  return std::unique_ptr<SqliteDestination>(new SqliteDestination("workspace", &workspace));
}

Result<std::unique_ptr<SqliteDestination>> SqliteDestination::OpenFile(const std::string& path,
                                                                      const std::string& name) {
  std::unique_ptr<SqliteDestination> destination(new SqliteDestination(name.empty() ? path : name, nullptr));
  ASSIGN_OR_RETURN(destination->owned_, Database::OpenUnshared(path));
  destination->db_ = &destination->owned_;
  // Files synced to before schema v3 get the columns they lack.
  Status schema = EnsureSqliteSyncState(*destination->db_);
  if (!schema.ok()) return Status(ErrorKind::kDestination, "destination '" + path + "': " + schema.message());
  return destination;
}

Result<std::unique_ptr<TableWriter>> SqliteDestination::OpenTable(const TableSpec& table, const OpenOptions& options) {
  RETURN_IF_ERROR(RefusePartitionedWrite(name_, "sqlite", table, options));
  TableLock lock;
  const std::string& path = db_->path();
  if (!path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0) {
    // One lock file per database file, however it was named: two runs
    // reaching it through a symbolic link or `a/../` must meet.
    std::error_code ignored;
    std::filesystem::path real = std::filesystem::weakly_canonical(path, ignored);
    std::string lock_path = (real.empty() ? path : real.string()) + ".sync-lock";
    ASSIGN_OR_RETURN(lock, TableLock::Acquire(lock_path, table.name,
                                              name_ == "workspace" ? "the workspace" : "'" + name_ + "'"));
  }
  auto writer = std::make_unique<SqliteTableWriter>(*db_, table.name);
  Status opened = writer->Open(table, options, std::move(lock));
  if (!opened.ok()) {
    return opened.kind() == ErrorKind::kSql ? Status(ErrorKind::kDestination, opened.message()) : opened;
  }
  return std::unique_ptr<TableWriter>(std::move(writer));
}

Result<std::optional<SyncState>> SqliteDestination::ReadState(const TableSpec& table) {
  ASSIGN_OR_RETURN(Stmt stmt, db_->Prepare("SELECT cursor_field, cursor_value, boundary_keys FROM _sluice_sync_state "
                                           "WHERE connector = ?1 AND entity = ?2 AND destination = ?3"));
  RETURN_IF_ERROR(stmt.BindText(1, table.connector));
  RETURN_IF_ERROR(stmt.BindText(2, table.entity));
  RETURN_IF_ERROR(stmt.BindText(3, table.name));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<SyncState>();
  SyncState state;
  state.cursor_field = stmt.ColumnText(0);
  state.cursor_value = Value::parse(stmt.ColumnText(1), nullptr, false);
  state.boundary_keys = Value::parse(stmt.ColumnText(2), nullptr, false);
  if (state.cursor_value.is_discarded()) state.cursor_value = Value();
  if (!state.boundary_keys.is_array()) state.boundary_keys = Value::array();
  return std::optional<SyncState>(std::move(state));
}

}  // namespace sluice
