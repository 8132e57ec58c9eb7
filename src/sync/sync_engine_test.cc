// The sync engine's decisions over a real SQLite destination: what is
// skipped at the boundary, when batches commit and with which mark, and the
// rewind when a promised cursor order breaks. Rows come from a scripted
// stream (a row list, then optionally a failure), the input under test.
#include "sync/sync_engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "dest/sqlite_destination.h"

namespace sluice {
namespace {

// With `pushes`, the rows are pushed, all from the first Next(), as a
// handler that never awaits does (SyncRowStream::PushTo); `offered` counts
// the rows handed on before the run said stop.
class ScriptedRows : public SyncRowStream {
 public:
  ScriptedRows(std::vector<std::vector<Value>> rows, bool fail_at_end, bool pushes = false,
               size_t* offered = nullptr)
      : rows_(std::move(rows)), fail_at_end_(fail_at_end), pushes_(pushes), offered_(offered) {}
  Result<bool> Next(std::vector<Value>& row) override {
    if (handle_) {
      while (next_ < rows_.size()) {
        if (offered_) ++*offered_;
        if (!handle_(rows_[next_++])) return Status(ErrorKind::kConnector, "the stream was stopped");
      }
    }
    if (next_ < rows_.size()) {
      row = rows_[next_++];
      return true;
    }
    if (fail_at_end_) return Status(ErrorKind::kConnector, "the source broke");
    return false;
  }
  bool PushTo(Handler handle) override {
    if (pushes_) handle_ = std::move(handle);
    return pushes_;
  }

