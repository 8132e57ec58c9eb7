#include "source/connector_instance.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "catalog/config_schema.h"
#include "core/identifier.h"
#include "net/curl_transport.h"
#include "net/policy_transport.h"

namespace sluice {
namespace {

// " (handler items.js, defined at connector.sql:16:1)" for handlers kept in
// files, whose error positions point into the file, not at the statement.
std::string DefinedAt(const HandlerDef& handler) {
  if (handler.file.empty() || handler.defined_at.empty()) return "";
  return " (handler " + handler.file + ", defined at " + handler.defined_at + ")";
}

}  // namespace

js::HandlerSource ToHandlerSource(const HandlerDef& handler) {
  js::HandlerSource source;
  source.code = handler.code;
  // origin is "file:line:col"; the file itself may hold ':'.
  std::string origin = handler.origin;
  size_t column_colon = origin.rfind(':');
  size_t line_colon = column_colon == std::string::npos ? std::string::npos : origin.rfind(':', column_colon - 1);
  if (line_colon == std::string::npos) {
    source.file = origin.empty() ? "handler" : origin;
    return source;
  }
  source.file = origin.substr(0, line_colon);
  source.line = static_cast<unsigned>(std::strtoul(origin.c_str() + line_colon + 1, nullptr, 10));
  source.column = static_cast<unsigned>(std::strtoul(origin.c_str() + column_colon + 1, nullptr, 10));
  if (source.line == 0) source.line = 1;
  return source;
}

Result<std::unique_ptr<ConnectorInstance>> ConnectorInstance::Create(js::JsRuntime& runtime, ConnectorSpec spec,
                                                                     js::ConsoleFunction console,
                                                                     const TransportFactory& transport) {
  std::unique_ptr<ConnectorInstance> instance(new ConnectorInstance(std::move(spec)));
  instance->limits_ = ConnectorLimits::FromOptions(instance->spec_.connector.options);
  HttpPolicy policy;
  policy.retry_count = instance->limits_.retry_count;
  policy.rate_limit = instance->limits_.rate_limit;
  policy.rate_limit_burst = instance->limits_.rate_limit_burst;
  // A retry that would outlast the call's own time limit is pointless.
  policy.max_retry_wait = instance->limits_.timeout;
  js::RealmOptions options;
  std::unique_ptr<HttpTransport> inner = transport ? transport() : std::make_unique<CurlTransport>();
  options.transport = std::make_unique<PolicyTransport>(std::move(inner), policy);
  options.console = console;
  options.max_response_bytes = instance->limits_.max_response_bytes;
  options.invalid_utf8_error = instance->limits_.invalid_utf8_error;
  instance->console_ =
      console ? std::move(console) : [](std::string_view level, std::string_view text) {
        std::cerr << "console." << level << ": " << text << "\n";
      };
  Result<std::unique_ptr<js::JsRealm>> realm = js::JsRealm::Create(runtime, std::move(options));
  if (!realm.ok()) {
    return realm.TakeStatus().WithContext("connector '" + instance->spec_.connector.name + "'");
  }
  instance->realm_ = std::move(realm).value();
  if (!instance->spec_.type.integration.empty()) RETURN_IF_ERROR(instance->StartIntegration());
  return instance;
}

namespace {

std::string IntegrationContext(const std::string& connector, const std::string& directory) {
  return (connector.empty() ? std::string("integration ") : "connector '" + connector + "' (integration ") +
         directory + (connector.empty() ? "" : ")");
}

// CONFIG keys of the JSON schema, and which look like credentials: those
// must be stored as {{secrets.x}} or {{env.X}}, never as literals.
Value ConfigSchemaOf(const Value& json_schema) {
  Value schema = Value::object();
  if (!json_schema.is_object() || !json_schema.contains("properties") || !json_schema["properties"].is_object()) {
    return schema;
  }
  std::set<std::string> required;
  if (json_schema.contains("required") && json_schema["required"].is_array()) {
    for (const Value& name : json_schema["required"]) {
      if (name.is_string()) required.insert(name.get<std::string>());
    }
  }
  static const std::regex kCredential("token|secret|password|passwd|api_?key|credential|private_?key",
                                      std::regex::icase);
  for (const auto& [key, property] : json_schema["properties"].items()) {
    Value spec = Value::object();
    if (property.is_object()) {
      static const std::set<std::string> kTypes = {"string", "integer", "number", "boolean", "object", "array"};
      if (property.contains("type") && property["type"].is_string() && kTypes.count(property["type"].get<std::string>())) {
        spec["type"] = property["type"];
      }
      if (property.contains("description") && property["description"].is_string()) {
        spec["description"] = property["description"];
      }
      bool secret = std::regex_search(key, kCredential) || property.value("writeOnly", false) ||
                    property.value("format", "") == "password" || property.value("x-cq-auth", false);
      if (secret && spec.value("type", "string") == "string") spec["secret"] = true;
    }
    if (required.count(key)) spec["required"] = true;
    schema[key] = spec;
  }
  return schema;
}

}  // namespace

std::vector<EntityDef> ConnectorInstance::EntitiesOfTables(const std::string& type, const std::string& directory,
                                                           const Value& tables) {
  std::vector<EntityDef> entities;
  for (const Value& table : tables) {
    EntityDef entity;
    entity.type = type;
    entity.name = table.value("name", "");
    entity.description = table.value("description", "");
    entity.fields = table.value("fields", Value::object());
    entity.cursor = table.value("cursor", "");
    entity.applies_offset = table.value("applies_offset", false);
    // A child table's rows come from the host's own resolution of its
    // parents, not from one engine call per parent row: to the engine it
    // is a table like any other.
    entity.handler.code = "// table " + entity.name + " of integration " + directory;
    entity.handler.origin = directory + ":1:1";
    entities.push_back(std::move(entity));
  }
  return entities;
}

Status ConnectorInstance::ValidateJsonSchema(js::JsRealm& realm, const Value& schema, const Value& config) {
  std::ifstream in(SLUICE_TV4_PATH);
  if (!in) {
    return Status(ErrorKind::kInternal, std::string("cannot read ") + SLUICE_TV4_PATH +
                                            ", the JSON Schema validator (Debian package libjs-tv4)");
  }
  std::stringstream tv4;
  tv4 << in.rdbuf();
  js::HandlerSource source;
  source.file = SLUICE_TV4_PATH;
  // tv4 is a UMD script: given `module`, it exports itself there.
  source.code = "var module = {exports: {}};\n" + tv4.str() +
                "\n;var tv4 = module.exports;\n"
                "function execute(config, schema) {\n"
                "  const result = tv4.validateMultiple(config, schema, true, false);\n"
                "  const errors = result.errors.map((e) => `${e.dataPath || '/'}: ${e.message}`);\n"
                "  for (const ref of result.missing) errors.push(`the schema refers to ${ref}, which it does not define`);\n"
                "  return errors;\n"
                "}";
  ASSIGN_OR_RETURN(js::JsRealm::HandlerId validator, realm.LoadHandler(source));
  ASSIGN_OR_RETURN(Value errors, realm.Call(validator, "execute", {config, schema}, std::chrono::seconds(10)));
  if (!errors.is_array() || errors.empty()) return Status::Ok();
  std::string text;
  for (const Value& error : errors) text += (text.empty() ? "" : "; ") + error.get<std::string>();
  return Status(ErrorKind::kInvalidArgument, "CONFIG does not match the integration's JSON schema: " + text);
}

Status ConnectorInstance::StartIntegration() {
  const std::string& directory = spec_.type.integration;
  std::string context = IntegrationContext(spec_.connector.name, directory);
  Result<js::JsRealm::HandlerId> host = realm_->LoadIntegration(directory, limits_.timeout);
  if (!host.ok()) return host.TakeStatus().WithContext(context);
  host_ = *host;
  Result<Value> about = realm_->Call(*host_, "schema", {}, limits_.timeout);
  if (!about.ok()) return about.TakeStatus().WithContext(context);
  if (about->contains("json_schema") && (*about)["json_schema"].is_object()) {
    Status valid = ValidateJsonSchema(*realm_, (*about)["json_schema"], spec_.resolved_config);
    if (!valid.ok()) return valid.WithContext("connector '" + spec_.connector.name + "'");
  }
  Value options = Value::object();
  if (spec_.connector.options.contains("concurrency")) options["concurrency"] = spec_.connector.options["concurrency"];
  Result<Value> tables = realm_->Call(*host_, "describe", {spec_.resolved_config, false, options}, limits_.timeout);
  if (!tables.ok()) return tables.TakeStatus().WithContext(context + ": starting the plugin");
  spec_.entities = EntitiesOfTables(spec_.type.name, directory, *tables);
  // Table and column names come from the plugin: held to the rules of a
  // CREATE CONNECTOR ENTITY, since they become live and synced tables.
  for (const EntityDef& entity : spec_.entities) {
    Status name = CheckName(entity.name, "table");
    for (const auto& [field, spec] : entity.fields.items()) {
      if (name.ok()) name = CheckFieldName(field).WithContext("table '" + entity.name + "'");
    }
    if (!name.ok()) return name.WithContext(context);
  }
  return Status::Ok();
}

Result<Value> ConnectorInstance::InspectIntegration(js::JsRuntime& runtime, const std::string& directory,
                                                    js::ConsoleFunction console) {
  std::string context = IntegrationContext("", directory);
  js::RealmOptions options;
  options.transport = std::make_unique<CurlTransport>();
  options.console = std::move(console);
  Result<std::unique_ptr<js::JsRealm>> realm = js::JsRealm::Create(runtime, std::move(options));
  if (!realm.ok()) return realm.TakeStatus().WithContext(context);
  auto timeout = std::chrono::seconds(60);
  Result<js::JsRealm::HandlerId> host = (*realm)->LoadIntegration(directory, timeout);
  if (!host.ok()) return host.TakeStatus().WithContext(context);
  Result<Value> about = (*realm)->Call(*host, "schema", {}, timeout);
  if (!about.ok()) return about.TakeStatus().WithContext(context);
  // Listing the tables without a connection is the SDK's noConnection
  // mode: an integration with dynamic tables lists none until it connects.
  // A plugin that cannot list its tables so is not broken: they are listed
  // again, with a CONFIG, when a connector of the type starts.
  Result<Value> tables = (*realm)->Call(*host, "describe", {Value(), true, Value::object()}, timeout);
  Value result = std::move(about).value();
  result["tables"] = tables.ok() ? std::move(tables).value() : Value::array();
  if (!tables.ok()) result["tables_error"] = tables.status().message();
  result["config_schema"] = ConfigSchemaOf(result.value("json_schema", Value()));
  return result;
}

Status ConnectorInstance::ValidateIntegrationConfig(js::JsRuntime& runtime, const std::string& directory,
                                                    const Value& resolved_config, const TransportFactory& transport) {
  js::RealmOptions options;
  options.transport = transport ? transport() : nullptr;
  if (!options.transport) options.transport = std::make_unique<CurlTransport>();
  ASSIGN_OR_RETURN(std::unique_ptr<js::JsRealm> realm, js::JsRealm::Create(runtime, std::move(options)));
  ASSIGN_OR_RETURN(js::JsRealm::HandlerId host, realm->LoadIntegration(directory, std::chrono::seconds(60)));
  ASSIGN_OR_RETURN(Value about, realm->Call(host, "schema", {}, std::chrono::seconds(60)));
  if (!about.contains("json_schema") || !about["json_schema"].is_object()) return Status::Ok();
  return ValidateJsonSchema(*realm, about["json_schema"], resolved_config);
}

Result<js::JsRealm::HandlerId> ConnectorInstance::Handler(const std::string& key, const HandlerDef& handler) {
  auto found = handlers_.find(key);
  if (found != handlers_.end()) return found->second;
  ASSIGN_OR_RETURN(js::JsRealm::HandlerId id, realm_->LoadHandler(ToHandlerSource(handler)));
  handlers_.emplace(key, id);
  return id;
}

Result<Value> ConnectorInstance::Execute(const ActionDef& action, const Value& params) {
  std::string context = "connector '" + spec_.connector.name + "', action '" + action.name + "'" +
                        DefinedAt(action.handler);
  Result<js::JsRealm::HandlerId> handler = Handler("action:" + action.name, action.handler);
  if (!handler.ok()) return handler.TakeStatus().WithContext(context);
  if (!realm_->HasFunction(*handler, "execute")) {
    return Status(ErrorKind::kConnector, context + ": the handler defines no function execute(config, params)");
  }
  Result<Value> result = realm_->Call(*handler, "execute", {spec_.resolved_config, params}, limits_.timeout);
  if (!result.ok()) return result.TakeStatus().WithContext(context);
  return result;
}

namespace {

// A handler's row stream, with the connector and entity named on errors,
// and a warning when it read response bodies that were not valid UTF-8.
class HandlerRows : public RowSource {
 public:
  HandlerRows(std::unique_ptr<js::JsRealm::RowStream> stream, std::string context,
              const js::JsRealm& realm, uint64_t invalid_utf8_before,
              const js::ConsoleFunction& console)
      : stream_(std::move(stream)),
        context_(std::move(context)),
        realm_(realm),
        invalid_utf8_before_(invalid_utf8_before),
        console_(console) {}
  ~HandlerRows() override { WarnOfInvalidUtf8(); }

