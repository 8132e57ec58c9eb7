// The table `_sluice_sync_state` (a sync's cursor per connector, entity and
// destination), declared once. It lives in three kinds of database: the
// workspace (its versioned migrations in catalog/workspace.cc reach this
// shape, which a unit test checks), another SQLite file used as a
// destination, and a PostgreSQL schema (dest/). In core because catalog/ and
// dest/ both need it and neither may include the other.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/sqlite.h"
#include "core/status.h"

namespace sluice {

inline constexpr char kSyncStateTable[] = "_sluice_sync_state";

struct SyncStateColumn {
  const char* name;
  const char* sqlite;    // its declaration in SQLite
  const char* postgres;  // and in PostgreSQL
  // A column older versions of the table lack, which ALTER TABLE adds; any
  // other missing column means the table is not Sluice's.
  bool added_later = false;
};

// The current columns, in order; the key is (connector, entity, destination).
std::span<const SyncStateColumn> SyncStateColumns();

// CREATE TABLE IF NOT EXISTS `qualified_name` (…) in SQLite's or
// PostgreSQL's types.
std::string SyncStateCreateSql(std::string_view qualified_name, bool postgres);

// The marks of partitioned writers (TableSpec::partition): the columns of
// `_sluice_sync_state` and `partition text NOT NULL`, keyed by (connector,
// entity, destination, partition). A table of its own, so the workspace's
// and older destinations' state tables need no new key.
inline constexpr char kPartitionStateTable[] = "_sluice_partition_state";
std::string PartitionStateCreateSql(std::string_view qualified_name, bool postgres);

// Brings the SQLite file's `_sluice_sync_state` to the current shape: creates
// it, or adds the columns an older one lacks (boundary_keys came in schema
// v3: a destination file synced to before then has none). Writes nothing
// when the table is current. A table of that name that lacks a column every
// version had is someone else's: an error, and left as it is.
Status EnsureSqliteSyncState(Database& db);

}  // namespace sluice
