#include "cli/plugin_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <mutex>
#include <set>
#include <sstream>

#include "catalog/workspace.h"
#include "cloudquery/cq_table.h"
#include "cloudquery/plugin_server.h"
#include "cloudquery/table_filter.h"
#include "core/credential.h"
#include "core/secret_masker.h"
#include "core/time_util.h"
#include "lang/interpreter.h"
#include "lang/parser.h"
#include "query/coerce.h"
#include "source/integration_source.h"
#include "source/vector_rows.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// --- logging -----------------------------------------------------------------

int LevelRank(const std::string& level) {
  // zerolog's levels, which the CLI passes; "disabled" logs nothing.
  static const std::map<std::string, int> kRanks = {{"trace", 0}, {"debug", 1},   {"info", 2},
                                                    {"warn", 3},  {"warning", 3}, {"error", 4},
                                                    {"fatal", 5}, {"panic", 5},   {"disabled", 9}};
  auto found = kRanks.find(level);
  return found == kRanks.end() ? -1 : found->second;
}

// The plugin's log: JSON lines on stdout as the CloudQuery CLI reads them
// ({"level", "message", "time"}), or text; every line masked.
class PluginLog {
 public:
  PluginLog(const std::string& level, bool json) : threshold_(LevelRank(level)), json_(json) {}

  void Write(const std::string& level, const std::string& message) {
    if (LevelRank(level) < threshold_) return;
    std::string masked = SecretMasker::Global().Mask(message);
    std::string time = FormatTimestamp(NowMicros());
    std::string line;
    if (json_) {
      Value entry = Value::object();
      entry["level"] = level;
      entry["message"] = masked;
      entry["time"] = time;
      line = entry.dump(-1, ' ', false, Value::error_handler_t::replace) + "\n";
    } else {
      std::string tag = level;
      std::transform(tag.begin(), tag.end(), tag.begin(), ::toupper);
      line = time + " " + tag.substr(0, 4) + " " + masked + "\n";
    }
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

 private:
  int threshold_;
  bool json_;
  std::mutex mutex_;
};

// What the interpreter prints (handler console output, notes) becomes log
// lines; results are not for the CLI.
class LogSink : public OutputSink {
 public:
  explicit LogSink(PluginLog& log) : log_(log) {}
  void Emit(const ResultSet&) override {}
  void Print(const std::string& line) override { log_.Write("info", line); }
  void Log(const std::string& line) override { log_.Write("info", line); }

