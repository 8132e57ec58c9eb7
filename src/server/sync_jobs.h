// Syncs started through the server (POST /api/sync, the MCP run_sync tool):
// each runs on a thread of its own with its own WorkspaceSession, and its
// progress events are kept here so the console can show live figures per
// entity while it runs. Runs started elsewhere (the CLI, the scheduler)
// appear only in the run history, as "running" until they finish.
//
// A job is JSON: {"id", "connector", "statement", "status" ("running" |
// "done" | "failed"), "started_at", "finished_at", "entities": [{"label",
// "status", "rows_read", "rows_written", "batches", "elapsed_ms", "error"}],
// "error": null | {"kind", "message"}}. Finished jobs are kept (the newest
// 100). Every entity the statement syncs is listed from the start, status
// "running" with the progress events' figures; once the job ends each takes
// its run's status, figures and error (a Run's, workspace_views.h).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "core/value.h"
#include "server/serve_options.h"
#include "server/workspace_views.h"

namespace sluice {

class SyncJobs {
 public:
  explicit SyncJobs(const ServeOptions& options);
  // Waits for running jobs (their syncs stop at the next batch once the
  // process is interrupted).
  ~SyncJobs();

  // Checks the request (connector and entities exist) and starts it; the job id.
  Result<int64_t> Start(const SyncJobRequest& request);
  // The job, or kNotFound.
  Result<Value> Get(int64_t id) const;
  // {"jobs": [job…]}, newest first.
  Value List() const;
  // Blocks until the job ends; the job.
  Result<Value> Wait(int64_t id);

 private:
  struct Job;
  const ServeOptions& options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int64_t next_id_ = 1;
  std::map<int64_t, std::shared_ptr<Job>> jobs_;
};

}  // namespace sluice
