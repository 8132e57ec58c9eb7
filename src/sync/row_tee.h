// One scan of a parent entity read by its own sync and by its children's,
// so syncing both scans the parent once. Each reader has a position; rows
// wait in the buffer only until the slowest reader still reading has them,
// and whoever needs a row not yet read pulls it from the scan.
//
// Thread-safety: one thread (the driver's, which steps every reader).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "source/entity_provider.h"  // RowSource

namespace sluice {

class RowTee {
 public:
  // Readers: 0 is the parent's own sync; Add() gives one per child.
  RowTee() : positions_(1, 0), reading_(1, true) {}
  size_t Add();
  void SetSource(std::unique_ptr<RowSource> source) { source_ = std::move(source); }
  // A reader that stopped (its run ended or failed) no longer holds rows.
  void Drop(size_t reader);
  // How many rows `reader` is ahead of the slowest other reader.
  size_t Lead(size_t reader) const;
  // The next row for `reader`, with its parent row (for a child entity).
  Result<std::optional<std::pair<Value, Value>>> Next(size_t reader);

  // One reader's view, as a scan.
  class Reader : public RowSource {
   public:
    Reader(std::shared_ptr<RowTee> tee, size_t reader) : tee_(std::move(tee)), reader_(reader) {}
    Result<std::optional<Value>> Next() override;
    Value Parent() const override { return parent_; }

   private:
    std::shared_ptr<RowTee> tee_;
    size_t reader_;
    Value parent_;
  };

 private:
  void Trim();

  std::unique_ptr<RowSource> source_;
  std::deque<std::pair<Value, Value>> buffer_;  // rows from index base_ on
  size_t base_ = 0;
  std::vector<size_t> positions_;
  std::vector<bool> reading_;
  bool ended_ = false;
  Status failure_;
};

}  // namespace sluice
