// `sluice sync FILE.yaml…`: runs CloudQuery-style sync configurations
// (sync/cloudquery_config.h) against a workspace. Each destination becomes
// a CREATE OR REPLACE DESTINATION, each source a CREATE OR REPLACE
// CONNECTOR of the type its path names (a folder's definitions are run
// first), and each (source, destination, table) a SYNC statement, echoed as
// it runs. Returns the exit status: 0, 1 when a sync failed, 2 when a file
// is unusable.
#pragma once

#include <string>
#include <vector>

#include "cli/runner.h"

namespace sluice {

int RunSyncConfigs(const std::vector<std::string>& files, Workspace& workspace, Interpreter& interpreter,
                   ConsoleSink& sink);

}  // namespace sluice
