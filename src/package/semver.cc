#include "package/semver.h"

#include <algorithm>
#include <map>
#include <regex>

namespace sluice::semver {
namespace {

// node-semver's limits: versions longer than this, or numbers above
// Number.MAX_SAFE_INTEGER, are invalid.
constexpr size_t kMaxVersionLength = 256;
constexpr uint64_t kMaxSafeInteger = 9007199254740991ull;
// Ranges are matched with std::regex, which recurses per character; a cap
// keeps hostile input from exhausting the stack. node-semver has no cap, but
// no real range comes near it.
constexpr size_t kMaxRangeLength = 1024;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, at - start));
    start = at + 1;
  }
}

// JavaScript's s.split(/\s+/): empty leading/trailing pieces kept.
std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  std::string current;
  size_t i = 0;
  while (i < s.size()) {
    if (IsSpace(s[i])) {
      out.push_back(std::move(current));
      current.clear();
      while (i < s.size() && IsSpace(s[i])) ++i;
    } else {
      current.push_back(s[i++]);
    }
  }
  out.push_back(std::move(current));
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// Parses a decimal number; nullopt above MAX_SAFE_INTEGER.
std::optional<uint64_t> ParseNumber(std::string_view digits) {
  if (digits.empty() || digits.size() > 16) return std::nullopt;
  uint64_t n = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > kMaxSafeInteger) return std::nullopt;
  return n;
}

// JavaScript's `+n + 1` rendered as text. Anything that does not fit becomes
// a number no version accepts, as node-semver's float would.
std::string Inc(const std::string& digits) {
  auto n = ParseNumber(digits);
  if (!n) return "99999999999999999999";
  return std::to_string(*n + 1);
}

bool IsX(const std::string& id) { return id.empty() || id == "x" || id == "X" || id == "*"; }

int CompareIdentifiers(const std::string& a, const std::string& b) {
  bool anum = AllDigits(a);
  bool bnum = AllDigits(b);
  if (anum && bnum) {
    // No leading zeros in strict identifiers: longer is larger.
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a == b ? 0 : (a < b ? -1 : 1);
  }
  if (a == b) return 0;
  if (anum) return -1;
  if (bnum) return 1;
  return a < b ? -1 : 1;
}

// ---- The regular expressions of node-semver's internal/re.js (safeRe: the
// whitespace quantifiers bounded the way makeSafeRegex does). ----
struct Patterns {
  std::string numeric = "0|[1-9]\\d*";
  std::string numeric_loose = "\\d+";
  std::string nonnumeric = "\\d*[a-zA-Z-][a-zA-Z0-9-]*";
  std::string main_version = "(" + numeric + ")\\.(" + numeric + ")\\.(" + numeric + ")";
  std::string main_version_loose =
      "(" + numeric_loose + ")\\.(" + numeric_loose + ")\\.(" + numeric_loose + ")";
  std::string pre_id = "(?:" + nonnumeric + "|" + numeric + ")";
  std::string pre_id_loose = "(?:" + nonnumeric + "|" + numeric_loose + ")";
  std::string prerelease = "(?:-(" + pre_id + "(?:\\." + pre_id + ")*))";
  std::string prerelease_loose = "(?:-?(" + pre_id_loose + "(?:\\." + pre_id_loose + ")*))";
  std::string build_id = "[a-zA-Z0-9-]+";
  std::string build = "(?:\\+(" + build_id + "(?:\\." + build_id + ")*))";
  std::string full_plain = "v?" + main_version + prerelease + "?" + build + "?";
  std::string loose_plain = "[v=\\s]*" + main_version_loose + prerelease_loose + "?" + build + "?";
  std::string gtlt = "((?:<|>)?=?)";
  std::string xid = numeric + "|x|X|\\*";
  std::string xrange_plain = "[v=\\s]*(" + xid + ")(?:\\.(" + xid + ")(?:\\.(" + xid +
                             ")(?:" + prerelease + ")?" + build + "?)?)?";

