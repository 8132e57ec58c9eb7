// The live lines of a SYNC statement's entities on a terminal, one per
// entity in the order they started, redrawn together so runs at once do
// not overwrite each other's line. Renders the driver's progress events
// (sync/sync_progress.h) through OutputSink::Progress.
//
// Thread-safety: one thread at a time.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "lang/result.h"

namespace sluice {

class ProgressBoard {
 public:
  explicit ProgressBoard(OutputSink& output) : output_(output) {}
  ProgressBoard(const ProgressBoard&) = delete;
  ProgressBoard& operator=(const ProgressBoard&) = delete;
  ~ProgressBoard() { Clear(); }
  // An event: its entity's line, or (done) the line goes.
  void Show(const SyncProgressEvent& event);
  // `line` empty: the entity is done, its line goes.
  void Set(const std::string& label, std::string line, bool now);
  // The statement ended: whatever is still shown goes.
  void Clear();

 private:
  OutputSink& output_;
  std::vector<std::pair<std::string, std::string>> lines_;
  std::chrono::steady_clock::time_point last_shown_;
  bool shown_ = false;
};

}  // namespace sluice
