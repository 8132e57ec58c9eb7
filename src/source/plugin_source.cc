#include "source/plugin_source.h"

#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "catalog/config_schema.h"
#include "cloudquery/cq_table.h"
#include "cloudquery/plugin_client.h"
#include "core/identifier.h"
#include "net/curl_transport.h"
#include "source/integration_source.h"

namespace sluice {
namespace {

// A random version-4 UUID: the invocation id the CLI sends with Init.
std::string NewInvocationId() {
  std::random_device device;
  std::mt19937_64 generator(device());
  uint64_t high = generator(), low = generator();
  high = (high & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  low = (low & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFull));
  return text;
}

// The plugin's log lines arrive on its reader thread; the console belongs
// to the session's thread. They wait here until that thread passes by.
class LogQueue {
 public:
  void Push(const std::string& level, const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (lines_.size() < 10'000) lines_.emplace_back(level, message);
  }
  void Drain(const js::ConsoleFunction& console) {
    std::deque<std::pair<std::string, std::string>> lines;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      lines.swap(lines_);
    }
    if (!console) return;
    for (const auto& [level, message] : lines) console(ConsoleLevel(level), "[plugin] " + message);
  }

 private:
  static std::string ConsoleLevel(const std::string& level) {
    if (level == "warn" || level == "warning") return "warn";
    if (level == "error" || level == "fatal" || level == "panic") return "error";
    if (level == "debug" || level == "trace") return "debug";
    if (level == "info") return "info";
    return "log";
  }
  std::mutex mutex_;
  std::deque<std::pair<std::string, std::string>> lines_;
};

// A table as Inspect lists it: {name, description, fields, cursor, parent}.
Result<Value> TableOf(const cq::ArrowSchema& schema) {
  ASSIGN_OR_RETURN(cq::CqTable table, cq::TableOfSchema(schema));
  Value described = Value::object();
  described["name"] = table.name;
  std::string description = !table.description.empty() ? table.description : table.title;
  if (!table.parent.empty()) {
    description += std::string(description.empty() ? "" : " ") + "(a child of table '" +
                   table.parent + "': its rows come with their parent's)";
  }
  described["description"] = description;
  described["fields"] = cq::FieldsOfTable(table);
  std::string cursor;
  for (const cq::CqColumn& column : table.columns) {
    if (column.incremental && cursor.empty()) cursor = column.arrow.name;
  }
  described["cursor"] = cursor;
  described["parent"] = table.parent;
  return described;
}

Result<Value> TablesOf(const std::vector<cq::ArrowSchema>& schemas, const std::string& label) {
  Value tables = Value::array();
  for (const cq::ArrowSchema& schema : schemas) {
    Result<Value> table = TableOf(schema);
    if (!table.ok()) return table.TakeStatus().WithContext(label + ": a table of GetTables");
    tables.push_back(std::move(table).value());
  }
  return tables;
}

// Names from the plugin become live and synced tables: held to the rules
// of a CREATE CONNECTOR ENTITY.
Status CheckTableNames(const Value& tables) {
  for (const Value& table : tables) {
    std::string name = table.value("name", "");
    RETURN_IF_ERROR(CheckName(name, "table"));
    for (const auto& [field, spec] : table["fields"].items()) {
      RETURN_IF_ERROR(CheckFieldName(field).WithContext("table '" + name + "'"));
    }
  }
  return Status::Ok();
}

// CONFIG against the plugin's spec schema, by tv4 in a realm of its own.
Status ValidateSpec(const SourceEnv& env, const Value& json_schema, const Value& config) {
  if (!json_schema.is_object()) return Status::Ok();
  ASSIGN_OR_RETURN(js::JsRuntime * runtime, env.runtime());
  js::RealmOptions options;
  options.transport =
      std::make_unique<CurlTransport>();  // never used: validation makes no requests
  ASSIGN_OR_RETURN(std::unique_ptr<js::JsRealm> realm,
                   js::JsRealm::Create(*runtime, std::move(options)));
  Status valid = IntegrationSource::ValidateJsonSchema(*realm, json_schema, config);
  if (valid.ok()) return valid;
  std::string message = valid.message();
  const std::string from = "the integration's JSON schema";
  if (auto at = message.find(from); at != std::string::npos)
    message.replace(at, from.size(), "the plugin's spec schema");
  return Status(valid.kind(), message);
}

}  // namespace

// The plugin as the connector instance and its row streams share it: the
// process first, so it outlives the client that talks to it.
struct PluginSource::Connection {
  std::shared_ptr<LogQueue> logs = std::make_shared<LogQueue>();
  js::ConsoleFunction console;
  std::unique_ptr<cq::PluginProcess> process;
  std::unique_ptr<cq::PluginClient> client;
  std::string label;

