#include "cli/worker_command.h"

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/interrupt.h"
#include "core/secret_masker.h"
#include "dest/postgres_destination.h"
#include "lang/catalog_snapshot.h"
#include "sync/coordinator.h"

extern char** environ;

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitUnitFailed = 1;
constexpr int kExitUsage = 2;
// A supervised child stops when its supervisor dies (PR_SET_PDEATHSIG); the
// supervisor's pid tells it whether that already happened before it asked.
constexpr const char* kSupervisorEnv = "SLUICE_WORKER_SUPERVISOR";
constexpr const char* kCoordinatorEnv = "SLUICE_COORDINATOR";

struct WorkerOptions {
  std::string coordinator;
  int concurrency = 1;
  std::string name;
  bool drain = false;
  int poll_ms = 500;
  int reconnect_s = 60;
};

// ---- signals ---------------------------------------------------------------

std::atomic<bool> stop_requested{false};

void OnStopSignal(int signal_number) {
  // A second signal ends the process at once: a unit that will not stop
  // has its lease expire instead.
  if (stop_requested.exchange(true)) {
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
    return;
  }
  RequestInterrupt();  // a handler call or an HTTP wait in progress stops
}

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  // libpq and the event loop retry on EINTR anyway; waits of ours poll the flag.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Sleeps up to `duration`, returning early when a stop is requested.
void InterruptibleSleep(std::chrono::milliseconds duration) {
  auto until = Clock::now() + duration;
  while (!stop_requested && Clock::now() < until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
  }
}

// ---- arguments -------------------------------------------------------------

std::string HostName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
  return host;
}

// Parses the worker's own flags; nullopt after printing help (exit 0), an
// error for anything wrong.
Result<std::optional<WorkerOptions>> ParseArgs(const std::vector<std::string>& args, ConsoleSink& sink) {
  WorkerOptions options;
  CLI::App app{"sync work units of distributed runs leased from a coordinator", "sluice worker"};
  app.add_option("--coordinator", options.coordinator,
                 "the coordinator's PostgreSQL connection string (or $SLUICE_COORDINATOR)")
      ->envname(kCoordinatorEnv);
  app.add_option("--concurrency", options.concurrency, "worker processes to run (1..64, default 1)")
      ->check(CLI::Range(1, 64));
  app.add_option("--name", options.name, "this worker's name in the coordinator (default <hostname>:<pid>)");
  app.add_flag("--drain", options.drain, "exit once no running run has a unit pending or leased");
  app.add_option("--poll-ms", options.poll_ms, "wait between polls when no unit is free (default 500)")
      ->check(CLI::Range(1, 3'600'000));
  app.add_option("--reconnect-s", options.reconnect_s,
                 "how long to keep reconnecting to a lost coordinator before exiting 1 (default 60)")
      ->check(CLI::Range(0, 86'400));
  // CLI11 takes a vector in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    sink.Print(app.help());
    return std::optional<WorkerOptions>();
  } catch (const CLI::ParseError& error) {
    return Status(ErrorKind::kInvalidArgument, std::string("sluice worker: ") + error.what());
  }
  if (options.coordinator.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "sluice worker: --coordinator URL (or SLUICE_COORDINATOR) is required: the PostgreSQL database "
                  "holding the distributed runs");
  }
  if (!options.name.empty() && options.name.size() > 200) {
    return Status(ErrorKind::kInvalidArgument, "sluice worker: --name is longer than 200 characters");
  }
  return std::optional<WorkerOptions>(std::move(options));
}

// ---- the supervisor (--concurrency N > 1) -------------------------------------

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int number = WTERMSIG(status);
    const char* name = sigabbrev_np(number);
    return "was killed by signal " + std::to_string(number) + (name ? std::string(" (SIG") + name + ")" : "");
  }
  return "ended (status " + std::to_string(status) + ")";
}

