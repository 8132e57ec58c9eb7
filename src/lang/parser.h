// Parser: text → ast::Program, by recursive descent over the lexer's tokens.
//
// The whole script is parsed before anything runs. On an error the parser
// records it, skips to the end of the statement, and goes on, so one run
// reports every error it can; the caller then runs nothing.
//
// Thread-safety: Parse() is reentrant.
#pragma once

#include <memory>
#include <vector>

#include "core/source_text.h"
#include "core/status.h"
#include "lang/ast.h"

namespace sluice {

struct ParseOptions {
  // A script may end its last statement without ';' (as in `-c "SELECT 1"`).
  // The REPL sets this to true so an unfinished statement asks for more.
  bool require_final_semicolon = false;
};

struct ParseResult {
  ast::Program program;
  std::vector<Status> errors;  // in source order; empty on success
  // The input ended in the middle of a statement (an unclosed string, block
  // or statement without ';'): the REPL reads another line.
  bool incomplete = false;
  // A statement sets a secret value (CREATE SECRET … VALUE, perhaps
  // mistyped), parsed or not: the REPL keeps such input out of its history.
  bool carries_secret = false;

  bool ok() const { return errors.empty(); }
};

ParseResult Parse(std::shared_ptr<const SourceFile> source, const ParseOptions& options = {});

}  // namespace sluice
