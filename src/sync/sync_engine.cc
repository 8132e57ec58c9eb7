#include "sync/sync_engine.h"

#include <set>

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

class Run {
 public:
  Run(Destination& destination, const EntitySyncPlan& plan, const SyncProgress& progress)
      : destination_(destination), plan_(plan), progress_(progress) {}

  EntitySyncReport Go(const OpenSyncRows& open_rows) {
    auto start = std::chrono::steady_clock::now();
    report_.status = Body(open_rows);
    report_.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    if (progress_) progress_(report_, true);
    return report_;
  }

 private:
  Status Body(const OpenSyncRows& open_rows) {
    for (size_t i = 0; i < plan_.table.columns.size(); ++i) {
      if (plan_.table.columns[i].name == plan_.cursor_field) cursor_index_ = static_cast<int>(i);
    }
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
    ASSIGN_OR_RETURN(std::unique_ptr<SyncRowStream> rows, open_rows(state));
    OpenOptions options{plan_.write_mode, plan_.synced_at, plan_.force};
    ASSIGN_OR_RETURN(std::unique_ptr<TableWriter> writer, destination_.OpenTable(plan_.table, options));
    report_.migration = writer->Migration();
    bool keyed = plan_.table.HasPrimaryKey() && destination_.AbsorbsRepeats();
    std::vector<Value> row;
    size_t in_batch = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Next(row));
      if (!more) break;
      ++report_.rows_read;
      if (cursor_index_ >= 0 && !Track(row)) {
        ++report_.rows_skipped;
        continue;
      }
      if (rewind_) {
        SyncState start = StartState();
        RETURN_IF_ERROR(writer->Commit(&start));
        rewind_ = false;
      }
      RETURN_IF_ERROR(writer->Write(row));
      ++report_.rows_written;
      if (++in_batch < plan_.batch_rows) continue;
      // A batch may commit alone when repeating it later is harmless, or
      // when the mark that commits with it keeps it from being repeated.
      bool mark_moves = MarkMoves();
      if (!keyed && !mark_moves && plan_.write_mode != WriteMode::kOverwriteDeleteStale) continue;
      SyncState mid = State();
      RETURN_IF_ERROR(writer->Commit(mark_moves ? &mid : nullptr));
      ++report_.batches;
      in_batch = 0;
      if (progress_) progress_(report_, false);
    }
    SyncState final_state = State();
    RETURN_IF_ERROR(writer->Commit(cursor_index_ >= 0 ? &final_state : nullptr));
    ++report_.batches;
    report_.cursor = max_;
    if (plan_.write_mode == WriteMode::kOverwriteDeleteStale) {
      ASSIGN_OR_RETURN(report_.rows_deleted, writer->DeleteStale());
    }
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
      if (MarkMoves() && report_.batches > 0) rewind_ = true;
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

  SyncState StartState() const {
    SyncState state;
    state.cursor_field = plan_.cursor_field;
    state.cursor_value = mark_;
    for (const std::string& key : boundary_) state.boundary_keys.push_back(key);
    return state;
  }

  SyncState State() const {
    SyncState state;
    state.cursor_field = plan_.cursor_field;
    state.cursor_value = max_;
    for (const std::string& key : keys_at_max_) state.boundary_keys.push_back(key);
    return state;
  }

  Destination& destination_;
  const EntitySyncPlan& plan_;
  const SyncProgress& progress_;
  EntitySyncReport report_;
  int cursor_index_ = -1;
  bool rewind_ = false;               // commit the start mark before the next write
  Value mark_;                        // the mark this run started from
  std::set<std::string> boundary_;    // keys already written at mark_
  Value max_;                         // the highest cursor written so far
  std::set<std::string> keys_at_max_;
};

}  // namespace

EntitySyncReport SyncEntity(Destination& destination, const EntitySyncPlan& plan, const OpenSyncRows& open_rows,
                            const SyncProgress& progress) {
  Run run(destination, plan, progress);
  return run.Go(open_rows);
}

}  // namespace sluice
