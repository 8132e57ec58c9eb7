// Tokens of the Sluice language.
//
// Keywords are not a token kind: Sluice has many contextual keywords
// (ENTITY, FIELDS, CURSOR …) that are also fine names for connectors and
// fields, so the parser matches identifiers against keywords by text,
// case-insensitively.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

enum class TokenKind {
  kIdentifier,    // name, or `quoted name`
  kString,        // 'text' with '' escapes; value is unescaped
  kDoubleString,  // "text" with JSON escapes; a string in Sluice expressions,
                  // an identifier inside SQL passed to SQLite
  kCode,          // '''raw code'''
  kInteger,
  kFloat,
  kParameter,     // ?, ?1, :name, @name, $name (SQL parameters, passed through)
  kSymbol,        // punctuation and operators: ( ) { } [ ] , ; . : = == != <> < <= > >= + - * / % || => etc.
  kEnd,
};

const char* TokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;     // identifier name, unescaped string, or the symbol
  uint32_t offset = 0;  // byte offset of the first character in the source
  uint32_t length = 0;  // bytes of source text the token spans

  bool Is(TokenKind k, std::string_view t) const { return kind == k && text == t; }
  bool IsSymbol(std::string_view s) const { return kind == TokenKind::kSymbol && text == s; }
  // Case-insensitive keyword match on an unquoted identifier.
  bool IsKeyword(std::string_view keyword) const;
  uint32_t end() const { return offset + length; }
  bool quoted = false;  // identifier written in backticks
};

}  // namespace sluice
