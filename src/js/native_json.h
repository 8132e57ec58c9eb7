// The native row path's parse (docs/javascript.md, "The native row path"):
// a response body parsed once by simdjson, its row arrays found and kept
// as a parsed document, and the rest of the body as text for JSON.parse.
// The prelude turns each row array into a lazy array that the sink
// converts straight from the document, and that a handler touching its
// rows turns into JavaScript objects (JSON.parse of the array's bytes).
//
// Thread-safety: SplitRowArrays is a pure function; a document is read-only
// once made.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::js {

// A body simdjson parsed, kept until the sink has converted each of its
// row arrays once (then the parser goes back to the thread's pool and the
// text is dropped), or the row arrays are collected. A handler that reaches
// into rows parses them from the body's own bytes (JSON.parse).
struct NativeJsonDocument {
  simdjson::padded_string text;
  std::unique_ptr<simdjson::dom::parser> parser;  // null once released
  size_t unconverted = 0;                         // row arrays the sink has not taken yet
  ~NativeJsonDocument();
  // Roughly what the text and the parser's tape hold, for the GC's
  // accounting of memory outside its heap.
  size_t memory_bytes() const { return text.size() + (parser ? parser->capacity() * 6 : 0); }
};

// One row array: an array of at least kMinRows objects, the body itself or
// the value of a key of the top-level object or of an object directly
// under it. `rows` is valid while document->parser is.
struct NativeRowArray {
  std::shared_ptr<NativeJsonDocument> document;
  std::vector<std::string> path;  // keys from the top; empty: the body is the array
  size_t begin = 0, end = 0;      // its bytes in the body
  simdjson::dom::array rows;
  size_t count = 0;  // rows.size(), kept for when `rows` is gone
  bool converted = false;
  std::string_view text() const {
    return std::string_view(document->text.data() + begin, end - begin);
  }  // until released
};

// A parser from the thread's pool (parsers keep their buffers: a page
// parsed into a used one allocates nothing), and back.
std::unique_ptr<simdjson::dom::parser> AcquireParser();
void ReleaseParser(std::unique_ptr<simdjson::dom::parser> parser);

struct NativeJsonSplit {
  // The body with each row array's bytes replaced by `null` (empty when the
  // body is itself a row array).
  std::string rest;
  std::vector<NativeRowArray> arrays;
};

// Smaller bodies cost less to parse in JavaScript than to split: unless
// SLUICE_NATIVE_JSON=all (tests, to take every body the path can).
inline constexpr size_t kNativeJsonMinBytes = 4096;
inline constexpr size_t kMinRows = 2;

// Nullopt when the JavaScript path must parse the body: it is smaller than
// `min_bytes`, is not something simdjson parses exactly as JSON.parse would (a
// syntax error, invalid UTF-8, a byte order mark, nesting past simdjson's
// depth, a number it refuses), has no row array, or reaches a row array
// through an object with a repeated key (JSON.parse keeps the last value).
std::optional<NativeJsonSplit> SplitRowArrays(std::string_view body,
                                              size_t min_bytes = kNativeJsonMinBytes);

}  // namespace sluice::js
