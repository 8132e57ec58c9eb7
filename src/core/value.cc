#include "core/value.h"

namespace sluice {

const char* ValueTypeName(const Value& value) {
  switch (value.type()) {
    case Value::value_t::null: return "null";
    case Value::value_t::boolean: return "boolean";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: return "integer";
    case Value::value_t::number_float: return "number";
    case Value::value_t::string: return "string";
    case Value::value_t::array: return "array";
    case Value::value_t::object: return "object";
    default: return "binary";
  }
}

std::string ValueToDisplayString(const Value& value) {
  if (value.is_null()) return "NULL";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, Value::error_handler_t::replace);
}

bool ValueIsTrue(const Value& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) return value.get<int64_t>() != 0;
  if (value.is_number_unsigned()) return value.get<uint64_t>() != 0;
  if (value.is_number_float()) return value.get<double>() != 0.0;
  return false;
}

}  // namespace sluice
