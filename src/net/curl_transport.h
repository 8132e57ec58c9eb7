// CurlTransport: HttpTransport over libcurl's multi interface, so every
// request a handler starts is in flight at once on the event loop's thread.
//
// Only http and https are allowed (also after redirects): handlers have no
// file system access, and file:// or other schemes would give it to them.
// Compressed responses are decoded, up to the request's max_body_bytes;
// redirects are followed when asked (up to 20), by this class rather than
// libcurl: to another origin, only headers that carry no credential go
// along. The request's timeout is also checked as the body arrives and
// inflates, so no response outlasts it. TLS uses libcurl's defaults.
//
// Ownership: owns its CURLM and every CURL handle of a running request.
// Thread-safety: one thread.
#pragma once

#include <curl/curl.h>

#include <deque>
#include <map>
#include <memory>

#include "net/http.h"

namespace sluice {

class CurlTransport : public HttpTransport {
 public:
  CurlTransport();
  ~CurlTransport() override;

  uint64_t Start(HttpRequest request, Callback done) override;
  void Cancel(uint64_t id) override;
  size_t Pending() const override { return running_.size() + failed_.size(); }
  void Poll(std::chrono::milliseconds timeout) override;
  const HttpStats& stats() const override { return stats_; }

 private:
  struct Transfer;
  struct MultiCleanup {
    void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
  };

  void Configure(Transfer& transfer, uint64_t id);
  // Restarts a finished transfer at its redirect's target; false when it
  // was not a redirect to follow.
  bool FollowRedirect(Transfer& transfer, uint64_t id);
  void Finish(uint64_t id, CURLcode code);
  // Runs the callback of the transfer that finished first, if any (true
  // then); the others wait in finished_ for the next Poll(). One at a time,
  // so the event loop runs the work each response starts — new requests of
  // a fan-out among it — before the next response's.
  bool DrainFinished();

  std::unique_ptr<CURLM, MultiCleanup> multi_;
  std::map<uint64_t, std::unique_ptr<Transfer>> running_;
  // Requests that failed before reaching libcurl; reported on the next Poll
  // so callbacks never run inside Start().
  std::map<uint64_t, std::pair<Status, Callback>> failed_;
  // Transfers libcurl reported done whose callbacks have not run yet.
  std::deque<std::pair<uint64_t, CURLcode>> finished_;
  // Transfers were added since the last curl_multi_perform.
  bool added_ = false;
  uint64_t next_id_ = 1;
  HttpStats stats_;
};

}  // namespace sluice
