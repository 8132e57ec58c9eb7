// The web console's static files at / (console_assets.h).
#include <httplib.h>

#include "server/http_server.h"

namespace sluice {

void MountConsole(httplib::Server& /*server*/, ServerContext& /*context*/) {}

}  // namespace sluice
