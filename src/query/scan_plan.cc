#include "query/scan_plan.h"

#include "core/value.h"

namespace sluice {

std::optional<ScanPlan> DescribeIndex(std::string_view idx_str) {
  Value decided = Value::parse(idx_str, nullptr, false);
  if (decided.is_discarded() || !decided.is_object()) return std::nullopt;
  ScanPlan plan;
  try {
    for (const Value& where : decided.value("where", Value::array())) {
      plan.where.push_back(
          {where[0].get<std::string>(), where[1].get<std::string>(), where[2].get<bool>()});
    }
    for (const Value& term : decided.value("kept", Value::array())) {
      plan.kept.push_back({term[0].get<std::string>(), term[1].get<std::string>(), false});
    }
    for (const Value& term : decided.value("order_by", Value::array())) {
      plan.order_by.push_back({term[0].get<std::string>(), term[1].get<bool>()});
    }
    for (const Value& field : decided.value("fields", Value::array()))
      plan.fields.push_back(field.get<std::string>());
  } catch (const Value::exception&) {
    return std::nullopt;  // not the module's
  }
  plan.parent = decided.contains("parent");
  plan.limit = decided.contains("limit");
  plan.offset = decided.contains("offset");
  plan.raw = decided.value("raw", false);
  plan.pushdown = decided.value("pushdown", true);
  return plan;
}

std::optional<ExplainedStep> DescribePlanStep(std::string_view detail) {
  size_t marker = detail.find(" VIRTUAL TABLE INDEX ");
  if (marker == std::string_view::npos) return std::nullopt;
  size_t json = detail.find(":{", marker);
  size_t json_end = detail.rfind('}');
  if (json == std::string_view::npos || json_end == std::string_view::npos || json_end < json)
    return std::nullopt;
  std::optional<ScanPlan> plan = DescribeIndex(detail.substr(json + 1, json_end - json));
  if (!plan) return std::nullopt;
  // SQLite may say more after the index ("… LEFT-JOIN"): it stays with the step.
  return ExplainedStep{
      std::string(detail.substr(0, marker)) + std::string(detail.substr(json_end + 1)),
      std::move(*plan)};
}

}  // namespace sluice
