// The web console's static files (console_assets.h): GET / is index.html,
// GET /console/<file> the rest. Every piece of data the console shows comes
// from /api/…, which applies the access rule itself; these files hold no
// workspace data, only the console's code.
//
// Access (docs/serve.md, "Web console"): on loopback the page goes through
// CheckAccess(kRead), so the Host check keeps DNS-rebinding pages out. On a
// server that is not on loopback the files are served without the token: a
// browser cannot send an Authorization header on a page load, and putting
// the token in the address (?token=) would leave it in history, logs and
// Referer headers. The page takes the token from its #token=… fragment
// (never sent to any server) and sends it with every /api request.
#include <httplib.h>

#include <string>

#include "server/console_assets.h"
#include "server/http_server.h"
#include "server/http_util.h"

namespace sluice {
namespace {

// No inline script or style, no eval, nothing from another origin; the
// console is never framed (clickjacking a write button).
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

void SetSecurityHeaders(httplib::Response& response) {
  response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cross-Origin-Opener-Policy", "same-origin");
  // Revalidated on every load, so a rebuilt sluice serves its own console
  // rather than a cached older app.js next to a newer API.
  response.set_header("Cache-Control", "no-cache");
}

bool ConsoleAccess(const httplib::Request& request, httplib::Response& response,
                   const ServeOptions& options) {
  if (!IsLoopbackHost(options.host)) return true;  // see the comment at the top
  return CheckAccess(request, response, options, Access::kRead);
}

void ServeAsset(const httplib::Request& request, httplib::Response& response,
                const ServeOptions& options, const std::string& name) {
  SetSecurityHeaders(response);
  if (!ConsoleAccess(request, response, options)) return;
  const ConsoleAsset* asset = FindConsoleAsset(name);
  if (asset == nullptr) {
    // The name is a single path segment of [A-Za-z0-9._-] (the route's
    // pattern), so echoing it is safe.
    SendEdgeError(response, 404, "not_found", "the console has no file " + name);
    return;
  }
  response.status = 200;
  response.set_content(std::string(asset->bytes), std::string(asset->content_type));
}

}  // namespace

void MountConsole(httplib::Server& server, ServerContext& context) {
  const ServeOptions& options = context.options;
  server.Get("/", [&options](const httplib::Request& request, httplib::Response& response) {
    ServeAsset(request, response, options, "index.html");
  });
  server.Get(R"(/console/([A-Za-z0-9._-]{1,100}))",
             [&options](const httplib::Request& request, httplib::Response& response) {
               ServeAsset(request, response, options, request.matches[1].str());
             });
}

}  // namespace sluice
