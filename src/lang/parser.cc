#include "lang/parser.h"

#include <algorithm>
#include <unordered_set>

#include "core/secret_masker.h"

#include "lang/lexer.h"
#include "lang/parser_internal.h"

namespace sluice {
namespace parser_detail {

const Token& Parser::Peek(size_t ahead) const {
  size_t index = pos_ + ahead;
  return index < tokens_.size() ? tokens_[index] : tokens_.back();
}

const Token& Parser::Next() {
  const Token& token = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return token;
}

bool Parser::AcceptKeyword(std::string_view keyword) {
  if (!Peek().IsKeyword(keyword)) return false;
  Next();
  return true;
}

bool Parser::AcceptSymbol(std::string_view symbol) {
  if (!Peek().IsSymbol(symbol)) return false;
  Next();
  return true;
}

void Parser::ExpectKeyword(std::string_view keyword) {
  if (!AcceptKeyword(keyword)) FailExpected(keyword);
}

void Parser::ExpectSymbol(std::string_view symbol) {
  if (!AcceptSymbol(symbol)) FailExpected("'" + std::string(symbol) + "'");
}

SourceLocation Parser::LocationAtOffset(uint32_t offset) const {
  auto next_line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  SourceLocation at;
  at.file = source_;
  at.offset = offset;
  at.line = static_cast<uint32_t>(next_line - line_starts_.begin());
  at.column = offset - *(next_line - 1) + 1;
  return at;
}

ast::Span Parser::SpanFrom(const Token& first) const {
  ast::Span span;
  span.begin = LocationOf(first);
  span.end_offset = pos_ > 0 ? tokens_[pos_ - 1].end() : first.end();
  if (span.end_offset < first.offset) span.end_offset = first.end();
  return span;
}

void Parser::Fail(const Token& at, const std::string& message) {
  if (at.kind == TokenKind::kEnd) hit_end_ = true;
  throw ParseError{Status(ErrorKind::kParse, message).At(LocationOf(at))};
}

void Parser::EnterLevel(const Token& at) {
  if (nesting_ + 1 > kMaxNesting) {
    Fail(at, "too deeply nested: more than " + std::to_string(kMaxNesting) +
                 " levels of parentheses, brackets, braces, operators or blocks");
  }
  ++nesting_;
}

namespace {
std::string Describe(const Token& token, bool secret) {
  // A literal of a CREATE SECRET, even a mistyped one, is never quoted.
  if (secret) return "a string";
  switch (token.kind) {
    case TokenKind::kEnd: return "end of input";
    case TokenKind::kString: return "string '" + token.text + "'";
    case TokenKind::kDoubleString: return "string \"" + token.text + "\"";
    case TokenKind::kCode: return "code string";
    case TokenKind::kSymbol: return "'" + token.text + "'";
    default: return "'" + token.text + "'";
  }
}
}  // namespace

void Parser::FailExpected(std::string_view what) {
  Fail(Peek(), "expected " + std::string(what) + ", found " + Describe(Peek(), secret_literals_.count(Peek().offset) > 0));
}

ast::Name Parser::ParseIdentifierName(std::string_view what) {
  const Token& token = Peek();
  if (token.kind != TokenKind::kIdentifier) FailExpected(what);
  Next();
  return ast::Name{token.text, SpanFrom(token)};
}

ast::Name Parser::ParseStringName(std::string_view what) {
  const Token& token = Peek();
  if (token.kind != TokenKind::kString && token.kind != TokenKind::kDoubleString) {
    FailExpected(std::string(what) + " in quotes");
  }
  Next();
  if (token.text.empty()) Fail(token, std::string(what) + " must not be empty");
  return ast::Name{token.text, SpanFrom(token)};
}

std::string Parser::ParseStringLiteral(std::string_view what) {
  const Token& token = Peek();
  if (token.kind != TokenKind::kString && token.kind != TokenKind::kDoubleString) {
    FailExpected(what);
  }
  Next();
  return token.text;
}

ast::Name Parser::ParseDottedName(std::string_view what) {
  const Token& first = Peek();
  std::string text = ParseIdentifierName(what).text;
  while (Peek().IsSymbol(".") && Peek(1).kind == TokenKind::kIdentifier) {
    Next();
    text += "." + Next().text;
  }
  return ast::Name{text, SpanFrom(first)};
}

void Parser::SkipStatement() {
  int depth = 0;
  while (!AtEnd()) {
    const Token& token = Next();
    if (token.IsSymbol("(") || token.IsSymbol("[") || token.IsSymbol("{")) ++depth;
    if ((token.IsSymbol(")") || token.IsSymbol("]") || token.IsSymbol("}")) && depth > 0) --depth;
    if (token.IsSymbol(";") && depth == 0) return;
  }
}

ParseResult Parser::Run(std::vector<Status> lex_errors, bool lex_unterminated) {
  ParseResult result;
  result.program.source = source_;
  result.program.statements = ParseBlock({});
  // An unterminated string or comment swallows the rest of the input; the
  // parser's complaint about the missing end would only repeat it.
  if (lex_unterminated) {
    const uint32_t end = static_cast<uint32_t>(source_->text.size());
    std::erase_if(errors_, [&](const Status& e) { return e.location()->offset >= end; });
  }
  // Lexical errors interleave with syntax errors in source order.
  errors_.insert(errors_.end(), std::make_move_iterator(lex_errors.begin()),
                 std::make_move_iterator(lex_errors.end()));
  std::stable_sort(errors_.begin(), errors_.end(), [](const Status& a, const Status& b) {
    return a.location()->offset < b.location()->offset;
  });
  result.errors = std::move(errors_);
  result.incomplete = lex_unterminated || hit_end_;
  return result;
}

ast::Block Parser::ParseBlock(std::initializer_list<std::string_view> terminators) {
  NestingGuard nested(*this, Peek());
  ast::Block block;
  while (!AtEnd()) {
    for (std::string_view terminator : terminators) {
      if (Peek().IsKeyword(terminator)) return block;
    }
    if (AcceptSymbol(";")) continue;  // empty statement
    size_t start = pos_;
    try {
      block.push_back(ParseStatement());
    } catch (ParseError& error) {
      errors_.push_back(std::move(error.status));
      constexpr size_t kMaxErrors = 50;
      if (errors_.size() >= kMaxErrors) {
        errors_.push_back(Status(ErrorKind::kParse, "too many errors; stopped parsing here")
                              .At(LocationOf(Peek())));
        pos_ = tokens_.size() - 1;
        return block;
      }
      if (pos_ == start) Next();  // always make progress
      SkipStatement();
    }
  }
  return block;
}

void Parser::ExpectStatementEnd() {
  if (AcceptSymbol(";")) return;
  if (AtEnd() && !options_.require_final_semicolon) return;
  FailExpected("';' at the end of the statement");
}

}  // namespace parser_detail

ParseResult Parse(std::shared_ptr<const SourceFile> source, const ParseOptions& options) {
  LexResult lexed = Lex(source);
  // Known to the masker before any error can quote their line, in the form
  // they have in the source too ('it''s', "\u00e9") since that is what an
  // error's excerpt shows.
  SecretStatements secrets = FindSecretStatements(lexed.tokens);
  std::unordered_set<uint32_t> secret_offsets;
  for (size_t index : secrets.literals) {
    const Token& literal = lexed.tokens[index];
    SecretMasker::Global().Add(literal.text);
    const size_t quote = literal.kind == TokenKind::kCode ? 3 : 1;
    if (literal.length > 2 * quote) {
      SecretMasker::Global().Add(std::string_view(source->text).substr(literal.offset + quote, literal.length - 2 * quote));
    }
    secret_offsets.insert(literal.offset);
  }
  parser_detail::Parser parser(source, std::move(lexed.tokens), options);
  parser.set_secret_literals(std::move(secret_offsets));
  ParseResult result = parser.Run(std::move(lexed.errors), lexed.unterminated);
  result.carries_secret = secrets.found;
  return result;
}

}  // namespace sluice
