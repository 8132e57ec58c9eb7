// Arrow IPC stream codec (arrow_ipc.h). Layout facts: docs/cloudquery.md,
// "On the wire".
#include "cloudquery/arrow_ipc.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include "cloudquery/arrow_format_generated.h"
#include "core/json_depth.h"
#include "core/time_util.h"
#include "core/utf8.h"

namespace sluice::cq {
namespace {

namespace fb = ::sluice::arrow_fb;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

constexpr uint32_t kContinuation = 0xFFFFFFFFu;
// Deeper nesting than any CloudQuery type needs; bounds recursion on
// foreign schemas.
constexpr int kMaxNesting = 64;
// A json cell nested deeper than this is refused: printing a Value
// recurses.
constexpr int kMaxJsonDepth = 256;
constexpr const char* kTooDeep = "is nested deeper than 256 levels";
// Decoded cells per record: lengths of arrays that need no buffer bytes
// (null, struct) or a bit (bool) cost (almost) nothing on the wire, while a
// decoded cell costs tens of bytes of memory, so every cell counts as if
// it took a byte of the body: at most 2^16 plus one per body byte. Every
// other type takes a byte per cell or more (int8; offsets are 4), so no
// record of them is refused below the absolute cap; a record made of bools
// or nulls alone is limited to that many rows.
constexpr uint64_t kMaxCellsBase = kRecordValuesAlwaysAccepted;
constexpr uint64_t kMaxCellsAbsolute = uint64_t{1} << 26;
// Widths a type text may name (fixed_size_binary, fixed_size_list).
constexpr int kMaxFixedWidth = 1 << 24;

uint64_t CellCap(size_t body_size) {
  return std::min(kMaxCellsAbsolute, kMaxCellsBase + uint64_t(body_size));
}

Status Unsupported(const std::string& what) {
  return Status(ErrorKind::kNotImplemented, "Arrow IPC: unsupported " + what);
}
Status Malformed(const std::string& what) {
  return Status(ErrorKind::kParse, "Arrow IPC: malformed stream: " + what);
}
std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }
Status ColumnError(ErrorKind kind, const std::string& path, const std::string& what) {
  return Status(kind, "Arrow IPC: column " + Quoted(path) + ": " + what);
}

std::string Shorten(const Value& value) {
  std::string text = value.dump(-1, ' ', false, Value::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// --- small codecs ----------------------------------------------------------

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kBase64Alphabet[(n >> shift) & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t n = uint8_t(data[i]) << 16;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += kBase64Alphabet[(n >> shift) & 63];
    out += '=';
  }
  return out;
}

// Appends the bytes of base64 `text` (standard or URL-safe alphabet,
// padding optional) to `out`; false (and `out` as it was) when invalid.
bool Base64DecodeTo(std::string_view text, std::string& out) {
  static const auto table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i) t[uint8_t(kBase64Alphabet[i])] = int8_t(i);
    t[uint8_t('-')] = 62;
    t[uint8_t('_')] = 63;
    return t;
  }();
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;
  size_t start = out.size();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = table[uint8_t(c)];
    if (v < 0) {
      out.resize(start);
      return false;
    }
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the 16 bytes of a UUID text (hyphenated, 32 hex digits, or in
// braces) to `out`; false (and `out` as it was) when invalid.
bool ParseUuidTo(std::string_view text, std::string& out) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') text = text.substr(1, 36);
  if (text.size() != 36 && text.size() != 32) return false;
  bool hyphens = text.size() == 36;
  char bytes[16];
  size_t n = 0;
  for (size_t i = 0; i < text.size();) {
    if (hyphens && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || n == 16) return false;
    int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[n++] = char(hi * 16 + lo);
    i += 2;
  }
  if (n != 16) return false;
  out.append(bytes, 16);
  return true;
}

std::string UuidText(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[uint8_t(bytes[i]) >> 4];
    out += hex[uint8_t(bytes[i]) & 15];
  }
  return out;
}

// Appends the bytes of a hardware address ("aa:bb:…", "-" separators too)
// to `out`; false (and `out` as it was) when invalid.
bool ParseMacTo(std::string_view text, std::string& out) {
  size_t start = out.size();
  size_t i = 0;
  auto fail = [&] {
    out.resize(start);
    return false;
  };
  while (i < text.size()) {
    if (i + 1 >= text.size()) return fail();
    int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return fail();
    out += char(hi * 16 + lo);
    i += 2;
    if (i < text.size()) {
      if (text[i] != ':' && text[i] != '-') return fail();
      ++i;
      if (i == text.size()) return fail();
    }
  }
  return out.size() > start || fail();
}

std::string MacText(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    out += hex[uint8_t(bytes[i]) >> 4];
    out += hex[uint8_t(bytes[i]) & 15];
  }
  return out;
}

// Whether `v` nests arrays/objects more than `limit` deep; recursion stops
// at the limit.
bool DeeperThan(const Value& v, int limit) {
  if (!v.is_structured()) return false;
  if (limit <= 0) return true;
  for (const Value& e : v) {
    if (DeeperThan(e, limit - 1)) return true;
  }
  return false;
}

// --- calendar --------------------------------------------------------------

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string DateText(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

int64_t UnitsPerSecond(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return 1;
    case TimeUnit::kMillisecond:
      return 1000;
    case TimeUnit::kMicrosecond:
      return 1000000;
    case TimeUnit::kNanosecond:
      return 1000000000;
  }
  return 1;
}
int FractionDigits(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return 0;
    case TimeUnit::kMillisecond:
      return 3;
    case TimeUnit::kMicrosecond:
      return 6;
    case TimeUnit::kNanosecond:
      return 9;
  }
  return 0;
}

void AppendFraction(std::string& out, int64_t sub, int digits) {
  if (digits == 0) return;
  char buf[16];
  std::snprintf(buf, sizeof buf, ".%0*lld", digits, static_cast<long long>(sub));
  out += buf;
}

std::string TimestampText(int64_t v, TimeUnit unit, bool utc) {
  int64_t per = UnitsPerSecond(unit);
  int64_t secs = FloorDiv(v, per);
  int64_t sub = v - secs * per;
  int64_t days = FloorDiv(secs, 86400);
  int64_t rem = secs - days * 86400;
  std::string out = DateText(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", int(rem / 3600), int(rem / 60 % 60),
                int(rem % 60));
  out += buf;
  AppendFraction(out, sub, FractionDigits(unit));
  if (utc) out += 'Z';
  return out;
}

std::string TimeText(int64_t v, TimeUnit unit) {
  std::string out;
  if (v < 0) {
    out += '-';
    v = v == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -v;
  }
  int64_t per = UnitsPerSecond(unit);
  int64_t secs = v / per, sub = v % per;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02lld:%02d:%02d", static_cast<long long>(secs / 3600),
                int(secs / 60 % 60), int(secs % 60));
  out += buf;
  AppendFraction(out, sub, FractionDigits(unit));
  return out;
}

// A cursor over text for the date/time parsers.
struct Scanner {
  std::string_view s;
  size_t i = 0;
  bool Done() const { return i >= s.size(); }
  char Peek() const { return i < s.size() ? s[i] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly `n` digits (n > 0) or, with n == 0, one or more.
  bool Digits(int n, int64_t& out) {
    size_t start = i;
    out = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && (n == 0 || int(i - start) < n)) {
      if (i - start >= 18) return false;
      out = out * 10 + (s[i] - '0');
      ++i;
    }
    return n == 0 ? i > start : int(i - start) == n;
  }
};

bool ParseDatePart(Scanner& sc, int64_t& days) {
  bool negative = sc.Eat('-');
  if (!negative) sc.Eat('+');
  size_t start = sc.i;
  int64_t y, m, d;
  if (!sc.Digits(0, y) || sc.i - start < 4) return false;
  if (!sc.Eat('-') || !sc.Digits(2, m) || !sc.Eat('-') || !sc.Digits(2, d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  if (negative) y = -y;
  days = DaysFromCivil(y, unsigned(m), unsigned(d));
  // Reject dates like 02-30 that the formula would roll over.
  int64_t cy;
  unsigned cm, cd;
  CivilFromDays(days, cy, cm, cd);
  return cy == y && int64_t(cm) == m && int64_t(cd) == d;
}

// "HH:MM[:SS[.fraction]]" → nanoseconds since midnight (hours may exceed 23
// only for `allow_long_hours`).
bool ParseTimePart(Scanner& sc, __int128& nanos) {
  int64_t h, m, s = 0;
  if (!sc.Digits(2, h) || !sc.Eat(':') || !sc.Digits(2, m)) return false;
  if (sc.Eat(':') && !sc.Digits(2, s)) return false;
  if (h > 23 || m > 59 || s > 60) return false;
  int64_t frac = 0;
  if (sc.Peek() == '.' || sc.Peek() == ',') {
    ++sc.i;
    int digits = 0;
    size_t start = sc.i;
    while (!sc.Done() && sc.Peek() >= '0' && sc.Peek() <= '9') {
      if (digits < 9) {
        frac = frac * 10 + (sc.Peek() - '0');
        ++digits;
      }
      ++sc.i;
    }
    if (sc.i == start) return false;
    for (; digits < 9; ++digits) frac *= 10;
  }
  nanos = (__int128(h) * 3600 + m * 60 + s) * 1000000000 + frac;
  return true;
}

// ISO-8601 date or date-time, with an optional offset (none = UTC), to
// nanoseconds since the epoch.
bool ParseTimestampText(std::string_view text, __int128& nanos) {
  Scanner sc{text};
  int64_t days;
  if (!ParseDatePart(sc, days)) return false;
  nanos = __int128(days) * 86400 * 1000000000;
  if (sc.Done()) return true;
  if (!sc.Eat('T') && !sc.Eat('t') && !sc.Eat(' ')) return false;
  __int128 time;
  if (!ParseTimePart(sc, time)) return false;
  nanos += time;
  if (sc.Done() || sc.Eat('Z') || sc.Eat('z')) return sc.Done();
  char sign = sc.Peek();
  if (sign != '+' && sign != '-') return false;
  ++sc.i;
  int64_t oh, om = 0;
  if (!sc.Digits(2, oh)) return false;
  if (sc.Eat(':')) {
    if (!sc.Digits(2, om)) return false;
  } else if (!sc.Done() && !sc.Digits(2, om)) {
    return false;
  }
  if (!sc.Done() || oh > 23 || om > 59) return false;
  __int128 offset = (__int128(oh) * 3600 + om * 60) * 1000000000;
  nanos += sign == '+' ? -offset : offset;
  return true;
}

// --- half floats -------------------------------------------------------------

double HalfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? std::numeric_limits<double>::quiet_NaN() : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

// --- decimal -----------------------------------------------------------------

std::string Int128Text(__int128 v) {
  bool negative = v < 0;
  unsigned __int128 u = negative ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
  std::string digits;
  do {
    digits += char('0' + int(u % 10));
    u /= 10;
  } while (u);
  if (negative) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string DecimalText(__int128 v, int scale) {
  std::string text = Int128Text(v);
  if (scale <= 0) return scale == 0 || v == 0 ? text : text + std::string(size_t(-scale), '0');
  bool negative = text[0] == '-';
  std::string digits = negative ? text.substr(1) : text;
  if (digits.size() <= size_t(scale)) digits.insert(0, size_t(scale) + 1 - digits.size(), '0');
  digits.insert(digits.size() - size_t(scale), ".");
  return negative ? "-" + digits : digits;
}

// "[-]digits[.digits]" at `scale`, at most `precision` digits.
std::optional<__int128> ParseDecimal(std::string_view text, int precision, int scale) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::string_view whole = text, frac;
  if (size_t dot = text.find('.'); dot != std::string_view::npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
  }
  if (whole.empty() && frac.empty()) return std::nullopt;
  for (char c : whole)
    if (c < '0' || c > '9') return std::nullopt;
  for (char c : frac)
    if (c < '0' || c > '9') return std::nullopt;
  // Extra fraction digits are accepted only when they are zeros.
  if (scale >= 0 && frac.size() > size_t(scale)) {
    for (char c : frac.substr(size_t(scale)))
      if (c != '0') return std::nullopt;
    frac = frac.substr(0, size_t(scale));
  }
  if (scale < 0 || scale > 38) return std::nullopt;
  std::string digits =
      std::string(whole) + std::string(frac) + std::string(size_t(scale) - frac.size(), '0');
  size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  if (int(digits.size()) > std::max(precision, 1) || digits.size() > 38) {
    if (digits != "0") return std::nullopt;
  }
  __int128 v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return negative ? -v : v;
}

// --- type text ---------------------------------------------------------------

const char* UnitText(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return "s";
    case TimeUnit::kMillisecond:
      return "ms";
    case TimeUnit::kMicrosecond:
      return "us";
    case TimeUnit::kNanosecond:
      return "ns";
  }
  return "?";
}

bool PlainName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string ChildText(const ArrowField& child) {
  return TypeText(child) + (child.nullable ? "" : " not null");
}

}  // namespace

