// The client side of the CloudQuery plugin protocol v3: Sluice talking to
// a plugin it hosts, reached over gRPC at "host:port" or "unix:/path", or
// launched from a local executable the way the CloudQuery CLI launches one
// (PluginProcess). Messages up to 200 MiB are accepted both ways; inserts
// Sluice sends are split to stay under 4 MiB so any peer takes them.
//
// Errors name the plugin (its label: the address or executable) and, in a
// stream, the table; a peer that speaks another protocol version, sends
// bytes that do not decode, or dies mid-stream is an error, never a crash.
//
// Thread-safety: one thread per client (gRPC's own threads stay inside).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cloudquery/arrow_ipc.h"
#include "core/status.h"

namespace sluice::cq {

// Largest message Sluice accepts from a plugin, and sends at most.
inline constexpr size_t kMaxMessageBytes = 200u << 20;
// Inserts Sluice sends are split below this, the grpc-js default a plugin
// built on the JavaScript SDK accepts.
inline constexpr size_t kInsertBudgetBytes = 4u << 20;

// A local plugin executable, run as the CloudQuery CLI runs one:
// `EXE serve --log-level L --log-format json --network unix --address
// /tmp/cq-XXXXXXXXXXXXXXXX.sock` in a process group of its own (`--network
// tcp --address 127.0.0.1:PORT` when `tcp`), stdout read as JSON log lines
// and relayed through `log` with their level, stderr likewise (every line
// masked, control characters escaped, invalid UTF-8 replaced);
// started up to 3 times 1 s apart until its socket answers; stopped with
// SIGINT, then SIGKILL after 5 s; its socket removed.
struct LaunchOptions {
  std::string executable;
  std::vector<std::string> extra_args;
  bool tcp = false;
  // The JavaScript SDK's `serve` accepts only `--network tcp`, but binds
  // any address grpc-js understands: with this set the plugin is run as
  // `EXE serve --log-level L --log-format json --address unix:/tmp/cq-….sock`
  // (no --network), which is how a JS plugin is served on a unix socket.
  bool js_style = false;
  std::string log_level = "info";
  // (level, message): "trace|debug|info|warn|error|unknown". Called on
  // the process's own reader thread, never the caller's.
  std::function<void(const std::string& level, const std::string& message)> log;
  // How long each start attempt waits for the socket to answer (the
  // CLI's 5 s; a busy machine starting Node may need more).
  std::chrono::milliseconds start_timeout{5000};
};

class PluginProcess {
 public:
  static Result<std::unique_ptr<PluginProcess>> Launch(const LaunchOptions& options);
  ~PluginProcess();  // Stop()
  // What to dial: "unix:/tmp/cq-….sock" or "127.0.0.1:PORT".
  const std::string& target() const;
  // The executable, for messages.
  const std::string& executable() const;
  // The process id (its process group's too); 0 once it has stopped.
  int pid() const;
  // Whether it has exited (reaped without waiting); its exit, described,
  // in `how` when it has.
  bool Exited(std::string* how = nullptr);
  // SIGINT, SIGKILL after 5 s; an error when it exited non-zero or by a
  // signal other than the ones sent (exit 130, a Node plugin's answer to
  // SIGINT, counts as stopping cleanly).
  Status Stop();

