#include "package/license.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sluice {
namespace {

#include "package/spdx_ids.inc"

// Hostile input guards: an expression longer than this or nested deeper is
// refused before parsing recurses.
constexpr size_t kMaxExpressionLength = 1000;
constexpr int kMaxDepth = 32;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct Lists {
  std::set<std::string_view> licenses;
  std::set<std::string_view> deprecated;
  std::set<std::string_view> exceptions;
  std::map<std::string, std::string_view> license_by_lower;
  std::map<std::string, std::string_view> exception_by_lower;
};

const Lists& SpdxLists() {
  static const Lists* lists = [] {
    auto* l = new Lists();
    for (std::string_view id : kSpdxLicenseIds) {
      l->licenses.insert(id);
      l->license_by_lower.emplace(Lower(id), id);
    }
    for (std::string_view id : kSpdxDeprecatedIds) l->deprecated.insert(id);
    for (std::string_view id : kSpdxExceptionIds) {
      l->exceptions.insert(id);
      l->exception_by_lower.emplace(Lower(id), id);
    }
    return l;
  }();
  return *lists;
}

// What to write instead of a deprecated identifier.
std::string DeprecatedHint(std::string_view id) {
  static const std::map<std::string_view, std::string_view> kReplacements = {
      {"BSD-2-Clause-FreeBSD", "BSD-2-Clause"},
      {"BSD-2-Clause-NetBSD", "BSD-2-Clause"},
      {"GPL-2.0-with-GCC-exception", "GPL-2.0-or-later WITH GCC-exception-2.0"},
      {"GPL-2.0-with-autoconf-exception", "GPL-2.0-or-later WITH Autoconf-exception-2.0"},
      {"GPL-2.0-with-bison-exception", "GPL-2.0-or-later WITH Bison-exception-2.2"},
      {"GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0"},
      {"GPL-2.0-with-font-exception", "GPL-2.0-only WITH Font-exception-2.0"},
      {"GPL-3.0-with-GCC-exception", "GPL-3.0-or-later WITH GCC-exception-3.1"},
      {"GPL-3.0-with-autoconf-exception", "GPL-3.0-or-later WITH Autoconf-exception-3.0"},
      {"Nunit", "zlib-acknowledgement"},
      {"StandardML-NJ", "SMLNJ"},
      {"bzip2-1.0.5", "bzip2-1.0.6"},
      {"eCos-2.0", "GPL-2.0-or-later WITH eCos-exception-2.0"},
      {"wxWindows", "GPL-2.0-or-later WITH WxWindows-exception-3.1"},
  };
  const Lists& lists = SpdxLists();
  std::string only = std::string(id) + "-only";
  if (lists.licenses.count(only)) {
    return "use " + only + " or " + std::string(id) + "-or-later";
  }
  auto it = kReplacements.find(id);
  if (it != kReplacements.end()) return "use " + std::string(it->second);
  return "see https://spdx.org/licenses/ for its replacement";
}

struct Token {
  std::string text;
  size_t offset = 0;
};

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == ':' || c == '+';
}

class Parser {
 public:
  explicit Parser(std::string_view expression) : expression_(expression) {}

  Status Run() {
    if (expression_.size() > kMaxExpressionLength) {
      return Error("is longer than " + std::to_string(kMaxExpressionLength) + " characters");
    }
    for (size_t i = 0; i < expression_.size();) {
      char c = expression_[i];
      if (c == ' ' || c == '\t') {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.push_back({std::string(1, c), i});
        ++i;
      } else if (IsIdChar(c)) {
        size_t start = i;
        while (i < expression_.size() && IsIdChar(expression_[i])) ++i;
        tokens_.push_back({std::string(expression_.substr(start, i - start)), start});
      } else {
        return Error("has an unexpected character '" + Printable(c) + "' at position " +
                     std::to_string(i + 1));
      }
    }
    if (tokens_.empty()) return Error("is empty");
    RETURN_IF_ERROR(OrExpression(0));
    if (pos_ < tokens_.size()) {
      const std::string& text = tokens_[pos_].text;
      if (Lower(text) == "and" || Lower(text) == "or" || Lower(text) == "with") {
        return Error("has '" + text + "': operators are upper case (" + Upper(text) + ")");
      }
      return Error("has '" + text + "' where an operator or the end was expected");
    }
    return Status::Ok();
  }