std::string MetadataValue(const Metadata& metadata, std::string_view key) {
  for (const auto& [k, v] : metadata) {
    if (k == key) return v;
  }
  return "";
}

std::string ArrowField::Extension() const {
  std::string name = MetadataValue(metadata, "ARROW:extension:name");
  if (name == "uuid" || name == "json" || name == "inet" || name == "mac") return name;
  return "";
}

std::string TypeText(const ArrowField& field) {
  const ArrowType& t = field.type;
  std::string ext = field.Extension();
  if (!ext.empty()) return ext;
  auto child = [&](size_t i) -> std::string {
    return i < field.children.size() ? ChildText(field.children[i]) : "?";
  };
  switch (t.id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt:
      return std::string(t.is_signed ? "int" : "uint") + std::to_string(t.bit_width);
    case TypeId::kFloat:
      return "float" + std::to_string(t.bit_width);
    case TypeId::kDecimal:
      return "decimal" + std::to_string(t.bit_width ? t.bit_width : 128) + "(" +
             std::to_string(t.precision) + ", " + std::to_string(t.scale) + ")";
    case TypeId::kUtf8:
      return "utf8";
    case TypeId::kLargeUtf8:
      return "large_utf8";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kLargeBinary:
      return "large_binary";
    case TypeId::kFixedSizeBinary:
      return "fixed_size_binary[" + std::to_string(t.byte_width) + "]";
    case TypeId::kDate:
      return t.date_unit == DateUnit::kDay ? "date32" : "date64";
    case TypeId::kTime:
      return (t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMillisecond ? "time32["
                                                                              : "time64[") +
             std::string(UnitText(t.unit)) + "]";
    case TypeId::kTimestamp:
      return "timestamp[" + std::string(UnitText(t.unit)) +
             (t.timezone.empty() ? "" : ", " + t.timezone) + "]";
    case TypeId::kDuration:
      return "duration[" + std::string(UnitText(t.unit)) + "]";
    case TypeId::kInterval:
      switch (t.interval_unit) {
        case IntervalUnit::kYearMonth:
          return "interval[year_month]";
        case IntervalUnit::kDayTime:
          return "interval[day_time]";
        case IntervalUnit::kMonthDayNano:
          return "interval[month_day_nano]";
      }
      return "interval";
    case TypeId::kList:
      return "list<" + child(0) + ">";
    case TypeId::kLargeList:
      return "large_list<" + child(0) + ">";
    case TypeId::kFixedSizeList:
      return "fixed_size_list<" + child(0) + ">[" + std::to_string(t.list_size) + "]";
    case TypeId::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < field.children.size(); ++i) {
        if (i) out += ", ";
        const std::string& name = field.children[i].name;
        out += PlainName(name) ? name
                               : Value(name).dump(-1, ' ', false, Value::error_handler_t::replace);
        out += ": " + ChildText(field.children[i]);
      }
      return out + ">";
    }
    case TypeId::kMap: {
      const ArrowField* entries = field.children.empty() ? nullptr : &field.children[0];
      if (!entries || entries->children.size() != 2) return "map<?>";
      return "map<" + TypeText(entries->children[0]) + ", " + ChildText(entries->children[1]) +
             ">" + (t.keys_sorted ? "[sorted]" : "");
    }
  }
  return "?";
}

namespace {

std::string TypeOnlyText(const ArrowType& t) {
  ArrowField f;
  f.type = t;
  return TypeText(f);
}

ArrowField ExtensionField(std::string name, const char* ext, ArrowType storage) {
  ArrowField f;
  f.name = std::move(name);
  f.type = storage;
  f.metadata = {{"ARROW:extension:name", ext},
                {"ARROW:extension:metadata", std::string(ext) + "-serialized"}};
  return f;
}

ArrowType Simple(TypeId id) {
  ArrowType t;
  t.id = id;
  return t;
}

// Recursive-descent parser of TypeText.
class TypeTextParser {
 public:
  explicit TypeTextParser(std::string_view text) : s_(text) {}

  Result<ArrowField> ParseWhole(std::string name) {
    ASSIGN_OR_RETURN(ArrowField f, Parse(std::move(name), 0));
    SkipSpace();
    if (i_ != s_.size()) return Error("unexpected text");
    return f;
  }

