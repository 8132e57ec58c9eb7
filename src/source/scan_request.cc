#include "source/scan_request.h"

namespace sluice {

Value HandlerOptions(const ScanRequest& request) {
  Value options = Value::object();
  if (request.fields) {
    Value fields = Value::array();
    for (const std::string& name : *request.fields) fields.push_back(name);
    options["fields"] = std::move(fields);
  }
  if (request.conditions) options["conditions"] = *request.conditions;
  Value order_by = Value::array();
  for (const ScanOrder& term : request.order_by)
    order_by.push_back({{"field", term.field}, {"desc", term.desc}});
  // Only a sync has a cursor, and its order was always added after it.
  if (!request.cursor && !order_by.empty()) options["order_by"] = order_by;
  if (request.limit) options["limit"] = *request.limit;
  if (request.cursor) {
    options["cursor"] = Value{{"field", request.cursor->field}, {"value", request.cursor->value}};
    if (!order_by.empty()) options["order_by"] = std::move(order_by);
  }
  if (request.partition) options["partition"] = *request.partition;
  return options;
}

}  // namespace sluice
