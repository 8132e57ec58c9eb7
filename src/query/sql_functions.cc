#include "query/sql_functions.h"

#include <string>

#include "core/time_util.h"
#include "core/value.h"

namespace sluice {
namespace {

void Now(sqlite3_context* context, int, sqlite3_value**) {
  std::string now = FormatTimestamp(NowMicros() / 1'000'000 * 1'000'000);
  sqlite3_result_text(context, now.c_str(), static_cast<int>(now.size()), SQLITE_TRANSIENT);
}

std::string Text(sqlite3_value* value) {
  const unsigned char* text = sqlite3_value_text(value);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_value_bytes(value)))
              : std::string();
}

void Shift(sqlite3_context* context, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  std::optional<int64_t> micros = ParseTimestamp(Text(argv[0]));
  std::optional<int64_t> delta = SecondsToMicros(sqlite3_value_double(argv[1]));
  if (!micros || !delta) {
    sqlite3_result_error(context, "INTERVAL arithmetic needs an ISO-8601 timestamp", -1);
    return;
  }
  std::string shifted = FormatTimestamp(*micros + *delta);
  sqlite3_result_text(context, shifted.c_str(), static_cast<int>(shifted.size()), SQLITE_TRANSIENT);
}

Value FromSqlite(sqlite3_value* value) {
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER: return Value(static_cast<int64_t>(sqlite3_value_int64(value)));
    case SQLITE_FLOAT: return Value(sqlite3_value_double(value));
    case SQLITE_NULL: return Value();
    default: return Value(Text(value));
  }
}

// match(item, container): SQLite calls `container MATCH item` this way round.
void Contains(sqlite3_context* context, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  Value item = FromSqlite(argv[0]);
  std::string container = Text(argv[1]);
  Value parsed = Value::parse(container, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_array()) {
    for (const Value& element : parsed) {
      bool equal = element == item ||
                   (element.is_number() && item.is_number() && element.get<double>() == item.get<double>());
      if (equal) {
        sqlite3_result_int(context, 1);
        return;
      }
    }
    sqlite3_result_int(context, 0);
    return;
  }
  sqlite3_result_int(context, container.find(ValueToDisplayString(item)) != std::string::npos ? 1 : 0);
}

}  // namespace

Status RegisterSqlFunctions(sqlite3* db) {
  constexpr int kPure = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  bool ok = sqlite3_create_function_v2(db, "now", 0, SQLITE_UTF8, nullptr, Now, nullptr, nullptr, nullptr) ==
                SQLITE_OK &&
            sqlite3_create_function_v2(db, "sluice_shift", 2, kPure, nullptr, Shift, nullptr, nullptr, nullptr) ==
                SQLITE_OK &&
            sqlite3_create_function_v2(db, "match", 2, kPure, nullptr, Contains, nullptr, nullptr, nullptr) ==
                SQLITE_OK;
  return ok ? Status::Ok() : Status(ErrorKind::kInternal, "cannot register Sluice's SQL functions");
}

}  // namespace sluice
