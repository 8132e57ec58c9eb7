// The driver's ordering decisions as pure functions: parents before
// children (waves), children joining their parent's family (a shared
// scan) only when the parent runs full, and the concurrency option.
#include "sync/sync_driver.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

EntityDef Entity(const std::string& name, const std::string& parent = "", const std::string& cursor = "") {
  EntityDef entity;
  entity.name = name;
  entity.parent = parent;
  entity.cursor = cursor;
  return entity;
}

std::vector<std::vector<std::string>> Names(const std::vector<std::vector<const EntityDef*>>& waves) {
  std::vector<std::vector<std::string>> names;
  for (const auto& wave : waves) {
    names.emplace_back();
    for (const EntityDef* entity : wave) names.back().push_back(entity->name);
  }
  return names;
}

using Waves = std::vector<std::vector<std::string>>;

TEST(ParentsFirstTest, ChildrenAfterTheirParents) {
  EntityDef comments = Entity("comments", "issues"), issues = Entity("issues", "repos"), repos = Entity("repos"),
            users = Entity("users");
  EXPECT_EQ(Names(ParentsFirst({&comments, &issues, &repos, &users})),
            (Waves{{"repos", "users"}, {"issues"}, {"comments"}}));
}

TEST(ParentsFirstTest, ParentNotChosenDoesNotHold) {
  EntityDef issues = Entity("issues", "repos"), users = Entity("users");
  EXPECT_EQ(Names(ParentsFirst({&issues, &users})), (Waves{{"issues", "users"}}));
  EXPECT_TRUE(ParentsFirst({}).empty());
}

TEST(ParentsFirstTest, CycleStops) {
  EntityDef a = Entity("a", "b"), b = Entity("b", "a"), c = Entity("c");
  EXPECT_EQ(Names(ParentsFirst({&a, &b, &c})), (Waves{{"c"}}));
}

std::vector<Waves> FamilyNames(const std::vector<std::vector<std::vector<const EntityDef*>>>& rounds) {
  std::vector<Waves> names;
  for (const auto& round : rounds) names.push_back(Names(round));
  return names;
}

TEST(FamilyRoundsTest, ChildrenJoinTheirParentsFamily) {
  EntityDef repos = Entity("repos"), issues = Entity("issues", "repos"), comments = Entity("comments", "issues"),
            users = Entity("users");
  auto full = [](const EntityDef&) { return true; };
  EXPECT_EQ(FamilyNames(FamilyRounds({&repos, &issues, &comments, &users}, true, full)),
            (std::vector<Waves>{{{"repos", "issues", "comments"}, {"users"}}}));
}

TEST(FamilyRoundsTest, WithoutFeedingEachIsItsOwnFamily) {
  EntityDef repos = Entity("repos"), issues = Entity("issues", "repos");
  auto full = [](const EntityDef&) { return true; };
  EXPECT_EQ(FamilyNames(FamilyRounds({&repos, &issues}, false, full)),
            (std::vector<Waves>{{{"repos"}}, {{"issues"}}}));
}

TEST(FamilyRoundsTest, ParentRunIncrementallyIsNotShared) {
  EntityDef repos = Entity("repos", "", "updated"), issues = Entity("issues", "repos");
  auto full = [](const EntityDef& entity) { return entity.cursor.empty(); };
  EXPECT_EQ(FamilyNames(FamilyRounds({&repos, &issues}, true, full)),
            (std::vector<Waves>{{{"repos"}}, {{"issues"}}}));
}

TEST(SyncConcurrencyTest, OptionDefaultAndFloor) {
  ConnectorDef connector;
  EXPECT_EQ(SyncConcurrency(connector, true), 4);
  EXPECT_EQ(SyncConcurrency(connector, false), 1);
  connector.options = Value{{"concurrency", 9}};
  EXPECT_EQ(SyncConcurrency(connector, true), 9);
  EXPECT_EQ(SyncConcurrency(connector, false), 1);
  connector.options = Value{{"concurrency", -3}};
  EXPECT_EQ(SyncConcurrency(connector, true), 1);
  connector.options = Value{{"concurrency", "8"}};
  EXPECT_EQ(SyncConcurrency(connector, true), 4);
}

TEST(SyncProgressTest, LineFormat) {
  SyncProgressEvent event;
  event.label = "prod.items";
  event.rows_read = 25;
  event.rows_written = 20;
  event.batches = 2;
  event.elapsed = std::chrono::milliseconds(20);
  EXPECT_EQ(FormatProgressLine(event), "sync prod.items: 20 rows written, 2 batches, 25 rows read, 1250 rows/s, 0.02 s");
  EXPECT_EQ(RateText(5, std::chrono::microseconds(0)), "0");
  EXPECT_EQ(SecondsText(std::chrono::microseconds(1'234'567)), "1.23");
}

}  // namespace
}  // namespace sluice
