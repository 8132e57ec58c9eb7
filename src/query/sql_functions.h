// SQL functions Sluice adds to SQLite, so WHERE clauses over connectors read
// as DESIGN.md §3 writes them:
//
//   now()                    the current time, ISO-8601 UTC text
//   sluice_shift(ts, s)      ts moved by s seconds (what `ts - INTERVAL '7d'` becomes)
//   match(item, container)   `container CONTAINS item` (rewritten to MATCH):
//                            membership in a JSON array, or a substring
#pragma once

#include <sqlite3.h>

#include "core/status.h"

namespace sluice {

Status RegisterSqlFunctions(sqlite3* db);

}  // namespace sluice
