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
  // One entity's figures: the newest progress event's until the job ends,
  // then the run it recorded (the figures the run history shows).
  struct Entity {
    std::string status = "running";
    int64_t rows_read = 0;
    int64_t rows_written = 0;
    int64_t batches = 0;
    int64_t elapsed_ms = 0;
    Value error = nullptr;
  };

  int64_t id = 0;
  std::string connector;
  std::string statement;
  std::string status = "running";
  std::string started_at;
  std::string finished_at;
  // Per label ("connector.entity"): the entities the statement syncs, in
  // the connector's order, then any other that reported.
  std::vector<std::string> labels;
  std::map<std::string, Entity> entities;
  Value error = nullptr;
  std::thread thread;

  Entity& At(const std::string& label) {
    if (!entities.count(label)) labels.push_back(label);
    return entities[label];
  }

  Value ToJson() const {
    Value list = Value::array();
    for (const std::string& label : labels) {
      const Entity& entity = entities.at(label);
      list.push_back({{"label", label},
                      {"status", entity.status},
                      {"rows_read", entity.rows_read},
                      {"rows_written", entity.rows_written},
                      {"batches", entity.batches},
                      {"elapsed_ms", entity.elapsed_ms},
                      {"error", entity.error}});
    }
    return {{"id", id},
            {"connector", connector},
            {"statement", statement},
            {"status", status},
            {"started_at", started_at},
            {"finished_at", finished_at.empty() ? Value(nullptr) : Value(finished_at)},
            {"entities", std::move(list)},
            {"error", error}};
  }
};

namespace {

// The entities a request syncs: those named, else all of the connector's.
std::vector<std::string> EntitiesOf(WorkspaceSession& session, const SyncJobRequest& request) {
  if (!request.entities.empty()) return request.entities;
  std::vector<std::string> names;
  auto connectors = ListConnectors(session);
  if (!connectors.ok()) return names;
  for (const Value& connector : (*connectors)["connectors"]) {
    if (connector["name"] != request.connector) continue;
    for (const Value& entity : connector["entities"]) names.push_back(entity.get<std::string>());
  }
  return names;
}

// The runs the job recorded, newest first: the connector's runs started
// since the job (to the second: the job's time has no fraction).
std::vector<Value> RunsSince(WorkspaceSession& session, const std::string& connector,
                             const std::string& since) {
  std::vector<Value> found;
  RunFilter filter;
  filter.connector = connector;
  filter.limit = 1000;
  auto runs = ListRuns(session, filter);
  if (!runs.ok()) return found;
  for (const Value& run : (*runs)["runs"]) {
    if (!run["started_at"].is_string()) continue;
    if (run["started_at"].get<std::string>().substr(0, 19) < since.substr(0, 19)) break;
    found.push_back(run);
  }
  return found;
}

}  // namespace

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
  std::vector<std::string> entity_names = EntitiesOf(*session, request);
  session.reset();

  auto job = std::make_shared<Job>();
  job->connector = request.connector;
  job->statement = statement;
  job->started_at = NowIso8601();
  // Listed from the start: an entity whose handler fails at once reports
  // nothing until the connector's sync ends.
  for (const std::string& name : entity_names) job->At(request.connector + "." + name);
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
          // Every kind (row read, batch committed, done) carries the
          // entity's figures so far.
          std::lock_guard<std::mutex> lock(mutex_);
          Job::Entity& entity = job->At(event.label);
          entity.rows_read = event.rows_read;
          entity.rows_written = event.rows_written;
          entity.batches = event.batches;
          entity.elapsed_ms = event.elapsed.count() / 1000;
          changed_.notify_all();
        });
        if (!ran.ok()) failure = ran.status();
        // How each entity ended is in the runs it recorded (the progress
        // events do not say whether an entity failed).
        std::vector<Value> runs = RunsSince(**opened, job->connector, job->started_at);
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
          const Value& run = *it;
          Job::Entity& entity = job->At(job->connector + "." + run["entity"].get<std::string>());
          entity.status = run["status"].get<std::string>();
          if (run["rows_read"].is_number_integer())
            entity.rows_read = run["rows_read"].get<int64_t>();
          if (run["rows_written"].is_number_integer())
            entity.rows_written = run["rows_written"].get<int64_t>();
          entity.error = run["error"];
        }
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
    // An entity that recorded no run did not get to run.
    for (auto& [label, entity] : job->entities) {
      if (entity.status == "running") entity.status = failure.ok() ? "done" : "failed";
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
