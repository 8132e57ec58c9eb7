#include "sync/work_units.h"

#include <charconv>
#include <set>

namespace sluice {

std::string WorkUnit::Label() const {
  std::string label = connector + "." + entity;
  if (partition) label += "[" + partition->id + "]";
  return label;
}

Result<std::vector<WorkUnit>> PlanWorkUnits(
    const std::string& connector, const std::vector<const EntityDef*>& chosen,
    const std::function<Result<std::optional<std::vector<Partition>>>(const EntityDef& root)>& partitions,
    const std::function<std::string(const EntityDef& entity)>& unit_parent) {
  auto parent_of = [&](const EntityDef& entity) { return unit_parent ? unit_parent(entity) : entity.parent; };
  std::set<std::string> names;
  for (const EntityDef* entity : chosen) names.insert(entity->name);
  auto root_of = [&](const EntityDef& entity) {
    const EntityDef* at = &entity;
    for (size_t hops = 0; hops <= chosen.size(); ++hops) {
      std::string parent_name = parent_of(*at);
      if (parent_name.empty() || !names.count(parent_name)) return at->name;
      const EntityDef* parent = nullptr;
      for (const EntityDef* candidate : chosen) {
        if (candidate->name == parent_name) parent = candidate;
      }
      if (!parent) return at->name;
      at = parent;
    }
    return at->name;  // a cycle: cannot happen for valid definitions
  };
  std::vector<WorkUnit> units;
  for (const EntityDef* root : chosen) {
    if (root_of(*root) != root->name) continue;
    std::vector<std::string> family{root->name};
    // Descendants, parents before children: repeat until no one joins.
    for (bool grew = true; grew;) {
      grew = false;
      for (const EntityDef* entity : chosen) {
        bool in = false;
        for (const std::string& member : family) in = in || member == entity->name;
        std::string parent_name = parent_of(*entity);
        if (in || parent_name.empty()) continue;
        for (const std::string& member : family) {
          if (member == parent_name) {
            family.push_back(entity->name);
            grew = true;
            break;
          }
        }
      }
    }
    Result<std::optional<std::vector<Partition>>> parts = partitions(*root);
    if (!parts.ok()) return parts.TakeStatus();
    if (!parts->has_value()) {
      units.push_back(WorkUnit{connector, root->name, family, std::nullopt});
      continue;
    }
    std::set<std::string> seen;
    for (Partition& partition : **parts) {
      if (partition.id.empty()) {
        return Status(ErrorKind::kConnector,
                      "connector '" + connector + "', entity '" + root->name + "': a partition has an empty id");
      }
      // The id is part of PostgreSQL index keys (a mark's, a lock's) and
      // of every log line about its unit.
      constexpr size_t kMaxIdBytes = 512;
      if (partition.id.size() > kMaxIdBytes) {
        return Status(ErrorKind::kConnector, "connector '" + connector + "', entity '" + root->name +
                                                 "': a partition id has " + std::to_string(partition.id.size()) +
                                                 " bytes; at most " + std::to_string(kMaxIdBytes) +
                                                 " are allowed (give an object partition a short \"id\")");
      }
      if (partition.id.find('\0') != std::string::npos) {
        // PostgreSQL's text cannot hold it, and libpq's parameters would
        // end the id there: two ids could become one.
        return Status(ErrorKind::kConnector, "connector '" + connector + "', entity '" + root->name +
                                                 "': a partition id holds a NUL character");
      }
      if (!seen.insert(partition.id).second) {
        return Status(ErrorKind::kConnector, "connector '" + connector + "', entity '" + root->name +
                                                 "': partition id '" + partition.id + "' is given twice");
      }
      units.push_back(WorkUnit{connector, root->name, family, std::move(partition)});
    }
  }
  return units;
}

Result<ShardSpec> ParseShard(std::string_view text) {
  size_t slash = text.find('/');
  auto number = [](std::string_view digits, int& out) {
    if (digits.empty() || digits.size() > 6) return false;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return error == std::errc() && end == digits.data() + digits.size();
  };
  ShardSpec shard;
  if (slash == std::string_view::npos || !number(text.substr(0, slash), shard.index) ||
      !number(text.substr(slash + 1), shard.count)) {
    return Status(ErrorKind::kInvalidArgument,
                  "a shard is written i/N (the i-th of N, from 1), e.g. 1/4; got '" + std::string(text) + "'");
  }
  if (shard.count < 1 || shard.count > 100000 || shard.index < 1 || shard.index > shard.count) {
    return Status(ErrorKind::kInvalidArgument, "shard " + std::string(text) +
                                                   ": i must be from 1 to N, and N from 1 to 100000");
  }
  return shard;
}

uint64_t StableUnitHash(const WorkUnit& unit) {
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&](std::string_view text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
    hash ^= 0;
    hash *= 1099511628211ull;  // the NUL separator
  };
  mix(unit.connector);
  mix(unit.entity);
  mix(unit.partition ? unit.partition->id : std::string_view());
  return hash;
}

bool InShard(const WorkUnit& unit, const ShardSpec& shard) {
  // FNV-1a's low bits depend only on the low bits of each byte: modulo an
  // even N, a unit's shard would be decided by how many odd bytes its names
  // hold ("active" and "archived" always together). The finalizer of
  // MurmurHash3 (fmix64) spreads every input bit over the low ones first.
  uint64_t mixed = StableUnitHash(unit);
  mixed ^= mixed >> 33;
  mixed *= 0xff51afd7ed558ccdull;
  mixed ^= mixed >> 33;
  mixed *= 0xc4ceb93fe53ae63bull;
  mixed ^= mixed >> 33;
  return mixed % static_cast<uint64_t>(shard.count) == static_cast<uint64_t>(shard.index - 1);
}

}  // namespace sluice
