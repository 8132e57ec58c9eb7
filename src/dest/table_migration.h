// What a sync does to a destination table that may already exist: the one
// algorithm the SQLite and PostgreSQL destinations share, each rendering the
// result in its own SQL dialect.
//
//   no table                      → create it
//   not made by a sync, a column
//   of another type, or another
//   primary key                   → refuse, or with FORCE drop and recreate
//   otherwise                     → add the entity's columns it lacks
//
// Pure: the caller reads the existing table and runs the SQL.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "dest/destination.h"

namespace sluice {

struct TableMigration {
  enum class Kind {
    kCreate,    // no table yet
    kRecreate,  // drop it (and forget its sync state), then create it
    kAlter,     // keep it, adding the columns in `added` (maybe none)
  };
  Kind kind = Kind::kCreate;
  std::string problem;            // kRecreate: why the table could not stay
  std::vector<ColumnSpec> added;  // kAlter: the wanted columns the table lacks, in order

  // For the sync summary: "created", "recreated (…)", "added columns a, b",
  // or "" when nothing changed.
  std::string Describe() const;
};

// `existing` maps the table's column names to their types as the database
// reports them (empty: no table). `wanted_type` gives the type a FIELDS type
// must have there, in the same spelling. `existing_keys` reads the table's
// primary key columns in key order; it is called only when every column
// agrees (PostgreSQL needs a second query for them). Without `force`, a table
// that cannot stay is a kDestination error naming `table_label`.
Result<TableMigration> PlanTableMigration(
    const TableSpec& wanted, const std::map<std::string, std::string>& existing,
    const std::function<std::string(const std::string& field_type)>& wanted_type,
    const std::function<Result<std::vector<std::string>>()>& existing_keys, bool force,
    const std::string& table_label);

// CREATE TABLE `qualified_name` with the entity's columns in `column_type`'s
// types, then `sluice_columns` (the two _sluice_ columns in the dialect's
// types), and the entity's primary key if it has one.
std::string CreateTableSql(
    const TableSpec& table, const std::string& qualified_name,
    const std::function<std::string(const std::string& field_type)>& column_type,
    const std::string& sluice_columns);

}  // namespace sluice
