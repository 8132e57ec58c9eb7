// The HTTP JSON API (/api/…): docs/serve.md, "HTTP API".
#include <httplib.h>

#include "server/http_server.h"

namespace sluice {

void MountApi(httplib::Server& /*server*/, ServerContext& /*context*/) {}

}  // namespace sluice
