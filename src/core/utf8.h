// UTF-8 helpers every layer shares: validation (Unicode table 3-7: no
// overlong forms, surrogates or code points above U+10FFFF), decoding,
// encoding, and repair with U+FFFD. One implementation, so the CLI's
// renderer, the JS TextDecoder, the lexer and name checks agree on what is
// valid.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

// A byte that continues a multi-byte sequence (10xxxxxx).
constexpr bool IsUtf8Continuation(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

// Length of the well-formed UTF-8 sequence at text[pos], or 0 if none
// (invalid, or cut off by the end of text). Precondition: pos < text.size().
size_t Utf8SequenceLength(std::string_view text, size_t pos);

// As Utf8SequenceLength, and sets `cp` to the code point when valid.
size_t DecodeUtf8(std::string_view text, size_t pos, uint32_t& cp);

// Whether all of `text` is valid UTF-8. ASCII, most of any API's JSON, is
// checked eight bytes at a time: response bodies pass here whole.
bool IsValidUtf8(std::string_view text);

// `text` with each byte that starts no valid sequence replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view text);

// Appends the UTF-8 encoding of `cp` (at most U+10FFFF).
void AppendUtf8(std::string& out, uint32_t cp);

// Code points in `text`, counting each byte that is no continuation byte:
// a stray byte of invalid input counts as one.
size_t CountUtf8CodePoints(std::string_view text);

}  // namespace sluice
