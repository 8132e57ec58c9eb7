#include "cloudquery/plugin_server.h"

#include <grpcpp/grpcpp.h>
#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "cloudquery/proto/discovery.grpc.pb.h"
#include "cloudquery/proto/plugin.grpc.pb.h"
#include "core/interrupt.h"
#include "core/json_depth.h"
#include "core/secret_masker.h"

namespace sluice::cq {
namespace {

namespace pb = cloudquery::plugin::v3;
namespace discovery = cloudquery::discovery::v1;

grpc::StatusCode CodeOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kParse:
    case ErrorKind::kType:
    case ErrorKind::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorKind::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case ErrorKind::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case ErrorKind::kAuth:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorKind::kRateLimit:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorKind::kConnection:
      return grpc::StatusCode::UNAVAILABLE;
    case ErrorKind::kTimeout:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case ErrorKind::kNotImplemented:
      return grpc::StatusCode::UNIMPLEMENTED;
    case ErrorKind::kInternal:
      return grpc::StatusCode::INTERNAL;
    default:
      return grpc::StatusCode::UNKNOWN;
  }
}

// A backend call that throws (a bug: the engine reports errors as Status)
// fails its RPC with what it threw instead of taking the server down.
Status Guarded(const std::string& what, const std::function<Status()>& call) {
  try {
    return call();
  } catch (const std::exception& e) {
    return Status(ErrorKind::kInternal, what + " threw: " + e.what());
  } catch (...) {
    return Status(ErrorKind::kInternal, what + " threw a non-standard exception");
  }
}

// Deeper than this, a spec is refused before anything parses, copies or
// frees it: those are recursive, and 100,000 levels overflow the stack.
// The same limit as the SQL parser's (CONFIG nests no deeper there).
constexpr int kMaxSpecNesting = 256;

Status CheckSpecNesting(const std::string& what, const std::string& spec) {
  if (JsonTextDepth(spec) > kMaxSpecNesting) {
    return Status(ErrorKind::kInvalidArgument, what + ": the spec is too deeply nested: more than " +
                                                   std::to_string(kMaxSpecNesting) + " levels");
  }
  return Status::Ok();
}

grpc::Status ToGrpc(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // The client may print it: secrets never leave masked.
  return grpc::Status(CodeOf(status.kind()), SecretMasker::Global().Mask(status.ToString()));
}

// Runs jobs on the thread that called ServePlugin (SpiderMonkey's): gRPC's
// handler threads post a job and wait for it. Once stopping, queued jobs
// are refused rather than run, so a shutdown never waits behind them.
class Executor {
 public:
  // False when the server stopped before the job could run.
  bool Run(std::function<void()> job) {
    auto done = std::make_shared<Pending>();
    done->job = std::move(job);
    {
      std::unique_lock lock(mutex_);
      if (stopping_) return false;
      jobs_.push_back(done);
    }
    wake_.notify_all();
    std::unique_lock lock(mutex_);
    finished_.wait(
        lock, [&] { return done->state != Pending::kQueued && done->state != Pending::kRunning; });
    return done->state == Pending::kDone;
  }

  // Runs jobs until `until` holds (checked before each job).
  void Loop(const std::function<bool()>& until) {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait_for(lock, std::chrono::milliseconds(200),
                     [&] { return !jobs_.empty() || until(); });
      // A stop request wins over queued jobs: Stop() refuses them.
      if (until()) return;
      if (jobs_.empty()) continue;
      std::shared_ptr<Pending> next = jobs_.front();
      jobs_.pop_front();
      if (stopping_) {
        next->state = Pending::kRefused;
        finished_.notify_all();
        continue;
      }
      next->state = Pending::kRunning;
      lock.unlock();
      next->job();
      lock.lock();
      next->state = Pending::kDone;
      finished_.notify_all();
    }
  }

  void Stop() {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    for (const auto& pending : jobs_) pending->state = Pending::kRefused;
    jobs_.clear();
    finished_.notify_all();
    wake_.notify_all();
  }

  void Wake() { wake_.notify_all(); }

 private:
  struct Pending {
    enum State { kQueued, kRunning, kDone, kRefused } state = kQueued;
    std::function<void()> job;
  };
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  std::deque<std::shared_ptr<Pending>> jobs_;
  bool stopping_ = false;
};

