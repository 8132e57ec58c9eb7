// The sync engine: moves one entity's rows into a destination table,
// incrementally when it can, without losing or doubling a row whatever
// fails (DESIGN.md §6).
//
// A run reads the entity's state from the destination (the high-water mark
// of its cursor field and the keys of the rows at that mark), opens the
// row stream with it (the handler sees it as options.cursor), and writes
// rows in batches. Each batch commits with the state that describes it:
//
// - When the handler promises cursor order (the cursor field is declared
//   sortable, and options.order_by asks for it), the mark advances with
//   every batch, so a killed run resumes where it stopped. A row that breaks
//   the promise rewinds the committed mark to where the run began, at once,
//   before that row is written: it can never fall below a mark.
// - Otherwise the mark moves only when the run completes; a killed run is
//   read again from the old mark, and primary keys absorb the repeats.
// - Rows below the mark are skipped, and rows at the mark whose key was
//   already written there: the boundary is neither lost nor doubled.
// - A table that cannot absorb a repeat (no primary key, or a file that
//   only appends) commits its rows only with a mark that moves past them,
//   or at the end of the run.
// - Stale rows (overwrite-delete-stale) are deleted only after a complete
//   run: one whose row stream ended by itself, with no error anywhere.
// - A row whose primary key is missing or null fails the run.
//
// Rows are written on a thread of the run's own while the row stream
// produces the next batch (at most two batches wait, so memory stays
// bounded); commits keep their order. A stream that can push its rows
// (SyncRowStream::PushTo) is read that way: each row is handled as the
// handler makes it, and a handler faster than the writer waits for it.
//
// Thread-safety: one run per thread. During a run the destination's table
// writer is used from the run's writer thread only, and the row stream from
// the calling thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dest/destination.h"

namespace sluice {

// An entity's rows, coerced to their field types, in TableSpec column order.
class SyncRowStream {
 public:
  virtual ~SyncRowStream() = default;
  // Fills `row`; false when there are no more rows.
  virtual Result<bool> Next(std::vector<Value>& row) = 0;
  // What a pushed row is: a row, or why it could not be made one.
  using Handler = std::function<bool(Result<std::vector<Value>> row)>;
  // Hands rows to `handle` as the handler makes them, from inside Next()
  // (RowSource::PushTo); true when the stream does. `handle` returns false
  // to stop the stream.
  virtual bool PushTo(Handler /*handle*/) { return false; }
};

struct EntitySyncPlan {
  TableSpec table;
  WriteMode write_mode = WriteMode::kOverwriteDeleteStale;
  bool incremental = false;
  std::string cursor_field;       // "" when the entity has none
  std::string cursor_type;        // its FIELDS type, for ordering
  bool cursor_ordered = false;    // the handler returns rows in cursor order
  std::string synced_at;          // the run's timestamp
  bool force = false;             // recreate a table whose types changed
  size_t batch_rows = 10'000;     // rows per transaction
  std::optional<CommitFence> fence;  // OpenOptions::fence
  bool defer_stale = false;       // a complete run leaves stale rows to the distributed run's finalizer
};

struct EntitySyncReport {
  int64_t rows_read = 0;
  int64_t rows_written = 0;  // committed: what the destination holds of this run
  int64_t rows_skipped = 0;  // at or below the mark, already synced
  int64_t rows_deleted = 0;
  int64_t batches = 0;       // committed
  std::chrono::microseconds elapsed{0};
  std::string migration;     // what opening the table did
  bool cursor_in_order = true;
  Status status;
};

using OpenSyncRows = std::function<Result<std::unique_ptr<SyncRowStream>>(const std::optional<SyncState>& state)>;
// What a progress call reports: a row read, a batch that committed (once
// per batch, from the run's thread once it sees the commit), the end.
enum class SyncEvent { kRowRead, kBatchCommitted, kDone };
// Called on the run's thread as rows arrive and batches commit, and once
// at the end. rows_written counts committed rows only.
using SyncProgress = std::function<void(const EntitySyncReport& so_far, SyncEvent event)>;

// One entity's run, a row at a time, so several can be driven by turns on
// the one thread their handlers run on: while one waits for its next page,
// the others' requests are in flight.
class EntitySync {
 public:
  EntitySync(Destination& destination, const EntitySyncPlan& plan, SyncProgress progress = nullptr);
  ~EntitySync();
  // Reads the state, opens the rows and the table; false if that failed
  // (Finish() says why).
  bool Start(const OpenSyncRows& open_rows);
  // Pulls and handles one row; false once the rows ended or failed.
  bool Step();
  // Commits what is left, deletes stale rows after a complete run, reports.
  EntitySyncReport Finish();

 private:
  class Run;
  std::unique_ptr<Run> run_;
};


// Orders two cursor values of a field type: timestamps by instant (ISO text
// of different precision does not sort as text), numbers by value, the rest
// as text. Null sorts first.
int CompareCursor(const std::string& type, const Value& a, const Value& b);

}  // namespace sluice
