#include "sync/handler_rows.h"

#include "query/coerce.h"

namespace sluice {

Result<std::vector<Value>> HandlerRows::Coerce(Value item) {
  ASSIGN_OR_RETURN(std::vector<Value> row, CoerceRow(schema_, std::move(item), ++count_));
  if (schema_.has_parent) row.push_back(Value(source_->Parent().dump()));
  return row;
}

Result<bool> HandlerRows::Next(std::vector<Value>& row) {
  ASSIGN_OR_RETURN(std::optional<Value> next, source_->Next());
  if (!next) return false;
  ASSIGN_OR_RETURN(row, Coerce(std::move(*next)));
  return true;
}

bool HandlerRows::PushTo(Handler handle) {
  return source_->PushTo([this, handle = std::move(handle)](Value item) {
    // The run keeps why it stopped; the stream only needs to stop.
    if (!handle(Coerce(std::move(item)))) return Status(ErrorKind::kConnector, "the sync stopped reading rows");
    return Status::Ok();
  });
}

}  // namespace sluice