 private:
  Status Error(const std::string& what) const {
    return Status(ErrorKind::kInvalidArgument,
                  "Arrow type " + Quoted(s_) + ": " + what + " at offset " + std::to_string(i_));
  }
  void SkipSpace() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool Eat(std::string_view token) {
    SkipSpace();
    if (s_.substr(i_, token.size()) != token) return false;
    i_ += token.size();
    return true;
  }
  std::string Word() {
    SkipSpace();
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
      ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  Result<int> Number() {
    SkipSpace();
    int v = 0;
    bool negative = i_ < s_.size() && s_[i_] == '-';
    if (negative) ++i_;
    auto [ptr, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
    if (ec != std::errc()) return Error("expected a number");
    i_ = size_t(ptr - s_.data());
    return negative ? -v : v;
  }
  Result<TimeUnit> Unit() {
    std::string u = Word();
    if (u == "s") return TimeUnit::kSecond;
    if (u == "ms") return TimeUnit::kMillisecond;
    if (u == "us") return TimeUnit::kMicrosecond;
    if (u == "ns") return TimeUnit::kNanosecond;
    return Error("unknown time unit " + Quoted(u));
  }
  Result<ArrowField> Child(std::string name, int depth) {
    ASSIGN_OR_RETURN(ArrowField f, Parse(std::move(name), depth + 1));
    size_t save = i_;
    if (Eat("not") && Eat("null"))
      f.nullable = false;
    else
      i_ = save;
    return f;
  }
  Result<std::string> FieldName() {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '"') {
      // A JSON string: find its end, then let the JSON parser unescape it.
      size_t j = i_ + 1;
      while (j < s_.size() && s_[j] != '"') j += s_[j] == '\\' ? 2 : 1;
      if (j >= s_.size()) return Error("unterminated field name");
      Value v = Value::parse(s_.substr(i_, j + 1 - i_), nullptr, false);
      if (!v.is_string()) return Error("bad field name");
      i_ = j + 1;
      return v.get<std::string>();
    }
    std::string w = Word();
    if (w.empty()) return Error("expected a field name");
    return w;
  }

  Result<ArrowField> Parse(std::string name, int depth) {
    if (depth > kMaxNesting) return Error("nested too deeply");
    ArrowField f;
    f.name = std::move(name);
    std::string w = Word();
    ArrowType& t = f.type;
    if (w == "uuid") return UuidField(f.name);
    if (w == "json") return JsonField(f.name);
    if (w == "inet") return InetField(f.name);
    if (w == "mac") return MacField(f.name);
    if (w == "null")
      t = Simple(TypeId::kNull);
    else if (w == "bool" || w == "boolean")
      t = Simple(TypeId::kBool);
    else if (w == "int8" || w == "int16" || w == "int32" || w == "int64" || w == "uint8" ||
             w == "uint16" || w == "uint32" || w == "uint64") {
      t = Simple(TypeId::kInt);
      t.is_signed = w[0] == 'i';
      t.bit_width = std::stoi(w.substr(t.is_signed ? 3 : 4));
    } else if (w == "float16" || w == "float32" || w == "float64") {
      t = Simple(TypeId::kFloat);
      t.bit_width = std::stoi(w.substr(5));
    } else if (w == "decimal128" || w == "decimal") {
      t = Simple(TypeId::kDecimal);
      t.bit_width = 128;
      if (!Eat("(")) return Error("expected (");
      ASSIGN_OR_RETURN(t.precision, Number());
      if (!Eat(",")) return Error("expected ,");
      ASSIGN_OR_RETURN(t.scale, Number());
      if (!Eat(")")) return Error("expected )");
      if (t.precision < 1 || t.precision > 38 || t.scale < -38 || t.scale > t.precision) {
        return Error("decimal128 needs 1 <= precision <= 38 and -38 <= scale <= precision");
      }
    } else if (w == "utf8" || w == "string")
      t = Simple(TypeId::kUtf8);
    else if (w == "large_utf8" || w == "large_string")
      t = Simple(TypeId::kLargeUtf8);
    else if (w == "binary")
      t = Simple(TypeId::kBinary);
    else if (w == "large_binary")
      t = Simple(TypeId::kLargeBinary);
    else if (w == "fixed_size_binary") {
      t = Simple(TypeId::kFixedSizeBinary);
      if (!Eat("[")) return Error("expected [");
      ASSIGN_OR_RETURN(t.byte_width, Number());
      if (!Eat("]")) return Error("expected ]");
      if (t.byte_width < 0 || t.byte_width > kMaxFixedWidth) return Error("width out of range");
    } else if (w == "date32" || w == "date64") {
      t = Simple(TypeId::kDate);
      t.date_unit = w == "date32" ? DateUnit::kDay : DateUnit::kMillisecond;
    } else if (w == "time32" || w == "time64") {
      t = Simple(TypeId::kTime);
      if (!Eat("[")) return Error("expected [");
      ASSIGN_OR_RETURN(t.unit, Unit());
      if (!Eat("]")) return Error("expected ]");
      bool small = t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMillisecond;
      if (small != (w == "time32")) return Error(w + " cannot have unit " + UnitText(t.unit));
      t.bit_width = small ? 32 : 64;
    } else if (w == "timestamp" || w == "duration") {
      t = Simple(w == "timestamp" ? TypeId::kTimestamp : TypeId::kDuration);
      if (!Eat("[")) return Error("expected [");
      ASSIGN_OR_RETURN(t.unit, Unit());
      if (w == "timestamp" && Eat(",")) {
        SkipSpace();
        size_t end = s_.find(']', i_);
        if (end == std::string_view::npos) return Error("expected ]");
        t.timezone = std::string(s_.substr(i_, end - i_));
        while (!t.timezone.empty() && t.timezone.back() == ' ') t.timezone.pop_back();
        i_ = end;
      }
      if (!Eat("]")) return Error("expected ]");
    } else if (w == "interval") {
      t = Simple(TypeId::kInterval);
      if (!Eat("[")) return Error("expected [");
      std::string u = Word();
      if (u == "year_month")
        t.interval_unit = IntervalUnit::kYearMonth;
      else if (u == "day_time")
        t.interval_unit = IntervalUnit::kDayTime;
      else if (u == "month_day_nano")
        t.interval_unit = IntervalUnit::kMonthDayNano;
      else
        return Error("unknown interval unit " + Quoted(u));
      if (!Eat("]")) return Error("expected ]");
    } else if (w == "list" || w == "large_list" || w == "fixed_size_list") {
      t = Simple(w == "list"         ? TypeId::kList
                 : w == "large_list" ? TypeId::kLargeList
                                     : TypeId::kFixedSizeList);
      if (!Eat("<")) return Error("expected <");
      ASSIGN_OR_RETURN(ArrowField item, Child("item", depth));
      f.children.push_back(std::move(item));
      if (!Eat(">")) return Error("expected >");
      if (t.id == TypeId::kFixedSizeList) {
        if (!Eat("[")) return Error("expected [");
        ASSIGN_OR_RETURN(t.list_size, Number());
        if (!Eat("]")) return Error("expected ]");
        if (t.list_size < 0 || t.list_size > kMaxFixedWidth) return Error("list size out of range");
      }
    } else if (w == "struct") {
      t = Simple(TypeId::kStruct);
      if (!Eat("<")) return Error("expected <");
      if (!Eat(">")) {
        do {
          ASSIGN_OR_RETURN(std::string child_name, FieldName());
          if (!Eat(":")) return Error("expected :");
          ASSIGN_OR_RETURN(ArrowField child, Child(std::move(child_name), depth));
          f.children.push_back(std::move(child));
        } while (Eat(","));
        if (!Eat(">")) return Error("expected >");
      }
    } else if (w == "map") {
      t = Simple(TypeId::kMap);
      if (!Eat("<")) return Error("expected <");
      ArrowField entries;
      entries.name = "entries";
      entries.nullable = false;
      entries.type = Simple(TypeId::kStruct);
      ASSIGN_OR_RETURN(ArrowField key, Child("key", depth));
      key.nullable = false;
      if (!Eat(",")) return Error("expected ,");
      ASSIGN_OR_RETURN(ArrowField value, Child("value", depth));
      if (!Eat(">")) return Error("expected >");
      if (Eat("[sorted]")) t.keys_sorted = true;
      entries.children.push_back(std::move(key));
      entries.children.push_back(std::move(value));
      f.children.push_back(std::move(entries));
    } else {
      return Error("unknown type " + Quoted(w));
    }
    return f;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Result<ArrowField> FieldOfTypeText(std::string name, std::string_view text) {
  return TypeTextParser(text).ParseWhole(std::move(name));
}

ArrowField UuidField(std::string name) {
  ArrowType t = Simple(TypeId::kFixedSizeBinary);
  t.byte_width = 16;
  return ExtensionField(std::move(name), "uuid", t);
}
ArrowField JsonField(std::string name) {
  return ExtensionField(std::move(name), "json", Simple(TypeId::kBinary));
}
ArrowField InetField(std::string name) {
  return ExtensionField(std::move(name), "inet", Simple(TypeId::kBinary));
}
ArrowField MacField(std::string name) {
  return ExtensionField(std::move(name), "mac", Simple(TypeId::kBinary));
}

// ============================================================================
// Schema messages
// ============================================================================
namespace {

fb::TimeUnit FbUnit(TimeUnit u) { return static_cast<fb::TimeUnit>(static_cast<int>(u)); }

Offset<flatbuffers::Vector<Offset<fb::KeyValue>>> BuildMetadata(FlatBufferBuilder& fbb,
                                                                const Metadata& metadata) {
  if (metadata.empty()) return 0;
  std::vector<Offset<fb::KeyValue>> kvs;
  kvs.reserve(metadata.size());
  for (const auto& [k, v] : metadata)
    kvs.push_back(fb::CreateKeyValue(fbb, fbb.CreateString(k), fbb.CreateString(v)));
  return fbb.CreateVector(kvs);
}

Offset<fb::Field> BuildField(FlatBufferBuilder& fbb, const ArrowField& field) {
  std::vector<Offset<fb::Field>> children;
  children.reserve(field.children.size());
  for (const ArrowField& child : field.children) children.push_back(BuildField(fbb, child));
  auto name = fbb.CreateString(field.name);
  const ArrowType& t = field.type;
  fb::Type type_type = fb::Type::Null;
  Offset<void> type;
  switch (t.id) {
    case TypeId::kNull:
      type_type = fb::Type::Null;
      type = fb::CreateNull(fbb).Union();
      break;
    case TypeId::kBool:
      type_type = fb::Type::Bool;
      type = fb::CreateBool(fbb).Union();
      break;
    case TypeId::kInt:
      type_type = fb::Type::Int;
      type = fb::CreateInt(fbb, t.bit_width, t.is_signed).Union();
      break;
    case TypeId::kFloat:
      type_type = fb::Type::FloatingPoint;
      type = fb::CreateFloatingPoint(fbb, t.bit_width == 16   ? fb::Precision::HALF
                                          : t.bit_width == 32 ? fb::Precision::SINGLE
                                                              : fb::Precision::DOUBLE)
                 .Union();
      break;
    case TypeId::kDecimal:
      type_type = fb::Type::Decimal;
      type = fb::CreateDecimal(fbb, t.precision, t.scale, t.bit_width ? t.bit_width : 128).Union();
      break;
    case TypeId::kUtf8:
      type_type = fb::Type::Utf8;
      type = fb::CreateUtf8(fbb).Union();
      break;
    case TypeId::kLargeUtf8:
      type_type = fb::Type::LargeUtf8;
      type = fb::CreateLargeUtf8(fbb).Union();
      break;
    case TypeId::kBinary:
      type_type = fb::Type::Binary;
      type = fb::CreateBinary(fbb).Union();
      break;
    case TypeId::kLargeBinary:
      type_type = fb::Type::LargeBinary;
      type = fb::CreateLargeBinary(fbb).Union();
      break;
    case TypeId::kFixedSizeBinary:
      type_type = fb::Type::FixedSizeBinary;
      type = fb::CreateFixedSizeBinary(fbb, t.byte_width).Union();
      break;
    case TypeId::kDate:
      type_type = fb::Type::Date;
      type = fb::CreateDate(
                 fbb, t.date_unit == DateUnit::kDay ? fb::DateUnit::DAY : fb::DateUnit::MILLISECOND)
                 .Union();
      break;
    case TypeId::kTime: {
      bool small = t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMillisecond;
      type_type = fb::Type::Time;
      type = fb::CreateTime(fbb, FbUnit(t.unit), small ? 32 : 64).Union();
      break;
    }
    case TypeId::kTimestamp: {
      auto tz = t.timezone.empty() ? 0 : fbb.CreateString(t.timezone);
      type_type = fb::Type::Timestamp;
      type = fb::CreateTimestamp(fbb, FbUnit(t.unit), tz).Union();
      break;
    }
    case TypeId::kDuration:
      type_type = fb::Type::Duration;
      type = fb::CreateDuration(fbb, FbUnit(t.unit)).Union();
      break;
    case TypeId::kInterval:
      type_type = fb::Type::Interval;
      type =
          fb::CreateInterval(fbb, static_cast<fb::IntervalUnit>(static_cast<int>(t.interval_unit)))
              .Union();
      break;
    case TypeId::kList:
      type_type = fb::Type::List;
      type = fb::CreateList(fbb).Union();
      break;
    case TypeId::kLargeList:
      type_type = fb::Type::LargeList;
      type = fb::CreateLargeList(fbb).Union();
      break;
    case TypeId::kFixedSizeList:
      type_type = fb::Type::FixedSizeList;
      type = fb::CreateFixedSizeList(fbb, t.list_size).Union();
      break;
    case TypeId::kStruct:
      type_type = fb::Type::Struct_;
      type = fb::CreateStruct_(fbb).Union();
      break;
    case TypeId::kMap:
      type_type = fb::Type::Map;
      type = fb::CreateMap(fbb, t.keys_sorted).Union();
      break;
  }
  auto kids = fbb.CreateVector(children);
  auto metadata = BuildMetadata(fbb, field.metadata);
  return fb::CreateField(fbb, name, field.nullable, type_type, type, 0, kids, metadata);
}

void AppendU32(std::string& out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian hosts only (checked below)
  out.append(b, 4);
}
static_assert(std::endian::native == std::endian::little, "the codec writes little-endian Arrow");

void AppendMessage(std::string& out, FlatBufferBuilder& fbb, std::string_view body) {
  size_t size = fbb.GetSize();
  size_t padded = (size + 7) & ~size_t{7};
  AppendU32(out, kContinuation);
  AppendU32(out, static_cast<uint32_t>(padded));
  out.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), size);
  out.append(padded - size, '\0');
  out.append(body);
}

void AppendEos(std::string& out) {
  AppendU32(out, kContinuation);
  AppendU32(out, 0);
}

void AppendSchemaMessage(std::string& out, const ArrowSchema& schema) {
  FlatBufferBuilder fbb(1024);
  std::vector<Offset<fb::Field>> fields;
  fields.reserve(schema.fields.size());
  for (const ArrowField& f : schema.fields) fields.push_back(BuildField(fbb, f));
  auto fields_vec = fbb.CreateVector(fields);
  auto metadata = BuildMetadata(fbb, schema.metadata);
  auto s = fb::CreateSchema(fbb, fb::Endianness::Little, fields_vec, metadata);
  fbb.Finish(
      fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, s.Union(), 0));
  AppendMessage(out, fbb, {});
}

// --- reading messages ----------------------------------------------------------

struct RawMessage {
  const fb::Message* message = nullptr;
  std::string_view body;
};

// Walks the encapsulated messages of a stream. The metadata flatbuffer is
// copied to 8-aligned storage before it is verified and read.
class MessageReader {
 public:
  explicit MessageReader(std::string_view data) : data_(data) {}

  // nullopt at EOS or at the end of the bytes.
  Result<std::optional<RawMessage>> Next() {
    if (pos_ == data_.size()) return std::optional<RawMessage>();
    if (data_.size() - pos_ < 4)
      return Malformed("truncated message header at byte " + std::to_string(pos_));
    uint32_t word = ReadU32(pos_);
    size_t header = 4;
    int32_t size;
    if (word == kContinuation) {
      if (data_.size() - pos_ < 8)
        return Malformed("truncated message header at byte " + std::to_string(pos_));
      size = static_cast<int32_t>(ReadU32(pos_ + 4));
      header = 8;
    } else {
      size = static_cast<int32_t>(word);  // the pre-1.0 form without continuation
    }
    if (size == 0) return std::optional<RawMessage>();
    if (size < 0) return Malformed("negative metadata size at byte " + std::to_string(pos_));
    size_t start = pos_ + header;
    if (size_t(size) > data_.size() - start) {
      return Malformed("metadata of " + std::to_string(size) + " bytes at byte " +
                       std::to_string(pos_) + " runs past the end of the stream (" +
                       std::to_string(data_.size()) + " bytes)");
    }
    storage_.assign((size_t(size) + 7) / 8, 0);
    std::memcpy(storage_.data(), data_.data() + start, size_t(size));
    const auto* bytes = reinterpret_cast<const uint8_t*>(storage_.data());
    flatbuffers::Verifier verifier(bytes, size_t(size), kMaxNesting, 1000000);
    if (!fb::VerifyMessageBuffer(verifier)) {
      return Malformed("message at byte " + std::to_string(pos_) +
                       " fails flatbuffer verification");
    }
    const fb::Message* message = fb::GetMessage(bytes);
    int64_t body_length = message->body_length();
    size_t body_start = start + size_t(size);
    if (body_length < 0 || uint64_t(body_length) > data_.size() - body_start) {
      return Malformed("message body of " + std::to_string(body_length) + " bytes at byte " +
                       std::to_string(body_start) + " runs past the end of the stream");
    }
    pos_ = body_start + size_t(body_length);
    return std::optional<RawMessage>(
        RawMessage{message, data_.substr(body_start, size_t(body_length))});
  }

