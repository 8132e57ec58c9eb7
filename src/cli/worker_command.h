// `sluice worker --coordinator URL [--concurrency N] [--name NAME]
// [--drain] [--poll-ms MS] [--reconnect-s S]`: leases work units of
// distributed runs from the coordinator (sync/coordinator.h) and syncs
// them, until stopped (or, with --drain, until no running run has a unit
// pending or leased). The URL may come from SLUICE_COORDINATOR instead; it
// is never printed (a password in it is masked wherever it would appear).
//
// --concurrency N (1..64) runs N worker processes (this one supervises
// them: each is /proc/self/exe started before anything else is set up, in
// a process group of its own, stopped with SIGTERM if the supervisor dies);
// SIGINT/SIGTERM are forwarded to them and the supervisor exits with the
// worst of their statuses (a child killed by a signal counts as 1 and is
// reported: its unit's lease expires and another worker takes it). Each
// worker syncs one unit at a time in a fresh in-memory workspace restored
// from the run's catalog snapshot, into the run's schema in the
// coordinator's database. A heartbeat thread renews the lease every third
// of its length; every batch commits fenced by the lease's epoch. A worker
// whose connection to the coordinator drops reconnects with backoff for up
// to --reconnect-s seconds (default 60). SIGINT/SIGTERM stop the unit at
// hand, fail it back ("worker stopped": pending again for another worker)
// and exit; a second one ends the process at once.
//
// Names: --name, else "<hostname>:<pid>"; a supervised child is
// "<name>/<i>" (i from 1) with --name, else "<hostname>:<its pid>".
//
// stderr, one line per unit start and end (rows: written by this attempt):
//   worker NAME: unit 7 (prod.items[acct-3]) of run 2, attempt 2: started
//   worker NAME: unit 7 (prod.items[acct-3]) of run 2, attempt 2: done, 1200 rows in 0.8 s
//   worker NAME: unit 7 (…) of run 2, attempt 2: failed: <error>
//   worker NAME: unit 7 (…) of run 2, attempt 2: lease lost: <why>; the unit is another worker's now
//   worker NAME: unit 7 (…) of run 2, attempt 2: stopped; failed back to the coordinator
//   worker NAME: run 2 finalized: done (12 units done, 0 failed), 3 stale rows deleted
//
// Exit status: 0 when stopped or drained, 1 when a unit failed in this
// worker (or the coordinator stayed unreachable past --reconnect-s), 2 for
// a bad command line or a coordinator unusable at start.
#pragma once

#include <string>
#include <vector>

#include "cli/runner.h"

namespace sluice {

int RunWorkerCommand(const std::vector<std::string>& args, ConsoleSink& sink);

// The password of a libpq connection string (URI or key=value form), for
// the secret masker; empty when it holds none.
std::string ConnectionStringPassword(const std::string& url);

}  // namespace sluice
