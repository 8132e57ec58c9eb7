// The driver of a SYNC statement, once its entities are chosen: plans each
// entity's run (sync_planner.h), records it (catalog/sync_runs.h), and runs
// the engine (sync_engine.h) for all of them — parents before children
// (waves), a child reading its parent's scan when both run (families, with
// RowTee), up to OPTIONS.concurrency at once stepped by turns on this
// thread, or one resolution for every table of a table integration
// (IntegrationPass). It emits progress events and returns each entity's
// outcome for the statement's summary.
//
// It knows neither the interpreter nor SQLite's virtual tables: a SyncHost
// opens destinations and rows (the lang adapter, lang/sync_adapter.h).
//
// Thread-safety: one thread; the engine's writer threads are its own.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/definitions.h"
#include "catalog/sync_runs.h"
#include "dest/destination.h"
#include "source/entity_provider.h"
#include "source/scan_request.h"
#include "source/partition.h"
#include "sync/integration_pass.h"
#include "sync/row_tee.h"
#include "sync/sync_engine.h"
#include "sync/sync_planner.h"
#include "sync/sync_progress.h"

namespace sluice {

// One entity's part of a SYNC statement, from its run record to its outcome.
struct EntityRun {
  std::string entity;
  std::string label;  // "connector.entity", for messages
  EntitySyncPlan plan;
  EntitySchema schema;
  std::string mode_name;
  std::string note;                      // said in its summary status
  bool direct = true;                    // rows straight from the handler (no WHERE), else through its SQL table
  std::vector<std::string> field_names;  // what the table holds of each row
  std::unique_ptr<Destination> own_destination;  // a connection of its own, when entities run at once
  std::string destination_name;                  // Destination::Name(), as its run record says it
  int64_t run_id = 0;
  std::chrono::steady_clock::time_point started, last_shown;
  std::unique_ptr<EntitySync> run;
  IntegrationPass* pass = nullptr;  // rows from a shared resolution of an integration
  size_t pass_table = 0;
  std::shared_ptr<RowTee> feeds;   // its scan, shared with its chosen children
  std::shared_ptr<RowTee> fed_by;  // its parent's scan, which it reads
  size_t reader = 0;               // its reader of fed_by
};

// What the driver needs from the statement's world.
class SyncHost {
 public:
  virtual ~SyncHost() = default;
  // The statement's destination; with `own_connection`, one that shares
  // nothing with another entity's (entities syncing at once).
  virtual Result<std::unique_ptr<Destination>> OpenDestination(bool own_connection) = 0;
  virtual Result<EntitySchema> Schema(const std::string& entity) = 0;
  // Readies reading `run` (its SQL table with the statement's WHERE, when
  // not direct), before its run is on record.
  virtual Status PrepareRows(EntityRun& run) = 0;
  // Opens the rows of `run` (outside an integration pass); `request` holds
  // the run's cursor and order, and keeps it away from the query cache.
  // Called once the run holds its table.
  virtual Result<std::unique_ptr<SyncRowStream>> OpenRows(EntityRun& run, const ScanRequest& request) = 0;
};

struct SyncRequest {
  ConnectorDef connector;
  std::vector<const EntityDef*> chosen;  // in the statement's order
  SyncChoices choices;
  // Entities may run on destination connections of their own (no WHERE,
  // and not an in-memory workspace).
  bool own_connections = true;
  // The source resolves several tables in one pass; null if it cannot.
  TableResolver* resolver = nullptr;
  // A unit of a distributed or sharded run (sync/work_units.h): every
  // chosen entity writes TableSpec::partition = partition->id, and reads
  // only that partition — a declared handler gets options.partition =
  // partition->spec (ScanRequest::partition), an integration's top-level
  // tables get it in their options (src/js/sdk/host.js resolves only that
  // multiplexer client; children follow their parent rows).
  std::optional<Partition> partition;
  // Checked in every batch's transaction (a distributed unit's lease).
  std::optional<CommitFence> fence;
  // A distributed unit: stale rows are not deleted here but by the run's
  // finalizer, once every unit has ended (sync/coordinator.h).
  bool defer_stale = false;
  // The run's timestamp (every unit of a distributed run shares it); empty:
  // now.
  std::string synced_at;
};

// A row of the statement's summary.
struct SyncOutcome {
  std::string entity;
  std::string table;
  bool ran = false;  // false: it failed before starting (mode, write mode, figures unknown)
  std::string mode;
  std::string write_mode;
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  int64_t rows_deleted = 0;
  std::string seconds;
  std::string rows_per_s;
  std::string status;  // "ok", "ok (table created)", "failed: …"
};

using SyncProgressListener = std::function<void(const SyncProgressEvent& event)>;

// Waves of entities: the first has no parent among those chosen, each next
// one the children of the wave before, so a child syncs after its parent.
std::vector<std::vector<const EntityDef*>> ParentsFirst(const std::vector<const EntityDef*>& chosen);

// Waves of families: a child whose parent is chosen, with a full run, and
// `feed_children`, joins its parent's family (reading the parent's scan);
// every other entity is a family of its own, in the wave ParentsFirst gives.
std::vector<std::vector<std::vector<const EntityDef*>>> FamilyRounds(
    const std::vector<const EntityDef*>& chosen, bool feed_children,
    const std::function<bool(const EntityDef&)>& full_run);

// OPTIONS.concurrency (default 4, at least 1); 1 without own connections.
int64_t SyncConcurrency(const ConnectorDef& connector, bool own_connections);

class SyncDriver {
 public:
  SyncDriver(SyncHost& host, SyncRuns& runs, SyncProgressListener progress)
      : host_(host), runs_(runs), progress_(std::move(progress)) {}

  // Runs every chosen entity into `destination` (or connections of their
  // own); `outcomes` gets a row per entity, in the order they ended. The
  // first failure, with its entity as context.
  Status Run(const SyncRequest& request, Destination& destination, std::vector<SyncOutcome>& outcomes);

 private:
  // An entity's run, on a destination connection of its own when runs go
  // at once; null (its failure noted) if it cannot start.
  std::unique_ptr<EntityRun> Prepare(const EntityDef& entity, bool own_connection);
  Result<std::unique_ptr<EntityRun>> PrepareEntitySync(const EntityDef& entity, Destination& destination);
  Status FinishEntitySync(EntityRun& job);
  // Opens a run's rows once it holds its table.
  OpenSyncRows OpenRows(EntityRun& job);
  // Whether this statement syncs the parent entity of `entity` as well.
  bool ParentSyncedToo(const std::string& entity) const;
  Status RunIntegrationPass();
  Status RunFamilies();
  void Note(Status status);

  SyncHost& host_;
  SyncRuns& runs_;
  SyncProgressListener progress_;
  const SyncRequest* request_ = nullptr;
  Destination* destination_ = nullptr;
  std::vector<SyncOutcome>* outcomes_ = nullptr;
  Status first_failure_;
};

}  // namespace sluice