  std::regex full{"^" + full_plain + "$"};
  std::regex build_strip{build};
  std::regex hyphen{"^\\s?(" + xrange_plain + ")\\s-\\s(" + xrange_plain + ")\\s?$"};
  std::regex comparator_trim{"(\\s?)" + gtlt + "\\s?(" + loose_plain + "|" + xrange_plain + ")"};
  std::regex tilde_trim{"(\\s?)(?:~>?)\\s"};
  std::regex caret_trim{"(\\s?)(?:\\^)\\s"};
  std::regex tilde{"^(?:~>?)" + xrange_plain + "$"};
  std::regex caret{"^(?:\\^)" + xrange_plain + "$"};
  std::regex xrange{"^" + gtlt + "\\s?" + xrange_plain + "$"};
  std::regex star{"(<|>)?=?\\s?\\*"};
  std::regex gte0{"^\\s?>=\\s?0\\.0\\.0\\s?$"};
  std::regex comparator{"^" + gtlt + "\\s?(" + full_plain + ")$|^$"};
};

const Patterns& Re() {
  static const Patterns* patterns = new Patterns();
  return *patterns;
}

std::string Group(const std::smatch& m, size_t i) {
  return m[i].matched ? m[i].str() : std::string();
}

// node-semver's `new SemVer(text)` (not loose): a leading "v" is tolerated.
Result<Version> ParseNodeVersion(std::string_view text) {
  if (text.size() > kMaxVersionLength) {
    return Status(ErrorKind::kInvalidArgument, "version is longer than 256 characters");
  }
  std::string trimmed(Trim(text));
  std::smatch m;
  if (!std::regex_match(trimmed, m, Re().full)) {
    return Status(ErrorKind::kInvalidArgument, "invalid version '" + std::string(text) + "'");
  }
  Version v;
  auto major = ParseNumber(m[1].str());
  auto minor = ParseNumber(m[2].str());
  auto patch = ParseNumber(m[3].str());
  if (!major || !minor || !patch) {
    return Status(ErrorKind::kInvalidArgument,
                  "version '" + std::string(text) + "' has a number above 9007199254740991");
  }
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  if (m[4].matched) v.prerelease = Split(m[4].str(), '.');
  if (m[5].matched) v.build = Split(m[5].str(), '.');
  return v;
}

std::string MainText(const Version& v) {
  std::string s =
      std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
  if (!v.prerelease.empty()) s += "-" + Join(v.prerelease, ".");
  return s;
}

// ---- The desugaring steps of node-semver's classes/range.js. ----

template <typename Fn>
std::string ReplaceAnchored(const std::string& comp, const std::regex& re, Fn fn) {
  std::smatch m;
  if (!std::regex_match(comp, m, re)) return comp;
  return fn(m);
}

std::string HyphenReplace(const std::smatch& m) {
  std::string from = Group(m, 1), fM = Group(m, 2), fm = Group(m, 3), fp = Group(m, 4),
              fpr = Group(m, 5);
  std::string to = Group(m, 7), tM = Group(m, 8), tm = Group(m, 9), tp = Group(m, 10),
              tpr = Group(m, 11);
  if (IsX(fM)) {
    from = "";
  } else if (IsX(fm)) {
    from = ">=" + fM + ".0.0";
  } else if (IsX(fp)) {
    from = ">=" + fM + "." + fm + ".0";
  } else {
    from = ">=" + from;
  }
  if (IsX(tM)) {
    to = "";
  } else if (IsX(tm)) {
    to = "<" + Inc(tM) + ".0.0-0";
  } else if (IsX(tp)) {
    to = "<" + tM + "." + Inc(tm) + ".0-0";
  } else if (!tpr.empty()) {
    to = "<=" + tM + "." + tm + "." + tp + "-" + tpr;
  } else {
    to = "<=" + to;
  }
  return std::string(Trim(from + " " + to));
}

std::string ReplaceTilde(const std::string& comp) {
  return ReplaceAnchored(comp, Re().tilde, [](const std::smatch& m) {
    std::string M = Group(m, 1), mi = Group(m, 2), p = Group(m, 3), pr = Group(m, 4);
    if (IsX(M)) return std::string();
    if (IsX(mi)) return ">=" + M + ".0.0 <" + Inc(M) + ".0.0-0";
    if (IsX(p)) return ">=" + M + "." + mi + ".0 <" + M + "." + Inc(mi) + ".0-0";
    if (!pr.empty())
      return ">=" + M + "." + mi + "." + p + "-" + pr + " <" + M + "." + Inc(mi) + ".0-0";
    return ">=" + M + "." + mi + "." + p + " <" + M + "." + Inc(mi) + ".0-0";
  });
}

