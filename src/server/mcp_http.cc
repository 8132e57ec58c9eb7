// MCP over Streamable HTTP at /mcp: docs/serve.md, "MCP".
//
// Stateless: no Mcp-Session-Id is issued (the spec allows it, and the SDK
// client works without one), every POST carries whole messages and gets
// whole answers as application/json, never an event stream; GET (a
// server-initiated stream) and DELETE (ending a session) answer 405, which
// clients take as "not offered".
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "server/http_server.h"
#include "server/http_util.h"
#include "server/mcp_server.h"

namespace sluice {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// "application/json; charset=utf-8" → "application/json".
std::string MediaType(const std::string& header) {
  std::string type = Lower(header.substr(0, header.find(';')));
  type.erase(0, type.find_first_not_of(" \t"));
  type.erase(type.find_last_not_of(" \t") + 1);
  return type;
}

// Whether an Accept header lets us answer application/json. A missing
// header accepts anything (curl, simple scripts).
bool AcceptsJson(const std::string& accept) {
  if (accept.empty()) return true;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string type = MediaType(
        accept.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (type == "application/json" || type == "application/*" || type == "*/*") return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

// A JSON-RPC error without an id, for refusals of the HTTP layer itself.
void SendRpcError(httplib::Response& response, int http_status, int code,
                  const std::string& message) {
  Value body = {
      {"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", code}, {"message", message}}}};
  SendJson(response, http_status, body);
}

bool IsErrorWithoutId(const Value& answer) {
  return answer.is_object() && answer.contains("error") && answer["id"].is_null();
}

}  // namespace

void MountMcp(httplib::Server& server, ServerContext& context) {
  // Shared by the handlers, which httplib keeps until the server goes,
  // before the context they borrow (http_server.cc).
  auto mcp = std::make_shared<McpServer>(context.options, context.jobs);
  const ServeOptions& options = context.options;
  // With writes allowed any call could write, so every request shows the
  // token; without, /mcp is a reader like GET /api/….
  const Access access = options.allow_writes ? Access::kWrite : Access::kRead;

  server.Post("/mcp", [mcp, &options, access](const httplib::Request& request,
                                              httplib::Response& response) {
    if (!CheckAccess(request, response, options, access)) return;
    if (MediaType(request.get_header_value("Content-Type")) != "application/json") {
      SendRpcError(response, 415, -32700, "Content-Type must be application/json");
      return;
    }
    if (!AcceptsJson(request.get_header_value("Accept"))) {
      SendRpcError(response, 406, -32600,
                   "this server answers application/json: the Accept header must allow it");
      return;
    }
    // Set after initialize; a revision we do not speak is refused, as the
    // spec asks, rather than misread.
    std::string version = request.get_header_value("MCP-Protocol-Version");
    const auto& versions = McpProtocolVersions();
    if (!version.empty() &&
        std::find(versions.begin(), versions.end(), version) == versions.end()) {
      SendRpcError(response, 400, -32600, "unsupported MCP-Protocol-Version '" + version + "'");
      return;
    }
    // The same cap as every other body (http_util.h): a JSON-RPC message
    // needs far less, and an unbounded one is memory for the taking.
    constexpr size_t kMaxMessageBytes = 1 << 20;
    if (request.body.size() > kMaxMessageBytes) {
      SendRpcError(response, 413, -32600, "the message is larger than 1 MiB");
      return;
    }
    std::optional<Value> answer = mcp->HandleText(request.body);
    if (!answer) {
      // Notifications and responses only: accepted, nothing to say.
      response.status = 202;
      return;
    }
    // Masked value by value already (tool results, error messages): masking
    // the text again could turn a number into invalid JSON.
    response.status = IsErrorWithoutId(*answer) ? 400 : 200;
    response.set_content(answer->dump(-1, ' ', false, Value::error_handler_t::replace),
                         "application/json; charset=utf-8");
  });

  auto not_offered = [&options, access](const httplib::Request& request,
                                        httplib::Response& response) {
    if (!CheckAccess(request, response, options, access)) return;
    response.set_header("Allow", "POST");
    SendEdgeError(response, 405, "method_not_allowed",
                  request.method == "GET"
                      ? "this server sends no server-initiated stream: POST messages to /mcp"
                      : "this server keeps no sessions: there is nothing to end");
  };
  server.Get("/mcp", not_offered);
  server.Delete("/mcp", not_offered);
}

}  // namespace sluice
