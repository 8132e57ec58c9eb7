#include "core/csv.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(CsvTest, PlainFieldsStayAsTheyAre) {
  EXPECT_EQ(CsvQuote(""), "");
  EXPECT_EQ(CsvQuote("abc"), "abc");
  EXPECT_EQ(CsvQuote("a b\tc"), "a b\tc");
  EXPECT_EQ(CsvQuote("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(CsvTest, CommaQuoteAndLineBreaksAreQuoted) {
  EXPECT_EQ(CsvQuote("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvQuote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvQuote("\""), "\"\"\"\"");
  EXPECT_EQ(CsvQuote("a\nb"), "\"a\nb\"");
  EXPECT_EQ(CsvQuote("a\rb"), "\"a\rb\"");
}

TEST(CsvTest, FormulasAreDefused) {
  EXPECT_EQ(CsvDefuseFormula("=1+1"), "'=1+1");
  EXPECT_EQ(CsvDefuseFormula("+1"), "'+1");
  EXPECT_EQ(CsvDefuseFormula("-5"), "'-5");
  EXPECT_EQ(CsvDefuseFormula("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvDefuseFormula("\tx"), "'\tx");
  EXPECT_EQ(CsvDefuseFormula("\rx"), "'\rx");
  EXPECT_EQ(CsvDefuseFormula(""), "");
  EXPECT_EQ(CsvDefuseFormula("a=1"), "a=1");
  EXPECT_EQ(CsvDefuseFormula("'x"), "'x");
}

TEST(CsvTest, DefusedThenQuoted) {
  EXPECT_EQ(CsvQuote(CsvDefuseFormula("=A1,B1")), "\"'=A1,B1\"");
  EXPECT_EQ(CsvQuote(CsvDefuseFormula("\rline")), "\"'\rline\"");
}

}  // namespace
}  // namespace sluice
