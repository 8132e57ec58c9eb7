// Replays inputs kept in tests/fuzz/regressions (crashes the parser fuzzer
// found, and inputs that once broke the parser) under the unit tests, so they
// stay fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lang/parser.h"

namespace sluice {
namespace {

TEST(FuzzRegressionTest, KeptInputsParseWithoutCrashing) {
  const std::filesystem::path dir = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/fuzz/regressions";
  int inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto source = std::make_shared<SourceFile>(SourceFile{entry.path().filename().string(), text.str()});
    for (bool repl : {false, true}) {
      ParseOptions options;
      options.require_final_semicolon = repl;
      ParseResult result = Parse(source, options);
      // Every error must carry a position inside the input.
      for (const Status& error : result.errors) {
        ASSERT_TRUE(error.location().has_value()) << entry.path() << ": " << error.message();
        EXPECT_LE(error.location()->offset, source->text.size()) << entry.path();
        EXPECT_FALSE(error.Render().empty());
      }
      EXPECT_LE(result.errors.size(), 60u) << "error count is capped";
    }
    ++inputs;
  }
  EXPECT_GE(inputs, 3);
}

TEST(FuzzRegressionTest, ErrorsAreCappedForGarbage) {
  std::string garbage(5000, '#');
  ParseResult result = Parse(std::make_shared<SourceFile>(SourceFile{"g", garbage}));
  EXPECT_FALSE(result.ok());
  EXPECT_LE(result.errors.size(), 51u);
}

}  // namespace
}  // namespace sluice
