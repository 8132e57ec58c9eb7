#include "cloudquery/table_filter.h"

#include <functional>
#include <map>

namespace sluice::cq {

bool MatchesTablePattern(std::string_view pattern, std::string_view name) {
  // Iterative glob with one backtrack point: linear enough for table names
  // and never recursive on hostile patterns.
  size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

bool MatchesAny(const std::vector<std::string>& patterns, const std::string& name) {
  for (const std::string& pattern : patterns) {
    if (MatchesTablePattern(pattern, name)) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

Result<std::vector<size_t>> FilterTables(const std::vector<TableNode>& all,
                                         const std::vector<std::string>& tables,
                                         const std::vector<std::string>& skip_tables,
                                         bool skip_dependent_tables) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!index.emplace(all[i].name, i).second) {
      return Status(ErrorKind::kInvalidArgument, "two tables are named '" + all[i].name + "'");
    }
  }
  std::vector<std::vector<size_t>> children(all.size());
  std::vector<size_t> roots;
  std::vector<long> parent(all.size(), -1);
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].parent.empty()) {
      roots.push_back(i);
      continue;
    }
    auto found = index.find(all[i].parent);
    if (found == index.end()) {
      return Status(ErrorKind::kInvalidArgument, "table '" + all[i].name + "' names parent '" +
                                                     all[i].parent + "', which is not a table");
    }
    parent[i] = static_cast<long>(found->second);
    children[found->second].push_back(i);
  }
  // A cycle of parents would never reach a root: such tables are unreachable.
  for (size_t i = 0; i < all.size(); ++i) {
    size_t steps = 0;
    for (long at = parent[i]; at >= 0; at = parent[static_cast<size_t>(at)]) {
      if (++steps > all.size()) {
        return Status(ErrorKind::kInvalidArgument,
                      "table '" + all[i].name + "' is its own ancestor");
      }
    }
  }

  for (const auto& [patterns, what] :
       {std::pair{&tables, "tables"}, std::pair{&skip_tables, "skip_tables"}}) {
    for (const std::string& pattern : *patterns) {
      // "*" asks for whatever there is, which may be nothing (a plugin
      // whose tables exist only once connected lists none without one).
      // An empty pattern ("") is no "*": it matches nothing, so it is an error.
      bool matched = !pattern.empty() && pattern.find_first_not_of('*') == std::string::npos;
      for (const TableNode& table : all)
        matched = matched || MatchesTablePattern(pattern, table.name);
      if (!matched) {
        return Status(
            ErrorKind::kNotFound, std::string(what) + " pattern '" + pattern +
                                      "' matches no table (tables: " +
                                      [&] {
                                        std::vector<std::string> names;
                                        for (const TableNode& t : all) names.push_back(t.name);
                                        return Join(names);
                                      }() +
                                      ")");
      }
    }
  }

  std::vector<bool> included(all.size(), false);
  std::function<void(size_t)> include_descendants = [&](size_t i) {
    for (size_t child : children[i]) {
      included[child] = true;
      include_descendants(child);
    }
  };
  for (size_t i = 0; i < all.size(); ++i) {
    if (!MatchesAny(tables, all[i].name)) continue;
    included[i] = true;
    if (!skip_dependent_tables) include_descendants(i);
  }
  for (size_t i = 0; i < all.size(); ++i) {
    if (!included[i]) continue;
    for (long at = parent[i]; at >= 0; at = parent[static_cast<size_t>(at)]) {
      included[static_cast<size_t>(at)] = true;
    }
  }
  auto skipped = [&](size_t i) {
    for (long at = static_cast<long>(i); at >= 0; at = parent[static_cast<size_t>(at)]) {
      if (MatchesAny(skip_tables, all[static_cast<size_t>(at)].name)) return true;
    }
    return false;
  };
  std::vector<std::string> skipped_parents;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!included[i] || parent[i] < 0) continue;
    size_t up = static_cast<size_t>(parent[i]);
    // An included child whose parent is skipped cannot be synced (its rows
    // need the parent's); skipping it too says the user meant both.
    if (skipped(up) && !MatchesAny(skip_tables, all[i].name)) {
      skipped_parents.push_back(all[up].name + " (parent of " + all[i].name + ")");
    }
  }
  if (!skipped_parents.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "cannot skip a parent table when its child table is included; skipped parents: " +
                      Join(skipped_parents));
  }
  std::vector<size_t> out;
  std::function<void(size_t)> visit = [&](size_t i) {
    if (!included[i] || skipped(i)) return;
    out.push_back(i);
    for (size_t child : children[i]) visit(child);
  };
  for (size_t root : roots) visit(root);
  return out;
}

}  // namespace sluice::cq
