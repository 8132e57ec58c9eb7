// Which tables a Sync or GetTables asks for, as CloudQuery's SDKs decide it
// (docs/cloudquery.md, "Serving a connector as a plugin"):
//   - `tables` and `skip_tables` are glob patterns where `*` matches any
//     run of characters (case-sensitive, the whole name);
//   - a table is included when a `tables` pattern matches it; with
//     skip_dependent_tables = false its descendants come too;
//   - an included child brings its parents (its rows need theirs);
//   - a table is skipped when a `skip_tables` pattern matches it or one of
//     its ancestors; skipping a parent of an included child is an error
//     (the JavaScript SDK's rule), as is a pattern that matches no table
//     at all (the Go SDK's rule: a typo must not sync nothing silently),
//     except "*", which a plugin with no tables yet answers with none.
// The answer is flattened with parents before children, in the order the
// tables were given among siblings.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::cq {

struct TableNode {
  std::string name;
  std::string parent;  // "" for a top-level table
};

// `*` matches any run of characters (also none); everything else itself.
bool MatchesTablePattern(std::string_view pattern, std::string_view name);

// Indexes into `all` of the selected tables, parents before children
// (depth-first, siblings in `all`'s order). A parent that `all` lacks is an
// error naming the child.
Result<std::vector<size_t>> FilterTables(const std::vector<TableNode>& all,
                                         const std::vector<std::string>& tables,
                                         const std::vector<std::string>& skip_tables,
                                         bool skip_dependent_tables);

}  // namespace sluice::cq