// A Sync's messages between the backend (producer, serving thread) and the
// gRPC handler (consumer, writing to the client). Bounded by bytes, so a
// slow client slows the source rather than filling memory.
class SyncQueue {
 public:
  explicit SyncQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

  // False once the client has gone (or the server stops).
  bool Push(pb::Sync_Response message) {
    size_t bytes = message.ByteSizeLong();
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] {
      return cancelled_ || queued_bytes_ == 0 || queued_bytes_ + bytes <= max_bytes_;
    });
    if (cancelled_) return false;
    queued_bytes_ += bytes;
    messages_.push_back(std::move(message));
    changed_.notify_all();
    return true;
  }
  void Finish(Status status) {
    std::unique_lock lock(mutex_);
    finished_ = true;
    final_ = std::move(status);
    changed_.notify_all();
  }
  void Cancel() {
    std::unique_lock lock(mutex_);
    cancelled_ = true;
    messages_.clear();
    queued_bytes_ = 0;
    changed_.notify_all();
  }
  bool cancelled() {
    std::unique_lock lock(mutex_);
    return cancelled_;
  }
  enum class Popped { kMessage, kEnd, kIdle };
  // Waits a little for a message or the end; kIdle lets the caller check
  // whether its client is still there.
  Popped Pop(pb::Sync_Response& out, Status& final_status) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(100),
                      [&] { return !messages_.empty() || finished_; });
    if (!messages_.empty()) {
      out = std::move(messages_.front());
      messages_.pop_front();
      queued_bytes_ -= std::min(queued_bytes_, out.ByteSizeLong());
      changed_.notify_all();
      return Popped::kMessage;
    }
    if (finished_) {
      final_status = final_;
      return Popped::kEnd;
    }
    return Popped::kIdle;
  }

 private:
  const size_t max_bytes_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<pb::Sync_Response> messages_;
  size_t queued_bytes_ = 0;
  bool cancelled_ = false;
  bool finished_ = false;
  Status final_;
};

// The process-wide interrupt (core/interrupt.h), requested for one Sync
// job only: set while that job runs, cleared when it ends (unless the
// server is stopping, which wants every later call interrupted too).
class SyncInterrupt {
 public:
  void Start() {
    std::lock_guard lock(mutex_);
    running_ = true;
    if (requested_) RequestInterrupt();
  }
  void Request() {
    std::lock_guard lock(mutex_);
    requested_ = true;
    if (running_) RequestInterrupt();
  }
  void End(bool stopping) {
    std::lock_guard lock(mutex_);
    if (running_ && requested_ && !stopping) ClearInterrupt();
    running_ = false;
  }

 private:
  std::mutex mutex_;
  bool running_ = false;
  bool requested_ = false;
};

std::string TableNameOf(const ArrowSchema& table) {
  return MetadataValue(table.metadata, "cq:table_name");
}

// "id=42" from the row's primary-key cells (when the schema marks them), so
// an error about a row names it the way a user finds it.
std::string RowKey(const ArrowSchema& table, const Row& row) {
  std::string key;
  for (size_t i = 0; i < table.fields.size() && i < row.size(); ++i) {
    if (MetadataValue(table.fields[i].metadata, "cq:extension:primary_key") != "true") continue;
    std::string text = row[i].is_string()
                           ? row[i].get<std::string>()
                           : row[i].dump(-1, ' ', false, Value::error_handler_t::replace);
    if (text.size() > 64) text = text.substr(0, 61) + "...";
    key += (key.empty() ? "" : ", ") + table.fields[i].name + "=" + text;
  }
  return key;
}

class QueueSink : public SyncSink {
 public:
  QueueSink(SyncQueue& queue, const ServeOptions& options, bool with_errors,
            const std::atomic<bool>& stopping)
      : queue_(queue), options_(options), with_errors_(with_errors), stopping_(stopping) {}

