#include "cloudquery/plugin_client.h"

#include "cloudquery/plugin_write.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "cloudquery/proto/discovery.grpc.pb.h"
#include "cloudquery/proto/plugin.grpc.pb.h"
#include "core/interrupt.h"

namespace sluice::cq {
namespace {

namespace pb = ::cloudquery::plugin::v3;
namespace discovery = ::cloudquery::discovery::v1;

constexpr int kProtocolVersion = 3;

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

ErrorKind KindOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
      return ErrorKind::kConnection;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return ErrorKind::kTimeout;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return ErrorKind::kAuth;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return ErrorKind::kConnector;
    case grpc::StatusCode::UNIMPLEMENTED:
      return ErrorKind::kNotImplemented;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return ErrorKind::kInvalidArgument;
    default:
      return ErrorKind::kConnector;
  }
}

// "plugin 'x': GetTables failed: UNAVAILABLE: Connection dropped". The
// plugin's own message is kept whole: it is what the user can act on.
Status CallError(const std::string& label, const std::string& call, const grpc::Status& status) {
  std::string message = label + ": " + call + " failed: " + CodeName(status.error_code());
  if (!status.error_message().empty()) message += ": " + status.error_message();
  return Status(KindOf(status.error_code()), message);
}

// A message the plugin sent that does not decode is the plugin's fault;
// the codec's error says which byte or field.
Status DecodeError(const std::string& label, const std::string& what, const Status& status) {
  return Status(ErrorKind::kConnector,
                label + ": " + what + " does not decode as Arrow IPC: " + status.message());
}

class GrpcSyncStream : public SyncStream {
 public:
  GrpcSyncStream(std::string label, std::unique_ptr<grpc::ClientContext> context,
                 std::chrono::milliseconds idle_timeout)
      : label_(std::move(label)), context_(std::move(context)), idle_timeout_(idle_timeout) {}

  ~GrpcSyncStream() override {
    {
      std::lock_guard<std::mutex> lock(watch_mutex_);
      watching_ = false;
    }
    watch_wakeup_.notify_all();
    if (watcher_.joinable()) watcher_.join();
    if (!reader_ || finished_) return;
    // The stream is abandoned (LIMIT, an error above): tell the plugin, and
    // collect the call so gRPC releases it.
    context_->TryCancel();
    pb::Sync_Response ignored;
    while (reader_->Read(&ignored)) {
    }
    (void)reader_->Finish();
  }