  void DrainLogs() { logs->Drain(console); }
  ~Connection() {
    client.reset();
    if (process) {
      Status stopped = process->Stop();
      if (!stopped.ok() && console) console("warn", stopped.message());
      process.reset();
    }
    DrainLogs();
  }
};

namespace {

// Dials the plugin, starting it first when it is local; checks protocol 3.
Result<std::shared_ptr<PluginSource::Connection>> Open(const PluginLocation& location,
                                                       js::ConsoleFunction console,
                                                       std::chrono::milliseconds timeout) {
  auto connection = std::make_shared<PluginSource::Connection>();
  connection->console = std::move(console);
  std::string target = location.target;
  connection->label = location.Label();
  if (!location.executable.empty()) {
    cq::LaunchOptions launch;
    launch.executable = location.executable;
    launch.js_style = location.js_style;
    launch.start_timeout = std::max<std::chrono::milliseconds>(std::chrono::seconds(5), timeout);
    std::shared_ptr<LogQueue> logs = connection->logs;
    launch.log = [logs](const std::string& level, const std::string& message) {
      logs->Push(level, message);
    };
    Result<std::unique_ptr<cq::PluginProcess>> process = cq::PluginProcess::Launch(launch);
    connection->DrainLogs();
    if (!process.ok()) return process.TakeStatus();
    connection->process = std::move(process).value();
    target = connection->process->target();
  }
  ASSIGN_OR_RETURN(connection->client,
                   cq::PluginClient::Connect(
                       target, connection->label,
                       std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds(30))));
  connection->client->SetCallTimeout(timeout);
  Status version = connection->client->CheckVersion();
  connection->DrainLogs();
  RETURN_IF_ERROR(version);
  return connection;
}

// Rows of a Sync: one table's ({col: value} objects) for a scan, or
// several's ({t, r}) for a pass.
class SyncRows : public RowSource {
 public:
  SyncRows(std::shared_ptr<PluginSource::Connection> connection,
           std::unique_ptr<cq::SyncStream> stream, std::map<std::string, size_t> wanted,
           bool tagged, std::optional<int64_t> limit, std::string context)
      : connection_(std::move(connection)),
        stream_(std::move(stream)),
        wanted_(std::move(wanted)),
        tagged_(tagged),
        limit_(limit),
        context_(std::move(context)) {}

  ~SyncRows() override {
    stream_.reset();
    connection_->DrainLogs();
  }

