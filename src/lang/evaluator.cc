#include "lang/evaluator.h"

#include <cctype>
#include <cmath>
#include <limits>

#include "core/time_util.h"

namespace sluice {

std::string Variables::Key(const std::string& name) {
  std::string key = name;
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

void Variables::Declare(const std::string& name, Value value) {
  scopes_.back()[Key(name)] = std::move(value);
}

bool Variables::Assign(const std::string& name, Value value) {
  std::string key = Key(name);
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    auto found = scope->find(key);
    if (found != scope->end()) {
      found->second = std::move(value);
      return true;
    }
  }
  return false;
}

const Value* Variables::Find(const std::string& name) const {
  std::string key = Key(name);
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    auto found = scope->find(key);
    if (found != scope->end()) return &found->second;
  }
  return nullptr;
}

void Variables::Clear() {
  scopes_.clear();
  scopes_.emplace_back();
}

namespace {

Status ErrorAt(const ast::Expr& expr, ErrorKind kind, std::string message) {
  return Status(kind, std::move(message)).At(expr.span.begin);
}

std::string Quote(const Value& value) {
  return value.dump(-1, ' ', false, Value::error_handler_t::replace);
}

bool IsNumber(const Value& v) { return v.is_number(); }

// An unsigned integer (parsed JSON has them) that int64 cannot hold; such
// values take the floating-point path. Smaller ones stay integers.
bool OutsideInt64(const Value& v) {
  return v.is_number_unsigned() &&
         v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

Value Tri(std::optional<bool> value) { return value ? Value(*value) : Value(); }

std::optional<bool> Truth(const Value& value) {
  if (value.is_null()) return std::nullopt;
  return ValueIsTrue(value);
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern) {
  // Iterative wildcard match with backtracking to the last '%'.
  size_t t = 0, p = 0, star = std::string_view::npos, mark = 0;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  while (t < text.size()) {
    // '%' first: it is a wildcard even where the text holds a literal '%'.
    if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && (pattern[p] == '_' || lower(pattern[p]) == lower(text[t]))) {
      ++t;
      ++p;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

std::optional<bool> Evaluator::Equal(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  // SQLite hands booleans back as 0/1, so TRUE must equal 1.
  if (a.is_boolean() && IsNumber(b)) return Equal(Value(a.get<bool>() ? 1 : 0), b);
  if (IsNumber(a) && b.is_boolean()) return Equal(a, Value(b.get<bool>() ? 1 : 0));
  if (IsNumber(a) && IsNumber(b)) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    return a == b;
  }
  return a == b;
}

Result<int> Evaluator::Compare(const Value& a, const Value& b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (a.is_number_float() || b.is_number_float()) {
      double x = a.get<double>(), y = b.get<double>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
      return a < b ? -1 : a > b ? 1 : 0;
    }
    int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_boolean() && b.is_boolean()) {
    return static_cast<int>(a.get<bool>()) - static_cast<int>(b.get<bool>());
  }
  return Status(ErrorKind::kType, std::string("cannot compare ") + ValueTypeName(a) + " " +
                                      Quote(a) + " with " + ValueTypeName(b) + " " + Quote(b));
}

Result<Value> Evaluator::EvalMember(const Value& object, const std::string& field,
                                    const ast::Expr& expr) {
  if (object.is_null()) return Value();
  if (!object.is_object()) {
    return ErrorAt(expr, ErrorKind::kType,
                   "cannot read field '" + field + "' of " + ValueTypeName(object) + " " + Quote(object));
  }
  auto found = object.find(field);
  return found == object.end() ? Value() : *found;
}

Result<Value> Evaluator::EvalIndex(const Value& object, const Value& index, const ast::Expr& expr) {
  if (object.is_null() || index.is_null()) return Value();
  if (object.is_array()) {
    if (!index.is_number_integer()) {
      return ErrorAt(expr, ErrorKind::kType,
                     std::string("array index must be an integer, got ") + ValueTypeName(index));
    }
    int64_t i = index.get<int64_t>();
    if (i < 0 || static_cast<uint64_t>(i) >= object.size()) return Value();
    return object[static_cast<size_t>(i)];
  }
  if (object.is_object() && index.is_string()) return EvalMember(object, index.get<std::string>(), expr);
  return ErrorAt(expr, ErrorKind::kType,
                 std::string("cannot index ") + ValueTypeName(object) + " with " + ValueTypeName(index));
}

Result<Value> Evaluator::Eval(const ast::Expr& expr) {
  using namespace ast;
  if (auto* literal = std::get_if<LiteralExpr>(&expr.node)) return literal->value;
  if (auto* variable = std::get_if<VariableExpr>(&expr.node)) {
    const Value* value = variables_.Find(variable->name);
    if (!value) {
      return ErrorAt(expr, ErrorKind::kNotFound,
                     "unknown variable '" + variable->name + "' (declare it with DECLARE " +
                         variable->name + " = …)");
    }
    return *value;
  }
  if (auto* member = std::get_if<MemberExpr>(&expr.node)) {
    ASSIGN_OR_RETURN(Value object, Eval(*member->object));
    return EvalMember(object, member->field, expr);
  }
  if (auto* index = std::get_if<IndexExpr>(&expr.node)) {
    ASSIGN_OR_RETURN(Value object, Eval(*index->object));
    ASSIGN_OR_RETURN(Value key, Eval(*index->index));
    return EvalIndex(object, key, expr);
  }
  if (auto* unary = std::get_if<UnaryExpr>(&expr.node)) {
    ASSIGN_OR_RETURN(Value operand, Eval(*unary->operand));
    if (unary->op == UnaryOp::kNot) {
      std::optional<bool> truth = Truth(operand);
      return truth ? Value(!*truth) : Value();
    }
    if (operand.is_null()) return Value();
    if (!IsNumber(operand)) {
      return ErrorAt(expr, ErrorKind::kType,
                     std::string(unary->op == UnaryOp::kPlus ? "unary plus" : "unary minus") +
                         " needs a number, got " + ValueTypeName(operand));
    }
    if (unary->op == UnaryOp::kPlus) return operand;
    if (operand.is_number_float() || OutsideInt64(operand)) return Value(-operand.get<double>());
    int64_t n = operand.get<int64_t>();
    if (n == std::numeric_limits<int64_t>::min()) {
      return ErrorAt(expr, ErrorKind::kType, "integer overflow");
    }
    return Value(-n);
  }
  if (auto* binary = std::get_if<BinaryExpr>(&expr.node)) return EvalBinary(*binary, expr);
  if (auto* is_null = std::get_if<IsNullExpr>(&expr.node)) {
    ASSIGN_OR_RETURN(Value operand, Eval(*is_null->operand));
    return Value(operand.is_null() != is_null->negated);
  }
  if (auto* in = std::get_if<InExpr>(&expr.node)) return EvalIn(*in, expr);
  if (auto* call = std::get_if<CallExpr>(&expr.node)) {
    std::vector<Value> args;
    args.reserve(call->args.size());
    for (const ExprPtr& arg : call->args) {
      ASSIGN_OR_RETURN(Value value, Eval(*arg));
      args.push_back(std::move(value));
    }
    std::optional<Result<Value>> session =
        hooks_.session_function ? hooks_.session_function(call->name, args) : std::nullopt;
    Result<Value> result = session ? std::move(*session) : CallFunction(call->name, args);
    if (!result.ok()) {
      Status status = result.TakeStatus();
      return status.At(expr.span.begin);
    }
    return result;
  }
  if (auto* object = std::get_if<ObjectExpr>(&expr.node)) {
    Value out = Value::object();
    for (const auto& [key, value_expr] : object->entries) {
      ASSIGN_OR_RETURN(Value value, Eval(*value_expr));
      out[key] = std::move(value);
    }
    return out;
  }
  if (auto* array = std::get_if<ArrayExpr>(&expr.node)) {
    Value out = Value::array();
    for (const ExprPtr& element : array->elements) {
      ASSIGN_OR_RETURN(Value value, Eval(*element));
      out.push_back(std::move(value));
    }
    return out;
  }
  if (auto* query = std::get_if<QueryExpr>(&expr.node)) {
    if (!hooks_.run_query) return ErrorAt(expr, ErrorKind::kInternal, "queries cannot run here");
    Result<Value> rows = hooks_.run_query(*query);
    if (!rows.ok()) return rows.TakeStatus().At(expr.span.begin);
    return rows;
  }
  if (auto* interval = std::get_if<IntervalExpr>(&expr.node)) return Value(interval->seconds);
  if (auto* exec = std::get_if<ExecExpr>(&expr.node)) {
    if (!hooks_.run_exec) return ErrorAt(expr, ErrorKind::kInternal, "actions cannot run here");
    Result<Value> result = hooks_.run_exec(*exec, expr);
    if (!result.ok()) return result.TakeStatus().At(expr.span.begin);
    return result;
  }
  return ErrorAt(expr, ErrorKind::kInternal, "unknown expression");
}

namespace {

Result<Value> Arithmetic(ast::BinaryOp op, const Value& a, const Value& b) {
  using ast::BinaryOp;
  if (a.is_number_float() || b.is_number_float() || OutsideInt64(a) || OutsideInt64(b)) {
    double x = a.get<double>(), y = b.get<double>();
    switch (op) {
      case BinaryOp::kAdd: return Value(x + y);
      case BinaryOp::kSub: return Value(x - y);
      case BinaryOp::kMul: return Value(x * y);
      case BinaryOp::kDiv:
        if (y == 0) return Status(ErrorKind::kType, "division by zero");
        return Value(x / y);
      case BinaryOp::kMod:
        if (y == 0) return Status(ErrorKind::kType, "division by zero");
        return Value(std::fmod(x, y));
      default: break;
    }
  }
  int64_t x = a.get<int64_t>(), y = b.get<int64_t>(), out = 0;
  switch (op) {
    case BinaryOp::kAdd:
      if (__builtin_add_overflow(x, y, &out)) return Status(ErrorKind::kType, "integer overflow");
      return Value(out);
    case BinaryOp::kSub:
      if (__builtin_sub_overflow(x, y, &out)) return Status(ErrorKind::kType, "integer overflow");
      return Value(out);
    case BinaryOp::kMul:
      if (__builtin_mul_overflow(x, y, &out)) return Status(ErrorKind::kType, "integer overflow");
      return Value(out);
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      if (y == 0) return Status(ErrorKind::kType, "division by zero");
      if (x == std::numeric_limits<int64_t>::min() && y == -1) {
        return Status(ErrorKind::kType, "integer overflow");
      }
      return Value(op == BinaryOp::kDiv ? x / y : x % y);
    default: break;
  }
  return Status(ErrorKind::kInternal, "not an arithmetic operator");
}

bool IsIntervalExpr(const ast::Expr& expr) {
  return std::holds_alternative<ast::IntervalExpr>(expr.node);
}

}  // namespace

Result<Value> Evaluator::EvalBinary(const ast::BinaryExpr& binary, const ast::Expr& expr) {
  using ast::BinaryOp;
  if (binary.op == BinaryOp::kAnd || binary.op == BinaryOp::kOr) {
    ASSIGN_OR_RETURN(Value left, Eval(*binary.left));
    std::optional<bool> l = Truth(left);
    // Short-circuit as SQL allows: FALSE AND x, TRUE OR x.
    if (binary.op == BinaryOp::kAnd && l == false) return Value(false);
    if (binary.op == BinaryOp::kOr && l == true) return Value(true);
    ASSIGN_OR_RETURN(Value right, Eval(*binary.right));
    std::optional<bool> r = Truth(right);
    if (binary.op == BinaryOp::kAnd) {
      if (r == false) return Value(false);
      return (l && r) ? Value(true) : Value();
    }
    if (r == true) return Value(true);
    return (l && r) ? Value(false) : Value();
  }
  ASSIGN_OR_RETURN(Value left, Eval(*binary.left));
  ASSIGN_OR_RETURN(Value right, Eval(*binary.right));
  auto fail = [&](Status status) { return status.At(expr.span.begin); };
  switch (binary.op) {
    case BinaryOp::kEq: return Tri(Equal(left, right));
    case BinaryOp::kNe: {
      std::optional<bool> eq = Equal(left, right);
      return eq ? Value(!*eq) : Value();
    }
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe: {
      if (left.is_null() || right.is_null()) return Value();
      Result<int> c = Compare(left, right);
      if (!c.ok()) return fail(c.TakeStatus());
      switch (binary.op) {
        case BinaryOp::kLt: return Value(*c < 0);
        case BinaryOp::kLe: return Value(*c <= 0);
        case BinaryOp::kGt: return Value(*c > 0);
        default: return Value(*c >= 0);
      }
    }
    case BinaryOp::kLike:
    case BinaryOp::kNotLike: {
      if (left.is_null() || right.is_null()) return Value();
      if (!left.is_string() || !right.is_string()) {
        return fail(Status(ErrorKind::kType, "LIKE needs strings"));
      }
      bool match = LikeMatch(left.get_ref<const std::string&>(), right.get_ref<const std::string&>());
      return Value(binary.op == BinaryOp::kLike ? match : !match);
    }
    case BinaryOp::kContains: {
      if (left.is_null() || right.is_null()) return Value();
      if (left.is_array()) {
        for (const Value& element : left) {
          if (Equal(element, right) == true) return Value(true);
        }
        return Value(false);
      }
      if (left.is_string() && right.is_string()) {
        return Value(left.get_ref<const std::string&>().find(right.get_ref<const std::string&>()) !=
                     std::string::npos);
      }
      return fail(Status(ErrorKind::kType, std::string("CONTAINS needs an array (or a string) on "
                                                       "its left, got ") + ValueTypeName(left)));
    }
    case BinaryOp::kConcat:
      if (left.is_null() || right.is_null()) return Value();
      return Value(ValueToDisplayString(left) + ValueToDisplayString(right));
    default:
      break;
  }
  // Arithmetic, with timestamp ± INTERVAL as the one non-numeric case.
  if (left.is_null() || right.is_null()) return Value();
  if ((binary.op == BinaryOp::kAdd || binary.op == BinaryOp::kSub) && left.is_string() &&
      IsIntervalExpr(*binary.right)) {
    std::optional<int64_t> micros = ParseTimestamp(left.get_ref<const std::string&>());
    if (!micros) {
      return fail(Status(ErrorKind::kType, "cannot add an interval to " + Quote(left) +
                                               ": not an ISO-8601 timestamp"));
    }
    std::optional<int64_t> delta = SecondsToMicros(right.get<double>());
    if (!delta) return fail(Status(ErrorKind::kType, "interval out of range"));
    return Value(FormatTimestamp(binary.op == BinaryOp::kAdd ? *micros + *delta : *micros - *delta));
  }
  if (!IsNumber(left) || !IsNumber(right)) {
    std::string hint = binary.op == BinaryOp::kAdd && (left.is_string() || right.is_string())
                           ? " (use || to join strings)"
                           : "";
    return fail(Status(ErrorKind::kType, std::string("operator ") + ast::BinaryOpSymbol(binary.op) +
                                             " needs numbers, got " + ValueTypeName(left) + " and " +
                                             ValueTypeName(right) + hint));
  }
  Result<Value> out = Arithmetic(binary.op, left, right);
  if (!out.ok()) return fail(out.TakeStatus());
  return out;
}

Result<Value> Evaluator::EvalIn(const ast::InExpr& in, const ast::Expr& expr) {
  ASSIGN_OR_RETURN(Value operand, Eval(*in.operand));
  std::vector<Value> candidates;
  if (in.array_operand) {
    ASSIGN_OR_RETURN(Value array, Eval(*in.list.front()));
    if (array.is_null()) return Value();
    if (!array.is_array()) {
      return ErrorAt(expr, ErrorKind::kType,
                     std::string("IN needs a list or an array, got ") + ValueTypeName(array));
    }
    // `x IN (SELECT id …)` compares with each row's first column.
    bool from_query = std::holds_alternative<ast::QueryExpr>(in.list.front()->node);
    for (Value& element : array) {
      if (from_query && element.is_object() && !element.empty()) {
        candidates.push_back(element.begin().value());
      } else {
        candidates.push_back(std::move(element));
      }
    }
  } else {
    for (const ast::ExprPtr& item : in.list) {
      ASSIGN_OR_RETURN(Value value, Eval(*item));
      candidates.push_back(std::move(value));
    }
  }
  if (candidates.empty()) return Value(in.negated);  // x IN () is false, even for NULL x
  if (operand.is_null()) return Value();
  bool saw_null = false;
  for (const Value& candidate : candidates) {
    std::optional<bool> eq = Equal(operand, candidate);
    if (eq == true) return Value(!in.negated);
    if (!eq) saw_null = true;
  }
  if (saw_null) return Value();
  return Value(in.negated);
}

}  // namespace sluice
