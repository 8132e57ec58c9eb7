#include "sync/handler_rows.h"

#include "query/coerce.h"

namespace sluice {

Result<bool> HandlerRows::Next(std::vector<Value>& row) {
  ASSIGN_OR_RETURN(std::optional<Value> next, source_->Next());
  if (!next) return false;
  ASSIGN_OR_RETURN(row, CoerceRow(schema_, std::move(*next), ++count_));
  if (schema_.has_parent) row.push_back(Value(source_->Parent().dump()));
  return true;
}

}  // namespace sluice
