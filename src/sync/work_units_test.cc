#include "sync/work_units.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <map>
#include <set>

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

EntityDef Entity(const std::string& name, const std::string& parent = "") {
  EntityDef entity;
  entity.name = name;
  entity.parent = parent;
  return entity;
}

using Listed = Result<std::optional<std::vector<Partition>>>;

Listed Whole(const EntityDef&) { return std::optional<std::vector<Partition>>(); }

std::vector<std::string> Labels(const std::vector<WorkUnit>& units) {
  std::vector<std::string> labels;
  for (const WorkUnit& unit : units) {
    std::string entities;
    for (const std::string& entity : unit.entities)
      entities += (entities.empty() ? "" : ",") + entity;
    labels.push_back(unit.Label() + " {" + entities + "}");
  }
  return labels;
}

TEST(WorkUnitsTest, AChildRidesWithItsRootAndAnOrphanIsAUnitOfItsOwn) {
  EntityDef comments = Entity("comments", "issues"), issues = Entity("issues", "repos"),
            repos = Entity("repos"), users = Entity("users"), members = Entity("members", "teams");
  std::vector<std::string> asked_for;
  auto partitions = [&](const EntityDef& root) -> Listed {
    asked_for.push_back(root.name);
    if (root.name != "repos") return std::optional<std::vector<Partition>>();
    return std::optional<std::vector<Partition>>(std::vector<Partition>{
        {"acme", Value{{"client", "acme"}}}, {"globex", Value{{"client", "globex"}}}});
  };
  Result<std::vector<WorkUnit>> units =
      PlanWorkUnits("forge", {&comments, &users, &issues, &members, &repos}, partitions);
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  // Roots in the statement's order, a root's partitions in their order;
  // members' parent (teams) is not chosen: it is a root, whole.
  EXPECT_EQ(Labels(*units),
            (std::vector<std::string>{"forge.users {users}", "forge.members {members}",
                                      "forge.repos[acme] {repos,issues,comments}",
                                      "forge.repos[globex] {repos,issues,comments}"}));
  EXPECT_EQ(asked_for, (std::vector<std::string>{"users", "members", "repos"}))
      << "children are never asked";
  EXPECT_EQ((*units)[2].partition->spec, (Value{{"client", "acme"}}));
}

