// Scripting statements: DECLARE, SET, PRINT, ASSERT, IF, FOR, TRY.
#include "lang/parser_internal.h"

namespace sluice::parser_detail {

namespace {
// `= SELECT …` without parentheses, as DESIGN.md writes it.
ast::ExprPtr ParseValueOrQuery(Parser& parser) {
  const Token& first = parser.Peek();
  if (parser.StartsSqlAt(0)) {
    auto expr = std::make_unique<ast::Expr>();
    ast::SqlText sql = parser.CaptureSql({}, /*stop_at_close_paren=*/false);
    expr->span = sql.span;
    expr->node = ast::QueryExpr{std::move(sql)};
    (void)first;
    return expr;
  }
  return parser.ParseExpr();
}
}  // namespace

ast::Statement Parser::ParseDeclare(const Token& first) {
  Next();  // DECLARE
  ast::DeclareStmt statement;
  statement.name = ParseIdentifierName("a variable name");
  if (AcceptSymbol("=") || AcceptSymbol(":=")) statement.init = ParseValueOrQuery(*this);
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseSet(const Token& first) {
  Next();  // SET
  ast::SetStmt statement;
  statement.name = ParseIdentifierName("a variable name");
  if (!AcceptSymbol("=") && !AcceptSymbol(":=")) FailExpected("'='");
  statement.value = ParseValueOrQuery(*this);
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParsePrint(const Token& first) {
  Next();  // PRINT
  ast::PrintStmt statement;
  do {
    statement.values.push_back(ParseExpr());
  } while (AcceptSymbol(","));
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseAssert(const Token& first) {
  Next();  // ASSERT
  ast::AssertStmt statement;
  statement.condition = ParseExpr();
  if (AcceptSymbol(",")) statement.message = ParseExpr();
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseIf(const Token& first) {
  Next();  // IF
  ast::IfStmt statement;
  ast::IfBranch branch;
  branch.condition = ParseExpr();
  ExpectKeyword("THEN");
  branch.body = ParseBlock({"ELSIF", "ELSEIF", "ELSE", "END"});
  statement.branches.push_back(std::move(branch));
  while (AcceptKeyword("ELSIF") || AcceptKeyword("ELSEIF")) {
    ast::IfBranch next;
    next.condition = ParseExpr();
    ExpectKeyword("THEN");
    next.body = ParseBlock({"ELSIF", "ELSEIF", "ELSE", "END"});
    statement.branches.push_back(std::move(next));
  }
  if (AcceptKeyword("ELSE")) statement.else_body = ParseBlock({"END"});
  ExpectKeyword("END");
  ExpectKeyword("IF");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseFor(const Token& first) {
  Next();  // FOR
  ast::ForStmt statement;
  statement.variable = ParseIdentifierName("a loop variable");
  ExpectKeyword("IN");
  statement.iterable = ParseExpr();
  ExpectKeyword("LOOP");
  statement.body = ParseBlock({"END"});
  ExpectKeyword("END");
  ExpectKeyword("LOOP");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseTry(const Token& first) {
  Next();  // TRY
  ast::TryStmt statement;
  statement.body = ParseBlock({"CATCH", "END"});
  while (PeekKeyword("CATCH")) {
    const Token& catch_token = Next();
    ast::CatchClause clause;
    // Error kinds follow CATCH (lower-case names such as auth_error or
    // not_found); no statement starts with one of those words.
    while (Peek().kind == TokenKind::kIdentifier && !Peek().quoted &&
           (ErrorKindFromName(Peek().text) || Peek().text.ends_with("_error"))) {
      const Token& kind = Peek();
      if (!ErrorKindFromName(kind.text)) {
        Fail(kind, "unknown error kind '" + kind.text +
                       "' (connector_error, auth_error, rate_limit_error, connection_error, "
                       "timeout_error, …)");
      }
      clause.kinds.push_back(ParseIdentifierName("an error kind"));
      if (!AcceptSymbol(",")) AcceptKeyword("OR");
    }
    clause.body = ParseBlock({"CATCH", "END"});
    clause.span = SpanFrom(catch_token);
    statement.catches.push_back(std::move(clause));
  }
  if (statement.catches.empty()) FailExpected("CATCH");
  ExpectKeyword("END");
  ExpectKeyword("TRY");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

}  // namespace sluice::parser_detail