  Status MigrateTable(const ArrowSchema& table) override {
    pb::Sync_Response message;
    message.mutable_migrate_table()->set_table(EncodeSchema(table));
    return Send(std::move(message));
  }

  Status Insert(const ArrowSchema& table, const std::vector<Row>& rows) override {
    const std::string name = TableNameOf(table);
    size_t& counted = rows_sent_[name];
    const size_t budget = options_.insert_budget_bytes > kEnvelopeBytes
                              ? options_.insert_budget_bytes - kEnvelopeBytes
                              : options_.insert_budget_bytes;
    // The schema travels in every record: its size is the floor.
    auto base = base_bytes_.find(name);
    if (base == base_bytes_.end()) {
      ASSIGN_OR_RETURN(std::string empty, EncodeRecord(table, {}));
      base = base_bytes_.emplace(name, empty.size()).first;
    }
    std::vector<Row> batch;
    size_t batch_bytes = base->second;
    size_t first = counted;  // the batch's first row, counted over the table
    for (size_t i = 0; i < rows.size(); ++i) {
      size_t bytes = EstimateRowBytes(table, rows[i]);
      if (base->second + bytes > budget) {
        // Might still fit when encoded; only a real encoding says no.
        ASSIGN_OR_RETURN(std::string alone, EncodeRecord(table, {rows[i]}));
        if (alone.size() > budget)
          return TooLarge(table, rows[i], counted + i, alone.size(), budget);
      }
      // Bytes bound a record, and so does its count of values: a table of
      // bools alone would otherwise make records a reader refuses.
      bool values_full = (batch.size() + 1) * std::max<size_t>(table.fields.size(), 1) > kRecordValuesAlwaysAccepted;
      if (!batch.empty() && (batch_bytes + bytes > budget || values_full)) {
        RETURN_IF_ERROR(Flush(table, batch, first));
        first = counted + i;
        batch.clear();
        batch_bytes = base->second;
      }
      batch.push_back(rows[i]);
      batch_bytes += bytes;
    }
    if (!batch.empty()) RETURN_IF_ERROR(Flush(table, batch, first));
    counted += rows.size();
    return Status::Ok();
  }

  Status Error(const std::string& table_name, const std::string& message) override {
    if (options_.log) options_.log("error", "table " + table_name + ": " + message);
    if (!with_errors_) return Gone();
    pb::Sync_Response response;
    response.mutable_error()->set_table_name(table_name);
    response.mutable_error()->set_error(SecretMasker::Global().Mask(message));
    return Send(std::move(response));
  }

  Status Check() override { return Gone(); }

 private:
  Status Gone() {
    if (stopping_.load()) return Status(ErrorKind::kTimeout, "the plugin server is stopping");
    if (queue_.cancelled()) return Status(ErrorKind::kConnection, "the client cancelled the sync");
    return Status::Ok();
  }

  Status Send(pb::Sync_Response message) {
    RETURN_IF_ERROR(Gone());
    if (!queue_.Push(std::move(message))) {
      RETURN_IF_ERROR(Gone());
      return Status(ErrorKind::kConnection, "the client cancelled the sync");
    }
    return Status::Ok();
  }

  // Encodes `batch`; an estimate that was too low halves it until each
  // half fits (a lone row that still does not fit is an error).
  Status Flush(const ArrowSchema& table, const std::vector<Row>& batch, size_t first) {
    const size_t budget = options_.insert_budget_bytes > kEnvelopeBytes
                              ? options_.insert_budget_bytes - kEnvelopeBytes
                              : options_.insert_budget_bytes;
    ASSIGN_OR_RETURN(std::string record, EncodeRecord(table, batch));
    if (record.size() > budget) {
      if (batch.size() == 1) return TooLarge(table, batch[0], first, record.size(), budget);
      size_t half = batch.size() / 2;
      RETURN_IF_ERROR(Flush(table, std::vector<Row>(batch.begin(), batch.begin() + half), first));
      return Flush(table, std::vector<Row>(batch.begin() + half, batch.end()), first + half);
    }
    pb::Sync_Response message;
    message.mutable_insert()->set_record(std::move(record));
    return Send(std::move(message));
  }

