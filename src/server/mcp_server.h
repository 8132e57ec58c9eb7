// McpServer: the Model Context Protocol server (JSON-RPC 2.0), one protocol
// object for both transports — stdio (`sluice mcp`, newline-delimited
// messages) and Streamable HTTP (POST /mcp on `sluice serve`, mcp_http.cc).
//
// Tools (docs/serve.md, "MCP"): list_connectors, describe_entity, query
// (read-only, capped, with the EXPLAIN pushdown), list_sync_runs — and,
// only when started with --allow-writes, run_sync and run_action. Each tool
// carries annotations (readOnlyHint, destructiveHint, idempotentHint,
// openWorldHint). Tool results are masked of secrets.
//
// Thread-safety: Handle may be called from several threads (each call
// opens its own WorkspaceSession).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "server/serve_options.h"

namespace sluice {

class SyncJobs;

class McpServer {
 public:
  // `jobs` runs syncs for run_sync; it must outlive the server.
  McpServer(const ServeOptions& options, SyncJobs& jobs);

  // One JSON-RPC message in, its response out (nullopt for a notification
  // or a response). A batch (array) answers an array. Malformed input
  // answers a JSON-RPC error (-32700 parse, -32600 invalid request, -32601
  // unknown method, -32602 bad params), never throws.
  std::optional<Value> Handle(const Value& message);
  // The same from text (stdio and HTTP bodies): parse errors answer -32700.
  std::optional<Value> HandleText(const std::string& text);

 private:
  std::optional<Value> HandleOne(const Value& message);
  Value Dispatch(const Value& id, const std::string& method, const Value& params);

  const ServeOptions& options_;
  SyncJobs& jobs_;
};

// The MCP revisions this server speaks, newest first: initialize answers
// the client's when it is one of them, else the newest.
const std::vector<std::string>& McpProtocolVersions();

// `sluice mcp`: reads messages from stdin line by line and writes responses
// to stdout, one per line, until stdin closes. Nothing else ever reaches
// stdout: file descriptor 1 is pointed at stderr for the rest of the
// process, so a handler's or library's stray output lands in the log
// rather than corrupting the protocol. A line longer than 16 MiB or not
// JSON answers -32700 and the server goes on. 0 when stdin closes; 1 when
// the workspace cannot be opened or stdout is gone.
int RunMcpStdio(const ServeOptions& options);

}  // namespace sluice
