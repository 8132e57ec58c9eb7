// The plan of one entity's sync, decided from the statement's choices, the
// entity, its connector's OPTIONS and what the destination can do: the
// table and its columns, the cursor, full or incremental, the write mode
// and the batch size. Pure: no I/O, no clock (the caller gives the run's
// timestamp), so every rule is unit-tested on its own
// (sync_planner_test.cc). The driver (sync_driver.h) runs the plan.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "catalog/definitions.h"
#include "core/status.h"
#include "source/entity_provider.h"  // EntitySchema
#include "sync/sync_engine.h"

namespace sluice {

// SYNC … FULL / INCREMENTAL [ON field], or neither (the entity's CURSOR decides).
enum class SyncModeChoice { kDefault, kFull, kIncremental };

// What the statement chose, as written.
struct SyncChoices {
  SyncModeChoice mode = SyncModeChoice::kDefault;
  std::optional<std::string> incremental_field;  // INCREMENTAL ON field
  std::optional<WriteMode> write_mode;           // WRITE_MODE '…'
  bool has_where = false;
  bool force = false;
};

struct PlannedEntitySync {
  EntitySyncPlan plan;
  std::string mode_name;  // "full" or "incremental", as run history and the summary say it
  std::string note;       // said in the summary's status when the run succeeds
};

// `<connector>_<entity>`, or OPTIONS.sync_table with {connector} and {entity} filled in.
std::string SyncTableName(const ConnectorDef& connector, const std::string& entity);

// The table name an entity syncs to, refused when it is one of Sluice's
// own (`_sluice…`, any case). Checked before anything about the entity is
// read.
Result<std::string> PlanSyncTable(const ConnectorDef& connector, const std::string& entity);

// Whether a run of `entity` under `choices` reads every row (a full run).
bool IsFullRun(const SyncChoices& choices, const EntityDef& entity);

// The plan, or the first rule it breaks (the statement's error, without
// context). `absorbs_repeats`: Destination::AbsorbsRepeats().
Result<PlannedEntitySync> PlanEntitySync(const SyncChoices& choices, const ConnectorDef& connector,
                                         const EntityDef& entity, const EntitySchema& schema, bool absorbs_repeats,
                                         const std::string& synced_at);

}  // namespace sluice
