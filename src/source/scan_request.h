// ScanRequest: everything one scan of one entity is asked, as a struct —
// what the live table pushed down, what a sync adds (its cursor and order),
// the parent row of a child call, and whether the query cache may answer.
// HandlerOptions() is the one place it becomes a handler's `options`
// object, so every source hands its handlers the same shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/value.h"

namespace sluice {

struct ScanOrder {
  std::string field;
  bool desc = false;
};

struct ScanRequest {
  // Equalities (and IN lists) the handler may apply: {field: value}.
  Value filters = Value::object();
  // Every pushed constraint, [{field, op, value}]; absent outside SQL.
  std::optional<Value> conditions;
  // Fields the consumer reads (options.fields); absent outside SQL.
  std::optional<std::vector<std::string>> fields;
  // When set, all the consumer reads of each row: rows may then hold just
  // these fields (the rest of what the handler returns is never converted).
  // Unset means whole rows (for _raw, for instance).
  std::optional<std::vector<std::string>> only_fields;
  // Rows the handler may stop after; counts the `offset` rows the engine
  // skips itself.
  std::optional<int64_t> limit;
  // Rows the consumer skips (SQLite applies it; handlers are not given it).
  int64_t offset = 0;
  // ORDER BY the handler may apply (sortable fields only).
  std::vector<ScanOrder> order_by;
  // A sync's incremental cursor: rows after `value` of `field`.
  struct Cursor {
    std::string field;
    Value value;
  };
  std::optional<Cursor> cursor;
  // A child entity's parent row (null: every parent's rows).
  Value parent;
  // The query cache (OPTIONS.cache_ttl) may answer; a sync's scans may not.
  bool use_cache = true;
  // A child entity scanned with no parent row reads its parent entity
  // whole: whether the cache may answer that scan. A sync of the child may
  // reuse parents a query cached, unless the same statement syncs the
  // parent too (its rows are then newer than anything cached).
  bool parents_use_cache = true;
  // A distributed or sharded run's partition (source.h Partition::spec):
  // the handler reads only that part of the entity (options.partition).
  std::optional<Value> partition;
  // A new dimension of a scan is a new member here and a key in
  // HandlerOptions(), not a new argument anywhere.
};

// The handler's `options`. Keys come in the order handlers have always
// received them: fields, conditions, order_by, limit for a scan from SQL;
// a sync's cursor, then its order_by, after what SQL pushed.
Value HandlerOptions(const ScanRequest& request);

}  // namespace sluice
