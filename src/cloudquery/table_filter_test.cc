#include "cloudquery/table_filter.h"

#include <gtest/gtest.h>

namespace sluice::cq {
namespace {

// memdb's shape: table3 has a child, which has a grandchild.
const std::vector<TableNode> kTables = {
    {"table1", ""},
    {"table2", ""},
    {"table3", ""},
    {"table3_child1", "table3"},
    {"table3_grandchild", "table3_child1"},
};

std::vector<std::string> Names(const Result<std::vector<size_t>>& picked,
                               const std::vector<TableNode>& all = kTables) {
  EXPECT_TRUE(picked.ok()) << picked.status().message();
  std::vector<std::string> names;
  if (picked.ok()) {
    for (size_t i : *picked) names.push_back(all[i].name);
  }
  return names;
}

using V = std::vector<std::string>;

TEST(TableFilterTest, GlobMatchesWholeNames) {
  EXPECT_TRUE(MatchesTablePattern("*", ""));
  EXPECT_TRUE(MatchesTablePattern("*", "anything"));
  EXPECT_TRUE(MatchesTablePattern("table*", "table3_child1"));
  EXPECT_TRUE(MatchesTablePattern("*child*", "table3_child1"));
  EXPECT_TRUE(MatchesTablePattern("t*e*1", "table3_child1"));
  EXPECT_FALSE(MatchesTablePattern("table", "table1"));
  EXPECT_FALSE(MatchesTablePattern("Table1", "table1"));  // case counts
  EXPECT_FALSE(MatchesTablePattern("*2", "table1"));
  EXPECT_TRUE(MatchesTablePattern("**", "x"));
  // Many stars against a long name stay fast (no exponential backtracking).
  EXPECT_FALSE(MatchesTablePattern(std::string(50, '*') + "b", std::string(5000, 'a')));
}

TEST(TableFilterTest, StarSelectsEveryTableParentsFirst) {
  EXPECT_EQ(Names(FilterTables(kTables, {"*"}, {}, true)),
            (V{"table1", "table2", "table3", "table3_child1", "table3_grandchild"}));
}

TEST(TableFilterTest, ChildrenComeOnlyWhenDependentsAreNotSkipped) {
  EXPECT_EQ(Names(FilterTables(kTables, {"table3"}, {}, true)), (V{"table3"}));
  EXPECT_EQ(Names(FilterTables(kTables, {"table3"}, {}, false)),
            (V{"table3", "table3_child1", "table3_grandchild"}));
}

TEST(TableFilterTest, ASelectedChildBringsItsParents) {
  EXPECT_EQ(Names(FilterTables(kTables, {"table3_grandchild"}, {}, true)),
            (V{"table3", "table3_child1", "table3_grandchild"}));
}

TEST(TableFilterTest, SkipsApplyToTablesAndTheirDescendants) {
  EXPECT_EQ(Names(FilterTables(kTables, {"*"}, {"table1", "table2"}, true)),
            (V{"table3", "table3_child1", "table3_grandchild"}));
  EXPECT_EQ(Names(FilterTables(kTables, {"*"}, {"table3_grandchild"}, true)),
            (V{"table1", "table2", "table3", "table3_child1"}));
  // Skipping a child and everything below it is fine.
  EXPECT_EQ(Names(FilterTables(kTables, {"*"}, {"table3_child*", "*grandchild"}, true)),
            (V{"table1", "table2", "table3"}));
}

TEST(TableFilterTest, SkippingAParentOfAnIncludedChildIsAnError) {
  Result<std::vector<size_t>> picked = FilterTables(kTables, {"table3_child1"}, {"table3"}, true);
  ASSERT_FALSE(picked.ok());
  EXPECT_NE(picked.status().message().find("table3 (parent of table3_child1)"), std::string::npos)
      << picked.status().message();
  EXPECT_FALSE(FilterTables(kTables, {"*"}, {"table3"}, true).ok());
}

TEST(TableFilterTest, APatternThatMatchesNothingIsAnError) {
  Result<std::vector<size_t>> picked = FilterTables(kTables, {"table1", "nope*"}, {}, true);
  ASSERT_FALSE(picked.ok());
  EXPECT_EQ(picked.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(picked.status().message().find("tables pattern 'nope*' matches no table"),
            std::string::npos)
      << picked.status().message();
  picked = FilterTables(kTables, {"*"}, {"typo"}, true);
  ASSERT_FALSE(picked.ok());
  EXPECT_NE(picked.status().message().find("skip_tables pattern 'typo'"), std::string::npos);
  // "" is no "*": it matches nothing, like any other such pattern.
  picked = FilterTables(kTables, {""}, {}, true);
  ASSERT_FALSE(picked.ok());
  EXPECT_NE(picked.status().message().find("tables pattern '' matches no table"),
            std::string::npos)
      << picked.status().message();
  EXPECT_FALSE(FilterTables(kTables, {"*"}, {""}, true).ok());
}

TEST(TableFilterTest, NoPatternsSelectNothing) {
  EXPECT_EQ(Names(FilterTables(kTables, {}, {}, true)), V{});
  EXPECT_EQ(Names(FilterTables({}, {}, {}, true), {}), V{});
  // A plugin with no tables (yet): "*" is no typo.
  EXPECT_EQ(Names(FilterTables({}, {"*"}, {}, true), {}), V{});
  EXPECT_FALSE(FilterTables({}, {"a*"}, {}, true).ok());
}

TEST(TableFilterTest, OrderFollowsTheTreeNotTheInput) {
  // A child listed before its parent still comes after it.
  std::vector<TableNode> shuffled = {{"kid", "mom"}, {"solo", ""}, {"mom", ""}};
  EXPECT_EQ(Names(FilterTables(shuffled, {"*"}, {}, true), shuffled), (V{"solo", "mom", "kid"}));
}

TEST(TableFilterTest, BrokenTreesAreErrors) {
  EXPECT_FALSE(FilterTables({{"a", "ghost"}}, {"*"}, {}, true).ok());
  EXPECT_FALSE(FilterTables({{"a", "b"}, {"b", "a"}}, {"*"}, {}, true).ok());
  EXPECT_FALSE(FilterTables({{"a", ""}, {"a", ""}}, {"*"}, {}, true).ok());
  // Non-ASCII names match byte for byte.
  EXPECT_EQ(Names(FilterTables({{"tâble", ""}}, {"t*"}, {}, true), {{"tâble", ""}}), V{"tâble"});
}

}  // namespace
}  // namespace sluice::cq
