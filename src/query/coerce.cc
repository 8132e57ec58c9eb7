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
// Only the years 1 to 9999, as ParseTimestamp reads them from text: a
// year of five digits or a negative one has no ISO-8601 form every
// destination takes (PostgreSQL's binary COPY and a date's ten characters
// would each get it wrong).
std::optional<int64_t> MicrosFromEpoch(double epoch) {
  if (!std::isfinite(epoch)) return std::nullopt;
  double seconds = std::fabs(epoch) >= 1e11 ? epoch / 1000.0 : epoch;
  constexpr double kYear1 = -62135596800.0;     // 0001-01-01T00:00:00Z
  constexpr double kYear10000 = 253402300800.0;  // 10000-01-01T00:00:00Z
  if (seconds < kYear1 || seconds >= kYear10000) return std::nullopt;
  // Whole milliseconds exactly: through a double of seconds, the last
  // millisecond of 9999 would come out as .999008.
  if (seconds != epoch && std::trunc(epoch) == epoch) return static_cast<int64_t>(epoch) * 1000;
  return SecondsToMicros(seconds);
}

}  // namespace

// Text already in the form FormatTimestamp gives for whole seconds
// ("2026-01-01T00:00:07Z") is stored as it is: most APIs send exactly that,
// and re-formatting it would only copy it.
static bool IsCanonicalTimestamp(const std::string& s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') {
    return false;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  // A leap second is normalised by formatting: not canonical.
  return s[17] < '6' && ParseTimestamp(s).has_value();
}

// Coerces `value` in place; the message says what was wrong, without context.
// A document or array cell that arrives as JSON text already (a binary
// Value, from the handler's row reader) is stored as that text.
static std::string TakeJsonText(Value& value) {
  auto& bytes = value.get_binary();
  return std::string(bytes.begin(), bytes.end());
}

static Status CoerceInPlace(const std::string& type, Value& value) {
  if (value.is_null()) return Status::Ok();
  if (value.is_binary()) {
    bool is_array = !value.get_binary().empty() && value.get_binary().front() == '[';
    if (type == "document" || (type == "array" && is_array)) {
      value = Value(TakeJsonText(value));
      return Status::Ok();
    }
    // Anything else is what an object or array would be: an error.
    Value parsed = Value::parse(TakeJsonText(value), nullptr, false);
    value = std::move(parsed);
  }
  if (type == "string") {
    if (value.is_string()) return Status::Ok();
    if (value.is_number() || value.is_boolean()) {
      value = Value(value.dump());
      return Status::Ok();
    }
    return Cannot(type, value, "declare it as document or array");
  }
  if (type == "integer") {
    if (value.is_number_integer() && !value.is_number_unsigned()) return Status::Ok();
    if (value.is_number_unsigned()) {
      if (value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return Cannot(type, value, "out of range");
      value = Value(static_cast<int64_t>(value.get<uint64_t>()));
      return Status::Ok();
    }
    if (value.is_number_float()) {
      if (auto n = IntegerFromDouble(value.get<double>())) {
        value = Value(*n);
        return Status::Ok();
      }
      return Cannot(type, value, "not a whole number in range");
    }
    if (value.is_boolean()) {
      value = Value(value.get<bool>() ? 1 : 0);
      return Status::Ok();
    }
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && *end == '\0' && errno == 0) {
        value = Value(static_cast<int64_t>(n));
        return Status::Ok();
      }
    }
    return Cannot(type, value);
  }
  if (type == "number") {
    if (value.is_number_float()) return Status::Ok();
    if (value.is_number()) {
      value = Value(value.get<double>());
      return Status::Ok();
    }
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && *end == '\0' && std::isfinite(d)) {
        value = Value(d);
        return Status::Ok();
      }
    }
    return Cannot(type, value);
  }
  if (type == "boolean") {
    if (value.is_boolean()) {
      value = Value(value.get<bool>() ? 1 : 0);
      return Status::Ok();
    }
    if (value.is_number_integer() && (value.get<int64_t>() == 0 || value.get<int64_t>() == 1)) return Status::Ok();
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      if (s == "true" || s == "false") {
        value = Value(s == "true" ? 1 : 0);
        return Status::Ok();
      }
    }
    return Cannot(type, value);
  }
  if (type == "timestamp" || type == "date") {
    if (type == "timestamp" && value.is_string() && IsCanonicalTimestamp(value.get_ref<const std::string&>())) {
      return Status::Ok();
    }
    std::optional<int64_t> micros;
    if (value.is_string()) micros = ParseTimestamp(value.get_ref<const std::string&>());
    if (value.is_number()) micros = MicrosFromEpoch(value.get<double>());
    if (!micros) return Cannot(type, value, "expected ISO-8601 text or epoch seconds, in the years 1 to 9999");
    value = Value(type == "date" ? FormatDate(*micros) : FormatTimestamp(*micros));
    return Status::Ok();
  }
  if (type == "document") {
    value = Value(value.dump(-1, ' ', false, Value::error_handler_t::replace));
    return Status::Ok();
  }
  if (type == "array") {
    if (!value.is_array()) return Cannot(type, value);
    value = Value(value.dump(-1, ' ', false, Value::error_handler_t::replace));
    return Status::Ok();
  }
  return Status(ErrorKind::kInternal, "unknown field type '" + type + "'");
}

