#include "catalog/connector_options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>

namespace sluice {
namespace {

constexpr std::string_view kInvalidUtf8Choices[] = {"replace", "error"};

// Sorted by name. Defaults are the ones the readers used before this table:
// source/connector_instance.cc (ConnectorLimits) and the sync of
// lang/interpreter_sync.cc.
constexpr ConnectorOption kOptions[] = {
    {"batch_size", OptionType::kInteger, 10'000, "", "whole number; 0 keeps the default",
     "Rows per destination transaction in a SYNC."},
    {"cache_ttl", OptionType::kNumber, 0, "", "seconds; 0 caches nothing",
     "How long a complete scan's rows are kept and reused by later queries."},
    {"concurrency", OptionType::kInteger, 4, "", "whole number; at least 1",
     "Entities a SYNC of the connector runs at once."},
    {"invalid_utf8", OptionType::kChoice, 0, "replace", "\"replace\" or \"error\"",
     "A response body that is not valid UTF-8: replaced with U+FFFD and counted, or refused.",
     kInvalidUtf8Choices},
    {"lease_seconds", OptionType::kInteger, 30, "", "seconds, 1 to 3600",
     "SYNC … DISTRIBUTED: how long a worker's lease on a unit lasts without a committed batch.", {}, 1, 3600},
    {"max_attempts", OptionType::kInteger, 3, "", "whole number, 1 to 100",
     "SYNC … DISTRIBUTED: leases of a unit before it fails (its first attempt included).", {}, 1, 100},
    {"max_response_mb", OptionType::kNumber, 64, "", "MiB, 1 to 1048576",
     "Largest response body, counted after decompression."},
    {"rate_limit", OptionType::kNumber, 0, "", "requests per second; 0 is no limit",
     "Token-bucket rate of HTTP requests."},
    {"rate_limit_burst", OptionType::kNumber, 0, "", "requests",
     "Requests the token bucket lets through at once."},
    {"retry_count", OptionType::kInteger, 3, "", "whole number",
     "Retries of a request answered 429 (or 5xx, if idempotent), with backoff."},
    {"sync_table", OptionType::kTableName, 0, "{connector}_{entity}",
     "text naming {entity}; no /, backslash or ..", "Name of the table (or file) a SYNC writes."},
    {"timeout_seconds", OptionType::kNumber, 60, "", "seconds, more than 0",
     "Time limit of one handler call."},
};

const ConnectorOption& Get(std::string_view name) {
  const ConnectorOption* option = FindConnectorOption(name);
  if (!option) std::abort();  // a reader asked for an option the table lacks: a bug
  return *option;
}

std::string FormatDefault(const ConnectorOption& option) {
  if (option.type == OptionType::kChoice || option.type == OptionType::kTableName) {
    return "\"" + std::string(option.default_text) + "\"";
  }
  char text[32];
  std::snprintf(text, sizeof text, "%g", option.default_number);
  return text;
}

const char* TypeName(OptionType type) {
  switch (type) {
    case OptionType::kNumber:
      return "number";
    case OptionType::kInteger:
      return "integer";
    case OptionType::kChoice:
      return "text";
    case OptionType::kTableName:
      return "text";
  }
  return "";
}

}  // namespace

std::span<const ConnectorOption> ConnectorOptions() { return kOptions; }

const ConnectorOption* FindConnectorOption(std::string_view name) {
  auto found = std::find_if(std::begin(kOptions), std::end(kOptions),
                            [&](const ConnectorOption& option) { return option.name == name; });
  return found == std::end(kOptions) ? nullptr : &*found;
}

double OptionNumber(const Value& options, std::string_view name) {
  const ConnectorOption& option = Get(name);
  if (options.is_object()) {
    auto found = options.find(std::string(name));
    if (found != options.end() && found->is_number()) return found->get<double>();
  }
  return option.default_number;
}

int64_t OptionInt(const Value& options, std::string_view name) {
  const ConnectorOption& option = Get(name);
  if (options.is_object()) {
    auto found = options.find(std::string(name));
    if (found != options.end() && found->is_number_integer()) return found->get<int64_t>();
  }
  return static_cast<int64_t>(option.default_number);
}

std::string OptionText(const Value& options, std::string_view name) {
  const ConnectorOption& option = Get(name);
  if (options.is_object()) {
    auto found = options.find(std::string(name));
    if (found != options.end() && found->is_string()) return found->get<std::string>();
  }
  return std::string(option.default_text);
}

std::string RenderOptionsMarkdown() {
  std::string out =
      "| option | type | default | range | meaning |\n| --- | --- | --- | --- | --- |\n";
  for (const ConnectorOption& option : kOptions) {
    out += "| `" + std::string(option.name) + "` | " + TypeName(option.type) + " | `" +
           FormatDefault(option) + "` | " + std::string(option.range) + " | " +
           std::string(option.doc) + " |\n";
  }
  return out;
}

}  // namespace sluice
