// `sluice scheduler [WORKSPACE] [--once]`: runs the workspace's stored
// `SYNC … SCHEDULE 'cron'` statements when they are due, in the foreground,
// until SIGINT or SIGTERM. Due schedules run one after another, so a
// connector never has two syncs at once; a schedule runs at most once a
// minute (its last run is recorded), and one that failed is tried again at
// its next due minute. `--once` runs what is due this minute and exits.
#pragma once

#include "cli/runner.h"

namespace sluice {

int RunScheduler(Workspace& workspace, Interpreter& interpreter, ConsoleSink& sink, bool once);

}  // namespace sluice
