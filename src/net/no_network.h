// NoNetwork: a transport for handlers that must make no request — tests
// and benchmarks of the JavaScript runtime. Any request fails, as a
// refused connection would, when the event loop next polls.
#pragma once

#include <chrono>
#include <utility>
#include <vector>

#include "net/http.h"

namespace sluice {

class NoNetwork : public HttpTransport {
 public:
  uint64_t Start(HttpRequest, Callback done) override {
    failed_.push_back(std::move(done));
    return failed_.size();
  }
  void Cancel(uint64_t) override {}
  size_t Pending() const override { return failed_.size(); }
  void Poll(std::chrono::milliseconds) override {
    auto pending = std::move(failed_);
    failed_.clear();
    for (auto& done : pending) done(Status(ErrorKind::kConnection, "no network in this test"));
  }
  const HttpStats& stats() const override { return stats_; }

 private:
  std::vector<Callback> failed_;
  HttpStats stats_;
};

}  // namespace sluice
