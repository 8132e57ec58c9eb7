#include "sync/sync_engine.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "core/time_util.h"

namespace sluice {

int CompareCursor(const std::string& type, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : (a.is_null() ? -1 : 1);
  if (type == "timestamp" && a.is_string() && b.is_string()) {
    std::optional<int64_t> x = ParseTimestamp(a.get<std::string>()), y = ParseTimestamp(b.get<std::string>());
    if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer()) {
      int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  std::string x = a.is_string() ? a.get<std::string>() : a.dump();
  std::string y = b.is_string() ? b.get<std::string>() : b.dump();
  return x.compare(y) < 0 ? -1 : (x == y ? 0 : 1);
}

namespace {

// What identifies a row at the boundary: its primary key, or the whole row
// for a table without one.
std::string RowKey(const TableSpec& table, const std::vector<Value>& row) {
  Value key = Value::array();
  for (size_t i = 0; i < table.columns.size() && i < row.size(); ++i) {
    if (table.columns[i].primary_key) key.push_back(row[i]);
  }
  if (key.empty()) key = Value(row);
  return key.dump();
}

// Writes batches on a thread of its own, so the handler produces the next
// batch while the destination writes this one. At most two batches wait,
// which bounds memory; batches are written and committed in the order given.
class BackgroundWriter {
 public:
  explicit BackgroundWriter(TableWriter& writer) : writer_(writer), thread_([this] { Loop(); }) {}
  ~BackgroundWriter() { (void)Finish(); }

  // Queues rows, then a commit (with `state`, if any) when `commit`. False
  // once writing failed: the caller stops producing.
  bool Push(std::vector<std::vector<Value>> rows, bool commit, std::optional<SyncState> state) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.size() < 2 || !status_.ok(); });
    if (!status_.ok()) return false;
    queue_.push_back({std::move(rows), commit, std::move(state)});
    changed_.notify_all();
    return true;
  }

  // The rows made durable so far after each commit not taken yet: what a
  // run may say it wrote, batch by batch.
  std::vector<int64_t> TakeCommits() {
    std::lock_guard lock(mutex_);
    return std::exchange(commits_, {});
  }

  // Waits until everything queued is written; the first error, if any.
  Status Finish() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  struct Item {
    std::vector<std::vector<Value>> rows;
    bool commit;
    std::optional<SyncState> state;
  };

  void Loop() {
    while (true) {
      Item item;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
        changed_.notify_all();
        if (!status_.ok()) continue;  // drained, not written, after a failure
      }
      Status status;
      for (const std::vector<Value>& row : item.rows) {
        status = writer_.Write(row);
        if (!status.ok()) break;
      }
      uncommitted_ += static_cast<int64_t>(item.rows.size());
      if (status.ok() && item.commit) {
        status = writer_.Commit(item.state ? &*item.state : nullptr);
        if (status.ok()) {
          committed_ += uncommitted_;
          uncommitted_ = 0;
          std::lock_guard lock(mutex_);
          commits_.push_back(committed_);
        }
      }
      if (!status.ok()) {
        std::lock_guard lock(mutex_);
        status_ = std::move(status);
        changed_.notify_all();
      }
    }
  }

  TableWriter& writer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Item> queue_;
  bool closed_ = false;
  Status status_;
  int64_t uncommitted_ = 0;  // written, not yet committed (writer thread only)
  int64_t committed_ = 0;    // writer thread only
  std::vector<int64_t> commits_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

class EntitySync::Run {
 public:
  Run(Destination& destination, const EntitySyncPlan& plan, SyncProgress progress)
      : destination_(destination), plan_(plan), progress_(std::move(progress)) {}

  bool Start(const OpenSyncRows& open_rows) {
    started_ = std::chrono::steady_clock::now();
    Status opened = Open(open_rows);
    if (!opened.ok()) {
      report_.status = std::move(opened);
      return false;
    }
    return true;
  }

  bool Step() {
    if (!rows_ || stopped_) return false;
    Result<bool> more = rows_->Next(row_);
    if (!more.ok()) {
      // A row pushed during Next() that stopped the run said why first.
      if (!stopped_) report_.status = more.TakeStatus();
      return Stop();
    }
    if (stopped_) return false;
    if (!*more) {
      // Only a stream that ended by itself saw every row: the one condition
      // under which rows it did not bring may be deleted as stale.
      complete_ = true;
      return Stop();
    }
    return Handle();
  }

