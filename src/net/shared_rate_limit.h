// A request rate shared by processes: N workers of a distributed run against
// one API keep the connector's `rate_limit` together, not N times over
// (DESIGN.md §11). The worker installs a factory (the PostgreSQL one is in
// sync/coordinator.h: GCRA over one row per key); every connector instance
// started afterwards with a `rate_limit` reserves each request's slot
// through it, before its own token bucket.
//
// Thread-safety: the factory is set once, before connectors start; a
// SharedRateLimit is used from its connector's thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace sluice {

class SharedRateLimit {
 public:
  virtual ~SharedRateLimit() = default;
  // Reserves the next request's slot: how long to wait before sending it
  // (zero: now). An error makes the caller fall back to its own bucket
  // (and say so once on stderr): a coordinator that is down must not stop
  // a sync that could go on within its own limit.
  virtual Result<std::chrono::microseconds> Reserve() = 0;
};

// `key`: what shares the rate (the connector's name in the run); `rate`
// requests per second, `burst` the bucket (>= 1).
using SharedRateLimitFactory =
    std::function<std::shared_ptr<SharedRateLimit>(const std::string& key, double rate, double burst)>;

void SetSharedRateLimitFactory(SharedRateLimitFactory factory);
// Null without a factory, or when `rate` is 0 (no limit).
std::shared_ptr<SharedRateLimit> MakeSharedRateLimit(const std::string& key, double rate, double burst);

}  // namespace sluice
