// Evaluation of Sluice expressions (DESIGN.md §3) over a stack of variable
// scopes.
//
// Semantics follow SQL where SQL has an answer: NULL propagates through
// arithmetic, comparison and `||`; AND/OR/NOT use three-valued logic;
// integers stay integers (overflow is an error, not a wrap) and divide as in
// SQLite. Member access on NULL or on a missing key yields NULL, so
// `results[0].name` on an empty result reads as NULL rather than failing.
// `ts ± INTERVAL '7d'` shifts an ISO-8601 timestamp.
//
// Errors carry the position of the sub-expression that failed.
//
// Thread-safety: one thread at a time per Evaluator.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "lang/ast.h"

namespace sluice {

// Variables live in nested scopes: a block (IF, FOR, TRY, TEST) opens one.
// Names are case-insensitive, like SQL identifiers.
class Variables {
 public:
  Variables() { scopes_.emplace_back(); }

  void PushScope() { scopes_.emplace_back(); }
  void PopScope() {
    if (scopes_.size() > 1) scopes_.pop_back();
  }
  // Declares in the innermost scope (re-declaring replaces the value).
  void Declare(const std::string& name, Value value);
  // Assigns to the innermost scope that declares `name`; false if none does.
  bool Assign(const std::string& name, Value value);
  // Null if not declared.
  const Value* Find(const std::string& name) const;
  void Clear();

  static std::string Key(const std::string& name);

 private:
  std::vector<std::unordered_map<std::string, Value>> scopes_;
};

// Runs what expressions cannot run alone: embedded queries and actions.
struct EvalHooks {
  std::function<Result<Value>(const ast::QueryExpr&)> run_query;
  std::function<Result<Value>(const ast::ExecExpr&, const ast::Expr&)> run_exec;
  // Functions whose answer depends on the session (MOCK_REQUESTS, ENV inside
  // a test): consulted before the built-ins; nullopt means "not mine".
  std::function<std::optional<Result<Value>>(const std::string& name, std::vector<Value>& args)>
      session_function;
};

class Evaluator {
 public:
  Evaluator(Variables& variables, EvalHooks hooks)
      : variables_(variables), hooks_(std::move(hooks)) {}

  Result<Value> Eval(const ast::Expr& expr);

  // Equality as `=` sees it; nullopt when either side is NULL.
  static std::optional<bool> Equal(const Value& a, const Value& b);
  // Ordering for < <= > >=: -1, 0, 1; an error for incomparable types.
  static Result<int> Compare(const Value& a, const Value& b);

 private:
  Result<Value> EvalBinary(const ast::BinaryExpr& binary, const ast::Expr& expr);
  Result<Value> EvalIn(const ast::InExpr& in, const ast::Expr& expr);
  Result<Value> EvalMember(const Value& object, const std::string& field, const ast::Expr& expr);
  Result<Value> EvalIndex(const Value& object, const Value& index, const ast::Expr& expr);

  Variables& variables_;
  EvalHooks hooks_;
};

// Built-in functions (functions.cc). `name` is upper-case.
Result<Value> CallFunction(const std::string& name, std::vector<Value>& args);

// SQL LIKE: '%' any run, '_' one character, ASCII case-insensitive.
bool LikeMatch(std::string_view text, std::string_view pattern);

}  // namespace sluice