  // A row the stream pushed (from inside Step's Next()): handled as a
  // pulled one.
  bool Take(Result<std::vector<Value>> row) {
    if (stopped_) return false;
    if (!row.ok()) {
      report_.status = row.TakeStatus();
      return Stop();
    }
    row_ = std::move(row).value();
    return Handle();
  }

  // The row in row_.
  bool Handle() {
    ++report_.rows_read;
    // A missing key cannot be upserted or told apart: SQLite would invent
    // one for an INTEGER PRIMARY KEY, and a NULL text key never matches.
    for (size_t i = 0; i < plan_.table.columns.size() && i < row_.size(); ++i) {
      if (plan_.table.columns[i].primary_key && row_[i].is_null()) {
        report_.status = Status(ErrorKind::kConnector, "row " + std::to_string(report_.rows_read) +
                                                           ": primary key field '" + plan_.table.columns[i].name +
                                                           "' is missing or null");
        return Stop();
      }
    }
    if (cursor_index_ >= 0 && !Track(row_)) {
      ++report_.rows_skipped;
      Report();
      return true;
    }
    if (rewind_) {
      if (!background_->Push(std::move(batch_), true, StartState())) return Stop();
      batch_.clear();
      rewind_ = false;
    }
    batch_.push_back(std::move(row_));
    if (batch_.size() < plan_.batch_rows) {
      Report();
      return true;
    }
    // A batch may commit alone when repeating it later is harmless, or
    // when the mark that commits with it keeps it from being repeated.
    bool mark_moves = MarkMoves();
    bool commit = keyed_ || mark_moves || plan_.write_mode == WriteMode::kOverwriteDeleteStale;
    if (!background_->Push(std::move(batch_), commit, mark_moves ? std::optional<SyncState>(State()) : std::nullopt)) {
      return Stop();
    }
    batch_.clear();
    if (commit) ++queued_commits_;
    Report();
    return true;
  }

  EntitySyncReport Finish() {
    if (background_) {
      if (report_.status.ok()) {
        background_->Push(std::move(batch_), true,
                          cursor_index_ >= 0 ? std::optional<SyncState>(State()) : std::nullopt);
      }
      // Batches queued before a read failure still commit: each was whole.
      Status written = background_->Finish();
      if (report_.status.ok()) report_.status = std::move(written);
      Report();
    }
    if (report_.status.ok() && !complete_) {
      report_.status = Status(ErrorKind::kInternal, "the rows ended without an end or an error");
    }
    if (report_.status.ok()) {
      // A unit of a distributed run leaves them to the run's finalizer,
      // which deletes them once every unit has ended, only in partitions
      // whose unit completed.
      if (plan_.write_mode == WriteMode::kOverwriteDeleteStale && !plan_.defer_stale) {
        Result<int64_t> deleted = writer_->DeleteStale();
        if (deleted.ok()) {
          report_.rows_deleted = *deleted;
        } else {
          report_.status = deleted.TakeStatus();
        }
      }
    }
    // Rows a destination keeps only once the run completes (a file being
    // replaced) were not written by a run that failed.
    if (!report_.status.ok() && writer_ && !writer_->CommitsAreFinal()) report_.rows_written = 0;
    background_.reset();
    writer_.reset();  // rolls back what was not committed
    rows_.reset();
    report_.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
    if (progress_) progress_(report_, SyncEvent::kDone);
    return report_;
  }

 private:
  // Counts what has committed so far, and tells the progress callback: a
  // batch event once per batch that committed, else a row event.
  void Report() {
    if (!background_) return;
    std::vector<int64_t> commits = background_->TakeCommits();
    for (int64_t committed : commits) {
      report_.rows_written = committed;
      ++report_.batches;
      if (progress_) progress_(report_, SyncEvent::kBatchCommitted);
    }
    if (commits.empty() && progress_) progress_(report_, SyncEvent::kRowRead);
  }

  bool Stop() {
    stopped_ = true;
    return false;
  }