 private:
  PluginLog& log_;
};

// --- helpers -----------------------------------------------------------------

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// A connector name from the plugin's: letters, digits and underscores.
std::string Identifier(const std::string& name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "p_" + out;
  return out;
}

// FNV-1a: the same on every machine and run, so every shard of a sync
// agrees on which of them owns a table.
uint64_t StableHash(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

// A connector type's CONFIG_SCHEMA as a JSON Schema document (what
// GetSpecSchema answers and `cloudquery validate-config` checks with).
Value JsonSchemaOfConfig(const Value& config_schema) {
  Value schema = Value::object();
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["type"] = "object";
  Value properties = Value::object();
  Value required = Value::array();
  if (config_schema.is_object()) {
    for (const auto& [key, spec] : config_schema.items()) {
      Value property = Value::object();
      if (spec.is_object()) {
        if (spec.contains("type") && spec["type"].is_string()) property["type"] = spec["type"];
        if (spec.contains("description")) property["description"] = spec["description"];
        if (spec.contains("default")) property["default"] = spec["default"];
        // JSON Schema's way of saying "a credential": tools hide it.
        if (spec.value("secret", false)) property["writeOnly"] = true;
        if (spec.value("required", false)) required.push_back(key);
      }
      properties[key] = property;
    }
  }
  schema["properties"] = properties;
  if (!required.empty()) schema["required"] = required;
  schema["additionalProperties"] = false;
  return schema;
}

// --- the backend ---------------------------------------------------------------

class SluiceBackend : public cq::PluginBackend {
 public:
  SluiceBackend(const PluginServeFlags& flags, PluginLog& log)
      : flags_(flags), log_(log), sink_(log) {}

  std::string Name() override {
    if (!Load().ok()) return fallback_name_;
    return name_;
  }
  std::string Version() override {
    if (!Load().ok()) return "";
    return type_.version.empty() ? "1.0.0" : type_.version;
  }
  std::optional<std::string> SpecSchema() override {
    if (!Load().ok()) return std::nullopt;
    if (!type_.integration.empty()) {
      if (about_.contains("json_schema") && about_["json_schema"].is_object())
        return about_["json_schema"].dump();
      return std::nullopt;
    }
    return JsonSchemaOfConfig(type_.config_schema).dump();
  }

  Status Init(const std::string& spec_json, bool no_connection, const std::string&) override {
    RETURN_IF_ERROR(Load());
    Value spec;
    try {
      spec = Value::parse(spec_json);
    } catch (const std::exception& e) {
      return Status(ErrorKind::kParse, "Init: the spec is not JSON: " + std::string(e.what()));
    }
    if (spec.is_null()) spec = Value::object();
    if (!spec.is_object()) {
      return Status(ErrorKind::kType, "Init: the spec must be a JSON object (or null), got " +
                                          std::string(spec.type_name()));
    }
    RegisterSecrets(spec);
    connected_ = false;
    entities_.reset();
    tables_.clear();
    Status created = CreateConnector(connector_, spec);
    if (no_connection) {
      // Listing tables needs no valid CONFIG: `cloudquery tables` sends
      // whatever the spec holds (often nothing).
      if (!created.ok()) log_.Write("debug", "Init without a connection: " + created.ToString());
      return Status::Ok();
    }
    RETURN_IF_ERROR(created.WithContext("Init"));
    // Starting the source now makes a bad CONFIG an Init error, as the
    // CLI expects (an integration's plugin checks its spec in init).
    Result<std::vector<EntityDef>> entities = interpreter_->connectors().Entities(connector_);
    if (!entities.ok()) return entities.TakeStatus().WithContext("Init");
    Result<Source*> source = interpreter_->connectors().Get(connector_);
    if (!source.ok()) return source.TakeStatus().WithContext("Init");
    entities_ = std::move(entities).value();
    if (!interpreter_->connectors().ListsOwnEntities(type_)) {
      // Declared entities in the order they were defined (the registry
      // lists them by name): tables keep the author's order.
      ASSIGN_OR_RETURN(entities_, workspace_->catalog().ListEntities(
                                      type_.name, Catalog::EntityOrder::kDefinition));
    }
    connected_ = true;
    log_.Write("info", "Initialized connector '" + connector_ + "' of type '" + type_.name +
                           "' with " + std::to_string(entities_->size()) + " tables");
    return Status::Ok();
  }

  Result<std::vector<cq::ArrowSchema>> GetTables(const std::vector<std::string>& tables,
                                                 const std::vector<std::string>& skip_tables,
                                                 bool skip_dependent_tables) override {
    ASSIGN_OR_RETURN(std::vector<size_t> picked,
                     Select(tables, skip_tables, skip_dependent_tables));
    std::vector<cq::ArrowSchema> out;
    for (size_t i : picked) out.push_back(schemas_[i]);
    return out;
  }

  Status Sync(const cq::SyncOptions& options, cq::SyncSink& sink) override {
    RETURN_IF_ERROR(Load());
    if (!connected_) {
      return Status(ErrorKind::kInvalidArgument,
                    "Sync before a successful Init with a connection (Init with no_connection "
                    "lists tables only)");
    }
    ASSIGN_OR_RETURN(std::vector<size_t> picked,
                     Select(options.tables, options.skip_tables, options.skip_dependent_tables));
    if (options.shard) RETURN_IF_ERROR(ApplyShard(*options.shard, picked));
    failed_.clear();
    for (size_t i : picked) RETURN_IF_ERROR(sink.MigrateTable(schemas_[i]));
    if (picked.empty()) return Status::Ok();
    Result<Source*> source = interpreter_->connectors().Get(connector_);
    if (!source.ok()) return source.TakeStatus().WithContext("Sync");
    interpreter_->connectors().BeginStatement();
    if (MultiTableScan* multi = (*source)->multi_table())
      return SyncInOnePass(*multi, picked, sink);
    return SyncTableByTable(picked, sink);
  }

  cq::TestConnectionResult TestConnection(const std::string& spec_json) override {
    cq::TestConnectionResult result;
    Status status = [&]() -> Status {
      RETURN_IF_ERROR(Load());
      Value spec;
      try {
        spec = Value::parse(spec_json);
      } catch (const std::exception& e) {
        return Status(ErrorKind::kParse, "the spec is not JSON: " + std::string(e.what()));
      }
      if (spec.is_null()) spec = Value::object();
      if (!spec.is_object())
        return Status(ErrorKind::kType, "the spec must be a JSON object (or null)");
      RegisterSecrets(spec);
      std::string probe = connector_ + "_connection_test";
      RETURN_IF_ERROR(CreateConnector(probe, spec));
      Result<std::vector<ConnectionCheck>> checks =
          interpreter_->connectors().sources().TestConnection(probe);
      interpreter_->connectors().Reset();
      if (!checks.ok()) return checks.TakeStatus();
      return Status::Ok();
    }();
    result.success = status.ok();
    if (!status.ok()) {
      result.failure_code = ErrorKindName(status.kind());
      result.failure_description = SecretMasker::Global().Mask(status.ToString());
      log_.Write("warn", "TestConnection failed: " + status.ToString());
    }
    return result;
  }

  Status Close() override {
    if (interpreter_) interpreter_->connectors().Reset();
    connected_ = false;
    return Status::Ok();
  }

  // What `serve` checks before listening: the folder or workspace exists
  // (loading it waits for the first call, so the socket appears at once).
  Status Check() {
    if (!flags_.workspace.empty()) {
      if (flags_.type.empty())
        return Status(ErrorKind::kInvalidArgument, "--workspace needs --type NAME");
      if (!fs::is_regular_file(flags_.workspace)) {
        return Status(ErrorKind::kNotFound, "workspace '" + flags_.workspace + "' does not exist");
      }
      fallback_name_ = flags_.type;
      return Status::Ok();
    }
    if (flags_.dir.empty()) {
      return Status(ErrorKind::kInvalidArgument,
                    "give a folder (DIR) or --workspace FILE --type NAME");
    }
    if (!fs::is_directory(flags_.dir)) {
      return Status(ErrorKind::kNotFound, "'" + flags_.dir + "' is not a folder");
    }
    bool has_sql = false;
    for (const auto& entry : fs::directory_iterator(flags_.dir))
      has_sql = has_sql || entry.path().extension() == ".sql";
    if (!has_sql && !fs::is_regular_file(fs::path(flags_.dir) / "package.json")) {
      return Status(
          ErrorKind::kNotFound,
          "folder '" + flags_.dir + "' has neither .sql files nor a package.json (an integration)");
    }
    fallback_name_ = fs::absolute(flags_.dir).lexically_normal().filename().string();
    if (fallback_name_.empty())
      fallback_name_ = fs::absolute(flags_.dir).lexically_normal().parent_path().filename();
    return Status::Ok();
  }

 private:
  // Definitions, loaded on the first call (on the serving thread).
  Status Load() {
    if (loaded_) return load_status_;
    loaded_ = true;
    load_status_ = DoLoad();
    if (!load_status_.ok())
      log_.Write("error", "Loading the connector type failed: " + load_status_.ToString());
    return load_status_;
  }

  Status DoLoad() {
    if (!flags_.workspace.empty()) {
      // A copy in memory: serving never changes the user's workspace.
      ASSIGN_OR_RETURN(std::unique_ptr<Workspace> original, Workspace::Open(flags_.workspace));
      ASSIGN_OR_RETURN(workspace_, Workspace::OpenCopy(*original));
      interpreter_ = std::make_unique<Interpreter>(*workspace_, sink_);
      ASSIGN_OR_RETURN(type_, workspace_->catalog().GetConnectorType(flags_.type));
    } else {
      ASSIGN_OR_RETURN(workspace_, Workspace::Open(":memory:"));
      interpreter_ = std::make_unique<Interpreter>(*workspace_, sink_);
      ASSIGN_OR_RETURN(std::string type, LoadFolder(fs::path(flags_.dir)));
      ASSIGN_OR_RETURN(type_, workspace_->catalog().GetConnectorType(type));
    }
    name_ = type_.name;
    connector_ = Identifier(type_.name);
    if (!type_.integration.empty()) {
      ASSIGN_OR_RETURN(about_, interpreter_->connectors().InspectIntegration(type_.integration));
      if (about_.contains("name") && about_["name"].is_string() &&
          !about_["name"].get<std::string>().empty()) {
        name_ = about_["name"].get<std::string>();
      }
      if (type_.version.empty()) type_.version = about_.value("version", "");
    }
    log_.Write("info", "Serving connector type '" + type_.name + "' as plugin '" + name_ + "'");
    return Status::Ok();
  }

  Status RunText(const std::string& origin, const std::string& text) {
    ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{origin, text}));
    if (!parsed.ok()) return parsed.errors.front();
    for (const ast::Statement& statement : parsed.program.statements) {
      RETURN_IF_ERROR(interpreter_->Execute(statement));
    }
    return Status::Ok();
  }

