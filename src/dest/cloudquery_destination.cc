#include "dest/cloudquery_destination.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "cloudquery/cq_table.h"
#include "cloudquery/plugin_write.h"
#include "core/secret_masker.h"
#include "core/time_util.h"

namespace sluice {
namespace fs = std::filesystem;
namespace {

constexpr char kSyncTime[] = "_cq_sync_time";
constexpr char kSourceName[] = "_cq_source_name";

// The plugin's schema for `table`: the CLI transformer's two columns first,
// then the entity's fields with their key.
Result<cq::ArrowSchema> SchemaFor(const TableSpec& table) {
  Value fields = Value::object();
  for (const ColumnSpec& column : table.columns) {
    if (column.name == kSyncTime || column.name == kSourceName) {
      return Status(ErrorKind::kInvalidArgument, "table '" + table.name + "': field '" + column.name +
                                                     "' is a column CloudQuery adds itself");
    }
    fields[column.name] = Value{{"type", column.type}, {"primary_key", column.primary_key}};
  }
  Result<cq::CqTable> made = cq::TableOfFields(table.name, fields, "", "");
  if (!made.ok()) return made.TakeStatus().WithContext("table '" + table.name + "'");
  cq::CqTable cq_table = std::move(made).value();
  cq::CqColumn sync_time;
  sync_time.arrow.name = kSyncTime;
  sync_time.arrow.type.id = cq::TypeId::kTimestamp;
  sync_time.arrow.type.unit = cq::TimeUnit::kMicrosecond;
  sync_time.arrow.type.timezone = "UTC";
  cq::CqColumn source;
  source.arrow.name = kSourceName;
  source.arrow.type.id = cq::TypeId::kUtf8;
  cq_table.columns.insert(cq_table.columns.begin(), {std::move(sync_time), std::move(source)});
  return cq::SchemaOfTable(cq_table);
}

// A row as Sluice's SQL storage holds it (coerce.h: booleans 0/1, documents
// as JSON text) → the cells the Arrow codec takes.
cq::Row CellsOf(const TableSpec& table, const std::vector<Value>& row, const Value& synced_at) {
  cq::Row cells;
  cells.reserve(row.size() + 2);
  cells.push_back(synced_at);
  cells.push_back(Value(table.connector));
  for (size_t i = 0; i < row.size() && i < table.columns.size(); ++i) {
    const std::string& type = table.columns[i].type;
    const Value& value = row[i];
    if (type == "boolean" && value.is_number()) {
      cells.push_back(Value(value.get<double>() != 0));
    } else if ((type == "document" || type == "array") && value.is_string()) {
      Value parsed = Value::parse(value.get_ref<const std::string&>(), nullptr, false);
      cells.push_back(parsed.is_discarded() ? value : std::move(parsed));
    } else {
      cells.push_back(value);
    }
  }
  return cells;
}

std::string StateKey(const TableSpec& table) { return table.connector + "\n" + table.entity + "\n" + table.name; }

Result<Value> LoadStates(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Value::object();
  std::stringstream text;
  text << in.rdbuf();
  Value states = Value::parse(text.str(), nullptr, false);
  if (!states.is_object()) {
    return Status(ErrorKind::kDestination, "'" + path + "' is not a sync state file (not a JSON object)");
  }
  return states;
}

class CloudQueryTableWriter : public TableWriter {
 public:
  CloudQueryTableWriter(CloudQueryDestination& destination, const TableSpec& table, const OpenOptions& options,
                        TableLock lock)
      : destination_(destination),
        lock_(std::move(lock)),
        table_(table),
        options_(options),
        synced_at_(options.synced_at) {}

  // Rows never committed are not sent; an open stream is cancelled by its
  // destructor, so the plugin never takes it for a whole write.
  Status Open() {
    ASSIGN_OR_RETURN(schema_, SchemaFor(table_));
    std::optional<int64_t> micros = ParseTimestamp(options_.synced_at);
    if (!micros) {
      return Status(ErrorKind::kInternal, "table '" + table_.name + "': run time '" + options_.synced_at +
                                              "' is not a timestamp");
    }
    sync_time_ = std::chrono::system_clock::time_point(std::chrono::microseconds(*micros));
    // The migration happens now, so a plugin refusing the table fails the
    // run before any row is read.
    RETURN_IF_ERROR(Begin(options_.force));
    return End();
  }

  Status Write(const std::vector<Value>& row) override {
    pending_.push_back(CellsOf(table_, row, synced_at_));
    return Status::Ok();
  }

  Status Commit(const SyncState* state) override {
    if (!pending_.empty()) {
      RETURN_IF_ERROR(Begin(false));
      Status sent = stream_->Insert(schema_, pending_);
      if (!sent.ok()) {
        // Row indexes in the error count from this batch's first row.
        std::string batch = "batch of rows " + std::to_string(rows_sent_ + 1) + ".." +
                            std::to_string(rows_sent_ + pending_.size()) + " of the run";
        stream_.reset();
        pending_.clear();
        return sent.WithContext(batch);
      }
      rows_sent_ += pending_.size();
      pending_.clear();
      RETURN_IF_ERROR(End());
    }
    // Only what the plugin acknowledged may move the mark.
    if (state) RETURN_IF_ERROR(destination_.SaveState(table_, *state));
    return Status::Ok();
  }

