#include "js/json_cells.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <unordered_map>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "js/convert.h"

namespace sluice::js {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// 2^53: beyond it a double no longer holds every integer exactly.
constexpr int64_t kMaxExactInteger = int64_t{1} << 53;

// convert.cc's Number(): the Value ToValue makes of a JavaScript number.
Value NumberValue(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0 &&
      !(d == 0 && std::signbit(d))) {
    return Value(static_cast<int64_t>(d));
  }
  if (!std::isfinite(d)) return Value();
  return Value(d);
}

// simdjson keeps an integer exactly; JSON.parse rounds it to a double,
// which is the same correctly rounded value as the integer's conversion.
// (2^53 + 1 rounds to 2^53, an integer Value again.)
Value IntegerValue(int64_t i) {
  if (i >= -kMaxExactInteger && i <= kMaxExactInteger) return Value(i);
  return NumberValue(static_cast<double>(i));
}

Value UnsignedValue(uint64_t u) {
  if (u <= static_cast<uint64_t>(kMaxExactInteger)) return Value(static_cast<int64_t>(u));
  return NumberValue(static_cast<double>(u));
}

// One member of an object, in the order JavaScript lists it.
struct Field {
  std::string_view key;
  element value;
};

// A stack of the members of the objects being converted (nested objects
// push above their parent's), reused across rows so that listing a row's
// members allocates nothing once it has grown.
thread_local std::vector<Field> t_fields;

// Scratch space kept for the next row, per buffer; more is given back.
constexpr size_t kKeptScratch = 1 << 20;

// Pops what an object pushed on t_fields, on every way out.
class FieldsFrame {
 public:
  FieldsFrame() : start_(t_fields.size()) {}
  ~FieldsFrame() {
    t_fields.resize(start_);
    // One huge object must not pin its listing for the thread's life.
    if (start_ == 0 && t_fields.capacity() > kKeptScratch / sizeof(Field)) t_fields.shrink_to_fit();
  }
  FieldsFrame(const FieldsFrame&) = delete;
  FieldsFrame& operator=(const FieldsFrame&) = delete;
  size_t start() const { return start_; }
  size_t size() const { return t_fields.size() - start_; }
  const Field& operator[](size_t i) const { return t_fields[start_ + i]; }

 private:
  size_t start_;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// An array index: "0" … "4294967294" written canonically (no sign, no
// leading zero). JavaScript lists such keys first, in numeric order.
bool ArrayIndex(std::string_view key, uint64_t& index) {
  if (key.empty() || key.size() > 10 || (key[0] == '0' && key.size() > 1)) return false;
  uint64_t value = 0;
  for (char c : key) {
    if (!IsDigit(c)) return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > 4294967294ull) return false;
  index = value;
  return true;
}

// Rewrites the members above `start` into JavaScript's order: a repeated
// key keeps its first place and takes its last value; array indices move
// to the front, ascending. The rare path: the common row has neither.
void NormalizeFields(size_t start) {
  std::vector<Field>& fields = t_fields;
  size_t n = fields.size() - start;
  size_t kept = 0;
  if (n <= 32) {
    for (size_t i = 0; i < n; ++i) {
      Field field = fields[start + i];
      size_t j = 0;
      while (j < kept && fields[start + j].key != field.key) ++j;
      if (j < kept) {
        fields[start + j].value = field.value;
      } else {
        fields[start + kept++] = field;
      }
    }
  } else {
    std::unordered_map<std::string_view, size_t> seen;
    seen.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Field field = fields[start + i];
      auto [it, inserted] = seen.emplace(field.key, kept);
      if (inserted) {
        fields[start + kept++] = field;
      } else {
        fields[start + it->second].value = field.value;
      }
    }
  }
  fields.resize(start + kept);
  std::vector<std::pair<uint64_t, Field>> indexed;
  size_t others = 0;
  for (size_t i = 0; i < kept; ++i) {
    Field field = fields[start + i];
    uint64_t index = 0;
    if (ArrayIndex(field.key, index)) {
      indexed.emplace_back(index, field);
    } else {
      fields[start + others++] = field;
    }
  }
  if (indexed.empty()) return;
  // Keys are unique by now, so the indices are too: no ties to keep stable.
  std::sort(indexed.begin(), indexed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::move_backward(fields.begin() + static_cast<ptrdiff_t>(start),
                     fields.begin() + static_cast<ptrdiff_t>(start + others), fields.end());
  for (size_t i = 0; i < indexed.size(); ++i) fields[start + i] = indexed[i].second;
}

// Whether two of the n members above `start` share a key. Pairs for a
// small object; a table of hashes, reused across rows, for a large one.
thread_local std::vector<uint32_t> t_table;

bool HasRepeatedKey(size_t start, size_t n) {
  const std::vector<Field>& fields = t_fields;
  if (n <= 16) {
    for (size_t i = start + 1; i < start + n; ++i) {
      for (size_t j = start; j < i; ++j) {
        if (fields[i].key == fields[j].key) return true;
      }
    }
    return false;
  }
  size_t size = 64;
  while (size < 2 * n) size *= 2;
  std::vector<uint32_t>& table = t_table;
  table.assign(size, 0);  // slot: member index + 1, 0 when free
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = fields[start + i].key;
    uint64_t hash = 14695981039346656037ull;  // FNV-1a
    for (char c : key) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    for (size_t slot = hash & (size - 1);; slot = (slot + 1) & (size - 1)) {
      if (table[slot] == 0) {
        table[slot] = static_cast<uint32_t>(i + 1);
        break;
      }
      if (fields[start + table[slot] - 1].key == key) return true;
    }
  }
  return false;
}

