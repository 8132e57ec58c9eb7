#include "sync/work_units.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(WorkUnitsTest, ParseShard) {
  ASSERT_TRUE(ParseShard("1/4").ok());
  EXPECT_EQ(ParseShard("3/4")->index, 3);
  EXPECT_EQ(ParseShard("3/4")->count, 4);
  for (const char* bad : {"0/4", "5/4", "1/0", "a/b", "1", "/4", "1/", "-1/4", "1/4/5", " 1/4", "1/1000000"}) {
    EXPECT_FALSE(ParseShard(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sluice
