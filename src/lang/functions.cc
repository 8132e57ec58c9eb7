// Built-in functions of the Sluice language.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <map>

#include "core/time_util.h"
#include "core/utf8.h"
#include "lang/evaluator.h"

namespace sluice {
namespace {

using Args = std::vector<Value>;
using Function = Result<Value> (*)(Args&);

Status ArgError(const std::string& message) { return Status(ErrorKind::kType, message); }

Result<std::string> StringArg(const Args& args, size_t i, const char* function) {
  if (!args[i].is_string()) {
    return ArgError(std::string(function) + "() argument " + std::to_string(i + 1) +
                    " must be a string, got " + ValueTypeName(args[i]));
  }
  return args[i].get<std::string>();
}

// Whether a double converts to int64 without undefined behaviour (NaN: no).
bool FitsInt64(double d) { return d >= -9223372036854775808.0 && d < 9223372036854775808.0; }

Result<int64_t> IntArg(const Args& args, size_t i, const char* function) {
  if (args[i].is_number_integer()) return args[i].get<int64_t>();
  if (args[i].is_number_float()) {
    double d = args[i].get<double>();
    if (std::floor(d) == d && FitsInt64(d)) return static_cast<int64_t>(d);
  }
  return ArgError(std::string(function) + "() argument " + std::to_string(i + 1) +
                  " must be an integer, got " + ValueTypeName(args[i]));
}

Result<int64_t> TimestampArg(const Args& args, size_t i, const char* function) {
  if (args[i].is_string()) {
    if (auto micros = ParseTimestamp(args[i].get_ref<const std::string&>())) return *micros;
  }
  return ArgError(std::string(function) + "() argument " + std::to_string(i + 1) +
                  " must be an ISO-8601 timestamp, got " +
                  args[i].dump(-1, ' ', false, Value::error_handler_t::replace));
}

// Most functions return NULL for a NULL argument, as in SQL.
bool AnyNull(const Args& args) {
  return std::any_of(args.begin(), args.end(), [](const Value& v) { return v.is_null(); });
}

std::string MapChars(std::string text, int (*f)(int)) {
  for (char& c : text) c = static_cast<char>(f(static_cast<unsigned char>(c)));
  return text;
}

Result<Value> ArrayLength(Args& args) {
  if (args[0].is_null()) return Value();
  if (!args[0].is_array()) {
    return ArgError(std::string("ARRAY_LENGTH() needs an array, got ") + ValueTypeName(args[0]));
  }
  return Value(static_cast<int64_t>(args[0].size()));
}

Result<Value> Length(Args& args) {
  if (args[0].is_null()) return Value();
  if (args[0].is_array() || args[0].is_object()) return Value(static_cast<int64_t>(args[0].size()));
  if (args[0].is_string()) return Value(static_cast<int64_t>(CountUtf8CodePoints(args[0].get_ref<const std::string&>())));
  return ArgError(std::string("LENGTH() needs a string or an array, got ") + ValueTypeName(args[0]));
}

// ENV('NAME' [, default]). An unset variable without a default is an error
// of kind not_found, so a test runner can tell "missing credentials" apart.
Result<Value> Env(Args& args) {
  ASSIGN_OR_RETURN(std::string name, StringArg(args, 0, "ENV"));
  const char* value = std::getenv(name.c_str());
  if (value) return Value(std::string(value));
  if (args.size() > 1) return args[1];
  return Status(ErrorKind::kNotFound, "environment variable '" + name + "' is not set");
}

Result<Value> CurrentTimestamp(Args&) { return Value(FormatTimestamp(NowMicros() / 1'000'000 * 1'000'000)); }
Result<Value> CurrentDate(Args&) { return Value(FormatDate(NowMicros())); }
// "HH:MM:SS" in UTC, as SQLite's CURRENT_TIME.
Result<Value> CurrentTime(Args&) { return Value(FormatTimestamp(NowMicros()).substr(11, 8)); }

Result<Value> Upper(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "UPPER"));
  return Value(MapChars(std::move(s), ::toupper));
}
Result<Value> Lower(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "LOWER"));
  return Value(MapChars(std::move(s), ::tolower));
}

Result<Value> Trim(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "TRIM"));
  size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return Value("");
  size_t end = s.find_last_not_of(" \t\r\n");
  return Value(s.substr(start, end - start + 1));
}

// SUBSTR(text, start [, length]) with a 1-based start, counted in characters.
Result<Value> Substr(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "SUBSTR"));
  ASSIGN_OR_RETURN(int64_t start, IntArg(args, 1, "SUBSTR"));
  int64_t length = std::numeric_limits<int64_t>::max();
  if (args.size() > 2) {
    ASSIGN_OR_RETURN(length, IntArg(args, 2, "SUBSTR"));
  }
  if (length < 0) return ArgError("SUBSTR() length must not be negative");
  std::vector<size_t> starts;  // byte offset of each character
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsUtf8Continuation(s[i])) starts.push_back(i);
  }
  int64_t first = std::max<int64_t>(start, 1) - 1;
  if (first >= static_cast<int64_t>(starts.size())) return Value("");
  int64_t last = length > static_cast<int64_t>(starts.size()) ? starts.size() : first + length;
  last = std::min<int64_t>(last, starts.size());
  size_t begin_byte = starts[first];
  size_t end_byte = last >= static_cast<int64_t>(starts.size()) ? s.size() : starts[last];
  return Value(s.substr(begin_byte, end_byte - begin_byte));
}

