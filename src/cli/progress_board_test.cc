// The live lines of a SYNC on a terminal: a line per entity in the order
// they started, redrawn together; a finished entity's line goes; and off a
// terminal, one log line per committed batch (OutputSink's default).
#include "cli/progress_board.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

class RecordingSink : public OutputSink {
 public:
  void Emit(const ResultSet&) override {}
  void Print(const std::string&) override {}
  void Log(const std::string& line) override { logged.push_back(line); }
  void Progress(const std::string& text) override { shown.push_back(text); }
  std::vector<std::string> logged, shown;
};

SyncProgressEvent Event(const std::string& label, SyncEvent kind, int64_t written) {
  SyncProgressEvent event;
  event.kind = kind;
  event.label = label;
  event.rows_read = written;
  event.rows_written = written;
  event.batches = 1;
  event.elapsed = std::chrono::seconds(1);
  return event;
}

TEST(ProgressBoardTest, LinePerEntityAtOnce) {
  RecordingSink sink;
  {
    ProgressBoard board(sink);
    board.Show(Event("p.a", SyncEvent::kRowRead, 1));
    board.Show(Event("p.b", SyncEvent::kRowRead, 2));
    board.Show(Event("p.a", SyncEvent::kDone, 3));
    board.Show(Event("p.b", SyncEvent::kDone, 4));
  }
  std::string a1 = "sync p.a: 1 rows written, 1 batches, 1 rows read, 1 rows/s, 1.00 s";
  std::string b2 = "sync p.b: 2 rows written, 1 batches, 2 rows read, 2 rows/s, 1.00 s";
  // A new entity is drawn at once, beside the others; a done one goes.
  EXPECT_EQ(sink.shown, (std::vector<std::string>{a1, a1 + "\n" + b2, b2, ""}));
  EXPECT_TRUE(sink.logged.empty());
}

TEST(ProgressBoardTest, UpdatesWithin100msWait) {
  RecordingSink sink;
  ProgressBoard board(sink);
  board.Show(Event("p.a", SyncEvent::kRowRead, 1));
  board.Show(Event("p.a", SyncEvent::kRowRead, 2));
  EXPECT_EQ(sink.shown.size(), 1u);
  board.Clear();
  EXPECT_EQ(sink.shown.back(), "");
  board.Clear();  // nothing shown: nothing to clear
  EXPECT_EQ(sink.shown.size(), 2u);
}

TEST(ProgressBoardTest, OffATerminalALogLinePerBatch) {
  RecordingSink sink;
  sink.SyncProgress(Event("p.a", SyncEvent::kRowRead, 1));
  sink.SyncProgress(Event("p.a", SyncEvent::kBatchCommitted, 5));
  sink.SyncProgress(Event("p.a", SyncEvent::kDone, 5));
  EXPECT_EQ(sink.logged,
            (std::vector<std::string>{"sync p.a: 5 rows written, 1 batches, 5 rows read, 5 rows/s, 1.00 s"}));
  EXPECT_TRUE(sink.shown.empty());
}

}  // namespace
}  // namespace sluice
