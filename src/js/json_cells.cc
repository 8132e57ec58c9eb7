#include "js/json_cells.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <unordered_map>

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

// Pops what an object pushed on t_fields, on every way out.
class FieldsFrame {
 public:
  FieldsFrame() : start_(t_fields.size()) {}
  ~FieldsFrame() { t_fields.resize(start_); }
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
  return Status(ErrorKind::kType, "value nested deeper than " + std::to_string(kMaxDepth) + " levels");
}

Result<Value> Whole(element value, int depth) {
  switch (value.type()) {
    case element_type::NULL_VALUE:
      return Value();
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
    case element_type::ARRAY: {
      if (depth >= kMaxDepth) return TooDeep();
      simdjson::dom::array items = value.get_array().value_unsafe();
      Value array = Value::array();
      auto& out = array.get_ref<Value::array_t&>();
      out.reserve(items.size());
      for (element item : items) {
        ASSIGN_OR_RETURN(Value converted, Whole(item, depth + 1));
        out.push_back(std::move(converted));
      }
      return array;
    }
    case element_type::OBJECT: {
      if (depth >= kMaxDepth) return TooDeep();
      FieldsFrame frame;
      PushFields(value.get_object().value_unsafe());
      Value object = Value::object();
      auto& out = object.get_ref<Value::object_t&>();
      out.reserve(frame.size());
      for (size_t i = 0; i < frame.size(); ++i) {
        // Copied out: converting a nested object grows t_fields.
        Field field = frame[i];
        ASSIGN_OR_RETURN(Value converted, Whole(field.value, depth + 1));
        out.emplace_back(std::string(field.key), std::move(converted));
      }
      return object;
    }
  }
  return Value();
}

// What JSON.stringify writes for a character: 0 raw, 1 a short escape,
// 2 \u00XX.
constexpr auto kEscapes = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 2;
  for (int c : {'\b', '\f', '\n', '\r', '\t', '"', '\\'}) table[c] = 1;
  return table;
}();

void AppendQuoted(std::string& out, std::string_view text) {
  out.push_back('"');
  size_t run = 0;  // start of the characters not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t kind = kEscapes[static_cast<unsigned char>(text[i])];
    if (kind == 0) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    char c = text[i];
    if (kind == 2) {
      static constexpr char kHex[] = "0123456789abcdef";
      char escape[6] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xF], kHex[c & 0xF]};
      out.append(escape, 6);
      continue;
    }
    char letter = c;
    switch (c) {
      case '\b': letter = 'b'; break;
      case '\f': letter = 'f'; break;
      case '\n': letter = 'n'; break;
      case '\r': letter = 'r'; break;
      case '\t': letter = 't'; break;
      default: break;  // '"' and '\\' stand for themselves
    }
    out.push_back('\\');
    out.push_back(letter);
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

void AppendInteger(std::string& out, int64_t i) {
  char buffer[24];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, i).ptr;
  out.append(buffer, static_cast<size_t>(end - buffer));
}

// JSON.stringify's text for a number: Number::toString, "0" for -0, null
// for what is not finite.
void AppendNumber(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
  } else if (d == 0) {
    out.push_back('0');
  } else if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0) {
    AppendInteger(out, static_cast<int64_t>(d));
  } else {
    out += FormatNumberLikeJs(d);
  }
}

void Stringify(std::string& out, element value) {
  switch (value.type()) {
    case element_type::NULL_VALUE:
      out += "null";
      return;
    case element_type::BOOL:
      out += value.get_bool().value_unsafe() ? "true" : "false";
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
      out.push_back('[');
      bool first = true;
      // A local: value_unsafe() refers into its temporary result.
      simdjson::dom::array items = value.get_array().value_unsafe();
      for (element item : items) {
        if (!first) out.push_back(',');
        first = false;
        Stringify(out, item);
      }
      out.push_back(']');
      return;
    }
    case element_type::OBJECT: {
      FieldsFrame frame;
      PushFields(value.get_object().value_unsafe());
      out.push_back('{');
      for (size_t i = 0; i < frame.size(); ++i) {
        Field field = frame[i];
        if (i > 0) out.push_back(',');
        AppendQuoted(out, field.key);
        out.push_back(':');
        Stringify(out, field.value);
      }
      out.push_back('}');
      return;
    }
  }
}

