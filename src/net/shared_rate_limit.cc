#include "net/shared_rate_limit.h"

namespace sluice {
namespace {

SharedRateLimitFactory& Factory() {
  static SharedRateLimitFactory factory;
  return factory;
}

}  // namespace

void SetSharedRateLimitFactory(SharedRateLimitFactory factory) { Factory() = std::move(factory); }

std::shared_ptr<SharedRateLimit> MakeSharedRateLimit(const std::string& key, double rate, double burst) {
  if (!Factory() || rate <= 0) return nullptr;
  return Factory()(key, rate, burst < 1 ? 1 : burst);
}

}  // namespace sluice