std::string ReplaceCaret(const std::string& comp) {
  return ReplaceAnchored(comp, Re().caret, [](const std::smatch& m) {
    std::string M = Group(m, 1), mi = Group(m, 2), p = Group(m, 3), pr = Group(m, 4);
    if (IsX(M)) return std::string();
    if (IsX(mi)) return ">=" + M + ".0.0 <" + Inc(M) + ".0.0-0";
    if (IsX(p)) {
      if (M == "0") return ">=" + M + "." + mi + ".0 <" + M + "." + Inc(mi) + ".0-0";
      return ">=" + M + "." + mi + ".0 <" + Inc(M) + ".0.0-0";
    }
    std::string low = ">=" + M + "." + mi + "." + p + (pr.empty() ? "" : "-" + pr);
    if (M == "0") {
      if (mi == "0") return low + " <" + M + "." + mi + "." + Inc(p) + "-0";
      return low + " <" + M + "." + Inc(mi) + ".0-0";
    }
    return low + " <" + Inc(M) + ".0.0-0";
  });
}

std::string ReplaceXRange(const std::string& raw) {
  std::string comp(Trim(raw));
  return ReplaceAnchored(comp, Re().xrange, [&comp](const std::smatch& m) {
    std::string ret = m[0].str();
    std::string gtlt = Group(m, 1), M = Group(m, 2), mi = Group(m, 3), p = Group(m, 4);
    if ((IsX(M) && !IsX(mi)) || (IsX(mi) && !p.empty() && !IsX(p))) return comp;
    bool xM = IsX(M);
    bool xm = xM || IsX(mi);
    bool xp = xm || IsX(p);
    bool any_x = xp;
    if (gtlt == "=" && any_x) gtlt = "";
    std::string pr;
    if (xM) {
      ret = (gtlt == ">" || gtlt == "<") ? "<0.0.0-0" : "*";
    } else if (!gtlt.empty() && any_x) {
      if (xm) mi = "0";
      p = "0";
      if (gtlt == ">") {
        gtlt = ">=";
        if (xm) {
          M = Inc(M);
          mi = "0";
        } else {
          mi = Inc(mi);
        }
        p = "0";
      } else if (gtlt == "<=") {
        gtlt = "<";
        if (xm) {
          M = Inc(M);
        } else {
          mi = Inc(mi);
        }
      }
      if (gtlt == "<") pr = "-0";
      ret = gtlt + M + "." + mi + "." + p + pr;
    } else if (xm) {
      ret = ">=" + M + ".0.0 <" + Inc(M) + ".0.0-0";
    } else if (xp) {
      ret = ">=" + M + "." + mi + ".0 <" + M + "." + Inc(mi) + ".0-0";
    }
    return ret;
  });
}

std::string MapSpaces(std::string_view comp, std::string (*fn)(const std::string&)) {
  std::vector<std::string> parts = SplitSpaces(comp);
  for (auto& part : parts) part = fn(part);
  return Join(parts, " ");
}

std::string ParseComparator(std::string comp) {
  comp = std::regex_replace(comp, Re().build_strip, "", std::regex_constants::format_first_only);
  comp = MapSpaces(Trim(comp), ReplaceCaret);
  comp = MapSpaces(Trim(comp), ReplaceTilde);
  comp = MapSpaces(comp, ReplaceXRange);
  comp = std::string(Trim(comp));
  comp = std::regex_replace(comp, Re().star, "", std::regex_constants::format_first_only);
  return comp;
}

struct ParsedComparator {
  std::string value;  // node-semver's comparator.value
  Range::Comparator comparator;
};