  Status Open(const OpenSyncRows& open_rows) {
    for (size_t i = 0; i < plan_.table.columns.size(); ++i) {
      if (plan_.table.columns[i].name == plan_.cursor_field) cursor_index_ = static_cast<int>(i);
    }
    // The table first: opening it takes the lock that keeps other syncs
    // out, so the state read next cannot change under this run, and a
    // table FORCE recreates has lost its state before it is read.
    OpenOptions options{plan_.write_mode, plan_.synced_at, plan_.force, plan_.fence};
    ASSIGN_OR_RETURN(writer_, destination_.OpenTable(plan_.table, options));
    report_.migration = writer_->Migration();
    std::optional<SyncState> state;
    if (plan_.incremental) {
      ASSIGN_OR_RETURN(state, destination_.ReadState(plan_.table));
      // A mark kept for another field says nothing about this one.
      if (state && state->cursor_field != plan_.cursor_field) state.reset();
    }
    if (state) {
      mark_ = state->cursor_value;
      for (const Value& key : state->boundary_keys) {
        if (key.is_string()) boundary_.insert(key.get<std::string>());
      }
      max_ = mark_;
      keys_at_max_ = boundary_;
    }
    ASSIGN_OR_RETURN(rows_, open_rows(state));
    keyed_ = plan_.table.HasPrimaryKey() && destination_.AbsorbsRepeats();
    background_ = std::make_unique<BackgroundWriter>(*writer_);
    rows_->PushTo([this](Result<std::vector<Value>> row) { return Take(std::move(row)); });
    return Status::Ok();
  }

  // Follows the cursor; false for a row already synced.
  bool Track(const std::vector<Value>& row) {
    const Value& cursor = row[cursor_index_];
    if (cursor.is_null()) return true;  // cannot be placed: written, never skipped
    std::string key;
    if (!mark_.is_null()) {
      int against_mark = CompareCursor(plan_.cursor_type, cursor, mark_);
      if (against_mark < 0) return false;
      if (against_mark == 0) {
        key = RowKey(plan_.table, row);
        if (boundary_.count(key)) return false;
      }
    }
    int against_max = CompareCursor(plan_.cursor_type, cursor, max_);
    if (against_max < 0) {
      // A mark committed past this row would lose it if the run died now.
      if (MarkMoves() && queued_commits_ > 0) rewind_ = true;
      report_.cursor_in_order = false;
    } else {
      if (key.empty()) key = RowKey(plan_.table, row);
      if (against_max > 0 || max_.is_null()) {
        max_ = cursor;
        keys_at_max_.clear();
      }
      keys_at_max_.insert(std::move(key));
    }
    return true;
  }

  bool MarkMoves() const {
    return plan_.incremental && plan_.cursor_ordered && report_.cursor_in_order && cursor_index_ >= 0;
  }

  // The mark the run started from, and the one its written rows reached.
  SyncState StartState() const { return StateAt(mark_, boundary_); }
  SyncState State() const { return StateAt(max_, keys_at_max_); }

  SyncState StateAt(const Value& cursor, const std::set<std::string>& keys) const {
    SyncState state;
    state.cursor_field = plan_.cursor_field;
    state.cursor_value = cursor;
    for (const std::string& key : keys) state.boundary_keys.push_back(key);
    return state;
  }

  Destination& destination_;
  const EntitySyncPlan& plan_;
  SyncProgress progress_;
  EntitySyncReport report_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<SyncRowStream> rows_;
  std::unique_ptr<TableWriter> writer_;
  std::unique_ptr<BackgroundWriter> background_;  // after writer_: goes first
  std::vector<std::vector<Value>> batch_;
  std::vector<Value> row_;
  bool keyed_ = false;
  bool stopped_ = false;
  bool complete_ = false;  // the stream ended by itself, without an error
  int64_t queued_commits_ = 0;  // batches handed to the writer with a commit
  int cursor_index_ = -1;
  bool rewind_ = false;               // commit the start mark before the next write
  Value mark_;                        // the mark this run started from
  std::set<std::string> boundary_;    // keys already written at mark_
  Value max_;                         // the highest cursor written so far
  std::set<std::string> keys_at_max_;
};

EntitySync::EntitySync(Destination& destination, const EntitySyncPlan& plan, SyncProgress progress)
    : run_(std::make_unique<Run>(destination, plan, std::move(progress))) {}
EntitySync::~EntitySync() = default;
bool EntitySync::Start(const OpenSyncRows& open_rows) { return run_->Start(open_rows); }
bool EntitySync::Step() { return run_->Step(); }
EntitySyncReport EntitySync::Finish() { return run_->Finish(); }

}  // namespace sluice