TEST(WorkUnitsTest, PartitionsWithEmptyOrRepeatedIdsAndFailuresAreErrors) {
  EntityDef items = Entity("items");
  auto listing = [](std::vector<std::string> ids) {
    return [ids](const EntityDef&) -> Listed {
      std::vector<Partition> parts;
      for (const std::string& id : ids) parts.push_back({id, Value(id)});
      return std::optional<std::vector<Partition>>(parts);
    };
  };
  Result<std::vector<WorkUnit>> twice = PlanWorkUnits("svc", {&items}, listing({"a", "b", "a"}));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().kind(), ErrorKind::kConnector);
  EXPECT_NE(twice.status().message().find("entity 'items': partition id 'a' is given twice"),
            std::string::npos)
      << twice.status().message();
  Result<std::vector<WorkUnit>> empty_id = PlanWorkUnits("svc", {&items}, listing({"a", ""}));
  ASSERT_FALSE(empty_id.ok());
  EXPECT_NE(empty_id.status().message().find("empty id"), std::string::npos);
  Result<std::vector<WorkUnit>> none = PlanWorkUnits("svc", {&items}, listing({}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "zero partitions: nothing to sync";
  Result<std::vector<WorkUnit>> failed =
      PlanWorkUnits("svc", {&items}, [](const EntityDef&) -> Listed {
        return Status(ErrorKind::kConnector, "partitions() threw");
      });
  EXPECT_EQ(failed.status().message(), "partitions() threw");
  Result<std::vector<WorkUnit>> whole = PlanWorkUnits("svc", {&items}, Whole);
  ASSERT_EQ(whole->size(), 1u);
  EXPECT_FALSE((*whole)[0].partition.has_value());
}

// Every unit is in exactly one of N shards, for every N, however many units
// there are — the case an even split of a list got wrong (5 clients over 3
// shards dropped one: cloudquery/plugin-sdk#2162).
TEST(WorkUnitsTest, EachUnitIsInExactlyOneShard) {
  for (int clients : {1, 2, 3, 5, 12, 40}) {
    EntityDef repos = Entity("repos"), users = Entity("users"), issues = Entity("issues", "repos");
    auto partitions = [clients](const EntityDef& root) -> Listed {
      if (root.name != "repos") return std::optional<std::vector<Partition>>();
      std::vector<Partition> parts;
      for (int i = 0; i < clients; ++i) {
        std::string id = "forge:account" + std::to_string(i);
        parts.push_back({id, Value{{"client", id}}});
      }
      return std::optional<std::vector<Partition>>(parts);
    };
    Result<std::vector<WorkUnit>> units =
        PlanWorkUnits("forge", {&repos, &issues, &users}, partitions);
    ASSERT_TRUE(units.ok());
    ASSERT_EQ(units->size(), static_cast<size_t>(clients) + 1);
    for (int count = 1; count <= 7; ++count) {
      std::map<std::string, int> shards_of;
      for (int index = 1; index <= count; ++index) {
        Result<ShardSpec> shard = ParseShard(std::to_string(index) + "/" + std::to_string(count));
        ASSERT_TRUE(shard.ok());
        for (const WorkUnit& unit : *units) {
          if (InShard(unit, *shard)) ++shards_of[unit.Label()];
        }
      }
      ASSERT_EQ(shards_of.size(), units->size())
          << clients << " clients, " << count << " shards: a unit was dropped";
      for (const auto& [label, shards] : shards_of) {
        EXPECT_EQ(shards, 1) << label << " in " << shards << " of " << count << " shards";
      }
    }
  }
}

// Partition ids made of the same bytes in another order (FNV-1a alone, mod
// an even N, put them all in one shard: its low bit is the parity of the
// odd bytes) spread over both halves.
TEST(WorkUnitsTest, IdsOfTheSameBytesSpreadOverShards) {
  std::string letters = "abcdef";
  std::map<int, int> per_shard;
  do {
    WorkUnit unit{"c", "items", {"items"}, Partition{letters, Value(letters)}};
    for (int index = 1; index <= 2; ++index) {
      if (InShard(unit, ShardSpec{index, 2})) ++per_shard[index];
    }
  } while (std::next_permutation(letters.begin(), letters.end()));
  ASSERT_EQ(per_shard[1] + per_shard[2], 720);
  EXPECT_GT(per_shard[1], 720 * 3 / 10);
  EXPECT_GT(per_shard[2], 720 * 3 / 10);
}

TEST(WorkUnitsTest, APartitionIdWithANulIsRefused) {
  EntityDef items;
  items.name = "items";
  auto partitions = [](const EntityDef&) -> Result<std::optional<std::vector<Partition>>> {
    return std::optional<std::vector<Partition>>(
        std::vector<Partition>{{std::string("p\0one", 5), Value("x")}, {std::string("p\0two", 5), Value("y")}});
  };
  Result<std::vector<WorkUnit>> units = PlanWorkUnits("c", {&items}, partitions);
  ASSERT_FALSE(units.ok());
  EXPECT_NE(units.status().message().find("NUL"), std::string::npos) << units.status().message();
}

TEST(WorkUnitsTest, APartitionIdPast512BytesIsRefused) {
  EntityDef items;
  items.name = "items";
  auto sized = [](size_t bytes) {
    return [bytes](const EntityDef&) -> Result<std::optional<std::vector<Partition>>> {
      return std::optional<std::vector<Partition>>(std::vector<Partition>{{std::string(bytes, 'x'), Value("x")}});
    };
  };
  EXPECT_TRUE(PlanWorkUnits("c", {&items}, sized(512)).ok());
  Result<std::vector<WorkUnit>> units = PlanWorkUnits("c", {&items}, sized(513));
  ASSERT_FALSE(units.ok());
  EXPECT_NE(units.status().message().find("513 bytes; at most 512"), std::string::npos) << units.status().message();
}

TEST(WorkUnitsTest, AUnitsShardDoesNotDependOnTheOtherUnits) {
  WorkUnit unit{
      "forge", "repos", {"repos", "issues"}, Partition{"forge:b", Value{{"client", "forge:b"}}}};
  uint64_t hash = StableUnitHash(unit);
  unit.entities = {"repos"};
  unit.partition->spec = Value("other");
  EXPECT_EQ(StableUnitHash(unit), hash) << "connector, entity and partition id only";
  unit.partition->id = "forge:c";
  EXPECT_NE(StableUnitHash(unit), hash);
  WorkUnit whole{"forge", "repos", {"repos"}, std::nullopt};
  WorkUnit empty_id{"forge", "repos", {"repos"}, Partition{"", Value()}};
  EXPECT_EQ(StableUnitHash(whole), StableUnitHash(empty_id));
  // FNV-1a, pinned: the same value in every process, build and machine.
  EXPECT_EQ(hash, 15857625022542238990ull);
}

}  // namespace
}  // namespace sluice