 private:
  static std::string Printable(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      return std::string("\\x") + kHex[u >> 4] + kHex[u & 0xf];
    }
    return std::string(1, c);
  }

  Status Error(const std::string& what) const {
    std::string shown;
    for (char c : expression_.substr(0, 200)) shown += Printable(c);
    return Status(ErrorKind::kInvalidArgument, "license '" + shown + "' " + what);
  }

  const Token* Peek() const { return pos_ < tokens_.size() ? &tokens_[pos_] : nullptr; }
  bool PeekIs(std::string_view text) const { return Peek() && Peek()->text == text; }

  Status OrExpression(int depth) {
    RETURN_IF_ERROR(AndExpression(depth));
    while (PeekIs("OR")) {
      ++pos_;
      RETURN_IF_ERROR(AndExpression(depth));
    }
    return Status::Ok();
  }

  Status AndExpression(int depth) {
    RETURN_IF_ERROR(Primary(depth));
    while (PeekIs("AND")) {
      ++pos_;
      RETURN_IF_ERROR(Primary(depth));
    }
    return Status::Ok();
  }

  Status Primary(int depth) {
    const Token* token = Peek();
    if (!token) return Error("ends where a license was expected");
    if (token->text == "(") {
      if (depth >= kMaxDepth)
        return Error("nests parentheses deeper than " + std::to_string(kMaxDepth));
      ++pos_;
      RETURN_IF_ERROR(OrExpression(depth + 1));
      if (!PeekIs(")")) return Error("has an unclosed '('");
      ++pos_;
      return Status::Ok();
    }
    if (token->text == ")" || token->text == "AND" || token->text == "OR" ||
        token->text == "WITH") {
      return Error("has '" + token->text + "' where a license was expected");
    }
    ++pos_;
    RETURN_IF_ERROR(SimpleExpression(token->text));
    if (PeekIs("WITH")) {
      ++pos_;
      const Token* exception = Peek();
      if (!exception || exception->text == "(" || exception->text == ")") {
        return Error("needs an exception identifier after WITH");
      }
      ++pos_;
      RETURN_IF_ERROR(ExceptionId(exception->text));
    }
    return Status::Ok();
  }

  Status SimpleExpression(const std::string& text) {
    std::string_view id = text;
    for (std::string_view op : {"and", "or", "with", "And", "Or", "With"}) {
      if (id == op)
        return Error("has '" + text + "': operators are upper case (" + Upper(text) + ")");
    }
    if (id.starts_with("DocumentRef-")) {
      size_t colon = id.find(':');
      if (colon == std::string_view::npos || colon == 12 || !IsRefId(id.substr(12, colon - 12))) {
        return Error("has a malformed reference '" + text + "' (DocumentRef-<id>:LicenseRef-<id>)");
      }
      id = id.substr(colon + 1);
      if (!id.starts_with("LicenseRef-")) {
        return Error("has a malformed reference '" + text + "' (DocumentRef-<id>:LicenseRef-<id>)");
      }
    }
    if (id.starts_with("LicenseRef-")) {
      if (!IsRefId(id.substr(11))) return Error("has a malformed LicenseRef '" + text + "'");
      return Status::Ok();
    }
    if (id.find(':') != std::string_view::npos)
      return Error("has a malformed identifier '" + text + "'");
    if (id.size() > 1 && id.back() == '+') id.remove_suffix(1);
    if (id.find('+') != std::string_view::npos)
      return Error("has a malformed identifier '" + text + "'");
    const Lists& lists = SpdxLists();
    if (lists.licenses.count(id)) return Status::Ok();
    if (lists.deprecated.count(id)) {
      return Error("uses the deprecated SPDX identifier '" + std::string(id) +
                   "': " + DeprecatedHint(id));
    }
    auto near = lists.license_by_lower.find(Lower(id));
    if (near != lists.license_by_lower.end()) {
      return Error("has the unknown license '" + std::string(id) +
                   "' (identifiers are case-sensitive): did you mean " + std::string(near->second) +
                   "?");
    }
    if (lists.exceptions.count(id)) {
      return Error("has the exception '" + std::string(id) +
                   "' where a license was expected (use LICENSE WITH " + std::string(id) + ")");
    }
    return Error("has the unknown license '" + std::string(id) +
                 "': not an SPDX identifier (https://spdx.org/licenses/); write LicenseRef-<name> "
                 "for another license");
  }

  Status ExceptionId(const std::string& text) {
    const Lists& lists = SpdxLists();
    if (lists.exceptions.count(text)) return Status::Ok();
    auto near = lists.exception_by_lower.find(Lower(text));
    if (near != lists.exception_by_lower.end()) {
      return Error("has the unknown exception '" + text +
                   "' (identifiers are case-sensitive): did you mean " + std::string(near->second) +
                   "?");
    }
    return Error("has the unknown exception '" + text +
                 "' after WITH (https://spdx.org/licenses/exceptions-index.html)");
  }

  static bool IsRefId(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return IsIdChar(c) && c != ':' && c != '+'; });
  }

  static std::string Upper(std::string s) {
    for (char& c : s) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
  }

  std::string_view expression_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Status ValidateSpdxExpression(std::string_view expression) { return Parser(expression).Run(); }

bool IsSpdxLicenseId(std::string_view id) { return SpdxLists().licenses.count(id) > 0; }

}  // namespace sluice
