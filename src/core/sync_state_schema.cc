#include "core/sync_state_schema.h"

#include <set>

namespace sluice {
namespace {

// Append only: a new column must have a default, so that older tables can
// take it with ALTER TABLE … ADD COLUMN.
constexpr SyncStateColumn kColumns[] = {
    {"connector", "TEXT NOT NULL", "text NOT NULL"},
    {"entity", "TEXT NOT NULL", "text NOT NULL"},
    {"destination", "TEXT NOT NULL", "text NOT NULL"},
    {"cursor_field", "TEXT", "text"},
    {"cursor_value", "TEXT", "text"},
    {"updated_at", "TEXT", "timestamptz"},
    {"boundary_keys", "TEXT NOT NULL DEFAULT '[]'", "text NOT NULL DEFAULT '[]'", true},
};

}  // namespace

std::span<const SyncStateColumn> SyncStateColumns() { return kColumns; }

std::string SyncStateCreateSql(std::string_view qualified_name, bool postgres) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + std::string(qualified_name) + " (";
  for (const SyncStateColumn& column : kColumns) {
    sql += std::string(column.name) + " " + (postgres ? column.postgres : column.sqlite) + ", ";
  }
  return sql + "PRIMARY KEY (connector, entity, destination))";
}

std::string PartitionStateCreateSql(std::string_view qualified_name, bool postgres) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + std::string(qualified_name) + " (";
  for (const SyncStateColumn& column : kColumns) {
    sql += std::string(column.name) + " " + (postgres ? column.postgres : column.sqlite) + ", ";
  }
  sql += std::string("partition ") + (postgres ? "text NOT NULL" : "TEXT NOT NULL") + ", ";
  return sql + "PRIMARY KEY (connector, entity, destination, partition))";
}

namespace {

Result<std::set<std::string>> SyncStateColumnsPresent(Database& db) {
  ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT name FROM pragma_table_info(?1)"));
  RETURN_IF_ERROR(stmt.BindText(1, kSyncStateTable));
  std::set<std::string> present;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    present.insert(stmt.ColumnText(0));
  }
  return present;
}

}  // namespace

Status EnsureSqliteSyncState(Database& db) {
  ASSIGN_OR_RETURN(std::set<std::string> present, SyncStateColumnsPresent(db));
  if (present.empty()) return db.RunStatement(SyncStateCreateSql(kSyncStateTable, false));
  for (const SyncStateColumn& column : kColumns) {
    if (!column.added_later && !present.count(column.name)) {
      return Status(ErrorKind::kInvalidArgument,
                    std::string("the table ") + kSyncStateTable + " here is not Sluice's sync state (it has no column " +
                        column.name + "); rename or drop it, or sync to another file");
    }
  }
  for (const SyncStateColumn& column : kColumns) {
    if (present.count(column.name)) continue;
    Status added = db.RunStatement(std::string("ALTER TABLE ") + kSyncStateTable + " ADD COLUMN " + column.name +
                                   " " + column.sqlite);
    if (added.ok()) continue;
    // Another process opening the same old file may have added it first.
    ASSIGN_OR_RETURN(present, SyncStateColumnsPresent(db));
    if (!present.count(column.name)) return added;
  }
  return Status::Ok();
}

}  // namespace sluice
