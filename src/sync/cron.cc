#include "sync/cron.h"

#include <ctime>
#include <sstream>
#include <vector>

namespace sluice {
namespace {

// Sets the bits a field names, within [low, high].
template <size_t N>
Status ParseField(const std::string& field, int low, int high, const char* name, std::bitset<N>& bits) {
  auto number = [&](const std::string& text, int& out) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 2) return false;
    out = std::stoi(text);
    return out >= low && out <= high;
  };
  std::stringstream parts(field);
  std::string part;
  while (std::getline(parts, part, ',')) {
    int from = low, to = high, step = 1;
    std::string range = part;
    size_t slash = part.find('/');
    if (slash != std::string::npos) {
      range = part.substr(0, slash);
      int parsed_step = 0;
      std::string step_text = part.substr(slash + 1);
      if (step_text.empty() || step_text.find_first_not_of("0123456789") != std::string::npos ||
          (parsed_step = std::stoi(step_text)) < 1) {
        return Status(ErrorKind::kInvalidArgument, std::string("cron ") + name + ": bad step in '" + part + "'");
      }
      step = parsed_step;
    }
    if (range != "*") {
      size_t dash = range.find('-');
      bool ok = dash == std::string::npos ? number(range, from) && number(range, to)
                                          : number(range.substr(0, dash), from) && number(range.substr(dash + 1), to);
      if (dash == std::string::npos && slash != std::string::npos) to = high;  // "5/10": from 5 on
      if (!ok || from > to) {
        return Status(ErrorKind::kInvalidArgument, std::string("cron ") + name + ": '" + part +
                                                       "' is not a value or range within " + std::to_string(low) +
                                                       "-" + std::to_string(high));
      }
    }
    for (int value = from; value <= to; value += step) bits.set(static_cast<size_t>(value));
  }
  if (field.empty()) return Status(ErrorKind::kInvalidArgument, std::string("cron ") + name + " is empty");
  return Status::Ok();
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(const std::string& text) {
  std::stringstream in(text);
  std::vector<std::string> fields;
  std::string field;
  while (in >> field) fields.push_back(field);
  if (fields.size() != 5) {
    return Status(ErrorKind::kInvalidArgument, "a cron schedule has 5 fields (minute hour day month weekday), '" +
                                                   text + "' has " + std::to_string(fields.size()));
  }
  CronSchedule schedule;
  RETURN_IF_ERROR(ParseField(fields[0], 0, 59, "minute", schedule.minutes_));
  RETURN_IF_ERROR(ParseField(fields[1], 0, 23, "hour", schedule.hours_));
  RETURN_IF_ERROR(ParseField(fields[2], 1, 31, "day of month", schedule.days_));
  RETURN_IF_ERROR(ParseField(fields[3], 1, 12, "month", schedule.months_));
  std::bitset<8> weekdays;
  RETURN_IF_ERROR(ParseField(fields[4], 0, 7, "day of week", weekdays));
  if (weekdays.test(7)) weekdays.set(0);
  weekdays.reset(7);
  schedule.weekdays_ = weekdays;
  schedule.any_day_ = fields[2] == "*";
  schedule.any_weekday_ = fields[4] == "*";
  return schedule;
}

bool CronSchedule::Matches(int64_t unix_seconds) const {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  if (!minutes_.test(utc.tm_min) || !hours_.test(utc.tm_hour) || !months_.test(utc.tm_mon + 1)) return false;
  bool day = days_.test(utc.tm_mday), weekday = weekdays_.test(utc.tm_wday);
  if (any_day_ && any_weekday_) return true;
  if (any_day_) return weekday;
  if (any_weekday_) return day;
  return day || weekday;
}

}  // namespace sluice
