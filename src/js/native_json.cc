#include "js/native_json.h"

#include <cstring>
#include <unordered_set>

#include "js/json_cells.h"

namespace sluice::js {
namespace {

// A scan of text simdjson has already validated, for the byte ranges of
// the arrays at the paths row arrays may sit at. The document gives no
// source offsets, so the ranges come from this scan.
class Scanner {
 public:
  struct Found {
    std::vector<std::string> path;
    size_t begin, end;
  };

  explicit Scanner(std::string_view text) : text_(text) {}

  std::vector<Found> Scan() {
    size_t at = SkipSpace(0);
    if (at >= text_.size()) return {};
    if (text_[at] == '[') {
      found_.push_back({{}, at, SkipNested(at)});
    } else if (text_[at] == '{') {
      std::vector<std::string> prefix;
      Object(at, prefix);
    }
    return std::move(found_);
  }

 private:
  static constexpr int kMaxDepth = 2;  // objects a row array may sit in

  bool IsSpace(char c) const { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
  size_t SkipSpace(size_t at) const {
    while (at < text_.size() && IsSpace(text_[at])) ++at;
    return at;
  }

  // From an opening quote to just past the closing one.
  size_t SkipString(size_t at) const {
    const char* base = text_.data();
    size_t from = at + 1;
    while (true) {
      const void* quote = std::memchr(base + from, '"', text_.size() - from);
      if (!quote) return text_.size();
      size_t q = static_cast<const char*>(quote) - base;
      size_t backslashes = 0;
      while (q - backslashes > at + 1 && base[q - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return q + 1;
      from = q + 1;
    }
  }

  // From an opening bracket or brace to just past its match.
  size_t SkipNested(size_t at) const {
    int depth = 0;
    for (size_t i = at; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == '"') {
        i = SkipString(i) - 1;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if (c == ']' || c == '}') {
        if (--depth == 0) return i + 1;
      }
    }
    return text_.size();
  }

  size_t SkipValue(size_t at) const {
    char c = text_[at];
    if (c == '"') return SkipString(at);
    if (c == '[' || c == '{') return SkipNested(at);
    while (at < text_.size() && text_[at] != ',' && text_[at] != '}' && text_[at] != ']' &&
           !IsSpace(text_[at])) {
      ++at;
    }
    return at;
  }

  // An object's members from its brace; returns just past its end. Keys
  // with escapes are passed over: the document's keys are unescaped, and
  // matching the two is not worth it for a key that rare.
  size_t Object(size_t at, std::vector<std::string>& prefix) {
    at = SkipSpace(at + 1);
    if (at < text_.size() && text_[at] == '}') return at + 1;
    while (at < text_.size()) {
      size_t key_end = SkipString(at);
      std::string_view key = text_.substr(at + 1, key_end - at - 2);
      bool plain_key = key.find('\\') == std::string_view::npos;
      at = SkipSpace(SkipSpace(key_end) + 1);  // past ':'
      if (at >= text_.size()) break;
      size_t value_end;
      if (text_[at] == '[' && plain_key) {
        value_end = SkipNested(at);
        prefix.emplace_back(key);
        found_.push_back({prefix, at, value_end});
        prefix.pop_back();
      } else if (text_[at] == '{' && plain_key && static_cast<int>(prefix.size()) + 1 < kMaxDepth) {
        prefix.emplace_back(key);
        value_end = Object(at, prefix);
        prefix.pop_back();
      } else {
        value_end = SkipValue(at);
      }
      at = SkipSpace(value_end);
      if (at >= text_.size() || text_[at] == '}') return at + 1;
      at = SkipSpace(at + 1);  // past ','
    }
    return text_.size();
  }

  std::string_view text_;
  std::vector<Found> found_;
};

bool HasRepeatedKey(simdjson::dom::object object) {
  std::unordered_set<std::string_view> keys;
  keys.reserve(object.size());
  for (auto field : object) {
    if (!keys.insert(field.key).second) return true;
  }
  return false;
}

// The row array at `path`, if the value there is one and every object on
// the way has each key once.
std::optional<simdjson::dom::array> RowsAt(simdjson::dom::element root,
                                           const std::vector<std::string>& path) {
  simdjson::dom::element at = root;
  for (const std::string& key : path) {
    simdjson::dom::object object;
    if (at.get_object().get(object) || HasRepeatedKey(object)) return std::nullopt;
    if (object.at_key(key).get(at)) return std::nullopt;
  }
  simdjson::dom::array rows;
  if (at.get_array().get(rows) || rows.size() < kMinRows) return std::nullopt;
  for (simdjson::dom::element row : rows) {
    if (!row.is_object()) return std::nullopt;
  }
  return rows;
}

// More candidate arrays than this in one body, and it takes the JavaScript
// path (SplitRowArrays).
constexpr size_t kMaxRowArrays = 64;

// Enough for a page being converted while the next is parsed.
constexpr size_t kPooledParsers = 4;
thread_local std::vector<std::unique_ptr<simdjson::dom::parser>> pooled_parsers;

}  // namespace

std::unique_ptr<simdjson::dom::parser> AcquireParser() {
  if (pooled_parsers.empty()) return std::make_unique<simdjson::dom::parser>();
  std::unique_ptr<simdjson::dom::parser> parser = std::move(pooled_parsers.back());
  pooled_parsers.pop_back();
  return parser;
}

void ReleaseParser(std::unique_ptr<simdjson::dom::parser> parser) {
  // A parser that grew for a huge body would keep its buffers forever.
  if (parser && pooled_parsers.size() < kPooledParsers && parser->capacity() <= (64u << 20)) {
    pooled_parsers.push_back(std::move(parser));
  }
}

NativeJsonDocument::~NativeJsonDocument() { ReleaseParser(std::move(parser)); }

std::optional<NativeJsonSplit> SplitRowArrays(std::string_view body, size_t min_bytes) {
  if (body.size() < min_bytes) return std::nullopt;
  // text() drops a byte order mark that JSON.parse would refuse.
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;
  // Tokens simdjson reads differently from JSON.parse ("-0", half a
  // surrogate pair): json_cells.h.
  if (JsonTextNeedsJsPath(body)) return std::nullopt;
  auto document = std::make_shared<NativeJsonDocument>();
  document->text = simdjson::padded_string(body);
  document->parser = AcquireParser();
  simdjson::dom::element root;
  // Refuses invalid UTF-8 (which text() would replace, count or refuse per
  // connector option) and invalid escapes such as a lone surrogate, both of
  // which the JavaScript path must see.
  if (document->parser->parse(document->text).get(root)) return std::nullopt;
  std::string_view text(document->text.data(), document->text.size());
  std::vector<Scanner::Found> found = Scanner(text).Scan();
  // Each candidate is looked up from the root, a scan of its parents' keys:
  // a body of thousands of small arrays (results grouped by key) would
  // cost their square. Pages of rows have one or two.
  if (found.size() > kMaxRowArrays) return std::nullopt;
  NativeJsonSplit split;
  size_t copied = 0;
  for (Scanner::Found& candidate : found) {
    if (candidate.end > text.size() || text[candidate.begin] != '[' ||
        text[candidate.end - 1] != ']') {
      continue;
    }
    std::optional<simdjson::dom::array> rows = RowsAt(root, candidate.path);
    if (!rows) continue;
    split.rest.append(text.substr(copied, candidate.begin - copied));
    split.rest.append("null");
    copied = candidate.end;
    split.arrays.push_back(
        {document, std::move(candidate.path), candidate.begin, candidate.end, *rows, rows->size()});
    ++document->unconverted;
  }
  if (split.arrays.empty()) return std::nullopt;
  if (split.arrays.size() == 1 && split.arrays[0].path.empty()) {
    split.rest.clear();
  } else {
    split.rest.append(text.substr(copied));
  }
  return split;
}

}  // namespace sluice::js
