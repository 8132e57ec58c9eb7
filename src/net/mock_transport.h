// MockApi and MockTransport: answering requests from a table instead of the
// network, for connector tests (MOCK_API) and mock:// URLs.
//
// A MockApi is one test's table. Routes are "METHOD /path" keys. A key
// without a query string matches any query string; one with a query string
// matches it exactly (and wins over one that takes any). Path segments
// written ":name" match any one segment. A route may hold several responses:
// they are served in order, the last one repeating. Every request is
// recorded, matched or not; one that matches no route is answered with a
// kNotFound error naming the request and the routes there are.
//
// A MockTransport is one connector's view of a MockApi: the API is shared by
// every connector a test creates (so MOCK_REQUESTS() sees them all), while
// each transport keeps its own queue, since each connector's event loop
// polls only its own transport. A response's delay_ms beyond the request's
// timeout ends in a kTimeout error at the timeout, as the network would.
//
// Ownership: transports share the MockApi. Thread-safety: one thread.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/value.h"
#include "net/http.h"

namespace sluice {

struct MockResponse {
  long status = 200;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds delay{0};
};

struct MockRoute {
  std::string method;
  std::string path;                  // may hold :params
  std::optional<std::string> query;  // exact query string, or any
  std::vector<MockResponse> responses;
  size_t served = 0;

  std::string Key() const;  // "GET /items?page=2", as written
};

struct RecordedRequest {
  HttpRequest request;
  std::string path;
  std::string query;  // raw, without '?'
  bool matched = false;

  // {"method", "url", "path", "query": {name: value | [values]}, "query_string",
  //  "headers": {lower-case name: value}, "body": JSON if it parses, else text,
  //  "matched"} — what MOCK_REQUESTS() returns per request.
  Value ToValue() const;
};

class MockApi {
 public:
  // Builds the table from a MOCK_API object:
  // {"GET /items": {"status": 200, "body": {…}, "headers": {…}, "delay_ms": 0}
  //                | [response, response, …]}
  static Result<std::shared_ptr<MockApi>> FromSpec(const Value& spec);

  // Records the request and picks its response (kNotFound when no route matches).
  Result<MockResponse> Answer(const HttpRequest& request);

  const std::vector<RecordedRequest>& requests() const { return requests_; }
  const std::vector<MockRoute>& routes() const { return routes_; }
  // The first request no route matched, if any.
  const RecordedRequest* FirstUnmatched() const;
  // "GET /items, POST /items" (or "none").
  std::string DescribeRoutes() const;

 private:
  std::vector<MockRoute> routes_;
  std::vector<RecordedRequest> requests_;
};

class MockTransport : public HttpTransport {
 public:
  explicit MockTransport(std::shared_ptr<MockApi> api) : api_(std::move(api)) {}
  // A transport over a table of its own (unit tests).
  static Result<std::unique_ptr<MockTransport>> FromSpec(const Value& spec);

  uint64_t Start(HttpRequest request, Callback done) override;
  void Cancel(uint64_t id) override;
  size_t Pending() const override { return queue_.size(); }
  void Poll(std::chrono::milliseconds timeout) override;
  const HttpStats& stats() const override { return stats_; }

  const std::vector<RecordedRequest>& requests() const { return api_->requests(); }

 private:
  struct Queued {
    uint64_t id;
    std::chrono::steady_clock::time_point ready_at;
    Result<HttpResponse> result;
    Callback done;
  };

  std::shared_ptr<MockApi> api_;
  std::deque<Queued> queue_;
  uint64_t next_id_ = 1;
  HttpStats stats_;
};

}  // namespace sluice
