#include "lang/result_format.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace sluice {
namespace {

std::string Render(const ResultSet& result, OutputFormat format,
                   std::optional<size_t> max_width = std::nullopt) {
  RenderOptions options;
  options.format = format;
  options.max_width = max_width;
  return RenderResult(result, options);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Code points, which is what the renderer promises to fit into max_width.
size_t CodePoints(const std::string& text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// nlohmann's strict dump throws on invalid UTF-8.
bool IsValidUtf8(const std::string& text) {
  try {
    (void)Value(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

ResultSet ServiceResult() {
  return {{"name", "version", "entities"}, {{"myservice", "1.0.0", 2}}, ""};
}

TEST(OutputTableTest, MatchesPsqlLayout) {
  EXPECT_EQ(Render(ServiceResult(), OutputFormat::kTable),
            " name      | version | entities\n"
            "-----------+---------+---------\n"
            " myservice | 1.0.0   |        2\n"
            "(1 row)\n");
}

TEST(OutputTableTest, NumbersRightOtherValuesLeft) {
  ResultSet result{{"id", "v"},
                   {{5, "ab"}, {123, 1.5}, {Value(), true}, {-7, Value::parse(R"({"k":[1]})")}},
                   ""};
  EXPECT_EQ(Render(result, OutputFormat::kTable),
            " id   | v\n"
            "------+----------\n"
            "    5 | ab\n"
            "  123 |       1.5\n"
            " NULL | true\n"
            "   -7 | {\"k\":[1]}\n"
            "(4 rows)\n");
}

TEST(OutputTableTest, TitleAndZeroRows) {
  ResultSet result{{"a", "b"}, {}, "entities"};
  EXPECT_EQ(Render(result, OutputFormat::kTable),
            "entities\n"
            " a | b\n"
            "---+--\n"
            "(0 rows)\n");
}

TEST(OutputTableTest, PluralFooter) {
  ResultSet result{{"n"}, {{1}, {2}}, ""};
  EXPECT_EQ(Render(result, OutputFormat::kTable), " n\n--\n 1\n 2\n(2 rows)\n");
}

// Wide CJK characters also count as one column, by design (no wcwidth).
TEST(OutputTableTest, CountsCodePointsNotBytes) {
  ResultSet result{{"name", "n"}, {{"café", 1}, {"ab", 22}, {"日本", 3}}, ""};
  EXPECT_EQ(Render(result, OutputFormat::kTable),
            " name | n\n"
            "------+---\n"
            " café |  1\n"
            " ab   | 22\n"
            " 日本   |  3\n"
            "(3 rows)\n");
}

TEST(OutputTableTest, EscapesControlCharactersToKeepRowsOnOneLine) {
  ResultSet result{{"text", "n"}, {{"line1\nline2\tx\x1b", 1}}, ""};
  EXPECT_EQ(Render(result, OutputFormat::kTable),
            " text                | n\n"
            "---------------------+--\n"
            " line1\\nline2\\tx\\x1b | 1\n"
            "(1 row)\n");
}

TEST(OutputTableTest, ReplacesInvalidUtf8) {
  ResultSet result{{"s", "n"}, {{"a\xff", 1}}, ""};
  const std::string out = Render(result, OutputFormat::kTable);
  EXPECT_EQ(out, " s  | n\n----+--\n a\uFFFD | 1\n(1 row)\n");
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(OutputTableTest, MaxWidthCutsCellsWithEllipsis) {
  ResultSet result{{"k", "text"}, {{1, "abcdefghijklmnopqrstuvwxyz"}}, ""};
  EXPECT_EQ(Render(result, OutputFormat::kTable, 20),
            " k | text\n"
            "---+----------------\n"
            " 1 | abcdefghijklmn…\n"
            "(1 row)\n");
}

TEST(OutputTableTest, MaxWidthLeavesTableThatFitsAlone) {
  EXPECT_EQ(Render(ServiceResult(), OutputFormat::kTable, 31),
            Render(ServiceResult(), OutputFormat::kTable));
}

TEST(OutputTableTest, MaxWidthShrinksWidestColumnFirst) {
  ResultSet result{{"a", "b"}, {{std::string(30, 'x'), std::string(12, 'y')}}, ""};
  // Budget 32 for cells: only the 30-wide column needs to give way.
  EXPECT_EQ(Lines(Render(result, OutputFormat::kTable, 36))[2],
            " " + std::string(19, 'x') + "… | " + std::string(12, 'y'));
  // Budget 16: both end up at the 8-column floor.
  EXPECT_EQ(Lines(Render(result, OutputFormat::kTable, 20))[2], " xxxxxxx… | yyyyyyy…");
}

TEST(OutputTableTest, MaxWidthNeverCutsBelowHeaderOrFloor) {
  ResultSet result{{"description", "n"}, {{std::string(40, 'd'), 1}}, ""};
  const std::vector<std::string> lines = Lines(Render(result, OutputFormat::kTable, 5));
  EXPECT_EQ(lines[0], " description | n");
  EXPECT_EQ(lines[2], " dddddddddd… | 1");
}

TEST(OutputTableTest, MaxWidthKeepsUtf8ValidAndLinesWithinWidth) {
  std::string accented;
  for (int i = 0; i < 60; ++i) accented += "é";
  std::string mixed;
  for (int i = 0; i < 30; ++i) mixed += "日a€";
  ResultSet result{{"id", "accented", "mixed"}, {{1, accented, mixed}, {2, "short", "x"}},
                   "a very long title that is wider than the terminal we render to"};
  for (size_t max_width : {30, 37, 41, 64}) {
    const std::string out = Render(result, OutputFormat::kTable, max_width);
    EXPECT_TRUE(IsValidUtf8(out)) << max_width;
    EXPECT_NE(out.find("…"), std::string::npos) << max_width;
    for (const std::string& line : Lines(out)) {
      EXPECT_LE(CodePoints(line), max_width) << max_width << ": " << line;
    }
  }
}

TEST(OutputTableTest, ZeroColumnsRenderNothing) {
  ResultSet result{{}, {{}, {}}, "title"};
  for (OutputFormat format : {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kJsonl,
                              OutputFormat::kCsv, OutputFormat::kLine}) {
    EXPECT_EQ(Render(result, format), "") << OutputFormatName(format);
  }
}

TEST(OutputJsonTest, OneObjectPerLine) {
  ResultSet result{{"id", "name", "tags"},
                   {{1, "a\"b", Value::parse("[1,2]")}, {2.5, Value(), false}},
                   "ignored"};
  EXPECT_EQ(Render(result, OutputFormat::kJson),
            "[\n"
            "{\"id\":1,\"name\":\"a\\\"b\",\"tags\":[1,2]},\n"
            "{\"id\":2.5,\"name\":null,\"tags\":false}\n"
            "]\n");
}

TEST(OutputJsonTest, ZeroRowsIsEmptyArray) {
  EXPECT_EQ(Render(ResultSet{{"a"}, {}, ""}, OutputFormat::kJson), "[]\n");
}

TEST(OutputJsonTest, DuplicateColumnsGetSuffixedKeys) {
  ResultSet result{{"id", "id", "id:1", "id"}, {{1, 2, 3, 4}}, ""};
  EXPECT_EQ(Render(result, OutputFormat::kJson),
            "[\n{\"id\":1,\"id:1\":2,\"id:1:1\":3,\"id:2\":4}\n]\n");
  EXPECT_EQ(Render(result, OutputFormat::kJsonl), "{\"id\":1,\"id:1\":2,\"id:1:1\":3,\"id:2\":4}\n");
}

TEST(OutputJsonTest, InvalidUtf8DoesNotThrow) {
  ResultSet result{{"s\xfe"}, {{"x\xff"}}, ""};
  std::string out;
  EXPECT_NO_THROW(out = Render(result, OutputFormat::kJson));
  EXPECT_TRUE(IsValidUtf8(out));
  EXPECT_NE(out.find("x\uFFFD"), std::string::npos);
}

TEST(OutputJsonlTest, OneCompactObjectPerLine) {
  ResultSet result{{"a", "b"}, {{1, "x"}, {Value(), Value::parse(R"({"k":"v"})")}}, ""};
  EXPECT_EQ(Render(result, OutputFormat::kJsonl),
            "{\"a\":1,\"b\":\"x\"}\n"
            "{\"a\":null,\"b\":{\"k\":\"v\"}}\n");
  EXPECT_EQ(Render(ResultSet{{"a"}, {}, ""}, OutputFormat::kJsonl), "");
}

TEST(OutputCsvTest, QuotesOnlyWhereNeeded) {
  ResultSet result{{"a", "b,c"},
                   {{"x,y", "say \"hi\""},
                    {"line1\nline2", Value()},
                    {1, Value::parse(R"({"k":[1,2]})")},
                    {"cr\rhere", true},
                    {"plain", 2.5}},
                   "ignored"};
  EXPECT_EQ(Render(result, OutputFormat::kCsv),
            "a,\"b,c\"\n"
            "\"x,y\",\"say \"\"hi\"\"\"\n"
            "\"line1\nline2\",\n"
            "1,\"{\"\"k\"\":[1,2]}\"\n"
            "\"cr\rhere\",true\n"
            "plain,2.5\n");
}

TEST(OutputCsvTest, ZeroRowsIsHeaderOnly) {
  EXPECT_EQ(Render(ResultSet{{"a", "b"}, {}, ""}, OutputFormat::kCsv), "a,b\n");
}

TEST(OutputLineTest, AlignsNamesAndSeparatesRows) {
  ResultSet result{{"id", "name", "é"}, {{1, "a", 1.5}, {22, Value(), "x\ny"}}, ""};
  EXPECT_EQ(Render(result, OutputFormat::kLine),
            "  id = 1\n"
            "name = a\n"
            "   é = 1.5\n"
            "\n"
            "  id = 22\n"
            "name = NULL\n"
            "   é = x\ny\n");
  EXPECT_EQ(Render(ResultSet{{"a"}, {}, ""}, OutputFormat::kLine), "");
}

TEST(OutputFormatTest, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(ParseOutputFormat("TABLE"), OutputFormat::kTable);
  EXPECT_EQ(ParseOutputFormat("Json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("jsonL"), OutputFormat::kJsonl);
  EXPECT_EQ(ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(ParseOutputFormat("Line"), OutputFormat::kLine);
  EXPECT_EQ(ParseOutputFormat("jso"), std::nullopt);
  EXPECT_EQ(ParseOutputFormat("xml"), std::nullopt);
  EXPECT_EQ(ParseOutputFormat(""), std::nullopt);
  EXPECT_EQ(ParseOutputFormat("table "), std::nullopt);
}

TEST(OutputFormatTest, NamesRoundTrip) {
  for (OutputFormat format : {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kJsonl,
                              OutputFormat::kCsv, OutputFormat::kLine}) {
    EXPECT_EQ(ParseOutputFormat(OutputFormatName(format)), format);
  }
  EXPECT_STREQ(OutputFormatName(OutputFormat::kJsonl), "jsonl");
}

}  // namespace
}  // namespace sluice