int Supervise(const WorkerOptions& options, ConsoleSink& sink) {
  // Blocked before the first spawn, so no child's end or a stop request is
  // missed; each child gets an empty mask and default handlers back.
  sigset_t watched;
  sigemptyset(&watched);
  sigaddset(&watched, SIGINT);
  sigaddset(&watched, SIGTERM);
  sigaddset(&watched, SIGCHLD);
  sigset_t previous;
  sigprocmask(SIG_BLOCK, &watched, &previous);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &watched);
  // A process group of its own: a terminal's Ctrl-C reaches the supervisor
  // only, which forwards it once (a second signal would kill the child).
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  // The URL travels in the environment, not argv: argv is visible to every
  // user of the machine (ps).
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view text(*entry);
    if (text.starts_with(std::string(kCoordinatorEnv) + "=") || text.starts_with(std::string(kSupervisorEnv) + "="))
      continue;
    env_strings.emplace_back(text);
  }
  env_strings.push_back(std::string(kCoordinatorEnv) + "=" + options.coordinator);
  env_strings.push_back(std::string(kSupervisorEnv) + "=" + std::to_string(getpid()));
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::map<pid_t, std::string> children;  // pid → name, while alive
  int worst = kExitOk;
  bool stopping = false;
  auto forward = [&](int signal_number) {
    for (const auto& [pid, name] : children) kill(pid, signal_number);
  };

  for (int i = 1; i <= options.concurrency; ++i) {
    std::vector<std::string> argv_strings = {"sluice",      "worker",
                                             "--concurrency", "1",
                                             "--poll-ms",   std::to_string(options.poll_ms),
                                             "--reconnect-s", std::to_string(options.reconnect_s)};
    if (options.drain) argv_strings.push_back("--drain");
    if (!options.name.empty()) {
      argv_strings.push_back("--name");
      argv_strings.push_back(options.name + "/" + std::to_string(i));
    }
    std::vector<char*> argv;
    for (std::string& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int error = posix_spawn(&pid, "/proc/self/exe", nullptr, &attr, argv.data(), envp.data());
    if (error != 0) {
      sink.Note("worker: cannot start worker process " + std::to_string(i) + ": " + std::strerror(error));
      worst = std::max(worst, kExitUsage);
      stopping = true;
      forward(SIGTERM);
      break;
    }
    children[pid] = options.name.empty() ? HostName() + ":" + std::to_string(pid)
                                         : options.name + "/" + std::to_string(i);
  }
  posix_spawnattr_destroy(&attr);
  if (!stopping) {
    std::string pids;
    for (const auto& [pid, name] : children) pids += (pids.empty() ? "" : ", ") + std::to_string(pid);
    sink.Note("worker: supervising " + std::to_string(children.size()) + " worker processes (pids " + pids + ")");
  }

  while (!children.empty()) {
    int signal_number = sigwaitinfo(&watched, nullptr);
    if (signal_number < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (signal_number == SIGINT || signal_number == SIGTERM) {
      if (!stopping) {
        sink.Note("worker: stopping " + std::to_string(children.size()) + " worker process" +
                  (children.size() == 1 ? "" : "es"));
      }
      stopping = true;
      forward(signal_number);
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto child = children.find(pid);
      if (child == children.end()) continue;
      if (WIFSIGNALED(status)) {
        sink.Note("worker: worker process " + child->second + " " + DescribeWaitStatus(status) +
                  "; its unit's lease expires and another worker takes the unit");
        worst = std::max(worst, kExitUnitFailed);
      } else if (WIFEXITED(status)) {
        worst = std::max(worst, std::min(WEXITSTATUS(status), kExitUsage));
        if (WEXITSTATUS(status) != 0) sink.Note("worker: worker process " + child->second + " " + DescribeWaitStatus(status));
      }
      children.erase(child);
    }
  }
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  return worst;
}

// ---- one worker ------------------------------------------------------------

// A unit's workspace restores integration folders here; removed with it.
class ScratchDir {
 public:
  static Result<ScratchDir> Create() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/sluice-worker-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      return Status(ErrorKind::kIo, "cannot create a scratch folder under " + pattern.substr(0, pattern.rfind('/')) +
                                        ": " + std::strerror(errno));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ignored;  // best effort: a leftover under $TMPDIR harms nothing
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// What a unit's interpreter says: results go nowhere (a unit has none to
// show), handler console output goes to stderr.
class UnitSink : public OutputSink {
 public:
  explicit UnitSink(std::function<void(const std::string&)> log) : log_(std::move(log)) {}
  void Emit(const ResultSet&) override {}
  void Print(const std::string& line) override { log_(line); }
  void Log(const std::string& line) override { log_(line); }
  void SyncProgress(const SyncProgressEvent&) override {}

 private:
  std::function<void(const std::string&)> log_;
};

std::string FormatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", seconds);
  return text;
}

class Worker {
 public:
  Worker(WorkerOptions options, ConsoleSink& sink) : options_(std::move(options)), sink_(sink) {}

  int Run();

 private:
  // Thread-safe: the heartbeat thread writes too.
  void Say(const std::string& line) {
    std::lock_guard lock(say_mutex_);
    sink_.Note("worker " + options_.name + ": " + line);
  }
  // Connects, retrying with backoff until the reconnect window (from the
  // first failure) is over; false: give up (or stopped).
  bool Reconnect(const Status& why);
  // Runs the leased unit to its end; an error only for the coordinator
  // failing (the unit's own failure is reported to it).
  Status RunUnit(const UnitLease& lease);
  Result<const DistributedRunSpec*> LoadRun(int64_t run_id);
  Status SyncUnit(const UnitLease& lease, const DistributedRunSpec& run, std::vector<SyncOutcome>& outcomes);
  Status FinalizeRun(int64_t run_id);

  // What a run's units share in this worker: the restored catalog, its
  // interpreter (so a connector instance, its realm and a table
  // integration's loaded plugin serve every unit of the run), and the
  // database session. Members in the order they must be destroyed last.
  struct RunSession {
    int64_t run_id = 0;
    std::optional<ScratchDir> scratch;  // a table integration's unpacked folder
    std::unique_ptr<Workspace> workspace;
    std::unique_ptr<UnitSink> sink;
    std::unique_ptr<Interpreter> interpreter;
    std::unique_ptr<PostgresDestination> destination;
  };
  Result<RunSession*> SessionFor(const DistributedRunSpec& run);

  WorkerOptions options_;
  ConsoleSink& sink_;
  std::mutex say_mutex_;
  std::unique_ptr<Coordinator> coordinator_;
  std::map<int64_t, DistributedRunSpec> runs_;  // by run id: a run's spec never changes
  std::unique_ptr<RunSession> session_;          // the last run's, while its units come
  bool unusable_ = false;                        // this worker cannot run units (its key): it stops
  std::optional<Clock::time_point> failing_since_;
  int units_failed_ = 0;
};

// Renews a lease every third of its length on a connection of its own, so
// a unit slow between commits keeps it.
class Heartbeat {
 public:
  Heartbeat(const UnitLease& lease, const std::string& url, std::function<void(const std::string&)> say)
      : lease_(lease), url_(url), say_(std::move(say)), thread_([this] { Loop(); }) {}
  ~Heartbeat() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  bool lost() const { return lost_; }

 private:
  void Loop() {
    auto period = std::max(lease_.lease / 3, std::chrono::milliseconds(100));
    std::unique_ptr<Coordinator> coordinator;
    bool warned = false;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return done_; })) {
      lock.unlock();
      Status failed;
      if (!coordinator) {
        Result<std::unique_ptr<Coordinator>> connected = Coordinator::Connect(url_);
        if (connected.ok()) coordinator = std::move(*connected);
        else failed = connected.status();
      }
      if (coordinator) {
        Result<bool> renewed = coordinator->Renew(lease_);
        if (!renewed.ok()) {
          failed = renewed.status();
          coordinator.reset();  // reconnect at the next beat
        } else if (!*renewed) {
          lost_ = true;
          say_("unit " + std::to_string(lease_.unit_id) + " of run " + std::to_string(lease_.run_id) +
               ": lease lost (another worker may have the unit now); its next commit will be refused");
          lock.lock();
          return;
        }
      }
      if (!failed.ok() && !warned) {
        warned = true;  // once per unit: the fenced commits renew the lease too
        say_("heartbeat of unit " + std::to_string(lease_.unit_id) + " failed: " + failed.ToString());
      }
      lock.lock();
    }
  }

  UnitLease lease_;
  std::string url_;
  std::function<void(const std::string&)> say_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::atomic<bool> lost_{false};
  std::thread thread_;  // last: starts once the rest is built
};