 private:
  uint32_t ReadU32(size_t at) const {
    uint32_t v;
    std::memcpy(&v, data_.data() + at, 4);
    return v;
  }
  std::string_view data_;
  size_t pos_ = 0;
  std::vector<uint64_t> storage_;
};

std::string Str(const flatbuffers::String* s) {
  return s ? std::string(s->string_view()) : std::string();
}

Metadata ReadMetadata(const flatbuffers::Vector<Offset<fb::KeyValue>>* kvs) {
  Metadata out;
  if (!kvs) return out;
  out.reserve(kvs->size());
  for (const fb::KeyValue* kv : *kvs) out.emplace_back(Str(kv->key()), Str(kv->value()));
  return out;
}

Result<TimeUnit> ReadUnit(fb::TimeUnit u, const std::string& path) {
  switch (u) {
    case fb::TimeUnit::SECOND:
      return TimeUnit::kSecond;
    case fb::TimeUnit::MILLISECOND:
      return TimeUnit::kMillisecond;
    case fb::TimeUnit::MICROSECOND:
      return TimeUnit::kMicrosecond;
    case fb::TimeUnit::NANOSECOND:
      return TimeUnit::kNanosecond;
  }
  return ColumnError(ErrorKind::kParse, path, "unknown time unit " + std::to_string(int(u)));
}

const char* FbTypeName(fb::Type t) {
  const char* name = fb::EnumNameType(t);
  return name && *name ? name : "unknown";
}

Result<ArrowField> ReadField(const fb::Field* f, const std::string& parent, int depth) {
  ArrowField out;
  out.name = Str(f->name());
  std::string path = parent.empty() ? out.name : parent + "." + out.name;
  if (depth > kMaxNesting) return ColumnError(ErrorKind::kParse, path, "nested too deeply");
  out.nullable = f->nullable();
  out.metadata = ReadMetadata(f->custom_metadata());
  if (f->dictionary())
    return ColumnError(ErrorKind::kNotImplemented, path, "unsupported dictionary encoding");
  ArrowType& t = out.type;
  size_t want_children = 0;
  switch (f->type_type()) {
    case fb::Type::Null:
      t.id = TypeId::kNull;
      break;
    case fb::Type::Bool:
      t.id = TypeId::kBool;
      break;
    case fb::Type::Int: {
      const fb::Int* i = f->type_as_Int();
      if (!i) return ColumnError(ErrorKind::kParse, path, "Int type without its table");
      t.id = TypeId::kInt;
      t.bit_width = i->bit_width();
      t.is_signed = i->is_signed();
      if (t.bit_width != 8 && t.bit_width != 16 && t.bit_width != 32 && t.bit_width != 64) {
        return ColumnError(ErrorKind::kNotImplemented, path,
                           "unsupported integer width " + std::to_string(t.bit_width));
      }
      break;
    }
    case fb::Type::FloatingPoint: {
      const fb::FloatingPoint* p = f->type_as_FloatingPoint();
      if (!p) return ColumnError(ErrorKind::kParse, path, "FloatingPoint type without its table");
      t.id = TypeId::kFloat;
      switch (p->precision()) {
        case fb::Precision::HALF:
          t.bit_width = 16;
          break;
        case fb::Precision::SINGLE:
          t.bit_width = 32;
          break;
        case fb::Precision::DOUBLE:
          t.bit_width = 64;
          break;
        default:
          return ColumnError(ErrorKind::kParse, path, "unknown float precision");
      }
      break;
    }
    case fb::Type::Decimal: {
      const fb::Decimal* d = f->type_as_Decimal();
      if (!d) return ColumnError(ErrorKind::kParse, path, "Decimal type without its table");
      t.id = TypeId::kDecimal;
      t.precision = d->precision();
      t.scale = d->scale();
      t.bit_width = d->bit_width();
      if (t.bit_width != 128) {
        return ColumnError(ErrorKind::kNotImplemented, path,
                           "unsupported decimal" + std::to_string(t.bit_width));
      }
      if (t.precision < 1 || t.precision > 38 || t.scale > t.precision || t.scale < -38) {
        return ColumnError(ErrorKind::kParse, path, "decimal128 precision/scale out of range");
      }
      break;
    }
    case fb::Type::Utf8:
      t.id = TypeId::kUtf8;
      break;
    case fb::Type::LargeUtf8:
      t.id = TypeId::kLargeUtf8;
      break;
    case fb::Type::Binary:
      t.id = TypeId::kBinary;
      break;
    case fb::Type::LargeBinary:
      t.id = TypeId::kLargeBinary;
      break;
    case fb::Type::FixedSizeBinary: {
      const fb::FixedSizeBinary* b = f->type_as_FixedSizeBinary();
      if (!b) return ColumnError(ErrorKind::kParse, path, "FixedSizeBinary type without its table");
      t.id = TypeId::kFixedSizeBinary;
      t.byte_width = b->byte_width();
      if (t.byte_width < 0)
        return ColumnError(ErrorKind::kParse, path, "negative fixed_size_binary width");
      break;
    }
    case fb::Type::Date: {
      const fb::Date* d = f->type_as_Date();
      if (!d) return ColumnError(ErrorKind::kParse, path, "Date type without its table");
      t.id = TypeId::kDate;
      if (d->unit() == fb::DateUnit::DAY)
        t.date_unit = DateUnit::kDay;
      else if (d->unit() == fb::DateUnit::MILLISECOND)
        t.date_unit = DateUnit::kMillisecond;
      else
        return ColumnError(ErrorKind::kParse, path, "unknown date unit");
      break;
    }
    case fb::Type::Time: {
      const fb::Time* tm = f->type_as_Time();
      if (!tm) return ColumnError(ErrorKind::kParse, path, "Time type without its table");
      t.id = TypeId::kTime;
      ASSIGN_OR_RETURN(t.unit, ReadUnit(tm->unit(), path));
      t.bit_width = tm->bit_width();
      bool small = t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMillisecond;
      if (t.bit_width != (small ? 32 : 64)) {
        return ColumnError(
            ErrorKind::kParse, path,
            "time of " + std::to_string(t.bit_width) + " bits in unit " + UnitText(t.unit));
      }
      break;
    }
    case fb::Type::Timestamp: {
      const fb::Timestamp* ts = f->type_as_Timestamp();
      if (!ts) return ColumnError(ErrorKind::kParse, path, "Timestamp type without its table");
      t.id = TypeId::kTimestamp;
      ASSIGN_OR_RETURN(t.unit, ReadUnit(ts->unit(), path));
      t.timezone = Str(ts->timezone());
      break;
    }
    case fb::Type::Duration: {
      const fb::Duration* d = f->type_as_Duration();
      if (!d) return ColumnError(ErrorKind::kParse, path, "Duration type without its table");
      t.id = TypeId::kDuration;
      ASSIGN_OR_RETURN(t.unit, ReadUnit(d->unit(), path));
      break;
    }
    case fb::Type::Interval: {
      const fb::Interval* iv = f->type_as_Interval();
      if (!iv) return ColumnError(ErrorKind::kParse, path, "Interval type without its table");
      t.id = TypeId::kInterval;
      switch (iv->unit()) {
        case fb::IntervalUnit::YEAR_MONTH:
          t.interval_unit = IntervalUnit::kYearMonth;
          break;
        case fb::IntervalUnit::DAY_TIME:
          t.interval_unit = IntervalUnit::kDayTime;
          break;
        case fb::IntervalUnit::MONTH_DAY_NANO:
          t.interval_unit = IntervalUnit::kMonthDayNano;
          break;
        default:
          return ColumnError(ErrorKind::kParse, path, "unknown interval unit");
      }
      break;
    }
    case fb::Type::List:
      t.id = TypeId::kList;
      want_children = 1;
      break;
    case fb::Type::LargeList:
      t.id = TypeId::kLargeList;
      want_children = 1;
      break;
    case fb::Type::FixedSizeList: {
      const fb::FixedSizeList* l = f->type_as_FixedSizeList();
      if (!l) return ColumnError(ErrorKind::kParse, path, "FixedSizeList type without its table");
      t.id = TypeId::kFixedSizeList;
      t.list_size = l->list_size();
      if (t.list_size < 0)
        return ColumnError(ErrorKind::kParse, path, "negative fixed_size_list size");
      want_children = 1;
      break;
    }
    case fb::Type::Struct_:
      t.id = TypeId::kStruct;
      break;
    case fb::Type::Map: {
      const fb::Map* m = f->type_as_Map();
      if (!m) return ColumnError(ErrorKind::kParse, path, "Map type without its table");
      t.id = TypeId::kMap;
      t.keys_sorted = m->keys_sorted();
      want_children = 1;
      break;
    }
    case fb::Type::NONE:
      return ColumnError(ErrorKind::kParse, path, "field without a type");
    default:
      return ColumnError(ErrorKind::kNotImplemented, path,
                         std::string("unsupported Arrow type ") + FbTypeName(f->type_type()));
  }
  if (const auto* kids = f->children()) {
    out.children.reserve(kids->size());
    for (const fb::Field* kid : *kids) {
      ASSIGN_OR_RETURN(ArrowField child, ReadField(kid, path, depth + 1));
      out.children.push_back(std::move(child));
    }
  }
  if (want_children && out.children.size() != want_children) {
    return ColumnError(ErrorKind::kParse, path,
                       TypeText(out) + " needs exactly one child field, has " +
                           std::to_string(out.children.size()));
  }
  if (t.id == TypeId::kMap) {
    const ArrowField& entries = out.children[0];
    if (entries.type.id != TypeId::kStruct || entries.children.size() != 2) {
      return ColumnError(ErrorKind::kParse, path, "map entries must be a struct of key and value");
    }
  }
  if (!want_children && t.id != TypeId::kStruct && !out.children.empty()) {
    return ColumnError(ErrorKind::kParse, path, TypeText(out) + " cannot have child fields");
  }
  // Extension names are only honoured on the storage CloudQuery defines.
  std::string ext = out.Extension();
  if (ext == "uuid" && !(t.id == TypeId::kFixedSizeBinary && t.byte_width == 16)) {
    return ColumnError(ErrorKind::kParse, path, "uuid extension on storage " + TypeOnlyText(t));
  }
  if ((ext == "json" || ext == "inet" || ext == "mac") &&
      !(t.id == TypeId::kBinary || t.id == TypeId::kLargeBinary || t.id == TypeId::kUtf8 ||
        t.id == TypeId::kLargeUtf8)) {
    return ColumnError(ErrorKind::kParse, path, ext + " extension on storage " + TypeOnlyText(t));
  }
  return out;
}

Result<ArrowSchema> ReadSchema(const fb::Message* message) {
  if (message->header_type() != fb::MessageHeader::Schema) {
    return Malformed(std::string("the stream starts with a ") +
                     fb::EnumNameMessageHeader(message->header_type()) + " message, not a Schema");
  }
  if (message->version() < fb::MetadataVersion::V4) {
    return Unsupported("metadata version V" + std::to_string(int(message->version()) + 1) +
                       " (needs V4 or V5)");
  }
  const fb::Schema* schema = message->header_as_Schema();
  if (!schema) return Malformed("Schema message without a schema");
  if (schema->endianness() != fb::Endianness::Little) return Unsupported("big-endian data");
  ArrowSchema out;
  out.metadata = ReadMetadata(schema->custom_metadata());
  if (const auto* fields = schema->fields()) {
    out.fields.reserve(fields->size());
    for (const fb::Field* f : *fields) {
      ASSIGN_OR_RETURN(ArrowField field, ReadField(f, "", 0));
      out.fields.push_back(std::move(field));
    }
  }
  return out;
}

}  // namespace

std::string EncodeSchema(const ArrowSchema& schema) {
  std::string out;
  AppendSchemaMessage(out, schema);
  AppendEos(out);
  return out;
}

Result<ArrowSchema> DecodeSchema(std::string_view ipc) {
  MessageReader reader(ipc);
  ASSIGN_OR_RETURN(std::optional<RawMessage> first, reader.Next());
  if (!first) return Malformed("no Schema message (empty stream)");
  return ReadSchema(first->message);
}

// ============================================================================
// Record batches: encoding
// ============================================================================
namespace {

// The values of one array being encoded, with the top-level row each came
// from (for errors).
struct Cells {
  std::vector<const Value*> values;  // nullptr: null
  std::vector<uint32_t> rows;        // empty: values[i] is row i
  size_t Row(size_t i) const { return rows.empty() ? i : rows[i]; }
  size_t size() const { return values.size(); }
};

// Whether values of `field` can take no body bytes at all.
bool NeedsNoBytes(const ArrowField& field) {
  if (field.type.id == TypeId::kNull) return true;
  if (field.type.id == TypeId::kStruct || field.type.id == TypeId::kFixedSizeList) {
    return std::all_of(field.children.begin(), field.children.end(), NeedsNoBytes);
  }
  return false;
}

class BatchEncoder {
 public:
  size_t row_base = 0;  // index of the first row, for errors
  std::string body;
  std::vector<fb::FieldNode> nodes;
  std::vector<fb::Buffer> buffers;

