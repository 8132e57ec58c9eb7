// ConnectorRegistry: the session's running connectors. It reads definitions
// from the catalog, resolves CONFIG templates ({{secrets.x}} from the secret
// store, {{env.X}} from the environment), and keeps one ConnectorInstance
// (one JavaScript realm) per connector for as long as its definitions stay
// the same — so handler module state persists across calls, and a
// CREATE OR REPLACE of the connector, its type or a handler starts afresh.
//
// The JavaScript runtime is created on first use, so sessions that never
// run a handler never pay for it.
//
// Ownership: borrows the Workspace and OutputSink.
// Thread-safety: one thread.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <memory>
#include <string>

#include "catalog/workspace.h"
#include "lang/result.h"
#include "source/connector_instance.h"

namespace sluice {

class ConnectorRegistry : public EntityProvider {
 public:
  ConnectorRegistry(Workspace& workspace, OutputSink& output);
  ~ConnectorRegistry();

  // The running instance of `connector`, (re)built if its definitions changed.
  Result<ConnectorInstance*> Get(const std::string& connector);

  // CONNECTOR_EXEC: checks the arguments against PARAMETERS and runs the
  // action. `action` is "entity.action" or "action".
  Result<Value> Execute(const std::string& connector, const std::string& action, Value arguments);

  // TEST CONNECTOR: config resolves, one request through the first entity's
  // handler succeeds. Returns the checks made, as rows (check, result, detail).
  Result<ResultSet> TestConnection(const std::string& connector);

  // HTTP diagnostics per connector run in this session ("" = all):
  // requests, retries, rate-limit waits, failures, bytes received.
  ResultSet Stats(const std::string& connector) const;

  // The connector's entities: its type's, or for a table integration the
  // tables its plugin lists for this connector's CONFIG (dynamic tables
  // differ per connector), which starts the connector.
  Result<std::vector<EntityDef>> Entities(const std::string& connector);
  // CREATE CONNECTOR TYPE … FROM INTEGRATION: loads the integration once,
  // without a connection (ConnectorInstance::InspectIntegration).
  Result<Value> InspectIntegration(const std::string& directory);
  // CREATE/ALTER CONNECTOR of an integration type: CONFIG against the
  // plugin's JSON schema, when its templates resolve now (else the check
  // waits for the connector's first use).
  Status ValidateIntegrationConfig(const ConnectorDef& connector, const ConnectorTypeDef& type);

  // EntityProvider: what SQL over connector entities needs.
  Result<EntitySchema> Schema(const std::string& connector, const std::string& entity) override;
  Result<std::unique_ptr<RowSource>> Scan(const std::string& connector, const std::string& entity,
                                          const Value& filters, const Value& options, const Value& parent,
                                          const std::vector<std::string>* only_fields = nullptr) override;
  // A child entity's rows from parent rows the caller already has (a sync
  // that reads its parent once feeds them here): the handler is called once
  // per parent row.
  std::unique_ptr<RowSource> ScanEachParent(const std::string& connector, const std::string& entity,
                                            const Value& filters, const Value& options,
                                            std::unique_ptr<RowSource> parents);

  // The query cache (OPTIONS.cache_ttl): a scan whose filters include a
  // cached, complete scan's filters is answered from its rows (SQLite
  // re-checks every row, so stricter queries are answered correctly).
  void SetCacheEnabled(bool enabled) { cache_enabled_ = enabled; }
  void ClearCache() { cache_.clear(); }
  // A statement starts: a child's rows fetched for a parent row are reused
  // within one statement (a join that meets the same parent again), never
  // across statements.
  void BeginStatement() {
    statement_cache_.clear();
    checked_this_statement_.clear();
  }

  // A destination's CONFIG with {{secrets.x}} and {{env.X}} resolved;
  // errors name `owner`.
  Result<Value> ResolveDestinationConfig(const Value& config, const std::string& owner);

  // Options a sync adds to every scan of connector.entity while it runs
  // (options.cursor, options.order_by); such scans bypass the query cache.
  void SetSyncOptions(const std::string& connector, const std::string& entity, Value options) {
    sync_options_[connector + "." + entity] = std::move(options);
  }
  void ClearSyncOptions() { sync_options_.clear(); }

  // Where HTTP goes (tests install a mock transport).
  void set_transport_factory(TransportFactory factory) { transport_factory_ = std::move(factory); }
  // Forgets every instance (their realms and module state).
  void Reset() { instances_.clear(); }

 private:
  Result<ConnectorSpec> BuildSpec(const std::string& connector);
  Result<Value> ResolveConfig(const ConnectorDef& connector, const ConnectorTypeDef& type);
  Result<js::JsRuntime*> Runtime();

  Workspace& workspace_;
  OutputSink& output_;
  std::shared_ptr<js::JsRuntime> runtime_;  // this thread's, shared
  std::map<std::string, std::unique_ptr<ConnectorInstance>> instances_;
  TransportFactory transport_factory_;

  struct CachedScan {
    std::string connector;
    std::string entity;
    Value filters;
    std::vector<Value> rows;
    std::chrono::steady_clock::time_point expires;
  };
  friend class RecordingRows;
  friend class EachParentRows;
  const CachedScan* FindCached(const std::string& connector, const std::string& entity, const Value& filters);
  std::vector<CachedScan> cache_;
  std::map<std::string, std::vector<Value>> statement_cache_;  // child scans by call
  // Connectors whose definitions were read (and secrets decrypted) in this
  // statement: a child scan per parent row must not repeat that work.
  std::set<std::string> checked_this_statement_;
  bool cache_enabled_ = true;
  std::map<std::string, Value> sync_options_;  // "connector.entity" → options merged into its scans
  std::map<std::string, uint64_t> cache_hits_;
};

}  // namespace sluice
