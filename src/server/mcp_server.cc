#include "server/mcp_server.h"

namespace sluice {

McpServer::McpServer(const ServeOptions& options, SyncJobs& jobs) : options_(options), jobs_(jobs) {}

std::optional<Value> McpServer::Handle(const Value&) { return std::nullopt; }
std::optional<Value> McpServer::HandleText(const std::string&) { return std::nullopt; }

int RunMcpStdio(const ServeOptions&) { return 1; }

}  // namespace sluice