Result<Value> Replace(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "REPLACE"));
  ASSIGN_OR_RETURN(std::string from, StringArg(args, 1, "REPLACE"));
  ASSIGN_OR_RETURN(std::string to, StringArg(args, 2, "REPLACE"));
  if (from.empty()) return Value(s);
  std::string out;
  size_t pos = 0, found;
  while ((found = s.find(from, pos)) != std::string::npos) {
    out.append(s, pos, found - pos).append(to);
    pos = found + from.size();
  }
  out.append(s, pos);
  return Value(out);
}

Result<Value> Concat(Args& args) {
  std::string out;
  for (const Value& arg : args) {
    if (!arg.is_null()) out += ValueToDisplayString(arg);
  }
  return Value(out);
}

Result<Value> StartsWith(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "STARTS_WITH"));
  ASSIGN_OR_RETURN(std::string prefix, StringArg(args, 1, "STARTS_WITH"));
  return Value(s.starts_with(prefix));
}

Result<Value> EndsWith(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "ENDS_WITH"));
  ASSIGN_OR_RETURN(std::string suffix, StringArg(args, 1, "ENDS_WITH"));
  return Value(s.ends_with(suffix));
}

Result<Value> Split(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string s, StringArg(args, 0, "SPLIT"));
  ASSIGN_OR_RETURN(std::string separator, StringArg(args, 1, "SPLIT"));
  if (separator.empty()) return ArgError("SPLIT() separator must not be empty");
  Value out = Value::array();
  size_t pos = 0, found;
  while ((found = s.find(separator, pos)) != std::string::npos) {
    out.push_back(s.substr(pos, found - pos));
    pos = found + separator.size();
  }
  out.push_back(s.substr(pos));
  return out;
}

Result<Value> Coalesce(Args& args) {
  for (Value& arg : args) {
    if (!arg.is_null()) return std::move(arg);
  }
  return Value();
}

Result<Value> TypeOf(Args& args) { return Value(ValueTypeName(args[0])); }

Result<Value> JsonParse(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(std::string text, StringArg(args, 0, "JSON_PARSE"));
  Value parsed = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return ArgError("JSON_PARSE(): not valid JSON");
  return parsed;
}

Result<Value> JsonStringify(Args& args) {
  return Value(args[0].dump(-1, ' ', false, Value::error_handler_t::replace));
}

Result<Value> JsonKeys(Args& args) {
  if (AnyNull(args)) return Value();
  if (!args[0].is_object()) return ArgError("JSON_KEYS() needs an object");
  Value keys = Value::array();
  for (const auto& item : args[0].items()) keys.push_back(item.key());
  return keys;
}

Result<Value> Abs(Args& args) {
  if (AnyNull(args)) return Value();
  if (args[0].is_number_integer()) {
    int64_t n = args[0].get<int64_t>();
    if (n == std::numeric_limits<int64_t>::min()) return ArgError("integer overflow");
    return Value(n < 0 ? -n : n);
  }
  if (args[0].is_number()) return Value(std::fabs(args[0].get<double>()));
  return ArgError("ABS() needs a number");
}

Result<Value> Round(Args& args) {
  if (AnyNull(args)) return Value();
  if (!args[0].is_number()) return ArgError("ROUND() needs a number");
  int64_t digits = 0;
  if (args.size() > 1) {
    ASSIGN_OR_RETURN(digits, IntArg(args, 1, "ROUND"));
  }
  if (args[0].is_number_integer() && digits >= 0) return args[0];
  double scale = std::pow(10.0, static_cast<double>(digits));
  double rounded = std::round(args[0].get<double>() * scale) / scale;
  return Value(rounded);
}

Result<Value> ToInteger(Args& args) {
  if (AnyNull(args)) return Value();
  if (args[0].is_number_integer()) return args[0];
  if (args[0].is_number_float() && FitsInt64(args[0].get<double>())) {
    return Value(static_cast<int64_t>(args[0].get<double>()));
  }
  if (args[0].is_boolean()) return Value(args[0].get<bool>() ? 1 : 0);
  if (args[0].is_string()) {
    const std::string& s = args[0].get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && *end == '\0' && errno == 0) return Value(static_cast<int64_t>(n));
  }
  return ArgError("TO_INTEGER(): cannot convert " +
                  args[0].dump(-1, ' ', false, Value::error_handler_t::replace) + " to an integer");
}

Result<Value> ToNumber(Args& args) {
  if (AnyNull(args)) return Value();
  if (args[0].is_number()) return args[0];
  if (args[0].is_string()) {
    const std::string& s = args[0].get_ref<const std::string&>();
    char* end = nullptr;
    double n = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0' && std::isfinite(n)) return Value(n);
  }
  return ArgError("TO_NUMBER(): cannot convert " +
                  args[0].dump(-1, ' ', false, Value::error_handler_t::replace) + " to a number");
}

