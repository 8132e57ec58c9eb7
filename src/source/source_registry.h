// SourceRegistry: the session's running sources. It keeps one Source per
// connector for as long as its definitions stay the same (their
// fingerprint) — so handler module state persists across calls, and a
// CREATE OR REPLACE of the connector, its type or a handler starts afresh —
// and owns what sits between SQL and the sources: the query cache
// (OPTIONS.cache_ttl), the per-statement cache of child scans, and the
// per-parent fan-out of child entities.
//
// Kinds of source are a table (SourceKind: name → factory); "declared" and
// "integration" are registered by the constructor, and a new kind is one
// class plus one RegisterKind.
//
// It knows nothing of SQLite or the catalog's storage: definitions (with
// CONFIG resolved) come through SourceDefinitions, which lang/ implements
// over the catalog.
//
// The JavaScript runtime is created on first use, so sessions that never
// run a handler never pay for it.
//
// Ownership: borrows the SourceDefinitions.
// Thread-safety: one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "source/entity_provider.h"
#include "source/source.h"

namespace sluice {

// Where a SourceRegistry reads definitions.
class SourceDefinitions {
 public:
  virtual ~SourceDefinitions() = default;
  // The connector's definitions with CONFIG resolved and a fingerprint
  // (errors name the connector; a disabled connector is an error).
  virtual Result<ConnectorSpec> Spec(const std::string& connector) = 0;
  // The connector's type, without resolving anything.
  virtual Result<ConnectorTypeDef> TypeOf(const std::string& connector) = 0;
  // Entities the catalog holds for a type: by name, or in the order they
  // were defined.
  virtual Result<std::vector<EntityDef>> DeclaredEntities(const std::string& type,
                                                          bool definition_order) = 0;
  virtual Result<EntityDef> DeclaredEntity(const std::string& type, const std::string& entity) = 0;
  virtual Result<std::vector<std::string>> ConnectorNames() = 0;
  // A line for the user (a handler's console output).
  virtual void Log(const std::string& line) = 0;
};

// TEST CONNECTOR's checks, one per row.
struct ConnectionCheck {
  std::string check;
  std::string result;
  std::string detail;
};

// HTTP diagnostics of one running connector.
struct SourceStats {
  std::string connector;
  HttpStats http;
  uint64_t cache_hits = 0;
};

class SourceRegistry : public EntityProvider {
 public:
  explicit SourceRegistry(SourceDefinitions& definitions);
  ~SourceRegistry() override;

  // The kind table.
  void RegisterKind(SourceKind kind);
  const SourceKind* FindKind(const std::string& name) const;
  // The kind a type's sources are (an error names an unknown one).
  Result<const SourceKind*> KindOf(const ConnectorTypeDef& type) const;

  // The running source of `connector`, (re)built if its definitions changed.
  Result<Source*> Get(const std::string& connector);

  // CONNECTOR_EXEC: checks the arguments against PARAMETERS and runs the
  // action. `action` is "entity.action" or "action".
  Result<Value> Execute(const std::string& connector, const std::string& action, Value arguments);

  // TEST CONNECTOR: config resolves, one request through the first entity's
  // handler succeeds.
  Result<std::vector<ConnectionCheck>> TestConnection(const std::string& connector);

  // Per connector run in this session ("" = all), by name.
  std::vector<SourceStats> Stats(const std::string& connector) const;

  // The connector's entities: its type's, or for a kind that lists its own
  // (a table integration) the ones it lists for this connector's CONFIG
  // (dynamic tables differ per connector), which starts the connector.
  Result<std::vector<EntityDef>> Entities(const std::string& connector);
  // CREATE CONNECTOR TYPE … FROM INTEGRATION: loads the integration once,
  // without a connection (ConnectorInstance::InspectIntegration).
  Result<Value> InspectIntegration(const std::string& directory);
  // CREATE CONNECTOR TYPE … FROM PLUGIN: asks the plugin (started for it
  // when local) what PluginSource::Inspect says; `location` as
  // PluginLocation stores it.
  Result<Value> InspectPlugin(const std::string& location);
  // Capabilities of a type's kind (false for a kind not registered).
  bool ListsOwnEntities(const ConnectorTypeDef& type) const;
  bool ChecksOwnConfig(const ConnectorTypeDef& type) const;
  // CREATE/ALTER CONNECTOR of a type whose kind judges CONFIG itself (an
  // integration: against its plugin's JSON schema); Ok for the others.
  Status CheckConfig(const ConnectorTypeDef& type, const Value& resolved_config);

  // EntityProvider: what SQL over connector entities needs.
  Result<EntitySchema> Schema(const std::string& connector, const std::string& entity) override;
  Result<std::unique_ptr<RowSource>> Scan(const std::string& connector, const std::string& entity,
                                          const ScanRequest& request) override;
  // A child entity's rows from parent rows the caller already has (a sync
  // that reads its parent once feeds them here): the handler is called once
  // per parent row, with `request` and that row as its parent.
  std::unique_ptr<RowSource> ScanEachParent(const std::string& connector, const std::string& entity,
                                            const ScanRequest& request,
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

  // Where HTTP goes (tests install a mock transport).
  void set_transport_factory(TransportFactory factory) { transport_factory_ = std::move(factory); }
  // Forgets every source (their realms and module state).
  void Reset() { instances_.clear(); }

 private:
  Result<js::JsRuntime*> Runtime();
  SourceEnv Env(const std::string& owner);

  SourceDefinitions& definitions_;
  std::map<std::string, SourceKind> kinds_;
  std::shared_ptr<js::JsRuntime> runtime_;  // this thread's, shared
  std::map<std::string, std::unique_ptr<Source>> instances_;
  TransportFactory transport_factory_;

  struct CachedScan {
    std::string connector;
    std::string entity;
    Value filters;
    std::vector<Value> rows;
    std::chrono::steady_clock::time_point expires;
  };
  friend class RecordingRows;
  const CachedScan* FindCached(const std::string& connector, const std::string& entity,
                               const Value& filters);
  std::vector<CachedScan> cache_;
  std::map<std::string, std::vector<Value>> statement_cache_;  // child scans by call
  // Rows of a whole-table scan kept for the rest of a statement (see Scan).
  static constexpr size_t kStatementRowsKept = 100'000;
  // Connectors whose definitions were read (and secrets decrypted) in this
  // statement: a child scan per parent row must not repeat that work.
  std::set<std::string> checked_this_statement_;
  bool cache_enabled_ = true;
  std::map<std::string, uint64_t> cache_hits_;
};

}  // namespace sluice
