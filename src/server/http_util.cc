#include "server/http_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

#include "core/json_depth.h"
#include "core/secret_masker.h"

namespace sluice {
namespace {

constexpr size_t kMaxJsonBody = 1 << 20;
constexpr int kMaxJsonDepth = 64;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// "host:port", "[::1]:port" or "host" → host, lower case, brackets dropped.
std::string HostOfHeader(const std::string& header) {
  std::string host = header;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    host = close == std::string::npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos && host.find(':') == colon) {
    host = host.substr(0, colon);
  }
  return Lower(host);
}

std::string BearerToken(const httplib::Request& request) {
  std::string header = request.get_header_value("Authorization");
  constexpr std::string_view kBearer = "bearer ";
  if (header.size() <= kBearer.size() || Lower(header.substr(0, kBearer.size())) != kBearer) return "";
  std::string token = header.substr(kBearer.size());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  return token;
}

// The origin a browser sends for pages the server itself served.
bool IsOwnOrigin(const httplib::Request& request, const std::string& origin) {
  std::string host = request.get_header_value("Host");
  return !host.empty() && (Lower(origin) == "http://" + Lower(host));
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  std::string lowered = Lower(host);
  if (lowered == "localhost") return true;
  if (lowered.size() >= 2 && lowered.front() == '[' && lowered.back() == ']') {
    lowered = lowered.substr(1, lowered.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, lowered.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, lowered.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool TokenMatches(const std::string& presented, const std::string& expected) {
  if (expected.empty()) return false;
  // Every byte of the longer is looked at whatever the lengths, so timing
  // says nothing about how much of the token was right.
  size_t length = std::max(presented.size(), expected.size());
  unsigned char difference = presented.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < length; ++i) {
    unsigned char a = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    unsigned char b = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    difference |= static_cast<unsigned char>(a ^ b);
  }
  return difference == 0;
}

void SendJson(httplib::Response& response, int status, const Value& body) {
  response.status = status;
  std::string text = body.dump(-1, ' ', false, Value::error_handler_t::replace);
  response.set_content(SecretMasker::Global().Mask(text), "application/json; charset=utf-8");
}

int HttpStatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kParse:
    case ErrorKind::kType:
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kSql:
    case ErrorKind::kAssertion:
      return 400;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kAlreadyExists:
      return 409;
    case ErrorKind::kAuth:
    case ErrorKind::kRateLimit:
    case ErrorKind::kConnection:
    case ErrorKind::kConnector:
    case ErrorKind::kDestination:
      return 502;
    case ErrorKind::kTimeout:
      return 504;
    case ErrorKind::kNotImplemented:
      return 501;
    default:
      return 500;
  }
}

void SendError(httplib::Response& response, const Status& status) {
  Value error = Value::object();
  error["kind"] = ErrorKindName(status.kind());
  error["message"] = status.ToString();
  Value body = Value::object();
  body["error"] = std::move(error);
  SendJson(response, HttpStatusFor(status.kind()), body);
}

void SendEdgeError(httplib::Response& response, int http_status, const std::string& kind,
                   const std::string& message) {
  Value error = Value::object();
  error["kind"] = kind;
  error["message"] = message;
  Value body = Value::object();
  body["error"] = std::move(error);
  SendJson(response, http_status, body);
}

bool CheckAccess(const httplib::Request& request, httplib::Response& response, const ServeOptions& options,
                 Access access) {
  const bool loopback = IsLoopbackHost(options.host);
  if (loopback) {
    std::string host = HostOfHeader(request.get_header_value("Host"));
    if (!IsLoopbackHost(host)) {
      SendEdgeError(response, 403, "forbidden",
                    "the Host header must name a loopback host (127.0.0.1, localhost or [::1]); this server "
                    "listens on loopback only");
      return false;
    }
  }
  std::string origin = request.get_header_value("Origin");
  bool cross_origin = !origin.empty() && !IsOwnOrigin(request, origin) &&
                      !(options.cors_origin == "*" || Lower(options.cors_origin) == Lower(origin));
  if (cross_origin && (access == Access::kWrite || request.path.starts_with("/mcp"))) {
    SendEdgeError(response, 403, "forbidden",
                  "cross-origin request from " + origin + " refused (start sluice serve with --cors ORIGIN)");
    return false;
  }
  const bool token_needed = access == Access::kWrite || !loopback;
  if (token_needed && !TokenMatches(BearerToken(request), options.token)) {
    response.set_header("WWW-Authenticate", "Bearer realm=\"sluice\"");
    SendEdgeError(response, 401, "unauthorized",
                  access == Access::kWrite ? "writes need the server's token: Authorization: Bearer <token>"
                                           : "this server is not on loopback: every request needs "
                                             "Authorization: Bearer <token>");
    return false;
  }
  if (access == Access::kWrite && !options.allow_writes) {
    SendEdgeError(response, 403, "forbidden", "writes are off: start sluice serve with --allow-writes");
    return false;
  }
  return true;
}

void AddCorsHeaders(const httplib::Request& request, httplib::Response& response, const ServeOptions& options) {
  if (options.cors_origin.empty()) return;
  std::string origin = request.get_header_value("Origin");
  if (origin.empty()) return;
  if (options.cors_origin != "*" && Lower(options.cors_origin) != Lower(origin)) return;
  response.set_header("Access-Control-Allow-Origin", options.cors_origin == "*" ? "*" : origin);
  response.set_header("Vary", "Origin");
  response.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Mcp-Session-Id, MCP-Protocol-Version");
  response.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  response.set_header("Access-Control-Expose-Headers", "Mcp-Session-Id");
}

std::optional<Value> ParseJsonBody(const httplib::Request& request, httplib::Response& response) {
  if (request.body.empty()) return Value::object();
  if (request.body.size() > kMaxJsonBody) {
    SendEdgeError(response, 413, "invalid_argument", "the request body is larger than 1 MiB");
    return std::nullopt;
  }
  if (JsonTextDepth(request.body) > kMaxJsonDepth) {
    SendEdgeError(response, 400, "invalid_argument", "the request body nests deeper than 64 levels");
    return std::nullopt;
  }
  Value body = Value::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    SendEdgeError(response, 400, "invalid_argument", "the request body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

}  // namespace sluice
