// Destinations: where a sync writes an entity's rows (DESIGN.md §6).
//
// A Destination opens one TableWriter per entity. The writer creates or
// migrates the table from the entity's fields, then takes rows in batches:
// Write() rows, Commit() them — together with the entity's sync state (the
// incremental high-water mark) when one is given, in the same transaction
// wherever the destination has transactions. That is what makes a killed
// sync safe to re-run: the state a re-run reads describes exactly the rows
// that were committed. A writer dropped without Commit() rolls its batch
// back. DeleteStale() removes this source's rows the run did not write, and
// runs only after a complete run.
//
// Every table carries `_sluice_source` (the connector) and
// `_sluice_synced_at` (the run's start, the same for every row of a run).
//
// Thread-safety: one thread per writer; a destination's writers one at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/identifier.h"  // QuoteIdentifier, for every destination
#include "core/status.h"
#include "core/value.h"

namespace sluice {

enum class WriteMode { kOverwriteDeleteStale, kOverwrite, kAppend };
const char* WriteModeName(WriteMode mode);
std::optional<WriteMode> WriteModeFromName(std::string_view name);

struct ColumnSpec {
  std::string name;
  std::string type;  // a FIELDS type: string, integer, number, boolean, timestamp, date, document, array
  bool primary_key = false;
};

struct TableSpec {
  std::string name;                 // the destination table, e.g. "prod_items"
  std::string connector;            // written to _sluice_source
  std::string entity;
  std::vector<ColumnSpec> columns;  // in the order Write() gets values
  // A distributed or sharded run's partition of the entity (a multiplexer
  // client, a key or time range: source/source.h Partition::id); empty for
  // the whole entity. A partitioned writer stamps its rows'
  // `_sluice_partition` column with it, keeps its mark apart (one per
  // partition, `_sluice_partition_state`), deletes as stale only rows of
  // its own partition, and shares the table with writers of other
  // partitions (Destination::TakesPartitions()).
  std::string partition;
  bool HasPrimaryKey() const;
};

// The incremental high-water mark of one (connector, entity) in one
// destination table, and the keys of the rows that carried exactly that
// value: a re-run asked for `cursor >= value` skips them, so rows at the
// boundary are neither lost nor written twice.
struct SyncState {
  std::string cursor_field;
  Value cursor_value;             // null before the first run
  Value boundary_keys = Value::array();
};

// A check every batch's transaction makes before it commits: a distributed
// unit's lease (sync/coordinator.h). A worker that paused past its lease
// finds its fence moved and can never commit again — the textbook fencing
// token, possible because the token and the rows share one database.
struct CommitFence {
  // A PostgreSQL statement that must update exactly one row; $1… are
  // `params`, and one more parameter after them is the number of rows the
  // batch commits (text).
  std::string sql;
  std::vector<std::string> params;
  // The error when it updates none, e.g. "unit 7 of distributed run 3: the
  // lease moved to another worker (epoch 2 is stale): nothing committed".
  std::string lost;
};

struct OpenOptions {
  WriteMode mode = WriteMode::kOverwriteDeleteStale;
  std::string synced_at;  // the run's timestamp
  bool force = false;     // drop and recreate a table whose column types changed
  // Checked in every commit's transaction; a fenced writer takes the table
  // lock shared (the lease, not a lock, keeps a unit to one worker: a
  // paused worker's session may still hold its locks).
  std::optional<CommitFence> fence;
};

// The status a writer returns when a CommitFence updates no row, after
// rolling the batch back: kDestination, its message starting "lease lost: "
// (IsLeaseLost() finds it under any context added on the way up).
Status LeaseLost(const std::string& message);
bool IsLeaseLost(const Status& status);

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // One row, values in TableSpec::columns order, already coerced to their
  // field types (SQLite storage: see query/coerce.h).
  virtual Status Write(const std::vector<Value>& row) = 0;
  // Makes the rows written since the last Commit durable, with `state`.
  virtual Status Commit(const SyncState* state) = 0;
  // After a complete run: deletes the rows of this source not written by it.
  virtual Result<int64_t> DeleteStale() = 0;
  // What migration did on open ("created", "added columns a, b", "").
  virtual std::string Migration() const = 0;
  // Whether a committed batch stays when the run later fails; false where
  // rows are kept only once the run completes (a file being replaced).
  virtual bool CommitsAreFinal() const { return true; }
};

class Destination {
 public:
  virtual ~Destination() = default;
  // How runs name it: "workspace", "out.db", "warehouse".
  virtual std::string Name() const = 0;
  virtual Result<std::unique_ptr<TableWriter>> OpenTable(const TableSpec& table, const OpenOptions& options) = 0;
  // The state committed for `table`, if any.
  virtual Result<std::optional<SyncState>> ReadState(const TableSpec& table) = 0;
  // Whether writing a keyed row again replaces it (an upsert) rather than
  // adding it twice: then a batch may commit before the run's mark moves.
  virtual bool AbsorbsRepeats() const { return true; }
  // Whether it takes TableSpec::partition and OpenOptions::fence; a
  // destination that does not refuses them when a table is opened.
  virtual bool TakesPartitions() const { return false; }
};

// Keeps other syncs — of this process or another — from writing a table
// while one does: two full runs would each delete the other's rows as
// stale. An open-file-description lock (fcntl F_OFD_SETLK) on one byte of
// a lock file beside the destination, the byte chosen by a hash of the
// table's name; the kernel drops it when the lock closes or its process
// dies, so a killed sync never leaves a stale lock behind. Refuses at once
// rather than waiting: the run waited for may take hours, and a full run
// after it would only repeat its work.
class TableLock {
 public:
  TableLock() = default;
  TableLock(TableLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  TableLock& operator=(TableLock&& other) noexcept;
  TableLock(const TableLock&) = delete;
  TableLock& operator=(const TableLock&) = delete;
  ~TableLock();

  // `lock_file` is created if missing; `where` names the destination in
  // the error ("out.db", "folder 'exports/'").
  static Result<TableLock> Acquire(const std::string& lock_file, const std::string& table, const std::string& where);

 private:
  int fd_ = -1;
};

// The error every destination gives when another sync holds the table.
Status TableBusy(const std::string& table, const std::string& where);

// For a destination that does not take partitions (TakesPartitions()
// false): kInvalidArgument naming it (`kind`: "sqlite", "files"…), the
// table and the partition when `table` has a partition or `options` a
// fence; Ok otherwise.
Status RefusePartitionedWrite(const std::string& destination, const std::string& kind, const TableSpec& table,
                              const OpenOptions& options);

}  // namespace sluice
