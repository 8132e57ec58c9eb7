// Fuzz target "parser": the lexer and parser (`make fuzz`). Any input must
// give statements or errors with valid positions: never a crash, a hang or
// undefined behaviour, however deep its nesting.
#include <memory>
#include <string>

#include "core/secret_masker.h"
#include "fuzz_target.h"
#include "lang/parser.h"

SLUICE_FUZZ_TARGET("parser") {
  auto source = std::make_shared<sluice::SourceFile>(
      sluice::SourceFile{"fuzz.sql", std::string(reinterpret_cast<const char*>(data), size)});
  for (bool repl : {false, true}) {
    sluice::ParseOptions options;
    options.require_final_semicolon = repl;
    sluice::ParseResult result = sluice::Parse(source, options);
    for (const sluice::Status& error : result.errors) {
      SLUICE_FUZZ_CHECK(error.location().has_value(),
                        "an error without a position: " + error.message());
      SLUICE_FUZZ_CHECK(error.location()->offset <= size,
                        "an error past the input: " + error.message());
      SLUICE_FUZZ_CHECK(!error.Render().empty(), "an error that renders as nothing");
    }
    // Garbage gives a bounded list of errors, not one per byte: the lexer
    // stops at 50, the parser at 50 and "too many errors".
    SLUICE_FUZZ_CHECK(result.errors.size() <= 101,
                      "uncapped errors: " + std::to_string(result.errors.size()));
    for (const sluice::ast::Statement& statement : result.program.statements) {
      SLUICE_FUZZ_CHECK(statement.span.end_offset <= size &&
                            statement.span.begin.offset <= statement.span.end_offset,
                        "a statement span outside the input");
    }
  }
  // CREATE SECRET literals register with the masker; keep it from growing.
  sluice::SecretMasker::Global().Clear();
}
