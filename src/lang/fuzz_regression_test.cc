// Replays, through every fuzz target (src/**/*_fuzzer.cc, built here
// without libFuzzer), the inputs kept for it: tests/fuzz/regressions/NAME/
// (crashes the fuzzers found, and inputs that once broke the code) and its
// seed corpus tests/fuzz/corpus/NAME/. A target aborts on a broken property,
// which fails the test of that target; the input replayed last is named on
// stderr.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "lang/parser.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// Every target; a new one is added here and gets its folders.
const std::vector<std::string> kTargets = {"parser",       "yaml_config",   "mock_api",
                                           "js_rows",      "response_body", "module_resolution",
                                           "secret_masker", "arrow_ipc",     "archive",
                                           "manifest"};

const fs::path kFuzzDir = fs::path(SLUICE_SOURCE_DIR) / "tests/fuzz";

class FuzzRegressionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzRegressionTest, KeptInputsReplayWithoutBreakingAProperty) {
  auto target = fuzz::Targets().find(GetParam());
  ASSERT_NE(target, fuzz::Targets().end()) << "no fuzz target registered as " << GetParam();
  std::vector<fs::path> inputs;
  for (const char* kind : {"regressions", "corpus"}) {
    const fs::path dir = kFuzzDir / kind / GetParam();
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file()) inputs.push_back(entry.path());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  ASSERT_FALSE(inputs.empty()) << "no inputs kept for " << GetParam() << " under " << kFuzzDir;
  for (const fs::path& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string input = text.str();
    std::fprintf(stderr, "replaying %s\n", path.c_str());
    target->second(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressionTest, ::testing::ValuesIn(kTargets),
                         [](const auto& info) { return info.param; });

TEST(FuzzRegressionTest, EveryTargetAndFolderIsKnown) {
  std::set<std::string> known(kTargets.begin(), kTargets.end());
  for (const auto& [name, function] : fuzz::Targets()) {
    EXPECT_TRUE(known.count(name))
        << "fuzz target " << name << " is not in kTargets, so nothing replays it";
  }
  for (const char* kind : {"regressions", "corpus"}) {
    for (const auto& entry : fs::directory_iterator(kFuzzDir / kind)) {
      EXPECT_TRUE(known.count(entry.path().filename().string()))
          << entry.path() << " belongs to no fuzz target";
    }
  }
}

TEST(FuzzRegressionTest, ErrorsAreCappedForGarbage) {
  std::string garbage(5000, '#');
  ParseResult result = Parse(std::make_shared<SourceFile>(SourceFile{"g", garbage}));
  EXPECT_FALSE(result.ok());
  EXPECT_LE(result.errors.size(), 51u);
}

}  // namespace
}  // namespace sluice
