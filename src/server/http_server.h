// HttpServer: `sluice serve` — the HTTP JSON API (/api/…), MCP over
// Streamable HTTP (/mcp) and the web console (/), on cpp-httplib's thread
// pool. Each request works on its own WorkspaceSession, so many readers run
// at once while a sync writes, and a slow client holds only its own thread.
//
// Ownership: owns the httplib::Server and the SyncJobs.
// Thread-safety: Start/Stop from one thread; handlers run on the pool.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "server/serve_options.h"
#include "server/sync_jobs.h"

namespace httplib {
class Server;
}

namespace sluice {

// What every route may use.
struct ServerContext {
  explicit ServerContext(ServeOptions serve_options) : options(std::move(serve_options)), jobs(options) {}
  ServeOptions options;
  SyncJobs jobs;
};

class HttpServer {
 public:
  explicit HttpServer(ServeOptions options);
  ~HttpServer();

  // Binds options.host:options.port (port 0: a free one) and mounts the
  // routes; the bound port.
  Result<int> Bind();
  // Serves until Stop() (from another thread or a signal handler's flag).
  Status Run();
  void Stop();

  ServerContext& context() { return *context_; }

 private:
  std::unique_ptr<ServerContext> context_;
  std::unique_ptr<httplib::Server> server_;
};

// The routes, each in its own file:
void MountApi(httplib::Server& server, ServerContext& context);      // api_routes.cc: /api/… but queries
void MountQueryApi(httplib::Server& server, ServerContext& context); // query_routes.cc: /api/query
void MountMcp(httplib::Server& server, ServerContext& context);      // mcp_http.cc: /mcp
void MountConsole(httplib::Server& server, ServerContext& context);  // console_routes.cc: /, /console/…

}  // namespace sluice
