// HTTP as the JavaScript runtime sees it: requests, responses, and the
// transport interface that carries them.
//
// A transport is asynchronous and single-threaded: Start() queues a request,
// and Poll() (called by the event loop on the same thread) waits for
// activity and runs the callbacks of requests that finished. The libcurl
// transport runs many requests at once on one thread; a mock transport
// answers from a table (MOCK_API). Policy (retries, rate limits) wraps any
// transport (policy_transport.h).
//
// Thread-safety: a transport is used from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sluice {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  bool follow_redirects = true;
  std::chrono::milliseconds timeout{0};  // 0: none beyond the handler's own
  // The largest body to accept, counted after decoding (a small gzip body
  // can inflate to gigabytes); 0: no limit.
  size_t max_body_bytes = 0;
};

// "scheme://host:port/path" of a URL: no credentials, query or fragment, for
// errors that name a URL that may carry a token.
std::string UrlForErrors(const std::string& url);

struct HttpResponse {
  long status = 0;
  std::string status_text;
  std::string url;          // after redirects
  bool redirected = false;
  HttpHeaders headers;      // names lower-case, in the order received
  std::string body;         // decoded (gzip/deflate/br undone)

  // First value of a header (name lower-case), or "".
  std::string Header(std::string_view name) const;
};

// What a transport did, for diagnostics (`.stats`).
struct HttpStats {
  uint64_t requests = 0;        // attempts sent, retries included
  uint64_t retries = 0;
  uint64_t rate_limit_waits = 0;
  uint64_t bytes_received = 0;
  uint64_t failures = 0;        // network failures (no HTTP status)
};

class HttpTransport {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;
  virtual ~HttpTransport() = default;

  // Queues a request; `done` runs from a later Poll(), exactly once (with a
  // kConnection or kTimeout error when no response arrived, or a
  // kInvalidArgument error when the request was cancelled).
  virtual uint64_t Start(HttpRequest request, Callback done) = 0;
  // Cancels a queued or running request; its callback runs with an error.
  virtual void Cancel(uint64_t id) = 0;
  virtual size_t Pending() const = 0;
  // Waits at most `timeout` for activity and runs finished callbacks.
  virtual void Poll(std::chrono::milliseconds timeout) = 0;
  virtual const HttpStats& stats() const = 0;
};

// HTTP reason phrase for a status ("Not Found"), or "".
const char* HttpReasonPhrase(long status);

}  // namespace sluice
