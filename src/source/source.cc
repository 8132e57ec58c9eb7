#include "source/source.h"

#include <algorithm>

#include "catalog/connector_options.h"

namespace sluice {

ConnectorLimits ConnectorLimits::FromOptions(const Value& options) {
  ConnectorLimits limits;
  // Defaults and names: catalog/connector_options.cc (absent OPTIONS read as
  // the defaults).
  double seconds = OptionNumber(options, "timeout_seconds");
  limits.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::max(0.001, seconds) * 1000));
  limits.retry_count = static_cast<int>(OptionNumber(options, "retry_count"));
  limits.rate_limit = OptionNumber(options, "rate_limit");
  limits.rate_limit_burst = OptionNumber(options, "rate_limit_burst");
  limits.cache_ttl = std::chrono::seconds(static_cast<int64_t>(OptionNumber(options, "cache_ttl")));
  double max_mb = OptionNumber(options, "max_response_mb");
  limits.max_response_bytes = static_cast<size_t>(std::clamp(max_mb, 1.0, 1048576.0) * (1 << 20));
  limits.invalid_utf8_error = OptionText(options, "invalid_utf8") == "error";
  return limits;
}

}  // namespace sluice
