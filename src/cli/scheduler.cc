#include "cli/scheduler.h"

#include <atomic>
#include <csignal>
#include <thread>

#include "catalog/sync_runs.h"
#include "core/time_util.h"
#include "sync/cron.h"

namespace sluice {
namespace {

std::atomic<bool> stop_requested{false};

void RequestStop(int) { stop_requested = true; }

struct Due {
  int64_t id;
  std::string connector;
  std::string statement;
};

// Schedules due in the minute starting at `minute` (Unix seconds) that have not run in it.
Result<std::vector<Due>> DueSchedules(Workspace& workspace, int64_t minute, ConsoleSink& sink) {
  ASSIGN_OR_RETURN(std::vector<SyncSchedule> schedules, SyncSchedules(workspace.db()).List());
  std::string minute_text = FormatTimestamp(minute * 1'000'000);
  std::vector<Due> due;
  for (const SyncSchedule& schedule : schedules) {
    Result<CronSchedule> cron = CronSchedule::Parse(schedule.cron);
    if (!cron.ok()) {
      sink.Note("scheduler: schedule " + std::to_string(schedule.id) + " is unusable: " + cron.status().message());
      continue;
    }
    if (!cron->Matches(minute) || schedule.last_run == minute_text) continue;
    due.push_back({schedule.id, schedule.connector, schedule.statement});
  }
  return due;
}

Status RunDue(Workspace& workspace, Interpreter& interpreter, ConsoleSink& sink, int64_t minute) {
  ASSIGN_OR_RETURN(std::vector<Due> due, DueSchedules(workspace, minute, sink));
  for (const Due& job : due) {
    if (stop_requested) break;
    sink.Note("scheduler: " + FormatTimestamp(NowMicros()) + " running schedule " + std::to_string(job.id) + ": " +
              job.statement);
    // Recorded first: a sync that dies is not retried within its minute.
    RETURN_IF_ERROR(SyncSchedules(workspace.db()).MarkRun(job.id, FormatTimestamp(minute * 1'000'000)));
    auto source = std::make_shared<SourceFile>(SourceFile{"<schedule " + std::to_string(job.id) + ">", job.statement});
    RunOptions options;
    bool ok = RunText(source, interpreter, sink, options);
    sink.Note("scheduler: schedule " + std::to_string(job.id) + (ok ? " done" : " failed"));
  }
  return Status::Ok();
}

}  // namespace

int RunScheduler(Workspace& workspace, Interpreter& interpreter, ConsoleSink& sink, bool once) {
  interpreter.set_running_schedules(true);
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  if (!once) sink.Note("scheduler: running the schedules of " + workspace.path() + " (UTC) until stopped");
  while (!stop_requested) {
    int64_t now = NowMicros() / 1'000'000;
    Status ran = RunDue(workspace, interpreter, sink, now - now % 60);
    if (!ran.ok()) {
      sink.Error(ran);
      return 1;
    }
    if (once) return 0;
    // Sleep to the next minute, waking each second to notice a stop.
    while (!stop_requested && NowMicros() / 1'000'000 / 60 == now / 60) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  sink.Note("scheduler: stopped");
  return 0;
}

}  // namespace sluice
