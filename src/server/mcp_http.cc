// MCP over Streamable HTTP at /mcp: docs/serve.md, "MCP".
#include <httplib.h>

#include "server/http_server.h"

namespace sluice {

void MountMcp(httplib::Server& /*server*/, ServerContext& /*context*/) {}

}  // namespace sluice
