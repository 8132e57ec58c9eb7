#include "pg_fixture.h"

namespace sluice {
namespace {

using testing::PgTest;

TEST_F(PgTest, CoordinatorServerAnswers) { EXPECT_EQ(Exec("SELECT 1"), "1"); }

}  // namespace
}  // namespace sluice
