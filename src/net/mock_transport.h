// MockTransport: answers requests from a table instead of the network, for
// connector tests (MOCK_API) and mock:// URLs.
//
// Routes are "METHOD /path" keys. A key without a query string matches any
// query string; one with a query string matches it exactly. Path segments
// written ":name" match any one segment. A route may hold several responses:
// they are served in order, the last one repeating. Every request is
// recorded; one that matches no route fails with a kNotFound error naming
// the request and the routes there are (and is recorded as unmatched).
//
// Thread-safety: one thread.
#pragma once

#include <deque>
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
};

struct RecordedRequest {
  HttpRequest request;
  std::string path;
  std::string query;
  bool matched = false;
};

class MockTransport : public HttpTransport {
 public:
  // Builds routes from a MOCK_API object:
  // {"GET /items": {"status": 200, "body": {…}, "headers": {…}, "delay_ms": 0}
  //                | [response, response, …]}
  static Result<std::unique_ptr<MockTransport>> FromSpec(const Value& spec);

  uint64_t Start(HttpRequest request, Callback done) override;
  void Cancel(uint64_t id) override;
  size_t Pending() const override { return queue_.size(); }
  void Poll(std::chrono::milliseconds timeout) override;
  const HttpStats& stats() const override { return stats_; }

  const std::vector<RecordedRequest>& requests() const { return requests_; }

 private:
  struct Queued {
    uint64_t id;
    std::chrono::steady_clock::time_point ready_at;
    Result<HttpResponse> result;
    Callback done;
  };

  std::vector<MockRoute> routes_;
  std::vector<RecordedRequest> requests_;
  std::deque<Queued> queue_;
  uint64_t next_id_ = 1;
  HttpStats stats_;
};

}  // namespace sluice
