#include "source/source.h"

#include <algorithm>

namespace sluice {
namespace {

double NumberOption(const Value& options, const char* key, double fallback) {
  auto found = options.find(key);
  return found != options.end() && found->is_number() ? found->get<double>() : fallback;
}

}  // namespace

ConnectorLimits ConnectorLimits::FromOptions(const Value& options) {
  ConnectorLimits limits;
  if (!options.is_object()) return limits;
  double seconds = NumberOption(options, "timeout_seconds", 60);
  limits.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::max(0.001, seconds) * 1000));
  limits.retry_count = static_cast<int>(NumberOption(options, "retry_count", 3));
  limits.rate_limit = NumberOption(options, "rate_limit", 0);
  limits.rate_limit_burst = NumberOption(options, "rate_limit_burst", 0);
  limits.cache_ttl =
      std::chrono::seconds(static_cast<int64_t>(NumberOption(options, "cache_ttl", 0)));
  double max_mb = NumberOption(options, "max_response_mb", 64);
  limits.max_response_bytes = static_cast<size_t>(std::clamp(max_mb, 1.0, 1048576.0) * (1 << 20));
  auto invalid_utf8 = options.find("invalid_utf8");
  limits.invalid_utf8_error = invalid_utf8 != options.end() && *invalid_utf8 == "error";
  return limits;
}

}  // namespace sluice