// Pushes `object`'s members on t_fields in JavaScript's order. Checking for
// index-like and repeated keys first is cheap; only an object that has one
// pays for reordering.
void PushFields(simdjson::dom::object object) {
  std::vector<Field>& fields = t_fields;
  size_t start = fields.size();
  bool digit = false;
  for (simdjson::dom::key_value_pair member : object) {
    if (!member.key.empty() && IsDigit(member.key[0])) digit = true;
    fields.push_back(Field{member.key, member.value});
  }
  if (digit || HasRepeatedKey(start, fields.size() - start)) NormalizeFields(start);
}

Status TooDeep() {
  return Status(ErrorKind::kType,
                "value nested deeper than " + std::to_string(kMaxDepth) + " levels");
}

// A string, number, boolean or null as its Value (null for the rest).
Value Scalar(element value) {
  switch (value.type()) {
    case element_type::BOOL:
      return Value(value.get_bool().value_unsafe());
    case element_type::INT64:
      return IntegerValue(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return UnsignedValue(value.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return NumberValue(value.get_double().value_unsafe());
    case element_type::STRING:
      return Value(std::string(value.get_string().value_unsafe()));
    default:
      return Value();
  }
}

// ToValue of `value` into `out` (null on entry), built in place rather
// than returned and moved at every level. False when nesting passes
// kMaxDepth, the one way ToValue fails on what JSON.parse makes.
bool WholeInto(element value, int depth, Value& out) {
  switch (value.type()) {
    case element_type::ARRAY: {
      if (depth >= kMaxDepth) return false;
      simdjson::dom::array items = value.get_array().value_unsafe();
      out = Value::array();
      auto& array = out.get_ref<Value::array_t&>();
      array.reserve(items.size());
      for (element item : items) {
        array.emplace_back();
        if (!WholeInto(item, depth + 1, array.back())) return false;
      }
      return true;
    }
    case element_type::OBJECT: {
      if (depth >= kMaxDepth) return false;
      FieldsFrame frame;
      PushFields(value.get_object().value_unsafe());
      out = Value::object();
      auto& object = out.get_ref<Value::object_t&>();
      object.reserve(frame.size());
      for (size_t i = 0; i < frame.size(); ++i) {
        // Copied out: converting a nested object grows t_fields.
        Field field = frame[i];
        object.emplace_back(std::string(field.key), Value());
        if (!WholeInto(field.value, depth + 1, object.back().second)) return false;
      }
      return true;
    }
    default:
      out = Scalar(value);
      return true;
  }
}

// JSON text being written: a reused buffer with inline appends (string's
// push_back is a call per character).
class Text {
 public:
  // Empties the buffer, giving back memory beyond kKeptScratch.
  void Clear() {
    size_ = 0;
    if (buffer_.size() > kKeptScratch) std::vector<char>().swap(buffer_);
  }
  void Put(char c) {
    if (size_ == buffer_.size()) Grow(1);
    buffer_[size_++] = c;
  }
  void Put(const char* data, size_t n) {
    if (buffer_.size() - size_ < n) Grow(n);
    std::memcpy(buffer_.data() + size_, data, n);
    size_ += n;
  }
  void Put(std::string_view text) { Put(text.data(), text.size()); }
  const char* data() const { return buffer_.data(); }
  size_t size() const { return size_; }

 private:
  void Grow(size_t n) { buffer_.resize(std::max(buffer_.size() * 2, size_ + n + 64)); }
  std::vector<char> buffer_;
  size_t size_ = 0;
};

// Writes Number::toString of a finite, non-zero `value` to `out` (room
// for 32 characters) and returns its length.
size_t FormatFinite(double value, char* out);

// What JSON.stringify writes for a character: 0 raw, 1 a short escape,
// 2 \u00XX.
constexpr auto kEscapes = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 2;
  for (int c : {'\b', '\f', '\n', '\r', '\t', '"', '\\'}) table[c] = 1;
  return table;
}();

void AppendQuoted(Text& out, std::string_view text) {
  out.Put('"');
  size_t run = 0;  // start of the characters not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    // Eight characters at a time while none needs escaping: no byte below
    // 0x20 and none equal to '"' or '\\' (the usual zero-byte tests).
    while (i + 8 <= text.size()) {
      constexpr uint64_t kOnes = 0x0101010101010101ull;
      constexpr uint64_t kHighs = 0x8080808080808080ull;
      uint64_t word = 0;
      std::memcpy(&word, text.data() + i, 8);
      uint64_t quote = word ^ (kOnes * '"');
      uint64_t slash = word ^ (kOnes * '\\');
      uint64_t special =
          ((word - kOnes * 0x20) | (quote - kOnes) | (slash - kOnes)) & ~word & kHighs;
      // (~word keeps bytes >= 0x80, UTF-8, out of the test; ~quote and
      // ~slash differ from ~word only there, so one mask serves.)
      if (special) break;
      i += 8;
    }
    if (i >= text.size()) break;
    uint8_t kind = kEscapes[static_cast<unsigned char>(text[i])];
    if (kind == 0) continue;
    out.Put(text.data() + run, i - run);
    run = i + 1;
    char c = text[i];
    if (kind == 2) {
      static constexpr char kHex[] = "0123456789abcdef";
      char escape[6] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xF], kHex[c & 0xF]};
      out.Put(escape, 6);
      continue;
    }
    char letter = c;
    switch (c) {
      case '\b':
        letter = 'b';
        break;
      case '\f':
        letter = 'f';
        break;
      case '\n':
        letter = 'n';
        break;
      case '\r':
        letter = 'r';
        break;
      case '\t':
        letter = 't';
        break;
      default:
        break;  // '"' and '\\' stand for themselves
    }
    char pair[2] = {'\\', letter};
    out.Put(pair, 2);
  }
  out.Put(text.data() + run, text.size() - run);
  out.Put('"');
}