  void Start(pb::Plugin::Stub& stub, const pb::Sync_Request& request) {
    reader_ = stub.Sync(context_.get(), request);
    // Read() blocks until the plugin sends something, which may be long:
    // Ctrl-C (core/interrupt.h) cancels the call from here, as the
    // JavaScript watchdog stops a handler.
    watcher_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(watch_mutex_);
      while (watching_) {
        if (InterruptRequested()) {
          interrupted_ = true;
          context_->TryCancel();
          return;
        }
        int64_t since = read_started_ns_.load();
        if (idle_timeout_.count() > 0 && since != 0 &&
            NowNs() - since >= std::chrono::nanoseconds(idle_timeout_).count()) {
          idle_ = true;
          context_->TryCancel();
          return;
        }
        watch_wakeup_.wait_for(lock, std::chrono::milliseconds(50));
      }
    });
  }

  Result<std::optional<SyncMessage>> Next() override {
    if (finished_) return std::optional<SyncMessage>();
    pb::Sync_Response response;
    // Only the time spent waiting on the plugin counts towards idle_timeout_,
    // not the time the caller spends between messages.
    read_started_ns_ = NowNs();
    bool got = reader_->Read(&response);
    read_started_ns_ = 0;
    if (!got) {
      finished_ = true;
      grpc::Status status = reader_->Finish();
      if (status.ok()) return std::optional<SyncMessage>();
      if (idle_ && status.error_code() == grpc::StatusCode::CANCELLED) {
        return Status(ErrorKind::kTimeout,
                      label_ + " sent nothing for " + DurationText(idle_timeout_) +
                          (last_table_.empty() ? "" : " (while reading table '" + last_table_ + "')") +
                          ": gave up on it (the connector's OPTIONS timeout_seconds sets how long to wait)");
      }
      if (cancelled_ && status.error_code() == grpc::StatusCode::CANCELLED)
        return std::optional<SyncMessage>();
      if (interrupted_ && status.error_code() == grpc::StatusCode::CANCELLED) {
        return Status(ErrorKind::kTimeout, label_ + ": Sync cancelled (Ctrl-C)");
      }
      std::string where = last_table_.empty() ? std::string("Sync")
                                              : "Sync (while reading table '" + last_table_ + "')";
      Status error = CallError(label_, where, status);
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
        return Status(error.kind(),
                      error.message() + " (the plugin stopped or closed the connection)");
      }
      return error;
    }
    SyncMessage message;
    switch (response.message_case()) {
      case pb::Sync_Response::kMigrateTable: {
        message.kind = SyncMessage::Kind::kMigrateTable;
        Result<ArrowSchema> schema = DecodeSchema(response.migrate_table().table());
        if (!schema.ok()) return DecodeError(label_, "a migrate_table message", schema.status());
        message.table = std::move(schema).value();
        message.table_name = MetadataValue(message.table.metadata, "cq:table_name");
        if (message.table_name.empty()) {
          return Status(ErrorKind::kConnector,
                        label_ + ": a migrate_table message has no cq:table_name in its schema");
        }
        migrated_[message.table_name] = ColumnsOf(message.table);
        break;
      }
      case pb::Sync_Response::kInsert: {
        message.kind = SyncMessage::Kind::kInsert;
        Result<DecodedRecord> record = DecodeRecord(response.insert().record());
        if (!record.ok()) {
          return DecodeError(
              label_,
              "an insert" + (last_table_.empty() ? "" : " after table '" + last_table_ + "'"),
              record.status());
        }
        message.record = std::move(record).value();
        message.table_name = MetadataValue(message.record.schema.metadata, "cq:table_name");
        if (message.table_name.empty()) {
          return Status(ErrorKind::kConnector,
                        label_ + ": an insert's record has no cq:table_name in its schema");
        }
        RETURN_IF_ERROR(CheckInsert(message.table_name, message.record));
        break;
      }
      case pb::Sync_Response::kDeleteRecord:
        message.kind = SyncMessage::Kind::kDeleteRecord;
        message.table_name = response.delete_record().table_name();
        break;
      case pb::Sync_Response::kError:
        message.kind = SyncMessage::Kind::kError;
        message.table_name = response.error().table_name();
        message.error = response.error().error();
        break;
      default:
        return Status(ErrorKind::kConnector,
                      label_ + ": a Sync message of a kind protocol 3 does not define" +
                          (last_table_.empty() ? "" : " (after table '" + last_table_ + "')"));
    }
    if (!message.table_name.empty()) last_table_ = message.table_name;
    return std::optional<SyncMessage>(std::move(message));
  }

  void Cancel() override {
    cancelled_ = true;
    context_->TryCancel();
  }

 private:
  static int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  static std::string DurationText(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
    return std::to_string(duration.count()) + " ms";
  }

  // name -> type text: what an insert's record must match. Order is free,
  // as rows are taken by column name.
  static std::map<std::string, std::string> ColumnsOf(const ArrowSchema& schema) {
    std::map<std::string, std::string> columns;
    for (const ArrowField& field : schema.fields) columns[field.name] = TypeText(field);
    return columns;
  }

  static std::string ColumnsText(const std::map<std::string, std::string>& columns) {
    std::string text;
    for (const auto& [name, type] : columns) text += (text.empty() ? "" : ", ") + name + " " + type;
    return "(" + text + ")";
  }

  // A record that does not fit its table would be stored with NULLs where
  // its columns were renamed and without its extra columns or batches: the
  // sync would report success and lose data.
  Status CheckInsert(const std::string& table, const DecodedRecord& record) const {
    auto migrated = migrated_.find(table);
    if (migrated == migrated_.end()) {
      return Status(ErrorKind::kConnector,
                    label_ + ": an insert for table '" + table +
                        "', which no migrate_table message announced before it");
    }
    if (record.batches > 1) {
      return Status(ErrorKind::kConnector,
                    label_ + ": an insert for table '" + table + "' holds " +
                        std::to_string(record.batches) +
                        " record batches; protocol 3 sends one per insert");
    }
    std::map<std::string, std::string> columns = ColumnsOf(record.schema);
    if (columns.size() != record.schema.fields.size()) {
      return Status(ErrorKind::kConnector, label_ + ": an insert for table '" + table +
                                               "' names a column twice");
    }
    if (columns != migrated->second) {
      std::string differences;
      for (const auto& [name, type] : columns) {
        auto expected = migrated->second.find(name);
        if (expected == migrated->second.end()) {
          differences += "; column '" + name + "' (" + type + ") is not in the table";
        } else if (expected->second != type) {
          differences +=
              "; column '" + name + "' is " + type + ", the table says " + expected->second;
        }
      }
      for (const auto& [name, type] : migrated->second) {
        if (!columns.count(name)) differences += "; column '" + name + "' (" + type + ") is missing";
      }
      return Status(ErrorKind::kConnector,
                    label_ + ": an insert for table '" + table +
                        "' does not match the table its migrate_table message announced" +
                        differences);
    }
    return Status::Ok();
  }

  std::string label_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<pb::Sync_Response>> reader_;
  std::chrono::milliseconds idle_timeout_;
  std::atomic<int64_t> read_started_ns_{0};  // 0: not waiting on the plugin
  std::atomic<bool> idle_{false};
  std::map<std::string, std::map<std::string, std::string>> migrated_;
  std::string last_table_;
  bool finished_ = false;
  bool cancelled_ = false;
  std::atomic<bool> interrupted_{false};
  std::mutex watch_mutex_;
  std::condition_variable watch_wakeup_;
  bool watching_ = true;
  std::thread watcher_;
};