  Result<std::optional<Value>> Next() override {
    while (true) {
      if (!queued_.empty()) {
        Value row = std::move(queued_.front());
        queued_.pop_front();
        ++returned_;
        return std::optional<Value>(std::move(row));
      }
      if (done_) return std::optional<Value>();
      if (limit_ && returned_ >= *limit_) {
        // LIMIT reached: the plugin stops resolving.
        stream_->Cancel();
        done_ = true;
        continue;
      }
      Result<std::optional<cq::SyncMessage>> message = stream_->Next();
      connection_->DrainLogs();
      if (!message.ok()) {
        done_ = true;
        Status error = message.TakeStatus();
        // The plugin may have died: its exit says why.
        std::string how;
        if (connection_->process && connection_->process->Exited(&how)) {
          error = Status(error.kind(), error.message() + "; the plugin process " + how);
        }
        return error.WithContext(context_);
      }
      if (!*message) {
        done_ = true;
        continue;
      }
      cq::SyncMessage& got = **message;
      auto table = wanted_.find(got.table_name);
      if (got.kind == cq::SyncMessage::Kind::kError) {
        // As the CLI: a resolver's error is reported and counted, the sync
        // goes on.
        if (connection_->console) {
          connection_->console("warn", "[plugin] table '" + got.table_name + "': " + got.error);
        }
        continue;
      }
      if (got.kind == cq::SyncMessage::Kind::kDeleteRecord) {
        // Deleting a plugin's rows by its own conditions has no counterpart
        // in a Sluice sync (stale rows go by sync run): said once a table,
        // as the rows stay.
        if (connection_->console && warned_deletes_.insert(got.table_name).second) {
          connection_->console("warn", "[plugin] table '" + got.table_name +
                                           "': the plugin asked to delete rows (delete_record); "
                                           "Sluice cannot apply that and keeps them");
        }
        continue;
      }
      if (got.kind != cq::SyncMessage::Kind::kInsert || table == wanted_.end()) continue;
      const std::vector<cq::ArrowField>& fields = got.record.schema.fields;
      for (cq::Row& cells : got.record.rows) {
        Value row = Value::object();
        for (size_t i = 0; i < fields.size() && i < cells.size(); ++i)
          row[fields[i].name] = std::move(cells[i]);
        if (tagged_) {
          queued_.push_back(Value{{"t", table->second}, {"r", std::move(row)}});
        } else {
          queued_.push_back(std::move(row));
        }
        if (limit_ && returned_ + static_cast<int64_t>(queued_.size()) >= *limit_) break;
      }
    }
  }

 private:
  std::shared_ptr<PluginSource::Connection> connection_;
  std::unique_ptr<cq::SyncStream> stream_;
  std::map<std::string, size_t> wanted_;
  bool tagged_;
  std::optional<int64_t> limit_;
  std::string context_;
  std::deque<Value> queued_;
  int64_t returned_ = 0;
  bool done_ = false;
  std::set<std::string> warned_deletes_;
};

}  // namespace

Result<PluginLocation> PluginLocation::Parse(const std::string& stored) {
  Value parsed = Value::parse(stored, nullptr, false);
  PluginLocation location;
  if (parsed.is_object()) {
    location.target = parsed.value("plugin", "");
    location.executable = parsed.value("local", "");
    location.js_style = parsed.value("js_style", false);
    if (parsed.contains("json_schema")) location.json_schema = parsed["json_schema"];
  }
  if (location.target.empty() == location.executable.empty()) {
    return Status(ErrorKind::kInternal,
                  "a plugin type's location is not what CREATE CONNECTOR TYPE … FROM "
                  "PLUGIN stores: " +
                      stored);
  }
  return location;
}

std::string PluginLocation::Store() const {
  Value stored = Value::object();
  if (!executable.empty()) {
    stored["local"] = executable;
    if (js_style) stored["js_style"] = true;
  } else {
    stored["plugin"] = target;
  }
  if (!json_schema.is_null()) stored["json_schema"] = json_schema;
  return stored.dump();
}

std::string PluginLocation::Label() const {
  return executable.empty() ? "plugin at " + target : "local plugin " + executable;
}

PluginSource::PluginSource(ConnectorSpec spec, const SourceEnv& env)
    : spec_(std::move(spec)),
      limits_(ConnectorLimits::FromOptions(spec_.connector.options)),
      env_(env) {}

PluginSource::~PluginSource() = default;

Result<std::unique_ptr<PluginSource>> PluginSource::Create(ConnectorSpec spec,
                                                           const SourceEnv& env) {
  std::unique_ptr<PluginSource> source(new PluginSource(std::move(spec), env));
  RETURN_IF_ERROR(source->Start());
  return source;
}

std::string PluginSource::Context(const std::string& table) const {
  return "connector '" + spec_.connector.name + "'" +
         (table.empty() ? "" : ", table '" + table + "'");
}

