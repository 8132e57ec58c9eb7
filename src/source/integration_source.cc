#include "source/integration_source.h"

#include <fstream>
#include <set>
#include <sstream>

#include "catalog/config_schema.h"
#include "core/credential.h"
#include "core/identifier.h"
#include "net/curl_transport.h"

namespace sluice {
namespace {

std::string IntegrationContext(const std::string& connector, const std::string& directory) {
  return (connector.empty() ? std::string("integration ")
                            : "connector '" + connector + "' (integration ") +
         directory + (connector.empty() ? "" : ")");
}

// CONFIG keys of the JSON schema, and which look like credentials: those
// must be stored as {{secrets.x}} or {{env.X}}, never as literals.
Value ConfigSchemaOf(const Value& json_schema) {
  Value schema = Value::object();
  if (!json_schema.is_object() || !json_schema.contains("properties") ||
      !json_schema["properties"].is_object()) {
    return schema;
  }
  std::set<std::string> required;
  if (json_schema.contains("required") && json_schema["required"].is_array()) {
    for (const Value& name : json_schema["required"]) {
      if (name.is_string()) required.insert(name.get<std::string>());
    }
  }
  for (const auto& [key, property] : json_schema["properties"].items()) {
    Value spec = Value::object();
    if (property.is_object()) {
      static const std::set<std::string> kTypes = {"string",  "integer", "number",
                                                   "boolean", "object",  "array"};
      if (property.contains("type") && property["type"].is_string() &&
          kTypes.count(property["type"].get<std::string>())) {
        spec["type"] = property["type"];
      }
      if (property.contains("description") && property["description"].is_string()) {
        spec["description"] = property["description"];
      }
      bool secret = LooksLikeCredentialName(key) || property.value("writeOnly", false) ||
                    property.value("format", "") == "password" ||
                    property.value("x-cq-auth", false);
      if (secret && spec.value("type", "string") == "string") spec["secret"] = true;
    }
    if (required.count(key)) spec["required"] = true;
    schema[key] = spec;
  }
  return schema;
}

}  // namespace

Value IntegrationSource::ConfigSchemaOfJsonSchema(const Value& json_schema) {
  return ConfigSchemaOf(json_schema);
}

Result<std::unique_ptr<IntegrationSource>> IntegrationSource::Create(
    js::JsRuntime& runtime, ConnectorSpec spec, js::ConsoleFunction console,
    const TransportFactory& transport) {
  std::unique_ptr<IntegrationSource> source(new IntegrationSource(std::move(spec)));
  RETURN_IF_ERROR(source->StartRealm(runtime, std::move(console), transport));
  RETURN_IF_ERROR(source->Start());
  return source;
}

Result<IntegrationSource::Loaded> IntegrationSource::Load(js::JsRealm& realm,
                                                          const std::string& directory,
                                                          std::chrono::milliseconds timeout) {
  Loaded loaded;
  ASSIGN_OR_RETURN(loaded.host, realm.LoadIntegration(directory, timeout));
  ASSIGN_OR_RETURN(loaded.about, realm.Call(loaded.host, "schema", {}, timeout));
  return loaded;
}

Status IntegrationSource::CheckConfig(js::JsRealm& realm, const Value& about, const Value& config) {
  if (!about.contains("json_schema") || !about["json_schema"].is_object()) return Status::Ok();
  return ValidateJsonSchema(realm, about["json_schema"], config);
}

std::vector<EntityDef> IntegrationSource::EntitiesOfTables(const std::string& type,
                                                           const std::string& directory,
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

Status IntegrationSource::ValidateJsonSchema(js::JsRealm& realm, const Value& schema,
                                             const Value& config) {
  std::ifstream in(SLUICE_TV4_PATH);
  if (!in) {
    return Status(ErrorKind::kInternal,
                  std::string("cannot read ") + SLUICE_TV4_PATH +
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
                "  for (const ref of result.missing) errors.push(`the schema refers to ${ref}, "
                "which it does not define`);\n"
                "  return errors;\n"
                "}";
  ASSIGN_OR_RETURN(js::JsRealm::HandlerId validator, realm.LoadHandler(source));
  ASSIGN_OR_RETURN(Value errors,
                   realm.Call(validator, "execute", {config, schema}, std::chrono::seconds(10)));
  if (!errors.is_array() || errors.empty()) return Status::Ok();
  std::string text;
  for (const Value& error : errors) text += (text.empty() ? "" : "; ") + error.get<std::string>();
  return Status(ErrorKind::kInvalidArgument,
                "CONFIG does not match the integration's JSON schema: " + text);
}

Status IntegrationSource::Start() {
  const std::string& directory = spec_.type.integration;
  std::string context = IntegrationContext(spec_.connector.name, directory);
  Result<Loaded> loaded = Load(*realm_, directory, limits_.timeout);
  if (!loaded.ok()) return loaded.TakeStatus().WithContext(context);
  host_ = loaded->host;
  Status valid = CheckConfig(*realm_, loaded->about, spec_.resolved_config);
  if (!valid.ok()) return valid.WithContext("connector '" + spec_.connector.name + "'");
  Value options = Value::object();
  if (spec_.connector.options.contains("concurrency"))
    options["concurrency"] = spec_.connector.options["concurrency"];
  Result<Value> tables =
      realm_->Call(host_, "describe", {spec_.resolved_config, false, options}, limits_.timeout);
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

Result<Value> IntegrationSource::InspectIntegration(js::JsRuntime& runtime,
                                                    const std::string& directory,
                                                    js::ConsoleFunction console) {
  std::string context = IntegrationContext("", directory);
  js::RealmOptions options;
  options.transport = std::make_unique<CurlTransport>();
  options.console = std::move(console);
  Result<std::unique_ptr<js::JsRealm>> realm = js::JsRealm::Create(runtime, std::move(options));
  if (!realm.ok()) return realm.TakeStatus().WithContext(context);
  auto timeout = std::chrono::seconds(60);
  Result<Loaded> loaded = Load(**realm, directory, timeout);
  if (!loaded.ok()) return loaded.TakeStatus().WithContext(context);
  // Listing the tables without a connection is the SDK's noConnection
  // mode: an integration with dynamic tables lists none until it connects.
  // A plugin that cannot list its tables so is not broken: they are listed
  // again, with a CONFIG, when a connector of the type starts.
  Result<Value> tables =
      (*realm)->Call(loaded->host, "describe", {Value(), true, Value::object()}, timeout);
  Value result = std::move(loaded->about);
  result["tables"] = tables.ok() ? std::move(tables).value() : Value::array();
  if (!tables.ok()) result["tables_error"] = tables.status().message();
  result["config_schema"] = ConfigSchemaOf(result.value("json_schema", Value()));
  return result;
}

Status IntegrationSource::ValidateIntegrationConfig(js::JsRuntime& runtime,
                                                    const std::string& directory,
                                                    const Value& resolved_config,
                                                    const TransportFactory& transport) {
  js::RealmOptions options;
  options.transport = transport ? transport() : nullptr;
  if (!options.transport) options.transport = std::make_unique<CurlTransport>();
  ASSIGN_OR_RETURN(std::unique_ptr<js::JsRealm> realm,
                   js::JsRealm::Create(runtime, std::move(options)));
  // The caller names the connector.
  ASSIGN_OR_RETURN(Loaded loaded, Load(*realm, directory, std::chrono::seconds(60)));
  return CheckConfig(*realm, loaded.about, resolved_config);
}

Result<std::unique_ptr<RowSource>> IntegrationSource::ResolveTables(const Value& tables) {
  return StartRows(host_, "pass", {tables}, nullptr, "connector '" + spec_.connector.name + "'");
}

Result<std::unique_ptr<RowSource>> IntegrationSource::Scan(const EntityDef& entity,
                                                           const ScanRequest& request) {
  return StartRows(host_, "query", {Value(entity.name), request.filters, HandlerOptions(request)},
                   request.only_fields ? &*request.only_fields : nullptr,
                   "connector '" + spec_.connector.name + "', table '" + entity.name + "'");
}

Result<std::optional<std::vector<Partition>>> IntegrationSource::Partitions(
    const EntityDef& entity) {
  using Listed = std::optional<std::vector<Partition>>;
  if (!entity.parent.empty()) return Listed();
  std::string context = "connector '" + spec_.connector.name + "', table '" + entity.name + "'";
  Result<Value> ids = realm_->Call(host_, "partitions", {Value(entity.name)}, limits_.timeout);
  if (!ids.ok())
    return ids.TakeStatus().WithContext(context + ": listing its multiplexer's clients");
  if (!ids->is_array())
    return Status(ErrorKind::kInternal, context + ": the host listed no clients");
  if (ids->size() <= 1) return Listed();
  std::vector<Partition> partitions;
  for (const Value& id : *ids) {
    if (!id.is_string())
      return Status(ErrorKind::kInternal,
                    context + ": the host listed a client id that is no string");
    partitions.push_back(Partition{id.get<std::string>(), Value{{"client", id}}});
  }
  return Listed(std::move(partitions));
}

}  // namespace sluice
