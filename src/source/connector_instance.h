// ConnectorInstance: a declared connector made runnable — its realm, its
// HTTP policy, and its handlers, loaded on first use.
//
// Built from a ConnectorSpec (definitions plus the config with secrets
// resolved), it knows nothing of the catalog or SQLite. Handler errors come
// back naming the connector and the entity or action.
//
// Ownership: borrows the JsRuntime, which must outlive it.
// Thread-safety: the runtime's thread only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/definitions.h"
#include "core/status.h"
#include "js/js_realm.h"
#include "source/source.h"

namespace sluice {

class ConnectorInstance : public Source, public MultiTableScan {
 public:
  static Result<std::unique_ptr<ConnectorInstance>> Create(js::JsRuntime& runtime, ConnectorSpec spec,
                                                           js::ConsoleFunction console,
                                                           const TransportFactory& transport = nullptr);

  const ConnectorSpec& spec() const override { return spec_; }
  const ConnectorLimits& limits() const override { return limits_; }
  HttpStats http_stats() const override { return realm_->http_stats(); }

  // Runs the action's execute(config, params).
  Result<Value> Execute(const ActionDef& action, const Value& params) override;
  // Runs the entity's query(config, filters, options, parent), options as
  // HandlerOptions(request) makes them. For a table integration, resolves
  // the table (and the tables above it).
  Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity, const ScanRequest& request) override;

  // A table integration (CONNECTOR TYPE … FROM INTEGRATION) resolves
  // several tables in one pass; a declared connector cannot.
  MultiTableScan* multi_table() override { return host_ ? this : nullptr; }
  Result<std::unique_ptr<RowSource>> ResolveTables(const Value& tables) override;

  // What CREATE CONNECTOR TYPE … FROM INTEGRATION records: the plugin's
  // name, version and JSON schema, and its tables as listed without a
  // connection ({"name", "version", "json_schema", "tables": [...]}).
  static Result<Value> InspectIntegration(js::JsRuntime& runtime, const std::string& directory,
                                          js::ConsoleFunction console);
  // CREATE/ALTER CONNECTOR of an integration type: loads the integration
  // in a realm of its own and checks `resolved_config` against its JSON
  // schema (the caller names the connector).
  static Status ValidateIntegrationConfig(js::JsRuntime& runtime, const std::string& directory,
                                          const Value& resolved_config, const TransportFactory& transport);
  // Checks CONFIG against an integration's JSON schema (Debian's tv4 does
  // the validating); errors name each failing path.
  static Status ValidateJsonSchema(js::JsRealm& realm, const Value& schema, const Value& config);
  // Entities for an integration's tables, as describe() lists them.
  static std::vector<EntityDef> EntitiesOfTables(const std::string& type, const std::string& directory,
                                                 const Value& tables);

 private:
  ConnectorInstance(ConnectorSpec spec) : spec_(std::move(spec)) {}
  Result<js::JsRealm::HandlerId> Handler(const std::string& key, const HandlerDef& handler);
  Status StartIntegration();

  ConnectorSpec spec_;
  ConnectorLimits limits_;
  std::unique_ptr<js::JsRealm> realm_;
  js::ConsoleFunction console_;  // for warnings about what a handler read
  std::map<std::string, js::JsRealm::HandlerId> handlers_;  // "entity:items", "action:items.create"
  std::optional<js::JsRealm::HandlerId> host_;               // an integration's host (src/js/sdk/host.js)
};

// "myservice.items.js:1:1" → file "myservice.items.js", line 1, column 1.
js::HandlerSource ToHandlerSource(const HandlerDef& handler);

}  // namespace sluice
