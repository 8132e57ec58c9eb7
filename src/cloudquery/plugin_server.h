// The server side of the CloudQuery plugin protocol v3: Sluice serving a
// connector type as a source plugin (`sluice plugin serve`). The gRPC
// layer lives here; what the plugin does is a PluginBackend, which the
// front end implements over a Source.
//
// gRPC calls arrive on gRPC's threads; every backend call runs on the
// thread that called ServePlugin (SpiderMonkey's thread), one at a time.
// A Sync's messages flow back through a bounded queue, so a slow client
// slows the source rather than filling memory, and a client that goes
// away stops it.
//
// Thread-safety: ServePlugin blocks its caller; the backend is used only
// from that thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cloudquery/arrow_ipc.h"
#include "cloudquery/plugin_client.h"  // SyncOptions, TestConnectionResult, limits
#include "core/status.h"

namespace sluice::cq {

// Where a Sync's messages go. Each call returns an error once the client
// has gone (the backend stops then).
class SyncSink {
 public:
  virtual ~SyncSink() = default;
  virtual Status MigrateTable(const ArrowSchema& table) = 0;
  // `rows` of one table, split into records under the size budget; a
  // single row over it is an error naming the table and row.
  virtual Status Insert(const ArrowSchema& table, const std::vector<Row>& rows) = 0;
  // Sent only when the client asked for error messages; always logged.
  virtual Status Error(const std::string& table_name, const std::string& message) = 0;
  // An error once the client has gone or the server stops: a backend
  // that buffers rows asks between them, so it stops without a send.
  virtual Status Check() { return Status::Ok(); }
};

// How long a backend may hold rows of a table before sending them: a slow
// source still streams (the Go SDK flushes every 5 s; we flush sooner).
inline constexpr int kFlushIntervalMs = 1000;

class PluginBackend {
 public:
  virtual ~PluginBackend() = default;
  virtual std::string Name() = 0;
  virtual std::string Version() = 0;
  virtual std::optional<std::string> SpecSchema() = 0;
  virtual Status Init(const std::string& spec_json, bool no_connection,
                      const std::string& invocation_id) = 0;
  virtual Result<std::vector<ArrowSchema>> GetTables(const std::vector<std::string>& tables,
                                                     const std::vector<std::string>& skip_tables,
                                                     bool skip_dependent_tables) = 0;
  virtual Status Sync(const SyncOptions& options, SyncSink& sink) = 0;
  virtual TestConnectionResult TestConnection(const std::string& spec_json) = 0;
  virtual Status Close() = 0;
};

// Room for the Sync.Response envelope (oneof tag, lengths) around a
// record: an insert's record is at most insert_budget_bytes - this.
inline constexpr size_t kEnvelopeBytes = 64;

struct ServeOptions {
  std::string network = "tcp";  // tcp | unix
  std::string address = "localhost:7777";
  size_t max_message_bytes = kMaxMessageBytes;
  size_t insert_budget_bytes = kInsertBudgetBytes;
  // Where the server's log lines go (level: trace|debug|info|warn|error);
  // the caller masks secrets and writes them as JSON or text.
  std::function<void(const std::string& level, const std::string& message)> log;
  // Called once the server listens (the address it bound, for tcp port 0).
  std::function<void(const std::string& bound_address)> on_listening;
};

// Serves until SIGINT or SIGTERM (or a fatal error); removes a unix socket
// it created (and a stale one it finds, never a live server's). Returns OK
// on a clean stop. `network` "unix" takes `address` as a path (with or
// without "unix:"); "tcp" takes host:port (port 0 picks a free one, which
// on_listening reports) or, as the JavaScript SDK allows, "unix:/path".
Status ServePlugin(const ServeOptions& options, PluginBackend& backend);

// Blocks SIGINT and SIGTERM in the calling thread, so that threads started
// after it (JavaScript's, gRPC's) inherit the mask and ServePlugin's own
// watcher receives them. Call it first thing in the serving process.
void BlockStopSignals();

}  // namespace sluice::cq
