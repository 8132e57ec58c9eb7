#include "cli/scheduler.h"

#include <atomic>
#include <csignal>
#include <thread>

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
  ASSIGN_OR_RETURN(Stmt stmt, workspace.db().Prepare(
                                  "SELECT id, connector, statement, cron, last_run FROM _sluice_sync_schedules "
                                  "ORDER BY id"));
  std::string minute_text = FormatTimestamp(minute * 1'000'000);
  std::vector<Due> due;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Result<CronSchedule> cron = CronSchedule::Parse(stmt.ColumnText(3));
    if (!cron.ok()) {
      sink.Note("scheduler: schedule " + std::to_string(stmt.ColumnInt(0)) + " is unusable: " +
                cron.status().message());
      continue;
    }
    if (!cron->Matches(minute) || stmt.ColumnText(4) == minute_text) continue;
    due.push_back({stmt.ColumnInt(0), stmt.ColumnText(1), stmt.ColumnText(2)});
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
    ASSIGN_OR_RETURN(Stmt mark, workspace.db().Prepare("UPDATE _sluice_sync_schedules SET last_run = ?2 WHERE id = ?1"));
    RETURN_IF_ERROR(mark.BindInt(1, job.id));
    RETURN_IF_ERROR(mark.BindText(2, FormatTimestamp(minute * 1'000'000)));
    RETURN_IF_ERROR(mark.Run());
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