void AppendInteger(Text& out, int64_t i) {
  char buffer[24];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, i).ptr;
  out.Put(buffer, static_cast<size_t>(end - buffer));
}

// JSON.stringify's text for a number: Number::toString, "0" for -0, null
// for what is not finite.
void AppendNumber(Text& out, double d) {
  if (!std::isfinite(d)) {
    out.Put("null");
  } else if (d == 0) {
    out.Put('0');
  } else if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0) {
    AppendInteger(out, static_cast<int64_t>(d));
  } else {
    char buffer[40];
    out.Put(buffer, FormatFinite(d, buffer));
  }
}

void Stringify(Text& out, element value) {
  switch (value.type()) {
    case element_type::NULL_VALUE:
      out.Put("null");
      return;
    case element_type::BOOL:
      out.Put(value.get_bool().value_unsafe() ? std::string_view("true")
                                              : std::string_view("false"));
      return;
    case element_type::INT64: {
      int64_t i = value.get_int64().value_unsafe();
      if (i >= -kMaxExactInteger && i <= kMaxExactInteger) {
        AppendInteger(out, i);
      } else {
        AppendNumber(out, static_cast<double>(i));
      }
      return;
    }
    case element_type::UINT64:
      AppendNumber(out, static_cast<double>(value.get_uint64().value_unsafe()));
      return;
    case element_type::DOUBLE:
      AppendNumber(out, value.get_double().value_unsafe());
      return;
    case element_type::STRING:
      AppendQuoted(out, value.get_string().value_unsafe());
      return;
    case element_type::ARRAY: {
      out.Put('[');
      bool first = true;
      // A local: value_unsafe() refers into its temporary result.
      simdjson::dom::array items = value.get_array().value_unsafe();
      for (element item : items) {
        if (!first) out.Put(',');
        first = false;
        Stringify(out, item);
      }
      out.Put(']');
      return;
    }
    case element_type::OBJECT: {
      FieldsFrame frame;
      PushFields(value.get_object().value_unsafe());
      out.Put('{');
      for (size_t i = 0; i < frame.size(); ++i) {
        Field field = frame[i];
        if (i > 0) out.Put(',');
        AppendQuoted(out, field.key);
        out.Put(':');
        Stringify(out, field.value);
      }
      out.Put('}');
      return;
    }
  }
}

