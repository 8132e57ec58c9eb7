// Cron schedules for `SYNC … SCHEDULE '*/15 * * * *'`: the five classic
// fields (minute, hour, day of month, month, day of week), each `*`, a
// number, a range `a-b`, a step `*/n` or `a-b/n`, or a comma list of those.
// Day of week is 0–7 (0 and 7 are Sunday). As in cron, when both day
// fields are restricted a day matches if either does. Times are UTC.
//
// Thread-safety: a parsed CronSchedule is immutable.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace sluice {

class CronSchedule {
 public:
  // kInvalidArgument naming the field that is wrong.
  static Result<CronSchedule> Parse(const std::string& text);

  // Whether the minute that starts at `unix_seconds` (UTC) is due.
  bool Matches(int64_t unix_seconds) const;

 private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1–31
  std::bitset<13> months_;    // 1–12
  std::bitset<8> weekdays_;   // 0–6, Sunday 0
  bool any_day_ = true, any_weekday_ = true;
};

}  // namespace sluice