  Result<int64_t> DeleteStale() override {
    RETURN_IF_ERROR(Begin(false));
    Status sent = stream_->DeleteStale(table_.name, table_.connector, sync_time_);
    if (!sent.ok()) {
      stream_.reset();
      return sent;
    }
    RETURN_IF_ERROR(End());
    return int64_t{0};  // the plugin does not say how many
  }

  std::string Migration() const override { return ""; }

 private:
  // A Write stream with the table migrated.
  Status Begin(bool force) {
    if (stream_) return Status::Ok();
    ASSIGN_OR_RETURN(cq::PluginClient * client, destination_.Client());
    ASSIGN_OR_RETURN(stream_, client->Write());
    Status migrated = stream_->MigrateTable(schema_, force);
    if (!migrated.ok()) stream_.reset();
    return migrated;
  }

  // Closes the stream: its OK status acknowledges every message on it.
  Status End() {
    Status finished = stream_->Finish();
    stream_.reset();
    return finished;
  }

  CloudQueryDestination& destination_;
  TableLock lock_;  // held while the writer lives
  TableSpec table_;
  OpenOptions options_;
  Value synced_at_;
  cq::ArrowSchema schema_;
  std::chrono::system_clock::time_point sync_time_;
  std::unique_ptr<cq::WriteStream> stream_;
  std::vector<cq::Row> pending_;
  size_t rows_sent_ = 0;
};

}  // namespace

Status CloudQueryDestination::CheckExecutable(const std::string& path, const std::string& label) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  std::string quoted = "'" + path + "'";
  if (!fs::exists(status)) {
    return Status(ErrorKind::kInvalidArgument,
                  label + ": the plugin executable " + quoted +
                      " does not exist (registry: local names a plugin's executable)");
  }
  if (fs::is_directory(status)) {
    return Status(
        ErrorKind::kInvalidArgument,
        label + ": " + quoted + " is a directory, not a plugin executable (registry: local)");
  }
  if (!fs::is_regular_file(status) || ::access(path.c_str(), X_OK) != 0) {
    return Status(ErrorKind::kInvalidArgument,
                  label + ": the plugin " + quoted +
                      " is not an executable file (chmod +x it, or check the path)");
  }
  return Status::Ok();
}

Status CloudQueryDestination::Check(const std::string& name, const Value& config) {
  auto text = [&](const char* key) { return config.contains(key) && config[key].is_string(); };
  for (const auto& [key, value] : config.items()) {
    if (key != "path" && key != "registry" && key != "spec" && key != "state_path" &&
        key != "timeout_seconds" && key != "write_timeout_seconds") {
      return Status(
          ErrorKind::kInvalidArgument,
          "destination '" + name + "' (cloudquery): unknown CONFIG key '" + key +
              "' (path, registry, spec, state_path, timeout_seconds, write_timeout_seconds)");
    }
  }
  for (const char* key : {"timeout_seconds", "write_timeout_seconds"}) {
    if (!config.contains(key)) continue;
    const Value& seconds = config[key];
    // A day at most: beyond, a hung plugin is indistinguishable from none.
    if (!seconds.is_number() || !(seconds.get<double>() > 0) || seconds.get<double>() > 86400) {
      return Status(ErrorKind::kInvalidArgument,
                    "destination '" + name + "' (cloudquery): CONFIG " + key +
                        " must be a number of seconds above 0, at most 86400");
    }
  }
  if (config.contains("spec") && !config["spec"].is_object() && !config["spec"].is_null()) {
    return Status(ErrorKind::kInvalidArgument,
                  "destination '" + name + "' (cloudquery): CONFIG spec must be an object (the plugin's spec)");
  }
  if (config.contains("state_path") && !text("state_path")) {
    return Status(ErrorKind::kInvalidArgument, "destination '" + name + "' (cloudquery): CONFIG state_path must be text");
  }
  std::string registry = text("registry") ? config["registry"].get<std::string>() : "grpc";
  if (registry != "grpc" && registry != "local") {
    return Status(ErrorKind::kInvalidArgument, "destination '" + name + "' (cloudquery): unknown registry '" +
                                                   registry + "' (grpc or local)");
  }
  return Status::Ok();
}