// Reused for every nested cell of every row: the text is built here and
// copied once into its Value.
thread_local Text t_text;

Value Cell(element value) {
  element_type type = value.type();
  if (type != element_type::ARRAY && type != element_type::OBJECT) return Scalar(value);
  Text& text = t_text;
  text.Clear();
  Stringify(text, value);
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  Value cell = Value::binary(std::vector<uint8_t>(bytes, bytes + text.size()));
  text.Clear();
  return cell;
}

// ProjectRow reads a field the row lacks from Object.prototype, as any
// property read does: "__proto__" is that prototype, whose JSON text is
// {}; its methods have none, which JS_Stringify (unlike JSON.stringify,
// which gives undefined) writes as null. Nullopt for any other name.
std::optional<Value> InheritedCell(const std::string& name) {
  static constexpr std::string_view kMethods[] = {
      "constructor",      "toString",         "toLocaleString",       "valueOf",
      "hasOwnProperty",   "isPrototypeOf",    "propertyIsEnumerable", "__defineGetter__",
      "__defineSetter__", "__lookupGetter__", "__lookupSetter__"};
  if (name.size() < 7 || name.size() > 20) return std::nullopt;
  if (name == "__proto__") return Value::binary(std::vector<uint8_t>{'{', '}'});
  for (std::string_view method : kMethods) {
    if (name == method) return Value::binary(std::vector<uint8_t>{'n', 'u', 'l', 'l'});
  }
  return std::nullopt;
}

// Which member fills each projected field: reused across rows.
thread_local std::vector<element> t_cells;
thread_local std::vector<uint8_t> t_found;

}  // namespace

Result<Value> JsonWholeRow(simdjson::dom::element row, int depth) {
  Value out;
  if (!WholeInto(row, depth, out)) return TooDeep();
  return out;
}

Result<Value> JsonProjectedRow(simdjson::dom::object row, const std::vector<std::string>& fields) {
  const size_t count = fields.size();
  std::vector<element>& cells = t_cells;
  std::vector<uint8_t>& found = t_found;
  cells.resize(count);
  found.assign(count, 0);
  // Members usually come in the fields' order: try the field after the
  // last one matched before searching them all. A repeated key lands on
  // the same field again, so its last value wins, as in JavaScript.
  size_t guess = 0;
  for (simdjson::dom::key_value_pair member : row) {
    size_t match = count;
    if (guess < count && fields[guess] == member.key) {
      match = guess;
    } else {
      for (size_t j = 0; j < count; ++j) {
        if (fields[j].size() == member.key.size() && fields[j] == member.key) {
          match = j;
          break;
        }
      }
    }
    if (match == count) continue;
    cells[match] = member.value;
    found[match] = 1;
    guess = match + 1;
  }
  Value out = Value::object();
  auto& out_cells = out.get_ref<Value::object_t&>();
  out_cells.reserve(count);
  for (size_t j = 0; j < count; ++j) {
    size_t source = j;
    if (!found[j]) {
      // A field named twice matched only its first mention.
      source = count;
      for (size_t i = 0; i < j; ++i) {
        if (found[i] && fields[i] == fields[j]) {
          source = i;
          break;
        }
      }
      if (source == count) {
        std::optional<Value> inherited = InheritedCell(fields[j]);
        if (inherited) out_cells.emplace_back(fields[j], std::move(*inherited));
        continue;  // else undefined: left out
      }
    }
    out_cells.emplace_back(fields[j], Cell(cells[source]));
  }
  return out;
}

std::string JsonStringifyLikeJs(simdjson::dom::element value) {
  Text& text = t_text;
  text.Clear();
  Stringify(text, value);
  std::string out(text.data(), text.size());
  text.Clear();
  return out;
}

std::string FormatNumberLikeJs(double value) {
  if (std::isnan(value)) return "NaN";
  if (value == 0) return "0";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[40];
  return std::string(buffer, FormatFinite(value, buffer));
}