  Status Encode(const ArrowField& field, const std::string& path, const Cells& cells, int depth) {
    if (depth > kMaxNesting)
      return ColumnError(ErrorKind::kInvalidArgument, path, "nested too deeply");
    const ArrowType& t = field.type;
    size_t n = cells.size();
    size_t nulls = 0;
    for (const Value* v : cells.values) nulls += (v == nullptr || v->is_null());
    nodes.emplace_back(int64_t(n), int64_t(t.id == TypeId::kNull ? n : nulls));
    if (t.id == TypeId::kNull) {
      for (size_t i = 0; i < n; ++i) {
        if (!IsNull(cells.values[i]))
          return CellError(path, cells.Row(i), *cells.values[i], "is not null");
      }
      return Status::Ok();
    }
    AppendValidity(cells, nulls);
    std::string ext = field.Extension();
    switch (t.id) {
      case TypeId::kNull:
        return Status::Ok();
      case TypeId::kBool:
        return EncodeBool(path, cells);
      case TypeId::kInt:
        return EncodeInt(t, path, cells);
      case TypeId::kFloat:
        return EncodeFloat(t, path, cells);
      case TypeId::kDecimal:
        return EncodeDecimal(t, path, cells);
      case TypeId::kUtf8:
      case TypeId::kLargeUtf8:
      case TypeId::kBinary:
      case TypeId::kLargeBinary:
        return EncodeVarBinary(t, ext, path, cells);
      case TypeId::kFixedSizeBinary:
        return EncodeFixedBinary(t, ext, path, cells);
      case TypeId::kDate:
        return EncodeDate(t, path, cells);
      case TypeId::kTime:
        return EncodeTime(t, path, cells);
      case TypeId::kTimestamp:
        return EncodeTimestamp(t, path, cells);
      case TypeId::kDuration:
        return EncodeDuration(path, cells);
      case TypeId::kInterval:
        return EncodeInterval(t, path, cells);
      case TypeId::kList:
      case TypeId::kLargeList:
      case TypeId::kFixedSizeList:
        return EncodeList(field, path, cells, depth);
      case TypeId::kStruct:
        return EncodeStruct(field, path, cells, depth);
      case TypeId::kMap:
        return EncodeMap(field, path, cells, depth);
    }
    return Status(ErrorKind::kInternal, "unknown type id");
  }

 private:
  static bool IsNull(const Value* v) { return v == nullptr || v->is_null(); }

  Status CellError(const std::string& path, size_t row, const Value& v,
                   const std::string& what) const {
    return Status(ErrorKind::kType, "Arrow IPC: column " + Quoted(path) + " row " +
                                        std::to_string(row_base + row) + ": " + Shorten(v) + " " +
                                        what);
  }

  void AppendBuffer(const void* data, size_t len) {
    int64_t offset = int64_t(body.size());
    body.append(static_cast<const char*>(data), len);
    body.append(((len + 7) & ~size_t{7}) - len, '\0');
    buffers.emplace_back(offset, int64_t(len));
  }
  template <typename T>
  void AppendVector(const std::vector<T>& v) {
    AppendBuffer(v.data(), v.size() * sizeof(T));
  }

  void AppendValidity(const Cells& cells, size_t nulls) {
    if (nulls == 0) {
      AppendBuffer(nullptr, 0);
      return;
    }
    std::vector<uint8_t> bits((cells.size() + 7) / 8, 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      if (!IsNull(cells.values[i])) bits[i / 8] |= uint8_t(1u << (i % 8));
    }
    AppendVector(bits);
  }

  Status EncodeBool(const std::string& path, const Cells& cells) {
    std::vector<uint8_t> bits((cells.size() + 7) / 8, 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      bool b;
      if (v->is_boolean())
        b = v->get<bool>();
      else if (v->is_number_integer() && (v->get<int64_t>() == 0 || v->get<int64_t>() == 1))
        b = v->get<int64_t>();
      else if (v->is_string() && (*v == "true" || *v == "false"))
        b = *v == "true";
      else
        return CellError(path, cells.Row(i), *v, "is not a boolean");
      if (b) bits[i / 8] |= uint8_t(1u << (i % 8));
    }
    AppendVector(bits);
    return Status::Ok();
  }

  // An integral value: integer, integral number, or integer text.
  static std::optional<__int128> ToInteger(const Value& v) {
    if (v.is_number_unsigned()) return __int128(v.get<uint64_t>());
    if (v.is_number_integer()) return __int128(v.get<int64_t>());
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (!std::isfinite(d) || d != std::trunc(d) || std::fabs(d) > 1.9e19) return std::nullopt;
      return __int128(d);
    }
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      const char* b = s.data();
      const char* e = b + s.size();
      if (b != e && *b == '+') ++b;
      if (b != e && *b == '-') {
        int64_t x;
        auto [p, ec] = std::from_chars(b, e, x);
        if (ec == std::errc() && p == e) return __int128(x);
        return std::nullopt;
      }
      uint64_t x;
      auto [p, ec] = std::from_chars(b, e, x);
      if (ec == std::errc() && p == e && b != e) return __int128(x);
    }
    return std::nullopt;
  }

