// PolicyTransport: the engine's HTTP policy for one connector, wrapped
// around any transport (DESIGN.md §4, connector OPTIONS):
//
//  * retries 429 and 5xx responses up to `retry_count` times with
//    exponential backoff and jitter, or after the server's Retry-After
//    (seconds or an HTTP-date) when it sends one. 5xx responses are retried
//    only for idempotent methods: a POST that failed with 500 may have taken
//    effect, and sending it again could act twice. 429 means "not
//    processed", so every method is retried;
//  * limits the request rate with a token bucket (`rate_limit` requests per
//    second, bursts of `rate_limit_burst`), and with a SharedRateLimit first
//    when other processes share the rate: each attempt of a request reserves
//    its slot there and waits for it, then takes a local token. A
//    reservation that fails falls back to the local bucket alone (said once
//    on stderr);
//  * counts requests, retries, rate-limit waits and bytes for diagnostics.
//
// A retry whose wait would pass `max_retry_wait` is not made: the response is
// handed back, and the handler decides (the guide's handlers turn 429 into
// ConnectorRateLimitError).
//
// Ownership: owns the wrapped transport.
// Thread-safety: one thread.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <random>

#include "net/http.h"
#include "net/shared_rate_limit.h"

namespace sluice {

struct HttpPolicy {
  int retry_count = 3;                                 // retries after the first attempt
  std::chrono::milliseconds backoff_base{200};         // first retry waits up to this
  std::chrono::milliseconds backoff_max{10'000};       // cap of one backoff wait
  std::chrono::milliseconds max_retry_wait{60'000};    // longer Retry-After: give up
  double rate_limit = 0;                               // requests per second; 0 = unlimited
  double rate_limit_burst = 0;                         // bucket size; 0 = max(1, rate_limit)
  // Shared with other processes (net/shared_rate_limit.h): each request
  // first reserves its slot there. Null: this process's bucket only.
  std::shared_ptr<SharedRateLimit> shared_rate_limit;
};

class PolicyTransport : public HttpTransport {
 public:
  PolicyTransport(std::unique_ptr<HttpTransport> inner, HttpPolicy policy);

  uint64_t Start(HttpRequest request, Callback done) override;
  void Cancel(uint64_t id) override;
  size_t Pending() const override { return jobs_.size(); }
  void Poll(std::chrono::milliseconds timeout) override;
  const HttpStats& stats() const override;

  // Parses Retry-After: delta seconds or an HTTP-date; nullopt if neither.
  static std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

 private:
  using Clock = std::chrono::steady_clock;
  struct Job {
    HttpRequest request;
    Callback done;
    int attempt = 0;
    Clock::time_point ready_at;
    uint64_t inner_id = 0;  // 0 while waiting
    bool counted_wait = false;
    bool reserved = false;  // this attempt's shared slot is reserved
  };

  void Dispatch(Clock::time_point now);
  void StartInner(uint64_t id, Job& job);
  void OnResponse(uint64_t id, Result<HttpResponse> result);
  bool TakeToken(Clock::time_point now);
  Clock::time_point NextTokenAt() const;

  std::unique_ptr<HttpTransport> inner_;
  HttpPolicy policy_;
  std::map<uint64_t, Job> jobs_;
  std::deque<std::pair<uint64_t, Status>> cancelled_;
  uint64_t next_id_ = 1;
  double tokens_;
  Clock::time_point refilled_at_;
  std::mt19937_64 random_;
  bool shared_failed_ = false;  // the fallback was reported
  mutable HttpStats stats_;
};

}  // namespace sluice
