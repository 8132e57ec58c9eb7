#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(Utf8Test, SequenceLengthOfValidSequences) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC", 0), 3u);      // €
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);  // 😀
  EXPECT_EQ(Utf8SequenceLength("x\xC3\xA9", 1), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
}

TEST(Utf8Test, SequenceLengthRefusesIllFormed) {
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // stray continuation
  EXPECT_EQ(Utf8SequenceLength("\xC0\xAF", 0), 0u);          // overlong '/'
  EXPECT_EQ(Utf8SequenceLength("\xC1\xBF", 0), 0u);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xE0\x80\xAF", 0), 0u);      // overlong
  EXPECT_EQ(Utf8SequenceLength("\xF0\x80\x80\xAF", 0), 0u);  // overlong
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // surrogate U+D800
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // U+110000
  EXPECT_EQ(Utf8SequenceLength("\xF5\x80\x80\x80", 0), 0u);
  EXPECT_EQ(Utf8SequenceLength("\xFF", 0), 0u);
  EXPECT_EQ(Utf8SequenceLength("\xC3", 0), 0u);  // cut off
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82", 0), 0u);
  EXPECT_EQ(Utf8SequenceLength("\xC3(", 0), 0u);  // bad continuation
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82(", 0), 0u);
}

TEST(Utf8Test, DecodeGivesTheCodePoint) {
  uint32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("A", 0, cp), 1u);
  EXPECT_EQ(cp, 0x41u);
  EXPECT_EQ(DecodeUtf8("\xC3\xA9", 0, cp), 2u);
  EXPECT_EQ(cp, 0xE9u);
  EXPECT_EQ(DecodeUtf8("\xE2\x82\xAC", 0, cp), 3u);
  EXPECT_EQ(cp, 0x20ACu);
  EXPECT_EQ(DecodeUtf8("\xF0\x9F\x98\x80", 0, cp), 4u);
  EXPECT_EQ(cp, 0x1F600u);
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80", 0, cp), 0u);
}

TEST(Utf8Test, IsValidOverWholeText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii, longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("0123456789abcdef\xC3\xA9 and more ascii after it"));
  EXPECT_FALSE(IsValidUtf8("0123456789abcdef\xC3"));
  EXPECT_FALSE(IsValidUtf8("0123456789abcdef\x80 trailing ascii"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
}

TEST(Utf8Test, ReplaceInvalidUsesOneReplacementPerBadByte) {
  EXPECT_EQ(ReplaceInvalidUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF"
                               "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(ReplaceInvalidUtf8("\xC3"), "\xEF\xBF\xBD");
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82("), "\xEF\xBF\xBD\xEF\xBF\xBD(");
  EXPECT_EQ(ReplaceInvalidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8Test, AppendEncodesEachLength) {
  std::string out;
  for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u, 0x10FFFFu}) AppendUtf8(out, cp);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(Utf8Test, CountsCodePointsAndStrayBytes) {
  EXPECT_EQ(CountUtf8CodePoints(""), 0u);
  EXPECT_EQ(CountUtf8CodePoints("caf\xC3\xA9"), 4u);
  EXPECT_EQ(CountUtf8CodePoints("\xF0\x9F\x98\x80!"), 2u);
  EXPECT_EQ(CountUtf8CodePoints("\xFF\xFE"), 2u);
  EXPECT_TRUE(IsUtf8Continuation('\x80'));
  EXPECT_FALSE(IsUtf8Continuation('a'));
  EXPECT_FALSE(IsUtf8Continuation('\xC3'));
}

}  // namespace
}  // namespace sluice