Status PluginSource::Start() {
  ASSIGN_OR_RETURN(location_, PluginLocation::Parse(spec_.type.integration));
  Result<std::shared_ptr<Connection>> opened = Open(location_, env_.console, limits_.timeout);
  if (!opened.ok()) return opened.TakeStatus().WithContext(Context());
  connection_ = std::move(opened).value();
  cq::PluginClient& client = *connection_->client;
  // The plugin's schema as it is now, not as it was when the type was made.
  Result<std::optional<std::string>> schema_text = client.GetSpecSchema();
  if (!schema_text.ok()) return schema_text.TakeStatus().WithContext(Context());
  if (*schema_text) {
    Value schema = Value::parse(**schema_text, nullptr, false);
    if (schema.is_object()) {
      Status valid = ValidateSpec(env_, schema, spec_.resolved_config);
      if (!valid.ok()) return valid.WithContext(Context());
    }
  }
  // CONFIG is the spec, as an object even when empty: a JS SDK plugin
  // rejects the CLI's `null` for an empty spec ("must be object"), and
  // every plugin that takes an object takes `{}`.
  Status init = client.Init(spec_.resolved_config.dump(), false, NewInvocationId());
  connection_->DrainLogs();
  if (!init.ok()) return init.WithContext(Context());
  Result<std::vector<cq::ArrowSchema>> schemas = client.GetTables({"*"}, {}, false);
  if (!schemas.ok()) return schemas.TakeStatus().WithContext(Context());
  Result<Value> tables = TablesOf(*schemas, connection_->label);
  if (!tables.ok()) return tables.TakeStatus().WithContext(Context());
  Status names = CheckTableNames(*tables);
  if (!names.ok()) return names.WithContext(Context() + " (" + connection_->label + ")");
  spec_.entities = EntitiesOfTables(spec_.type.name, connection_->label, *tables);
  return Status::Ok();
}

std::vector<EntityDef> PluginSource::EntitiesOfTables(const std::string& type,
                                                      const std::string& label,
                                                      const Value& tables) {
  std::vector<EntityDef> entities;
  for (const Value& table : tables) {
    EntityDef entity;
    entity.type = type;
    entity.name = table.value("name", "");
    entity.description = table.value("description", "");
    entity.fields = table.value("fields", Value::object());
    entity.cursor = table.value("cursor", "");
    // A child table's rows come in the plugin's own Sync, with its
    // parent's: to the engine it is a table like any other, never one
    // call per parent row.
    entity.handler.code = "// table " + entity.name + " of " + label;
    entity.handler.origin = label + ":1:1";
    entities.push_back(std::move(entity));
  }
  return entities;
}

Result<Value> PluginSource::Inspect(const PluginLocation& location, const SourceEnv& env) {
  ASSIGN_OR_RETURN(std::shared_ptr<Connection> connection,
                   Open(location, env.console, std::chrono::seconds(60)));
  cq::PluginClient& client = *connection->client;
  Value about = Value::object();
  ASSIGN_OR_RETURN(std::string name, client.GetName());
  ASSIGN_OR_RETURN(std::string version, client.GetVersion());
  about["name"] = name;
  about["version"] = version;
  ASSIGN_OR_RETURN(std::optional<std::string> schema_text, client.GetSpecSchema());
  about["json_schema"] = Value();
  if (schema_text) {
    Value schema = Value::parse(*schema_text, nullptr, false);
    if (schema.is_object()) {
      about["json_schema"] = schema;
    } else if (env.console) {
      // The JS SDK's own memdb sends one with trailing commas: a schema
      // nobody can read validates nothing, and is no reason to refuse the
      // plugin.
      env.console(
          "warn",
          "its spec schema (GetSpecSchema) is not a JSON object; CONFIG is not checked against it");
    }
  }
  about["config_schema"] = IntegrationSource::ConfigSchemaOfJsonSchema(about["json_schema"]);
  // As `cloudquery tables`: Init without a connection, then GetTables. A
  // plugin whose tables depend on its spec lists them when a connector
  // starts.
  about["tables"] = Value::array();
  Status init = client.Init("{}", true, NewInvocationId());
  Result<std::vector<cq::ArrowSchema>> schemas =
      init.ok() ? client.GetTables({"*"}, {}, false) : Result<std::vector<cq::ArrowSchema>>(init);
  connection->DrainLogs();
  if (schemas.ok()) {
    ASSIGN_OR_RETURN(about["tables"], TablesOf(*schemas, connection->label));
    RETURN_IF_ERROR(CheckTableNames(about["tables"]).WithContext(connection->label));
  } else {
    about["tables_error"] = schemas.status().message();
  }
  return about;
}