// Reused for every nested cell of every row: the text is built here and
// copied once into its Value.
thread_local std::string t_text;

Value Cell(element value) {
  switch (value.type()) {
    case element_type::NULL_VALUE:
      return Value();
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
    case element_type::ARRAY:
    case element_type::OBJECT:
      break;
  }
  std::string& text = t_text;
  text.clear();
  Stringify(text, value);
  return Value::binary(std::vector<uint8_t>(text.begin(), text.end()));
}

// ProjectRow reads a field the row lacks from Object.prototype, as any
// property read does: "__proto__" is that prototype, whose JSON text is
// {}; its methods have none, which JS_Stringify (unlike JSON.stringify,
// which gives undefined) writes as null. Nullopt for any other name.
std::optional<Value> InheritedCell(const std::string& name) {
  static constexpr std::string_view kMethods[] = {
      "constructor",       "toString",         "toLocaleString",       "valueOf",
      "hasOwnProperty",    "isPrototypeOf",    "propertyIsEnumerable", "__defineGetter__",
      "__defineSetter__",  "__lookupGetter__", "__lookupSetter__"};
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

Result<Value> JsonWholeRow(simdjson::dom::element row) { return Whole(row, 0); }

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
  std::string out;
  Stringify(out, value);
  return out;
}

std::string FormatNumberLikeJs(double value) {
  if (std::isnan(value)) return "NaN";
  if (value == 0) return "0";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  std::string out;
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  // Shortest digits that read back to the value, the nearest when several
  // do: what both to_chars and ECMAScript's Number::toString pick.
  char buffer[64];
  char* end = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific).ptr;
  char* e = std::find(buffer, end, 'e');
  char digits[32];
  int k = 0;
  for (char* p = buffer; p < e; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exponent = 0;
  std::from_chars(e + 1 + (e[1] == '+'), end, exponent);
  const int n = exponent + 1;  // value = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out.append(digits, static_cast<size_t>(k));
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<size_t>(n));
    out.push_back('.');
    out.append(digits + n, static_cast<size_t>(k - n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out.append(digits, static_cast<size_t>(k));
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, static_cast<size_t>(k - 1));
    }
    out.push_back('e');
    out.push_back(n - 1 < 0 ? '-' : '+');
    AppendInteger(out, std::abs(n - 1));
  }
  return out;
}

bool JsonTextNeedsJsPath(std::string_view text) {
  const char* data = text.data();
  const size_t size = text.size();
  // An integer "-0": simdjson reads it as the integer 0, JSON.parse as -0.
  // A number token stands after ':', '[' or ',' (or first) and before a
  // delimiter; the same characters inside a string only cost a fallback.
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  for (const char* p = data; (p = static_cast<const char*>(
                                  memmem(p, static_cast<size_t>(data + size - p), "-0", 2)));
       ++p) {
    size_t at = static_cast<size_t>(p - data);
    if (at + 2 < size) {
      char next = data[at + 2];
      if (!(is_space(next) || next == ',' || next == ']' || next == '}')) continue;
    }
    size_t before = at;
    while (before > 0 && is_space(data[before - 1])) --before;
    if (before == 0 || data[before - 1] == ':' || data[before - 1] == '[' ||
        data[before - 1] == ',') {
      return true;
    }
  }
  // A \u escape of half a surrogate pair: simdjson 3.0.1 makes invalid or
  // wrong UTF-8 of it, where JSON.parse keeps the lone half.
  auto hex = [&](size_t at, uint32_t& code) {
    if (at + 4 > size) return false;
    code = 0;
    for (size_t i = at; i < at + 4; ++i) {
      char c = data[i];
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
  };
  for (const char* p = data; (p = static_cast<const char*>(
                                  memmem(p, static_cast<size_t>(data + size - p), "\\u", 2)));
       ++p) {
    size_t at = static_cast<size_t>(p - data);
    uint32_t code = 0;
    if (!hex(at + 2, code) || code < 0xD800 || code > 0xDFFF) continue;
    uint32_t low = 0;
    if (code <= 0xDBFF && at + 12 <= size && data[at + 6] == '\\' && data[at + 7] == 'u' &&
        hex(at + 8, low) && low >= 0xDC00 && low <= 0xDFFF) {
      p += 6;  // the pair's low half is not a lone one
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace sluice::js
