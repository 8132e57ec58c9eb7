#include "package/license.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(LicenseTest, AcceptsSpdxExpressions) {
  for (const char* ok :
       {"MIT", "Apache-2.0", "0BSD", "GPL-2.0-only", "GPL-2.0-or-later", "EPL-1.0+",
        "MIT OR Apache-2.0", "(MIT OR Apache-2.0) AND BSD-3-Clause",
        "GPL-2.0-or-later WITH Classpath-exception-2.0", "Apache-2.0 WITH LLVM-exception OR MIT",
        "((MIT))", "LicenseRef-Acme-Internal", "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        "MIT AND (LicenseRef-x OR BSD-2-Clause)", "  MIT   OR\tISC  "}) {
    Status s = ValidateSpdxExpression(ok);
    EXPECT_TRUE(s.ok()) << ok << ": " << s.ToString();
  }
}

void ExpectRefused(const char* expression, const std::string& needle) {
  Status s = ValidateSpdxExpression(expression);
  ASSERT_FALSE(s.ok()) << expression;
  EXPECT_EQ(s.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(LicenseTest, CaseMatters_WithAHint) {
  ExpectRefused("mit", "did you mean MIT?");
  ExpectRefused("apache-2.0", "did you mean Apache-2.0?");
  ExpectRefused("MIT WITH classpath-exception-2.0", "did you mean Classpath-exception-2.0?");
  ExpectRefused("MIT or Apache-2.0", "operators are upper case (OR)");
  ExpectRefused("MIT with LLVM-exception", "operators are upper case (WITH)");
  ExpectRefused("LGPL-2.1+", "use LGPL-2.1-only or LGPL-2.1-or-later");
}

TEST(LicenseTest, DeprecatedIdsAreRefusedWithTheirReplacement) {
  ExpectRefused("GPL-2.0",
                "deprecated SPDX identifier 'GPL-2.0': use GPL-2.0-only or GPL-2.0-or-later");
  ExpectRefused("GPL-3.0+", "use GPL-3.0-only or GPL-3.0-or-later");
  ExpectRefused("MIT OR LGPL-2.1", "'LGPL-2.1'");
  ExpectRefused("GPL-2.0-with-classpath-exception",
                "use GPL-2.0-only WITH Classpath-exception-2.0");
  ExpectRefused("StandardML-NJ", "use SMLNJ");
}

TEST(LicenseTest, SyntaxErrorsSayWhere) {
  ExpectRefused("", "is empty");
  ExpectRefused("   ", "is empty");
  ExpectRefused("Proprietary", "unknown license 'Proprietary'");
  ExpectRefused("MIT OR", "ends where a license was expected");
  ExpectRefused("MIT AND AND ISC", "'AND' where a license was expected");
  ExpectRefused("(MIT", "unclosed '('");
  ExpectRefused("MIT)", "')' where an operator or the end was expected");
  ExpectRefused("MIT ISC", "'ISC' where an operator or the end was expected");
  ExpectRefused("MIT WITH", "needs an exception identifier after WITH");
  ExpectRefused("MIT WITH Apache-2.0", "unknown exception 'Apache-2.0'");
  ExpectRefused("Classpath-exception-2.0", "where a license was expected (use LICENSE WITH");
  ExpectRefused("MIT, ISC", "unexpected character ','");
  ExpectRefused("MIT/ISC", "unexpected character '/'");
  ExpectRefused("LicenseRef-", "malformed LicenseRef");
  ExpectRefused("DocumentRef-x:MIT", "malformed reference");
  ExpectRefused("M+IT", "malformed identifier");
  ExpectRefused("MIT\n", "'\\x0a'");
}

TEST(LicenseTest, HostileExpressionsFailCleanly) {
  ExpectRefused(std::string(2000, 'M').c_str(), "longer than 1000");
  ExpectRefused((std::string(100, '(') + "MIT" + std::string(100, ')')).c_str(), "deeper than 32");
  EXPECT_TRUE(ValidateSpdxExpression(std::string(30, '(') + "MIT" + std::string(30, ')')).ok());
}

TEST(LicenseTest, IsSpdxLicenseId) {
  EXPECT_TRUE(IsSpdxLicenseId("MIT"));
  EXPECT_TRUE(IsSpdxLicenseId("GPL-3.0-or-later"));
  EXPECT_FALSE(IsSpdxLicenseId("mit"));
  EXPECT_FALSE(IsSpdxLicenseId("GPL-2.0"));  // deprecated
  EXPECT_FALSE(IsSpdxLicenseId("MIT OR ISC"));
  EXPECT_FALSE(IsSpdxLicenseId("Classpath-exception-2.0"));
}

}  // namespace
}  // namespace sluice
