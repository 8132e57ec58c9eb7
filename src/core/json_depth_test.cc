#include "core/json_depth.h"

#include <string>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(JsonTextDepthTest, CountsBracketsOutsideStrings) {
  EXPECT_EQ(JsonTextDepth(""), 0);
  EXPECT_EQ(JsonTextDepth("42"), 0);
  EXPECT_EQ(JsonTextDepth(R"({"a": [1, {"b": []}]})"), 4);
  EXPECT_EQ(JsonTextDepth(R"(["[[[[", "\"[[", {}])"), 2);
}

TEST(JsonTextDepthTest, StrayClosingBracketsCannotHideNesting) {
  // A hostile text that closes first must not earn credit for later opens.
  std::string text = std::string(300, ']') + std::string(300, '[');
  EXPECT_EQ(JsonTextDepth(text), 300);
}

}  // namespace
}  // namespace sluice
