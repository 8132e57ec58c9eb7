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

#include "core/status.h"
#include "source/entity_provider.h"

namespace sluice {

inline constexpr const char* kEntityModuleName = "sluice_entity";

Status RegisterEntityModule(sqlite3* db, EntityProvider* provider);

// A name as a module argument of CREATE VIRTUAL TABLE … USING
// sluice_entity(…): an SQL string literal (inner quotes doubled), which the
// module reads back exactly.
std::string EntityModuleArgument(std::string_view name);

}  // namespace sluice