 private:
  PluginProcess() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  friend struct PluginProcessAccess;
};

struct SyncOptions {
  std::vector<std::string> tables{"*"};
  std::vector<std::string> skip_tables;
  bool skip_dependent_tables = true;
  bool deterministic_cq_id = false;
  bool with_error_messages = true;
  std::optional<std::pair<int, int>> shard;  // (num, total), num from 1
  // A plugin that sends nothing for this long while Sluice waits is
  // stalled: the stream is cancelled and Next() fails naming the plugin and
  // the table (kTimeout). Zero waits forever.
  std::chrono::milliseconds idle_timeout{0};
};

// One message of a Sync stream.
struct SyncMessage {
  enum class Kind { kMigrateTable, kInsert, kDeleteRecord, kError };
  Kind kind = Kind::kInsert;
  ArrowSchema table;       // kMigrateTable
  DecodedRecord record;    // kInsert
  std::string table_name;  // kInsert (cq:table_name), kDeleteRecord, kError
  std::string error;       // kError
};

class SyncStream {
 public:
  virtual ~SyncStream() = default;
  // The next message, or nullopt at the end (status OK). A non-OK end is an
  // error naming the plugin and the last table seen. So is a message that
  // breaks the protocol's promises: an insert for a table no migrate_table
  // announced, one whose columns (names and types, in any order) differ
  // from the migrated table's, or one holding more than one record batch.
  virtual Result<std::optional<SyncMessage>> Next() = 0;
  // Stops the stream early (LIMIT reached, the user interrupted).
  virtual void Cancel() = 0;
};

struct TestConnectionResult {
  bool success = false;
  std::string failure_code;
  std::string failure_description;
};

// A destination plugin's Write stream.
class WriteStream {
 public:
  virtual ~WriteStream() = default;
  virtual Status MigrateTable(const ArrowSchema& table, bool force) = 0;
  // Encodes `rows` (cells in `table`'s field order) as records of at most
  // kInsertBudgetBytes each; one row larger than that is an error naming
  // the table and the row's index.
  virtual Status Insert(const ArrowSchema& table, const std::vector<Row>& rows) = 0;
  // Deletes `source_name`'s rows of `table_name` older than `sync_time`.
  virtual Status DeleteStale(const std::string& table_name, const std::string& source_name,
                             std::chrono::system_clock::time_point sync_time) = 0;
  // Closes the stream and waits for the plugin's answer.
  virtual Status Finish() = 0;
};

class PluginClient {
 public:
  // `target` is "host:port" or "unix:/abs/path"; `label` names the plugin
  // in errors ("plugin 'forge' at unix:/tmp/…").
  static Result<std::unique_ptr<PluginClient>> Connect(
      const std::string& target, const std::string& label,
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  virtual ~PluginClient() = default;

  const std::string& label() const { return label_; }
  // Discovery: an error unless the plugin speaks protocol 3.
  virtual Status CheckVersion() = 0;
  virtual Result<std::string> GetName() = 0;
  virtual Result<std::string> GetVersion() = 0;
  // nullopt when the plugin has none (or answers UNIMPLEMENTED).
  virtual Result<std::optional<std::string>> GetSpecSchema() = 0;
  // `spec_json` is the spec's JSON text ("null" for none).
  virtual Status Init(const std::string& spec_json, bool no_connection,
                      const std::string& invocation_id) = 0;
  virtual Result<std::vector<ArrowSchema>> GetTables(const std::vector<std::string>& tables,
                                                     const std::vector<std::string>& skip_tables,
                                                     bool skip_dependent_tables) = 0;
  virtual Result<std::unique_ptr<SyncStream>> Sync(const SyncOptions& options) = 0;
  // Falls back to Init when the plugin answers UNIMPLEMENTED, as the CLI does.
  virtual Result<TestConnectionResult> TestConnection(const std::string& spec_json) = 0;
  virtual Result<std::unique_ptr<WriteStream>> Write() = 0;  // deadline: SetWriteTimeout
  virtual Status Close() = 0;
  // The deadline of each unary call (60 s unless set); Sync streams have
  // none. Ctrl-C cancels any call.
  virtual void SetCallTimeout(std::chrono::milliseconds timeout) = 0;
  // The deadline of each Write stream, from its opening to the plugin's
  // answer (300 s unless set).
  virtual void SetWriteTimeout(std::chrono::milliseconds timeout) = 0;

 protected:
  explicit PluginClient(std::string label) : label_(std::move(label)) {}

 private:
  std::string label_;
};

}  // namespace sluice::cq