  Result<std::optional<Value>> Next() override {
    Result<std::optional<Value>> row = stream_->Next();
    if (!row.ok()) return row.TakeStatus().WithContext(context_);
    if (!*row) WarnOfInvalidUtf8();
    return row;
  }

 private:
  // Once per stream: the bytes were replaced by U+FFFD (as TextDecoder
  // does), which changes the data, so the user hears of it.
  void WarnOfInvalidUtf8() {
    if (warned_) return;
    warned_ = true;
    uint64_t count = realm_.invalid_utf8_count() - invalid_utf8_before_;
    if (count == 0) return;
    console_("warn", context_ + ": " + std::to_string(count) + " response bod" +
                         (count == 1 ? "y was" : "ies were") +
                         " not valid UTF-8; the invalid bytes were replaced by U+FFFD (OPTIONS "
                         "{\"invalid_utf8\": \"error\"} refuses them instead)");
  }

  std::unique_ptr<js::JsRealm::RowStream> stream_;
  std::string context_;
  const js::JsRealm& realm_;
  uint64_t invalid_utf8_before_;
  const js::ConsoleFunction& console_;
  bool warned_ = false;
};

}  // namespace

Result<std::unique_ptr<RowSource>> ConnectorInstance::ResolveTables(const Value& tables) {
  std::string context = "connector '" + spec_.connector.name + "'";
  if (!host_) return Status(ErrorKind::kInternal, context + " is not a table integration");
  uint64_t utf8_before = realm_->invalid_utf8_count();
  Result<std::unique_ptr<js::JsRealm::RowStream>> stream =
      realm_->StartRows(*host_, "pass", {tables}, limits_.timeout);
  if (!stream.ok()) return stream.TakeStatus().WithContext(context);
  return std::unique_ptr<RowSource>(std::make_unique<HandlerRows>(
      std::move(stream).value(), context, *realm_, utf8_before, console_));
}

Result<std::unique_ptr<RowSource>> ConnectorInstance::Scan(const EntityDef& entity, const ScanRequest& request) {
  const Value& filters = request.filters;
  const Value options = HandlerOptions(request);
  const Value& parent = request.parent;
  const std::vector<std::string>* only_fields = request.only_fields ? &*request.only_fields : nullptr;
  if (host_) {
    std::string context = "connector '" + spec_.connector.name + "', table '" + entity.name + "'";
    uint64_t utf8_before = realm_->invalid_utf8_count();
    Result<std::unique_ptr<js::JsRealm::RowStream>> stream =
        realm_->StartRows(*host_, "query", {Value(entity.name), filters, options}, limits_.timeout, only_fields);
    if (!stream.ok()) return stream.TakeStatus().WithContext(context);
    return std::unique_ptr<RowSource>(std::make_unique<HandlerRows>(
        std::move(stream).value(), context, *realm_, utf8_before, console_));
  }
  std::string context = "connector '" + spec_.connector.name + "', entity '" + entity.name + "'" +
                        DefinedAt(entity.handler);
  Result<js::JsRealm::HandlerId> handler = Handler("entity:" + entity.name, entity.handler);
  if (!handler.ok()) return handler.TakeStatus().WithContext(context);
  if (!realm_->HasFunction(*handler, "query")) {
    return Status(ErrorKind::kConnector,
                  context + ": the handler defines no function query(config, filters, options, parent)");
  }
  uint64_t utf8_before = realm_->invalid_utf8_count();
  Result<std::unique_ptr<js::JsRealm::RowStream>> stream =
      realm_->StartRows(*handler, "query", {spec_.resolved_config, filters, options, parent}, limits_.timeout,
                        only_fields);
  if (!stream.ok()) return stream.TakeStatus().WithContext(context);
  return std::unique_ptr<RowSource>(std::make_unique<HandlerRows>(
      std::move(stream).value(), context, *realm_, utf8_before, console_));
}

}  // namespace sluice
