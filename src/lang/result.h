// What statements produce for the user: result sets and printed lines, sent
// to an OutputSink that the CLI (or a test) provides.
//
// Nothing here is masked; the sink masks secrets when it writes text.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "sync/sync_progress.h"

namespace sluice {

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;  // each row has columns.size() values
  std::string title;                     // optional heading, e.g. "entities"
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void Emit(const ResultSet& result) = 0;
  // A line from PRINT (without its newline).
  virtual void Print(const std::string& line) = 0;
  // A diagnostic line (handler console output): not part of the results.
  virtual void Log(const std::string& line) = 0;
  // A live status line that replaces the previous one (sync progress) —
  // only where someone watches a terminal; ends with Progress("").
  virtual bool ShowsProgress() const { return false; }
  virtual void Progress(const std::string& /*line*/) {}
  // A sync's progress (sync/sync_progress.h): here a log line per
  // committed batch; a sink showing progress draws a live line per entity.
  virtual void SyncProgress(const SyncProgressEvent& event) {
    if (event.kind == SyncEvent::kBatchCommitted) Log(FormatProgressLine(event));
  }
  // The statement's syncs have ended: live lines go.
  virtual void SyncProgressEnd() {}
};

}  // namespace sluice