  template <typename T>
  Status EncodeIntAs(const std::string& path, const Cells& cells, const char* type_name) {
    std::vector<T> out(cells.size(), T{0});
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      std::optional<__int128> x = ToInteger(*v);
      if (!x)
        return CellError(path, cells.Row(i), *v,
                         std::string("is not an integer (column type ") + type_name + ")");
      if (*x < __int128(std::numeric_limits<T>::min()) ||
          *x > __int128(std::numeric_limits<T>::max())) {
        return CellError(path, cells.Row(i), *v, std::string("is out of range for ") + type_name);
      }
      out[i] = static_cast<T>(*x);
    }
    AppendVector(out);
    return Status::Ok();
  }

  Status EncodeInt(const ArrowType& t, const std::string& path, const Cells& cells) {
    switch (t.bit_width * (t.is_signed ? 1 : -1)) {
      case 8:
        return EncodeIntAs<int8_t>(path, cells, "int8");
      case 16:
        return EncodeIntAs<int16_t>(path, cells, "int16");
      case 32:
        return EncodeIntAs<int32_t>(path, cells, "int32");
      case 64:
        return EncodeIntAs<int64_t>(path, cells, "int64");
      case -8:
        return EncodeIntAs<uint8_t>(path, cells, "uint8");
      case -16:
        return EncodeIntAs<uint16_t>(path, cells, "uint16");
      case -32:
        return EncodeIntAs<uint32_t>(path, cells, "uint32");
      case -64:
        return EncodeIntAs<uint64_t>(path, cells, "uint64");
    }
    return ColumnError(ErrorKind::kNotImplemented, path,
                       "unsupported integer width " + std::to_string(t.bit_width));
  }

  static std::optional<double> ToDouble(const Value& v) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      double d;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return d;
    }
    return std::nullopt;
  }

  Status EncodeFloat(const ArrowType& t, const std::string& path, const Cells& cells) {
    if (t.bit_width != 32 && t.bit_width != 64) {
      return ColumnError(ErrorKind::kNotImplemented, path,
                         "writing float" + std::to_string(t.bit_width) +
                             " is not supported (float32 and float64 are)");
    }
    std::vector<double> d(cells.size(), 0.0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      std::optional<double> x = ToDouble(*v);
      if (!x) return CellError(path, cells.Row(i), *v, "is not a number");
      d[i] = *x;
    }
    if (t.bit_width == 64) {
      AppendVector(d);
    } else {
      std::vector<float> f(d.begin(), d.end());
      AppendVector(f);
    }
    return Status::Ok();
  }

  Status EncodeDecimal(const ArrowType& t, const std::string& path, const Cells& cells) {
    std::vector<__int128> out(cells.size(), 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      std::string text;
      if (v->is_string())
        text = v->get<std::string>();
      else if (v->is_number_integer())
        text = v->dump();
      else if (v->is_number_float() && std::isfinite(v->get<double>())) {
        char buf[400];
        std::snprintf(buf, sizeof buf, "%.*f", std::clamp(t.scale, 0, 38), v->get<double>());
        text = buf;
      } else {
        return CellError(path, cells.Row(i), *v, "is not a decimal");
      }
      std::optional<__int128> x = ParseDecimal(text, t.precision, t.scale);
      if (!x) {
        return CellError(path, cells.Row(i), *v,
                         "does not fit decimal128(" + std::to_string(t.precision) + ", " +
                             std::to_string(t.scale) + ")");
      }
      out[i] = *x;
    }
    AppendVector(out);
    return Status::Ok();
  }

  Status EncodeVarBinary(const ArrowType& t, const std::string& ext, const std::string& path,
                         const Cells& cells) {
    bool large = t.id == TypeId::kLargeUtf8 || t.id == TypeId::kLargeBinary;
    bool text_type = t.id == TypeId::kUtf8 || t.id == TypeId::kLargeUtf8;
    std::string data;
    std::vector<int64_t> offsets;
    offsets.reserve(cells.size() + 1);
    offsets.push_back(0);
    // One serializer writing straight into the column's data: no string
    // per json cell.
    nlohmann::detail::serializer<Value> json_writer(
        nlohmann::detail::output_adapter<char, std::string>(data), ' ',
        Value::error_handler_t::replace);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (!IsNull(v)) {
        if (ext == "json") {
          // A string that is itself a JSON object or array text is taken as
          // that document (integrations often hand JSON text over); any
          // other value is the document.
          // Either way no deeper than readers accept (printing recurses).
          bool appended = false;
          if (v->is_string()) {
            const std::string& s = v->get_ref<const std::string&>();
            size_t first = s.find_first_not_of(" \t\r\n");
            if (first != std::string::npos && (s[first] == '{' || s[first] == '[') &&
                Value::accept(s)) {
              if (JsonTextDepth(s) > kMaxJsonDepth) return CellError(path, cells.Row(i), *v, kTooDeep);
              data += s;
              appended = true;
            }
          }
          if (!appended) {
            if (DeeperThan(*v, kMaxJsonDepth)) return CellError(path, cells.Row(i), *v, kTooDeep);
            json_writer.dump(*v, false, false, 0);
          }
        } else if (ext == "mac") {
          if (!v->is_string() || !ParseMacTo(v->get_ref<const std::string&>(), data))
            return CellError(path, cells.Row(i), *v, "is not a MAC address");
        } else if (v->is_string()) {
          const std::string& s = v->get_ref<const std::string&>();
          if (text_type || ext == "inet") {
            if (!IsValidUtf8(s)) return CellError(path, cells.Row(i), *v, "is not valid UTF-8");
            data += s;
          } else {
            if (!Base64DecodeTo(s, data)) return CellError(path, cells.Row(i), *v, "is not base64");
          }
        } else if (text_type && (v->is_number() || v->is_boolean())) {
          data += v->dump();
        } else {
          return CellError(path, cells.Row(i), *v,
                           text_type ? "is not a string" : "is not base64 text");
        }
      }
      offsets.push_back(int64_t(data.size()));
    }
    if (large) {
      AppendVector(offsets);
    } else {
      if (data.size() > size_t(std::numeric_limits<int32_t>::max())) {
        return ColumnError(
            ErrorKind::kInvalidArgument, path,
            "more than 2 GiB of data in one batch (32-bit offsets); split the batch");
      }
      std::vector<int32_t> small(offsets.begin(), offsets.end());
      AppendVector(small);
    }
    AppendBuffer(data.data(), data.size());
    return Status::Ok();
  }

  Status EncodeFixedBinary(const ArrowType& t, const std::string& ext, const std::string& path,
                           const Cells& cells) {
    size_t width = size_t(std::max(t.byte_width, 0));
    if (uint64_t(width) * cells.size() > (uint64_t{1} << 31)) {
      return ColumnError(ErrorKind::kInvalidArgument, path,
                         "fixed_size_binary[" + std::to_string(width) + "] of " +
                             std::to_string(cells.size()) + " rows is too large for one batch");
    }
    std::string data(cells.size() * width, '\0');
    std::string bytes;  // reused: no allocation per cell
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      bytes.clear();
      bool ok = v->is_string() &&
                (ext == "uuid" ? ParseUuidTo(v->get_ref<const std::string&>(), bytes)
                               : Base64DecodeTo(v->get_ref<const std::string&>(), bytes));
      if (!ok) {
        return CellError(path, cells.Row(i), *v,
                         ext == "uuid" ? "is not a UUID" : "is not base64 text");
      }
      if (bytes.size() != width) {
        return CellError(path, cells.Row(i), *v,
                         "is " + std::to_string(bytes.size()) + " bytes, the column holds " +
                             std::to_string(width));
      }
      std::memcpy(data.data() + i * width, bytes.data(), width);
    }
    AppendBuffer(data.data(), data.size());
    return Status::Ok();
  }

  Status EncodeDate(const ArrowType& t, const std::string& path, const Cells& cells) {
    bool day = t.date_unit == DateUnit::kDay;
    std::vector<int64_t> out(cells.size(), 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      int64_t days = 0;
      if (v->is_number_integer()) {
        out[i] = v->get<int64_t>();  // already in the column's unit
        if (day && (out[i] < INT32_MIN || out[i] > INT32_MAX))
          return CellError(path, cells.Row(i), *v, "is out of range");
        continue;
      }
      Scanner sc{v->is_string() ? std::string_view(v->get_ref<const std::string&>())
                                : std::string_view()};
      bool ok = v->is_string() && ParseDatePart(sc, days);
      if (ok && !sc.Done()) {
        // A timestamp's date part.
        __int128 nanos;
        ok = ParseTimestampText(sc.s, nanos);
        if (ok)
          days = int64_t(nanos >= 0 ? nanos / 86400000000000
                                    : -((-nanos + 86399999999999) / 86400000000000));
      }
      if (!ok) return CellError(path, cells.Row(i), *v, "is not a date (YYYY-MM-DD)");
      if (day && (days < INT32_MIN || days > INT32_MAX))
        return CellError(path, cells.Row(i), *v, "is out of range");
      out[i] = day ? days : days * 86400000;
    }
    if (day) {
      std::vector<int32_t> small(out.begin(), out.end());
      AppendVector(small);
    } else {
      AppendVector(out);
    }
    return Status::Ok();
  }

  // Nanoseconds to the unit, truncating toward the past.
  static std::optional<int64_t> FromNanos(__int128 nanos, TimeUnit unit) {
    __int128 per = 1000000000 / UnitsPerSecond(unit);
    __int128 q = nanos / per;
    if (nanos % per != 0 && nanos < 0) --q;
    if (q < std::numeric_limits<int64_t>::min() || q > std::numeric_limits<int64_t>::max())
      return std::nullopt;
    return int64_t(q);
  }

  Status EncodeTimestamp(const ArrowType& t, const std::string& path, const Cells& cells) {
    std::vector<int64_t> out(cells.size(), 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      if (v->is_number_integer()) {
        out[i] = v->get<int64_t>();  // epoch in the column's unit
        continue;
      }
      __int128 nanos;
      if (!v->is_string() || !ParseTimestampText(v->get_ref<const std::string&>(), nanos)) {
        return CellError(path, cells.Row(i), *v, "is not an ISO-8601 timestamp");
      }
      std::optional<int64_t> x = FromNanos(nanos, t.unit);
      if (!x) return CellError(path, cells.Row(i), *v, "is out of range for " + TypeOnlyText(t));
      out[i] = *x;
    }
    AppendVector(out);
    return Status::Ok();
  }

  Status EncodeTime(const ArrowType& t, const std::string& path, const Cells& cells) {
    bool small = t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMillisecond;
    std::vector<int64_t> out(cells.size(), 0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      if (v->is_number_integer()) {
        out[i] = v->get<int64_t>();
      } else {
        Scanner sc{v->is_string() ? std::string_view(v->get_ref<const std::string&>())
                                  : std::string_view()};
        __int128 nanos;
        if (!v->is_string() || !ParseTimePart(sc, nanos) || !sc.Done()) {
          return CellError(path, cells.Row(i), *v, "is not a time of day (HH:MM:SS[.fraction])");
        }
        out[i] = *FromNanos(nanos, t.unit);
      }
      if (small && (out[i] < INT32_MIN || out[i] > INT32_MAX))
        return CellError(path, cells.Row(i), *v, "is out of range");
    }
    if (small) {
      std::vector<int32_t> narrow(out.begin(), out.end());
      AppendVector(narrow);
    } else {
      AppendVector(out);
    }
    return Status::Ok();
  }

  Status EncodeDuration(const std::string& path, const Cells& cells) {
    return EncodeIntAs<int64_t>(path, cells, "duration");
  }

  Status EncodeInterval(const ArrowType& t, const std::string& path, const Cells& cells) {
    std::string data;
    size_t width = t.interval_unit == IntervalUnit::kYearMonth ? 4
                   : t.interval_unit == IntervalUnit::kDayTime ? 8
                                                               : 16;
    data.resize(cells.size() * width, '\0');
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      if (!v->is_object()) return CellError(path, cells.Row(i), *v, "is not an interval object");
      int64_t months = 0, days = 0, millis = 0, nanos = 0;
      for (const auto& [key, part] : v->items()) {
        std::optional<__int128> x = ToInteger(part);
        if (!x || *x < INT64_MIN || *x > INT64_MAX)
          return CellError(path, cells.Row(i), *v, "has a non-integer part");
        if (key == "months" && t.interval_unit != IntervalUnit::kDayTime)
          months = int64_t(*x);
        else if (key == "days" && t.interval_unit != IntervalUnit::kYearMonth)
          days = int64_t(*x);
        else if (key == "milliseconds" && t.interval_unit == IntervalUnit::kDayTime)
          millis = int64_t(*x);
        else if (key == "nanoseconds" && t.interval_unit == IntervalUnit::kMonthDayNano)
          nanos = int64_t(*x);
        else
          return CellError(path, cells.Row(i), *v,
                           "has part " + Quoted(key) + " which " + TypeOnlyText(t) + " lacks");
      }
      auto fits32 = [](int64_t x) { return x >= INT32_MIN && x <= INT32_MAX; };
      if (!fits32(months) || !fits32(days) || !fits32(millis))
        return CellError(path, cells.Row(i), *v, "is out of range");
      char* p = data.data() + i * width;
      int32_t m32 = int32_t(months), d32 = int32_t(days), ms32 = int32_t(millis);
      switch (t.interval_unit) {
        case IntervalUnit::kYearMonth:
          std::memcpy(p, &m32, 4);
          break;
        case IntervalUnit::kDayTime:
          std::memcpy(p, &d32, 4);
          std::memcpy(p + 4, &ms32, 4);
          break;
        case IntervalUnit::kMonthDayNano:
          std::memcpy(p, &m32, 4);
          std::memcpy(p + 4, &d32, 4);
          std::memcpy(p + 8, &nanos, 8);
          break;
      }
    }
    AppendBuffer(data.data(), data.size());
    return Status::Ok();
  }

  Status EncodeList(const ArrowField& field, const std::string& path, const Cells& cells,
                    int depth) {
    if (field.children.size() != 1)
      return ColumnError(ErrorKind::kInvalidArgument, path, "a list needs one child field");
    const ArrowType& t = field.type;
    // Every entry of a fixed-size list, null ones too, takes list_size child
    // slots: a huge size from a foreign schema must not become a huge
    // allocation.
    // Slots that need no body bytes (null or empty-struct children) count
    // against the reader's base allowance alone.
    uint64_t slots = uint64_t(std::max(t.list_size, 0)) * cells.size();
    if (t.id == TypeId::kFixedSizeList &&
        (slots > kMaxCellsAbsolute || (NeedsNoBytes(field.children[0]) && slots > kMaxCellsBase))) {
      return ColumnError(ErrorKind::kInvalidArgument, path,
                         "fixed_size_list of " + std::to_string(t.list_size) + " elements times " +
                             std::to_string(cells.size()) + " rows is too large for one batch");
    }
    Cells child;
    std::vector<int64_t> offsets;
    offsets.reserve(cells.size() + 1);
    offsets.push_back(0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) {
        if (t.id == TypeId::kFixedSizeList) {
          for (int k = 0; k < t.list_size; ++k) {
            child.values.push_back(nullptr);
            child.rows.push_back(uint32_t(cells.Row(i)));
          }
        }
      } else {
        if (!v->is_array()) return CellError(path, cells.Row(i), *v, "is not an array");
        if (t.id == TypeId::kFixedSizeList && v->size() != size_t(t.list_size)) {
          return CellError(path, cells.Row(i), *v,
                           "does not have " + std::to_string(t.list_size) + " elements");
        }
        for (const Value& e : *v) {
          child.values.push_back(&e);
          child.rows.push_back(uint32_t(cells.Row(i)));
        }
      }
      offsets.push_back(int64_t(child.size()));
    }
    if (t.id == TypeId::kLargeList) {
      AppendVector(offsets);
    } else if (t.id == TypeId::kList) {
      if (child.size() > size_t(std::numeric_limits<int32_t>::max())) {
        return ColumnError(ErrorKind::kInvalidArgument, path,
                           "too many list elements for 32-bit offsets");
      }
      std::vector<int32_t> small(offsets.begin(), offsets.end());
      AppendVector(small);
    }
    const ArrowField& item = field.children[0];
    return Encode(item, path + "[]", child, depth + 1);
  }

  Status EncodeStruct(const ArrowField& field, const std::string& path, const Cells& cells,
                      int depth) {
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      if (IsNull(v)) continue;
      if (!v->is_object()) return CellError(path, cells.Row(i), *v, "is not an object");
      for (const auto& item : v->items()) {
        bool known = std::any_of(field.children.begin(), field.children.end(),
                                 [&](const ArrowField& c) { return c.name == item.key(); });
        if (!known)
          return CellError(path, cells.Row(i), *v,
                           "has key " + Quoted(item.key()) + " the struct lacks");
      }
    }
    for (const ArrowField& child_field : field.children) {
      Cells child;
      child.values.reserve(cells.size());
      child.rows.reserve(cells.size());
      for (size_t i = 0; i < cells.size(); ++i) {
        const Value* v = cells.values[i];
        const Value* c = nullptr;
        if (!IsNull(v)) {
          auto it = v->find(child_field.name);
          if (it != v->end()) c = &*it;
        }
        child.values.push_back(c);
        child.rows.push_back(uint32_t(cells.Row(i)));
      }
      RETURN_IF_ERROR(Encode(child_field, path + "." + child_field.name, child, depth + 1));
    }
    return Status::Ok();
  }

  Status EncodeMap(const ArrowField& field, const std::string& path, const Cells& cells,
                   int depth) {
    if (field.children.size() != 1 || field.children[0].children.size() != 2) {
      return ColumnError(ErrorKind::kInvalidArgument, path,
                         "a map needs an entries struct of key and value");
    }
    const ArrowField& entries = field.children[0];
    // Object-form maps need their keys as Values that outlive the cells.
    std::vector<std::unique_ptr<Value>> key_store;
    Cells keys, values;
    std::vector<int32_t> offsets;
    offsets.reserve(cells.size() + 1);
    offsets.push_back(0);
    for (size_t i = 0; i < cells.size(); ++i) {
      const Value* v = cells.values[i];
      uint32_t row = uint32_t(cells.Row(i));
      if (!IsNull(v)) {
        if (v->is_object()) {
          for (const auto& item : v->items()) {
            key_store.push_back(std::make_unique<Value>(item.key()));
            keys.values.push_back(key_store.back().get());
            values.values.push_back(&item.value());
            keys.rows.push_back(row);
            values.rows.push_back(row);
          }
        } else if (v->is_array()) {
          for (const Value& e : *v) {
            if (!e.is_object() || !e.contains("key") || e["key"].is_null()) {
              return CellError(path, row, *v, "is not an array of {\"key\", \"value\"} objects");
            }
            keys.values.push_back(&e["key"]);
            auto it = e.find("value");
            values.values.push_back(it == e.end() ? nullptr : &*it);
            keys.rows.push_back(row);
            values.rows.push_back(row);
          }
        } else {
          return CellError(path, row, *v,
                           "is not a map (an object or an array of {\"key\", \"value\"})");
        }
      }
      if (keys.size() > size_t(std::numeric_limits<int32_t>::max())) {
        return ColumnError(ErrorKind::kInvalidArgument, path, "too many map entries");
      }
      offsets.push_back(int32_t(keys.size()));
    }
    AppendVector(offsets);
    // The entries struct: never null.
    nodes.emplace_back(int64_t(keys.size()), 0);
    AppendBuffer(nullptr, 0);
    RETURN_IF_ERROR(Encode(entries.children[0], path + ".key", keys, depth + 2));
    return Encode(entries.children[1], path + ".value", values, depth + 2);
  }
};

}  // namespace

