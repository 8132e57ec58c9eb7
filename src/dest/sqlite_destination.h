// SqliteDestination: sync into SQLite — the workspace itself (the default)
// or another database file (`SYNC … TO 'file.db'`, `TYPE 'sqlite'`).
//
// Tables are created from FIELDS (TEXT, INTEGER, REAL; timestamps as
// ISO-8601 TEXT, documents and arrays as JSON TEXT) with the primary key as
// their PRIMARY KEY, so upserts are `INSERT … ON CONFLICT DO UPDATE`. New
// fields add columns; a field whose storage type changed, or a changed
// primary key, stops with an error unless forced (then the table is made
// anew). Sync state lives in `_sluice_sync_state` of the same database and
// is written in the same transaction as the rows.
//
// Ownership: the workspace form borrows its Database; the file form owns one.
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "core/sqlite.h"
#include "dest/destination.h"

namespace sluice {

class SqliteDestination : public Destination {
 public:
  // The workspace: its `_sluice_sync_state` catalog table holds the state.
  static std::unique_ptr<SqliteDestination> ForWorkspace(Database& workspace);
  // Another file, created if missing, with a `_sluice_sync_state` of its own.
  // `name` is how runs name it (default: the path); a second connection to
  // the workspace file, for entities syncing at once, passes "workspace".
  static Result<std::unique_ptr<SqliteDestination>> OpenFile(const std::string& path, const std::string& name = "");

  std::string Name() const override { return name_; }
  Result<std::unique_ptr<TableWriter>> OpenTable(const TableSpec& table, const OpenOptions& options) override;
  Result<std::optional<SyncState>> ReadState(const TableSpec& table) override;

  // The SQLite storage type a FIELDS type is written as.
  static const char* ColumnType(const std::string& field_type);

 private:
  SqliteDestination(std::string name, Database* db) : name_(std::move(name)), db_(db) {}

  std::string name_;
  Database owned_;
  Database* db_;
};

}  // namespace sluice