  Status TooLarge(const ArrowSchema& table, const Row& row, size_t index, size_t bytes,
                  size_t budget) {
    std::string key = RowKey(table, row);
    return Status(ErrorKind::kInvalidArgument,
                  "table '" + TableNameOf(table) + "', row " + std::to_string(index + 1) +
                      (key.empty() ? "" : " (" + key + ")") + ": encoded it is " +
                      std::to_string(bytes) + " bytes, more than the " + std::to_string(budget) +
                      " bytes one insert message may hold; the row cannot be sent");
  }

  SyncQueue& queue_;
  const ServeOptions& options_;
  const bool with_errors_;
  const std::atomic<bool>& stopping_;
  std::map<std::string, size_t> base_bytes_;  // encoded size of a record with no rows, per table
  std::map<std::string, size_t> rows_sent_;   // rows per table so far, to name a failing one
};

class Server final : public pb::Plugin::Service, public discovery::Discovery::Service {
 public:
  Server(const ServeOptions& options, PluginBackend& backend, Executor& executor,
         std::atomic<bool>& stopping)
      : options_(options), backend_(backend), executor_(executor), stopping_(stopping) {}

  grpc::Status GetVersions(grpc::ServerContext*, const discovery::GetVersions_Request*,
                           discovery::GetVersions_Response* response) override {
    response->add_versions(3);
    return grpc::Status::OK;
  }

  grpc::Status GetName(grpc::ServerContext*, const pb::GetName_Request*,
                       pb::GetName_Response* response) override {
    return OnBackend("GetName", [&] {
      response->set_name(backend_.Name());
      return Status::Ok();
    });
  }
  grpc::Status GetVersion(grpc::ServerContext*, const pb::GetVersion_Request*,
                          pb::GetVersion_Response* response) override {
    return OnBackend("GetVersion", [&] {
      response->set_version(backend_.Version());
      return Status::Ok();
    });
  }
  grpc::Status GetSpecSchema(grpc::ServerContext*, const pb::GetSpecSchema_Request*,
                             pb::GetSpecSchema_Response* response) override {
    return OnBackend("GetSpecSchema", [&] {
      std::optional<std::string> schema = backend_.SpecSchema();
      if (schema) response->set_json_schema(*schema);
      return Status::Ok();
    });
  }
  grpc::Status Init(grpc::ServerContext*, const pb::Init_Request* request,
                    pb::Init_Response*) override {
    if (Status deep = CheckSpecNesting("Init", request->spec()); !deep.ok()) {
      Log("error", deep.ToString());
      return ToGrpc(deep);
    }
    std::string spec = request->spec().empty() ? "null" : request->spec();
    return OnBackend("Init", [&] {
      return backend_.Init(spec, request->no_connection(), request->invocation_id());
    });
  }
  grpc::Status GetTables(grpc::ServerContext*, const pb::GetTables_Request* request,
                         pb::GetTables_Response* response) override {
    std::vector<std::string> tables(request->tables().begin(), request->tables().end());
    std::vector<std::string> skip(request->skip_tables().begin(), request->skip_tables().end());
    return OnBackend("GetTables", [&]() -> Status {
      ASSIGN_OR_RETURN(std::vector<ArrowSchema> schemas,
                       backend_.GetTables(tables, skip, request->skip_dependent_tables()));
      for (const ArrowSchema& schema : schemas) response->add_tables(EncodeSchema(schema));
      return Status::Ok();
    });
  }
  grpc::Status TestConnection(grpc::ServerContext*, const pb::TestConnection_Request* request,
                              pb::TestConnection_Response* response) override {
    if (Status deep = CheckSpecNesting("TestConnection", request->spec()); !deep.ok()) {
      // A spec refused is a failed test, as any other bad spec is.
      response->set_success(false);
      response->set_failure_code(ErrorKindName(deep.kind()));
      response->set_failure_description(deep.ToString());
      return grpc::Status::OK;
    }
    std::string spec = request->spec().empty() ? "null" : request->spec();
    return OnBackend("TestConnection", [&] {
      TestConnectionResult result = backend_.TestConnection(spec);
      response->set_success(result.success);
      response->set_failure_code(result.failure_code);
      response->set_failure_description(result.failure_description);
      return Status::Ok();
    });
  }
  grpc::Status Close(grpc::ServerContext*, const pb::Close_Request*, pb::Close_Response*) override {
    return OnBackend("Close", [&] { return backend_.Close(); });
  }

