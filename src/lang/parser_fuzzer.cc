// libFuzzer target for the lexer and parser (`make fuzz`). Any input must
// give statements or errors with valid positions: never a crash, a hang or
// undefined behaviour. Crashes found are kept under tests/fuzz/regressions
// and replayed by the unit tests.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/secret_masker.h"
#include "lang/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = std::make_shared<sluice::SourceFile>(
      sluice::SourceFile{"fuzz.sql", std::string(reinterpret_cast<const char*>(data), size)});
  for (bool repl : {false, true}) {
    sluice::ParseOptions options;
    options.require_final_semicolon = repl;
    sluice::ParseResult result = sluice::Parse(source, options);
    for (const sluice::Status& error : result.errors) {
      std::string rendered = error.Render();
      if (rendered.empty()) __builtin_trap();
    }
    for (const sluice::ast::Statement& statement : result.program.statements) {
      if (statement.span.end_offset > size || statement.span.begin.offset > statement.span.end_offset) {
        __builtin_trap();
      }
    }
  }
  // CREATE SECRET literals register with the masker; keep it from growing.
  sluice::SecretMasker::Global().Clear();
  return 0;
}
