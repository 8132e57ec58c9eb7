// Shared state of the recursive-descent parser, split over parser.cc
// (driver, recovery), parser_expr.cc (expressions) and parser_stmt.cc
// (statements). Not a public header.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "lang/ast.h"
#include "lang/parser.h"

namespace sluice::parser_detail {

inline bool IsStringToken(const Token& token) {
  return token.kind == TokenKind::kString || token.kind == TokenKind::kDoubleString;
}

// Thrown only inside the parser to unwind to the statement boundary; never
// escapes Parse().
struct ParseError {
  Status status;
};

class Parser {
 public:
  Parser(std::shared_ptr<const SourceFile> source, std::vector<Token> tokens,
         const ParseOptions& options)
      : source_(std::move(source)), tokens_(std::move(tokens)), options_(options) {
    // Positions are computed for every node; a line table keeps that
    // O(log lines) instead of a scan from the start of the text.
    line_starts_.push_back(0);
    for (uint32_t i = 0; i < source_->text.size(); ++i) {
      if (source_->text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  ParseResult Run(std::vector<Status> lex_errors, bool lex_unterminated);
  // Offsets of string tokens that hold a secret value (FindSecretStatements).
  void set_secret_literals(std::unordered_set<uint32_t> offsets) { secret_literals_ = std::move(offsets); }

  // --- token access (parser.cc)
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }
  bool AcceptKeyword(std::string_view keyword);
  bool AcceptSymbol(std::string_view symbol);
  bool PeekKeyword(std::string_view keyword, size_t ahead = 0) const {
    return Peek(ahead).IsKeyword(keyword);
  }
  void ExpectKeyword(std::string_view keyword);
  void ExpectSymbol(std::string_view symbol);
  [[noreturn]] void Fail(const Token& at, const std::string& message);
  [[noreturn]] void FailExpected(std::string_view what);
  // The syntax tree's depth is bounded, so neither the descent here nor the
  // evaluator's walk and the tree's destruction later can overflow the C++
  // stack whatever the input (about 4,600 nested '(' did). A level is a
  // nested expression, block, NOT or sign, and each operator of a chain
  // (`1 + 1 + …` is as deep as it is long). A NestingGuard holds the levels
  // it entered until it goes out of scope; a level past kMaxNesting is a
  // parse error there, naming the limit.
  static constexpr int kMaxNesting = 256;
  class NestingGuard {
   public:
    explicit NestingGuard(Parser& parser) : parser_(parser) {}
    NestingGuard(Parser& parser, const Token& at) : parser_(parser) { Enter(at); }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;
    ~NestingGuard() { parser_.nesting_ -= levels_; }
    void Enter(const Token& at) {
      parser_.EnterLevel(at);
      ++levels_;
    }

   private:
    Parser& parser_;
    int levels_ = 0;
  };
  void EnterLevel(const Token& at);
  // Clauses may come in any order, each at most once.
  void ClauseOnce(bool& seen, const Token& clause) {
    if (seen) Fail(clause, "clause " + clause.text + " is given twice");
    seen = true;
  }
  SourceLocation LocationOf(const Token& token) const { return LocationAtOffset(token.offset); }
  SourceLocation LocationAtOffset(uint32_t offset) const;
  ast::Span SpanFrom(const Token& first) const;  // first .. last consumed token

  // Names and literals.
  ast::Name ParseIdentifierName(std::string_view what);  // bare or `quoted`
  ast::Name ParseStringName(std::string_view what);      // 'quoted'
  std::string ParseStringLiteral(std::string_view what);
  ast::Name ParseDottedName(std::string_view what);      // a.b.c as one name

  // --- statements (parser_stmt.cc)
  // Parses statements until one of `terminators` (keywords) or end of input.
  ast::Block ParseBlock(std::initializer_list<std::string_view> terminators);
  ast::Statement ParseStatement();
  void ExpectStatementEnd();

  // --- expressions (parser_expr.cc)
  ast::ExprPtr ParseExpr();
  // SQL text up to ';' (or a stop keyword / closing paren at depth 0).
  ast::SqlText CaptureSql(std::initializer_list<std::string_view> stop_keywords,
                          bool stop_at_close_paren);
  ast::ExprPtr ParseExecCall(const Token& first);
  bool StartsSqlAt(size_t ahead) const;  // SELECT, WITH or VALUES

 private:
  // Statement parsers.
  ast::Statement ParseCreate(const Token& first);
  ast::Statement ParseCreateConnectorType(const Token& first, bool or_replace);
  ast::Statement ParseCreateEntity(const Token& first, bool or_replace);
  ast::Statement ParseCreateAction(const Token& first, bool or_replace);
  ast::Statement ParseCreateConnector(const Token& first, bool or_replace);
  ast::Statement ParseCreateSecret(const Token& first, bool or_replace);
  ast::Statement ParseCreateDestination(const Token& first, bool or_replace);
  ast::Statement ParseAlter(const Token& first);
  ast::Statement ParseDrop(const Token& first);
  ast::Statement ParseShow(const Token& first);
  ast::Statement ParseDescribe(const Token& first);
  ast::Statement ParseRegister(const Token& first);
  ast::Statement ParseTest(const Token& first);
  ast::Statement ParseSync(const Token& first);
  ast::Statement ParsePackage(const Token& first);
  ast::Statement ParsePublish(const Token& first);
  ast::Statement ParseInstall(const Token& first);
  ast::Statement ParseUpgrade(const Token& first);
  ast::Statement ParseRollback(const Token& first);
  ast::Statement ParseYank(const Token& first);
  ast::Statement ParseCreateRegistry(const Token& first, bool or_replace);
  std::string ParseNameOrString(std::string_view what);
  std::string ParseShardClause(const Token& clause);
  // `<verb> CONNECTOR TYPE 'name'`, the head of every package statement;
  // returns the type name.
  ast::Name ParsePackageVerbAndType();
  ast::Statement ParseDeclare(const Token& first);
  ast::Statement ParseSet(const Token& first);
  ast::Statement ParsePrint(const Token& first);
  ast::Statement ParseAssert(const Token& first);
  ast::Statement ParseIf(const Token& first);
  ast::Statement ParseFor(const Token& first);
  ast::Statement ParseTry(const Token& first);
  ast::Statement ParseSql(const Token& first);
  ast::HandlerCode ParseHandlerCode();
  ast::ObjectKind ParseObjectKind();
  template <typename Node>
  ast::Statement Make(const Token& first, Node&& node) {
    ast::Statement statement;
    statement.span = SpanFrom(first);
    statement.node = std::forward<Node>(node);
    return statement;
  }

  // Expression levels, lowest precedence first.
  ast::ExprPtr ParseOr();
  ast::ExprPtr ParseAnd();
  ast::ExprPtr ParseNot();
  ast::ExprPtr ParseComparison();
  ast::ExprPtr ParseAdditive();
  ast::ExprPtr ParseMultiplicative();
  ast::ExprPtr ParseConcat();
  ast::ExprPtr ParseUnary();
  ast::ExprPtr ParsePostfix();
  ast::ExprPtr ParsePrimary();
  ast::ExprPtr ParseObjectLiteral(const Token& open);
  ast::ExprPtr ParseArrayLiteral(const Token& open);
  template <typename Node>
  ast::ExprPtr MakeExpr(const Token& first, Node&& node) {
    auto expr = std::make_unique<ast::Expr>();
    expr->span = SpanFrom(first);
    expr->node = std::forward<Node>(node);
    return expr;
  }
  // For a node whose text starts where `begin` starts (binary operators).
  template <typename Node>
  ast::ExprPtr MakeExprFrom(const ast::Span& begin, Node&& node) {
    auto expr = std::make_unique<ast::Expr>();
    expr->span.begin = begin.begin;
    expr->span.end_offset = pos_ > 0 ? tokens_[pos_ - 1].end() : begin.end_offset;
    expr->node = std::forward<Node>(node);
    return expr;
  }

  // Recovery: skip to just past the next ';' at nesting depth 0.
  void SkipStatement();

  std::shared_ptr<const SourceFile> source_;
  std::vector<Token> tokens_;
  ParseOptions options_;
  size_t pos_ = 0;
  std::vector<Status> errors_;
  bool hit_end_ = false;  // an error was caused by running out of input
  std::vector<uint32_t> line_starts_;  // byte offset where each line begins
  std::unordered_set<uint32_t> secret_literals_;
  int nesting_ = -1;  // levels entered through Nest(); the script's own block is level 0
};

}  // namespace sluice::parser_detail
