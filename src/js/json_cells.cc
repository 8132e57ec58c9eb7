#include "js/json_cells.h"

namespace sluice::js {

// Contract stubs: the rows-cells branch implements these.
Result<Value> JsonWholeRow(simdjson::dom::element) {
  return Status(ErrorKind::kInternal, "JsonWholeRow is not implemented yet");
}

Result<Value> JsonProjectedRow(simdjson::dom::object, const std::vector<std::string>&) {
  return Status(ErrorKind::kInternal, "JsonProjectedRow is not implemented yet");
}

std::string JsonStringifyLikeJs(simdjson::dom::element) { return std::string(); }

std::string FormatNumberLikeJs(double) { return std::string(); }

}  // namespace sluice::js
