// `sluice worker --coordinator URL [--concurrency N] [--name NAME]
// [--drain] [--poll-ms MS]`: leases work units of distributed runs from
// the coordinator (sync/coordinator.h) and syncs them, until stopped (or,
// with --drain, until no running run has a unit pending or leased).
// --concurrency N runs N worker processes (this one supervises them), each
// syncing one unit at a time in a workspace restored from the run's
// catalog snapshot. A heartbeat thread renews the lease every third of its
// length; every batch commits fenced by the lease's epoch. SIGINT/SIGTERM
// stop after the unit at hand is failed back (its lease released).
//
// Exit status: 0 when stopped or drained, 1 when a unit failed in this
// worker, 2 for a bad command line or an unusable coordinator.
#pragma once

#include <string>
#include <vector>

#include "cli/runner.h"

namespace sluice {

int RunWorkerCommand(const std::vector<std::string>& args, ConsoleSink& sink);

}  // namespace sluice