namespace {

// Rows [first, first + count) of `rows` as one record stream.
Result<std::string> EncodeRows(const ArrowSchema& schema, const std::vector<Row>& all, size_t first,
                               size_t count) {
  if (count > size_t(std::numeric_limits<uint32_t>::max())) {
    return Status(ErrorKind::kInvalidArgument, "Arrow IPC: too many rows for one record batch");
  }
  const Row* rows = all.data() + first;
  BatchEncoder encoder;
  encoder.row_base = first;
  for (size_t r = 0; r < count; ++r) {
    if (rows[r].size() != schema.fields.size()) {
      return Status(ErrorKind::kInvalidArgument,
                    "Arrow IPC: row " + std::to_string(first + r) + " has " +
                        std::to_string(rows[r].size()) + " values, the schema " +
                        std::to_string(schema.fields.size()) + " columns");
    }
  }
  for (size_t c = 0; c < schema.fields.size(); ++c) {
    const ArrowField& field = schema.fields[c];
    Cells cells;
    cells.values.reserve(count);
    for (size_t r = 0; r < count; ++r) {
      const Value* v = &rows[r][c];
      if (!field.nullable && v->is_null()) {
        return Status(ErrorKind::kType, "Arrow IPC: column " + Quoted(field.name) + " row " +
                                            std::to_string(first + r) +
                                            ": null in a NOT NULL column");
      }
      cells.values.push_back(v);
    }
    RETURN_IF_ERROR(encoder.Encode(field, field.name, cells, 0));
  }
  // Readers (ours included) cap the values a batch may claim against its
  // bytes; write nothing they would refuse.
  uint64_t cap = CellCap(encoder.body.size());
  uint64_t cells = 0;
  for (const fb::FieldNode& node : encoder.nodes) cells += uint64_t(node.length());
  if (cells > cap || uint64_t(count) * std::max<size_t>(schema.fields.size(), 1) > cap) {
    return Status(ErrorKind::kInvalidArgument,
                  "Arrow IPC: a batch of " + std::to_string(count) + " rows holds " +
                      std::to_string(cells) + " values in " + std::to_string(encoder.body.size()) +
                      " bytes, more than a reader accepts; split it");
  }
  std::string out;
  AppendSchemaMessage(out, schema);
  FlatBufferBuilder fbb(512 + 32 * (encoder.nodes.size() + encoder.buffers.size()));
  auto nodes = fbb.CreateVectorOfStructs(encoder.nodes);
  auto buffers = fbb.CreateVectorOfStructs(encoder.buffers);
  auto batch = fb::CreateRecordBatch(fbb, int64_t(count), nodes, buffers);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                               batch.Union(), int64_t(encoder.body.size())));
  out.reserve(out.size() + fbb.GetSize() + encoder.body.size() + 32);
  AppendMessage(out, fbb, encoder.body);
  AppendEos(out);
  return out;
}

}  // namespace

Result<std::string> EncodeRecord(const ArrowSchema& schema, const std::vector<Row>& rows) {
  return EncodeRows(schema, rows, 0, rows.size());
}

Result<std::vector<std::string>> EncodeRecords(const ArrowSchema& schema,
                                               const std::vector<Row>& rows, size_t max_bytes) {
  std::vector<std::string> out;
  // Estimates never fall short, so a batch closed on them fits; the real
  // size decides only for a single row whose estimate alone is over.
  size_t overhead = EncodeSchema(schema).size() + 512 + 64 * schema.fields.size();
  size_t budget = max_bytes > overhead ? max_bytes - overhead : 0;
  size_t first = 0, estimate = 0;
  auto flush = [&](size_t end) -> Status {
    if (end == first) return Status::Ok();
    ASSIGN_OR_RETURN(std::string bytes, EncodeRows(schema, rows, first, end - first));
    if (bytes.size() > max_bytes) {
      return Status(ErrorKind::kInvalidArgument,
                    "Arrow IPC: row " + std::to_string(first) + " alone encodes to " +
                        std::to_string(bytes.size()) + " bytes, over the " +
                        std::to_string(max_bytes) + "-byte message limit");
    }
    out.push_back(std::move(bytes));
    first = end;
    estimate = 0;
    return Status::Ok();
  };
  for (size_t r = 0; r < rows.size(); ++r) {
    size_t row_bytes = EstimateRowBytes(schema, rows[r]);
    if (r > first && estimate + row_bytes > budget) RETURN_IF_ERROR(flush(r));
    estimate += row_bytes;
  }
  RETURN_IF_ERROR(flush(rows.size()));
  return out;
}

// ============================================================================
// Record batches: decoding
// ============================================================================
namespace {

class BatchDecoder {
 public:
  BatchDecoder(const fb::RecordBatch* batch, std::string_view body)
      : body_(body),
        nodes_(batch->nodes()),
        buffers_(batch->buffers()),
        cells_left_(CellCap(body.size())) {}

  uint64_t& cells_left() { return cells_left_; }

  Result<std::vector<Value>> Decode(const ArrowField& field, const std::string& path, int depth) {
    if (depth > kMaxNesting) return ColumnError(ErrorKind::kParse, path, "nested too deeply");
    if (!nodes_ || next_node_ >= nodes_->size())
      return ColumnError(ErrorKind::kParse, path, "no field node left for the column");
    fb::FieldNode node = NodeAt(next_node_++);
    int64_t length = node.length(), null_count = node.null_count();
    if (length < 0 || null_count < 0 || null_count > length) {
      return ColumnError(ErrorKind::kParse, path,
                         "field node has length " + std::to_string(length) + " and " +
                             std::to_string(null_count) + " nulls");
    }
    if (uint64_t(length) > cells_left_) {
      return ColumnError(ErrorKind::kParse, path,
                         "more values than the record can hold (" + std::to_string(length) + ")");
    }
    cells_left_ -= uint64_t(length);
    size_t n = size_t(length);
    const ArrowType& t = field.type;
    std::vector<Value> out(n);
    if (t.id == TypeId::kNull) return out;
    ASSIGN_OR_RETURN(std::string_view validity, NextBuffer(path));
    std::vector<bool> valid;
    if (null_count > 0) {
      if (validity.size() < (n + 7) / 8) {
        if (!(validity.empty() && null_count == length)) {
          return ColumnError(ErrorKind::kParse, path, "validity bitmap shorter than the column");
        }
        valid.assign(n, false);
      } else {
        valid.resize(n);
        for (size_t i = 0; i < n; ++i) valid[i] = (uint8_t(validity[i / 8]) >> (i % 8)) & 1;
      }
    }
    auto is_valid = [&](size_t i) { return valid.empty() || valid[i]; };
    std::string ext = field.Extension();
    switch (t.id) {
      case TypeId::kNull:
        break;
      case TypeId::kBool: {
        ASSIGN_OR_RETURN(std::string_view bits, NextBuffer(path));
        if (bits.size() < (n + 7) / 8)
          return ColumnError(ErrorKind::kParse, path, "bool buffer shorter than the column");
        for (size_t i = 0; i < n; ++i) {
          if (is_valid(i)) out[i] = bool((uint8_t(bits[i / 8]) >> (i % 8)) & 1);
        }
        break;
      }
      case TypeId::kInt: {
        size_t w = size_t(t.bit_width / 8);
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, w));
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          const char* p = data.data() + i * w;
          if (t.is_signed) {
            switch (w) {
              case 1:
                out[i] = int64_t(Load<int8_t>(p));
                break;
              case 2:
                out[i] = int64_t(Load<int16_t>(p));
                break;
              case 4:
                out[i] = int64_t(Load<int32_t>(p));
                break;
              default:
                out[i] = Load<int64_t>(p);
                break;
            }
          } else {
            uint64_t u = w == 1   ? Load<uint8_t>(p)
                         : w == 2 ? Load<uint16_t>(p)
                         : w == 4 ? Load<uint32_t>(p)
                                  : Load<uint64_t>(p);
            if (u > uint64_t(std::numeric_limits<int64_t>::max()))
              out[i] = double(u);
            else
              out[i] = int64_t(u);
          }
        }
        break;
      }
      case TypeId::kFloat: {
        size_t w = size_t(t.bit_width / 8);
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, w));
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          const char* p = data.data() + i * w;
          out[i] = w == 2   ? HalfToDouble(Load<uint16_t>(p))
                   : w == 4 ? double(Load<float>(p))
                            : Load<double>(p);
        }
        break;
      }
      case TypeId::kDecimal: {
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, 16));
        for (size_t i = 0; i < n; ++i) {
          if (is_valid(i)) out[i] = DecimalText(Load<__int128>(data.data() + i * 16), t.scale);
        }
        break;
      }
      case TypeId::kUtf8:
      case TypeId::kLargeUtf8:
      case TypeId::kBinary:
      case TypeId::kLargeBinary: {
        bool large = t.id == TypeId::kLargeUtf8 || t.id == TypeId::kLargeBinary;
        ASSIGN_OR_RETURN(std::vector<int64_t> offsets, Offsets(path, n, large));
        ASSIGN_OR_RETURN(std::string_view data, NextBuffer(path));
        if (n > 0 && uint64_t(offsets[n]) > data.size()) {
          return ColumnError(ErrorKind::kParse, path, "offsets run past the data buffer");
        }
        bool text_type = t.id == TypeId::kUtf8 || t.id == TypeId::kLargeUtf8;
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          std::string_view cell =
              data.substr(size_t(offsets[i]), size_t(offsets[i + 1] - offsets[i]));
          RETURN_IF_ERROR(DecodeCell(path, i, ext, text_type, cell, out[i]));
        }
        break;
      }
      case TypeId::kFixedSizeBinary: {
        size_t w = size_t(t.byte_width);
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, w));
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          std::string_view cell = data.substr(i * w, w);
          out[i] = ext == "uuid" ? UuidText(cell) : Base64Encode(cell);
        }
        break;
      }
      case TypeId::kDate: {
        bool day = t.date_unit == DateUnit::kDay;
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, day ? 4 : 8));
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          int64_t days = day ? Load<int32_t>(data.data() + i * 4)
                             : FloorDiv(Load<int64_t>(data.data() + i * 8), 86400000);
          out[i] = DateText(days);
        }
        break;
      }
      case TypeId::kTime: {
        bool small = t.bit_width == 32;
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, small ? 4 : 8));
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          int64_t v =
              small ? Load<int32_t>(data.data() + i * 4) : Load<int64_t>(data.data() + i * 8);
          out[i] = TimeText(v, t.unit);
        }
        break;
      }
      case TypeId::kTimestamp:
      case TypeId::kDuration: {
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, 8));
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          int64_t v = Load<int64_t>(data.data() + i * 8);
          if (t.id == TypeId::kDuration)
            out[i] = v;
          else
            out[i] = TimestampText(v, t.unit, !t.timezone.empty());
        }
        break;
      }
      case TypeId::kInterval: {
        size_t w = t.interval_unit == IntervalUnit::kYearMonth ? 4
                   : t.interval_unit == IntervalUnit::kDayTime ? 8
                                                               : 16;
        ASSIGN_OR_RETURN(std::string_view data, FixedBuffer(path, n, w));
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          const char* p = data.data() + i * w;
          Value obj = Value::object();
          switch (t.interval_unit) {
            case IntervalUnit::kYearMonth:
              obj["months"] = int64_t(Load<int32_t>(p));
              break;
            case IntervalUnit::kDayTime:
              obj["days"] = int64_t(Load<int32_t>(p));
              obj["milliseconds"] = int64_t(Load<int32_t>(p + 4));
              break;
            case IntervalUnit::kMonthDayNano:
              obj["months"] = int64_t(Load<int32_t>(p));
              obj["days"] = int64_t(Load<int32_t>(p + 4));
              obj["nanoseconds"] = Load<int64_t>(p + 8);
              break;
          }
          out[i] = std::move(obj);
        }
        break;
      }
      case TypeId::kList:
      case TypeId::kLargeList:
      case TypeId::kFixedSizeList: {
        std::vector<int64_t> offsets;
        if (t.id == TypeId::kFixedSizeList) {
          offsets.resize(n + 1);
          for (size_t i = 0; i <= n; ++i) offsets[i] = int64_t(i) * t.list_size;
        } else {
          ASSIGN_OR_RETURN(offsets, Offsets(path, n, t.id == TypeId::kLargeList));
        }
        ASSIGN_OR_RETURN(std::vector<Value> items,
                         Decode(field.children[0], path + "[]", depth + 1));
        // Null fixed-size entries need no child slots from a lenient writer
        // (Arrow JS 19 leaves them out), so the bound is checked per entry.
        if (t.id != TypeId::kFixedSizeList && n > 0 && uint64_t(offsets[n]) > items.size()) {
          return ColumnError(ErrorKind::kParse, path, "list offsets run past the child array");
        }
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          if (uint64_t(offsets[i + 1]) > items.size()) {
            return ColumnError(ErrorKind::kParse, path, "list offsets run past the child array");
          }
          Value arr = Value::array();
          for (int64_t k = offsets[i]; k < offsets[i + 1]; ++k)
            arr.push_back(std::move(items[size_t(k)]));
          out[i] = std::move(arr);
        }
        break;
      }
      case TypeId::kStruct: {
        std::vector<std::vector<Value>> kids;
        for (const ArrowField& child : field.children) {
          ASSIGN_OR_RETURN(std::vector<Value> col,
                           Decode(child, path + "." + child.name, depth + 1));
          if (col.size() < n)
            return ColumnError(ErrorKind::kParse, path + "." + child.name,
                               "child shorter than its struct");
          kids.push_back(std::move(col));
        }
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          Value obj = Value::object();
          for (size_t c = 0; c < kids.size(); ++c)
            obj[field.children[c].name] = std::move(kids[c][i]);
          out[i] = std::move(obj);
        }
        break;
      }
      case TypeId::kMap: {
        ASSIGN_OR_RETURN(std::vector<int64_t> offsets, Offsets(path, n, false));
        const ArrowField& entries = field.children[0];
        if (!nodes_ || next_node_ >= nodes_->size())
          return ColumnError(ErrorKind::kParse, path, "no field node left for map entries");
        fb::FieldNode entries_node = NodeAt(next_node_++);
        if (entries_node.null_count() != 0)
          return ColumnError(ErrorKind::kParse, path, "null map entries");
        ASSIGN_OR_RETURN(std::string_view entries_validity, NextBuffer(path));
        (void)entries_validity;
        ASSIGN_OR_RETURN(std::vector<Value> keys,
                         Decode(entries.children[0], path + ".key", depth + 2));
        ASSIGN_OR_RETURN(std::vector<Value> values,
                         Decode(entries.children[1], path + ".value", depth + 2));
        if (n > 0 && (uint64_t(offsets[n]) > keys.size() || uint64_t(offsets[n]) > values.size() ||
                      entries_node.length() < offsets[n])) {
          return ColumnError(ErrorKind::kParse, path, "map offsets run past the entries");
        }
        for (size_t i = 0; i < n; ++i) {
          if (!is_valid(i)) continue;
          Value arr = Value::array();
          for (int64_t k = offsets[i]; k < offsets[i + 1]; ++k) {
            Value entry = Value::object();
            entry["key"] = std::move(keys[size_t(k)]);
            entry["value"] = std::move(values[size_t(k)]);
            arr.push_back(std::move(entry));
          }
          out[i] = std::move(arr);
        }
        break;
      }
    }
    return out;
  }

 private:
  template <typename T>
  static T Load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }

  fb::FieldNode NodeAt(size_t i) const {
    fb::FieldNode node;
    std::memcpy(&node, nodes_->Data() + i * sizeof(fb::FieldNode), sizeof node);
    return node;
  }

  Result<std::string_view> NextBuffer(const std::string& path) {
    if (!buffers_ || next_buffer_ >= buffers_->size())
      return ColumnError(ErrorKind::kParse, path, "no buffer left for the column");
    fb::Buffer b;
    // The Verifier checks a struct vector's length word, not that its
    // 8-byte structs are aligned: copy rather than read in place.
    std::memcpy(&b, buffers_->Data() + next_buffer_++ * sizeof(fb::Buffer), sizeof b);
    int64_t offset = b.offset(), length = b.length();
    if (offset < 0 || length < 0 || uint64_t(offset) > body_.size() ||
        uint64_t(length) > body_.size() - uint64_t(offset)) {
      return ColumnError(ErrorKind::kParse, path,
                         "buffer [" + std::to_string(offset) + ", +" + std::to_string(length) +
                             ") outside the " + std::to_string(body_.size()) + "-byte body");
    }
    return body_.substr(size_t(offset), size_t(length));
  }

  Result<std::string_view> FixedBuffer(const std::string& path, size_t n, size_t width) {
    ASSIGN_OR_RETURN(std::string_view data, NextBuffer(path));
    if (width != 0 && data.size() / width < n)
      return ColumnError(ErrorKind::kParse, path, "value buffer shorter than the column");
    return data;
  }

  // n + 1 offsets, non-negative and non-decreasing.
  Result<std::vector<int64_t>> Offsets(const std::string& path, size_t n, bool large) {
    ASSIGN_OR_RETURN(std::string_view data, NextBuffer(path));
    std::vector<int64_t> offsets(n + 1, 0);
    if (n == 0) return offsets;  // writers may leave the buffer empty
    size_t w = large ? 8 : 4;
    if (data.size() / w < n + 1)
      return ColumnError(ErrorKind::kParse, path, "offsets buffer shorter than the column");
    for (size_t i = 0; i <= n; ++i) {
      offsets[i] =
          large ? Load<int64_t>(data.data() + i * 8) : int64_t(Load<int32_t>(data.data() + i * 4));
      if (offsets[i] < 0 || (i > 0 && offsets[i] < offsets[i - 1])) {
        return ColumnError(ErrorKind::kParse, path,
                           "offsets are negative or decreasing at " + std::to_string(i));
      }
    }
    return offsets;
  }

  static Status DecodeCell(const std::string& path, size_t i, const std::string& ext,
                           bool text_type, std::string_view cell, Value& out) {
    auto error = [&](const std::string& what) {
      return Status(ErrorKind::kParse, "Arrow IPC: column " + Quoted(path) + " value " +
                                           std::to_string(i) + ": " + what);
    };
    if (ext == "json") {
      if (JsonTextDepth(cell) > kMaxJsonDepth)
        return error("JSON nested deeper than " + std::to_string(kMaxJsonDepth));
      out = Value::parse(cell, nullptr, false);
      if (out.is_discarded()) {
        out = nullptr;
        return error("the json extension holds invalid JSON");
      }
      return Status::Ok();
    }
    if (ext == "mac") {
      out = MacText(cell);
      return Status::Ok();
    }
    if (text_type || ext == "inet") {
      if (!IsValidUtf8(cell)) return error("invalid UTF-8");
      out = std::string(cell);
      return Status::Ok();
    }
    out = Base64Encode(cell);
    return Status::Ok();
  }

  std::string_view body_;
  const flatbuffers::Vector<const fb::FieldNode*>* nodes_;
  const flatbuffers::Vector<const fb::Buffer*>* buffers_;
  size_t next_node_ = 0;
  size_t next_buffer_ = 0;
  uint64_t cells_left_;
};

}  // namespace