  grpc::Status Sync(grpc::ServerContext* context, const pb::Sync_Request* request,
                    grpc::ServerWriter<pb::Sync_Response>* writer) override {
    SyncOptions sync;
    sync.tables.assign(request->tables().begin(), request->tables().end());
    sync.skip_tables.assign(request->skip_tables().begin(), request->skip_tables().end());
    sync.skip_dependent_tables = request->skip_dependent_tables();
    sync.deterministic_cq_id = request->deterministic_cq_id();
    sync.with_error_messages = request->witherrormessages();
    if (request->has_shard())
      sync.shard = std::pair<int, int>(request->shard().num(), request->shard().total());
    Log("debug", "Sync: tables [" + Join(sync.tables) + "], skip [" + Join(sync.skip_tables) + "]");
    // Shared: if this handler gives up first, the job still has its queue.
    auto queue =
        std::make_shared<SyncQueue>(std::max<size_t>(options_.insert_budget_bytes * 4, 16u << 20));
    auto job_done = std::make_shared<std::atomic<bool>>(false);
    // A cancel interrupts the JavaScript the job runs (a source that waits
    // or loops never reaches the sink); `running` under its mutex makes
    // sure the interrupt never outlives the job into the next call.
    auto interrupt = std::make_shared<SyncInterrupt>();
    std::thread poster([this, queue, sync, job_done, interrupt] {
      bool ran = executor_.Run([&] {
        interrupt->Start();
        QueueSink sink(*queue, options_, sync.with_error_messages, stopping_);
        Status status = Guarded("Sync", [&] { return backend_.Sync(sync, sink); });
        interrupt->End(stopping_.load());
        queue->Finish(std::move(status));
      });
      if (!ran) queue->Finish(Status(ErrorKind::kConnection, "the plugin server is stopping"));
      job_done->store(true);
    });
    grpc::Status result = grpc::Status::OK;
    size_t messages = 0;
    while (true) {
      pb::Sync_Response message;
      Status final_status;
      SyncQueue::Popped popped = queue->Pop(message, final_status);
      if (popped == SyncQueue::Popped::kMessage) {
        // Write fails once the client is gone; then the backend is told to
        // stop (its next sink call fails) and nothing more is written.
        if (!writer->Write(message)) {
          queue->Cancel();
          interrupt->Request();
          result = grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
          break;
        }
        ++messages;
        continue;
      }
      if (popped == SyncQueue::Popped::kEnd) {
        if (!final_status.ok()) {
          Log("error", "Sync failed: " + final_status.ToString());
          result = ToGrpc(final_status);
        }
        break;
      }
      if (context->IsCancelled()) {
        queue->Cancel();
        interrupt->Request();
        result = grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled the sync");
        break;
      }
    }
    poster.join();
    Log(result.ok() ? "info" : "debug", "Sync ended after " + std::to_string(messages) +
                                            " messages" +
                                            (result.ok() ? "" : ": " + result.error_message()));
    return result;
  }

  grpc::Status Read(grpc::ServerContext*, const pb::Read_Request*,
                    grpc::ServerWriter<pb::Read_Response>*) override {
    return Unimplemented("Read");
  }
  grpc::Status Write(grpc::ServerContext*, grpc::ServerReader<pb::Write_Request>*,
                     pb::Write_Response*) override {
    return Unimplemented("Write");
  }
  grpc::Status Transform(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<pb::Transform_Response, pb::Transform_Request>*) override {
    return Unimplemented("Transform");
  }
  grpc::Status TransformSchema(grpc::ServerContext*, const pb::TransformSchema_Request*,
                               pb::TransformSchema_Response*) override {
    return Unimplemented("TransformSchema");
  }

