#include "sync/sync_progress.h"

#include <cstdio>

namespace sluice {

std::string RateText(int64_t rows, std::chrono::microseconds elapsed) {
  double seconds = static_cast<double>(elapsed.count()) / 1e6;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", seconds > 0 ? static_cast<double>(rows) / seconds : 0.0);
  return buffer;
}

std::string SecondsText(std::chrono::microseconds elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", static_cast<double>(elapsed.count()) / 1e6);
  return buffer;
}

std::string FormatProgressLine(const SyncProgressEvent& event) {
  return "sync " + event.label + ": " + std::to_string(event.rows_written) + " rows written, " +
         std::to_string(event.batches) + " batches, " + std::to_string(event.rows_read) + " rows read, " +
         RateText(event.rows_read, event.elapsed) + " rows/s, " + SecondsText(event.elapsed) + " s";
}

}  // namespace sluice
