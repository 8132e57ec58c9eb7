// A CloudQuery destination plugin as a Sluice destination:
//   CREATE DESTINATION d TYPE 'cloudquery'
//     CONFIG {"path": "localhost:7777" | "unix:/tmp/d.sock", "spec": {…}};
// and YAML `kind: destination` with `registry: grpc`.
//
// The plugin is reached over gRPC, its protocol version checked (3) and
// Init called once with `spec` (JSON; `{}` when absent). Each table's
// writer sends, on a Write stream, `migrate_table` with the table's schema
// from FIELDS (cq/cq_table.h) preceded, as the CloudQuery CLI's transformer
// does, by `_cq_sync_time` (timestamp[us, UTC], the run's start) and
// `_cq_source_name` (the connector) — they stand for Sluice's
// `_sluice_synced_at` and `_sluice_source`; the primary key is the
// entity's. Rows are buffered; Commit() sends them as inserts of at most
// 4 MiB each and closes the stream: its OK status is the plugin's
// acknowledgement of everything sent, the only one the protocol has. The
// next batch opens a new stream (migrate_table again, without force).
// DeleteStale() sends `delete{source_name, sync_time, table_name}` — the
// plugin removes the source's rows of the table written before this run —
// and waits for the stream's status; the plugin does not say how many rows
// went, so it reports 0.
//
// What a remote destination cannot promise: the plugin's storage and
// Sluice's sync state share no transaction. An incremental mark is kept
// (CONFIG "state_path", a local JSON file) only after the plugin
// acknowledged the batch it covers; a kill between the acknowledgement and
// the state file's rename leaves the mark behind the rows, so the re-run
// sends those rows again — the plugin upserts them by primary key
// (AbsorbsRepeats), and a table without a key may get them twice. Without
// "state_path" every run reads everything. A killed full run never
// deletes: delete-stale follows only a complete run, so the next complete
// run converges. A batch in flight when the stream broke may be partly
// written by the plugin; the error names the plugin and the table.
//
// Thread-safety: one thread at a time, like every destination.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cloudquery/plugin_client.h"
#include "dest/destination.h"

namespace sluice {

class CloudQueryDestination : public Destination {
 public:
  // CONFIG: path (required), registry ("grpc", the default; "local": path
  // is an executable launched as the CloudQuery CLI launches one), spec
  // (an object), state_path (optional), timeout_seconds (each unary call:
  // GetVersions, Init, Close; 60), write_timeout_seconds (one batch's Write
  // stream, from its opening to the plugin's acknowledgement; 300). Ctrl-C
  // cancels any call.
  static Result<std::unique_ptr<CloudQueryDestination>> Open(const std::string& name, const Value& config);
  // CONFIG checks that need no connection.
  static Status Check(const std::string& name, const Value& config);
  // An error unless `path` is an executable file, saying what it is
  // instead (missing, a directory, not executable); `label` names the
  // destination.
  static Status CheckExecutable(const std::string& path, const std::string& label);
  ~CloudQueryDestination() override;

  std::string Name() const override { return name_; }
  Result<std::unique_ptr<TableWriter>> OpenTable(const TableSpec& table, const OpenOptions& options) override;
  Result<std::optional<SyncState>> ReadState(const TableSpec& table) override;
  bool AbsorbsRepeats() const override { return true; }  // keyed rows are upserted by the plugin

  // The plugin, connected and initialized on first use.
  Result<cq::PluginClient*> Client();
  const std::string& label() const { return label_; }
  Status SaveState(const TableSpec& table, const SyncState& state);

 private:
  CloudQueryDestination() = default;
  Result<cq::PluginClient*> Connect();

  std::string name_;
  std::string target_;
  std::string label_;       // "destination 'd' (plugin at unix:/…)"
  std::string spec_json_;
  std::string state_path_;  // "" for none
  std::string executable_;  // registry 'local': the plugin to launch
  std::chrono::milliseconds call_timeout_{60'000};
  std::chrono::milliseconds write_timeout_{300'000};
  Status client_error_;  // why the plugin could not be reached, once it could not
  // Declared before the client: the client is closed before the plugin stops.
  std::unique_ptr<cq::PluginProcess> process_;
  std::unique_ptr<cq::PluginClient> client_;
};

}  // namespace sluice
