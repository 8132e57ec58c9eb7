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

Result<BoundSql> BindVariables(const ast::SqlText& sql, const Variables& variables);

// Table names the SQL reads as `a.b` (after FROM or JOIN), for telling the
// user that `connector.entity` queries are not available yet.
std::vector<std::pair<std::string, std::string>> QualifiedTableNames(const ast::SqlText& sql);

}  // namespace sluice
