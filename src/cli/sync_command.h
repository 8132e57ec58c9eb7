// `sluice sync FILE.yaml…`: runs CloudQuery-style sync configurations
// (sync/cloudquery_config.h) against a workspace. Each destination becomes
// a CREATE OR REPLACE DESTINATION, each source a CREATE OR REPLACE
// CONNECTOR of the type its path names (a folder's definitions are run
// first), and each (source, destination, table) a SYNC statement, echoed as
// it runs. Returns the exit status: 0, 1 when a sync failed, 2 when a file
// is unusable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/runner.h"
#include "sync/cloudquery_config.h"

namespace sluice {

// What configuration files come to: the statements that define
// (destinations, then connectors; none may fail) and the SYNC statements,
// one per (source, destination, table).
struct SyncConfigPlan {
  std::string definitions;
  std::string syncs;
};

// Builds the whole plan before any of it runs. Knowing a source's tables
// takes its connector type: a folder's definitions are run, and a table
// integration's connector is made, here, so its plugin can list them.
Result<SyncConfigPlan> PlanSyncConfigs(const SyncConfig& config, Workspace& workspace, Interpreter& interpreter);

// `sluice sync FILE.yaml --shard i/N` / `--distributed`: every SYNC
// statement the files come to gets SHARD i/N / DISTRIBUTED.
struct SyncConfigOptions {
  std::optional<std::string> shard;  // "i/N" as given
  bool distributed = false;
};

int RunSyncConfigs(const std::vector<std::string>& files, Workspace& workspace, Interpreter& interpreter,
                   ConsoleSink& sink, const SyncConfigOptions& options = {});

}  // namespace sluice
