#include "sync/row_tee.h"

#include <algorithm>

namespace sluice {

size_t RowTee::Add() {
  positions_.push_back(base_);
  reading_.push_back(true);
  return positions_.size() - 1;
}

void RowTee::Drop(size_t reader) {
  reading_[reader] = false;
  Trim();
}

size_t RowTee::Lead(size_t reader) const {
  size_t slowest = positions_[reader];
  for (size_t i = 0; i < positions_.size(); ++i) {
    if (i != reader && reading_[i]) slowest = std::min(slowest, positions_[i]);
  }
  return positions_[reader] - slowest;
}

Result<std::optional<std::pair<Value, Value>>> RowTee::Next(size_t reader) {
  while (positions_[reader] - base_ >= buffer_.size()) {
    if (!failure_.ok()) return failure_;
    if (ended_) return std::optional<std::pair<Value, Value>>();
    if (!source_) return Status(ErrorKind::kConnector, "the parent entity's sync did not start");
    Result<std::optional<Value>> next = source_->Next();
    if (!next.ok()) {
      failure_ = next.status();
      continue;
    }
    if (!*next) {
      ended_ = true;
      continue;
    }
    buffer_.emplace_back(std::move(**next), source_->Parent());
  }
  std::pair<Value, Value> row = buffer_[positions_[reader] - base_];
  ++positions_[reader];
  Trim();
  return std::optional<std::pair<Value, Value>>(std::move(row));
}

Result<std::optional<Value>> RowTee::Reader::Next() {
  ASSIGN_OR_RETURN(auto row, tee_->Next(reader_));
  if (!row) return std::optional<Value>();
  parent_ = std::move(row->second);
  return std::optional<Value>(std::move(row->first));
}

void RowTee::Trim() {
  while (!buffer_.empty()) {
    for (size_t i = 0; i < positions_.size(); ++i) {
      if (reading_[i] && positions_[i] <= base_) return;
    }
    buffer_.pop_front();
    ++base_;
  }
}

}  // namespace sluice
