// Source: one running connector as the engine sees it — the entities it
// serves, a scan of one of them from a ScanRequest, its actions — whatever
// kind it is. Kinds differ in capabilities, which callers ask for, never
// in a flag they branch on: a table integration can resolve several tables
// in one pass (MultiTableScan), a declared connector cannot.
//
// A kind is one class and one entry in the SourceRegistry's kind table
// (SourceKind: name → factory).
//
// Thread-safety: the thread that created it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalog/definitions.h"
#include "core/status.h"
#include "core/value.h"
#include "js/js_realm.h"
#include "net/http.h"
#include "source/entity_provider.h"
#include "source/partition.h"
#include "source/scan_request.h"

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
  std::chrono::seconds cache_ttl{0};      // 0: query results are not cached
  size_t max_response_bytes = 64u << 20;  // max_response_mb: a response body, decoded
  bool invalid_utf8_error = false;        // invalid_utf8: "replace" (counted) or "error"

  static ConnectorLimits FromOptions(const Value& options);
};

// Where HTTP goes: libcurl, or (for MOCK_API) a transport the caller makes.
using TransportFactory = std::function<std::unique_ptr<HttpTransport>()>;

// Several tables resolved in one pass, as SYNC of a table integration does.
class MultiTableScan {
 public:
  virtual ~MultiTableScan() = default;
  // `tables` is [{name, options}], and each row comes as {t: index, r: row},
  // or {t: index, error: {name, message, stack}} when that table failed.
  virtual Result<std::unique_ptr<RowSource>> ResolveTables(const Value& tables) = 0;
};

// Lists an entity's partitions.
class Partitioner {
 public:
  virtual ~Partitioner() = default;
  // nullopt: the entity is not partitioned (one unit, the whole entity):
  // a declared entity without a partitions() function, an integration
  // table whose multiplexer gives one client or none. Errors (a handler
  // that throws, ids that repeat or are empty) name connector and entity.
  // Children are never partitioned on their own: they go with their parent.
  virtual Result<std::optional<std::vector<Partition>>> Partitions(const EntityDef& entity) = 0;
  // The entity whose unit `entity` goes with, "" for none: its parent. A
  // table integration's relation table has no parent to the engine (the
  // host resolves it from its parent's rows in the same pass) but rides
  // with its top-level table's unit all the same, so a unit reads each
  // parent row once.
  virtual std::string UnitParent(const EntityDef& entity) { return entity.parent; }
};

// A connection test of the source's own (a CloudQuery plugin answers its
// TestConnection call). Without one, TEST CONNECTOR probes the source by
// reading one row of its first top-level entity.
class ConnectionTest {
 public:
  virtual ~ConnectionTest() = default;
  // Ok when the source can reach its API with its CONFIG; an error of kind
  // auth_error, connection_error, … when not.
  virtual Status TestConnection() = 0;
};

class Source {
 public:
  virtual ~Source() = default;

  // The definitions it runs; spec().entities are the entities it serves
  // (for a kind that lists its own, as it listed them when it started).
  virtual const ConnectorSpec& spec() const = 0;
  virtual const ConnectorLimits& limits() const = 0;
  // Rows of `entity` (one of spec().entities) for `request`; dropping the
  // stream stops the handler. Errors name the connector and the entity.
  virtual Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity,
                                                  const ScanRequest& request) = 0;
  // Runs the action; `params` already checked against its PARAMETERS.
  virtual Result<Value> Execute(const ActionDef& action, const Value& params) = 0;
  // HTTP diagnostics of this source (zeros for one that makes no requests).
  virtual HttpStats http_stats() const { return HttpStats(); }

  // Capabilities: null when the source does not have it.
  virtual MultiTableScan* multi_table() { return nullptr; }
  virtual ConnectionTest* connection_test() { return nullptr; }
  virtual Partitioner* partitioner() { return nullptr; }
};

// What a kind's factory is given besides the definitions.
struct SourceEnv {
  // The session's JavaScript runtime, created on first use.
  std::function<Result<js::JsRuntime*>()> runtime;
  js::ConsoleFunction console;
  TransportFactory transport;  // null: libcurl
};

// One entry of the kind table.
struct SourceKind {
  std::string name;  // as the catalog stores it: "declared", "integration", …
  // The source lists its entities itself when it starts (an integration's
  // tables), rather than the catalog holding them.
  bool lists_own_entities = false;
  std::function<Result<std::unique_ptr<Source>>(ConnectorSpec spec, const SourceEnv& env)> create;
  // When set, judges a connector's CONFIG (resolved) in place of the
  // type's CONFIG_SCHEMA (an integration: its plugin's JSON schema).
  std::function<Status(const ConnectorTypeDef& type, const Value& resolved_config,
                       const SourceEnv& env)>
      check_config;
  // Its scans can apply filters, LIMIT or ORDER BY (EntitySchema).
  bool takes_pushdown = true;
};

}  // namespace sluice
