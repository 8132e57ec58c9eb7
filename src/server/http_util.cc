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

// "host:port", "[::1]:port" or "host" → host, lower case, brackets dropped;
// nullopt when the header is malformed (a port that is not 1-5 digits, a
// bracket left open), which no browser sends.
std::optional<std::string> HostOfHeader(const std::string& header) {
  std::string host = header;
  std::string port;
  bool has_port = false;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return std::nullopt;
    std::string rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      has_port = true;
      port = rest.substr(1);
    }
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos && host.find(':') == colon) {
    has_port = true;
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (has_port) {
    if (port.empty() || port.size() > 5) return std::nullopt;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
    }
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

bool CorsAllows(const ServeOptions& options, const std::string& origin) {
  if (options.cors_origin.empty() || origin.empty()) return false;
  return options.cors_origin == "*" || Lower(options.cors_origin) == Lower(origin);
}

// A link followed to the console's page (not an API call, not a frame):
// the page then calls the API from its own origin.
bool IsConsoleNavigation(const httplib::Request& request) {
  if (request.path.starts_with("/api") || request.path.starts_with("/mcp")) return false;
  return Lower(request.get_header_value("Sec-Fetch-Mode")) == "navigate" &&
         Lower(request.get_header_value("Sec-Fetch-Dest")) == "document";
}

// Why a browser's request made for a page of another origin is refused, or
// nullopt. Any web page can make the browser send a GET (an <img>, a
// no-cors fetch) and, though it cannot read the answer, the query still
// runs live API calls with the workspace's secrets; so reads are refused
// too, not only writes. Browsers say where a request comes from with
// Sec-Fetch-Site and (for CORS and POST) Origin; clients that are not
// browsers send neither and are not concerned.
std::optional<std::string> CrossSiteRefusal(const httplib::Request& request, const ServeOptions& options) {
  const std::string origin = request.get_header_value("Origin");
  if (CorsAllows(options, origin)) return std::nullopt;
  const std::string site = Lower(request.get_header_value("Sec-Fetch-Site"));
  const bool foreign_origin = !origin.empty() && !IsOwnOrigin(request, origin);
  const bool other_site = site == "cross-site" || site == "same-site";
  if (!foreign_origin && !other_site) return std::nullopt;
  if (IsConsoleNavigation(request)) return std::nullopt;
  std::string from = origin.empty() ? "another site" : origin;
  return "cross-origin request from " + from + " refused (start sluice serve with --cors ORIGIN to allow a web page "
         "to call it)";
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
  // Two Host headers: which one a proxy or the check below looks at would
  // be a guess (RFC 9112 §3.2: a 400).
  if (request.get_header_value_count("Host") > 1) {
    SendEdgeError(response, 400, "invalid_argument", "the request has more than one Host header");
    return false;
  }
  const bool loopback = IsLoopbackHost(options.host);
  if (loopback) {
    std::optional<std::string> host = HostOfHeader(request.get_header_value("Host"));
    if (!host || !IsLoopbackHost(*host)) {
      SendEdgeError(response, 403, "forbidden",
                    "the Host header must name a loopback host (127.0.0.1, localhost or [::1]) and a numeric "
                    "port; this server listens on loopback only");
      return false;
    }
  }
  if (std::optional<std::string> refusal = CrossSiteRefusal(request, options)) {
    SendEdgeError(response, 403, "forbidden", *refusal);
    return false;
  }
  // On loopback anyone may learn that writes are off (GET /api/status says
  // so): saying it first names the real reason, where "wrong token" would
  // send the user hunting for a token that cannot help.
  if (access == Access::kWrite && !options.allow_writes && loopback) {
    SendEdgeError(response, 403, "forbidden", "writes are off: start sluice serve with --allow-writes");
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
  std::string origin = request.get_header_value("Origin");
  if (!CorsAllows(options, origin)) return;
  response.set_header("Access-Control-Allow-Origin", options.cors_origin == "*" ? "*" : origin);
  response.set_header("Vary", "Origin");
  response.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Mcp-Session-Id, MCP-Protocol-Version");
  response.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  response.set_header("Access-Control-Expose-Headers", "Mcp-Session-Id");
}

void AnswerPreflight(const httplib::Request& request, httplib::Response& response, const ServeOptions& options) {
  if (!CorsAllows(options, request.get_header_value("Origin"))) {
    // A 204 to anyone would tell a page it may go on; only --cors may.
    SendEdgeError(response, 403, "forbidden",
                  "OPTIONS answers only a CORS preflight from the origin allowed by --cors");
    return;
  }
  AddCorsHeaders(request, response, options);
  response.status = 204;
}

std::optional<Value> ParseJsonBody(const httplib::Request& request, httplib::Response& response) {
  return ParseJsonText(request.body, response);
}

std::optional<Value> ParseJsonText(const std::string& text, httplib::Response& response) {
  if (text.empty()) return Value::object();
  if (text.size() > kMaxJsonBody) {
    SendEdgeError(response, 413, "invalid_argument", "the request body is larger than 1 MiB");
    return std::nullopt;
  }
  if (JsonTextDepth(text) > kMaxJsonDepth) {
    SendEdgeError(response, 400, "invalid_argument", "the request body nests deeper than 64 levels");
    return std::nullopt;
  }
  Value body = Value::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    SendEdgeError(response, 400, "invalid_argument", "the request body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

}  // namespace sluice
