// Limits of the language front end (issue 13): nesting depth, and how
// statements that set a secret are found and kept out of error messages.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/secret_masker.h"
#include "lang/lexer.h"
#include "lang/parser.h"

namespace sluice {
namespace {

ParseResult ParseText(std::string text) {
  return Parse(std::make_shared<const SourceFile>(SourceFile{"deep.sl", std::move(text)}));
}

std::string Repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

constexpr const char* kTooDeep =
    "too deeply nested: more than 256 levels of parentheses, brackets, braces, operators or blocks";

struct Form {
  const char* name;
  std::string open;
  std::string middle;
  std::string close;
  // A prefix operator is itself the level too many; a bracket's level
  // begins with what it encloses.
  bool prefix;
};

// `PRINT 1` is level 1 of its statement; each form below adds one level.
const Form kForms[] = {
    {"parentheses", "(", "1", ")", false},
    {"brackets", "[", "1", "]", false},
    {"braces", "{\"a\": ", "1", "}", false},
    {"NOT", "NOT ", "TRUE", "", true},
    {"minus", "- ", "1", "", true},
    {"plus", "+ ", "1", "", true},
    {"function calls", "abs(", "1", ")", false},
};

TEST(ParserLimitsTest, EachNestingFormParsesAtTheLimit) {
  for (const Form& form : kForms) {
    const int levels = 255;  // plus the statement's own level: 256
    std::string text =
        "PRINT " + Repeat(form.open, levels) + form.middle + Repeat(form.close, levels) + ";";
    ParseResult result = ParseText(text);
    EXPECT_TRUE(result.ok()) << form.name << ": " << (result.ok() ? "" : result.errors[0].Render());
  }
}

TEST(ParserLimitsTest, EachNestingFormOverTheLimitIsAParseErrorAtItsPosition) {
  for (const Form& form : kForms) {
    for (int levels : {256, 5000, 100000}) {
      std::string text = "PRINT 0;\nPRINT " + Repeat(form.open, levels) + form.middle +
                         Repeat(form.close, levels) + ";\nPRINT 2;";
      ParseResult result = ParseText(text);
      ASSERT_EQ(result.errors.size(), 1u) << form.name << " " << levels;
      const Status& error = result.errors[0];
      EXPECT_EQ(error.kind(), ErrorKind::kParse);
      EXPECT_EQ(error.message(), kTooDeep) << form.name;
      ASSERT_TRUE(error.location().has_value());
      // Where level 257 would begin.
      const size_t column = 7 + (form.prefix ? 255 : 256) * form.open.size();
      EXPECT_EQ(error.location()->ToString(), "deep.sl:2:" + std::to_string(column))
          << form.name << " " << levels;
    }
  }
}

// A chain of operators builds a tree as deep as the chain is long (the
// evaluator walks it recursively): each operator is a level.
TEST(ParserLimitsTest, OperatorChainsHaveTheSameLimit) {
  for (std::string op : {"+", "-", "*", "/", "%", "||", "AND", "OR"}) {
    const std::string piece = " " + op + " 1";
    EXPECT_TRUE(ParseText("PRINT 1" + Repeat(piece, 255) + ";").ok()) << op;
    for (int length : {256, 200000}) {
      ParseResult result = ParseText("PRINT 1" + Repeat(piece, length) + ";");
      ASSERT_EQ(result.errors.size(), 1u) << op;
      EXPECT_EQ(result.errors[0].message(), kTooDeep);
      // At the 256th operator.
      EXPECT_EQ(result.errors[0].location()->column, 9 + 255 * piece.size()) << op;
    }
  }
  // Member and index chains; an index's own expression is one level more.
  EXPECT_TRUE(ParseText("PRINT x" + Repeat(".a", 255) + ";").ok());
  EXPECT_TRUE(ParseText("PRINT x" + Repeat("[0]", 254) + ";").ok());
  for (std::string piece : {".a", "[0]"}) {
    ParseResult result = ParseText("PRINT x" + Repeat(piece, 100000) + ";");
    ASSERT_EQ(result.errors.size(), 1u) << piece;
    EXPECT_EQ(result.errors[0].message(), kTooDeep);
  }
}

TEST(ParserLimitsTest, NestedBlocksHaveTheSameLimit) {
  auto blocks = [](int levels) {
    return Repeat("IF TRUE THEN\n", levels) + "PRINT 1;\n" + Repeat("END IF;\n", levels);
  };
  // The script's own block is level 0; the k-th IF's condition and body are
  // level k, and the PRINT inside the innermost one level deeper.
  EXPECT_TRUE(ParseText(blocks(255)).ok());
  for (int levels : {256, 5000}) {
    ParseResult deep = ParseText(blocks(levels));
    ASSERT_FALSE(deep.ok());
    EXPECT_EQ(deep.errors[0].message(), kTooDeep);
    EXPECT_EQ(deep.errors[0].location()->ToString(),
              levels == 256 ? "deep.sl:257:7" : "deep.sl:257:4");
  }
}

TEST(ParserLimitsTest, DepthIsPerNestingNotPerLength) {
  // Long flat lists and many statements are not nesting.
  std::string list = "PRINT [" + Repeat("[1], ", 20000) + "1];";
  EXPECT_TRUE(ParseText(list).ok());
  EXPECT_TRUE(ParseText(Repeat("PRINT ((((1))));\n", 2000)).ok());
  std::string object = "PRINT {";
  for (int i = 0; i < 2000; ++i) object += "\"k" + std::to_string(i) + "\": 1 + 2, ";
  EXPECT_TRUE(ParseText(object + "\"z\": 0};").ok());
}

TEST(ParserLimitsTest, SecretStatementsAreFoundFromTokensEvenMistyped) {
  auto find = [](const std::string& text) {
    LexResult lexed = Lex(std::make_shared<SourceFile>(SourceFile{"s", text}));
    SecretStatements found = FindSecretStatements(lexed.tokens);
    std::string literals;
    for (size_t index : found.literals) literals += "[" + lexed.tokens[index].text + "]";
    return std::to_string(found.found) + literals;
  };
  EXPECT_EQ(find("CREATE SECRET s VALUE 'pw-1';"), "1[pw-1]");
  EXPECT_EQ(find("create or replace secret s value 'pw-2'"), "1[pw-2]");
  EXPECT_EQ(find("CREATE SECRETT s VALUE 'it''s' 'x';"), "1[it's][x]");
  EXPECT_EQ(find("CRAETE SECERT s VALUES \"\\u00e9t\\u00e9\""), "1[été]");
  EXPECT_EQ(find("SELECT 1; CREATE SECRET s VALUE ENV('X'); SELECT 'kept';"), "1[X]");
  EXPECT_EQ(find("CREATE SECRET s FROM ENV 'X';"), "0");
  EXPECT_EQ(find("SHOW SECRETS;"), "0");
  EXPECT_EQ(find("SELECT secret, value FROM t WHERE value = 'shown';"), "0");
  EXPECT_EQ(find("CREATE CONNECTOR c TYPE 't' CONFIG {\"value\": 'x'};"), "0");
}

TEST(ParserLimitsTest, AMistypedSecretStatementNeverQuotesItsLiteral) {
  SecretMasker::Global().Clear();
  // A value with '' escapes, in a statement that does not parse.
  ParseResult typo = ParseText("CREATE SECRETT s VALUE 'hunter''s-key';");
  ASSERT_FALSE(typo.ok());
  EXPECT_TRUE(typo.carries_secret);
  std::string rendered = SecretMasker::Global().Mask(typo.errors[0].Render());
  EXPECT_EQ(rendered.find("hunter"), std::string::npos) << rendered;
  // The literal is the offending token: it is named, not quoted.
  ParseResult extra = ParseText("CREATE SECRET s VALUE 'abc' 'def';");
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.errors[0].message(), "expected ';' at the end of the statement, found a string");
  ParseResult escaped = ParseText("CREATE SECRET s VALUE \"caf\\u00e9-secret\" oops;");
  ASSERT_FALSE(escaped.ok());
  rendered = SecretMasker::Global().Mask(escaped.errors[0].Render());
  EXPECT_EQ(rendered.find("caf"), std::string::npos) << rendered;
  // Other statements still quote what they found.
  ParseResult plain = ParseText("PRINT 'abc' 'def';");
  ASSERT_FALSE(plain.ok());
  EXPECT_FALSE(plain.carries_secret);
  EXPECT_NE(plain.errors[0].message().find("string 'def'"), std::string::npos)
      << plain.errors[0].message();
  SecretMasker::Global().Clear();
}

}  // namespace
}  // namespace sluice
