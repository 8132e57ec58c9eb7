#include "lang/lexer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "core/utf8.h"

namespace sluice {

const char* TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kIdentifier: return "identifier";
    case TokenKind::kString: return "string";
    case TokenKind::kDoubleString: return "string";
    case TokenKind::kCode: return "code string";
    case TokenKind::kInteger: return "integer";
    case TokenKind::kFloat: return "number";
    case TokenKind::kParameter: return "parameter";
    case TokenKind::kSymbol: return "symbol";
    case TokenKind::kEnd: return "end of input";
  }
  return "token";
}

bool Token::IsKeyword(std::string_view keyword) const {
  if (kind != TokenKind::kIdentifier || quoted || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != keyword[i]) return false;
  }
  return true;
}

namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // UTF-8 letters
}
bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$'; }

// Longest symbols first so "<=" wins over "<".
constexpr std::array<std::string_view, 15> kTwoCharSymbols = {
    "==", "!=", "<>", "<=", ">=", "||", "=>", "<<", ">>", "->", "::", ":=", "&&", "**", "!~"};
constexpr std::string_view kOneCharSymbols = "(){}[],;.:=<>+-*/%&|~!^";

class Lexer {
 public:
  explicit Lexer(const std::shared_ptr<const SourceFile>& source)
      : source_(source), text_(source->text) {}

