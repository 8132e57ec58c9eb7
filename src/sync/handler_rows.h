// Rows straight from the handler, coerced as the SQL table would: the path
// when there is no WHERE, which keeps SQLite (and its connection) out of
// reading, so the writer thread has the connection to itself.
#pragma once

#include <memory>
#include <vector>

#include "source/entity_provider.h"
#include "sync/sync_engine.h"

namespace sluice {

class HandlerRows : public SyncRowStream {
 public:
  HandlerRows(std::unique_ptr<RowSource> source, EntitySchema schema)
      : source_(std::move(source)), schema_(std::move(schema)) {}

  Result<bool> Next(std::vector<Value>& row) override;
  bool PushTo(Handler handle) override;

 private:
  Result<std::vector<Value>> Coerce(Value item);

  std::unique_ptr<RowSource> source_;
  EntitySchema schema_;
  int64_t count_ = 0;
};

}  // namespace sluice
