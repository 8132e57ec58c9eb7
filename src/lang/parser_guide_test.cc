// The language must accept what users copy from the connector guide and the
// examples we ship, verbatim.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lang/parser.h"

namespace sluice {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ParseResult ParseFile(const std::filesystem::path& path) {
  return Parse(std::make_shared<SourceFile>(SourceFile{path.string(), ReadFile(path)}));
}

std::string Errors(const ParseResult& result) {
  std::string out;
  for (const Status& error : result.errors) out += error.Render() + "\n";
  return out;
}

const std::filesystem::path kSource = SLUICE_SOURCE_DIR;

TEST(ParserGuideTest, EveryGuideBlockParses) {
  ParseResult result = ParseFile(kSource / "tests/fixtures/connectors_guide_blocks.sql");
  ASSERT_TRUE(result.ok()) << Errors(result);
  std::vector<std::string> names;
  for (const ast::Statement& statement : result.program.statements) {
    names.push_back(ast::StatementName(statement));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"CREATE CONNECTOR TYPE", "CREATE CONNECTOR ENTITY",
                                             "CREATE CONNECTOR ACTION", "CREATE CONNECTOR",
                                             "TEST CONNECTOR TYPE", "TEST CONNECTOR TYPE",
                                             "PACKAGE"}));
  // The integration test's body: CREATE, DECLARE, ASSERT, DECLARE, ASSERT, EXEC.
  const auto& integration = std::get<ast::TestStmt>(result.program.statements[5].node);
  EXPECT_EQ(integration.test_name.text, "integration with real API");
  ASSERT_EQ(integration.body.size(), 6u);
  const auto& cleanup = std::get<ast::ExecStmt>(integration.body[5].node);
  const auto& exec = std::get<ast::ExecExpr>(cleanup.exec->node);
  EXPECT_EQ(exec.connector, "test_conn");
  EXPECT_EQ(exec.path, (std::vector<std::string>{"items", "delete"}));
  ASSERT_EQ(exec.named_args.size(), 1u);
  EXPECT_EQ(exec.named_args[0].name, "id");
}

// Reads the guide itself when it is beside the checkout, so a guide that
// gains a block the fixture lacks is noticed.
TEST(ParserGuideTest, BlocksExtractedFromTheGuideParse) {
  std::filesystem::path guide = kSource / "../shared/reference/connectors-guide.txt";
  if (!std::filesystem::exists(guide)) GTEST_SKIP() << "no " << guide;
  std::istringstream lines(ReadFile(guide));
  std::string line, block;
  int blocks = 0;
  ParseOptions options;
  options.require_final_semicolon = true;
  while (std::getline(lines, line)) {
    bool starts = line.starts_with("CREATE ") || line.starts_with("TEST CONNECTOR") ||
                  line.starts_with("PACKAGE ");
    if (block.empty() && !starts) continue;
    block += line + "\n";
    ParseResult result = Parse(std::make_shared<SourceFile>(SourceFile{"guide", block}), options);
    if (result.incomplete) continue;
    EXPECT_TRUE(result.ok()) << block << Errors(result);
    ++blocks;
    block.clear();
  }
  EXPECT_TRUE(block.empty()) << "unfinished block:\n" << block;
  EXPECT_EQ(blocks, 7);
}

TEST(ParserGuideTest, EveryExampleScriptParses) {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource / "examples")) {
    if (entry.path().extension() != ".sql") continue;
    ParseResult result = ParseFile(entry.path());
    EXPECT_TRUE(result.ok()) << Errors(result);
    EXPECT_FALSE(result.program.statements.empty()) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 2);
}

}  // namespace
}  // namespace sluice
