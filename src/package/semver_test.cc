#include "package/semver.h"

#include <gtest/gtest.h>

namespace sluice::semver {
namespace {

// The valid and invalid examples that accompany the SemVer 2.0.0 spec's
// regular expression (semver.org, FAQ "Is there a suggested regular expression").
TEST(SemverTest, SpecValidExamples) {
  for (const char* text : {"0.0.4",
                           "1.2.3",
                           "10.20.30",
                           "1.1.2-prerelease+meta",
                           "1.1.2+meta",
                           "1.1.2+meta-valid",
                           "1.0.0-alpha",
                           "1.0.0-beta",
                           "1.0.0-alpha.beta",
                           "1.0.0-alpha.beta.1",
                           "1.0.0-alpha.1",
                           "1.0.0-alpha0.valid",
                           "1.0.0-alpha.0valid",
                           "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
                           "1.0.0-rc.1+build.1",
                           "2.0.0-rc.1+build.123",
                           "1.2.3-beta",
                           "10.2.3-DEV-SNAPSHOT",
                           "1.2.3-SNAPSHOT-123",
                           "1.0.0",
                           "2.0.0",
                           "1.1.7",
                           "2.0.0+build.1848",
                           "2.0.1-alpha.1227",
                           "1.0.0-alpha+beta",
                           "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
                           "1.2.3----R-S.12.9.1--.12+meta",
                           "1.2.3----RC-SNAPSHOT.12.9.1--.12",
                           "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
                           "1.0.0-0A.is.legal"}) {
    auto v = ParseVersion(text);
    ASSERT_TRUE(v.ok()) << text << ": " << v.status().ToString();
    EXPECT_EQ(v->ToString(), text);
  }
}

TEST(SemverTest, SpecInvalidExamples) {
  for (const char* text : {"1",
                           "1.2",
                           "1.2.3-0123",
                           "1.2.3-0123.0123",
                           "1.1.2+.123",
                           "+invalid",
                           "-invalid",
                           "-invalid+invalid",
                           "-invalid.01",
                           "alpha",
                           "alpha.beta",
                           "alpha.beta.1",
                           "alpha.1",
                           "alpha+beta",
                           "alpha_beta",
                           "alpha.",
                           "alpha..",
                           "beta",
                           "1.0.0-alpha_beta",
                           "-alpha.",
                           "1.0.0-alpha..",
                           "1.0.0-alpha..1",
                           "1.0.0-alpha...1",
                           "1.0.0-alpha....1",
                           "1.0.0-alpha.....1",
                           "1.0.0-alpha......1",
                           "1.0.0-alpha.......1",
                           "01.1.1",
                           "1.01.1",
                           "1.1.01",
                           "1.2",
                           "1.2.3.DEV",
                           "1.2-SNAPSHOT",
                           "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
                           "1.2-RC-SNAPSHOT",
                           "-1.0.3-gamma+b7718",
                           "+justmeta",
                           "9.8.7+meta+meta",
                           "9.8.7-whatever+meta+meta",
                           "99999999999999999999999.999999999999999999.99999999999999999----RC-"
                           "SNAPSHOT.12.09.1--------------------------------..12",
                           "v1.2.3",
                           "=1.2.3",
                           " 1.2.3",
                           "1.2.3 ",
                           "",
                           "1.2.3-",
                           "1.2.3+"}) {
    auto v = ParseVersion(text);
    EXPECT_FALSE(v.ok()) << text;
    if (!v.ok()) {
      EXPECT_EQ(v.status().kind(), ErrorKind::kInvalidArgument);
      EXPECT_NE(v.status().message().find(std::string("'") + text + "'"), std::string::npos)
          << v.status().message();
    }
  }
}

Version V(const char* text) {
  auto v = ParseVersion(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : Version{};
}

TEST(SemverTest, PrecedenceFollowsSection11) {
  // §11's example chain, strictly increasing.
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                         "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                         "1.0.0-rc.1",  "1.0.0",         "2.0.0",
                         "2.1.0",       "2.1.1"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(Compare(V(chain[i]), V(chain[i + 1])), 0) << chain[i] << " < " << chain[i + 1];
    EXPECT_GT(Compare(V(chain[i + 1]), V(chain[i])), 0);
  }
  EXPECT_EQ(Compare(V("1.0.0+a"), V("1.0.0+b")), 0);
  EXPECT_LT(Compare(V("1.0.0-2"), V("1.0.0-10")), 0);
  EXPECT_LT(Compare(V("1.0.0-10"), V("1.0.0-a")), 0);
  EXPECT_LT(Compare(V("9.0.0"), V("10.0.0")), 0);
}

std::string Norm(const char* text) {
  auto r = Range::Parse(text);
  return r.ok() ? r->ToString() : "invalid";
}

TEST(SemverTest, RangesNormalizeAsNodeSemver) {
  EXPECT_EQ(Norm("^1.2"), ">=1.2.0 <2.0.0-0");
  EXPECT_EQ(Norm("^0.2.3"), ">=0.2.3 <0.3.0-0");
  EXPECT_EQ(Norm("^0.0.3"), ">=0.0.3 <0.0.4-0");
  EXPECT_EQ(Norm("^0.0.x"), "<0.1.0-0");
  EXPECT_EQ(Norm("~1"), ">=1.0.0 <2.0.0-0");
  EXPECT_EQ(Norm("~1.2.3-beta.2"), ">=1.2.3-beta.2 <1.3.0-0");
  EXPECT_EQ(Norm(">=1.2.x"), ">=1.2.0");
  EXPECT_EQ(Norm("<1"), "<1.0.0-0");
  EXPECT_EQ(Norm("<=1.x"), "<2.0.0-0");
  EXPECT_EQ(Norm(">1.2"), ">=1.3.0");
  EXPECT_EQ(Norm("1.2 - 2.3.4"), ">=1.2.0 <=2.3.4");
  EXPECT_EQ(Norm("1.2.3 - 2.3"), ">=1.2.3 <2.4.0-0");
  EXPECT_EQ(Norm("*"), "*");
  EXPECT_EQ(Norm(""), "*");
  EXPECT_EQ(Norm(">=0.0.0"), "*");
  EXPECT_EQ(Norm("1.x || >=2.5.0 || 5.0.0 - 7.2.3"), ">=1.0.0 <2.0.0-0||>=2.5.0||>=5.0.0 <=7.2.3");
  EXPECT_EQ(Norm("  >=  1.2.3   <2 "), ">=1.2.3 <2.0.0-0");
  EXPECT_EQ(Norm("v1.2.3"), "1.2.3");
  EXPECT_EQ(Norm("=1.2.3"), "1.2.3");
  EXPECT_EQ(Norm(">1 <1"), ">=2.0.0 <1.0.0-0");
  EXPECT_EQ(Norm("<*"), "<0.0.0-0");
  EXPECT_EQ(Norm("^1 || *"), "*");
  for (const char* bad :
       {"1 | 2", "01.2.3", "1.2.3.4", "latest", "a.b.c", ">=1.2.3 <", "1.2.3-01", "!1"}) {
    auto r = Range::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
}

bool Sat(const char* range, const char* version) {
  auto r = Range::Parse(range);
  EXPECT_TRUE(r.ok()) << range;
  return r.ok() && r->Satisfies(V(version));
}

TEST(SemverTest, PrereleasesOnlyWhenNamedOnTheSameTriple) {
  EXPECT_FALSE(Sat("^1.2.0", "1.3.0-beta"));
  EXPECT_TRUE(Sat("^1.2.3-beta.2", "1.2.3-beta.4"));
  EXPECT_FALSE(Sat("^1.2.3-beta.2", "1.2.4-beta.4"));
  EXPECT_TRUE(Sat("^1.2.3-beta.2", "1.2.4"));
  EXPECT_FALSE(Sat("<2.0.0", "2.0.0-rc.1"));
  EXPECT_FALSE(Sat("*", "1.0.0-alpha"));
  EXPECT_TRUE(Sat(">=1.0.0-0 <1.0.0", "1.0.0-alpha"));
  EXPECT_TRUE(Sat("1.2.3+build", "1.2.3"));
  EXPECT_TRUE(Sat("1.x || 2.0.0-rc.1", "2.0.0-rc.1"));
}

TEST(SemverTest, MaxSatisfyingPicksTheHighestNonPrerelease) {
  std::vector<Version> versions = {V("1.0.0"), V("1.2.0"), V("1.3.0-beta"), V("1.2.5"), V("2.0.0")};
  auto r = Range::Parse("^1.2");
  ASSERT_TRUE(r.ok());
  auto max = MaxSatisfying(versions, *r);
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->ToString(), "1.2.5");
  auto none = Range::Parse("^3");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(MaxSatisfying(versions, *none).has_value());
  EXPECT_EQ(r->text(), "^1.2");
}

TEST(SemverTest, HostileRangesFailCleanly) {
  EXPECT_FALSE(Range::Parse(std::string(5000, '1')).ok());
  EXPECT_EQ(Norm(std::string(1000, '|').c_str()), "*");
  EXPECT_FALSE(Range::Parse("99999999999999999999.0.0").ok());
  EXPECT_FALSE(Range::Parse(std::string("1.2.3\0", 6)).ok());
  EXPECT_TRUE(Range::Parse("^9007199254740990").ok());
}

}  // namespace
}  // namespace sluice::semver