 private:
  static std::string Join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  }
  void Log(const std::string& level, const std::string& message) const {
    if (options_.log) options_.log(level, message);
  }
  grpc::Status Unimplemented(const std::string& what) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        what + " is not implemented: Sluice serves source plugins only");
  }
  // Runs `call` on the serving thread; its error becomes the RPC's status.
  grpc::Status OnBackend(const std::string& what, const std::function<Status()>& call) {
    Log("debug", what);
    Status status;
    if (!executor_.Run([&] { status = Guarded(what, call); })) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the plugin server is stopping");
    }
    if (!status.ok()) {
      Log("error", what + " failed: " + status.ToString());
      return ToGrpc(status);
    }
    return grpc::Status::OK;
  }

  const ServeOptions& options_;
  PluginBackend& backend_;
  Executor& executor_;
  std::atomic<bool>& stopping_;
};

// Why a unix socket cannot be made at `path`, said before gRPC tries (it
// only says "cannot bind"): too long for sun_path, or no such folder.
Status CheckSocketPath(const std::string& path) {
  constexpr size_t kMax = sizeof(sockaddr_un::sun_path) - 1;  // 107 on Linux
  if (path.size() > kMax) {
    return Status(ErrorKind::kInvalidArgument,
                  "cannot listen on " + path + ": the path is " + std::to_string(path.size()) +
                      " bytes, longer than the " + std::to_string(kMax) +
                      " a unix socket path may have");
  }
  size_t slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  struct stat info;
  if (stat(folder.c_str(), &info) != 0) {
    return Status(ErrorKind::kNotFound, "cannot listen on " + path + ": folder " + folder + ": " +
                                            std::strerror(errno));
  }
  if (!S_ISDIR(info.st_mode)) {
    return Status(ErrorKind::kInvalidArgument,
                  "cannot listen on " + path + ": " + folder + " is not a folder");
  }
  return Status::Ok();
}

// Why gRPC could not listen on a tcp host:port: binding it ourselves says
// (address in use, no such host, permission).
std::string WhyNoTcpListen(const std::string& target) {
  size_t colon = target.rfind(':');
  if (colon == std::string::npos) return "not a host:port address";
  std::string host = target.substr(0, colon);
  std::string port = target.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  int error = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (error != 0) return std::string("cannot resolve it: ") + gai_strerror(error);
  std::string why = "in use, or not an address";
  for (addrinfo* at = found; at; at = at->ai_next) {
    int fd = socket(at->ai_family, at->ai_socktype | SOCK_CLOEXEC, at->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, at->ai_addr, at->ai_addrlen) != 0) {
      why = errno == EADDRINUSE ? "the address is already in use" : std::strerror(errno);
      close(fd);
      break;
    }
    close(fd);
  }
  freeaddrinfo(found);
  return why;
}

