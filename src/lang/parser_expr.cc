// Expressions of the Sluice language and capture of embedded SQL.
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "core/time_util.h"
#include "lang/parser_internal.h"

namespace sluice::parser_detail {

using ast::BinaryOp;
using ast::ExprPtr;

ExprPtr Parser::ParseExpr() {
  NestingGuard nested(*this, Peek());
  return ParseOr();
}

ExprPtr Parser::ParseOr() {
  ExprPtr left = ParseAnd();
  NestingGuard chain(*this);
  while (PeekKeyword("OR")) {
    chain.Enter(Next());
    ExprPtr right = ParseAnd();
    ast::Span begin = left->span;
    left = MakeExprFrom(begin, ast::BinaryExpr{BinaryOp::kOr, std::move(left), std::move(right)});
  }
  return left;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr left = ParseNot();
  NestingGuard chain(*this);
  while (PeekKeyword("AND")) {
    chain.Enter(Next());
    ExprPtr right = ParseNot();
    ast::Span begin = left->span;
    left = MakeExprFrom(begin, ast::BinaryExpr{BinaryOp::kAnd, std::move(left), std::move(right)});
  }
  return left;
}

ExprPtr Parser::ParseNot() {
  const Token& first = Peek();
  if (AcceptKeyword("NOT")) {
    NestingGuard nested(*this, first);
    ExprPtr operand = ParseNot();
    return MakeExpr(first, ast::UnaryExpr{ast::UnaryOp::kNot, std::move(operand)});
  }
  return ParseComparison();
}

ExprPtr Parser::ParseComparison() {
  ExprPtr left = ParseAdditive();
  ast::Span begin = left->span;
  struct SymbolOp {
    std::string_view symbol;
    BinaryOp op;
  };
  static constexpr SymbolOp kOps[] = {
      {"=", BinaryOp::kEq}, {"==", BinaryOp::kEq}, {"!=", BinaryOp::kNe}, {"<>", BinaryOp::kNe},
      {"<", BinaryOp::kLt}, {"<=", BinaryOp::kLe}, {">", BinaryOp::kGt}, {">=", BinaryOp::kGe}};
  for (const SymbolOp& candidate : kOps) {
    if (AcceptSymbol(candidate.symbol)) {
      ExprPtr right = ParseAdditive();
      return MakeExprFrom(begin, ast::BinaryExpr{candidate.op, std::move(left), std::move(right)});
    }
  }
  if (AcceptKeyword("IS")) {
    bool negated = AcceptKeyword("NOT");
    ExpectKeyword("NULL");
    return MakeExprFrom(begin, ast::IsNullExpr{std::move(left), negated});
  }
  if (AcceptKeyword("CONTAINS")) {
    ExprPtr right = ParseAdditive();
    return MakeExprFrom(begin,
                        ast::BinaryExpr{BinaryOp::kContains, std::move(left), std::move(right)});
  }
  bool negated = false;
  if (PeekKeyword("NOT") && (PeekKeyword("IN", 1) || PeekKeyword("LIKE", 1))) {
    Next();
    negated = true;
  }
  if (AcceptKeyword("LIKE")) {
    ExprPtr right = ParseAdditive();
    return MakeExprFrom(begin, ast::BinaryExpr{negated ? BinaryOp::kNotLike : BinaryOp::kLike,
                                               std::move(left), std::move(right)});
  }
  if (AcceptKeyword("IN")) {
    ast::InExpr in;
    in.operand = std::move(left);
    in.negated = negated;
    if (Peek().IsSymbol("(") && !StartsSqlAt(1)) {
      Next();
      if (!Peek().IsSymbol(")")) {
        do {
          in.list.push_back(ParseExpr());
        } while (AcceptSymbol(","));
      }
      ExpectSymbol(")");
    } else {
      in.array_operand = true;
      in.list.push_back(ParsePostfix());
    }
    return MakeExprFrom(begin, std::move(in));
  }
  return left;
}

ExprPtr Parser::ParseAdditive() {
  ExprPtr left = ParseMultiplicative();
  NestingGuard chain(*this);
  while (Peek().IsSymbol("+") || Peek().IsSymbol("-")) {
    chain.Enter(Peek());
    BinaryOp op = Next().text == "+" ? BinaryOp::kAdd : BinaryOp::kSub;
    ExprPtr right = ParseMultiplicative();
    ast::Span begin = left->span;
    left = MakeExprFrom(begin, ast::BinaryExpr{op, std::move(left), std::move(right)});
  }
  return left;
}

ExprPtr Parser::ParseMultiplicative() {
  ExprPtr left = ParseConcat();
  NestingGuard chain(*this);
  while (Peek().IsSymbol("*") || Peek().IsSymbol("/") || Peek().IsSymbol("%")) {
    chain.Enter(Peek());
    const std::string& symbol = Next().text;
    BinaryOp op = symbol == "*" ? BinaryOp::kMul : symbol == "/" ? BinaryOp::kDiv : BinaryOp::kMod;
    ExprPtr right = ParseConcat();
    ast::Span begin = left->span;
    left = MakeExprFrom(begin, ast::BinaryExpr{op, std::move(left), std::move(right)});
  }
  return left;
}

// `||` binds tightest of the binary operators, as in SQLite.
ExprPtr Parser::ParseConcat() {
  ExprPtr left = ParseUnary();
  NestingGuard chain(*this);
  while (Peek().IsSymbol("||")) {
    chain.Enter(Next());
    ExprPtr right = ParseUnary();
    ast::Span begin = left->span;
    left = MakeExprFrom(begin, ast::BinaryExpr{BinaryOp::kConcat, std::move(left), std::move(right)});
  }
  return left;
}

ExprPtr Parser::ParseUnary() {
  const Token& first = Peek();
  if (AcceptSymbol("-")) {
    NestingGuard nested(*this, first);
    ExprPtr operand = ParseUnary();
    return MakeExpr(first, ast::UnaryExpr{ast::UnaryOp::kNegate, std::move(operand)});
  }
  if (AcceptSymbol("+")) {
    NestingGuard nested(*this, first);
    ExprPtr operand = ParseUnary();
    return MakeExpr(first, ast::UnaryExpr{ast::UnaryOp::kPlus, std::move(operand)});
  }
  return ParsePostfix();
}

ExprPtr Parser::ParsePostfix() {
  ExprPtr expr = ParsePrimary();
  NestingGuard chain(*this);
  while (true) {
    ast::Span begin = expr->span;
    if (Peek().IsSymbol(".") && Peek(1).kind == TokenKind::kIdentifier) {
      chain.Enter(Next());
      std::string field = Next().text;
      expr = MakeExprFrom(begin, ast::MemberExpr{std::move(expr), std::move(field)});
    } else if (Peek().IsSymbol("[")) {
      chain.Enter(Next());
      ExprPtr index = ParseExpr();
      ExpectSymbol("]");
      expr = MakeExprFrom(begin, ast::IndexExpr{std::move(expr), std::move(index)});
    } else {
      return expr;
    }
  }
}

ExprPtr Parser::ParsePrimary() {
  const Token& first = Peek();
  switch (first.kind) {
    case TokenKind::kInteger: {
      Next();
      errno = 0;
      const bool hex = first.text.size() > 2 && (first.text[1] == 'x' || first.text[1] == 'X');
      char* end = nullptr;
      long long value = std::strtoll(first.text.c_str(), &end, hex ? 16 : 10);
      if (errno == ERANGE) Fail(first, "integer " + first.text + " is out of range (64-bit)");
      return MakeExpr(first, ast::LiteralExpr{Value(static_cast<int64_t>(value))});
    }
    case TokenKind::kFloat: {
      Next();
      double value = std::strtod(first.text.c_str(), nullptr);
      if (!std::isfinite(value)) Fail(first, "number " + first.text + " is out of range");
      return MakeExpr(first, ast::LiteralExpr{Value(value)});
    }
    case TokenKind::kString:
    case TokenKind::kDoubleString:
    case TokenKind::kCode:
      Next();
      return MakeExpr(first, ast::LiteralExpr{Value(first.text)});
    case TokenKind::kSymbol:
      if (first.IsSymbol("(")) {
        Next();
        if (StartsSqlAt(0)) {
          ast::SqlText sql = CaptureSql({}, /*stop_at_close_paren=*/true);
          ExpectSymbol(")");
          return MakeExpr(first, ast::QueryExpr{std::move(sql)});
        }
        ExprPtr inner = ParseExpr();
        ExpectSymbol(")");
        // The span includes the parentheses, so `(a + b) * c` quotes as written.
        inner->span = SpanFrom(first);
        return inner;
      }
      if (first.IsSymbol("{")) return ParseObjectLiteral(Next());
      if (first.IsSymbol("[")) return ParseArrayLiteral(Next());
      break;
    case TokenKind::kIdentifier: {
      if (first.IsKeyword("TRUE") || first.IsKeyword("FALSE")) {
        Next();
        return MakeExpr(first, ast::LiteralExpr{Value(first.IsKeyword("TRUE"))});
      }
      if (first.IsKeyword("NULL")) {
        Next();
        return MakeExpr(first, ast::LiteralExpr{Value()});
      }
      if (first.IsKeyword("INTERVAL") && (Peek(1).kind == TokenKind::kString ||
                                          Peek(1).kind == TokenKind::kDoubleString)) {
        Next();
        std::string text = Next().text;
        // SQL form: INTERVAL '7' DAY
        if (Peek().kind == TokenKind::kIdentifier && !Peek().quoted &&
            ParseInterval("1 " + Peek().text)) {
          text += " " + Next().text;
        }
        std::optional<double> seconds = ParseInterval(text);
        if (!seconds) {
          Fail(first, "malformed interval '" + text +
                          "': expected amounts with units, e.g. '7d', '12 hours', '1 day 30 minutes'");
        }
        return MakeExpr(first, ast::IntervalExpr{*seconds, text});
      }
      if (first.IsKeyword("CONNECTOR_EXEC")) return ParseExecCall(Next());
      if (first.IsKeyword("SELECT") || first.IsKeyword("WITH") || first.IsKeyword("VALUES")) {
        Fail(first, "a query used as a value needs parentheses: (SELECT …)");
      }
      Next();
      if (!first.quoted && AcceptSymbol("(")) {
        ast::CallExpr call;
        for (char c : first.text) call.name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (!Peek().IsSymbol(")")) {
          do {
            call.args.push_back(ParseExpr());
          } while (AcceptSymbol(","));
        }
        ExpectSymbol(")");
        return MakeExpr(first, std::move(call));
      }
      // SQL's niladic functions, written without parentheses.
      if (first.IsKeyword("CURRENT_TIMESTAMP") || first.IsKeyword("CURRENT_DATE") ||
          first.IsKeyword("CURRENT_TIME")) {
        ast::CallExpr call;
        for (char c : first.text) call.name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return MakeExpr(first, std::move(call));
      }
      return MakeExpr(first, ast::VariableExpr{first.text});
    }
    default:
      break;
  }
  FailExpected("an expression");
}

ExprPtr Parser::ParseObjectLiteral(const Token& open) {
  ast::ObjectExpr object;
  if (!Peek().IsSymbol("}")) {
    do {
      if (Peek().IsSymbol("}")) break;  // trailing comma
      const Token& key = Peek();
      if (key.kind != TokenKind::kDoubleString && key.kind != TokenKind::kString &&
          key.kind != TokenKind::kIdentifier) {
        FailExpected("an object key (\"name\")");
      }
      Next();
      for (const auto& [existing, unused] : object.entries) {
        if (existing == key.text) Fail(key, "duplicate key \"" + key.text + "\" in object");
      }
      ExpectSymbol(":");
      object.entries.emplace_back(key.text, ParseExpr());
    } while (AcceptSymbol(","));
  }
  ExpectSymbol("}");
  return MakeExpr(open, std::move(object));
}

ExprPtr Parser::ParseArrayLiteral(const Token& open) {
  ast::ArrayExpr array;
  if (!Peek().IsSymbol("]")) {
    do {
      if (Peek().IsSymbol("]")) break;  // trailing comma
      array.elements.push_back(ParseExpr());
    } while (AcceptSymbol(","));
  }
  ExpectSymbol("]");
  return MakeExpr(open, std::move(array));
}

ExprPtr Parser::ParseExecCall(const Token& first) {
  ast::ExecExpr exec;
  exec.connector = ParseIdentifierName("a connector name after CONNECTOR_EXEC").text;
  if (!Peek().IsSymbol(".")) FailExpected("'.' and an action (connector.entity.action)");
  while (AcceptSymbol(".")) {
    exec.path.push_back(ParseIdentifierName("an action name").text);
  }
  ExpectSymbol("(");
  if (!Peek().IsSymbol(")")) {
    if (Peek().kind == TokenKind::kIdentifier && Peek(1).IsSymbol("=>")) {
      do {
        const Token& name_token = Peek();
        ast::NamedArg arg;
        arg.name = ParseIdentifierName("an argument name").text;
        ExpectSymbol("=>");
        arg.value = ParseExpr();
        arg.span = SpanFrom(name_token);
        for (const auto& other : exec.named_args) {
          if (other.name == arg.name) Fail(name_token, "argument '" + arg.name + "' is given twice");
        }
        exec.named_args.push_back(std::move(arg));
      } while (AcceptSymbol(","));
    } else {
      exec.argument = ParseExpr();
      if (Peek().IsSymbol(",")) {
        Fail(Peek(), "CONNECTOR_EXEC takes one object argument or named arguments (name => value)");
      }
    }
  }
  ExpectSymbol(")");
  return MakeExpr(first, std::move(exec));
}

bool Parser::StartsSqlAt(size_t ahead) const {
  const Token& token = Peek(ahead);
  return token.IsKeyword("SELECT") || token.IsKeyword("WITH") || token.IsKeyword("VALUES");
}

ast::SqlText Parser::CaptureSql(std::initializer_list<std::string_view> stop_keywords,
                                bool stop_at_close_paren) {
  const Token& first = Peek();
  ast::SqlText sql;
  int depth = 0;
  // CREATE TRIGGER bodies hold ';' between BEGIN and END.
  bool trigger = first.IsKeyword("CREATE") &&
                 (PeekKeyword("TRIGGER", 1) ||
                  ((PeekKeyword("TEMP", 1) || PeekKeyword("TEMPORARY", 1)) && PeekKeyword("TRIGGER", 2)));
  int block_depth = 0;  // BEGIN/CASE … END inside a trigger
  while (!AtEnd()) {
    const Token& token = Peek();
    if (depth == 0 && block_depth == 0) {
      if (token.IsSymbol(";")) break;
      if (stop_at_close_paren && token.IsSymbol(")")) break;
      bool stop = false;
      for (std::string_view keyword : stop_keywords) stop = stop || token.IsKeyword(keyword);
      if (stop) break;
    }
    if (token.IsSymbol("(")) ++depth;
    // A stray ')' is left for SQLite to report; it must not make the ';'
    // that ends this statement look nested.
    if (token.IsSymbol(")") && depth > 0) --depth;
    if (trigger && (token.IsKeyword("BEGIN") || token.IsKeyword("CASE"))) ++block_depth;
    if (trigger && token.IsKeyword("END") && block_depth > 0) --block_depth;
    sql.tokens.push_back(Next());
  }
  if (sql.tokens.empty()) FailExpected("an SQL statement");
  if (depth > 0) {
    if (AtEnd()) Fail(Peek(), "unbalanced '(' in SQL");
  }
  sql.span = SpanFrom(first);
  return sql;
}

}  // namespace sluice::parser_detail