Result<ParsedComparator> MakeComparator(std::string_view text) {
  std::string comp = Join(SplitSpaces(Trim(text)), " ");
  std::smatch m;
  if (!std::regex_match(comp, m, Re().comparator)) {
    return Status(ErrorKind::kInvalidArgument, "invalid comparator '" + comp + "'");
  }
  ParsedComparator out;
  std::string op = Group(m, 1);
  if (op == "=") op = "";
  if (!m[2].matched || m[2].length() == 0) {
    out.comparator.op = Range::Comparator::Op::kAny;
    return out;
  }
  ASSIGN_OR_RETURN(out.comparator.version, ParseNodeVersion(m[2].str()));
  using Op = Range::Comparator::Op;
  out.comparator.op = op == "<"    ? Op::kLess
                      : op == "<=" ? Op::kLessEqual
                      : op == ">"  ? Op::kGreater
                      : op == ">=" ? Op::kGreaterEqual
                                   : Op::kEqual;
  out.value = op + MainText(out.comparator.version);
  return out;
}

Result<std::vector<ParsedComparator>> ParseSet(std::string range) {
  range = std::regex_replace(range, Re().build_strip, "");
  range = ReplaceAnchored(range, Re().hyphen, HyphenReplace);
  range = std::regex_replace(range, Re().comparator_trim, "$1$2$3");
  range = std::regex_replace(range, Re().tilde_trim, "$1~");
  range = std::regex_replace(range, Re().caret_trim, "$1^");
  std::vector<std::string> parsed;
  for (const std::string& comp : Split(range, ' ')) parsed.push_back(ParseComparator(comp));
  std::vector<std::string> list = SplitSpaces(Join(parsed, " "));
  std::vector<ParsedComparator> result;
  for (std::string& comp : list) {
    comp = std::regex_replace(std::string(Trim(comp)), Re().gte0, "");
    ASSIGN_OR_RETURN(ParsedComparator c, MakeComparator(comp));
    if (c.value == "<0.0.0-0") return std::vector<ParsedComparator>{std::move(c)};
    auto same = std::find_if(result.begin(), result.end(),
                             [&](const ParsedComparator& r) { return r.value == c.value; });
    if (same == result.end()) result.push_back(std::move(c));
  }
  if (result.size() > 1) {
    std::erase_if(result, [](const ParsedComparator& c) { return c.value.empty(); });
  }
  return result;
}

bool TestComparator(const Range::Comparator& c, const Version& v) {
  using Op = Range::Comparator::Op;
  if (c.op == Op::kAny) return true;
  int cmp = Compare(v, c.version);
  switch (c.op) {
    case Op::kLess:
      return cmp < 0;
    case Op::kLessEqual:
      return cmp <= 0;
    case Op::kGreater:
      return cmp > 0;
    case Op::kGreaterEqual:
      return cmp >= 0;
    case Op::kEqual:
      return cmp == 0;
    case Op::kAny:
      return true;
  }
  return false;
}

}  // namespace

std::string Version::ToString() const {
  std::string s = MainText(*this);
  if (!build.empty()) s += "+" + Join(build, ".");
  return s;
}

Result<Version> ParseVersion(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status(ErrorKind::kInvalidArgument,
                  "invalid version '" + std::string(text) + "': " + std::string(why) +
                      " (expected SemVer 2.0 MAJOR.MINOR.PATCH[-prerelease][+build], e.g. 1.2.0)");
  };
  if (text.size() > kMaxVersionLength) return bad("longer than 256 characters");
  Version v;
  size_t i = 0;
  auto number = [&](uint64_t* out, const char* what) -> Status {
    size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    std::string_view digits = text.substr(start, i - start);
    if (digits.empty()) return bad(std::string("the ") + what + " version is not a number");
    if (digits.size() > 1 && digits[0] == '0')
      return bad(std::string("the ") + what + " version has a leading zero");
    auto n = ParseNumber(digits);
    if (!n) return bad(std::string("the ") + what + " version is too large");
    *out = *n;
    return Status::Ok();
  };
  RETURN_IF_ERROR(number(&v.major, "major"));
  if (i >= text.size() || text[i] != '.') return bad("expected three numbers separated by dots");
  ++i;
  RETURN_IF_ERROR(number(&v.minor, "minor"));
  if (i >= text.size() || text[i] != '.') return bad("expected three numbers separated by dots");
  ++i;
  RETURN_IF_ERROR(number(&v.patch, "patch"));
  auto identifiers = [&](std::vector<std::string>* out, bool prerelease) -> Status {
    while (true) {
      size_t start = i;
      while (i < text.size() && IsIdentChar(text[i])) ++i;
      std::string_view id = text.substr(start, i - start);
      if (id.empty()) return bad("empty identifier");
      if (prerelease && id.size() > 1 && id[0] == '0' && AllDigits(id)) {
        return bad("numeric prerelease identifier '" + std::string(id) + "' has a leading zero");
      }
      out->emplace_back(id);
      if (i < text.size() && text[i] == '.') {
        ++i;
        continue;
      }
      return Status::Ok();
    }
  };
  if (i < text.size() && text[i] == '-') {
    ++i;
    RETURN_IF_ERROR(identifiers(&v.prerelease, true));
  }
  if (i < text.size() && text[i] == '+') {
    ++i;
    RETURN_IF_ERROR(identifiers(&v.build, false));
  }
  if (i != text.size()) return bad("unexpected '" + std::string(1, text[i]) + "'");
  return v;
}

