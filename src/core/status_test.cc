#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace sluice {
namespace {

std::shared_ptr<const SourceFile> MakeSource(std::string name, std::string text) {
  return std::make_shared<const SourceFile>(SourceFile{std::move(name), std::move(text)});
}

TEST(StatusTest, DefaultIsOkAndCheap) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(ok.ToString(), "OK");
  EXPECT_EQ(ok.Render(), "OK");
  EXPECT_EQ(ok.message(), "");
  EXPECT_FALSE(ok.retryable());
  EXPECT_FALSE(ok.location().has_value());
}

TEST(StatusTest, ErrorCarriesKindMessageAndOrigin) {
  Status error(ErrorKind::kNotFound, "connector 'gh' does not exist");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.kind(), ErrorKind::kNotFound);
  EXPECT_EQ(error.message(), "connector 'gh' does not exist");
  EXPECT_EQ(error.ToString(), "connector 'gh' does not exist");
  EXPECT_NE(std::string(error.origin().file_name()).find("status_test.cc"), std::string::npos);
  EXPECT_EQ(error.origin().line(), static_cast<uint_least32_t>(__LINE__ - 6));
}

TEST(StatusTest, OnlyTransientKindsAreRetryable) {
  EXPECT_TRUE(Status(ErrorKind::kRateLimit, "x").retryable());
  EXPECT_TRUE(Status(ErrorKind::kConnection, "x").retryable());
  EXPECT_TRUE(Status(ErrorKind::kTimeout, "x").retryable());
  EXPECT_FALSE(Status(ErrorKind::kAuth, "x").retryable());
  EXPECT_FALSE(Status(ErrorKind::kConnector, "x").retryable());
  EXPECT_FALSE(Status(ErrorKind::kParse, "x").retryable());
}

TEST(StatusTest, KindNamesRoundTrip) {
  EXPECT_STREQ(ErrorKindName(ErrorKind::kAuth), "auth_error");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kRateLimit), "rate_limit_error");
  EXPECT_STREQ(ErrorKindName(ErrorKind::kConnector), "connector_error");
  for (int i = 0; i <= static_cast<int>(ErrorKind::kInternal); ++i) {
    auto kind = static_cast<ErrorKind>(i);
    auto back = ErrorKindFromName(ErrorKindName(kind));
    ASSERT_TRUE(back.has_value()) << ErrorKindName(kind);
    EXPECT_EQ(*back, kind);
  }
  EXPECT_FALSE(ErrorKindFromName("no_such_error").has_value());
  EXPECT_FALSE(ErrorKindFromName("AUTH_ERROR").has_value());
}

TEST(StatusTest, CopyIsDeepAndMoveLeavesOk) {
  Status original(ErrorKind::kType, "bad");
  Status copy = original;
  copy.WithContext("field 'x'");
  EXPECT_EQ(original.message(), "bad");
  EXPECT_EQ(copy.message(), "field 'x': bad");
  Status moved = std::move(copy);
  EXPECT_EQ(moved.kind(), ErrorKind::kType);
  Status assigned;
  assigned = original;
  EXPECT_EQ(assigned.message(), "bad");
}

TEST(StatusTest, WithContextPrefixesOutermostFirst) {
  Status error(ErrorKind::kType, "expected integer");
  error.WithContext("field 'count'").WithContext("connector 'gh', entity 'issues'");
  EXPECT_EQ(error.message(), "connector 'gh', entity 'issues': field 'count': expected integer");
  Status ok;
  ok.WithContext("ignored");
  EXPECT_TRUE(ok.ok());
}

TEST(StatusTest, InnermostLocationWins) {
  auto source = MakeSource("a.sql", "SELECT 1;\nSELECT 2;\n");
  Status error(ErrorKind::kParse, "oops");
  error.At(LocationAt(source, 10));  // line 2
  error.At(LocationAt(source, 0));   // outer caller: ignored
  ASSERT_TRUE(error.location().has_value());
  EXPECT_EQ(error.location()->line, 2u);
  EXPECT_EQ(error.location()->column, 1u);

  Status unknown(ErrorKind::kParse, "oops");
  unknown.At(SourceLocation{});  // line 0 = unknown position: not recorded
  EXPECT_FALSE(unknown.location().has_value());
}

TEST(StatusTest, RenderWithoutLocation) {
  EXPECT_EQ(Status(ErrorKind::kIo, "disk full").Render(), "error: disk full");
}

TEST(StatusTest, RenderPrintsPositionLineAndCaret) {
  auto source = MakeSource("query.sql", "SELECT 1;\nSELEC * FROM items;\nSELECT 3;\n");
  uint32_t offset = static_cast<uint32_t>(source->text.find('*'));
  Status error(ErrorKind::kParse, "unexpected '*'");
  error.At(LocationAt(source, offset));
  EXPECT_EQ(error.Render(),
            "query.sql:2:7: unexpected '*'\n"
            "  SELEC * FROM items;\n"
            "        ^");
}

TEST(StatusTest, RenderCaretKeepsTabsAndHandlesFirstColumn) {
  auto source = MakeSource("t.sql", "\tfoo bar\n");
  Status error(ErrorKind::kParse, "here");
  error.At(LocationAt(source, static_cast<uint32_t>(source->text.find('b'))));
  EXPECT_EQ(error.Render(), "t.sql:1:6: here\n  \tfoo bar\n  \t    ^");

  Status first(ErrorKind::kParse, "start");
  first.At(LocationAt(source, 0));
  EXPECT_EQ(first.Render(), "t.sql:1:1: start\n  \tfoo bar\n  ^");
}

TEST(StatusTest, RenderWithoutSourceTextGivesPositionOnly) {
  SourceLocation at;
  at.line = 3;
  at.column = 4;
  Status error(ErrorKind::kParse, "bad");
  error.At(at);
  EXPECT_EQ(error.Render(), "<input>:3:4: bad");
}

Result<int> Half(int n) {
  if (n % 2 != 0) return Status(ErrorKind::kInvalidArgument, std::to_string(n) + " is odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int n) {
  RETURN_IF_ERROR(Half(n).status());
  return Status();
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 4);
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Half(7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "7 is odd");
  Status taken = bad.TakeStatus();
  EXPECT_EQ(taken.message(), "7 is odd");
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> stopped = Quarter(6);  // 6 → 3, then 3 is odd
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).message(), "5 is odd");
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> owned = std::make_unique<int>(42);
  ASSERT_TRUE(owned.ok());
  std::unique_ptr<int> taken = std::move(owned).value();
  EXPECT_EQ(*taken, 42);
  Result<std::string> text = std::string("abc");
  EXPECT_EQ(text->size(), 3u);
}

}  // namespace
}  // namespace sluice