Result<Value> ToString(Args& args) {
  if (AnyNull(args)) return Value();
  return Value(ValueToDisplayString(args[0]));
}

// DATE_ADD(timestamp, seconds_or_interval)
Result<Value> DateAdd(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(int64_t micros, TimestampArg(args, 0, "DATE_ADD"));
  if (!args[1].is_number()) return ArgError("DATE_ADD() needs seconds or an INTERVAL");
  std::optional<int64_t> delta = SecondsToMicros(args[1].get<double>());
  if (!delta) return ArgError("DATE_ADD(): interval out of range");
  return Value(FormatTimestamp(micros + *delta));
}

// DATE_DIFF(a, b): seconds from b to a.
Result<Value> DateDiff(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(int64_t a, TimestampArg(args, 0, "DATE_DIFF"));
  ASSIGN_OR_RETURN(int64_t b, TimestampArg(args, 1, "DATE_DIFF"));
  int64_t micros = a - b;
  if (micros % 1'000'000 == 0) return Value(micros / 1'000'000);
  return Value(static_cast<double>(micros) / 1e6);
}

Result<Value> Date(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(int64_t micros, TimestampArg(args, 0, "DATE"));
  return Value(FormatDate(micros));
}

Result<Value> Epoch(Args& args) {
  if (AnyNull(args)) return Value();
  ASSIGN_OR_RETURN(int64_t micros, TimestampArg(args, 0, "EPOCH"));
  return Value(micros / 1'000'000);
}

Result<Value> FromEpoch(Args& args) {
  if (AnyNull(args)) return Value();
  if (!args[0].is_number()) return ArgError("FROM_EPOCH() needs a number of seconds");
  std::optional<int64_t> micros = SecondsToMicros(args[0].get<double>());
  if (!micros) return ArgError("FROM_EPOCH(): out of range");
  return Value(FormatTimestamp(*micros));
}

struct FunctionSpec {
  Function function;
  size_t min_args;
  size_t max_args;
};

const std::map<std::string, FunctionSpec, std::less<>>& Registry() {
  static const std::map<std::string, FunctionSpec, std::less<>> registry{
      {"ARRAY_LENGTH", {ArrayLength, 1, 1}},
      {"LENGTH", {Length, 1, 1}},
      {"ENV", {Env, 1, 2}},
      {"CURRENT_TIMESTAMP", {CurrentTimestamp, 0, 0}},
      {"NOW", {CurrentTimestamp, 0, 0}},
      {"CURRENT_DATE", {CurrentDate, 0, 0}},
      {"CURRENT_TIME", {CurrentTime, 0, 0}},
      {"UPPER", {Upper, 1, 1}},
      {"LOWER", {Lower, 1, 1}},
      {"TRIM", {Trim, 1, 1}},
      {"SUBSTR", {Substr, 2, 3}},
      {"SUBSTRING", {Substr, 2, 3}},
      {"REPLACE", {Replace, 3, 3}},
      {"CONCAT", {Concat, 0, 64}},
      {"STARTS_WITH", {StartsWith, 2, 2}},
      {"ENDS_WITH", {EndsWith, 2, 2}},
      {"SPLIT", {Split, 2, 2}},
      {"COALESCE", {Coalesce, 1, 64}},
      {"TYPEOF", {TypeOf, 1, 1}},
      {"JSON_PARSE", {JsonParse, 1, 1}},
      {"JSON_STRINGIFY", {JsonStringify, 1, 1}},
      {"JSON_KEYS", {JsonKeys, 1, 1}},
      {"ABS", {Abs, 1, 1}},
      {"ROUND", {Round, 1, 2}},
      {"TO_INTEGER", {ToInteger, 1, 1}},
      {"TO_NUMBER", {ToNumber, 1, 1}},
      {"TO_STRING", {ToString, 1, 1}},
      {"DATE_ADD", {DateAdd, 2, 2}},
      {"DATE_DIFF", {DateDiff, 2, 2}},
      {"DATE", {Date, 1, 1}},
      {"EPOCH", {Epoch, 1, 1}},
      {"FROM_EPOCH", {FromEpoch, 1, 1}},
  };
  return registry;
}

}  // namespace

Result<Value> CallFunction(const std::string& name, std::vector<Value>& args) {
  const auto& registry = Registry();
  auto found = registry.find(name);
  if (found == registry.end()) return Status(ErrorKind::kNotFound, "unknown function " + name + "()");
  const FunctionSpec& spec = found->second;
  if (args.size() < spec.min_args || args.size() > spec.max_args) {
    std::string expected = spec.min_args == spec.max_args
                               ? std::to_string(spec.min_args)
                               : std::to_string(spec.min_args) + " to " + std::to_string(spec.max_args);
    return Status(ErrorKind::kType, name + "() takes " + expected + " argument" +
                                        (spec.max_args == 1 ? "" : "s") + ", got " +
                                        std::to_string(args.size()));
  }
  return spec.function(args);
}

}  // namespace sluice
