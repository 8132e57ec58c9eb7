// Coercion of handler rows to an entity's FIELDS types, as SQLite stores
// them (DESIGN.md §3): TEXT, INTEGER, REAL, INTEGER 0/1, ISO-8601 TEXT for
// timestamps and dates, JSON TEXT for documents and arrays.
//
// A value that cannot be coerced is an error naming the connector, entity,
// field, row number and value — never a silent NULL.
#pragma once

#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "source/entity_provider.h"

namespace sluice {

// One row's cells in field order. Only fields marked in `used` (all when
// empty) are coerced; the others are left NULL, as the query never reads
// them. `row_number` counts from 1 within the scan, for messages.
Result<std::vector<Value>> CoerceRow(const EntitySchema& schema, const Value& row, int64_t row_number,
                                     const std::vector<bool>& used = {});
// The same, taking the row's values rather than copying them.
Result<std::vector<Value>> CoerceRow(const EntitySchema& schema, Value&& row, int64_t row_number,
                                     const std::vector<bool>& used = {});

// The rowid of a live table's row, the same whatever was pushed down: a
// single integer primary key is the rowid itself (as SQLite's INTEGER
// PRIMARY KEY); any other key is hashed (64-bit FNV-1a of its coerced
// values as JSON, made non-negative). An entity without a primary key, or
// a row missing its key, is an error: a rowid made up from the row's
// position would change with every filter, LIMIT or OFFSET.
Result<int64_t> RowidOf(const EntitySchema& schema, const Value& row, int64_t row_number);

// One value to a field type; the message says what was wrong, without context.
Result<Value> CoerceValue(const std::string& type, const Value& value);

}  // namespace sluice