namespace {

size_t FormatFinite(double value, char* out) {
  char* p = out;
  if (value < 0) {
    *p++ = '-';
    value = -value;
  }
  // Shortest digits that read back to the value, the nearest when several
  // do: what both to_chars and ECMAScript's Number::toString pick.
  char buffer[40];
  char* end =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific).ptr;
  char* e = std::find(buffer, end, 'e');
  char digits[24];
  int k = 0;
  for (char* q = buffer; q < e; ++q) {
    if (*q != '.') digits[k++] = *q;
  }
  int exponent = 0;
  std::from_chars(e + 1 + (e[1] == '+'), end, exponent);
  const int n = exponent + 1;  // value = 0.digits × 10^n
  auto put = [&p](const char* from, int count) {
    std::memcpy(p, from, static_cast<size_t>(count));
    p += count;
  };
  if (k <= n && n <= 21) {
    put(digits, k);
    std::memset(p, '0', static_cast<size_t>(n - k));
    p += n - k;
  } else if (0 < n && n <= 21) {
    put(digits, n);
    *p++ = '.';
    put(digits + n, k - n);
  } else if (-6 < n && n <= 0) {
    *p++ = '0';
    *p++ = '.';
    std::memset(p, '0', static_cast<size_t>(-n));
    p += -n;
    put(digits, k);
  } else {
    *p++ = digits[0];
    if (k > 1) {
      *p++ = '.';
      put(digits + 1, k - 1);
    }
    *p++ = 'e';
    *p++ = n - 1 < 0 ? '-' : '+';
    p = std::to_chars(p, p + 4, std::abs(n - 1)).ptr;
  }
  return static_cast<size_t>(p - out);
}

}  // namespace

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Four hex digits at `at`, as a number; false when they are not.
bool Hex4(std::string_view text, size_t at, uint32_t& code) {
  if (at + 4 > text.size()) return false;
  code = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = text[i];
    uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    code = code * 16 + digit;
  }
  return true;
}

// "-0" at `at`: an integer minus zero when it stands as a number token,
// after ':', '[', ',' or nothing and before a delimiter or the end.
bool MinusZeroToken(std::string_view text, size_t at) {
  if (at + 2 < text.size()) {
    char next = text[at + 2];
    if (!(IsJsonSpace(next) || next == ',' || next == ']' || next == '}')) return false;
  }
  size_t before = at;
  while (before > 0 && IsJsonSpace(text[before - 1])) --before;
  return before == 0 || text[before - 1] == ':' || text[before - 1] == '[' ||
         text[before - 1] == ',';
}

// "\\u" at `at` escaping half a surrogate pair without its other half
// (`skip` is set past a whole pair).
bool LoneSurrogate(std::string_view text, size_t at, size_t& skip) {
  uint32_t code = 0;
  if (!Hex4(text, at + 2, code) || code < 0xD800 || code > 0xDFFF) return false;
  uint32_t low = 0;
  if (code <= 0xDBFF && at + 12 <= text.size() && text[at + 6] == '\\' && text[at + 7] == 'u' &&
      Hex4(text, at + 8, low) && low >= 0xDC00 && low <= 0xDFFF) {
    skip = at + 12;
    return false;
  }
  return true;
}

}  // namespace

bool JsonTextNeedsJsPath(std::string_view text) {
  // Candidates are the pairs "-0" and "\\u". Dates put a "-0" in most rows,
  // so the scan compares many positions at once and checks each candidate
  // alone, rather than stopping a memmem at every one.
  const char* data = text.data();
  const size_t size = text.size();
  size_t skip = 0;  // positions before it are inside a surrogate pair checked already
  auto check = [&](size_t at) {
    if (at < skip) return false;
    if (data[at] == '-' && data[at + 1] == '0') return MinusZeroToken(text, at);
    if (data[at] == '\\' && data[at + 1] == 'u') return LoneSurrogate(text, at, skip);
    return false;
  };
  size_t i = 0;
#ifdef __SSE2__
  const __m128i minus = _mm_set1_epi8('-'), zero = _mm_set1_epi8('0');
  const __m128i backslash = _mm_set1_epi8('\\'), u = _mm_set1_epi8('u');
  for (; i + 17 <= size; i += 16) {
    __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 1));
    __m128i found =
        _mm_or_si128(_mm_and_si128(_mm_cmpeq_epi8(here, minus), _mm_cmpeq_epi8(next, zero)),
                     _mm_and_si128(_mm_cmpeq_epi8(here, backslash), _mm_cmpeq_epi8(next, u)));
    for (unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(found)); bits; bits &= bits - 1) {
      if (check(i + static_cast<size_t>(__builtin_ctz(bits)))) return true;
    }
  }
#endif
  // The tail, and the whole text where SSE2 is missing.
  for (; i + 2 <= size; ++i) {
    if (check(i)) return true;
  }
  return false;
}

}  // namespace sluice::js
