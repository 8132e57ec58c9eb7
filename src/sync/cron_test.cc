// Cron parsing and matching, against hand-checked instants (UTC).
#include "sync/cron.h"

#include <gtest/gtest.h>

#include "core/time_util.h"

namespace sluice {
namespace {

int64_t At(const char* iso) { return *ParseTimestamp(iso) / 1'000'000; }

bool Due(const char* cron, const char* iso) {
  auto schedule = CronSchedule::Parse(cron);
  EXPECT_TRUE(schedule.ok()) << schedule.status().ToString();
  return schedule.ok() && schedule->Matches(At(iso));
}

TEST(CronTest, StepsRangesAndLists) {
  EXPECT_TRUE(Due("*/15 * * * *", "2026-12-01T10:45:00Z"));
  EXPECT_FALSE(Due("*/15 * * * *", "2026-12-01T10:46:00Z"));
  EXPECT_TRUE(Due("0 9-17/4 * * *", "2026-12-01T13:00:00Z"));
  EXPECT_FALSE(Due("0 9-17/4 * * *", "2026-12-01T15:00:00Z"));
  EXPECT_TRUE(Due("5,35 * * * *", "2026-12-01T00:35:00Z"));
  EXPECT_TRUE(Due("5/20 * * * *", "2026-12-01T00:45:00Z")) << "from 5 on, every 20";
  EXPECT_TRUE(Due("0 0 1 1 *", "2027-01-01T00:00:00Z"));
  EXPECT_FALSE(Due("0 0 1 1 *", "2027-01-02T00:00:00Z"));
}

TEST(CronTest, DaysOfWeekAndTheDayRule) {
  // 2026-12-06 is a Sunday; 0 and 7 both name it.
  EXPECT_TRUE(Due("0 12 * * 0", "2026-12-06T12:00:00Z"));
  EXPECT_TRUE(Due("0 12 * * 7", "2026-12-06T12:00:00Z"));
  EXPECT_FALSE(Due("0 12 * * 1-5", "2026-12-06T12:00:00Z"));
  // Both day fields restricted: either matching is enough, as in cron.
  EXPECT_TRUE(Due("0 0 15 * 0", "2026-12-06T00:00:00Z"));
  EXPECT_TRUE(Due("0 0 15 * 0", "2026-12-15T00:00:00Z"));
  EXPECT_FALSE(Due("0 0 15 * 0", "2026-12-16T00:00:00Z"));
}

TEST(CronTest, RejectsMalformedSchedulesNamingTheField) {
  EXPECT_EQ(CronSchedule::Parse("* * * *").status().message(),
            "a cron schedule has 5 fields (minute hour day month weekday), '* * * *' has 4");
  EXPECT_EQ(CronSchedule::Parse("60 * * * *").status().message(),
            "cron minute: '60' is not a value or range within 0-59");
  EXPECT_EQ(CronSchedule::Parse("* * * * */0").status().message(), "cron day of week: bad step in '*/0'");
  EXPECT_FALSE(CronSchedule::Parse("* 5-2 * * *").ok());
  EXPECT_FALSE(CronSchedule::Parse("* * 0 * *").ok()) << "days of the month start at 1";
  EXPECT_FALSE(CronSchedule::Parse("a * * * *").ok());
}

}  // namespace
}  // namespace sluice