class GrpcPluginClient : public PluginClient {
 public:
  GrpcPluginClient(std::string label, std::shared_ptr<grpc::Channel> channel)
      : PluginClient(std::move(label)),
        channel_(std::move(channel)),
        plugin_(pb::Plugin::NewStub(channel_)),
        discovery_(discovery::Discovery::NewStub(channel_)) {}

  Status CheckVersion() override {
    discovery::GetVersions_Request request;
    discovery::GetVersions_Response response;
    bool interrupted = false;
    grpc::Status status = Run(
        [&](grpc::ClientContext* context) {
          return discovery_->GetVersions(context, request, &response);
        },
        interrupted);
    if (interrupted) return Cancelled("GetVersions");
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return Status(ErrorKind::kConnector,
                    label() +
                        " speaks an older protocol: it does not answer discovery v1 "
                        "(GetVersions), which every protocol-3 plugin does; Sluice speaks "
                        "protocol 3 only");
    }
    if (!status.ok()) return Failed("GetVersions", status);
    std::string versions;
    for (int version : response.versions()) {
      if (version == kProtocolVersion) return Status::Ok();
      versions += (versions.empty() ? "" : ", ") + std::to_string(version);
    }
    return Status(ErrorKind::kConnector, label() + " speaks protocol version(s) [" + versions +
                                             "], and Sluice speaks 3: use a release of the "
                                             "plugin built on a v3 SDK");
  }

  Result<std::string> GetName() override {
    pb::GetName_Response response;
    RETURN_IF_ERROR(Unary("GetName", [&](grpc::ClientContext* context) {
      return plugin_->GetName(context, pb::GetName_Request(), &response);
    }));
    return response.name();
  }

  Result<std::string> GetVersion() override {
    pb::GetVersion_Response response;
    RETURN_IF_ERROR(Unary("GetVersion", [&](grpc::ClientContext* context) {
      return plugin_->GetVersion(context, pb::GetVersion_Request(), &response);
    }));
    return response.version();
  }

  Result<std::optional<std::string>> GetSpecSchema() override {
    pb::GetSpecSchema_Response response;
    bool interrupted = false;
    grpc::Status status = Run(
        [&](grpc::ClientContext* context) {
          return plugin_->GetSpecSchema(context, pb::GetSpecSchema_Request(), &response);
        },
        interrupted);
    if (interrupted) return Cancelled("GetSpecSchema");
    // As the CLI: a plugin without a schema is validated by nobody.
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return std::optional<std::string>();
    if (!status.ok()) return Failed("GetSpecSchema", status);
    if (!response.has_json_schema() || response.json_schema().empty())
      return std::optional<std::string>();
    return std::optional<std::string>(response.json_schema());
  }

  Status Init(const std::string& spec_json, bool no_connection,
              const std::string& invocation_id) override {
    pb::Init_Request request;
    request.set_spec(spec_json);
    request.set_no_connection(no_connection);
    request.set_invocation_id(invocation_id);
    pb::Init_Response response;
    return Unary("Init", [&](grpc::ClientContext* context) {
      return plugin_->Init(context, request, &response);
    });
  }

  Result<std::vector<ArrowSchema>> GetTables(const std::vector<std::string>& tables,
                                             const std::vector<std::string>& skip_tables,
                                             bool skip_dependent_tables) override {
    pb::GetTables_Request request;
    for (const std::string& table : tables) request.add_tables(table);
    for (const std::string& table : skip_tables) request.add_skip_tables(table);
    request.set_skip_dependent_tables(skip_dependent_tables);
    pb::GetTables_Response response;
    RETURN_IF_ERROR(Unary("GetTables", [&](grpc::ClientContext* context) {
      return plugin_->GetTables(context, request, &response);
    }));
    std::vector<ArrowSchema> schemas;
    for (int i = 0; i < response.tables_size(); ++i) {
      Result<ArrowSchema> schema = DecodeSchema(response.tables(i));
      if (!schema.ok()) {
        return DecodeError(label(), "table " + std::to_string(i + 1) + " of GetTables",
                           schema.status());
      }
      schemas.push_back(std::move(schema).value());
    }
    return schemas;
  }

  Result<std::unique_ptr<SyncStream>> Sync(const SyncOptions& options) override {
    pb::Sync_Request request;
    for (const std::string& table : options.tables) request.add_tables(table);
    for (const std::string& table : options.skip_tables) request.add_skip_tables(table);
    request.set_skip_dependent_tables(options.skip_dependent_tables);
    request.set_deterministic_cq_id(options.deterministic_cq_id);
    request.set_witherrormessages(options.with_error_messages);
    if (options.shard) {
      request.mutable_shard()->set_num(options.shard->first);
      request.mutable_shard()->set_total(options.shard->second);
    }
    // A stream has no deadline: a sync runs as long as the plugin has rows.
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_wait_for_ready(false);
    auto stream =
        std::make_unique<GrpcSyncStream>(label(), std::move(context), options.idle_timeout);
    stream->Start(*plugin_, request);
    return std::unique_ptr<SyncStream>(std::move(stream));
  }

  Result<TestConnectionResult> TestConnection(const std::string& spec_json) override {
    pb::TestConnection_Request request;
    request.set_spec(spec_json);
    pb::TestConnection_Response response;
    bool interrupted = false;
    grpc::Status status = Run(
        [&](grpc::ClientContext* context) {
          return plugin_->TestConnection(context, request, &response);
        },
        interrupted);
    if (interrupted) return Cancelled("TestConnection");
    TestConnectionResult result;
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      // As the CLI: a plugin without the call is tested by initialising it.
      Status init = Init(spec_json, false, "");
      result.success = init.ok();
      if (!init.ok()) {
        result.failure_code = "INIT_FAILED";
        result.failure_description = init.message();
      }
      return result;
    }
    if (!status.ok()) return Failed("TestConnection", status);
    result.success = response.success();
    result.failure_code = response.failure_code();
    result.failure_description = response.failure_description();
    return result;
  }

  Result<std::unique_ptr<WriteStream>> Write() override {
    if (InterruptRequested()) return Cancelled("Write");
    return MakeWriteStream(channel_, label(), write_timeout_);
  }

  Status Close() override {
    pb::Close_Response response;
    return Unary("Close", [&](grpc::ClientContext* context) {
      return plugin_->Close(context, pb::Close_Request(), &response);
    });
  }

  void SetCallTimeout(std::chrono::milliseconds timeout) override { call_timeout_ = timeout; }
  void SetWriteTimeout(std::chrono::milliseconds timeout) override { write_timeout_ = timeout; }

 private:
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + call_timeout_);
    return context;
  }

  // One unary call under the deadline, cancelled by Ctrl-C (then
  // `interrupted` is set): waiting for a plugin's answer is a blocking
  // wait the signal alone does not end.
  template <typename Call>
  grpc::Status Run(Call call, bool& interrupted) {
    auto context = Context();
    InterruptWatch watch([&context] { context->TryCancel(); });
    grpc::Status status = call(context.get());
    interrupted = watch.fired() && status.error_code() == grpc::StatusCode::CANCELLED;
    return status;
  }

  template <typename Call>
  Status Unary(const std::string& name, Call call) {
    bool interrupted = false;
    grpc::Status status = Run(call, interrupted);
    if (interrupted) return Cancelled(name);
    if (!status.ok()) return Failed(name, status);
    return Status::Ok();
  }

  Status Cancelled(const std::string& name) const {
    return Status(ErrorKind::kTimeout, label() + ": " + name + " cancelled (Ctrl-C)");
  }

  // A missed deadline says which one, and how to change it.
  Status Failed(const std::string& name, const grpc::Status& status) const {
    Status error = CallError(label(), name, status);
    if (status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) return error;
    auto ms = call_timeout_.count();
    std::string limit =
        ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
    return Status(error.kind(),
                  error.message() + " (the plugin did not answer within " + limit + ")");
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::Plugin::Stub> plugin_;
  std::unique_ptr<discovery::Discovery::Stub> discovery_;
  std::chrono::milliseconds call_timeout_{60'000};
  std::chrono::milliseconds write_timeout_{300'000};
};

}  // namespace

Result<std::unique_ptr<PluginClient>> PluginClient::Connect(const std::string& target,
                                                            const std::string& label,
                                                            std::chrono::milliseconds timeout) {
  if (target.empty()) {
    return Status(ErrorKind::kInvalidArgument, label + ": the plugin's address is empty");
  }
  if (target.rfind("unix:", 0) == 0) {
    std::string path = target.substr(target.rfind("unix://", 0) == 0 ? 7 : 5);
    if (path.empty() || path.front() != '/') {
      return Status(
          ErrorKind::kInvalidArgument,
          label + ": a unix socket address is 'unix:/absolute/path', not '" + target + "'");
    }
  } else if (target.find(':') == std::string::npos) {
    return Status(ErrorKind::kInvalidArgument, label + ": the plugin's address '" + target +
                                                   "' is neither 'host:port' nor 'unix:/path'");
  }
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(static_cast<int>(kMaxMessageBytes));
  arguments.SetMaxSendMessageSize(static_cast<int>(kMaxMessageBytes));
  // One plugin, one connection: a restarted plugin is a new client.
  arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
  if (!channel)
    return Status(ErrorKind::kConnection, label + ": cannot create a gRPC channel to " + target);
  // A blocking dial, as the CLI's: a plugin that is not there is an error
  // now, not at its first call. The first failed attempt ends it (gRPC
  // would retry until the deadline): a refused connection or a peer that
  // answers HTTP/2's preface with something else will not get better.
  auto deadline = std::chrono::system_clock::now() + timeout;
  grpc_connectivity_state state = channel->GetState(true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      return Status(ErrorKind::kConnection,
                    label + ": cannot connect to " + target +
                        " (nothing listens there, or what does is not a gRPC server)");
    }
    if (!channel->WaitForStateChange(state, deadline)) {
      return Status(ErrorKind::kConnection, label + ": cannot connect to " + target + " within " +
                                                std::to_string(timeout.count()) +
                                                " ms (the peer did not complete a gRPC handshake)");
    }
    state = channel->GetState(true);
  }
  return std::unique_ptr<PluginClient>(new GrpcPluginClient(label, std::move(channel)));
}

}  // namespace sluice::cq
