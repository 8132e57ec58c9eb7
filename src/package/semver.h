// Semantic versions (SemVer 2.0.0) and npm's range rules (node-semver 7).
//
// A package's own version is strict SemVer 2.0: MAJOR.MINOR.PATCH, optional
// -prerelease and +build, no leading zeros, no "v". Ranges follow
// node-semver exactly (it is the oracle in tests/cli/pkg_semver_oracle.sh):
// comparators (<, <=, >, >=, =), x-ranges (1.x, 1.2.*, *), tilde (~1.2.3),
// caret (^0.2.3), hyphen ranges (1.2 - 2.3.4), space for AND, || for OR,
// a tolerated leading "v"/"=" in range versions; and the prerelease rule: a
// prerelease version satisfies a range only when some comparator of the
// same set names a prerelease on the same MAJOR.MINOR.PATCH.
//
// Thread-safety: values; free functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice::semver {

struct Version {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers
  std::vector<std::string> build;       // ignored by precedence
  std::string ToString() const;         // canonical text, build included
  bool is_prerelease() const { return !prerelease.empty(); }
};

// Strict SemVer 2.0.0; kInvalidArgument says what is wrong and quotes `text`.
Result<Version> ParseVersion(std::string_view text);
// Precedence (§11): <0, 0, >0. Build metadata is ignored.
int Compare(const Version& a, const Version& b);

class Range {
 public:
  // kInvalidArgument naming the range for what node-semver's validRange()
  // rejects. An empty string or "*" is any non-prerelease version.
  static Result<Range> Parse(std::string_view text);
  bool Satisfies(const Version& version) const;
  // node-semver's normalized form (validRange), e.g. "^1.2" → ">=1.2.0 <2.0.0-0".
  std::string ToString() const;
  const std::string& text() const { return text_; }

  struct Comparator {
    enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kAny };
    Op op = Op::kAny;
    Version version;
  };

 private:
  std::string text_;
  std::string normalized_;
  std::vector<std::vector<Comparator>> sets_;  // OR of ANDs
};

// The highest version satisfying `range`, as node-semver's maxSatisfying.
std::optional<Version> MaxSatisfying(const std::vector<Version>& versions, const Range& range);

}  // namespace sluice::semver
