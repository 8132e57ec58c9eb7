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
#include "source/entity_provider.h"

namespace sluice {

struct ConnectorSpec {
  ConnectorDef connector;
  ConnectorTypeDef type;
  std::vector<EntityDef> entities;
  std::vector<ActionDef> actions;
  Value resolved_config;  // CONFIG with {{secrets.x}} and {{env.X}} resolved
  // Changes whenever anything above changes: a CREATE OR REPLACE of the
  // connector, its type or a handler yields a new instance.
  std::string fingerprint;
};

// Connector OPTIONS the runtime applies.
struct ConnectorLimits {
  std::chrono::milliseconds timeout{60'000};
  int retry_count = 3;
  double rate_limit = 0;
  double rate_limit_burst = 0;
  std::chrono::seconds cache_ttl{0};  // 0: query results are not cached
  size_t max_response_bytes = 64u << 20;  // max_response_mb: a response body, decoded
  bool invalid_utf8_error = false;        // invalid_utf8: "replace" (counted) or "error"

  static ConnectorLimits FromOptions(const Value& options);
};

// Where HTTP goes: libcurl, or (for MOCK_API) a transport the caller makes.
using TransportFactory = std::function<std::unique_ptr<HttpTransport>()>;

class ConnectorInstance {
 public:
  static Result<std::unique_ptr<ConnectorInstance>> Create(js::JsRuntime& runtime, ConnectorSpec spec,
                                                           js::ConsoleFunction console,
                                                           const TransportFactory& transport = nullptr);

  const ConnectorSpec& spec() const { return spec_; }
  const ConnectorLimits& limits() const { return limits_; }
  const HttpStats& http_stats() const { return realm_->http_stats(); }

  // Runs the action's execute(config, params); `params` already checked
  // against its PARAMETERS.
  Result<Value> Execute(const ActionDef& action, const Value& params);
  // Runs the entity's query(config, filters, options, parent); its rows
  // are pulled from the source, and dropping the source stops the handler.
  // For a table integration, resolves the table (and the tables above it).
  // With `only_fields`, rows hold those fields only (EntityProvider::Scan).
  Result<std::unique_ptr<RowSource>> Query(const EntityDef& entity, const Value& filters,
                                           const Value& options, const Value& parent,
                                           const std::vector<std::string>* only_fields = nullptr);

  // A table integration (CONNECTOR TYPE … FROM INTEGRATION): its tables are
  // this instance's entities, listed by the plugin when it starts.
  bool is_integration() const { return host_.has_value(); }
  // Several tables of an integration resolved in one pass, as SYNC does:
  // `tables` is [{name, options}], and each row comes as {t: index, r: row},
  // or {t: index, error: {name, message, stack}} when that table failed.
  Result<std::unique_ptr<RowSource>> ResolveTables(const Value& tables);

  // What CREATE CONNECTOR TYPE … FROM INTEGRATION records: the plugin's
  // name, version and JSON schema, and its tables as listed without a
  // connection ({"name", "version", "json_schema", "tables": [...]}).
  static Result<Value> InspectIntegration(js::JsRuntime& runtime, const std::string& directory,
                                          js::ConsoleFunction console);
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
