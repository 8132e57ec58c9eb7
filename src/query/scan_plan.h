// ScanPlan: what xBestIndex decided for one scan of an entity table, typed.
// The decision travels to xFilter (and to EXPLAIN QUERY PLAN) as JSON in
// idxStr; this is the one reader of that text outside the module, so the
// layers above describe a plan without knowing its encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

struct ScanPlan {
  struct Term {
    std::string field;
    std::string op;        // "=", ">", "LIKE", "CONTAINS", …
    bool in_list = false;  // an IN list (op "=")
  };
  std::vector<Term> where;  // pushed to the handler, in argv order
  // Constraints whose value no value of the field's type equals: SQLite
  // applies them; the handler never sees them.
  std::vector<Term> kept;
  bool parent = false;  // a join on _parent: one call per parent row
  bool limit = false;   // LIMIT passed to the handler
  bool offset = false;  // OFFSET read (SQLite applies it; limit counts it)
  struct Order {
    std::string field;
    bool desc = false;
  };
  std::vector<Order> order_by;
  std::vector<std::string> fields;  // fields the query reads
  bool raw = false;                 // _raw is read: whole rows
  bool pushdown = true;             // false: the source takes nothing pushed down
};

// The plan in an idxStr the module wrote; nullopt for any other text.
std::optional<ScanPlan> DescribeIndex(std::string_view idx_str);

// An EXPLAIN QUERY PLAN detail ("SCAN t VIRTUAL TABLE INDEX 0:{…}"): the
// step before the index ("SCAN t") and the plan, or nullopt when the step
// is not a scan of an entity table.
struct ExplainedStep {
  std::string step;
  ScanPlan plan;
};
std::optional<ExplainedStep> DescribePlanStep(std::string_view detail);

}  // namespace sluice
