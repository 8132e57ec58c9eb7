#include "lang/lexer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sluice {
namespace {

LexResult LexText(std::string text) {
  return Lex(std::make_shared<const SourceFile>(SourceFile{"test.sl", std::move(text)}));
}

// "line:col: message" for each error, in order.
std::vector<std::string> Errors(const LexResult& lexed) {
  std::vector<std::string> out;
  for (const Status& error : lexed.errors) {
    const auto& at = error.location();
    out.push_back((at ? std::to_string(at->line) + ":" + std::to_string(at->column) : "?") + ": " +
                  error.message());
  }
  return out;
}

// The tokens before kEnd as "kind:text", for compact comparison.
std::vector<std::string> Describe(const LexResult& lexed) {
  std::vector<std::string> out;
  for (const Token& token : lexed.tokens) {
    if (token.kind == TokenKind::kEnd) break;
    std::string kind;
    switch (token.kind) {
      case TokenKind::kIdentifier: kind = token.quoted ? "qid" : "id"; break;
      case TokenKind::kString: kind = "str"; break;
      case TokenKind::kDoubleString: kind = "dstr"; break;
      case TokenKind::kCode: kind = "code"; break;
      case TokenKind::kInteger: kind = "int"; break;
      case TokenKind::kFloat: kind = "float"; break;
      case TokenKind::kParameter: kind = "param"; break;
      case TokenKind::kSymbol: kind = "sym"; break;
      case TokenKind::kEnd: kind = "end"; break;
    }
    out.push_back(kind + ":" + token.text);
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(LexerTest, EmptyInputIsOnlyTheEndToken) {
  LexResult lexed = LexText("");
  ASSERT_EQ(lexed.tokens.size(), 1u);
  EXPECT_EQ(lexed.tokens[0].kind, TokenKind::kEnd);
  EXPECT_EQ(lexed.tokens[0].offset, 0u);
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_FALSE(lexed.unterminated);
}

TEST(LexerTest, EveryTokenKind) {
  LexResult lexed = LexText("name `quoted name` 'str' \"dq\" '''code''' 42 4.5 :param ;");
  EXPECT_TRUE(lexed.errors.empty());
  ASSERT_EQ(lexed.tokens.size(), 10u);
  const TokenKind expected[] = {TokenKind::kIdentifier, TokenKind::kIdentifier, TokenKind::kString,
                                TokenKind::kDoubleString, TokenKind::kCode,     TokenKind::kInteger,
                                TokenKind::kFloat,      TokenKind::kParameter,  TokenKind::kSymbol,
                                TokenKind::kEnd};
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(lexed.tokens[i].kind, expected[i]) << "token " << i;
  EXPECT_EQ(Describe(lexed), (Strings{"id:name", "qid:quoted name", "str:str", "dstr:dq", "code:code",
                                      "int:42", "float:4.5", "param::param", "sym:;"}));
  EXPECT_FALSE(lexed.tokens[0].quoted);
  EXPECT_TRUE(lexed.tokens[1].quoted);
  // The end token sits just past the last character.
  EXPECT_EQ(lexed.tokens.back().offset, 56u);
}

TEST(LexerTest, TokenKindNames) {
  EXPECT_STREQ(TokenKindName(TokenKind::kIdentifier), "identifier");
  EXPECT_STREQ(TokenKindName(TokenKind::kString), "string");
  EXPECT_STREQ(TokenKindName(TokenKind::kDoubleString), "string");
  EXPECT_STREQ(TokenKindName(TokenKind::kCode), "code string");
  EXPECT_STREQ(TokenKindName(TokenKind::kInteger), "integer");
  EXPECT_STREQ(TokenKindName(TokenKind::kFloat), "number");
  EXPECT_STREQ(TokenKindName(TokenKind::kParameter), "parameter");
  EXPECT_STREQ(TokenKindName(TokenKind::kSymbol), "symbol");
  EXPECT_STREQ(TokenKindName(TokenKind::kEnd), "end of input");
}

TEST(LexerTest, KeywordsMatchCaseInsensitivelyButNotQuotedNames) {
  LexResult lexed = LexText("select SeLeCt `select` selected 'select'");
  ASSERT_EQ(lexed.tokens.size(), 6u);
  EXPECT_TRUE(lexed.tokens[0].IsKeyword("SELECT"));
  EXPECT_TRUE(lexed.tokens[1].IsKeyword("SELECT"));
  EXPECT_FALSE(lexed.tokens[2].IsKeyword("SELECT"));  // `select` is a name
  EXPECT_FALSE(lexed.tokens[3].IsKeyword("SELECT"));
  EXPECT_FALSE(lexed.tokens[4].IsKeyword("SELECT"));  // a string
  EXPECT_TRUE(lexed.tokens[0].Is(TokenKind::kIdentifier, "select"));
  EXPECT_FALSE(lexed.tokens[0].IsSymbol("select"));
}

TEST(LexerTest, IdentifierCharacters) {
  LexResult lexed = LexText("_a1$b café x9 `a``b`");
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_EQ(Describe(lexed), (Strings{"id:_a1$b", "id:café", "id:x9", "qid:a`b"}));
}

TEST(LexerTest, SingleQuotedStringDoublesQuoteToEscape) {
  LexResult lexed = LexText("PRINT  'it''s', '', 'a''''b';");
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_EQ(Describe(lexed),
            (Strings{"id:PRINT", "str:it's", "sym:,", "str:", "sym:,", "str:a''b", "sym:;"}));
  const Token& its = lexed.tokens[1];
  EXPECT_EQ(its.offset, 7u);
  EXPECT_EQ(its.length, 7u);  // 'it''s' as written
  EXPECT_EQ(its.end(), 14u);
  // Backslashes mean nothing in '…' strings.
  EXPECT_EQ(Describe(LexText(R"('a\nb')")), (Strings{R"(str:a\nb)"}));
}

TEST(LexerTest, CodeStringIsRawAndMayHoldQuotesSemicolonsAndNewlines) {
  const std::string code = "\nconst q = 'it''s'; // \"x\" \\n\nreturn [q];\n";
  LexResult lexed = LexText("HANDLER '''" + code + "''';");
  EXPECT_TRUE(lexed.errors.empty());
  ASSERT_EQ(lexed.tokens.size(), 4u);
  EXPECT_EQ(lexed.tokens[1].kind, TokenKind::kCode);
  EXPECT_EQ(lexed.tokens[1].text, code);  // no escape processing at all
  EXPECT_EQ(lexed.tokens[1].offset, 8u);
  EXPECT_EQ(lexed.tokens[1].length, code.size() + 6);
  EXPECT_TRUE(lexed.tokens[2].IsSymbol(";"));
  EXPECT_EQ(lexed.tokens[2].offset, 8u + code.size() + 6);
}

TEST(LexerTest, DoubleQuotedStringsUseJsonEscapes) {
  LexResult lexed = LexText(R"("a\"b\\c\/d\n\t\r\b\f")");
  EXPECT_TRUE(lexed.errors.empty());
  ASSERT_EQ(lexed.tokens.size(), 2u);
  EXPECT_EQ(lexed.tokens[0].kind, TokenKind::kDoubleString);
  EXPECT_EQ(lexed.tokens[0].text, "a\"b\\c/d\n\t\r\b\f");
  EXPECT_EQ(lexed.tokens[0].length, 22u);
}

TEST(LexerTest, UnicodeEscapesBecomeUtf8) {
  EXPECT_EQ(LexText(R"("caf\u00e9")").tokens[0].text, "caf\xC3\xA9");
  EXPECT_EQ(LexText(R"("\u0041\u20AC")").tokens[0].text, "A\xE2\x82\xAC");
  // A surrogate pair is one code point (U+1F600), four UTF-8 bytes.
  LexResult pair = LexText(R"("\ud83d\ude00!")");
  EXPECT_TRUE(pair.errors.empty());
  EXPECT_EQ(pair.tokens[0].text, "\xF0\x9F\x98\x80!");
}

TEST(LexerTest, LoneSurrogateIsAnError) {
  // Encoding it would make invalid UTF-8, which JSON output then rejects.
  LexResult lexed = LexText(R"(PRINT "a\ud800b";)");
  EXPECT_EQ(Errors(lexed), (Strings{R"(1:9: bad \u escape: unpaired surrogate)"}));
  ASSERT_EQ(lexed.tokens.size(), 4u);
  EXPECT_EQ(lexed.tokens[1].text, "ab");
  EXPECT_EQ(Errors(LexText(R"("\ude00")")), (Strings{R"(1:2: bad \u escape: unpaired surrogate)"}));
}

TEST(LexerTest, BadEscapesAreReportedAtTheBackslash) {
  LexResult lexed = LexText(R"(PRINT "ok\q", "\u12G4";)");
  EXPECT_EQ(Errors(lexed), (Strings{R"(1:10: unknown escape \q in string)",
                                    R"(1:16: bad \u escape: expected four hex digits)"}));
  EXPECT_FALSE(lexed.unterminated);
  // Both strings still become tokens, so parsing can go on.
  EXPECT_EQ(Describe(lexed).size(), 5u);
}

TEST(LexerTest, CommentsAreDropped) {
  LexResult lexed = LexText("-- line comment ; PRINT\nPRINT /* block\n ; comment */ 1; -- trailing");
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_FALSE(lexed.unterminated);
  EXPECT_EQ(Describe(lexed), (Strings{"id:PRINT", "int:1", "sym:;"}));
  EXPECT_EQ(lexed.tokens[0].offset, 24u);
  EXPECT_EQ(lexed.tokens[1].offset, 53u);
}

TEST(LexerTest, CommentMarkersInsideStringsAreText) {
  LexResult lexed = LexText("'a -- b' \"/* c */\" '''-- d'''");
  EXPECT_EQ(Describe(lexed), (Strings{"str:a -- b", "dstr:/* c */", "code:-- d"}));
}

TEST(LexerTest, OffsetsAndLengths) {
  LexResult lexed = LexText("PRINT  x1 <= 3.5;\n\tfoo");
  struct Expected {
    uint32_t offset;
    uint32_t length;
  };
  const Expected expected[] = {{0, 5}, {7, 2}, {10, 2}, {13, 3}, {16, 1}, {19, 3}};
  ASSERT_EQ(lexed.tokens.size(), 7u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(lexed.tokens[i].offset, expected[i].offset) << "token " << i;
    EXPECT_EQ(lexed.tokens[i].length, expected[i].length) << "token " << i;
  }
  EXPECT_EQ(lexed.tokens[6].offset, 22u);
}

TEST(LexerTest, Numbers) {
  LexResult lexed = LexText("42 0 3.14 .5 1. 1e10 2.5E-3 7e+2 0x1F 0XaB 007");
  EXPECT_TRUE(lexed.errors.empty()) << Errors(lexed)[0];
  EXPECT_EQ(Describe(lexed),
            (Strings{"int:42", "int:0", "float:3.14", "float:.5", "float:1.", "float:1e10",
                     "float:2.5E-3", "float:7e+2", "int:0x1F", "int:0XaB", "int:007"}));
}

TEST(LexerTest, MinusIsASymbolNotPartOfTheNumber) {
  EXPECT_EQ(Describe(LexText("-3-2")), (Strings{"sym:-", "int:3", "sym:-", "int:2"}));
}

TEST(LexerTest, MemberAccessAfterAnIndexIsNotANumber) {
  EXPECT_EQ(Describe(LexText("a[0].b")), (Strings{"id:a", "sym:[", "int:0", "sym:]", "sym:.", "id:b"}));
}

TEST(LexerTest, TwoCharacterSymbolsWinOverOneCharacter) {
  LexResult lexed = LexText("a=>b || c <> d != e <= f >= g == h :: i := j -> k");
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_EQ(Describe(lexed),
            (Strings{"id:a", "sym:=>", "id:b", "sym:||", "id:c", "sym:<>", "id:d", "sym:!=", "id:e",
                     "sym:<=", "id:f", "sym:>=", "id:g", "sym:==", "id:h", "sym:::", "id:i",
                     "sym::=", "id:j", "sym:->", "id:k"}));
  // Spaced apart they are two symbols.
  EXPECT_EQ(Describe(LexText("< = | |")), (Strings{"sym:<", "sym:=", "sym:|", "sym:|"}));
}

TEST(LexerTest, OneCharacterSymbols) {
  LexResult lexed = LexText("( ) { } [ ] , ; . : = < > + - * / % & | ~ ! ^");
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_EQ(Describe(lexed),
            (Strings{"sym:(", "sym:)", "sym:{", "sym:}", "sym:[", "sym:]", "sym:,", "sym:;",
                     "sym:.", "sym::", "sym:=", "sym:<", "sym:>", "sym:+", "sym:-", "sym:*",
                     "sym:/", "sym:%", "sym:&", "sym:|", "sym:~", "sym:!", "sym:^"}));
}

TEST(LexerTest, SqlParameters) {
  LexResult lexed = LexText("? ?1 :name @p $v");
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_EQ(Describe(lexed), (Strings{"param:?", "param:?1", "param::name", "param:@p", "param:$v"}));
}

// Compact JSON: a colon right after a key is the object's, never the start
// of a parameter (`{"a":true}` once failed with "expected ':', found ':true'").
TEST(LexerTest, ColonAfterAQuotedKeyIsNotAParameter) {
  LexResult lexed = LexText("{\"a\":true, 'b':x, \"c\" :null} WHERE a = :p");
  EXPECT_TRUE(lexed.errors.empty());
  EXPECT_EQ(Describe(lexed), (Strings{"sym:{", "dstr:a", "sym::", "id:true", "sym:,", "str:b", "sym::", "id:x",
                                      "sym:,", "dstr:c", "sym::", "id:null", "sym:}", "id:WHERE", "id:a", "sym:=",
                                      "param::p"}));
}

TEST(LexerTest, UnterminatedSingleQuotedString) {
  LexResult lexed = LexText("PRINT 1;\nPRINT 'abc;\n");
  EXPECT_EQ(Errors(lexed), (Strings{"2:7: unterminated string"}));
  EXPECT_TRUE(lexed.unterminated);
  EXPECT_EQ(Describe(lexed), (Strings{"id:PRINT", "int:1", "sym:;", "id:PRINT"}));
}

TEST(LexerTest, UnterminatedDoubleQuotedString) {
  LexResult lexed = LexText("x = \"abc");
  EXPECT_EQ(Errors(lexed), (Strings{"1:5: unterminated string"}));
  EXPECT_TRUE(lexed.unterminated);
  // A backslash as the very last character does not escape the end of input.
  LexResult trailing = LexText("\"abc\\");
  EXPECT_EQ(Errors(trailing), (Strings{"1:1: unterminated string"}));
  EXPECT_TRUE(trailing.unterminated);
}

TEST(LexerTest, UnterminatedCodeString) {
  LexResult lexed = LexText("HANDLER\n  '''return 'x';\n");
  EXPECT_EQ(Errors(lexed), (Strings{"2:3: unterminated ''' code string"}));
  EXPECT_TRUE(lexed.unterminated);
  EXPECT_EQ(Describe(lexed), (Strings{"id:HANDLER"}));
}

TEST(LexerTest, UnterminatedBlockComment) {
  LexResult lexed = LexText("PRINT 1; /* never\nclosed");
  EXPECT_EQ(Errors(lexed), (Strings{"1:10: unterminated /* comment"}));
  EXPECT_TRUE(lexed.unterminated);
  EXPECT_EQ(Describe(lexed), (Strings{"id:PRINT", "int:1", "sym:;"}));
}

TEST(LexerTest, UnterminatedQuotedName) {
  LexResult lexed = LexText("SELECT `abc");
  EXPECT_EQ(Errors(lexed), (Strings{"1:8: unterminated `quoted name`"}));
  EXPECT_TRUE(lexed.unterminated);
}

TEST(LexerTest, StrayCharacterIsReportedAndLexingGoesOn) {
  LexResult lexed = LexText("PRINT 1 # 2;\n  \\ x");
  EXPECT_EQ(Errors(lexed), (Strings{"1:9: unexpected character '#'", "2:3: unexpected character '\\'"}));
  EXPECT_FALSE(lexed.unterminated);  // a complete input with bad characters
  EXPECT_EQ(Describe(lexed), (Strings{"id:PRINT", "int:1", "int:2", "sym:;", "id:x"}));
}

TEST(LexerTest, DollarWithoutNameIsStray) {
  EXPECT_EQ(Errors(LexText("$1")), (Strings{"1:1: unexpected character '$'"}));
}

TEST(LexerTest, MalformedNumbers) {
  LexResult lexed = LexText("x = 12abc;\ny = 1.5x + 0x;");
  EXPECT_EQ(Errors(lexed), (Strings{"1:5: malformed number '12abc'", "2:5: malformed number '1.5x'",
                                    "2:12: malformed number '0x'"}));
  EXPECT_FALSE(lexed.unterminated);
  // No token is made for a malformed number.
  EXPECT_EQ(Describe(lexed), (Strings{"id:x", "sym:=", "sym:;", "id:y", "sym:=", "sym:+", "sym:;"}));
}

TEST(LexerTest, ErrorColumnsCountBytesAfterTabsAndCrLf) {
  LexResult lexed = LexText("PRINT 1;\r\n\tPRINT 'x");
  EXPECT_EQ(Errors(lexed), (Strings{"2:8: unterminated string"}));
}

TEST(LexerTest, ErrorsCarryTheFileAndParseKind) {
  LexResult lexed = LexText("#");
  ASSERT_EQ(lexed.errors.size(), 1u);
  EXPECT_EQ(lexed.errors[0].kind(), ErrorKind::kParse);
  EXPECT_EQ(lexed.errors[0].location()->ToString(), "test.sl:1:1");
  EXPECT_EQ(lexed.errors[0].location()->offset, 0u);
}

}  // namespace
}  // namespace sluice