Result<std::unique_ptr<RowSource>> PluginSource::Scan(const EntityDef& entity,
                                                      const ScanRequest& request) {
  connection_->DrainLogs();
  cq::SyncOptions options;
  options.tables = {entity.name};
  // A child asked alone brings its parents (the plugin resolves it through
  // them); their rows are dropped here.
  options.skip_dependent_tables = true;
  options.idle_timeout = limits_.timeout;
  Result<std::unique_ptr<cq::SyncStream>> stream = connection_->client->Sync(options);
  if (!stream.ok()) return stream.TakeStatus().WithContext(Context(entity.name));
  std::optional<int64_t> limit = request.limit;
  return std::unique_ptr<RowSource>(std::make_unique<SyncRows>(
      connection_, std::move(stream).value(), std::map<std::string, size_t>{{entity.name, 0}},
      false, limit, Context(entity.name)));
}

Result<std::unique_ptr<RowSource>> PluginSource::ResolveTables(const Value& tables) {
  connection_->DrainLogs();
  cq::SyncOptions options;
  options.tables.clear();
  std::map<std::string, size_t> wanted;
  for (size_t i = 0; i < tables.size(); ++i) {
    std::string name = tables[i].value("name", "");
    options.tables.push_back(name);
    wanted[name] = i;
  }
  options.skip_dependent_tables = true;
  options.idle_timeout = limits_.timeout;
  Result<std::unique_ptr<cq::SyncStream>> stream = connection_->client->Sync(options);
  if (!stream.ok()) return stream.TakeStatus().WithContext(Context());
  std::string context = Context();
  if (tables.size() == 1) context = Context(options.tables.front());
  return std::unique_ptr<RowSource>(std::make_unique<SyncRows>(
      connection_, std::move(stream).value(), std::move(wanted), true, std::nullopt, context));
}

Status PluginSource::TestConnection() {
  Result<cq::TestConnectionResult> result =
      connection_->client->TestConnection(spec_.resolved_config.dump());
  connection_->DrainLogs();
  if (!result.ok()) return result.TakeStatus().WithContext(Context());
  if (result->success) return Status::Ok();
  std::string detail = result->failure_code;
  if (!result->failure_description.empty())
    detail += (detail.empty() ? "" : ": ") + result->failure_description;
  return Status(ErrorKind::kConnection, Context() + ": " + connection_->label +
                                            " reports the connection failed" +
                                            (detail.empty() ? "" : " (" + detail + ")"));
}

Result<Value> PluginSource::Execute(const ActionDef& action, const Value&) {
  return Status(
      ErrorKind::kNotFound,
      Context() + ": a CloudQuery plugin has no actions (asked for '" + action.name + "')");
}

SourceKind PluginSource::Kind() {
  SourceKind kind;
  kind.name = "plugin";
  kind.lists_own_entities = true;
  kind.takes_pushdown = false;
  kind.create = [](ConnectorSpec spec, const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    ASSIGN_OR_RETURN(std::unique_ptr<PluginSource> created,
                     PluginSource::Create(std::move(spec), env));
    return std::unique_ptr<Source>(std::move(created));
  };
  // CREATE/ALTER CONNECTOR: against the schema the type recorded, so a
  // connector can be defined while the plugin is not running.
  kind.check_config = [](const ConnectorTypeDef& type, const Value& resolved_config,
                         const SourceEnv& env) -> Status {
    ASSIGN_OR_RETURN(PluginLocation location, PluginLocation::Parse(type.integration));
    return ValidateSpec(env, location.json_schema, resolved_config);
  };
  return kind;
}

}  // namespace sluice
