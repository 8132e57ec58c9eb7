// GET /api/query: docs/serve.md, "HTTP API".
#include <httplib.h>

#include "server/http_server.h"

namespace sluice {

void MountQueryApi(httplib::Server& /*server*/, ServerContext& /*context*/) {}

}  // namespace sluice