Result<int64_t> RowidOf(const EntitySchema& schema, const Value& row, int64_t row_number) {
  std::string entity = "connector '" + schema.connector + "', entity '" + schema.entity + "'";
  Value key = Value::array();
  const EntityField* only = nullptr;
  for (const EntityField& field : schema.fields) {
    if (!field.primary_key) continue;
    std::string where =
        entity + ", row " + std::to_string(row_number) + ", field '" + field.name + "'";
    auto found = row.is_object() ? row.find(field.name) : row.end();
    if (!row.is_object() || found == row.end() || found->is_null()) {
      return Status(ErrorKind::kType,
                    where + ": the primary key is missing, so the row has no rowid");
    }
    Result<Value> value = CoerceValue(field.type, *found);
    if (!value.ok()) return value.TakeStatus().WithContext(where);
    key.push_back(std::move(value).value());
    only = key.size() == 1 ? &field : nullptr;
  }
  if (key.empty()) {
    return Status(
        ErrorKind::kInvalidArgument,
        entity +
            " has no primary key, so its rows have no rowid that stays the same from query to "
            "query; declare \"primary_key\": true on a field");
  }
  if (only && only->type == "integer") return key[0].get<int64_t>();
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : key.dump(-1, ' ', false, Value::error_handler_t::replace)) {
    hash = (hash ^ c) * 1099511628211ull;
  }
  return static_cast<int64_t>(hash & 0x7FFFFFFFFFFFFFFFull);
}

Result<Value> CoerceValue(const std::string& type, const Value& value) {
  Value copy = value;
  RETURN_IF_ERROR(CoerceInPlace(type, copy));
  return copy;
}

namespace {

template <typename Row>
Result<std::vector<Value>> CoerceCells(const EntitySchema& schema, Row&& row, int64_t row_number,
                                       const std::vector<bool>& used) {
  auto where = [&] {
    return "connector '" + schema.connector + "', entity '" + schema.entity + "', row " + std::to_string(row_number);
  };
  if (!row.is_object()) {
    return Status(ErrorKind::kType, where() + ": a row must be an object, got " + ValueTypeName(row));
  }
  std::vector<Value> cells;
  cells.reserve(schema.fields.size());
  // Rows usually hold the fields in FIELDS order: look at the next key first.
  auto next = row.begin();
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const EntityField& field = schema.fields[i];
    if (!used.empty() && !used[i]) {
      cells.emplace_back();
      continue;
    }
    auto found = next != row.end() && next.key() == field.name ? next : row.find(field.name);
    if (field.required && (found == row.end() || found->is_null())) {
      return Status(ErrorKind::kType, where() + ", field '" + field.name + "': required, but " +
                                          (found == row.end() ? "missing" : "null"));
    }
    if (found == row.end()) {
      cells.emplace_back();
      continue;
    }
    next = std::next(found);
    if constexpr (std::is_const_v<std::remove_reference_t<Row>>) {
      cells.push_back(*found);
    } else {
      cells.push_back(std::move(*found));
    }
    Status coerced = CoerceInPlace(field.type, cells.back());
    if (!coerced.ok()) return std::move(coerced).WithContext(where() + ", field '" + field.name + "'");
  }
  return cells;
}

}  // namespace

Result<std::vector<Value>> CoerceRow(const EntitySchema& schema, const Value& row, int64_t row_number,
                                     const std::vector<bool>& used) {
  return CoerceCells(schema, row, row_number, used);
}

Result<std::vector<Value>> CoerceRow(const EntitySchema& schema, Value&& row, int64_t row_number,
                                     const std::vector<bool>& used) {
  return CoerceCells(schema, std::move(row), row_number, used);
}

}  // namespace sluice
