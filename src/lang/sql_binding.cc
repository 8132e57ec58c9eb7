#include "lang/sql_binding.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "core/identifier.h"
#include "core/time_util.h"

namespace sluice {
namespace {

bool IsTablePosition(const Token& previous) {
  for (std::string_view keyword : {"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "AS"}) {
    if (previous.IsKeyword(keyword)) return true;
  }
  return false;
}

}  // namespace

namespace {

// Words that may follow a table reference but are not an alias.
bool EndsTableReference(const Token& token) {
  for (std::string_view keyword :
       {"WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS", "NATURAL", "FULL", "ON", "USING", "GROUP",
        "ORDER", "LIMIT", "OFFSET", "UNION", "EXCEPT", "INTERSECT", "WINDOW", "HAVING", "INDEXED", "NOT",
        "RETURNING", "SET", "VALUES", "AS"}) {
    if (token.IsKeyword(keyword)) return true;
  }
  return token.kind != TokenKind::kIdentifier;
}

// The first token of the operand that ends just before `op`, or npos when
// it is not a simple one (a name, a qualified name, a literal, a call or a
// parenthesized expression). `rewritten` maps the last token of an
// expression already rewritten to its first.
size_t OperandStart(const std::vector<Token>& tokens, size_t op, const std::map<size_t, size_t>& rewritten) {
  if (op == 0) return std::string::npos;
  size_t k = op - 1;
  if (auto found = rewritten.find(k); found != rewritten.end()) return found->second;
  if (tokens[k].IsSymbol(")")) {
    int depth = 0;
    for (size_t p = k + 1; p-- > 0;) {
      if (tokens[p].IsSymbol(")")) ++depth;
      if (tokens[p].IsSymbol("(") && --depth == 0) {
        return p > 0 && tokens[p - 1].kind == TokenKind::kIdentifier ? p - 1 : p;
      }
    }
    return std::string::npos;
  }
  TokenKind kind = tokens[k].kind;
  if (kind != TokenKind::kIdentifier && kind != TokenKind::kString && kind != TokenKind::kParameter &&
      kind != TokenKind::kDoubleString) {
    return std::string::npos;
  }
  while (k >= 2 && tokens[k - 1].IsSymbol(".") && tokens[k - 2].kind == TokenKind::kIdentifier) k -= 2;
  return k;
}

}  // namespace

Result<BoundSql> BindVariables(const ast::SqlText& sql, const Variables& variables,
                               const EntityTableResolver& resolve_table) {
  BoundSql bound;
  std::string_view source = sql.span.Text();
  const uint32_t base = sql.span.begin.offset;
  uint32_t copied = base;  // source offset up to which text is copied
  const std::vector<Token>& tokens = sql.tokens;
  // Where each token's text starts in the output, for rewrites that wrap an
  // operand already copied.
  std::vector<size_t> out_at(tokens.size(), 0);
  std::map<size_t, size_t> rewritten;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    out_at[i] = bound.text.size() + (token.offset >= copied ? token.offset - copied : 0);
    // ts ± INTERVAL '7d' → sluice_shift(ts, ±604800)
    if ((token.IsSymbol("-") || token.IsSymbol("+")) && i + 2 < tokens.size() &&
        tokens[i + 1].IsKeyword("INTERVAL") &&
        (tokens[i + 2].kind == TokenKind::kString || tokens[i + 2].kind == TokenKind::kDoubleString)) {
      std::optional<double> seconds = ParseInterval(tokens[i + 2].text);
      if (!seconds) {
        return Status(ErrorKind::kParse, "malformed interval '" + tokens[i + 2].text +
                                             "': expected amounts with units, e.g. '7d', '12 hours'");
      }
      size_t start = OperandStart(tokens, i, rewritten);
      if (start == std::string::npos) {
        return Status(ErrorKind::kParse,
                      "INTERVAL arithmetic needs a timestamp on its left: a column, NOW(), a string or (…)");
      }
      bound.text.append(source.substr(copied - base, token.offset - copied));
      size_t at = out_at[start];
      while (!bound.text.empty() && bound.text.back() == ' ') bound.text.pop_back();
      bound.text.insert(at, "sluice_shift(");
      char amount[64];
      std::snprintf(amount, sizeof amount, "%.17g", token.IsSymbol("-") ? -*seconds : *seconds);
      bound.text += std::string(", ") + amount + ")";
      copied = tokens[i + 2].end();
      rewritten[i + 2] = start;
      for (size_t k = start; k <= i + 2; ++k) out_at[k] = at;
      i += 2;
      continue;
    }
    if (token.kind != TokenKind::kIdentifier) continue;
    // x CONTAINS y → x MATCH y, which SQLite evaluates as match(y, x).
    if (token.IsKeyword("CONTAINS") && (i == 0 || !tokens[i - 1].IsSymbol("."))) {
      bound.text.append(source.substr(copied - base, token.offset - copied));
      bound.text += "MATCH";
      copied = token.end();
      continue;
    }
    if (i > 0 && tokens[i - 1].IsSymbol(".")) continue;
    // connector.entity → "connector.entity"
    if (resolve_table && i + 2 < tokens.size() && tokens[i + 1].IsSymbol(".") &&
        tokens[i + 2].kind == TokenKind::kIdentifier) {
      std::optional<std::string> table = resolve_table(token.text, tokens[i + 2].text);
      if (table) {
        bool qualifies_column = i + 3 < tokens.size() && tokens[i + 3].IsSymbol(".");
        std::string replacement;
        if (qualifies_column) {
          replacement = QuoteIdentifier(tokens[i + 2].text);  // gh.issues.id → "issues".id
        } else {
          replacement = QuoteIdentifier(*table);
          bool aliased = i + 3 < tokens.size() &&
                         (!EndsTableReference(tokens[i + 3]) || tokens[i + 3].IsKeyword("AS"));
          if (!aliased) replacement += " AS " + QuoteIdentifier(tokens[i + 2].text);
        }
        bound.text.append(source.substr(copied - base, token.offset - copied));
        bound.text += replacement;
        copied = tokens[i + 2].end();
        i += 2;
        continue;
      }
    }
    if (i > 0 && IsTablePosition(tokens[i - 1])) continue;
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

}  // namespace sluice