  // The connector type a folder defines: its .sql files' definitions (TEST
  // blocks skipped), or, with none, the integration in it.
  Result<std::string> LoadFolder(const fs::path& folder) {
    std::set<std::string> defined;
    std::vector<fs::path> scripts;
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.path().extension() == ".sql") scripts.push_back(entry.path());
    }
    std::sort(scripts.begin(), scripts.end());
    for (const fs::path& script : scripts) {
      std::ifstream in(script, std::ios::binary);
      if (!in) return Status(ErrorKind::kIo, "cannot read '" + script.string() + "'");
      std::stringstream text;
      text << in.rdbuf();
      ParseResult parsed =
          Parse(std::make_shared<SourceFile>(SourceFile{script.string(), text.str()}));
      if (!parsed.ok()) return parsed.errors.front();
      for (const ast::Statement& statement : parsed.program.statements) {
        if (std::holds_alternative<ast::TestStmt>(statement.node)) continue;
        if (auto* created = std::get_if<ast::CreateConnectorTypeStmt>(&statement.node)) {
          defined.insert(created->name.text);
        }
        RETURN_IF_ERROR(interpreter_->Execute(statement));
      }
    }
    if (defined.empty() && fs::is_regular_file(folder / "package.json")) {
      std::string directory = fs::absolute(folder).lexically_normal().string();
      ASSIGN_OR_RETURN(Value about, interpreter_->connectors().InspectIntegration(directory));
      std::string name = about.value("name", "");
      if (name.empty()) name = fallback_name_;
      RETURN_IF_ERROR(RunText("<plugin serve>", "CREATE OR REPLACE CONNECTOR TYPE " + Quote(name) +
                                                    " FROM INTEGRATION " + Quote(directory) + ";"));
      defined.insert(name);
    }
    if (defined.size() != 1) {
      return Status(ErrorKind::kInvalidArgument,
                    "folder '" + folder.string() + "' defines " + std::to_string(defined.size()) +
                        " connector types; a plugin serves exactly one");
    }
    return *defined.begin();
  }

  bool IsSecretKey(const std::string& key) const {
    if (LooksLikeCredentialName(key)) return true;
    const Value& schema = type_.config_schema;
    return schema.is_object() && schema.contains(key) && schema[key].is_object() &&
           schema[key].value("secret", false);
  }

  // Secret spec values go to the masker before anything can log them: at
  // any depth, every value under a credential-like key (a number or a
  // list's items too) and every string that holds a password. The spec
  // nests at most 256 levels (the server refuses deeper ones).
  void RegisterSecrets(const Value& spec) { RegisterSecrets(spec, false, true); }
  void RegisterSecrets(const Value& value, bool secret, bool top) {
    if (value.is_object()) {
      for (const auto& [key, item] : value.items()) {
        bool key_secret = top ? IsSecretKey(key) : LooksLikeCredentialName(key);
        RegisterSecrets(item, secret || key_secret, false);
      }
    } else if (value.is_array()) {
      for (const Value& item : value) RegisterSecrets(item, secret, false);
    } else if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      if (secret || HoldsPassword(text)) SecretMasker::Global().Add(text);
    } else if (secret && value.is_number()) {
      SecretMasker::Global().Add(value.dump());
    }
  }

  // CREATE OR REPLACE CONNECTOR `name` with the spec as CONFIG. A secret
  // key's value reaches the connector through an {{env.X}} template of
  // this process (CONFIG never holds a credential as a literal).
  Status CreateConnector(const std::string& name, const Value& spec) {
    Value config = Value::object();
    for (const auto& [key, value] : spec.items()) {
      if (value.is_string() && IsSecretKey(key)) {
        std::string variable = "SLUICE_CQ_SPEC_" + std::to_string(++spec_variables_);
        setenv(variable.c_str(), value.get_ref<const std::string&>().c_str(), 1);
        config[key] = "{{env." + variable + "}}";
      } else {
        config[key] = value;
      }
    }
    interpreter_->connectors().Reset();
    return RunText("<plugin Init>", "CREATE OR REPLACE CONNECTOR " + name + " TYPE " +
                                        Quote(type_.name) + " CONFIG " + config.dump() + ";");
  }

  // The entities as CloudQuery tables (once per Init).
  Status LoadTables() {
    if (entities_ && tables_.size() == entities_->size()) return Status::Ok();
    if (!entities_) {
      if (!type_.integration.empty()) {
        // Without a connection: the tables as the integration lists them
        // with no spec (noConnection), as `cloudquery tables` expects.
        entities_ = IntegrationSource::EntitiesOfTables(type_.name, type_.integration,
                                                        about_.value("tables", Value::array()));
      } else if (interpreter_->connectors().ListsOwnEntities(type_)) {
        // Another kind that lists its own tables: only a running source can.
        ASSIGN_OR_RETURN(entities_, interpreter_->connectors().Entities(connector_));
      } else {
        ASSIGN_OR_RETURN(entities_, workspace_->catalog().ListEntities(
                                        type_.name, Catalog::EntityOrder::kDefinition));
      }
    }
    tables_.clear();
    empty_record_bytes_.clear();
    schemas_.clear();
    // An integration's entities do not carry its tables' relations and
    // titles (the host resolves children itself): they come from its
    // tables as listed when the type was loaded.
    std::map<std::string, std::pair<std::string, std::string>> listed;  // name → (parent, title)
    if (about_.contains("tables") && about_["tables"].is_array()) {
      for (const Value& table : about_["tables"]) {
        if (!table.is_object() || !table.contains("name") || !table["name"].is_string()) continue;
        std::string parent = table.contains("parent") && table["parent"].is_string()
                                 ? table["parent"].get<std::string>()
                                 : "";
        std::string title = table.contains("title") && table["title"].is_string()
                                ? table["title"].get<std::string>()
                                : "";
        listed[table["name"].get<std::string>()] = {parent, title};
      }
    }
    for (const EntityDef& entity : *entities_) {
      Value fields = entity.fields;
      // An integration describes NOT NULL its own way.
      for (auto& [name, field] : fields.items()) {
        if (field.is_object() && field.value("not_null", false)) field["required"] = true;
      }
      auto found = listed.find(entity.name);
      std::string parent = entity.parent;
      if (parent.empty() && found != listed.end()) parent = found->second.first;
      Result<cq::CqTable> table = cq::TableOfFields(entity.name, fields, entity.cursor, parent);
      if (!table.ok()) return table.TakeStatus().WithContext("table '" + entity.name + "'");
      if (table->description.empty()) table->description = entity.description;
      if (table->title.empty() && found != listed.end()) table->title = found->second.second;
      schemas_.push_back(cq::SchemaOfTable(*table));
      tables_.push_back(std::move(table).value());
    }
    return Status::Ok();
  }

  Result<std::vector<size_t>> Select(const std::vector<std::string>& tables,
                                     const std::vector<std::string>& skip,
                                     bool skip_dependent_tables) {
    RETURN_IF_ERROR(Load());
    RETURN_IF_ERROR(LoadTables());
    std::vector<cq::TableNode> nodes;
    for (const cq::CqTable& table : tables_) nodes.push_back({table.name, table.parent});
    return cq::FilterTables(nodes, tables, skip, skip_dependent_tables);
  }

  // Shard num of total (num from 1) keeps the top-level tables whose
  // stable hash falls to it, with their selected descendants: every table
  // goes to exactly one shard, and a child always with its parent.
  Status ApplyShard(std::pair<int, int> shard, std::vector<size_t>& picked) {
    auto [num, total] = shard;
    if (total < 1 || num < 1 || num > total) {
      return Status(ErrorKind::kInvalidArgument, "shard " + std::to_string(num) + "/" +
                                                     std::to_string(total) +
                                                     " is not valid (1 ≤ num ≤ total)");
    }
    std::vector<size_t> kept;
    for (size_t i : picked) {
      size_t root = RootOf(i);
      if (static_cast<int>(StableHash(tables_[root].name) % static_cast<uint64_t>(total)) ==
          num - 1) {
        kept.push_back(i);
      }
    }
    picked = std::move(kept);
    return Status::Ok();
  }

  size_t IndexOf(const std::string& name) const {
    for (size_t i = 0; i < tables_.size(); ++i) {
      if (tables_[i].name == name) return i;
    }
    return tables_.size();
  }
  size_t RootOf(size_t i) const {
    for (size_t steps = 0; !tables_[i].parent.empty() && steps <= tables_.size(); ++steps) {
      size_t up = IndexOf(tables_[i].parent);
      if (up == tables_.size()) break;
      i = up;
    }
    return i;
  }

  // Takes the row's cells rather than copying them (a row may be large).
  cq::Row RowOf(size_t table, Value&& object) const {
    const cq::ArrowSchema& schema = schemas_[table];
    cq::Row row;
    row.reserve(schema.fields.size());
    for (const cq::ArrowField& field : schema.fields) {
      auto found = object.is_object() ? object.find(field.name) : object.end();
      row.push_back(object.is_object() && found != object.end() ? std::move(*found) : Value());
    }
    return row;
  }

  // Rows of one table waiting to become inserts. Sent in batches: the sink
  // splits them further into records under the size budget.
  struct Pending {
    std::vector<cq::Row> rows;
    size_t bytes = 0;
    size_t flushed = 0;  // rows of the table before these, to number a bad one
    std::chrono::steady_clock::time_point since;  // when its first row came
  };
  static constexpr size_t kBatchRows = 100000;  // bounds memory for tiny rows

  Status Flush(size_t table, std::map<size_t, Pending>& pending, cq::SyncSink& sink) {
    // A child's rows never go before their parent's.
    if (!tables_[table].parent.empty()) {
      size_t up = IndexOf(tables_[table].parent);
      if (up < tables_.size() && up != table) RETURN_IF_ERROR(Flush(up, pending, sink));
    }
    Pending& batch = pending[table];
    if (batch.rows.empty()) return Status::Ok();
    Status sent = sink.Insert(schemas_[table], batch.rows);
    if (!sent.ok() && sent.kind() == ErrorKind::kType && sink.Check().ok()) {
      // A cell the table's Arrow type cannot hold: the table fails, as when
      // its handler throws, and the other tables go on.
      std::string message = sent.message();
      for (size_t i = 0; i < batch.rows.size(); ++i) {
        Result<std::string> alone = cq::EncodeRecord(schemas_[table], {batch.rows[i]});
        if (alone.ok()) continue;
        message = CellErrorMessage(table, batch.flushed + i + 1, alone.status().message());
        break;
      }
      batch.flushed += batch.rows.size();
      batch.rows.clear();
      batch.bytes = 0;
      return FailTable(table, message, sink);
    }
    batch.flushed += batch.rows.size();
    batch.rows.clear();
    batch.bytes = 0;
    return sent;
  }

  // "connector 'c', entity 't', row 3, field 'v': 1.5 is not an integer",
  // the native path's words, from the encoder's "Arrow IPC: column "v" row 0: …".
  std::string CellErrorMessage(size_t table, size_t row_number, const std::string& encoder) const {
    std::string where = "connector '" + connector_ + "', entity '" + tables_[table].name +
                        "', row " + std::to_string(row_number);
    static const std::regex kCell(R"re(^Arrow IPC: column "((?:[^"\\]|\\.)*)" row [0-9]+: ([\s\S]*)$)re");
    std::smatch match;
    if (std::regex_match(encoder, match, kCell))
      return where + ", field '" + match[1].str() + "': " + match[2].str();
    return where + ": " + encoder;
  }

  Status FailTable(size_t table, const std::string& message, cq::SyncSink& sink) {
    failed_.insert(table);
    return sink.Error(tables_[table].name, message);
  }

  Status Add(size_t table, Value&& object, std::map<size_t, Pending>& pending,
             cq::SyncSink& sink, size_t budget) {
    // Batches are cut where the sink would cut them (the same estimate
    // against the same budget), so each becomes one full insert rather
    // than a full one and a sliver.
    if (empty_record_bytes_.size() != schemas_.size())
      empty_record_bytes_.assign(schemas_.size(), 0);
    if (empty_record_bytes_[table] == 0) {
      ASSIGN_OR_RETURN(std::string empty, cq::EncodeRecord(schemas_[table], {}));
      empty_record_bytes_[table] = empty.size();
    }
    const size_t room = budget > cq::kEnvelopeBytes + empty_record_bytes_[table]
                            ? budget - cq::kEnvelopeBytes - empty_record_bytes_[table]
                            : 0;
    // Rows held back send nothing, so a client's cancel is noticed here.
    RETURN_IF_ERROR(sink.Check());
    if (failed_.count(table)) return Status::Ok();  // a failed table's later rows
    if (!object.is_object()) {
      // The refusal of a native SELECT, in its words: the table fails.
      EntitySchema where{connector_, tables_[table].name, {}};
      Pending& before = pending[table];
      int64_t number = static_cast<int64_t>(before.flushed + before.rows.size() + 1);
      Status refused = CoerceRow(where, object, number).status();
      RETURN_IF_ERROR(Flush(table, pending, sink));
      if (failed_.count(table)) return Status::Ok();
      return FailTable(table, refused.message(), sink);
    }
    cq::Row row = RowOf(table, std::move(object));
    size_t bytes = cq::EstimateRowBytes(schemas_[table], row);
    Pending& batch = pending[table];
    if (!batch.rows.empty() && (batch.bytes + bytes > room || batch.rows.size() >= kBatchRows)) {
      RETURN_IF_ERROR(Flush(table, pending, sink));
    }
    Pending& open = pending[table];
    auto now = std::chrono::steady_clock::now();
    if (open.rows.empty()) open.since = now;
    open.rows.push_back(std::move(row));
    open.bytes += bytes;
    // A slow source streams: rows wait at most about kFlushIntervalMs.
    if (now - open.since >= std::chrono::milliseconds(cq::kFlushIntervalMs))
      RETURN_IF_ERROR(Flush(table, pending, sink));
    return Status::Ok();
  }

  // A table integration: one resolution of every selected table, as the
  // SDK's scheduler does (parents resolved once, children per parent row).
  Status SyncInOnePass(MultiTableScan& multi, const std::vector<size_t>& picked,
                       cq::SyncSink& sink) {
    Value asked = Value::array();
    for (size_t i : picked)
      asked.push_back({{"name", tables_[i].name}, {"options", Value::object()}});
    Result<std::unique_ptr<RowSource>> rows = multi.ResolveTables(asked);
    if (!rows.ok()) {
      for (size_t i : picked)
        RETURN_IF_ERROR(sink.Error(tables_[i].name, rows.status().ToString()));
      return Status::Ok();
    }
    std::map<size_t, Pending> pending;
    std::set<size_t> failed;
    while (true) {
      Result<std::optional<Value>> item = (*rows)->Next();
      if (!item.ok()) {
        // The pass itself failed: every table not yet reported fails.
        for (size_t i : picked) {
          if (!failed.count(i) && !failed_.count(i))
            RETURN_IF_ERROR(sink.Error(tables_[i].name, item.status().ToString()));
        }
        break;
      }
      if (!*item) break;
      Value& tagged = **item;
      // JavaScript numbers arrive as signed integers. An item that names no
      // table asked for is a bug in the host: an error, never a lost row.
      if (!tagged.is_object() || !tagged.contains("t") || !tagged["t"].is_number_integer() ||
          tagged["t"].get<int64_t>() < 0 ||
          static_cast<size_t>(tagged["t"].get<int64_t>()) >= picked.size()) {
        return Status(
            ErrorKind::kInternal,
            "the integration's resolution gave an item of no table: " +
                tagged.dump(-1, ' ', false, Value::error_handler_t::replace).substr(0, 200));
      }
      size_t t = static_cast<size_t>(tagged["t"].get<int64_t>());
      size_t table = picked[t];
      if (tagged.contains("error")) {
        if (failed_.count(table)) continue;  // reported already (a bad row)
        failed.insert(table);
        const Value& error = tagged["error"];
        std::string message =
            error.is_object() && error.contains("message") && error["message"].is_string()
                ? error["message"].get<std::string>()
                : error.dump(-1, ' ', false, Value::error_handler_t::replace);
        RETURN_IF_ERROR(sink.Error(tables_[table].name, message));
        continue;
      }
      Value row = tagged.contains("r") ? std::move(tagged["r"]) : Value();
      RETURN_IF_ERROR(Add(table, std::move(row), pending, sink, budget_));
    }
    for (size_t i : picked) RETURN_IF_ERROR(Flush(i, pending, sink));
    return Status::Ok();
  }

  // A declared connector: each top-level table scanned, then each selected
  // child from the parent rows just read (one handler call per parent row).
  Status SyncTableByTable(const std::vector<size_t>& picked, cq::SyncSink& sink) {
    std::set<size_t> chosen(picked.begin(), picked.end());
    for (size_t i : picked) {
      if (!tables_[i].parent.empty() && chosen.count(IndexOf(tables_[i].parent))) continue;
      RETURN_IF_ERROR(SyncTree(i, nullptr, chosen, sink));
    }
    return Status::Ok();
  }

  Status SyncTree(size_t table, std::vector<Value>* parent_rows, const std::set<size_t>& chosen,
                  cq::SyncSink& sink) {
    std::vector<size_t> children;
    for (size_t i : chosen) {
      if (tables_[i].parent == tables_[table].name && i != table) children.push_back(i);
    }
    std::sort(children.begin(), children.end());
    ScanRequest request;
    request.use_cache = false;
    request.parents_use_cache = false;
    const std::string& name = tables_[table].name;
    std::unique_ptr<RowSource> rows;
    if (parent_rows) {
      rows = interpreter_->connectors().ScanEachParent(connector_, name, request,
                                                       std::make_unique<VectorRows>(*parent_rows));
    } else {
      Result<std::unique_ptr<RowSource>> scan =
          interpreter_->connectors().Scan(connector_, name, request);
      if (!scan.ok()) return sink.Error(name, scan.status().ToString());
      rows = std::move(scan).value();
    }
    std::vector<Value> kept;
    std::map<size_t, Pending> pending;
    while (true) {
      Result<std::optional<Value>> row = rows->Next();
      if (!row.ok()) {
        RETURN_IF_ERROR(Flush(table, pending, sink));
        if (failed_.count(table)) break;
        RETURN_IF_ERROR(sink.Error(name, row.status().ToString()));
        break;
      }
      if (!*row) break;
      if (!children.empty()) kept.push_back(**row);
      RETURN_IF_ERROR(Add(table, std::move(**row), pending, sink, budget_));
      if (failed_.count(table)) break;  // as a handler that threw: no more rows
    }
    RETURN_IF_ERROR(Flush(table, pending, sink));
    rows.reset();
    for (size_t child : children) RETURN_IF_ERROR(SyncTree(child, &kept, chosen, sink));
    return Status::Ok();
  }

  const PluginServeFlags& flags_;
  PluginLog& log_;
  LogSink sink_;
  std::unique_ptr<Workspace> workspace_;
  std::unique_ptr<Interpreter> interpreter_;
  bool loaded_ = false;
  Status load_status_;
  std::string fallback_name_ = "sluice";
  std::string name_;
  std::string connector_;
  ConnectorTypeDef type_;
  Value about_ =
      Value::object();  // an integration's schema() and tables, listed without a connection
  bool connected_ = false;
  std::optional<std::vector<EntityDef>> entities_;
  std::vector<cq::CqTable> tables_;
  std::vector<cq::ArrowSchema> schemas_;
  std::vector<size_t> empty_record_bytes_;  // a record with no rows, per table
  int spec_variables_ = 0;
  std::set<size_t> failed_;  // tables of this Sync that failed on a bad row
  size_t budget_ = cq::kInsertBudgetBytes;
};

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

PluginCommand::PluginCommand(CLI::App& app) {
  plugin_ = app.add_subcommand("plugin", "serve a connector type as a CloudQuery source plugin");
  plugin_->require_subcommand(1);
  serve_ =
      plugin_->add_subcommand("serve", "serve DIR (an integration or .sql definitions) over gRPC");
  PluginServeFlags& s = serve_flags_;
  serve_->add_option("dir", s.dir,
                     "integration folder, or folder of .sql files defining one connector type");
  serve_->add_option("--workspace,-w", s.workspace,
                     "serve a connector type of this workspace (a copy of it)");
  serve_->add_option("--type", s.type, "with --workspace: the connector type to serve");
  serve_->add_option("--address,-a", s.address,
                     "tcp host:port, or a unix socket path (default localhost:7777)");
  serve_->add_option("--network,-n", s.network, "tcp or unix (default tcp)")
      ->check(CLI::IsMember({"tcp", "tcp4", "tcp6", "unix"}));
  serve_
      ->add_option("--log-level,-l", s.log_level, "trace, debug, info, warn, error (default info)")
      ->check(CLI::IsMember(
          {"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic", "disabled"}));
  serve_->add_option("--log-format,-f", s.log_format, "json or text (default text)")
      ->check(CLI::IsMember({"json", "text"}));
  serve_->add_flag("--no-sentry", s.no_sentry, "accepted; Sluice sends no error reports");
  serve_->add_flag("--sentry", s.sentry, "accepted; Sluice sends no error reports");
  serve_->add_option("--license", s.license, "accepted; Sluice needs no license");
  serve_->add_option("--otel-endpoint", s.otel_endpoint, "accepted; Sluice exports no traces");
  serve_->add_flag("--otel-endpoint-insecure", s.otel_endpoint_insecure, "accepted");
  serve_->add_option("--telemetry-level", s.telemetry_level, "accepted; Sluice sends no telemetry");

  wrapper_ = plugin_->add_subcommand(
      "wrapper", "write an executable the CloudQuery CLI runs with registry: local");
  PluginWrapperFlags& w = wrapper_flags_;
  wrapper_->add_option("dir", w.dir,
                       "integration folder, or folder of .sql files defining one connector type");
  wrapper_->add_option("--workspace,-w", w.workspace, "serve a connector type of this workspace");
  wrapper_->add_option("--type", w.type, "with --workspace: the connector type to serve");
  wrapper_->add_option("--output,-o", w.output, "the script to write (made executable)")
      ->required();
}

bool PluginCommand::parsed() const { return plugin_->parsed(); }

int PluginCommand::Run(const char* argv0) {
  if (serve_->parsed()) return RunPluginServe(serve_flags_);
  if (wrapper_->parsed()) return RunPluginWrapper(wrapper_flags_, argv0);
  return 2;
}

int RunPluginServe(const PluginServeFlags& flags) {
  // Before any thread exists: all of them inherit the mask, and only the
  // server's watcher takes SIGINT/SIGTERM.
  cq::BlockStopSignals();
  PluginLog log(flags.log_level, flags.log_format == "json");
  SluiceBackend backend(flags, log);
  Status checked = backend.Check();
  if (!checked.ok()) {
    log.Write("error", "sluice plugin serve: " + checked.ToString());
    return 1;
  }
  cq::ServeOptions options;
  options.network = flags.network;
  options.address = flags.address;
  options.log = [&log](const std::string& level, const std::string& message) {
    log.Write(level, message);
  };
  Status served = cq::ServePlugin(options, backend);
  if (!served.ok()) {
    log.Write("error", "sluice plugin serve: " + served.ToString());
    return 1;
  }
  return 0;
}

int RunPluginWrapper(const PluginWrapperFlags& flags, const char* argv0) {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) self = fs::absolute(argv0);
  std::string target;
  if (!flags.workspace.empty()) {
    if (flags.type.empty()) {
      std::fprintf(stderr, "sluice plugin wrapper: --workspace needs --type NAME\n");
      return 2;
    }
    target = "--workspace " +
             ShellQuote(fs::absolute(flags.workspace).lexically_normal().string()) + " --type " +
             ShellQuote(flags.type);
  } else if (!flags.dir.empty() && fs::is_directory(flags.dir)) {
    target = ShellQuote(fs::absolute(flags.dir).lexically_normal().string());
  } else {
    std::fprintf(stderr,
                 "sluice plugin wrapper: give a folder (DIR) or --workspace FILE --type NAME\n");
    return 2;
  }
  std::string script =
      "#!/bin/sh\n"
      "# Generated by `sluice plugin wrapper`: a Sluice connector type as a CloudQuery\n"
      "# source plugin. The CloudQuery CLI (registry: local, path: this file) runs it\n"
      "# as `serve --log-level L --log-format json --network unix --address SOCKET`.\n"
      "[ \"$1\" = serve ] && shift\n"
      "exec " +
      ShellQuote(self.string()) + " plugin serve " + target + " \"$@\"\n";
  {
    std::ofstream out(flags.output, std::ios::binary | std::ios::trunc);
    if (!out || !(out << script) || !out.flush()) {
      std::fprintf(stderr, "sluice plugin wrapper: cannot write '%s'\n", flags.output.c_str());
      return 1;
    }
  }
  if (chmod(flags.output.c_str(), 0755) != 0) {
    std::fprintf(stderr, "sluice plugin wrapper: cannot make '%s' executable\n",
                 flags.output.c_str());
    return 1;
  }
  std::printf("wrote %s\n", flags.output.c_str());
  return 0;
}

}  // namespace sluice
