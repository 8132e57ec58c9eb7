#include "server/sync_jobs.h"

#include <algorithm>
#include <utility>

#include "catalog/catalog.h"
#include "core/status.h"
#include "server/session.h"

namespace sluice {
namespace {
constexpr size_t kKeptJobs = 100;
}  // namespace

struct SyncJobs::Job {
  int64_t id = 0;
  std::string connector;
  std::string statement;
  std::string status = "running";
  std::string started_at;
  std::string finished_at;
  // Per label ("connector.entity"), in the order they first reported.
  std::vector<std::string> labels;
  std::map<std::string, SyncProgressEvent> figures;
  Value error = nullptr;
  std::thread thread;

  Value ToJson() const {
    Value entities = Value::array();
    for (const std::string& label : labels) {
      const SyncProgressEvent& event = figures.at(label);
      entities.push_back({{"label", label},
                          {"rows_read", event.rows_read},
                          {"rows_written", event.rows_written},
                          {"batches", event.batches},
                          {"elapsed_ms", event.elapsed.count() / 1000}});
    }
    return {{"id", id},
            {"connector", connector},
            {"statement", statement},
            {"status", status},
            {"started_at", started_at},
            {"finished_at", finished_at.empty() ? Value(nullptr) : Value(finished_at)},
            {"entities", std::move(entities)},
            {"error", error}};
  }
};

SyncJobs::SyncJobs(const ServeOptions& options) : options_(options) {}

SyncJobs::~SyncJobs() {
  std::map<int64_t, std::shared_ptr<Job>> jobs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs = jobs_;
  }
  for (auto& [id, job] : jobs) {
    if (job->thread.joinable()) job->thread.join();
  }
}

Result<int64_t> SyncJobs::Start(const SyncJobRequest& request) {
  // Checked on the caller's thread, so a bad name is the request's 400/404,
  // not a failed job.
  ASSIGN_OR_RETURN(auto session, WorkspaceSession::Open(options_));
  ASSIGN_OR_RETURN(std::string statement, SyncStatementFor(*session, request));
  session.reset();

  auto job = std::make_shared<Job>();
  job->connector = request.connector;
  job->statement = statement;
  job->started_at = NowIso8601();
  std::vector<std::thread> finished_threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job->id = next_id_++;
    jobs_[job->id] = job;
    // Bounded history: the oldest finished jobs go (their threads are done).
    while (jobs_.size() > kKeptJobs) {
      auto oldest = std::find_if(jobs_.begin(), jobs_.end(), [](const auto& entry) {
        return entry.second->status != "running";
      });
      if (oldest == jobs_.end()) break;
      if (oldest->second->thread.joinable())
        finished_threads.push_back(std::move(oldest->second->thread));
      jobs_.erase(oldest);
    }
  }
  for (std::thread& thread : finished_threads) thread.join();

  const int64_t id = job->id;
  std::lock_guard<std::mutex> lock(mutex_);
  job->thread = std::thread([this, job]() {
    Status failure;
    {
      auto opened = WorkspaceSession::Open(options_);
      if (!opened.ok()) {
        failure = opened.status();
      } else {
        auto ran = (*opened)->Run(job->statement, [this, job](const SyncProgressEvent& event) {
          std::lock_guard<std::mutex> lock(mutex_);
          if (!job->figures.count(event.label)) job->labels.push_back(event.label);
          job->figures[event.label] = event;
          changed_.notify_all();
        });
        if (!ran.ok()) failure = ran.status();
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    job->finished_at = NowIso8601();
    if (failure.ok()) {
      job->status = "done";
    } else {
      job->status = "failed";
      job->error = {{"kind", ErrorKindName(failure.kind())}, {"message", failure.ToString()}};
    }
    changed_.notify_all();
  });
  return id;
}

Result<Value> SyncJobs::Get(int64_t id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = jobs_.find(id);
  if (found == jobs_.end())
    return Status(ErrorKind::kNotFound, "no sync job has id " + std::to_string(id));
  return found->second->ToJson();
}

Value SyncJobs::List() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Value jobs = Value::array();
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) jobs.push_back(it->second->ToJson());
  return Value{{"jobs", std::move(jobs)}};
}

Result<Value> SyncJobs::Wait(int64_t id) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto found = jobs_.find(id);
  if (found == jobs_.end())
    return Status(ErrorKind::kNotFound, "no sync job has id " + std::to_string(id));
  std::shared_ptr<Job> job = found->second;
  changed_.wait(lock, [&]() { return job->status != "running"; });
  return job->ToJson();
}

}  // namespace sluice
