// The SQLite virtual-table module that makes connector entities queryable
// as tables (DESIGN.md §4: pushdown is advice, correctness is the engine's).
//
// Each `connector.entity` a statement uses becomes a temp virtual table
// `"connector.entity"` USING sluice_entity(connector, entity): one column per
// field (in FIELDS order, typed as DESIGN.md §3 maps them) and a hidden `_raw`
// column holding the whole row as JSON, for fields beyond FIELDS.
//
// xBestIndex passes every usable constraint under the BINARY collation to
// the handler (`filters` for equalities and IN lists, `options.conditions`
// for all) and never omits one: SQLite re-checks every row. LIMIT/OFFSET are
// taken only when every constraint is an equality on a filterable field and
// no sorting remains; then OFFSET goes to the handler only if it declared it
// applies it (EntitySchema::applies_offset), else the cursor skips the rows
// and the handler's limit counts them. A negative LIMIT is no limit. ORDER BY
// is left to the handler only on sortable fields. The rowid comes from the
// primary key (coerce.h RowidOf), never from a row's position.
//
// Ownership: the provider must outlive the connection's use of the module.
// Thread-safety: as the SQLite connection.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "core/sqlite.h"
#include "core/status.h"
#include "source/entity_provider.h"
#include "source/scan_request.h"

namespace sluice {

inline constexpr const char* kEntityModuleName = "sluice_entity";

// The module's state on one connection: the provider its tables scan, and
// the engine error behind the last SQLITE_ERROR one of them returned, so a
// statement can fail with its kind (auth_error, …) rather than as SQL.
// Owned by the caller, which must keep it (and the provider) alive while
// tables of the module exist on the connection.
class EntityModule {
 public:
  explicit EntityModule(EntityProvider& provider) : provider_(provider) {}

  EntityProvider& provider() { return provider_; }
  // Before a statement runs: no earlier statement's error stands.
  void ClearError() { last_error_ = Status::Ok(); }
  // What a failed step of a statement over entity tables stands for: the
  // engine error behind it when a scan failed, else `step_error` itself.
  Status ErrorOf(Status step_error);
  // The module's callbacks record a scan's failure here.
  void RecordError(Status error) { last_error_ = std::move(error); }
  Status TakeError();

 private:
  EntityProvider& provider_;
  Status last_error_;
};

Status RegisterEntityModule(sqlite3* db, EntityModule* module);

// Creates temp.`table` (replacing one of that name) over connector.entity
// such that every scan of it starts from `base`: its cursor, its order_by
// (over any the statement pushes) and whether the query cache may answer.
// A sync that reads through SQL (SYNC … WHERE) scans such a table.
Status CreateEntityScanTable(Database& db, const std::string& table, const std::string& connector,
                             const std::string& entity, const ScanRequest& base);

// A name as a module argument of CREATE VIRTUAL TABLE … USING
// sluice_entity(…): an SQL string literal (inner quotes doubled), which the
// module reads back exactly.
std::string EntityModuleArgument(std::string_view name);

}  // namespace sluice
