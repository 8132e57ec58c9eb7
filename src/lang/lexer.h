// Lexer: turns source text into tokens.
//
// Comments (`-- …`, `/* … */`) and whitespace are dropped. A lexical error
// (an unterminated string, a stray character) is reported with its position
// and lexing continues, so the parser can report further errors too.
//
// Thread-safety: a Lexer is used by one thread; distinct Lexers are independent.
#pragma once

#include <memory>
#include <vector>

#include "core/source_text.h"
#include "core/status.h"
#include "lang/token.h"

namespace sluice {

struct LexResult {
  std::vector<Token> tokens;  // always ends with a kEnd token
  std::vector<Status> errors;
  bool unterminated = false;  // input ended inside a string or comment
};

LexResult Lex(const std::shared_ptr<const SourceFile>& source);

// Statements that set a secret value, found from tokens alone so the answer
// holds whether or not the statement parses: a statement (up to ';') with a
// word like SECRET followed by a word like VALUE, spelled right or nearly
// (SECRETT, SECERT, VALUES), since a mistyped CREATE SECRET carries the value
// as much as a correct one.
struct SecretStatements {
  bool found = false;
  std::vector<size_t> literals;  // indexes of those statements' string tokens
};
SecretStatements FindSecretStatements(const std::vector<Token>& tokens);

}  // namespace sluice
