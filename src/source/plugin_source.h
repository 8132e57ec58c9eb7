// PluginSource: a connector of a CloudQuery source plugin (CONNECTOR TYPE …
// FROM PLUGIN 'host:port' | 'unix:/path' | LOCAL 'executable'), kind
// "plugin". Sluice is the CLI here: it dials the plugin (or starts the
// local executable the way the CLI does, one process per connector
// instance, stopped when the instance is dropped), checks it speaks
// protocol 3, checks CONFIG against the plugin's spec JSON schema, calls
// Init with CONFIG as the spec, and makes the plugin's tables (GetTables)
// its entities: FIELDS from each table's Arrow schema, the incremental
// column as the cursor.
//
// A scan is one Sync of the entity's table (the plugin adds the parents a
// child needs; only the asked table's rows are kept); LIMIT cancels the
// stream. SYNC resolves several tables in one Sync (MultiTableScan), and
// TEST CONNECTOR is the plugin's TestConnection (ConnectionTest). Nothing
// is pushed down: the protocol carries no filters.
//
// The plugin's JSON log lines are relayed as the connector's console
// output, on the caller's thread.
//
// Ownership: owns the plugin connection (and process), shared with the row
// streams it hands out so a stream outliving a replaced instance is safe.
// Thread-safety: one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "source/source.h"

namespace sluice {

// Where a plugin type's plugin is, as ConnectorTypeDef::integration stores
// it (JSON: {"plugin": "host:port" | "unix:/path"} or {"local":
// "/abs/exe", "js_style": bool}, plus the spec's "json_schema" when the
// plugin has one).
struct PluginLocation {
  std::string target;      // gRPC target; empty for a local executable
  std::string executable;  // absolute path of a local plugin
  bool js_style = false;   // serve it as the JS SDK takes it (--address unix:P)
  Value json_schema;       // null when the plugin has none

  static Result<PluginLocation> Parse(const std::string& stored);
  std::string Store() const;
  // "plugin at unix:/tmp/x.sock" / "local plugin /opt/p/serve".
  std::string Label() const;
};

class PluginSource : public Source, public MultiTableScan, public ConnectionTest {
 public:
  static Result<std::unique_ptr<PluginSource>> Create(ConnectorSpec spec, const SourceEnv& env);
  ~PluginSource() override;

  // The kind table's entry ("plugin").
  static SourceKind Kind();

  // What CREATE CONNECTOR TYPE … FROM PLUGIN records: {"name", "version",
  // "json_schema" (or null), "config_schema" (Sluice's form of it),
  // "tables": [{name, description, fields, cursor, parent}]}, asked with
  // Init(no_connection) as `cloudquery tables` asks. A local plugin is
  // started for it and stopped.
  static Result<Value> Inspect(const PluginLocation& location, const SourceEnv& env);
  // Entities for tables as Inspect lists them.
  static std::vector<EntityDef> EntitiesOfTables(const std::string& type, const std::string& label,
                                                 const Value& tables);

  const ConnectorSpec& spec() const override { return spec_; }
  const ConnectorLimits& limits() const override { return limits_; }
  Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity,
                                          const ScanRequest& request) override;
  Result<Value> Execute(const ActionDef& action, const Value& params) override;

  MultiTableScan* multi_table() override { return this; }
  Result<std::unique_ptr<RowSource>> ResolveTables(const Value& tables) override;
  ConnectionTest* connection_test() override { return this; }
  Status TestConnection() override;

  struct Connection;

 private:
  PluginSource(ConnectorSpec spec, const SourceEnv& env);
  Status Start();
  std::string Context(const std::string& table = "") const;

  ConnectorSpec spec_;
  ConnectorLimits limits_;
  SourceEnv env_;
  PluginLocation location_;
  std::shared_ptr<Connection> connection_;
};

}  // namespace sluice
