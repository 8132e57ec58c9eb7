#include "lang/sql_binding.h"

#include <cstdlib>

namespace sluice {
namespace {

bool IsTablePosition(const Token& previous) {
  for (std::string_view keyword : {"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "AS"}) {
    if (previous.IsKeyword(keyword)) return true;
  }
  return false;
}

}  // namespace

Result<BoundSql> BindVariables(const ast::SqlText& sql, const Variables& variables) {
  BoundSql bound;
  std::string_view source = sql.span.Text();
  const uint32_t base = sql.span.begin.offset;
  uint32_t copied = base;  // source offset up to which text is copied
  const std::vector<Token>& tokens = sql.tokens;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.kind != TokenKind::kIdentifier) continue;
    if (i > 0 && (tokens[i - 1].IsSymbol(".") || IsTablePosition(tokens[i - 1]))) continue;
    if (i + 1 < tokens.size() && tokens[i + 1].IsSymbol("(")) continue;
    const Value* value = variables.Find(token.text);
    if (!value) continue;
    // Walk the .field / [n] chain.
    Value current = *value;
    size_t end = i;
    auto at = [&](size_t k) -> const Token* { return k < tokens.size() ? &tokens[k] : nullptr; };
    while (true) {
      const Token* a = at(end + 1);
      const Token* b = at(end + 2);
      const Token* c = at(end + 3);
      if (a && b && a->IsSymbol(".") && b->kind == TokenKind::kIdentifier) {
        current = current.is_object() && current.contains(b->text) ? current[b->text] : Value();
        end += 2;
      } else if (a && b && c && a->IsSymbol("[") && b->kind == TokenKind::kInteger && c->IsSymbol("]")) {
        long long index = std::strtoll(b->text.c_str(), nullptr, 10);
        current = current.is_array() && index >= 0 && static_cast<size_t>(index) < current.size()
                      ? current[static_cast<size_t>(index)]
                      : Value();
        end += 3;
      } else {
        break;
      }
    }
    bound.text.append(source.substr(copied - base, token.offset - copied));
    bound.params.push_back(std::move(current));
    bound.text += "?" + std::to_string(bound.params.size());
    copied = tokens[end].end();
    i = end;
  }
  bound.text.append(source.substr(copied - base));
  return bound;
}

std::vector<std::pair<std::string, std::string>> QualifiedTableNames(const ast::SqlText& sql) {
  std::vector<std::pair<std::string, std::string>> names;
  const std::vector<Token>& tokens = sql.tokens;
  for (size_t i = 0; i + 3 < tokens.size(); ++i) {
    if (!(tokens[i].IsKeyword("FROM") || tokens[i].IsKeyword("JOIN"))) continue;
    if (tokens[i + 1].kind == TokenKind::kIdentifier && tokens[i + 2].IsSymbol(".") &&
        tokens[i + 3].kind == TokenKind::kIdentifier) {
      names.emplace_back(tokens[i + 1].text, tokens[i + 3].text);
    }
  }
  return names;
}

}  // namespace sluice
