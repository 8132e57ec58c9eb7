// The coordinator of distributed runs (DESIGN.md §11, docs/distributed.md):
// PostgreSQL, the database the run's rows go to. `SYNC … DISTRIBUTED`
// stores a run and its work units (sync/work_units.h) in schema `_sluice`;
// `sluice worker` processes, any number on any machine, lease units with
// `FOR UPDATE SKIP LOCKED`, and every batch a worker commits checks the
// unit's lease epoch in its own transaction (CommitFence): a worker that
// paused past its lease, or lost its connection, can never commit again.
// A failed unit goes back to pending until its attempts run out; a re-leased
// unit resumes from its last committed mark (marks are per partition).
// When every unit has ended, one finalizer (whoever ends the last unit,
// or the waiting submitter) deletes stale rows — only of the partitions
// that completed, all of them only when every unit completed — and sets
// the run done, partial or failed, in one transaction.
//
// Tables (created if missing, under an advisory lock):
//   _sluice.runs  (run_id, connector, schema_name, statement, choices json,
//                  catalog json, integration bytea, synced_at, state,
//                  max_attempts, lease_ms, tables jsonb, rows_deleted,
//                  error, created_at, finished_at)
//   _sluice.units (unit_id, run_id, position, entity, entities jsonb,
//                  partition_id, partition_spec json, state, attempt,
//                  lease_owner, lease_epoch, lease_expires_at, heartbeat_at,
//                  rows_read, rows_written, error, started_at, finished_at)
//   _sluice.rate_limits (key, tat): shared request rates (GCRA)
// (json, not jsonb, where the user's values are kept: jsonb would reorder
// an object's keys.) A dropped connection is made again on the next call.
// Unit states: pending, leased, done, failed. Run states: running, done,
// partial (some units failed, some completed), failed (none completed).
//
// Times come from the database's clock (now(), clock_timestamp()), never a
// worker's: machines' clocks differ.
//
// Errors are kDestination or kConnection with PostgreSQL's message; the
// connection string is never part of one.
//
// Thread-safety: one thread per Coordinator (each holds one connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "dest/destination.h"
#include "net/shared_rate_limit.h"
#include "sync/work_units.h"

namespace sluice {

// A table an entity of the run writes, for the finalizer.
struct RunTable {
  std::string entity;
  std::string table;
  bool delete_stale = false;  // a full run in overwrite-delete-stale
};

struct DistributedRunSpec {
  int64_t run_id = 0;     // set by CreateRun / LoadRun
  std::string connector;
  std::string schema;     // the destination schema the units write, in the coordinator's database
  std::string statement;  // the SYNC statement as written
  // What the statement chose: {"mode": "full"|"incremental"|"default",
  // "incremental_field": …|null, "write_mode": …|null, "force": bool}.
  Value choices = Value::object();
  Value catalog = Value::object();  // lang/catalog_snapshot.h; secrets still sealed
  std::string integration_archive;  // a table integration's folder (package/archive.h); empty for declared
  std::string synced_at;            // the run's timestamp, every unit's rows
  int max_attempts = 3;
  std::chrono::milliseconds lease{30'000};
  std::vector<WorkUnit> units;   // in position order
  std::vector<RunTable> tables;
};

struct UnitLease {
  int64_t run_id = 0;
  int64_t unit_id = 0;
  int64_t epoch = 0;  // the fencing token
  int attempt = 0;    // 1 for the first lease
  std::string worker;
  std::chrono::milliseconds lease{30'000};
  WorkUnit unit;
};

struct UnitStatus {
  int64_t unit_id = 0;
  std::string entity;
  std::string partition;  // "" for the whole entity
  std::string state;      // pending, leased, done, failed
  int attempt = 0;
  std::string worker;     // the last to lease it
  int64_t rows_read = 0;
  int64_t rows_written = 0;  // committed (each fenced batch adds its rows)
  std::string error;         // the last failure, secrets masked
  std::string started_at, finished_at;
};

struct RunStatus {
  int64_t run_id = 0;
  std::string connector;
  std::string schema;
  std::string state;  // running, done, partial, failed
  std::string synced_at, created_at, finished_at;
  int64_t rows_deleted = 0;
  std::string error;
  std::vector<UnitStatus> units;  // in position order
};

class Coordinator {
 public:
  // `url`: a libpq connection string or URI. Creates `_sluice` and its
  // tables when missing.
  static Result<std::unique_ptr<Coordinator>> Connect(const std::string& url);
  ~Coordinator();

  // Stores the run and its units (pending) in one transaction; its id.
  Result<int64_t> CreateRun(const DistributedRunSpec& spec);
  Result<DistributedRunSpec> LoadRun(int64_t run_id);

  // Leases the next unit of any running run (oldest run first, then
  // position): pending, or leased with its lease expired. Bumps epoch and
  // attempt; the lease lasts the run's lease_ms from the database's now().
  // A unit whose lease expired with no attempts left becomes failed
  // ("lease expired on attempt N: its worker stopped") instead. nullopt:
  // nothing to lease now.
  Result<std::optional<UnitLease>> Claim(const std::string& worker);
  // The fence every batch of the lease's unit commits with: renews the
  // lease and adds the batch's rows to rows_written, or updates nothing.
  CommitFence Fence(const UnitLease& lease) const;
  // Renews the lease between batches (a worker's heartbeat); false: lost.
  Result<bool> Renew(const UnitLease& lease);
  // The unit completed: done, with its figures; false: lease lost (nothing changed).
  Result<bool> Complete(const UnitLease& lease, int64_t rows_read);
  // The worker, not the unit, cannot go on (it cannot open the run's
  // secrets: another SLUICE_SECRET_KEY): the unit goes back to pending
  // without its attempt counting, `why` stored as its last error. false:
  // lease lost.
  Result<bool> Release(const UnitLease& lease, const std::string& why);
  // The unit failed: pending again while attempts remain, else failed;
  // `error` is stored masked of secrets. false: lease lost.
  Result<bool> Fail(const UnitLease& lease, const std::string& error);

  // When no unit of a running run is pending or leased: deletes stale rows
  // (see the top of this file) and sets the run's state, in one
  // transaction under the run's row lock. nullopt while units remain, or
  // when the run had already ended.
  Result<std::optional<RunStatus>> Finalize(int64_t run_id);
  Result<RunStatus> Progress(int64_t run_id);
  // Whether any running run has a unit pending or leased.
  Result<bool> HasWork();

 private:
  struct Connection;
  explicit Coordinator(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> connection_;
};

// A SharedRateLimitFactory over the coordinator's database: each limit has
// a connection of its own, made on first use.
SharedRateLimitFactory PostgresRateLimits(const std::string& url);

}  // namespace sluice
