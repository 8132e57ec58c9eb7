// IntegrationSource: a connector of a table integration (CONNECTOR TYPE …
// FROM INTEGRATION): the package loaded into the connector's realm, CONFIG
// checked against the plugin's JSON schema, and the tables the plugin lists
// for that CONFIG as its entities. It can resolve several tables in one
// pass (MultiTableScan), as SYNC does.
//
// The bootstrap — a realm with the package loaded and its schema() read —
// is written once (Load) and serves starting a connector, inspecting a
// package for CREATE CONNECTOR TYPE, and checking a connector's CONFIG.
//
// Ownership: borrows the JsRuntime, which must outlive it.
// Thread-safety: the runtime's thread only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "source/connector_instance.h"

namespace sluice {

class IntegrationSource : public ConnectorInstance, public MultiTableScan, public Partitioner {
 public:
  static Result<std::unique_ptr<IntegrationSource>> Create(
      js::JsRuntime& runtime, ConnectorSpec spec, js::ConsoleFunction console,
      const TransportFactory& transport = nullptr);

  // Resolves the table (and the tables above it) through the plugin's host.
  Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity,
                                          const ScanRequest& request) override;
  MultiTableScan* multi_table() override { return this; }
  Result<std::unique_ptr<RowSource>> ResolveTables(const Value& tables) override;
  // A table's partitions are the multiplexer clients of its top-level
  // table (a relation's rows come from its ancestors' clients), listed by
  // running the plugin's sync() without resolving anything
  // (src/js/sdk/host.js partitions()); the spec is {"client": id}. One
  // client or none: not partitioned.
  Partitioner* partitioner() override { return this; }
  Result<std::optional<std::vector<Partition>>> Partitions(const EntityDef& entity) override;

  // What CREATE CONNECTOR TYPE … FROM INTEGRATION records: the plugin's
  // name, version and JSON schema, and its tables as listed without a
  // connection ({"name", "version", "json_schema", "tables": [...]}).
  static Result<Value> InspectIntegration(js::JsRuntime& runtime, const std::string& directory,
                                          js::ConsoleFunction console);
  // CREATE/ALTER CONNECTOR of an integration type: loads the integration
  // in a realm of its own and checks `resolved_config` against its JSON
  // schema (the caller names the connector).
  static Status ValidateIntegrationConfig(js::JsRuntime& runtime, const std::string& directory,
                                          const Value& resolved_config,
                                          const TransportFactory& transport);
  // Checks CONFIG against an integration's JSON schema (Debian's tv4 does
  // the validating); errors name each failing path.
  static Status ValidateJsonSchema(js::JsRealm& realm, const Value& schema, const Value& config);
  // A plugin's JSON schema as a CONFIG_SCHEMA: its keys, their types, and
  // which are credentials (stored as {{secrets.x}}, never literally).
  static Value ConfigSchemaOfJsonSchema(const Value& json_schema);
  // Entities for an integration's tables, as describe() lists them.
  static std::vector<EntityDef> EntitiesOfTables(const std::string& type,
                                                 const std::string& directory, const Value& tables);

 private:
  using ConnectorInstance::ConnectorInstance;
  // The package loaded into `realm`, and what its schema() says.
  struct Loaded {
    js::JsRealm::HandlerId host;
    Value about;
  };
  static Result<Loaded> Load(js::JsRealm& realm, const std::string& directory,
                             std::chrono::milliseconds timeout);
  // CONFIG against the JSON schema `about` carries, if it carries one.
  static Status CheckConfig(js::JsRealm& realm, const Value& about, const Value& config);
  Status Start();

  js::JsRealm::HandlerId host_{};  // the integration's host (src/js/sdk/host.js)
};

}  // namespace sluice