 private:
  std::vector<std::vector<Value>> rows_;
  size_t next_ = 0;
  bool fail_at_end_;
  bool pushes_;
  size_t* offered_;
  Handler handle_;
};

class SyncEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("sluice_sync_engine_" + std::to_string(::getpid()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    destination_ = SqliteDestination::OpenFile(path_).value();
    plan_.table = {"t_items", "t", "items", {{"id", "string", true}, {"at", "integer", false}}, ""};
    plan_.cursor_field = "at";
    plan_.cursor_type = "integer";
    plan_.incremental = true;
    plan_.write_mode = WriteMode::kOverwrite;
    plan_.synced_at = "2026-12-01T00:00:00Z";
  }
  void TearDown() override {
    destination_.reset();
    std::filesystem::remove(path_);
  }

  EntitySyncReport Sync(std::vector<std::vector<Value>> rows, bool fail_at_end = false) {
    EntitySync run(*destination_, plan_);
    OpenSyncRows open = [&](const std::optional<SyncState>& state) -> Result<std::unique_ptr<SyncRowStream>> {
      seen_state_ = state;
      return std::unique_ptr<SyncRowStream>(std::make_unique<ScriptedRows>(rows, fail_at_end, push_, &offered_));
    };
    if (run.Start(open)) {
      while (run.Step()) {
      }
    }
    return run.Finish();
  }

  std::string Ids() {
    Database db = Database::Open(path_).value();
    Stmt stmt = db.Prepare("SELECT coalesce(group_concat(id, ','), '') FROM (SELECT id FROM t_items ORDER BY id)").value();
    return stmt.Step().value() ? stmt.ColumnText(0) : "";
  }

  Value Mark() {
    std::optional<SyncState> state = destination_->ReadState(plan_.table).value();
    return state ? state->cursor_value : Value("none");
  }

  static std::vector<Value> Row(const char* id, int64_t at) { return {Value(id), Value(at)}; }

  std::string path_;
  std::unique_ptr<SqliteDestination> destination_;
  EntitySyncPlan plan_;
  std::optional<SyncState> seen_state_;
  bool push_ = false;   // the stream pushes its rows
  size_t offered_ = 0;  // rows it pushed
};

TEST_F(SyncEngineTest, TheBoundaryIsNeitherLostNorWrittenTwice) {
  ASSERT_TRUE(Sync({Row("a", 1), Row("b", 5)}).status.ok());
  EXPECT_EQ(Mark(), Value(5));
  // The API answers `>= 5`: b again (skipped by its key), c at the same
  // mark (new), d later; a is below the mark.
  EntitySyncReport report = Sync({Row("a", 1), Row("b", 5), Row("c", 5), Row("d", 7)});
  ASSERT_TRUE(report.status.ok()) << report.status.ToString();
  ASSERT_TRUE(seen_state_.has_value());
  EXPECT_EQ(seen_state_->cursor_value, Value(5)) << "the handler is given the mark";
  EXPECT_EQ(report.rows_read, 4);
  EXPECT_EQ(report.rows_skipped, 2);
  EXPECT_EQ(report.rows_written, 2);
  EXPECT_EQ(Ids(), "a,b,c,d");
  EXPECT_EQ(Mark(), Value(7));
}

TEST_F(SyncEngineTest, WithoutAnOrderPromiseTheMarkMovesOnlyWhenTheRunCompletes) {
  plan_.batch_rows = 2;
  EntitySyncReport failed = Sync({Row("a", 1), Row("b", 2), Row("c", 3)}, /*fail_at_end=*/true);
  EXPECT_FALSE(failed.status.ok());
  EXPECT_EQ(Ids(), "a,b") << "a whole batch committed before the failure";
  EXPECT_EQ(Mark(), Value("none")) << "but not a mark: the rows may have come in any order";
}

TEST_F(SyncEngineTest, APromisedOrderMovesTheMarkAndABrokenOneRewindsIt) {
  plan_.batch_rows = 2;
  plan_.cursor_ordered = true;
  EntitySyncReport stopped = Sync({Row("a", 1), Row("b", 2), Row("c", 3), Row("d", 4)}, true);
  EXPECT_FALSE(stopped.status.ok());
  EXPECT_EQ(Mark(), Value(4)) << "the mark advanced with each batch, so a re-run resumes";
  // Starting from 4: e and f in order (a batch, the mark moves to 6), then
  // g at 5 breaks the order. The mark goes back to 4 before g is written.
  EntitySyncReport broken = Sync({Row("e", 5), Row("f", 6), Row("g", 5)}, true);
  EXPECT_FALSE(broken.status.ok());
  EXPECT_FALSE(broken.cursor_in_order);
  EXPECT_EQ(Mark(), Value(4)) << "no committed mark may pass a row the source still owes";
  EXPECT_EQ(Ids(), "a,b,c,d,e,f");
}

TEST_F(SyncEngineTest, AKeylessTableCommitsOnlyWithAMarkOrAtTheEnd) {
  plan_.table.columns[0].primary_key = false;
  plan_.write_mode = WriteMode::kAppend;
  plan_.batch_rows = 2;
  EXPECT_FALSE(Sync({Row("a", 1), Row("b", 2), Row("c", 3)}, true).status.ok());
  EXPECT_EQ(Ids(), "") << "appending those rows again after a re-run would double them";
  ASSERT_TRUE(Sync({Row("a", 1), Row("b", 2), Row("c", 3)}).status.ok());
  EXPECT_EQ(Ids(), "a,b,c");
}

TEST_F(SyncEngineTest, StaleRowsGoOnlyAfterACompleteFullRun) {
  plan_.incremental = false;
  plan_.write_mode = WriteMode::kOverwriteDeleteStale;
  ASSERT_TRUE(Sync({Row("a", 1), Row("b", 2)}).status.ok());
  plan_.synced_at = "2026-12-02T00:00:00Z";
  EXPECT_FALSE(Sync({Row("a", 1)}, true).status.ok());
  EXPECT_EQ(Ids(), "a,b") << "a failed run deletes nothing";
  plan_.synced_at = "2026-12-03T00:00:00Z";
  EntitySyncReport complete = Sync({Row("a", 1)});
  ASSERT_TRUE(complete.status.ok());
  EXPECT_EQ(complete.rows_deleted, 1);
  EXPECT_EQ(Ids(), "a");
}

// A unit of a distributed run: its table is shared with other units, and
// the run's finalizer deletes stale rows once every unit has ended.
TEST_F(SyncEngineTest, DeferredStaleRowsStayAfterACompleteFullRun) {
  plan_.incremental = false;
  plan_.write_mode = WriteMode::kOverwriteDeleteStale;
  ASSERT_TRUE(Sync({Row("a", 1), Row("b", 2)}).status.ok());
  plan_.synced_at = "2026-12-02T00:00:00Z";
  plan_.defer_stale = true;
  EntitySyncReport deferred = Sync({Row("a", 1)});
  ASSERT_TRUE(deferred.status.ok()) << deferred.status.ToString();
  EXPECT_EQ(deferred.rows_deleted, 0);
  EXPECT_EQ(deferred.rows_written, 1);
  EXPECT_EQ(Ids(), "a,b") << "b is left for the finalizer";
  plan_.synced_at = "2026-12-03T00:00:00Z";
  plan_.defer_stale = false;
  EntitySyncReport complete = Sync({Row("a", 1)});
  ASSERT_TRUE(complete.status.ok());
  EXPECT_EQ(complete.rows_deleted, 1) << "the same run without deferring deletes it";
  EXPECT_EQ(Ids(), "a");
}

TEST_F(SyncEngineTest, AFailedRunCountsOnlyTheRowsItCommitted) {
  plan_.table.name = "t_loose";
  plan_.table.columns[0].primary_key = false;
  plan_.write_mode = WriteMode::kAppend;
  plan_.batch_rows = 2;
  EntitySyncReport failed = Sync({Row("a", 1), Row("b", 2), Row("c", 3)}, true);
  EXPECT_EQ(failed.rows_read, 3);
  EXPECT_EQ(failed.rows_written, 0) << "every row was rolled back";
  EXPECT_EQ(failed.batches, 0);
  plan_.table.name = "t_items";
  plan_.table.columns[0].primary_key = true;
  plan_.write_mode = WriteMode::kOverwrite;
  EntitySyncReport keyed = Sync({Row("a", 1), Row("b", 2), Row("c", 3)}, true);
  EXPECT_EQ(keyed.rows_written, 2) << "one whole batch committed";
  EXPECT_EQ(keyed.batches, 1);
}

TEST_F(SyncEngineTest, ARowWithoutItsKeyFailsTheRunAndDeletesNothing) {
  plan_.incremental = false;
  plan_.write_mode = WriteMode::kOverwriteDeleteStale;
  ASSERT_TRUE(Sync({Row("a", 1), Row("b", 2)}).status.ok());
  plan_.synced_at = "2026-12-02T00:00:00Z";
  EntitySyncReport report = Sync({Row("a", 1), {Value(), Value(2)}});
  ASSERT_FALSE(report.status.ok());
  EXPECT_EQ(report.status.message(), "row 2: primary key field 'id' is missing or null");
  EXPECT_EQ(report.rows_deleted, 0);
  EXPECT_EQ(Ids(), "a,b");
}

TEST_F(SyncEngineTest, PushedRowsAreHandledAsPulledOnes) {
  push_ = true;
  plan_.batch_rows = 2;
  ASSERT_TRUE(Sync({Row("a", 1), Row("b", 5)}).status.ok());
  EntitySyncReport report = Sync({Row("a", 1), Row("b", 5), Row("c", 5), Row("d", 7), Row("e", 8)});
  ASSERT_TRUE(report.status.ok()) << report.status.ToString();
  EXPECT_EQ(report.rows_read, 5);
  EXPECT_EQ(report.rows_skipped, 2) << "the boundary, as when pulled";
  EXPECT_EQ(report.rows_written, 3);
  EXPECT_EQ(Ids(), "a,b,c,d,e");
  EXPECT_EQ(Mark(), Value(8));
}

TEST_F(SyncEngineTest, APushedRowThatFailsTheRunStopsTheStreamWithTheRunsError) {
  push_ = true;
  plan_.incremental = false;
  plan_.write_mode = WriteMode::kOverwriteDeleteStale;
  EntitySyncReport report = Sync({Row("a", 1), {Value(), Value(2)}, Row("c", 3), Row("d", 4)});
  ASSERT_FALSE(report.status.ok());
  EXPECT_EQ(report.status.message(), "row 2: primary key field 'id' is missing or null")
      << "not the stream's own error for being stopped";
  EXPECT_EQ(offered_, 2u) << "no row after the failing one is pushed";
  EXPECT_EQ(report.rows_deleted, 0);
}

TEST_F(SyncEngineTest, AStreamThatFailsAfterPushingKeepsItsError) {
  push_ = true;
  plan_.batch_rows = 2;
  EntitySyncReport report = Sync({Row("a", 1), Row("b", 2), Row("c", 3)}, /*fail_at_end=*/true);
  EXPECT_EQ(report.status.message(), "the source broke");
  EXPECT_EQ(report.rows_read, 3);
  EXPECT_EQ(Ids(), "a,b") << "the whole batch before the failure committed";
}

}  // namespace
}  // namespace sluice