int Compare(const Version& a, const Version& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease.empty() != b.prerelease.empty()) return a.prerelease.empty() ? 1 : -1;
  for (size_t i = 0;; ++i) {
    bool a_end = i >= a.prerelease.size();
    bool b_end = i >= b.prerelease.size();
    if (a_end && b_end) return 0;
    if (b_end) return 1;
    if (a_end) return -1;
    int c = CompareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (c != 0) return c;
  }
}

Result<Range> Range::Parse(std::string_view text) {
  if (text.size() > kMaxRangeLength) {
    return Status(ErrorKind::kInvalidArgument, "version range is longer than " +
                                                   std::to_string(kMaxRangeLength) + " characters");
  }
  Range range;
  range.text_ = std::string(text);
  std::string raw = Join(SplitSpaces(Trim(text)), " ");
  std::vector<std::vector<ParsedComparator>> sets;
  // Split on "||" (a lone "|" stays inside a part and fails there).
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t at = raw.find("||", start);
    parts.push_back(raw.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 2;
  }
  for (const std::string& part : parts) {
    auto set = ParseSet(std::string(Trim(part)));
    if (!set.ok()) {
      return Status(ErrorKind::kInvalidArgument,
                    "invalid version range '" + std::string(text) + "': " + set.status().message());
    }
    if (!set->empty()) sets.push_back(std::move(set).value());
  }
  if (sets.size() > 1) {
    std::vector<std::vector<ParsedComparator>> kept;
    for (auto& set : sets) {
      if (set[0].value != "<0.0.0-0") kept.push_back(set);
    }
    if (kept.empty()) {
      kept.push_back(sets[0]);
    } else if (kept.size() > 1) {
      for (auto& set : kept) {
        if (set.size() == 1 && set[0].value.empty()) {
          kept = {set};
          break;
        }
      }
    }
    sets = std::move(kept);
  }
  std::string formatted;
  for (size_t i = 0; i < sets.size(); ++i) {
    if (i > 0) formatted += "||";
    std::vector<Comparator> comparators;
    for (size_t k = 0; k < sets[i].size(); ++k) {
      if (k > 0) formatted += " ";
      formatted += sets[i][k].value;
      comparators.push_back(sets[i][k].comparator);
    }
    range.sets_.push_back(std::move(comparators));
  }
  range.normalized_ = formatted.empty() ? "*" : formatted;
  return range;
}

bool Range::Satisfies(const Version& version) const {
  for (const auto& set : sets_) {
    bool all = std::all_of(set.begin(), set.end(),
                           [&](const Comparator& c) { return TestComparator(c, version); });
    if (!all) continue;
    if (!version.is_prerelease()) return true;
    // A prerelease passes only when a comparator of this set names a
    // prerelease of the same MAJOR.MINOR.PATCH (npm's opt-in rule).
    for (const Comparator& c : set) {
      if (c.op == Comparator::Op::kAny || !c.version.is_prerelease()) continue;
      if (c.version.major == version.major && c.version.minor == version.minor &&
          c.version.patch == version.patch) {
        return true;
      }
    }
  }
  return false;
}

std::string Range::ToString() const { return normalized_; }

std::optional<Version> MaxSatisfying(const std::vector<Version>& versions, const Range& range) {
  std::optional<Version> best;
  for (const Version& v : versions) {
    if (!range.Satisfies(v)) continue;
    if (!best || Compare(*best, v) < 0) best = v;
  }
  return best;
}

}  // namespace sluice::semver
