// Binding of declared variables into embedded SQL, the way PL/pgSQL binds
// its variables: `WHERE id = created.id` becomes `WHERE id = ?1` with the
// value of `created.id` bound to ?1.
//
// A reference is an identifier naming a declared variable, followed by any
// `.field` and `[integer]` parts. Not references: identifiers right after
// '.', after FROM/JOIN/INTO/UPDATE/TABLE/AS (table and alias positions), or
// followed by '(' (function calls). So a variable shadows a column of the
// same name; qualify the column (`t.name`) to reach it.
//
// Thread-safety: pure function.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "lang/ast.h"
#include "lang/evaluator.h"

namespace sluice {

struct BoundSql {
  std::string text;          // SQL with variables replaced by ?N
  std::vector<Value> params;  // params[i] binds ?(i+1)
};

// Names the table that stands for `connector.entity`, or nullopt when the
// pair is not a connector entity.
using EntityTableResolver =
    std::function<std::optional<std::string>(const std::string& connector, const std::string& entity)>;

// Also rewrites each `connector.entity` the resolver knows into its table
// name, "connector.entity", adding `AS entity` after a table reference that
// has no alias, so `entity.column` keeps working.
Result<BoundSql> BindVariables(const ast::SqlText& sql, const Variables& variables,
                               const EntityTableResolver& resolve_table = nullptr);


}  // namespace sluice