// A unix socket path left behind by a process that died: nobody answers
// on it. A live server's socket is an error, never taken over.
Status ClearStaleSocket(const std::string& path) {
  struct stat info;
  if (lstat(path.c_str(), &info) != 0) return Status::Ok();
  if (!S_ISSOCK(info.st_mode)) {
    return Status(ErrorKind::kInvalidArgument,
                  "cannot listen on " + path + ": it exists and is not a socket");
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return Status(ErrorKind::kInvalidArgument, "unix socket path too long: " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(ErrorKind::kIo, std::string("socket(): ") + std::strerror(errno));
  bool alive = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  if (alive) return Status(ErrorKind::kAlreadyExists, "another server listens on " + path);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status(ErrorKind::kIo,
                  "cannot remove the stale socket " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// SIGINT and SIGTERM are taken by a thread of ours (sigwait) rather than a
// handler: threads started from here on inherit the blocked mask, so no
// gRPC or JavaScript thread is ever interrupted by them.
class SignalWatch {
 public:
  explicit SignalWatch(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::thread([this] {
      while (!done_.load()) {
        timespec wait{0, 200'000'000};
        int signal = sigtimedwait(&set_, nullptr, &wait);
        if (signal == SIGINT || signal == SIGTERM) on_signal_(signal);
      }
    });
  }
  ~SignalWatch() {
    done_.store(true);
    thread_.join();
    // Signals still pending stay blocked: the process is about to end
    // cleanly, and unblocking would kill it with the default action.
  }
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  sigset_t set_;
  sigset_t old_;
  std::function<void(int)> on_signal_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Status ServePlugin(const ServeOptions& options, PluginBackend& backend) {
  auto log = [&](const std::string& level, const std::string& message) {
    if (options.log) options.log(level, message);
  };
  std::string target;
  std::string socket_path;
  if (options.network == "unix") {
    socket_path =
        options.address.starts_with("unix:") ? options.address.substr(5) : options.address;
    if (socket_path.starts_with("//")) socket_path = socket_path.substr(2);  // unix:///abs
    if (socket_path.empty())
      return Status(ErrorKind::kInvalidArgument, "--address: a unix socket path is needed");
    RETURN_IF_ERROR(CheckSocketPath(socket_path));
    RETURN_IF_ERROR(ClearStaleSocket(socket_path));
    target = "unix:" + socket_path;
  } else if (options.network == "tcp" || options.network == "tcp4" || options.network == "tcp6") {
    target = options.address;
    if (target.starts_with("unix:")) {
      // The JavaScript SDK's way: --address unix:/path with network tcp.
      socket_path = target.substr(5);
      if (socket_path.starts_with("//")) socket_path = socket_path.substr(2);
      RETURN_IF_ERROR(CheckSocketPath(socket_path));
      RETURN_IF_ERROR(ClearStaleSocket(socket_path));
    }
  } else {
    return Status(ErrorKind::kInvalidArgument,
                  "--network '" + options.network + "' is not supported (tcp, unix)");
  }

  std::atomic<bool> stopping{false};
  Executor executor;
  std::atomic<int> signalled{0};
  SignalWatch signals([&](int signal) {
    signalled.store(signal);
    stopping.store(true);
    RequestInterrupt();  // a JavaScript call in progress stops as at its time limit
    executor.Wake();
  });

  Server service(options, backend, executor, stopping);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(target, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
  builder.RegisterService(static_cast<pb::Plugin::Service*>(&service));
  builder.RegisterService(static_cast<discovery::Discovery::Service*>(&service));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || (socket_path.empty() && port == 0)) {
    return Status(ErrorKind::kConnection,
                  "cannot listen on " + target + ": " +
                      (socket_path.empty() ? WhyNoTcpListen(target) : "cannot bind the socket"));
  }
  std::string bound = target;
  if (socket_path.empty()) {
    size_t colon = target.rfind(':');
    bound = (colon == std::string::npos ? target : target.substr(0, colon)) + ":" +
            std::to_string(port);
  }
  log("info", "Plugin server listening on " + bound);
  if (options.on_listening) options.on_listening(bound);

  // Stopping: gRPC's Shutdown waits for handlers, and handlers wait for
  // jobs of this thread, so it runs on a thread of its own while this one
  // keeps refusing jobs until it returns.
  executor.Loop([&] { return stopping.load(); });
  log("info", std::string("Received ") + (signalled.load() == SIGTERM ? "SIGTERM" : "SIGINT") +
                  ", shutting down the plugin server");
  std::atomic<bool> shut{false};
  std::thread shutdown([&] {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    shut.store(true);
    executor.Wake();
  });
  executor.Stop();
  executor.Loop([&] { return shut.load(); });
  shutdown.join();
  server->Wait();
  server.reset();
  if (!socket_path.empty()) unlink(socket_path.c_str());
  ClearInterrupt();
  log("info", "Plugin server stopped");
  return Status::Ok();
}

}  // namespace sluice::cq
