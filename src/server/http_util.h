// The HTTP edge every route goes through: JSON bodies masked of secrets,
// errors as {"error": {"kind", "message"}} with a status that fits, and the
// access rule (docs/serve.md, "Security"):
//
//  * bound to loopback: reads need no token; writes need
//    `Authorization: Bearer <token>` and a server started --allow-writes;
//  * bound elsewhere: every request needs the token;
//  * on loopback the Host header must name a loopback host (a web page on
//    another site cannot reach the server through DNS rebinding), with a
//    numeric port, and only one Host header is accepted;
//  * a browser's request on behalf of another site (an Origin header that
//    is not the server's own, or Sec-Fetch-Site cross-site / same-site) is
//    refused, reads included, unless --cors allows its Origin; only a
//    top-level navigation to the console's page (a link) is let through.
//
// Thread-safety: stateless; called from the server's worker threads.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

#include "core/status.h"
#include "core/value.h"
#include "server/serve_options.h"

namespace sluice {

enum class Access { kRead, kWrite };

// Writes `body` as JSON (secrets masked) with `status`.
void SendJson(httplib::Response& response, int status, const Value& body);
// An error from the engine: its kind name (core/status.h) and masked message;
// the HTTP status from the kind (400 for parse/type/invalid/sql, 404 not
// found, 409 already exists, 502 for the API's own failures, 504 timeout,
// 500 internal).
void SendError(httplib::Response& response, const Status& status);
// An error of the HTTP edge itself: kind is "unauthorized" (401),
// "forbidden" (403), "not_found" (404), "method_not_allowed" (405) …
void SendEdgeError(httplib::Response& response, int http_status, const std::string& kind,
                   const std::string& message);
int HttpStatusFor(ErrorKind kind);

// Checks the access rule above; on refusal writes the error and returns
// false. Call first in every handler.
bool CheckAccess(const httplib::Request& request, httplib::Response& response, const ServeOptions& options,
                 Access access);

// Adds the CORS headers when --cors allows the request's Origin.
void AddCorsHeaders(const httplib::Request& request, httplib::Response& response, const ServeOptions& options);

// An OPTIONS request: 204 with the CORS headers for the origin --cors
// allows, else 403 forbidden.
void AnswerPreflight(const httplib::Request& request, httplib::Response& response, const ServeOptions& options);

// The request body as a JSON object: nullopt (and a 400 written) when it is
// not one, too deep or too large. An empty body is {}.
std::optional<Value> ParseJsonBody(const httplib::Request& request, httplib::Response& response);
// The same for a body read through a ContentReader.
std::optional<Value> ParseJsonText(const std::string& text, httplib::Response& response);

// Constant-time comparison of a presented token with the server's.
bool TokenMatches(const std::string& presented, const std::string& expected);

}  // namespace sluice
