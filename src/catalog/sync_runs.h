// The workspace's record of syncs: every run in _sluice_sync_runs (on
// record before it starts, so a killed one shows as such), and the
// schedules of SYNC … SCHEDULE in _sluice_sync_schedules. The SQL about
// those two tables lives here; the sync driver, SHOW SYNC RUNS and
// `sluice scheduler` call it.
//
// Ownership: borrows the workspace's Database, which must outlive it.
// Thread-safety: that of the Database (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sqlite.h"
#include "core/status.h"
#include "core/value.h"

namespace sluice {

// What a run is, as it starts.
struct SyncRunStart {
  std::string connector;
  std::string entity;
  std::string destination;  // Destination::Name()
  std::string table;
  std::string mode;        // "full" or "incremental"
  std::string write_mode;  // WriteModeName()
  std::string started_at;
  // The connector type's version that writes the run; empty: the installed
  // package's version, else the type's declared VERSION, looked up by
  // Start() from the connector's name.
  std::string type_version;
};

// How it ended.
struct SyncRunEnd {
  Status status;  // its error, masked of secrets before it is stored
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  int64_t rows_deleted = 0;
  int64_t duration_ms = 0;
  std::string finished_at;  // empty: still going on elsewhere (NULL on record)
};

// Where a distributed run on record went, for SHOW SYNC UNITS.
struct DistributedRunRecord {
  int64_t run = 0;  // its id in the coordinator's database
  std::string connector;
  std::string destination;  // the DestinationDef's name
};

// SHOW SYNC RUNS: the newest first, at most 100.
struct SyncRunRows {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
};

class SyncRuns {
 public:
  explicit SyncRuns(Database& db) : db_(db) {}

  // The new run's id; its status is 'running'. `distributed_run`: the id
  // of the distributed run (SYNC … DISTRIBUTED, sync/coordinator.h) in its
  // coordinator's database that this entity is part of; 0 (NULL on
  // record) for a local run.
  Result<int64_t> Start(const SyncRunStart& run, int64_t distributed_run = 0);
  // Called once a run holds its table: another run of the same entity to
  // the same destination still marked running is then one that was
  // killed, not one running in another process.
  Status MarkInterrupted(const std::string& connector, const std::string& entity, const std::string& destination,
                         int64_t except_run);
  // `outcome`: a distributed run's state for the entity instead of
  // "ok"/"failed" ("partial" when some of its units failed, "submitted"
  // when the submitter stopped waiting); `units`: what its units did ("12
  // units: 11 done, 1 failed; 2 retried"). Both empty for a local run.
  Status Finish(int64_t run, const SyncRunEnd& end, const std::string& outcome = "", const std::string& units = "");
  // `connector` empty: every connector's.
  Result<SyncRunRows> List(const std::string& connector);
  // Distributed run `run`, or the newest one on record (nullopt: none).
  Result<std::optional<DistributedRunRecord>> FindDistributed(std::optional<int64_t> run);

 private:
  Database& db_;
};

struct SyncSchedule {
  int64_t id = 0;
  std::string connector;
  std::string statement;  // the SYNC statement's text, run when due
  std::string cron;       // as written; checked when stored, parsed when due
  std::string last_run;   // the minute it last ran, "" if never
};

class SyncSchedules {
 public:
  explicit SyncSchedules(Database& db) : db_(db) {}

  // Adds a schedule, or changes the cron of the same statement's.
  Status Put(const std::string& connector, const std::string& statement, const std::string& cron,
             const std::string& created_at);
  // Every schedule, in the order they were made.
  Result<std::vector<SyncSchedule>> List();
  // Records that schedule `id` ran in `minute` (a timestamp).
  Status MarkRun(int64_t id, const std::string& minute);

 private:
  Database& db_;
};

}  // namespace sluice
