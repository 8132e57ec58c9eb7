// ConnectorInstance: what both built-in kinds of source share — the
// connector's realm with its HTTP policy (retries, rate limit, timeouts),
// its handlers loaded on first use, and its actions. DeclaredSource and
// IntegrationSource add how an entity is scanned.
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
#include <string>
#include <vector>

#include "catalog/definitions.h"
#include "core/status.h"
#include "js/js_realm.h"
#include "source/source.h"

namespace sluice {

class ConnectorInstance : public Source {
 public:
  const ConnectorSpec& spec() const override { return spec_; }
  const ConnectorLimits& limits() const override { return limits_; }
  HttpStats http_stats() const override { return realm_->http_stats(); }

  // Runs the action's execute(config, params).
  Result<Value> Execute(const ActionDef& action, const Value& params) override;

 protected:
  explicit ConnectorInstance(ConnectorSpec spec) : spec_(std::move(spec)) {}
  // Makes the realm, its HTTP under the connector's OPTIONS.
  Status StartRealm(js::JsRuntime& runtime, js::ConsoleFunction console, const TransportFactory& transport);
  Result<js::JsRealm::HandlerId> Handler(const std::string& key, const HandlerDef& handler);
  // `function` of a loaded handler as a row stream; errors name `context`.
  Result<std::unique_ptr<RowSource>> StartRows(js::JsRealm::HandlerId handler, const char* function,
                                               std::vector<Value> args,
                                               const std::vector<std::string>* only_fields,
                                               const std::string& context);

  ConnectorSpec spec_;
  ConnectorLimits limits_;
  std::unique_ptr<js::JsRealm> realm_;
  js::ConsoleFunction console_;  // for warnings about what a handler read
  std::map<std::string, js::JsRealm::HandlerId> handlers_;  // "entity:items", "action:items.create"
};

// "myservice.items.js:1:1" → file "myservice.items.js", line 1, column 1.
js::HandlerSource ToHandlerSource(const HandlerDef& handler);

// " (handler items.js, defined at connector.sql:16:1)" for handlers kept in
// files; empty for inline ones.
std::string DefinedAt(const HandlerDef& handler);

}  // namespace sluice
