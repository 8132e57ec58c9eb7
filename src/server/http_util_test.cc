#include "server/http_util.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

#include "core/secret_masker.h"

namespace sluice {
namespace {

// A GET of `path` with a Host header and `headers` besides.
httplib::Request RequestTo(
    const std::string& path, const std::string& host,
    std::initializer_list<std::pair<const char*, std::string>> headers = {}) {
  httplib::Request request;
  request.method = "GET";
  request.path = path;
  request.headers.emplace("Host", host);
  for (const auto& [name, value] : headers) request.headers.emplace(name, value);
  return request;
}

ServeOptions LoopbackOptions(bool allow_writes) {
  ServeOptions options;
  options.host = "127.0.0.1";
  options.token = "0123456789abcdef0123456789abcdef";
  options.allow_writes = allow_writes;
  return options;
}

std::string KindOf(const httplib::Response& response) {
  Value body = Value::parse(response.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"].value("kind", "") : "";
}

TEST(HttpUtilTest, LoopbackHostsAreTheLoopbackOnes) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "10.0.0.1", "127.0.0.1.evil.example", "127.0.0",
                           "localhost.evil.example", "", "::", "127.0.0.1:80"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(HttpUtilTest, TokenMatchesOnlyTheWholeToken) {
  EXPECT_TRUE(TokenMatches("secret-token-1234", "secret-token-1234"));
  EXPECT_FALSE(TokenMatches("secret-token-123", "secret-token-1234"));
  EXPECT_FALSE(TokenMatches("secret-token-12345", "secret-token-1234"));
  EXPECT_FALSE(TokenMatches("", "secret-token-1234"));
  EXPECT_FALSE(TokenMatches("", ""));  // a server without a token accepts no one
}

TEST(HttpUtilTest, LoopbackReadsNeedNoTokenButWritesDo) {
  ServeOptions options = LoopbackOptions(true);
  httplib::Response read_response;
  EXPECT_TRUE(
      CheckAccess(RequestTo("/api/runs", "127.0.0.1:8765"), read_response, options, Access::kRead));

  httplib::Response anonymous;
  EXPECT_FALSE(
      CheckAccess(RequestTo("/api/sync", "127.0.0.1:8765"), anonymous, options, Access::kWrite));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(KindOf(anonymous), "unauthorized");

  httplib::Request wrong =
      RequestTo("/api/sync", "localhost:8765", {{"Authorization", "Bearer not-the-token"}});
  httplib::Response wrong_response;
  EXPECT_FALSE(CheckAccess(wrong, wrong_response, options, Access::kWrite));
  EXPECT_EQ(wrong_response.status, 401);

  httplib::Request right =
      RequestTo("/api/sync", "localhost:8765", {{"Authorization", "bearer " + options.token}});
  httplib::Response right_response;
  EXPECT_TRUE(CheckAccess(right, right_response, options, Access::kWrite));
}

TEST(HttpUtilTest, WritesNeedTheFlagEvenWithTheToken) {
  ServeOptions options = LoopbackOptions(false);
  httplib::Request request =
      RequestTo("/api/sync", "127.0.0.1:8765", {{"Authorization", "Bearer " + options.token}});
  httplib::Response response;
  EXPECT_FALSE(CheckAccess(request, response, options, Access::kWrite));
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(response.body.find("--allow-writes"), std::string::npos);
  // Without a token, or with a stale one, the reason is still the flag.
  httplib::Request stale =
      RequestTo("/api/sync", "127.0.0.1:8765", {{"Authorization", "Bearer yesterdays-token-0000"}});
  httplib::Response stale_response;
  EXPECT_FALSE(CheckAccess(stale, stale_response, options, Access::kWrite));
  EXPECT_EQ(stale_response.status, 403);
}

TEST(HttpUtilTest, ALoopbackServerRefusesAForeignHostHeader) {
  // DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends
  // its own name as Host.
  ServeOptions options = LoopbackOptions(false);
  httplib::Response response;
  EXPECT_FALSE(
      CheckAccess(RequestTo("/api/runs", "evil.example:8765"), response, options, Access::kRead));
  EXPECT_EQ(response.status, 403);
  httplib::Response no_host;
  EXPECT_FALSE(CheckAccess(RequestTo("/api/runs", ""), no_host, options, Access::kRead));
}

TEST(HttpUtilTest, ANonLoopbackServerNeedsTheTokenToRead) {
  ServeOptions options = LoopbackOptions(false);
  options.host = "0.0.0.0";
  httplib::Response response;
  EXPECT_FALSE(
      CheckAccess(RequestTo("/api/runs", "10.1.2.3:8765"), response, options, Access::kRead));
  EXPECT_EQ(response.status, 401);
  httplib::Request with_token =
      RequestTo("/api/runs", "10.1.2.3:8765", {{"Authorization", "Bearer " + options.token}});
  httplib::Response ok;
  EXPECT_TRUE(CheckAccess(with_token, ok, options, Access::kRead));
}

TEST(HttpUtilTest, CrossOriginWritesAndMcpAreRefusedUnlessAllowed) {
  ServeOptions options = LoopbackOptions(true);
  httplib::Request write =
      RequestTo("/api/sync", "127.0.0.1:8765",
                {{"Authorization", "Bearer " + options.token}, {"Origin", "https://evil.example"}});
  httplib::Response refused;
  EXPECT_FALSE(CheckAccess(write, refused, options, Access::kWrite));
  EXPECT_EQ(refused.status, 403);

  httplib::Request mcp = RequestTo("/mcp", "127.0.0.1:8765", {{"Origin", "https://evil.example"}});
  httplib::Response mcp_refused;
  EXPECT_FALSE(CheckAccess(mcp, mcp_refused, options, Access::kRead));

  // The console's own page: Origin is the server itself.
  httplib::Request own = RequestTo(
      "/api/sync", "127.0.0.1:8765",
      {{"Authorization", "Bearer " + options.token}, {"Origin", "http://127.0.0.1:8765"}});
  httplib::Response allowed;
  EXPECT_TRUE(CheckAccess(own, allowed, options, Access::kWrite));

  options.cors_origin = "https://notebook.example";
  httplib::Request listed = RequestTo(
      "/api/sync", "127.0.0.1:8765",
      {{"Authorization", "Bearer " + options.token}, {"Origin", "https://notebook.example"}});
  httplib::Response cors_allowed;
  EXPECT_TRUE(CheckAccess(listed, cors_allowed, options, Access::kWrite));
}

TEST(HttpUtilTest, CorsHeadersOnlyForTheAllowedOrigin) {
  ServeOptions options = LoopbackOptions(false);
  httplib::Request request =
      RequestTo("/api/runs", "127.0.0.1:8765", {{"Origin", "https://notebook.example"}});
  httplib::Response off;
  AddCorsHeaders(request, off, options);
  EXPECT_FALSE(off.has_header("Access-Control-Allow-Origin"));
  options.cors_origin = "https://other.example";
  httplib::Response other;
  AddCorsHeaders(request, other, options);
  EXPECT_FALSE(other.has_header("Access-Control-Allow-Origin"));
  options.cors_origin = "https://notebook.example";
  httplib::Response on;
  AddCorsHeaders(request, on, options);
  EXPECT_EQ(on.get_header_value("Access-Control-Allow-Origin"), "https://notebook.example");
}

TEST(HttpUtilTest, ErrorsAreJsonWithKindAndMaskedMessage) {
  SecretMasker::Global().Add("hunter2-very-secret");
  httplib::Response response;
  SendError(response, Status(ErrorKind::kAuth, "the API said no to hunter2-very-secret"));
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(KindOf(response), "auth_error");
  EXPECT_EQ(response.body.find("hunter2-very-secret"), std::string::npos);
  httplib::Response not_found;
  SendError(not_found, Status(ErrorKind::kNotFound, "no connector named 'x'"));
  EXPECT_EQ(not_found.status, 404);
}

TEST(HttpUtilTest, BodiesMustBeSmallShallowJsonObjects) {
  httplib::Request request;
  httplib::Response response;
  request.body = "[1, 2]";
  EXPECT_FALSE(ParseJsonBody(request, response).has_value());
  EXPECT_EQ(response.status, 400);
  request.body = std::string(100, '[') + std::string(100, ']');
  httplib::Response deep;
  EXPECT_FALSE(ParseJsonBody(request, deep).has_value());
  request.body = "{\"a\": ";
  httplib::Response truncated;
  EXPECT_FALSE(ParseJsonBody(request, truncated).has_value());
  request.body = "";
  httplib::Response empty;
  std::optional<Value> parsed = ParseJsonBody(request, empty);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->is_object());
}

// A web page can make the browser send a GET it cannot read the answer of
// (<img>, a no-cors fetch); /api/query would still run live API calls with
// the workspace's secrets. Browsers mark such requests; reads are refused
// too, unless --cors allows the page's origin.
TEST(HttpUtilTest, BrowserRequestsFromOtherSitesAreRefusedReadsIncluded) {
  ServeOptions options = LoopbackOptions(false);
  httplib::Request no_cors =
      RequestTo("/api/query", "127.0.0.1:8765",
                {{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Mode", "no-cors"}});
  httplib::Response refused;
  EXPECT_FALSE(CheckAccess(no_cors, refused, options, Access::kRead));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(KindOf(refused), "forbidden");
  EXPECT_NE(refused.body.find("--cors"), std::string::npos);

  // Another port of the same host is another origin but the same site.
  httplib::Request same_site =
      RequestTo("/api/connectors", "127.0.0.1:8765", {{"Sec-Fetch-Site", "same-site"}});
  httplib::Response same_site_refused;
  EXPECT_FALSE(CheckAccess(same_site, same_site_refused, options, Access::kRead));

  // An Origin header alone (a browser without Sec-Fetch-*).
  httplib::Request foreign =
      RequestTo("/api/runs", "127.0.0.1:8765", {{"Origin", "http://evil.example"}});
  httplib::Response foreign_refused;
  EXPECT_FALSE(CheckAccess(foreign, foreign_refused, options, Access::kRead));
  EXPECT_EQ(foreign_refused.status, 403);

  // The console's own calls, and what the user typed in the address bar.
  for (const char* site : {"same-origin", "none"}) {
    httplib::Request own = RequestTo("/api/query", "127.0.0.1:8765");
    own.headers.emplace("Sec-Fetch-Site", site);
    own.headers.emplace("Origin", "http://127.0.0.1:8765");
    httplib::Response allowed;
    EXPECT_TRUE(CheckAccess(own, allowed, options, Access::kRead)) << site;
  }

  options.cors_origin = "https://notebook.example";
  httplib::Request listed =
      RequestTo("/api/query", "127.0.0.1:8765",
                {{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://notebook.example"}});
  httplib::Response cors_allowed;
  EXPECT_TRUE(CheckAccess(listed, cors_allowed, options, Access::kRead));
  httplib::Response still_refused;
  EXPECT_FALSE(CheckAccess(no_cors, still_refused, options, Access::kRead));
}

TEST(HttpUtilTest, ALinkToTheConsoleStillOpensIt) {
  ServeOptions options = LoopbackOptions(false);
  auto navigation = [](const std::string& path, const std::string& dest) {
    httplib::Request request = RequestTo(path, "127.0.0.1:8765");
    request.headers.emplace("Sec-Fetch-Site", "cross-site");
    request.headers.emplace("Sec-Fetch-Mode", "navigate");
    request.headers.emplace("Sec-Fetch-Dest", dest);
    return request;
  };
  httplib::Response page;
  EXPECT_TRUE(CheckAccess(navigation("/", "document"), page, options, Access::kRead));
  // Not in a frame, and not a link straight to the API or /mcp.
  httplib::Response framed;
  EXPECT_FALSE(CheckAccess(navigation("/", "iframe"), framed, options, Access::kRead));
  httplib::Response api;
  EXPECT_FALSE(CheckAccess(navigation("/api/query", "document"), api, options, Access::kRead));
  httplib::Response mcp;
  EXPECT_FALSE(CheckAccess(navigation("/mcp", "document"), mcp, options, Access::kRead));
}

TEST(HttpUtilTest, AMalformedOrDoubledHostHeaderIsRefused) {
  ServeOptions options = LoopbackOptions(false);
  for (const char* host : {"localhost:abc", "127.0.0.1:", "127.0.0.1:8765x", "[::1]x", "[::1:8765",
                           "localhost:123456"}) {
    httplib::Response response;
    EXPECT_FALSE(CheckAccess(RequestTo("/api/runs", host), response, options, Access::kRead))
        << host;
    EXPECT_EQ(response.status, 403) << host;
  }
  for (const char* host : {"localhost", "localhost:8765", "[::1]:8765", "[::1]"}) {
    httplib::Response response;
    EXPECT_TRUE(CheckAccess(RequestTo("/api/runs", host), response, options, Access::kRead))
        << host;
  }
  // The check must not look at one Host while a proxy looks at the other.
  httplib::Request doubled = RequestTo("/api/runs", "127.0.0.1:8765", {{"Host", "evil.example"}});
  httplib::Response doubled_response;
  EXPECT_FALSE(CheckAccess(doubled, doubled_response, options, Access::kRead));
  EXPECT_EQ(doubled_response.status, 400);
}

TEST(HttpUtilTest, PreflightsAreAnsweredOnlyForTheAllowedOrigin) {
  ServeOptions options = LoopbackOptions(false);
  httplib::Request request = RequestTo("/api/query", "127.0.0.1:8765");
  request.method = "OPTIONS";
  request.headers.emplace("Origin", "https://notebook.example");
  httplib::Response off;
  AnswerPreflight(request, off, options);
  EXPECT_EQ(off.status, 403);
  EXPECT_EQ(KindOf(off), "forbidden");
  EXPECT_FALSE(off.has_header("Access-Control-Allow-Origin"));
  options.cors_origin = "https://notebook.example";
  httplib::Response on;
  AnswerPreflight(request, on, options);
  EXPECT_EQ(on.status, 204);
  EXPECT_EQ(on.get_header_value("Access-Control-Allow-Origin"), "https://notebook.example");
  httplib::Request no_origin = RequestTo("/api/query", "127.0.0.1:8765");
  httplib::Response none;
  AnswerPreflight(no_origin, none, options);
  EXPECT_EQ(none.status, 403);
}

}  // namespace
}  // namespace sluice