Result<std::unique_ptr<CloudQueryDestination>> CloudQueryDestination::Open(const std::string& name,
                                                                           const Value& config) {
  RETURN_IF_ERROR(Check(name, config));
  std::unique_ptr<CloudQueryDestination> destination(new CloudQueryDestination());
  destination->name_ = name;
  destination->target_ = config["path"].get<std::string>();
  destination->label_ = "destination '" + name + "' (plugin at " + destination->target_ + ")";
  if (config.contains("registry") && config["registry"] == "local") {
    destination->executable_ = destination->target_;
    destination->label_ = "destination '" + name + "' (plugin " + destination->executable_ + ")";
  }
  Value spec = config.contains("spec") && config["spec"].is_object() ? config["spec"] : Value::object();
  destination->spec_json_ = spec.dump();
  destination->state_path_ = config.contains("state_path") ? config["state_path"].get<std::string>() : "";
  auto milliseconds = [&](const char* key, std::chrono::milliseconds fallback) {
    if (!config.contains(key)) return fallback;
    return std::chrono::milliseconds(static_cast<int64_t>(config[key].get<double>() * 1000 + 0.5));
  };
  destination->call_timeout_ = milliseconds("timeout_seconds", std::chrono::seconds(60));
  destination->write_timeout_ = milliseconds("write_timeout_seconds", std::chrono::seconds(300));
  return destination;
}

CloudQueryDestination::~CloudQueryDestination() {
  // As the CLI does for destinations once they are written to.
  if (client_) (void)client_->Close();
}

Result<cq::PluginClient*> CloudQueryDestination::Client() {
  if (client_) return client_.get();
  // A plugin that failed to start, answer or initialize fails every table
  // the same way: once is enough (a hung Init would cost each table the
  // whole deadline).
  if (!client_error_.ok()) return client_error_;
  Result<cq::PluginClient*> client = Connect();
  if (!client.ok()) client_error_ = client.status();
  return client;
}

Result<cq::PluginClient*> CloudQueryDestination::Connect() {
  std::string target = target_;
  if (!executable_.empty() && !process_) {
    RETURN_IF_ERROR(CheckExecutable(executable_, label_));
    // Started as the CLI starts a local plugin; its log lines go to stderr
    // with their level, masked (the plugin was given the spec).
    cq::LaunchOptions launch;
    launch.executable = executable_;
    std::string label = label_;
    launch.log = [label](const std::string& level, const std::string& message) {
      std::fprintf(stderr, "%s\n",
                   SecretMasker::Global().Mask(label + " [" + level + "] " + message).c_str());
    };
    ASSIGN_OR_RETURN(process_, cq::PluginProcess::Launch(launch));
  }
  if (process_) target = process_->target();
  ASSIGN_OR_RETURN(std::unique_ptr<cq::PluginClient> client,
                   cq::PluginClient::Connect(target, label_,
                                             std::min<std::chrono::milliseconds>(
                                                 call_timeout_, std::chrono::seconds(5))));
  client->SetCallTimeout(call_timeout_);
  client->SetWriteTimeout(write_timeout_);
  RETURN_IF_ERROR(client->CheckVersion());
  RETURN_IF_ERROR(client->Init(spec_json_, false, "sluice-" + name_));
  client_ = std::move(client);
  return client_.get();
}

Result<std::unique_ptr<TableWriter>> CloudQueryDestination::OpenTable(const TableSpec& table,
                                                                      const OpenOptions& options) {
  RETURN_IF_ERROR(RefusePartitionedWrite(name_, "cloudquery", table, options));
  // Two syncs of one table on this machine would delete each other's rows
  // as stale: the same lock as every destination's, in a file named after
  // the plugin's address (other machines cannot be kept out).
  std::string lock_file =
      state_path_.empty()
          ? (std::filesystem::temp_directory_path() /
             ("sluice-cloudquery-" + std::to_string(std::hash<std::string>{}(target_)) + ".lock"))
                .string()
          : state_path_ + ".sync-lock";
  ASSIGN_OR_RETURN(TableLock lock, TableLock::Acquire(lock_file, table.name, label_));
  auto writer = std::make_unique<CloudQueryTableWriter>(*this, table, options, std::move(lock));
  RETURN_IF_ERROR(writer->Open());
  return std::unique_ptr<TableWriter>(std::move(writer));
}

Result<std::optional<SyncState>> CloudQueryDestination::ReadState(const TableSpec& table) {
  if (state_path_.empty()) return std::optional<SyncState>();
  ASSIGN_OR_RETURN(Value states, LoadStates(state_path_));
  std::string key = StateKey(table);
  if (!states.contains(key) || !states[key].is_object()) return std::optional<SyncState>();
  const Value& entry = states[key];
  SyncState state;
  state.cursor_field = entry.value("cursor_field", "");
  state.cursor_value = entry.value("cursor_value", Value());
  state.boundary_keys = entry.value("boundary_keys", Value::array());
  return std::optional<SyncState>(std::move(state));
}

Status CloudQueryDestination::SaveState(const TableSpec& table, const SyncState& state) {
  if (state_path_.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(Value states, LoadStates(state_path_));
  states[StateKey(table)] = Value{{"cursor_field", state.cursor_field},
                                  {"cursor_value", state.cursor_value},
                                  {"boundary_keys", state.boundary_keys}};
  // Written beside and renamed over, so a reader sees the old or the new.
  std::string text = states.dump(2) + "\n";
  std::string temporary = state_path_ + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status(ErrorKind::kDestination, "cannot write '" + temporary + "': " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(temporary.c_str(), state_path_.c_str()) != 0) {
    return Status(ErrorKind::kDestination, "cannot write '" + state_path_ + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace sluice
