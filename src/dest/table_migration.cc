#include "dest/table_migration.h"

#include "core/identifier.h"

namespace sluice {

std::string TableMigration::Describe() const {
  switch (kind) {
    case Kind::kCreate:
      return "created";
    case Kind::kRecreate:
      return "recreated (" + problem + ")";
    case Kind::kAlter: {
      std::string names;
      for (const ColumnSpec& column : added) names += (names.empty() ? "" : ", ") + column.name;
      return names.empty() ? "" : "added columns " + names;
    }
  }
  return "";
}

Result<TableMigration> PlanTableMigration(
    const TableSpec& wanted, const std::map<std::string, std::string>& existing,
    const std::function<std::string(const std::string& field_type)>& wanted_type,
    const std::function<Result<std::vector<std::string>>()>& existing_keys, bool force,
    const std::string& table_label) {
  TableMigration migration;
  if (existing.empty()) return migration;
  std::string problem;
  if (!existing.count("_sluice_source") || !existing.count("_sluice_synced_at")) {
    problem = "it exists and was not made by a sync";
  }
  for (const ColumnSpec& column : wanted.columns) {
    auto found = existing.find(column.name);
    if (found == existing.end() || !problem.empty()) continue;
    std::string type = wanted_type(column.type);
    if (found->second != type) {
      problem = "column '" + column.name + "' is " + found->second + " but field '" + column.name +
                "' (" + column.type + ") needs " + type;
    }
  }
  if (problem.empty()) {
    ASSIGN_OR_RETURN(std::vector<std::string> keys_now, existing_keys());
    std::vector<std::string> keys_wanted;
    for (const ColumnSpec& column : wanted.columns) {
      if (column.primary_key) keys_wanted.push_back(column.name);
    }
    if (keys_now != keys_wanted) problem = "its primary key differs from the entity's";
  }
  if (!problem.empty()) {
    if (!force) {
      return Status(ErrorKind::kDestination,
                    "table '" + table_label + "': " + problem +
                        "; add FORCE to drop and recreate it (its rows are lost)");
    }
    migration.kind = TableMigration::Kind::kRecreate;
    migration.problem = std::move(problem);
    return migration;
  }
  migration.kind = TableMigration::Kind::kAlter;
  for (const ColumnSpec& column : wanted.columns) {
    if (!existing.count(column.name)) migration.added.push_back(column);
  }
  return migration;
}

std::string CreateTableSql(
    const TableSpec& table, const std::string& qualified_name,
    const std::function<std::string(const std::string& field_type)>& column_type,
    const std::string& sluice_columns) {
  std::string sql = "CREATE TABLE " + qualified_name + " (";
  std::string keys;
  for (const ColumnSpec& column : table.columns) {
    sql += QuoteIdentifier(column.name) + " " + column_type(column.type) + ", ";
    if (column.primary_key) keys += (keys.empty() ? "" : ", ") + QuoteIdentifier(column.name);
  }
  sql += sluice_columns;
  if (!keys.empty()) sql += ", PRIMARY KEY (" + keys + ")";
  return sql + ")";
}

}  // namespace sluice
