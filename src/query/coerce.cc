#include "query/coerce.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/time_util.h"

namespace sluice {
namespace {

Status Cannot(const std::string& type, const Value& value, const std::string& why = "") {
  std::string shown = value.dump(-1, ' ', false, Value::error_handler_t::replace);
  if (shown.size() > 80) shown = shown.substr(0, 80) + "…";
  return Status(ErrorKind::kType, "cannot store " + std::string(ValueTypeName(value)) + " " + shown + " as " +
                                      type + (why.empty() ? "" : " (" + why + ")"));
}

std::optional<int64_t> IntegerFromDouble(double d) {
  if (!std::isfinite(d) || std::trunc(d) != d || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
    return std::nullopt;
  }
  return static_cast<int64_t>(d);
}

// Epoch numbers: seconds, or milliseconds when too large to be seconds
// (1e11 seconds is the year 5138).
std::optional<int64_t> MicrosFromEpoch(double epoch) {
  if (!std::isfinite(epoch)) return std::nullopt;
  double seconds = std::fabs(epoch) >= 1e11 ? epoch / 1000.0 : epoch;
  return SecondsToMicros(seconds);
}

}  // namespace

Result<Value> CoerceValue(const std::string& type, const Value& value) {
  if (value.is_null()) return Value();
  if (type == "string") {
    if (value.is_string()) return value;
    if (value.is_number() || value.is_boolean()) return Value(value.dump());
    return Cannot(type, value, "declare it as document or array");
  }
  if (type == "integer") {
    if (value.is_number_integer()) return value;
    if (value.is_number_unsigned()) {
      if (value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return Cannot(type, value, "out of range");
      return Value(static_cast<int64_t>(value.get<uint64_t>()));
    }
    if (value.is_number_float()) {
      if (auto n = IntegerFromDouble(value.get<double>())) return Value(*n);
      return Cannot(type, value, "not a whole number in range");
    }
    if (value.is_boolean()) return Value(value.get<bool>() ? 1 : 0);
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && *end == '\0' && errno == 0) return Value(static_cast<int64_t>(n));
    }
    return Cannot(type, value);
  }
  if (type == "number") {
    if (value.is_number()) return Value(value.get<double>());
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && *end == '\0' && std::isfinite(d)) return Value(d);
    }
    return Cannot(type, value);
  }
  if (type == "boolean") {
    if (value.is_boolean()) return Value(value.get<bool>() ? 1 : 0);
    if (value.is_number_integer() && (value.get<int64_t>() == 0 || value.get<int64_t>() == 1)) return value;
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      if (s == "true") return Value(1);
      if (s == "false") return Value(0);
    }
    return Cannot(type, value);
  }
  if (type == "timestamp" || type == "date") {
    std::optional<int64_t> micros;
    if (value.is_string()) micros = ParseTimestamp(value.get_ref<const std::string&>());
    if (value.is_number()) micros = MicrosFromEpoch(value.get<double>());
    if (!micros) return Cannot(type, value, "expected ISO-8601 text or epoch seconds");
    return Value(type == "date" ? FormatDate(*micros) : FormatTimestamp(*micros));
  }
  if (type == "document") return Value(value.dump(-1, ' ', false, Value::error_handler_t::replace));
  if (type == "array") {
    if (!value.is_array()) return Cannot(type, value);
    return Value(value.dump(-1, ' ', false, Value::error_handler_t::replace));
  }
  return Status(ErrorKind::kInternal, "unknown field type '" + type + "'");
}

Result<std::vector<Value>> CoerceRow(const EntitySchema& schema, const Value& row, int64_t row_number,
                                     const std::vector<bool>& used) {
  std::string where = "connector '" + schema.connector + "', entity '" + schema.entity + "', row " +
                      std::to_string(row_number);
  if (!row.is_object()) {
    return Status(ErrorKind::kType, where + ": a row must be an object, got " + ValueTypeName(row));
  }
  std::vector<Value> cells;
  cells.reserve(schema.fields.size());
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const EntityField& field = schema.fields[i];
    if (!used.empty() && !used[i]) {
      cells.emplace_back();
      continue;
    }
    auto found = row.find(field.name);
    if (found == row.end()) {
      cells.emplace_back();
      continue;
    }
    Result<Value> cell = CoerceValue(field.type, *found);
    if (!cell.ok()) return cell.TakeStatus().WithContext(where + ", field '" + field.name + "'");
    cells.push_back(std::move(cell).value());
  }
  return cells;
}

}  // namespace sluice