  LexResult Run() {
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= text_.size()) break;
      LexOne();
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.offset = static_cast<uint32_t>(text_.size());
    result_.tokens.push_back(end);
    return std::move(result_);
  }

 private:
  void Error(uint32_t at, std::string message) {
    // Past this many, more errors only bury the first ones (and binary input
    // would make one per byte).
    constexpr size_t kMaxErrors = 50;
    if (result_.errors.size() >= kMaxErrors) return;
    result_.errors.push_back(Status(ErrorKind::kParse, std::move(message)).At(LocationAt(source_, at)));
  }

  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '-' && Peek(1) == '-') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && Peek(1) == '*') {
        uint32_t start = pos_;
        size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) {
          Error(start, "unterminated /* comment");
          result_.unterminated = true;
          pos_ = static_cast<uint32_t>(text_.size());
        } else {
          pos_ = static_cast<uint32_t>(end + 2);
        }
      } else {
        return;
      }
    }
  }

  bool AfterQuotedToken() const {
    if (result_.tokens.empty()) return false;
    const Token& last = result_.tokens.back();
    return last.kind == TokenKind::kString || last.kind == TokenKind::kDoubleString ||
           (last.kind == TokenKind::kIdentifier && last.quoted);
  }

  char Peek(size_t ahead) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void Push(TokenKind kind, std::string text, uint32_t start, bool quoted = false) {
    Token token;
    token.kind = kind;
    token.text = std::move(text);
    token.offset = start;
    token.length = pos_ - start;
    token.quoted = quoted;
    result_.tokens.push_back(std::move(token));
  }

  void LexOne() {
    uint32_t start = pos_;
    char c = text_[pos_];
    if (c == '\'' && Peek(1) == '\'' && Peek(2) == '\'') return LexCode(start);
    if (c == '\'') return LexSingleQuoted(start);
    if (c == '"') return LexDoubleQuoted(start);
    if (c == '`') return LexBacktick(start);
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      return LexNumber(start);
    }
    if (IsIdentStart(c)) {
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      return Push(TokenKind::kIdentifier, std::string(text_.substr(start, pos_ - start)), start);
    }
    // `:name` is a parameter — except right after a string or a quoted
    // name, where SQL never puts one and JSON puts its colon: {"a":true}.
    if (c == ':' && AfterQuotedToken()) {
      ++pos_;
      return Push(TokenKind::kSymbol, ":", start);
    }
    if (c == '?' || ((c == ':' || c == '@' || c == '$') && IsIdentStart(Peek(1)))) {
      ++pos_;
      while (pos_ < text_.size() && (IsIdentChar(text_[pos_]))) ++pos_;
      return Push(TokenKind::kParameter, std::string(text_.substr(start, pos_ - start)), start);
    }
    for (std::string_view symbol : kTwoCharSymbols) {
      if (text_.substr(pos_, 2) == symbol) {
        pos_ += 2;
        return Push(TokenKind::kSymbol, std::string(symbol), start);
      }
    }
    if (kOneCharSymbols.find(c) != std::string_view::npos) {
      ++pos_;
      return Push(TokenKind::kSymbol, std::string(1, c), start);
    }
    ++pos_;
    // Skip the rest of a multi-byte character so one error covers it.
    while (pos_ < text_.size() && IsUtf8Continuation(text_[pos_])) ++pos_;
    Error(start, "unexpected character '" + std::string(text_.substr(start, pos_ - start)) + "'");
  }

  void LexCode(uint32_t start) {
    size_t end = text_.find("'''", pos_ + 3);
    if (end == std::string_view::npos) {
      Error(start, "unterminated ''' code string");
      result_.unterminated = true;
      pos_ = static_cast<uint32_t>(text_.size());
      return;
    }
    std::string code(text_.substr(pos_ + 3, end - pos_ - 3));
    pos_ = static_cast<uint32_t>(end + 3);
    Push(TokenKind::kCode, std::move(code), start);
  }

  void LexSingleQuoted(uint32_t start) {
    std::string value;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '\'') {
        if (Peek(0) == '\'') {
          value += '\'';
          ++pos_;
          continue;
        }
        return Push(TokenKind::kString, std::move(value), start);
      }
      value += c;
    }
    Error(start, "unterminated string");
    result_.unterminated = true;
  }

  void LexBacktick(uint32_t start) {
    std::string value;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '`') {
        if (Peek(0) == '`') {
          value += '`';
          ++pos_;
          continue;
        }
        return Push(TokenKind::kIdentifier, std::move(value), start, /*quoted=*/true);
      }
      value += c;
    }
    Error(start, "unterminated `quoted name`");
    result_.unterminated = true;
  }

  // JSON string escapes, so JSON pasted into a script means what it says.
  void LexDoubleQuoted(uint32_t start) {
    std::string value;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return Push(TokenKind::kDoubleString, std::move(value), start);
      if (c != '\\') {
        value += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        case 'r': value += '\r'; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case '/': value += '/'; break;
        case '\\': value += '\\'; break;
        case '"': value += '"'; break;
        case 'u': {
          const uint32_t escape = pos_ - 2;
          uint32_t cp = 0;
          if (!ReadHex4(cp)) {
            Error(escape, "bad \\u escape: expected four hex digits");
            break;
          }
          if (cp >= 0xD800 && cp <= 0xDBFF && Peek(0) == '\\' && Peek(1) == 'u') {
            uint32_t save = pos_;
            pos_ += 2;
            uint32_t low = 0;
            if (ReadHex4(low) && low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;
            }
          }
          // A lone surrogate has no UTF-8 form; JSON output would reject it.
          if (cp >= 0xD800 && cp <= 0xDFFF) {
            Error(escape, "bad \\u escape: unpaired surrogate");
            break;
          }
          AppendUtf8(value, cp);
          break;
        }
        default:
          Error(pos_ - 2, std::string("unknown escape \\") + e + " in string");
      }
    }
    Error(start, "unterminated string");
    result_.unterminated = true;
  }

  bool ReadHex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_ + i];
      out <<= 4;
      if (h >= '0' && h <= '9') out |= h - '0';
      else if (h >= 'a' && h <= 'f') out |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') out |= h - 'A' + 10;
      else return false;
    }
    pos_ += 4;
    return true;
  }

  void LexNumber(uint32_t start) {
    bool is_float = false;
    if (text_[pos_] == '0' && (Peek(1) == 'x' || Peek(1) == 'X') &&
        std::isxdigit(static_cast<unsigned char>(Peek(2)))) {
      pos_ += 2;
      while (pos_ < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      return Push(TokenKind::kInteger, std::string(text_.substr(start, pos_ - start)), start);
    }
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (Peek(0) == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
      is_float = true;
      ++pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    } else if (Peek(0) == '.' && !IsIdentStart(Peek(1))) {
      is_float = true;  // "1." as in SQL
      ++pos_;
    }
    if ((Peek(0) == 'e' || Peek(0) == 'E') &&
        (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
         ((Peek(1) == '+' || Peek(1) == '-') && std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
      is_float = true;
      pos_ += 2;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) {
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      Error(start, "malformed number '" + std::string(text_.substr(start, pos_ - start)) + "'");
      return;
    }
    Push(is_float ? TokenKind::kFloat : TokenKind::kInteger,
         std::string(text_.substr(start, pos_ - start)), start);
  }

  std::shared_ptr<const SourceFile> source_;
  std::string_view text_;
  uint32_t pos_ = 0;
  LexResult result_;
};

}  // namespace

LexResult Lex(const std::shared_ptr<const SourceFile>& source) { return Lexer(source).Run(); }

namespace {

// Edit distance counting a swap of neighbours as one edit (SECERT is one
// slip from SECRET), on upper-cased ASCII.
size_t TypoDistance(std::string_view word, std::string_view target) {
  const size_t n = word.size(), m = target.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = std::toupper(static_cast<unsigned char>(word[i - 1])) == target[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && std::toupper(static_cast<unsigned char>(word[i - 1])) == target[j - 2] &&
          std::toupper(static_cast<unsigned char>(word[i - 2])) == target[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

bool LooksLike(const Token& token, std::string_view keyword, size_t slips) {
  if (token.kind != TokenKind::kIdentifier || token.quoted || token.text.size() > keyword.size() + slips) {
    return false;
  }
  return TypoDistance(token.text, keyword) <= slips;
}

}  // namespace

SecretStatements FindSecretStatements(const std::vector<Token>& tokens) {
  SecretStatements found;
  size_t start = 0;
  for (size_t i = 0; i <= tokens.size(); ++i) {
    if (i < tokens.size() && !tokens[i].IsSymbol(";") && tokens[i].kind != TokenKind::kEnd) continue;
    // CREATE [OR REPLACE] SECRET name VALUE …, each word perhaps mistyped.
    size_t secret = i;
    if (i - start >= 2 && LooksLike(tokens[start], "CREATE", 2)) {
      for (size_t k = start + 1; k < i && k <= start + 3; ++k) {
        if (LooksLike(tokens[k], "SECRET", 2)) secret = k;
      }
    }
    size_t value = i;
    for (size_t k = secret + 1; k < i && value == i; ++k) {
      if (LooksLike(tokens[k], "VALUE", 1)) value = k;
    }
    if (value < i) {
      found.found = true;
      for (size_t k = value + 1; k < i; ++k) {
        TokenKind kind = tokens[k].kind;
        if (kind == TokenKind::kString || kind == TokenKind::kDoubleString || kind == TokenKind::kCode) {
          found.literals.push_back(k);
        }
      }
    }
    start = i + 1;
  }
  return found;
}

}  // namespace sluice
