#include "lang/connector_registry.h"

#include <functional>

#include "catalog/templates.h"

namespace sluice {

ConnectorRegistry::ConnectorRegistry(Workspace& workspace, OutputSink& output)
    : workspace_(workspace), output_(output), sources_(*this) {}

SecretLookup ConnectorRegistry::Secrets() {
  SecretStore& secrets = workspace_.secrets();
  return [&secrets](const std::string& name) { return secrets.Get(name); };
}

Result<Value> ConnectorRegistry::ResolveDestinationConfig(const Value& config,
                                                          const std::string& owner) {
  return sluice::ResolveDestinationConfig(config, owner, Secrets());
}

Result<ConnectorSpec> ConnectorRegistry::Spec(const std::string& name) {
  Catalog& catalog = workspace_.catalog();
  ConnectorSpec spec;
  ASSIGN_OR_RETURN(spec.connector, catalog.GetConnector(name));
  if (!spec.connector.enabled) {
    return Status(ErrorKind::kInvalidArgument,
                  "connector '" + name + "' is disabled (ALTER CONNECTOR " + name + " ENABLE)");
  }
  ASSIGN_OR_RETURN(spec.type, catalog.GetConnectorType(spec.connector.type));
  ASSIGN_OR_RETURN(spec.entities, catalog.ListEntities(spec.type.name));
  ASSIGN_OR_RETURN(spec.actions, catalog.ListActions(spec.type.name));
  Result<Value> config =
      ResolveConnectorConfig(spec.connector.config, spec.type.config_schema, Secrets());
  if (!config.ok()) return config.TakeStatus().WithContext("connector '" + name + "'");
  spec.resolved_config = std::move(config).value();
  std::string identity = spec.connector.config.dump() + spec.connector.options.dump() +
                         spec.connector.updated_at + spec.type.updated_at +
                         spec.resolved_config.dump();
  for (const EntityDef& entity : spec.entities)
    identity += entity.name + entity.handler.code + entity.fields.dump();
  for (const ActionDef& action : spec.actions) identity += action.name + action.handler.code;
  spec.fingerprint = std::to_string(std::hash<std::string>{}(identity));
  return spec;
}

Result<ConnectorTypeDef> ConnectorRegistry::TypeOf(const std::string& connector) {
  ASSIGN_OR_RETURN(ConnectorDef def, workspace_.catalog().GetConnector(connector));
  return workspace_.catalog().GetConnectorType(def.type);
}

Result<std::vector<EntityDef>> ConnectorRegistry::DeclaredEntities(const std::string& type,
                                                                   bool definition_order) {
  if (definition_order)
    return workspace_.catalog().ListEntities(type, Catalog::EntityOrder::kDefinition);
  return workspace_.catalog().ListEntities(type);
}

Result<EntityDef> ConnectorRegistry::DeclaredEntity(const std::string& type,
                                                    const std::string& entity) {
  return workspace_.catalog().GetEntity(type, entity);
}

Result<std::vector<std::string>> ConnectorRegistry::ConnectorNames() {
  ASSIGN_OR_RETURN(std::vector<ConnectorDef> connectors, workspace_.catalog().ListConnectors());
  std::vector<std::string> names;
  for (const ConnectorDef& connector : connectors) names.push_back(connector.name);
  return names;
}

Status ConnectorRegistry::CheckSourceConfig(const ConnectorDef& connector,
                                            const ConnectorTypeDef& type) {
  Result<Value> config = ResolveConnectorConfig(connector.config, type.config_schema, Secrets());
  if (!config.ok())
    return Status::Ok();  // e.g. ENV not set here: checked when the connector starts
  return sources_.CheckConfig(type, *config);
}

Result<ResultSet> ConnectorRegistry::TestConnection(const std::string& connector) {
  ASSIGN_OR_RETURN(std::vector<ConnectionCheck> checks, sources_.TestConnection(connector));
  ResultSet result;
  result.columns = {"check", "result", "detail"};
  for (const ConnectionCheck& check : checks) {
    result.rows.push_back({Value(check.check), Value(check.result), Value(check.detail)});
  }
  return result;
}

ResultSet ConnectorRegistry::Stats(const std::string& connector) const {
  ResultSet result;
  result.columns = {"connector", "requests",       "retries",   "rate_limit_waits",
                    "failures",  "bytes_received", "cache_hits"};
  auto n = [](uint64_t v) { return Value(static_cast<int64_t>(v)); };
  for (const SourceStats& stats : sources_.Stats(connector)) {
    result.rows.push_back({Value(stats.connector), n(stats.http.requests), n(stats.http.retries),
                           n(stats.http.rate_limit_waits), n(stats.http.failures),
                           n(stats.http.bytes_received), n(stats.cache_hits)});
  }
  return result;
}

}  // namespace sluice
