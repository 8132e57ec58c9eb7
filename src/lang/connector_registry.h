// ConnectorRegistry: lang's adapter between the catalog and the
// SourceRegistry (source/source_registry.h), which does the work. It reads
// definitions from the workspace catalog, resolves CONFIG templates
// (catalog/templates.h), and turns what the registry answers into result
// sets.
//
// Ownership: borrows the Workspace and OutputSink.
// Thread-safety: one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/templates.h"
#include "catalog/workspace.h"
#include "lang/result.h"
#include "source/source_registry.h"

namespace sluice {

class ConnectorRegistry : public SourceDefinitions {
 public:
  ConnectorRegistry(Workspace& workspace, OutputSink& output);

  SourceRegistry& sources() { return sources_; }

  Result<Source*> Get(const std::string& connector) { return sources_.Get(connector); }
  Result<Value> Execute(const std::string& connector, const std::string& action, Value arguments) {
    return sources_.Execute(connector, action, std::move(arguments));
  }
  // TEST CONNECTOR, as rows (check, result, detail).
  Result<ResultSet> TestConnection(const std::string& connector);
  // HTTP diagnostics per connector run in this session ("" = all):
  // requests, retries, rate-limit waits, failures, bytes received.
  ResultSet Stats(const std::string& connector) const;
  Result<std::vector<EntityDef>> Entities(const std::string& connector) {
    return sources_.Entities(connector);
  }
  Result<Value> InspectIntegration(const std::string& directory) {
    return sources_.InspectIntegration(directory);
  }
  Result<Value> InspectPlugin(const std::string& location) {
    return sources_.InspectPlugin(location);
  }
  // CREATE/ALTER CONNECTOR of a type whose kind judges CONFIG itself (an
  // integration: its plugin's JSON schema), when its templates resolve now
  // (else the check waits for the connector's first use).
  Status CheckSourceConfig(const ConnectorDef& connector, const ConnectorTypeDef& type);
  // What the type's kind of source can do (SourceKind).
  bool ListsOwnEntities(const ConnectorTypeDef& type) const {
    return sources_.ListsOwnEntities(type);
  }
  bool ChecksOwnConfig(const ConnectorTypeDef& type) const {
    return sources_.ChecksOwnConfig(type);
  }

  Result<EntitySchema> Schema(const std::string& connector, const std::string& entity) {
    return sources_.Schema(connector, entity);
  }
  Result<std::unique_ptr<RowSource>> Scan(const std::string& connector, const std::string& entity,
                                          const ScanRequest& request) {
    return sources_.Scan(connector, entity, request);
  }
  std::unique_ptr<RowSource> ScanEachParent(const std::string& connector, const std::string& entity,
                                            const ScanRequest& request,
                                            std::unique_ptr<RowSource> parents) {
    return sources_.ScanEachParent(connector, entity, request, std::move(parents));
  }
  void SetCacheEnabled(bool enabled) { sources_.SetCacheEnabled(enabled); }
  void ClearCache() { sources_.ClearCache(); }
  void BeginStatement() { sources_.BeginStatement(); }
  void set_transport_factory(TransportFactory factory) {
    sources_.set_transport_factory(std::move(factory));
  }
  void Reset() { sources_.Reset(); }

  // A destination's CONFIG with {{secrets.x}} and {{env.X}} resolved;
  // errors name `owner`.
  Result<Value> ResolveDestinationConfig(const Value& config, const std::string& owner);

  // SourceDefinitions, over the catalog.
  Result<ConnectorSpec> Spec(const std::string& connector) override;
  Result<ConnectorTypeDef> TypeOf(const std::string& connector) override;
  Result<std::vector<EntityDef>> DeclaredEntities(const std::string& type,
                                                  bool definition_order) override;
  Result<EntityDef> DeclaredEntity(const std::string& type, const std::string& entity) override;
  Result<std::vector<std::string>> ConnectorNames() override;
  void Log(const std::string& line) override { output_.Log(line); }

 private:
  SecretLookup Secrets();

  Workspace& workspace_;
  OutputSink& output_;
  SourceRegistry sources_;  // last: it borrows this as its definitions
};

}  // namespace sluice
