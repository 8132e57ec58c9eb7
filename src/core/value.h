// Value: the dynamic value of the Sluice language (variables, expression
// results, JSON literals, row objects returned by SELECT).
//
// It is nlohmann::ordered_json, so object keys keep the order they were
// written or selected in, and JSON parsing/printing is the library's. Integer
// values are int64; numbers with a fraction or exponent are double.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sluice {

using Value = nlohmann::ordered_json;

// "null", "boolean", "integer", "number", "string", "array", "object".
const char* ValueTypeName(const Value& value);

// Text for PRINT and table cells: strings without quotes, null as "NULL",
// everything else as compact JSON.
std::string ValueToDisplayString(const Value& value);

// SQL-style truthiness for conditions: null is "unknown" (not true),
// numbers are true when non-zero, strings never implicitly convert.
bool ValueIsTrue(const Value& value);

}  // namespace sluice
