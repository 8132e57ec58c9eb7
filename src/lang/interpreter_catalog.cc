#include "lang/interpreter_catalog.h"

#include "lang/interpreter_package.h"
#include "lang/package_installer.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "catalog/config_schema.h"
#include "catalog/sync_runs.h"
#include "core/credential.h"
#include "dest/destination_registry.h"
#include "source/integration_source.h"
#include "source/plugin_source.h"

namespace sluice {
namespace {

std::pair<std::string, std::string> SplitFirstDot(const std::string& name) {
  size_t dot = name.find('.');
  return {name.substr(0, dot), dot == std::string::npos ? "" : name.substr(dot + 1)};
}

ResultSet Properties(std::string title, std::vector<std::pair<std::string, Value>> rows) {
  ResultSet result;
  result.title = std::move(title);
  result.columns = {"property", "value"};
  for (auto& [key, value] : rows) result.rows.push_back({Value(key), std::move(value)});
  return result;
}

Value OrNull(const std::string& text) { return text.empty() ? Value() : Value(text); }

Value Attribute(const Value& spec, const char* key) {
  return spec.is_object() && spec.contains(key) ? spec[key] : Value();
}

bool Flag(const Value& spec, const char* key) {
  Value v = Attribute(spec, key);
  return v.is_boolean() && v.get<bool>();
}

// A "{{secrets.x}}" / "{{env.X}}" template or ENV('X'): names a secret, holds none.
bool IsReference(const ast::Expr& expr) {
  if (auto* literal = std::get_if<ast::LiteralExpr>(&expr.node)) {
    if (!literal->value.is_string()) return false;
    const std::string& text = literal->value.get_ref<const std::string&>();
    return text.starts_with("{{") && text.ends_with("}}") && text.find("{{", 2) == std::string::npos;
  }
  auto* call = std::get_if<ast::CallExpr>(&expr.node);
  return call && call->name == "ENV";
}

// Where a CONFIG is, for an error about it: the source as written, except
// that the values of secret keys read '***', so the line the error quotes
// cannot show the credential a check has just refused.
SourceLocation ConfigLocation(const ast::Expr& config, const std::function<bool(const std::string&)>& secret) {
  SourceLocation at = config.span.begin;
  auto* object = std::get_if<ast::ObjectExpr>(&config.node);
  if (!at.file || !object) return at;
  std::vector<std::pair<uint32_t, uint32_t>> values;
  for (const auto& [key, expr] : object->entries) {
    if (!secret(key) || expr->span.begin.file != at.file || IsReference(*expr)) continue;
    values.emplace_back(expr->span.begin.offset, expr->span.end_offset);
  }
  if (values.empty()) return at;
  std::string text = at.file->text;
  // From the end, so earlier offsets stay valid; all lie after `at`.
  std::sort(values.rbegin(), values.rend());
  for (auto [begin, end] : values) {
    if (begin >= at.offset && begin < end && end <= text.size()) text.replace(begin, end - begin, "'***'");
  }
  at.file = std::make_shared<SourceFile>(SourceFile{at.file->name, std::move(text)});
  return at;
}

SourceLocation ConfigLocation(const Value& config_schema, const ast::Expr& config) {
  return ConfigLocation(config, [&](const std::string& key) {
    return Flag(Attribute(config_schema, key.c_str()), "secret");
  });
}

// The rows of a CONFIG_SCHEMA or PARAMETERS object.
ResultSet SchemaRows(std::string title, const Value& schema) {
  ResultSet result;
  result.title = std::move(title);
  result.columns = {"name", "type", "required", "default", "secret", "description"};
  for (const auto& [key, spec] : schema.items()) {
    result.rows.push_back({Value(key), Attribute(spec, "type"), Value(Flag(spec, "required")),
                           Attribute(spec, "default"), Value(Flag(spec, "secret")),
                           Attribute(spec, "description")});
  }
  return result;
}

bool IsTemplate(const Value& value) {
  return value.is_string() && value.get_ref<const std::string&>().find("{{") != std::string::npos;
}

// A destination's CONFIG entry that holds a credential: by its key's name,
// or a connection string with a password in it.
bool IsCredentialEntry(const std::string& key, const Value& value) {
  return LooksLikeCredentialName(key) || (value.is_string() && HoldsPassword(value.get_ref<const std::string&>()));
}

}  // namespace

Result<Value> CatalogStatements::EvalObject(const ast::ExprPtr& expr, const char* clause) {
  if (!expr) return Value::object();
  ASSIGN_OR_RETURN(Value value, in_.Eval(*expr));
  if (!value.is_object()) {
    return Status(ErrorKind::kType, std::string(clause) + " must be an object {…}, got " +
                                        ValueTypeName(value))
        .At(expr->span.begin);
  }
  return value;
}

Result<HandlerDef> CatalogStatements::LoadHandler(const ast::HandlerCode& code,
                                                  const ast::Statement& statement) {
  HandlerDef handler;
  if (!code.file) {
    handler.code = code.code;
    handler.origin = code.origin.ToString();
  } else {
    // FILE paths are relative to the script that names them.
    std::filesystem::path path(*code.file);
    const auto& source = statement.span.begin.file;
    if (path.is_relative() && source && !source->name.empty() && source->name.front() != '<') {
      path = std::filesystem::path(source->name).parent_path() / path;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Status(ErrorKind::kIo, "cannot read handler file '" + path.string() + "'")
          .At(code.origin);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    handler.code = buffer.str();
    handler.file = path.lexically_normal().string();
    handler.origin = handler.file + ":1:1";
  }
  handler.defined_at = statement.span.begin.ToString();
  if (handler.code.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status(ErrorKind::kInvalidArgument, "handler code is empty").At(code.origin);
  }
  return handler;
}

// CREATE CONNECTOR TYPE 'x' FROM INTEGRATION 'dir': the plugin is loaded
// once, without a connection, for its version, its CONFIG keys (from its
// JSON schema) and its static tables, which become the type's entities.
// Its tables are listed again, with the connector's CONFIG, whenever a
// connector of the type starts: dynamic tables exist only then.
Status CatalogStatements::CreateIntegrationType(const ast::CreateConnectorTypeStmt& s) {
  if (s.config_schema) {
    return Status(ErrorKind::kInvalidArgument,
                  "an integration's CONFIG is described by its plugin (newPlugin's jsonSchema option): "
                  "CONFIG_SCHEMA does not apply")
        .At(s.config_schema->span.begin);
  }
  std::filesystem::path path(*s.integration);
  const auto& source = s.name.span.begin.file;
  if (path.is_relative() && source && !source->name.empty() && source->name.front() != '<') {
    path = std::filesystem::path(source->name).parent_path() / path;
  }
  std::error_code error;
  std::filesystem::path directory = std::filesystem::canonical(path, error);
  if (error || !std::filesystem::is_directory(directory)) {
    return Status(ErrorKind::kNotFound, "integration directory '" + path.string() + "' does not exist")
        .At(s.name.span.begin);
  }
  Result<Value> about = in_.connectors_.InspectIntegration(directory.string());
  if (!about.ok()) return about.TakeStatus().WithContext("connector type '" + s.name.text + "'").At(s.name.span.begin);
  ConnectorTypeDef def;
  def.name = s.name.text;
  def.integration = directory.string();
  def.kind = "integration";
  def.version = s.version.value_or(about->value("version", ""));
  def.description = s.description.value_or("CloudQuery plugin " + about->value("name", "") +
                                            (def.version.empty() ? "" : " " + def.version));
  def.config_schema = about->value("config_schema", Value::object());
  Catalog& catalog = in_.workspace_.catalog();
  Status put = catalog.PutConnectorType(def, s.or_replace);
  if (!put.ok()) return put.At(s.name.span.begin);
  // A replaced integration may have dropped tables.
  ASSIGN_OR_RETURN(std::vector<EntityDef> old, catalog.ListEntities(def.name));
  for (const EntityDef& entity : old) RETURN_IF_ERROR(catalog.DropEntity(def.name, entity.name));
  for (EntityDef& entity : IntegrationSource::EntitiesOfTables(def.name, def.integration, (*about)["tables"])) {
    entity.handler.defined_at = s.name.span.begin.ToString();
    for (const auto& [field, spec] : entity.fields.items()) {
      Status name = CheckFieldName(field);
      if (!name.ok())
        return name.WithContext("integration table '" + entity.name + "'").At(s.name.span.begin);
    }
    RETURN_IF_ERROR(catalog.PutEntity(entity, true));
  }
  if (about->contains("tables_error")) {
    in_.output_.Log("connector type '" + def.name + "': the plugin lists no tables without a CONFIG (" +
                    (*about)["tables_error"].get<std::string>() + "); a connector lists them when it starts");
  }
  return Status::Ok();
}

// CREATE CONNECTOR TYPE 'x' FROM PLUGIN 'host:port' | 'unix:/path' | LOCAL
// 'exe': a CloudQuery source plugin, asked (as `cloudquery tables` asks,
// without a connection) for its name, version, spec schema and tables. Its
// location and spec schema are stored in the type; connectors of it dial
// the plugin, or start their own process of a local one.
Status CatalogStatements::CreatePluginType(const ast::CreateConnectorTypeStmt& s) {
  if (s.config_schema) {
    return Status(ErrorKind::kInvalidArgument,
                  "a plugin's CONFIG is described by its spec schema (GetSpecSchema): "
                  "CONFIG_SCHEMA does not apply")
        .At(s.config_schema->span.begin);
  }
  PluginLocation location;
  if (s.plugin_local) {
    std::filesystem::path path(*s.plugin);
    const auto& source = s.name.span.begin.file;
    if (path.is_relative() && source && !source->name.empty() && source->name.front() != '<') {
      path = std::filesystem::path(source->name).parent_path() / path;
    }
    std::error_code error;
    std::filesystem::path executable = std::filesystem::absolute(path, error).lexically_normal();
    if (error || !std::filesystem::exists(executable, error)) {
      return Status(ErrorKind::kNotFound,
                    "plugin executable '" + path.string() + "' does not exist")
          .At(s.name.span.begin);
    }
    location.executable = executable.string();
  } else {
    location.target = *s.plugin;
  }
  Result<Value> about = in_.connectors_.InspectPlugin(location.Store());
  if (!about.ok())
    return about.TakeStatus()
        .WithContext("connector type '" + s.name.text + "'")
        .At(s.name.span.begin);
  location.json_schema = about->value("json_schema", Value());
  ConnectorTypeDef def;
  def.name = s.name.text;
  def.integration = location.Store();
  def.kind = "plugin";
  def.version = s.version.value_or(about->value("version", ""));
  def.description = s.description.value_or("CloudQuery plugin " + about->value("name", "") +
                                           (def.version.empty() ? "" : " " + def.version));
  def.config_schema = about->value("config_schema", Value::object());
  Catalog& catalog = in_.workspace_.catalog();
  Status put = catalog.PutConnectorType(def, s.or_replace);
  if (!put.ok()) return put.At(s.name.span.begin);
  // A replaced plugin may have dropped tables.
  ASSIGN_OR_RETURN(std::vector<EntityDef> old, catalog.ListEntities(def.name));
  for (const EntityDef& entity : old) RETURN_IF_ERROR(catalog.DropEntity(def.name, entity.name));
  for (EntityDef& entity :
       PluginSource::EntitiesOfTables(def.name, location.Label(), (*about)["tables"])) {
    entity.handler.defined_at = s.name.span.begin.ToString();
    RETURN_IF_ERROR(catalog.PutEntity(entity, true));
  }
  if (about->contains("tables_error")) {
    in_.output_.Log(
        "connector type '" + def.name + "': the plugin lists no tables without a connection (" +
        (*about)["tables_error"].get<std::string>() + "); a connector lists them when it starts");
  }
  return Status::Ok();
}

Status CatalogStatements::CreateConnectorType(const ast::CreateConnectorTypeStmt& s) {
  if (s.integration) return CreateIntegrationType(s);
  if (s.plugin) return CreatePluginType(s);
  ConnectorTypeDef def;
  def.name = s.name.text;
  def.description = s.description.value_or("");
  def.version = s.version.value_or("");
  ASSIGN_OR_RETURN(def.config_schema, EvalObject(s.config_schema, "CONFIG_SCHEMA"));
  Status valid = ValidateConfigSchema(def.config_schema);
  if (!valid.ok()) return valid.WithContext("CONFIG_SCHEMA").At(s.config_schema->span.begin);
  Status put = in_.workspace_.catalog().PutConnectorType(def, s.or_replace);
  return put.At(s.name.span.begin);
}

Status CatalogStatements::CreateEntity(const ast::CreateEntityStmt& s, const ast::Statement& statement) {
  EntityDef def;
  std::tie(def.type, def.name) = SplitFirstDot(s.name.text);
  def.description = s.description.value_or("");
  ASSIGN_OR_RETURN(def.fields, EvalObject(s.fields, "FIELDS"));
  std::string context = "entity '" + s.name.text + "'";
  Status valid = ValidateFields(def.fields);
  if (!valid.ok()) return valid.WithContext(context).At(s.fields->span.begin);
  if (s.cursor) {
    if (!def.fields.contains(*s.cursor)) {
      return Status(ErrorKind::kInvalidArgument,
                    context + ": CURSOR '" + *s.cursor + "' is not one of its FIELDS");
    }
    def.cursor = *s.cursor;
  }
  if (s.parent) {
    auto [parent_type, parent_entity] = SplitFirstDot(s.parent->text);
    if (parent_type != def.type || parent_entity.empty()) {
      return Status(ErrorKind::kInvalidArgument,
                    context + ": PARENT must be an entity of the same type ('" + def.type + ".…')")
          .At(s.parent->span.begin);
    }
    def.parent = parent_entity;
  }
  def.applies_offset = s.applies_offset;
  ASSIGN_OR_RETURN(def.handler, LoadHandler(s.handler, statement));
  Status put = in_.workspace_.catalog().PutEntity(def, s.or_replace);
  return put.At(s.name.span.begin);
}

Status CatalogStatements::CreateAction(const ast::CreateActionStmt& s, const ast::Statement& statement) {
  ActionDef def;
  std::tie(def.type, def.name) = SplitFirstDot(s.name.text);
  def.description = s.description.value_or("");
  ASSIGN_OR_RETURN(def.parameters, EvalObject(s.parameters, "PARAMETERS"));
  Status valid = ValidateConfigSchema(def.parameters);
  if (!valid.ok()) {
    return valid.WithContext("action '" + s.name.text + "' PARAMETERS").At(s.parameters->span.begin);
  }
  ASSIGN_OR_RETURN(def.handler, LoadHandler(s.handler, statement));
  Status put = in_.workspace_.catalog().PutAction(def, s.or_replace);
  return put.At(s.name.span.begin);
}

// A secret key written as ENV('NAME') is stored as the template {{env.NAME}},
// so the value is read when a handler runs and never lands in the catalog.
Status CatalogStatements::CheckSecretFieldsNotLiteral(const ConnectorTypeDef& type,
                                                      const ast::ExprPtr& config, Value& evaluated) {
  auto* object = config ? std::get_if<ast::ObjectExpr>(&config->node) : nullptr;
  if (!object) return Status::Ok();
  for (const auto& [key, expr] : object->entries) {
    if (!Flag(Attribute(type.config_schema, key.c_str()), "secret")) continue;
    auto* call = std::get_if<ast::CallExpr>(&expr->node);
    if (!call || call->name != "ENV" || call->args.size() != 1) continue;
    auto* literal = std::get_if<ast::LiteralExpr>(&call->args[0]->node);
    if (literal && literal->value.is_string()) {
      const std::string& name = literal->value.get<std::string>();
      // In a test, missing credentials skip it, as ENV() anywhere else does.
      if (in_.in_test_ && std::getenv(name.c_str()) == nullptr) {
        return Status(ErrorKind::kSkipped, "ENV('" + name + "') is not set").At(call->args[0]->span.begin);
      }
      evaluated[key] = "{{env." + name + "}}";
    }
  }
  return Status::Ok();
}

// An integration's CONFIG: credential-like keys hold templates, never
// literals (outside tests); the rest is the plugin's JSON schema's to judge.
Status CatalogStatements::ValidateIntegrationConfig(const ConnectorTypeDef& type, const ConnectorDef& connector) {
  if (!connector.config.is_object()) return Status(ErrorKind::kType, "CONFIG must be an object");
  for (const auto& [key, spec] : type.config_schema.items()) {
    if (!spec.is_object() || !spec.value("secret", false) || !connector.config.contains(key)) continue;
    const Value& value = connector.config[key];
    bool templated = value.is_string() && value.get_ref<const std::string&>().find("{{") != std::string::npos;
    if (!templated && !in_.in_test_) {
      return Status(ErrorKind::kInvalidArgument,
                    "config key '" + key + "' is a credential: store it with CREATE SECRET and write "
                    "\"{{secrets.NAME}}\" (or ENV('NAME')), not the literal value");
    }
  }
  return in_.connectors_.CheckSourceConfig(connector, type);
}

Status CatalogStatements::CreateConnector(const ast::CreateConnectorStmt& s) {
  Catalog& catalog = in_.workspace_.catalog();
  Result<ConnectorTypeDef> type = catalog.GetConnectorType(s.type.text);
  if (!type.ok()) return type.TakeStatus().At(s.type.span.begin);
  ConnectorDef def;
  def.name = s.name.text;
  def.type = s.type.text;
  ASSIGN_OR_RETURN(def.config, EvalObject(s.config, "CONFIG"));
  RETURN_IF_ERROR(CheckSecretFieldsNotLiteral(*type, s.config, def.config));
  SecretStore& secrets = in_.workspace_.secrets();
  Status valid = !in_.connectors_.ChecksOwnConfig(*type)
                     ? ValidateConfig(type->config_schema, def.config,
                                      [&](const std::string& name) { return secrets.Exists(name); },
                                      in_.in_test_ ? SecretLiterals::kAllow : SecretLiterals::kRefuse)
                     : ValidateIntegrationConfig(*type, def);
  if (!valid.ok()) {
    valid.WithContext("connector '" + def.name + "'");
    if (s.config) valid.At(ConfigLocation(type->config_schema, *s.config));
    return valid;
  }
  ASSIGN_OR_RETURN(def.options, EvalObject(s.options, "OPTIONS"));
  Status options_valid = ValidateOptions(def.options);
  if (!options_valid.ok()) {
    return options_valid.WithContext("connector '" + def.name + "' OPTIONS").At(s.options->span.begin);
  }
  Status put = catalog.PutConnector(def, s.or_replace);
  return put.At(s.name.span.begin);
}

Status CatalogStatements::AlterConnector(const ast::AlterConnectorStmt& s) {
  Catalog& catalog = in_.workspace_.catalog();
  Result<ConnectorDef> found = catalog.GetConnector(s.name.text);
  if (!found.ok()) return found.TakeStatus().At(s.name.span.begin);
  ConnectorDef def = std::move(found).value();
  switch (s.action) {
    case ast::AlterAction::kEnable: def.enabled = true; break;
    case ast::AlterAction::kDisable: def.enabled = false; break;
    case ast::AlterAction::kSetOptions: {
      ASSIGN_OR_RETURN(Value patch, EvalObject(s.value, "OPTIONS"));
      def.options.update(patch);
      Status valid = ValidateOptions(def.options);
      if (!valid.ok()) return valid.WithContext("connector '" + def.name + "' OPTIONS").At(s.value->span.begin);
      break;
    }
    case ast::AlterAction::kSetConfig: {
      ASSIGN_OR_RETURN(ConnectorTypeDef type, catalog.GetConnectorType(def.type));
      ASSIGN_OR_RETURN(Value patch, EvalObject(s.value, "CONFIG"));
      RETURN_IF_ERROR(CheckSecretFieldsNotLiteral(type, s.value, patch));
      def.config.update(patch);
      SecretStore& secrets = in_.workspace_.secrets();
      Status valid = !in_.connectors_.ChecksOwnConfig(type)
                         ? ValidateConfig(type.config_schema, def.config,
                                          [&](const std::string& name) { return secrets.Exists(name); },
                                          in_.in_test_ ? SecretLiterals::kAllow : SecretLiterals::kRefuse)
                         : ValidateIntegrationConfig(type, def);
      if (!valid.ok()) {
        return valid.WithContext("connector '" + def.name + "'").At(ConfigLocation(type.config_schema, *s.value));
      }
      break;
    }
  }
  return catalog.UpdateConnector(def);
}

Status CatalogStatements::Register(const ast::RegisterTypeStmt& s) {
  Catalog& catalog = in_.workspace_.catalog();
  Result<ConnectorTypeDef> type = catalog.GetConnectorType(s.type.text);
  if (!type.ok()) return type.TakeStatus().At(s.type.span.begin);
  ASSIGN_OR_RETURN(std::vector<EntityDef> entities, catalog.ListEntities(s.type.text));
  ASSIGN_OR_RETURN(std::vector<ActionDef> actions, catalog.ListActions(s.type.text));
  std::string context = "cannot register connector type '" + s.type.text + "'";
  if (entities.empty() && actions.empty()) {
    return Status(ErrorKind::kInvalidArgument, context + ": it has no entities and no actions");
  }
  std::set<std::string> entity_names;
  for (const EntityDef& entity : entities) entity_names.insert(entity.name);
  for (const EntityDef& entity : entities) {
    if (entity.fields.empty()) {
      return Status(ErrorKind::kInvalidArgument, context + ": entity '" + entity.name + "' has no fields");
    }
    if (!entity.parent.empty() && !entity_names.count(entity.parent)) {
      return Status(ErrorKind::kInvalidArgument, context + ": entity '" + entity.name +
                                                     "' names parent '" + entity.parent +
                                                     "', which does not exist");
    }
  }
  for (const ActionDef& action : actions) {
    auto [entity, verb] = SplitFirstDot(action.name);
    if (!verb.empty() && !entity_names.count(entity)) {
      return Status(ErrorKind::kInvalidArgument, context + ": action '" + action.name +
                                                     "' belongs to entity '" + entity +
                                                     "', which does not exist");
    }
  }
  return catalog.SetRegistered(s.type.text, true);
}

Status CatalogStatements::CreateSecret(const ast::CreateSecretStmt& s) {
  std::string value, source;
  if (s.env) {
    const char* from_env = std::getenv(s.env->c_str());
    if (!from_env) {
      return Status(ErrorKind::kNotFound, "environment variable '" + *s.env + "' is not set");
    }
    value = from_env;
    source = "env:" + *s.env;
  } else {
    ASSIGN_OR_RETURN(Value evaluated, in_.Eval(*s.value));
    if (!evaluated.is_string()) {
      return Status(ErrorKind::kType, std::string("secret value must be a string, got ") +
                                          ValueTypeName(evaluated))
          .At(s.value->span.begin);
    }
    value = evaluated.get<std::string>();
    source = "value";
  }
  Status put = in_.workspace_.secrets().Put(s.name.text, value, source, s.or_replace);
  return put.At(s.name.span.begin);
}

Status CatalogStatements::CreateDestination(const ast::CreateDestinationStmt& s) {
  const DestinationRegistry& types = DestinationRegistry::Builtin();
  if (!types.Find(s.type.text)) {
    return Status(ErrorKind::kInvalidArgument,
                  "unknown destination type '" + s.type.text + "' (expected " + types.QuotedNames() + ")")
        .At(s.type.span.begin);
  }
  DestinationDef def;
  def.name = s.name.text;
  def.type = s.type.text;
  ASSIGN_OR_RETURN(def.config, EvalObject(s.config, "CONFIG"));
  for (const auto& [key, value] : def.config.items()) {
    if (IsCredentialEntry(key, value) && value.is_string() && !IsTemplate(value)) {
      return Status(ErrorKind::kInvalidArgument,
                    "destination config key '" + key + "' holds a credential: store it with CREATE "
                    "SECRET name VALUE '…' and write \"{{secrets.name}}\" here")
          .At(ConfigLocation(*s.config, [&](const std::string& entry) {
            return def.config.contains(entry) && IsCredentialEntry(entry, def.config[entry]);
          }));
    }
  }
  // A cloudquery destination's `spec` is an object whose entries are the
  // plugin's settings: the same rule one level down.
  for (const auto& [key, value] : def.config.items()) {
    if (!value.is_object()) continue;
    for (const auto& [inner, inner_value] : value.items()) {
      if (IsCredentialEntry(inner, inner_value) && inner_value.is_string() && !IsTemplate(inner_value)) {
        return Status(ErrorKind::kInvalidArgument,
                      "destination config key '" + key + "." + inner +
                          "' holds a credential: store it with CREATE SECRET name VALUE '…' and write "
                          "\"{{secrets.name}}\" here")
            .At(s.config ? s.config->span.begin : s.name.span.begin);
      }
    }
  }
  if (const DestinationType* type = types.Find(def.type); type->check) {
    Status checked = type->check(def.name, def.config);
    if (!checked.ok()) return checked.At(s.config ? s.config->span.begin : s.type.span.begin);
  }
  Status put = in_.workspace_.catalog().PutDestination(def, s.or_replace);
  return put.At(s.name.span.begin);
}

Status CatalogStatements::Drop(const ast::DropStmt& s) {
  Catalog& catalog = in_.workspace_.catalog();
  const std::string& name = s.name.text;
  Status status;
  switch (s.kind) {
    case ast::ObjectKind::kConnectorType: {
      // An installed type takes its package record and its sluice.lock
      // entry with it: the lock must not pin what is not installed.
      Result<std::optional<InstalledPackage>> record = in_.workspace_.packages().GetPackage(name);
      if (!record.ok()) return record.TakeStatus().At(s.name.span.begin);
      {
        Result<Transaction> tx = Transaction::Begin(in_.workspace_.db());
        if (!tx.ok()) return tx.TakeStatus().At(s.name.span.begin);
        status = catalog.DropConnectorType(name);
        if (status.ok() && *record) status = in_.workspace_.packages().DropPackage(name);
        if (status.ok()) status = tx->Commit();
      }
      if (status.ok() && *record) {
        Status forgotten = ForgetLockedPackage(LockPathFor(in_.workspace_.path()), name);
        if (!forgotten.ok()) {
          return forgotten
              .WithContext("connector type '" + name +
                           "' is dropped, but sluice.lock still pins it")
              .At(s.name.span.begin);
        }
      }
      break;
    }
    case ast::ObjectKind::kEntity: {
      auto [type, entity] = SplitFirstDot(name);
      status = catalog.DropEntity(type, entity);
      break;
    }
    case ast::ObjectKind::kAction: {
      auto [type, action] = SplitFirstDot(name);
      status = catalog.DropAction(type, action);
      break;
    }
    case ast::ObjectKind::kConnector: status = catalog.DropConnector(name); break;
    case ast::ObjectKind::kSecret: status = in_.workspace_.secrets().Drop(name); break;
    case ast::ObjectKind::kDestination: status = catalog.DropDestination(name); break;
    case ast::ObjectKind::kRegistry: return PackageStatements(in_).DropRegistry(name, s.if_exists);
  }
  if (s.if_exists && !status.ok() && status.kind() == ErrorKind::kNotFound) return Status::Ok();
  if (!status.ok()) status.At(s.name.span.begin);
  return status;
}

Status CatalogStatements::Show(const ast::ShowStmt& s) {
  Catalog& catalog = in_.workspace_.catalog();
  ResultSet result;
  // ENTITIES/ACTIONS FOR a connector list its type's.
  std::string type_filter;
  std::string connector_filter;
  if (s.for_name) {
    type_filter = s.for_name->text;
    if (Result<ConnectorDef> connector = catalog.GetConnector(type_filter); connector.ok()) {
      connector_filter = type_filter;
      type_filter = connector->type;
    } else if (s.what != ast::ShowWhat::kSyncRuns && s.what != ast::ShowWhat::kConnectorStats) {
      Result<ConnectorTypeDef> type = catalog.GetConnectorType(type_filter);
      if (!type.ok()) {
        return Status(ErrorKind::kNotFound, "no connector or connector type named '" + type_filter + "'")
            .At(s.for_name->span.begin);
      }
    }
  }
  switch (s.what) {
    case ast::ShowWhat::kConnectorTypes: {
      ASSIGN_OR_RETURN(auto types, catalog.ListConnectorTypes());
      // The package columns come last so scripts reading the first ones by
      // position keep working; NULL for a type not installed from a package.
      result.columns = {"name",        "version",    "entities", "actions",         "registered",
                        "description", "constraint", "registry", "update_available"};
      PackageStatements packages(in_);
      for (const ConnectorTypeDef& type : types) {
        ASSIGN_OR_RETURN(auto entities, catalog.ListEntities(type.name));
        ASSIGN_OR_RETURN(auto actions, catalog.ListActions(type.name));
        ASSIGN_OR_RETURN(std::optional<InstalledPackage> package, in_.workspace_.packages().GetPackage(type.name));
        std::vector<Value> row{Value(type.name),
                               OrNull(type.version),
                               Value(static_cast<int64_t>(entities.size())),
                               Value(static_cast<int64_t>(actions.size())),
                               Value(type.registered),
                               OrNull(type.description)};
        if (package) {
          row.push_back(OrNull(package->constraint));
          row.push_back(OrNull(package->registry.empty() ? package->registry_url : package->registry));
          row.push_back(OrNull(packages.UpdateAvailable(*package)));
        } else {
          row.insert(row.end(), 3, Value());
        }
        result.rows.push_back(std::move(row));
      }
      break;
    }
    case ast::ShowWhat::kConnectors: {
      ASSIGN_OR_RETURN(auto connectors, catalog.ListConnectors());
      result.columns = {"name", "type", "enabled", "created_at"};
      for (const ConnectorDef& c : connectors) {
        result.rows.push_back({Value(c.name), Value(c.type), Value(c.enabled), Value(c.created_at)});
      }
      break;
    }
    case ast::ShowWhat::kEntities: {
      // FOR a connector: the tables it has, which for an integration with
      // dynamic tables only the running connector knows.
      ASSIGN_OR_RETURN(auto entities, connector_filter.empty()
                                          ? catalog.ListEntities(type_filter)
                                          : in_.connectors_.Entities(connector_filter));
      if (connector_filter.empty()) RETURN_IF_ERROR(AddDynamicTables(type_filter, entities));
      result.columns = {"type", "entity", "fields", "cursor", "parent", "description"};
      for (const EntityDef& e : entities) {
        result.rows.push_back({Value(e.type), Value(e.name), Value(static_cast<int64_t>(e.fields.size())),
                               OrNull(e.cursor), OrNull(e.parent), OrNull(e.description)});
      }
      break;
    }
    case ast::ShowWhat::kActions: {
      ASSIGN_OR_RETURN(auto actions, catalog.ListActions(type_filter));
      result.columns = {"type", "action", "parameters", "description"};
      for (const ActionDef& a : actions) {
        std::string parameters;
        for (const auto& item : a.parameters.items()) {
          parameters += (parameters.empty() ? "" : ", ") + item.key();
        }
        result.rows.push_back({Value(a.type), Value(a.name), Value(parameters), OrNull(a.description)});
      }
      break;
    }
    case ast::ShowWhat::kSecrets: {
      ASSIGN_OR_RETURN(auto secrets, in_.workspace_.secrets().List());
      result.columns = {"name", "source", "created_at"};
      for (const SecretInfo& secret : secrets) {
        result.rows.push_back({Value(secret.name), Value(secret.source), Value(secret.created_at)});
      }
      break;
    }
    case ast::ShowWhat::kDestinations: {
      ASSIGN_OR_RETURN(auto destinations, catalog.ListDestinations());
      result.columns = {"name", "type", "created_at"};
      for (const DestinationDef& d : destinations) {
        result.rows.push_back({Value(d.name), Value(d.type), Value(d.created_at)});
      }
      break;
    }
    case ast::ShowWhat::kConnectorStats:
      result = in_.connectors_.Stats(s.for_name ? s.for_name->text : "");
      break;
    case ast::ShowWhat::kPackages:
      return PackageStatements(in_).ShowPackages();
    case ast::ShowWhat::kRegistries:
      return PackageStatements(in_).ShowRegistries();
    case ast::ShowWhat::kSyncRuns: {
      ASSIGN_OR_RETURN(SyncRunRows runs,
                       SyncRuns(in_.workspace_.db()).List(s.for_name ? s.for_name->text : std::string()));
      result.columns = std::move(runs.columns);
      result.rows = std::move(runs.rows);
      break;
    }
    case ast::ShowWhat::kSyncUnits: {
      ASSIGN_OR_RETURN(result, in_.ShowSyncUnits(s));
      break;
    }
  }
  in_.output_.Emit(result);
  return Status::Ok();
}

Status CatalogStatements::Describe(const ast::DescribeStmt& s) {
  Status status;
  switch (s.kind) {
    case ast::ObjectKind::kConnectorType: status = DescribeType(s.name.text); break;
    case ast::ObjectKind::kEntity: status = DescribeEntity(s.name.text); break;
    case ast::ObjectKind::kAction: status = DescribeAction(s.name.text); break;
    case ast::ObjectKind::kConnector: status = DescribeConnector(s.name.text); break;
    case ast::ObjectKind::kDestination: status = DescribeDestination(s.name.text); break;
    case ast::ObjectKind::kRegistry: status = PackageStatements(in_).DescribeRegistry(s.name.text); break;
    case ast::ObjectKind::kSecret:
      status = Status(ErrorKind::kInvalidArgument, "secrets cannot be described");
      break;
  }
  if (!status.ok()) status.At(s.name.span.begin);
  return status;
}

Status CatalogStatements::DescribeType(const std::string& name) {
  Catalog& catalog = in_.workspace_.catalog();
  ASSIGN_OR_RETURN(ConnectorTypeDef type, catalog.GetConnectorType(name));
  in_.output_.Emit(Properties("connector type '" + name + "'",
                              {{"name", Value(type.name)},
                               {"description", OrNull(type.description)},
                               {"version", OrNull(type.version)},
                               {"kind", Value(type.kind)},
                               {"registered", Value(type.registered)},
                               {"created_at", Value(type.created_at)},
                               {"updated_at", Value(type.updated_at)}}));
  in_.output_.Emit(SchemaRows("config schema", type.config_schema));
  ASSIGN_OR_RETURN(auto entities, catalog.ListEntities(name));
  ResultSet entity_rows;
  entity_rows.title = "entities";
  entity_rows.columns = {"entity", "fields", "cursor", "parent", "description"};
  for (const EntityDef& e : entities) {
    entity_rows.rows.push_back({Value(e.name), Value(static_cast<int64_t>(e.fields.size())),
                                OrNull(e.cursor), OrNull(e.parent), OrNull(e.description)});
  }
  in_.output_.Emit(entity_rows);
  ASSIGN_OR_RETURN(auto actions, catalog.ListActions(name));
  ResultSet action_rows;
  action_rows.title = "actions";
  action_rows.columns = {"action", "parameters", "description"};
  for (const ActionDef& a : actions) {
    action_rows.rows.push_back({Value(a.name), Value(static_cast<int64_t>(a.parameters.size())),
                                OrNull(a.description)});
  }
  in_.output_.Emit(action_rows);
  return Status::Ok();
}

// Tables an integration's connectors list when they start (dynamic tables)
// and its type does not store: SHOW ENTITIES would miss them otherwise. A
// connector that cannot start is said so, without failing the listing.
Status CatalogStatements::AddDynamicTables(const std::string& type_filter,
                                           std::vector<EntityDef>& entities) {
  Catalog& catalog = in_.workspace_.catalog();
  ASSIGN_OR_RETURN(std::vector<ConnectorDef> connectors, catalog.ListConnectors());
  std::set<std::string> listed;
  for (const EntityDef& e : entities) listed.insert(e.type + "." + e.name);
  for (const ConnectorDef& connector : connectors) {
    if (!type_filter.empty() && connector.type != type_filter) continue;
    Result<ConnectorTypeDef> type = catalog.GetConnectorType(connector.type);
    if (!type.ok() || !in_.connectors_.ListsOwnEntities(*type) || !connector.enabled) continue;
    // A type that stored its tables lists them without a connection.
    ASSIGN_OR_RETURN(std::vector<EntityDef> stored, catalog.ListEntities(type->name));
    if (!stored.empty()) continue;
    Result<std::vector<EntityDef>> tables = in_.connectors_.Entities(connector.name);
    if (!tables.ok()) {
      in_.output_.Log("connector '" + connector.name +
                      "': its tables cannot be listed: " + tables.status().message());
      continue;
    }
    for (EntityDef& table : *tables) {
      if (listed.insert(table.type + "." + table.name).second) entities.push_back(std::move(table));
    }
  }
  std::stable_sort(entities.begin(), entities.end(),
                   [](const EntityDef& a, const EntityDef& b) { return a.type < b.type; });
  return Status::Ok();
}

// An integration's dynamic tables are the running connector's, not the
// catalog's: 'connector.table', or 'type.table' for a connector of the type.
Result<EntityDef> CatalogStatements::FindEntity(const std::string& type, const std::string& name) {
  Catalog& catalog = in_.workspace_.catalog();
  Result<EntityDef> stored = catalog.GetEntity(type, name);
  if (stored.ok() || stored.status().kind() != ErrorKind::kNotFound) return stored;
  std::vector<std::string> connectors;
  if (catalog.GetConnector(type).ok()) connectors.push_back(type);
  Result<ConnectorTypeDef> def = catalog.GetConnectorType(type);
  if (def.ok() && in_.connectors_.ListsOwnEntities(*def)) {
    ASSIGN_OR_RETURN(std::vector<ConnectorDef> all, catalog.ListConnectors());
    for (const ConnectorDef& connector : all) {
      if (connector.type == type) connectors.push_back(connector.name);
    }
  }
  for (const std::string& connector : connectors) {
    Result<ConnectorDef> found = catalog.GetConnector(connector);
    if (!found.ok()) continue;
    Result<ConnectorTypeDef> of = catalog.GetConnectorType(found->type);
    if (!of.ok() || !in_.connectors_.ListsOwnEntities(*of)) continue;
    ASSIGN_OR_RETURN(std::vector<EntityDef> tables, in_.connectors_.Entities(connector));
    for (EntityDef& table : tables) {
      if (table.name == name) return std::move(table);
    }
  }
  return stored;
}

Status CatalogStatements::DescribeEntity(const std::string& name) {
  auto [type, entity_name] = SplitFirstDot(name);
  ASSIGN_OR_RETURN(EntityDef entity, FindEntity(type, entity_name));
  in_.output_.Emit(Properties(
      "entity '" + name + "'",
      {{"type", Value(entity.type)},
       {"entity", Value(entity.name)},
       {"description", OrNull(entity.description)},
       {"cursor", OrNull(entity.cursor)},
       {"parent", OrNull(entity.parent)},
       {"handler", Value(entity.handler.origin)},
       {"offset", Value(entity.applies_offset ? "declared PUSHDOWN OFFSET; applied by SQLite"
                                              : "applied by SQLite")},
       {"defined_at", OrNull(entity.handler.defined_at)}}));
  ResultSet fields;
  fields.title = "fields";
  fields.columns = {"field",      "type",     "primary_key", "required",
                    "filterable", "sortable", "description"};
  for (const auto& [field, spec] : entity.fields.items()) {
    fields.rows.push_back({Value(field), Attribute(spec, "type"), Value(Flag(spec, "primary_key")),
                           Value(Flag(spec, "required")), Value(Flag(spec, "filterable")),
                           Value(Flag(spec, "sortable")), Attribute(spec, "description")});
  }
  in_.output_.Emit(fields);
  return Status::Ok();
}

Status CatalogStatements::DescribeAction(const std::string& name) {
  auto [type, action_name] = SplitFirstDot(name);
  ASSIGN_OR_RETURN(ActionDef action, in_.workspace_.catalog().GetAction(type, action_name));
  in_.output_.Emit(Properties("action '" + name + "'",
                              {{"type", Value(action.type)},
                               {"action", Value(action.name)},
                               {"description", OrNull(action.description)},
                               {"handler", Value(action.handler.origin)},
                               {"defined_at", OrNull(action.handler.defined_at)}}));
  in_.output_.Emit(SchemaRows("parameters", action.parameters));
  return Status::Ok();
}

Status CatalogStatements::DescribeConnector(const std::string& name) {
  Catalog& catalog = in_.workspace_.catalog();
  ASSIGN_OR_RETURN(ConnectorDef connector, catalog.GetConnector(name));
  ASSIGN_OR_RETURN(ConnectorTypeDef type, catalog.GetConnectorType(connector.type));
  in_.output_.Emit(Properties("connector '" + name + "'",
                              {{"name", Value(connector.name)},
                               {"type", Value(connector.type)},
                               {"enabled", Value(connector.enabled)},
                               {"created_at", Value(connector.created_at)},
                               {"updated_at", Value(connector.updated_at)}}));
  ResultSet config;
  config.title = "config";
  config.columns = {"key", "value"};
  for (const auto& [key, value] : connector.config.items()) {
    bool secret = Flag(Attribute(type.config_schema, key.c_str()), "secret");
    // Templates name a secret; only a resolved value would be sensitive.
    config.rows.push_back({Value(key), secret && !IsTemplate(value) ? Value("***") : value});
  }
  in_.output_.Emit(config);
  ResultSet options;
  options.title = "options";
  options.columns = {"option", "value"};
  for (const auto& [key, value] : connector.options.items()) options.rows.push_back({Value(key), value});
  in_.output_.Emit(options);
  return Status::Ok();
}

Status CatalogStatements::DescribeDestination(const std::string& name) {
  ASSIGN_OR_RETURN(DestinationDef destination, in_.workspace_.catalog().GetDestination(name));
  in_.output_.Emit(Properties("destination '" + name + "'",
                              {{"name", Value(destination.name)},
                               {"type", Value(destination.type)},
                               {"created_at", Value(destination.created_at)}}));
  ResultSet config;
  config.title = "config";
  config.columns = {"key", "value"};
  for (const auto& [key, value] : destination.config.items()) {
    config.rows.push_back({Value(key), LooksLikeCredentialName(key) && !IsTemplate(value) ? Value("***") : value});
  }
  in_.output_.Emit(config);
  return Status::Ok();
}

}  // namespace sluice
