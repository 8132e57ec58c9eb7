// Rows already in memory, as a scan: what the query cache replays, and
// what test sources answer with.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "source/entity_provider.h"

namespace sluice {

class VectorRows : public RowSource {
 public:
  // With `limit`, only the first `limit` rows (the LIMIT a handler would
  // have applied to a scan the cache answers).
  explicit VectorRows(std::vector<Value> rows, std::optional<int64_t> limit = std::nullopt)
      : rows_(std::move(rows)), end_(rows_.size()) {
    if (limit) end_ = std::min(end_, static_cast<size_t>(std::max<int64_t>(0, *limit)));
  }
  Result<std::optional<Value>> Next() override {
    if (next_ >= end_) return std::optional<Value>();
    return std::optional<Value>(std::move(rows_[next_++]));
  }

 private:
  std::vector<Value> rows_;
  size_t end_;
  size_t next_ = 0;
};

}  // namespace sluice