bool Worker::Reconnect(const Status& why) {
  if (!failing_since_) {
    failing_since_ = Clock::now();
    Say("the coordinator failed: " + why.ToString() + "; reconnecting");
  }
  auto window = std::chrono::seconds(options_.reconnect_s);
  auto backoff = std::chrono::milliseconds(250);
  coordinator_.reset();
  while (!stop_requested) {
    Result<std::unique_ptr<Coordinator>> connected = Coordinator::Connect(options_.coordinator);
    if (connected.ok()) {
      coordinator_ = std::move(*connected);
      return true;
    }
    if (Clock::now() - *failing_since_ >= window) {
      Say("gave up: the coordinator stayed unreachable for " + std::to_string(options_.reconnect_s) +
          " s: " + connected.status().ToString());
      return false;
    }
    InterruptibleSleep(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(8'000));
  }
  return false;
}

Result<const DistributedRunSpec*> Worker::LoadRun(int64_t run_id) {
  auto found = runs_.find(run_id);
  if (found == runs_.end()) {
    ASSIGN_OR_RETURN(DistributedRunSpec spec, coordinator_->LoadRun(run_id));
    found = runs_.emplace(run_id, std::move(spec)).first;
  }
  return &found->second;
}

Result<Worker::RunSession*> Worker::SessionFor(const DistributedRunSpec& run) {
  if (session_ && session_->run_id == run.run_id) return session_.get();
  session_.reset();  // one run's at a time: the previous one's scratch folder goes
  auto session = std::make_unique<RunSession>();
  session->run_id = run.run_id;
  ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::Create());
  session->scratch.emplace(std::move(scratch));
  ASSIGN_OR_RETURN(session->workspace, Workspace::Open(":memory:"));
  RETURN_IF_ERROR(RestoreSnapshot(*session->workspace, CatalogSnapshot{run.catalog, run.integration_archive},
                                  session->scratch->path() + "/unit"));
  session->sink = std::make_unique<UnitSink>([this](const std::string& line) {
    std::lock_guard lock(say_mutex_);
    sink_.Note(line);
  });
  session->interpreter = std::make_unique<Interpreter>(*session->workspace, *session->sink);
  Value config = Value::object();
  config["connection_string"] = options_.coordinator;
  config["schema"] = run.schema;
  // Paused inside a batch past its lease, this session is ended by the
  // server: its row locks must not hold up the unit's next worker.
  config["idle_in_transaction_timeout_ms"] = static_cast<int64_t>(run.lease.count());
  ASSIGN_OR_RETURN(session->destination, PostgresDestination::Connect("coordinator", config));
  session_ = std::move(session);
  return session_.get();
}

Status Worker::SyncUnit(const UnitLease& lease, const DistributedRunSpec& run, std::vector<SyncOutcome>& outcomes) {
  ASSIGN_OR_RETURN(RunSession * session, SessionFor(run));
  Heartbeat heartbeat(lease, options_.coordinator, [this](const std::string& line) { Say(line); });
  Interpreter::UnitSync unit{lease.unit.connector, lease.unit.entities, lease.unit.partition, run.choices,
                             run.synced_at,        session->destination.get(), coordinator_->Fence(lease)};
  Status synced = session->interpreter->RunSyncUnit(unit, outcomes);
  // A unit that failed may leave its connector or its database session in
  // any state (a handler out of memory, a connection the server ended): the
  // next unit starts afresh. Units that succeed share one restored
  // workspace, connector instance and session, as the units of a
  // single-process sync do.
  if (!synced.ok()) session_.reset();
  return synced;
}

Status Worker::FinalizeRun(int64_t run_id) {
  ASSIGN_OR_RETURN(std::optional<RunStatus> finalized, coordinator_->Finalize(run_id));
  if (!finalized) return Status::Ok();
  int done = 0, failed = 0;
  for (const UnitStatus& unit : finalized->units) {
    if (unit.state == "done") ++done;
    if (unit.state == "failed") ++failed;
  }
  Say("run " + std::to_string(run_id) + " finalized: " + finalized->state + " (" + std::to_string(done) +
      " units done, " + std::to_string(failed) + " failed), " + std::to_string(finalized->rows_deleted) +
      " stale rows deleted" + (finalized->error.empty() ? "" : ": " + finalized->error));
  runs_.erase(run_id);
  if (session_ && session_->run_id == run_id) session_.reset();
  return Status::Ok();
}

Status Worker::RunUnit(const UnitLease& lease) {
  std::string label = "unit " + std::to_string(lease.unit_id) + " (" + lease.unit.Label() + ") of run " +
                      std::to_string(lease.run_id) + ", attempt " + std::to_string(lease.attempt);
  Say(label + ": started");
  auto start = Clock::now();
  std::vector<SyncOutcome> outcomes;
  Status synced;
  Result<const DistributedRunSpec*> run = LoadRun(lease.run_id);
  if (!run.ok()) {
    // The coordinator itself failed: the lease expires and the unit goes
    // to the next worker (or to this one after reconnecting).
    Say(label + ": cannot load the run: " + run.status().ToString());
    return run.status();
  }
  synced = SyncUnit(lease, **run, outcomes);
  int64_t rows_read = 0, rows_written = 0;
  for (const SyncOutcome& outcome : outcomes) {
    rows_read += outcome.rows_read;
    rows_written += outcome.rows_written;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  // The coordinator failing now loses only the unit's end: its lease
  // expires and a worker re-runs it from its committed marks.
  auto coordinator_failed = [&](const Status& status) {
    Say(label + ": cannot report its end to the coordinator: " + status.ToString() +
        "; the unit will be leased again when its lease expires");
    return status;
  };
  if (synced.ok()) {
    Result<bool> completed = coordinator_->Complete(lease, rows_read);
    if (!completed.ok()) return coordinator_failed(completed.status());
    if (*completed) {
      Say(label + ": done, " + std::to_string(rows_written) + " rows in " + FormatSeconds(seconds) + " s");
    } else {
      Say(label + ": lease lost: it expired before the unit completed; the unit is another worker's now");
    }
  } else if (synced.kind() == ErrorKind::kSecret) {
    // This worker cannot open the run's secrets (another SLUICE_SECRET_KEY,
    // or no key): not the unit's fault. Failing it would spend its
    // attempts, and one misconfigured worker would fail every run it
    // touched. The unit goes back as it was, and the worker stops.
    Result<bool> released = coordinator_->Release(lease, "worker " + options_.name + ": " + synced.ToString());
    if (!released.ok()) return coordinator_failed(released.status());
    Say(label + ": this worker cannot open the run's secrets: " + synced.ToString() +
        "; the unit goes back to the coordinator as it was, and this worker stops (give it the submitter's "
        "SLUICE_SECRET_KEY)");
    unusable_ = true;
    return Status::Ok();
  } else if (IsLeaseLost(synced)) {
    // Not failed back: the unit is no longer this worker's to fail.
    Say(label + ": lease lost: " + synced.ToString() + "; the unit is another worker's now");
  } else if (stop_requested) {
    Result<bool> failed_back = coordinator_->Fail(lease, "worker stopped");
    if (!failed_back.ok()) return coordinator_failed(failed_back.status());
    Say(label + (*failed_back ? ": stopped; failed back to the coordinator"
                              : ": stopped; its lease was already lost"));
  } else {
    std::string error = SecretMasker::Global().Mask(synced.ToString());
    ++units_failed_;
    Result<bool> failed_back = coordinator_->Fail(lease, error);
    if (!failed_back.ok()) {
      Say(label + ": failed: " + error);
      return coordinator_failed(failed_back.status());
    }
    Say(label + ": failed: " + error + (*failed_back ? "" : " (and its lease was lost)"));
  }
  return FinalizeRun(lease.run_id);
}

int Worker::Run() {
  InstallStopHandlers();
  SetSharedRateLimitFactory(PostgresRateLimits(options_.coordinator));
  Result<std::unique_ptr<Coordinator>> connected = Coordinator::Connect(options_.coordinator);
  if (!connected.ok()) {
    Say("cannot use the coordinator: " + connected.status().ToString());
    return kExitUsage;
  }
  coordinator_ = std::move(*connected);
  Say("leasing units from the coordinator" + std::string(options_.drain ? " until none is left" : " until stopped"));
  while (!stop_requested) {
    if (!coordinator_ && !Reconnect(Status(ErrorKind::kConnection, "not connected"))) break;
    Result<std::optional<UnitLease>> claimed = coordinator_->Claim(options_.name);
    if (!claimed.ok()) {
      if (!Reconnect(claimed.status())) break;
      continue;
    }
    if (!*claimed) {
      if (options_.drain) {
        Result<bool> has_work = coordinator_->HasWork();
        if (!has_work.ok()) {
          if (!Reconnect(has_work.status())) break;
          continue;
        }
        if (!*has_work) {
          Say("drained: no running run has a unit pending or leased");
          return units_failed_ > 0 ? kExitUnitFailed : kExitOk;
        }
      }
      failing_since_.reset();
      InterruptibleSleep(std::chrono::milliseconds(options_.poll_ms));
      continue;
    }
    failing_since_.reset();
    int failed_before = units_failed_;
    Status ran = RunUnit(**claimed);
    if (unusable_) return kExitUsage;
    if (!ran.ok() && !stop_requested && !Reconnect(ran)) break;
    // After a failure, a pause: another worker (with another machine's
    // network, key or disk) may take the retry first.
    if (units_failed_ > failed_before) InterruptibleSleep(std::chrono::milliseconds(options_.poll_ms));
  }
  if (stop_requested) {
    Say("stopped");
    return units_failed_ > 0 ? kExitUnitFailed : kExitOk;
  }
  return kExitUnitFailed;  // the coordinator stayed unreachable
}

// Percent-decoding for a URI's user information and query values.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::string ConnectionStringPassword(const std::string& url) {
  std::string_view text = url;
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (!text.starts_with(scheme)) continue;
    std::string_view rest = text.substr(scheme.size());
    size_t query = rest.find('?');
    std::string_view authority = rest.substr(0, std::min(rest.find('/'), query));
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      std::string_view user_info = authority.substr(0, at);
      if (size_t colon = user_info.find(':'); colon != std::string_view::npos) {
        return PercentDecode(user_info.substr(colon + 1));
      }
    }
    if (query != std::string_view::npos) {
      std::string_view params = rest.substr(query + 1);
      while (!params.empty()) {
        size_t amp = params.find('&');
        std::string_view param = params.substr(0, amp);
        if (param.starts_with("password=")) return PercentDecode(param.substr(9));
        if (amp == std::string_view::npos) break;
        params.remove_prefix(amp + 1);
      }
    }
    return "";
  }
  // key = value pairs; a value may be 'quoted' with \' and \\ escapes.
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  while (i < text.size()) {
    skip_spaces();
    size_t key_start = i;
    while (i < text.size() && text[i] != '=' && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view key = text.substr(key_start, i - key_start);
    skip_spaces();
    if (i >= text.size() || text[i] != '=') return "";
    ++i;
    skip_spaces();
    std::string value;
    if (i < text.size() && text[i] == '\'') {
      for (++i; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value.push_back(text[i]);
      }
      ++i;
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value.push_back(text[i++]);
      }
    }
    if (key == "password") return value;
  }
  return "";
}

int RunWorkerCommand(const std::vector<std::string>& args, ConsoleSink& sink) {
  // A supervised child: stop with the supervisor, even if it died already.
  if (const char* supervisor = std::getenv(kSupervisorEnv)) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (std::to_string(getppid()) != supervisor) return kExitOk;
    unsetenv(kSupervisorEnv);
  }
  Result<std::optional<WorkerOptions>> parsed = ParseArgs(args, sink);
  if (!parsed.ok()) {
    sink.Error(parsed.status());
    return kExitUsage;
  }
  if (!*parsed) return kExitOk;  // --help
  WorkerOptions options = std::move(**parsed);
  if (std::string password = ConnectionStringPassword(options.coordinator); !password.empty()) {
    SecretMasker::Global().Add(password);
  }
  // Before anything else starts a thread or an engine: children are started
  // from a process that has neither.
  if (options.concurrency > 1) return Supervise(options, sink);
  if (options.name.empty()) options.name = HostName() + ":" + std::to_string(getpid());
  return Worker(std::move(options), sink).Run();
}

}  // namespace sluice
