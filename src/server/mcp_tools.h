// The MCP tools of McpServer (mcp_server.h): what tools/list describes and
// what tools/call runs, over workspace_views.h, WorkspaceSession queries and
// SyncJobs. One table of tools drives both, so a tool can never be listed
// without being callable or the other way round.
//
// Thread-safety: stateless; each call opens its own WorkspaceSession on the
// calling thread.
#pragma once

#include <string>

#include "core/status.h"
#include "core/value.h"
#include "server/serve_options.h"

namespace sluice {

class SyncJobs;

// The tools/list "tools" array: run_sync and run_action only when
// options.allow_writes.
Value McpToolList(const ServeOptions& options);

// A CallToolResult ({"content": [...], "structuredContent": {...},
// "isError": bool}). A tool that fails (bad SQL, the API's errors, a
// connector that does not exist) is a result with isError, as MCP asks, so
// the agent sees the error kind and message. A call the protocol refuses —
// an unknown tool, a write tool on a server without --allow-writes,
// arguments of the wrong shape — is a kInvalidArgument Status, which the
// server answers as JSON-RPC -32602.
Result<Value> CallMcpTool(const ServeOptions& options, SyncJobs& jobs, const std::string& name,
                          const Value& arguments);

// `value` with every string (keys too) passed through SecretMasker::Global()
// and any number that spells a secret turned into "***"; subtrees deeper
// than a few hundred levels are replaced by a note, so printing the result
// can never recurse without bound.
Value MaskSecretsIn(const Value& value);

}  // namespace sluice
