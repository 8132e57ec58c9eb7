// Work units of a distributed or sharded run (DESIGN.md §11): what one
// worker syncs at a time — (run, connector, entity, partition). A root
// entity (no parent among the chosen) is split by its partitions
// (source/source.h Partitioner); a child entity goes with its parent's unit
// (same partition), so parents and children are read together as today.
// A chosen child whose parent is not chosen is a unit of its own, whole.
//
// Shards: `SHARD i/N` (and `sluice sync --shard i/N`, CloudQuery's syntax,
// i from 1) takes the units whose stable hash is i-1 mod N, so each unit is
// synced by exactly one of N shards whatever their number, and a unit keeps
// its shard when other units come or go (unlike an even split of a list,
// cloudquery/plugin-sdk#2162).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/definitions.h"
#include "core/status.h"
#include "source/partition.h"

namespace sluice {

struct WorkUnit {
  std::string connector;
  std::string entity;                 // the root entity
  std::vector<std::string> entities;  // root first, then its chosen descendants, parents before children
  std::optional<Partition> partition;  // nullopt: the whole entity
  // "connector.entity" or "connector.entity[partition id]", for messages.
  std::string Label() const;
};

// The units of the chosen entities, in the statement's order of roots and
// their partitions' order. `partitions` lists a root's partitions
// (Partitioner::Partitions, or nullopt for none); `unit_parent` names the
// entity an entity's unit goes with (Partitioner::UnitParent; null: its
// EntityDef::parent).
Result<std::vector<WorkUnit>> PlanWorkUnits(
    const std::string& connector, const std::vector<const EntityDef*>& chosen,
    const std::function<Result<std::optional<std::vector<Partition>>>(const EntityDef& root)>& partitions,
    const std::function<std::string(const EntityDef& entity)>& unit_parent = nullptr);

struct ShardSpec {
  int index = 1;  // from 1
  int count = 1;
};
// "i/N": 1 <= i <= N <= 100000; the error says what was wrong.
Result<ShardSpec> ParseShard(std::string_view text);

// FNV-1a (64 bits) of connector, entity and partition id, NUL-separated:
// the same in every process, build and machine.
uint64_t StableUnitHash(const WorkUnit& unit);
bool InShard(const WorkUnit& unit, const ShardSpec& shard);

}  // namespace sluice
