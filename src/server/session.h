// WorkspaceSession: one request's own view of the workspace — its own
// SQLite connection (the workspace is in WAL mode, so readers never wait
// for a sync's writer) and its own interpreter, on the calling thread
// (SpiderMonkey allows one context per thread; js/js_runtime.h). Opening
// one per request costs a file open and a schema check, and means a
// definition changed by another process is seen by the next request.
//
// Results are raw: the HTTP and MCP edges mask secrets on the way out.
//
// Ownership: owns its Workspace and Interpreter.
// Thread-safety: the thread that opened it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/workspace.h"
#include "core/status.h"
#include "core/value.h"
#include "lang/interpreter.h"
#include "lang/result.h"
#include "server/serve_options.h"

namespace sluice {

// What one statement produced.
struct StatementOutput {
  std::vector<ResultSet> results;
  std::vector<std::string> printed;  // PRINT lines and handler log lines
  std::vector<SyncProgressEvent> progress;  // a SYNC's events, in order
};

struct QueryLimits {
  int64_t max_rows = 1000;  // rows delivered; one more is read to know it was truncated
  std::chrono::milliseconds timeout{30000};
};

// A streamed query's consumer. Returning false from OnRow stops the scan at
// once (the client went away): the statement is reset, which closes the
// live tables' cursors, so handlers fetch no further page.
class QueryConsumer {
 public:
  virtual ~QueryConsumer() = default;
  virtual bool OnColumns(const std::vector<std::string>& columns) = 0;
  virtual bool OnRow(const std::vector<Value>& row) = 0;
};

struct QueryOutcome {
  int64_t rows = 0;
  bool truncated = false;  // more rows than max_rows
  bool stopped = false;    // the consumer said stop
};

class WorkspaceSession {
 public:
  static Result<std::unique_ptr<WorkspaceSession>> Open(const ServeOptions& options);
  ~WorkspaceSession();

  Workspace& workspace() { return *workspace_; }
  Interpreter& interpreter() { return *interpreter_; }

  // Runs Sluice text (one or more statements: SHOW …, DESCRIBE …, SYNC …,
  // EXEC …) as the CLI would; the first failure is returned. `progress`,
  // when set, also sees each sync event as it happens (live progress).
  Result<StatementOutput> Run(std::string_view text,
                              const std::function<void(const SyncProgressEvent&)>& progress = {});

  // A read-only query: exactly one SELECT / WITH / VALUES / EXPLAIN
  // statement over live entities and tables (anything that would write is
  // refused with kInvalidArgument before it runs). Rows stream to
  // `consumer` as SQLite produces them; the row cap and the time limit stop
  // the scan (the time limit is a timeout_error). A text or blob longer
  // than ServeOptions::max_value_bytes fails the query (invalid_argument).
  Result<QueryOutcome> StreamQuery(std::string_view sql, const QueryLimits& limits, QueryConsumer& consumer);

  // What each live table's handler is asked by `sql` (the EXPLAIN that
  // the CLI shows): [{"step": …, "asked": …}], [] when no live table is
  // scanned. Refused like StreamQuery for anything but a read.
  Result<Value> ExplainQuery(std::string_view sql);

 private:
  WorkspaceSession() = default;
  class Sink;
  std::unique_ptr<Workspace> workspace_;
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<Interpreter> interpreter_;
  int64_t max_value_bytes_ = 32 << 20;  // ServeOptions::max_value_bytes
};

}  // namespace sluice