Result<DecodedRecord> DecodeRecord(std::string_view ipc) {
  MessageReader reader(ipc);
  ASSIGN_OR_RETURN(std::optional<RawMessage> first, reader.Next());
  if (!first) return Malformed("no Schema message (empty stream)");
  DecodedRecord out;
  ASSIGN_OR_RETURN(out.schema, ReadSchema(first->message));
  while (true) {
    ASSIGN_OR_RETURN(std::optional<RawMessage> next, reader.Next());
    if (!next) return out;
    fb::MessageHeader kind = next->message->header_type();
    if (kind == fb::MessageHeader::DictionaryBatch)
      return Unsupported("dictionary batches (dictionary encoding)");
    if (kind == fb::MessageHeader::Schema) return Malformed("a second Schema message");
    if (kind != fb::MessageHeader::RecordBatch) {
      return Unsupported(std::string("message type ") + fb::EnumNameMessageHeader(kind));
    }
    const fb::RecordBatch* batch = next->message->header_as_RecordBatch();
    if (!batch) return Malformed("RecordBatch message without its table");
    if (batch->compression()) return Unsupported("compressed record batches (body compression)");
    int64_t length = batch->length();
    size_t columns = out.schema.fields.size();
    BatchDecoder decoder(batch, next->body);
    if (length < 0 || uint64_t(length) * std::max<size_t>(columns, 1) > decoder.cells_left()) {
      return Malformed("record batch length " + std::to_string(length) +
                       " out of range: " + std::to_string(length) + " rows of " +
                       std::to_string(columns) + " columns are more cells than a record with a " +
                       std::to_string(next->body.size()) + "-byte body may hold (" +
                       std::to_string(decoder.cells_left()) + ")");
    }
    size_t n = size_t(length);
    out.rows.assign(n, Row(columns));
    for (size_t c = 0; c < columns; ++c) {
      const ArrowField& field = out.schema.fields[c];
      ASSIGN_OR_RETURN(std::vector<Value> col, decoder.Decode(field, field.name, 0));
      if (col.size() != n) {
        return ColumnError(ErrorKind::kParse, field.name,
                           "has " + std::to_string(col.size()) + " values, the batch " +
                               std::to_string(n) + " rows");
      }
      for (size_t r = 0; r < n; ++r) out.rows[r][c] = std::move(col[r]);
    }
    // The rest is only counted: a caller that takes one batch per message
    // must not drop the others unseen.
    out.batches = 1;
    while (true) {
      Result<std::optional<RawMessage>> more = reader.Next();
      if (!more.ok() || !*more) break;
      if ((*more)->message->header_type() == fb::MessageHeader::RecordBatch) ++out.batches;
    }
    return out;
  }
}

// ============================================================================
// Size estimates
// ============================================================================
namespace {

// Bytes of `s` as a JSON string, at least.
size_t JsonStringBound(std::string_view s) {
  size_t n = 2;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    n += u < 0x20 ? 6 : (c == '"' || c == '\\') ? 2 : 1;
  }
  return n;
}

// Bytes of the compact JSON text of `v`, at least.
size_t JsonTextBound(const Value& v) {
  switch (v.type()) {
    case Value::value_t::string:
      return JsonStringBound(v.get_ref<const std::string&>());
    case Value::value_t::array: {
      size_t n = 2;
      for (const Value& e : v) n += JsonTextBound(e) + 1;
      return n;
    }
    case Value::value_t::object: {
      size_t n = 2;
      for (const auto& item : v.items())
        n += JsonStringBound(item.key()) + 2 + JsonTextBound(item.value());
      return n;
    }
    default:
      return 32;
  }
}

size_t CellBound(const ArrowField& field, const Value& v) {
  const ArrowType& t = field.type;
  // Validity bit, an offset, and rounding.
  size_t n = 1 + 8;
  std::string ext = field.Extension();
  switch (t.id) {
    case TypeId::kNull:
      return 1;
    case TypeId::kBool:
      return n;
    case TypeId::kInt:
    case TypeId::kFloat:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kDuration:
      return n + 8;
    case TypeId::kDecimal:
    case TypeId::kInterval:
      return n + 16;
    case TypeId::kFixedSizeBinary:
      return n + size_t(std::max(t.byte_width, 0));
    case TypeId::kUtf8:
    case TypeId::kLargeUtf8:
    case TypeId::kBinary:
    case TypeId::kLargeBinary:
      if (v.is_null()) return n;
      if (ext == "json") return n + JsonTextBound(v);
      if (v.is_string()) return n + v.get_ref<const std::string&>().size();
      return n + 32;
    case TypeId::kList:
    case TypeId::kLargeList:
    case TypeId::kFixedSizeList: {
      if (field.children.empty()) return n;
      size_t total = n;
      if (v.is_array()) {
        for (const Value& e : v) total += CellBound(field.children[0], e);
      } else if (t.id == TypeId::kFixedSizeList) {
        total += size_t(std::max(t.list_size, 0)) * CellBound(field.children[0], Value());
      }
      return total;
    }
    case TypeId::kStruct: {
      size_t total = n;
      for (const ArrowField& child : field.children) {
        const Value* c = nullptr;
        if (v.is_object()) {
          auto it = v.find(child.name);
          if (it != v.end()) c = &*it;
        }
        total += CellBound(child, c ? *c : Value());
      }
      return total;
    }
    case TypeId::kMap: {
      size_t total = n;
      if (field.children.empty() || field.children[0].children.size() != 2) return total;
      const ArrowField& k = field.children[0].children[0];
      const ArrowField& val = field.children[0].children[1];
      if (v.is_object()) {
        for (const auto& item : v.items())
          total += 9 + CellBound(k, Value(item.key())) + CellBound(val, item.value());
      } else if (v.is_array()) {
        for (const Value& e : v) {
          total += 9;
          if (e.is_object()) {
            auto ki = e.find("key");
            auto vi = e.find("value");
            total += CellBound(k, ki == e.end() ? Value() : *ki) +
                     CellBound(val, vi == e.end() ? Value() : *vi);
          }
        }
      }
      return total;
    }
  }
  return n + 32;
}

}  // namespace

size_t EstimateRowBytes(const ArrowSchema& schema, const Row& row) {
  size_t total = 0;
  for (size_t c = 0; c < schema.fields.size(); ++c) {
    total += CellBound(schema.fields[c], c < row.size() ? row[c] : Value());
  }
  return total;
}

}  // namespace sluice::cq
