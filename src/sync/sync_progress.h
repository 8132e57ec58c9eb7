// Progress of a SYNC statement as a stream of events: the driver says what
// happened to which entity, with the figures; a front end renders them (a
// live line per entity on a terminal, a log line per committed batch
// elsewhere: OutputSink::SyncProgress, cli/progress_board.h).
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "sync/sync_engine.h"  // SyncEvent

namespace sluice {

struct SyncProgressEvent {
  SyncEvent kind = SyncEvent::kRowRead;
  std::string label;  // "connector.entity"
  int64_t rows_read = 0;
  int64_t rows_written = 0;  // committed
  int64_t batches = 0;       // committed
  std::chrono::microseconds elapsed{0};
};

// "sync prod.items: 20 rows written, 2 batches, 25 rows read, 1250 rows/s, 0.02 s"
std::string FormatProgressLine(const SyncProgressEvent& event);

// Rows per second, rounded: "1250".
std::string RateText(int64_t rows, std::chrono::microseconds elapsed);
// Seconds with two decimals: "0.02".
std::string SecondsText(std::chrono::microseconds elapsed);

}  // namespace sluice
