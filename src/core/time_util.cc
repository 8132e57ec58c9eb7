#include "core/time_util.h"

#include <chrono>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace sluice {
namespace {

bool ReadDigits(std::string_view text, size_t& pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  size_t pos = 0;
  int year, month, day;
  if (!ReadDigits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, day)) {
    return std::nullopt;
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1]) return std::nullopt;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  int64_t micros = DaysFromCivil(year, month, day) * kMicrosPerDay;
  if (pos == text.size()) return micros;
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
  ++pos;
  int hour, minute, second = 0;
  if (!ReadDigits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
      !ReadDigits(text, pos, 2, minute)) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadDigits(text, pos, 2, second)) return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  micros += (hour * 3600LL + minute * 60LL + second) * kMicrosPerSecond;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int64_t fraction = 0, scale = kMicrosPerSecond;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 1) {
        scale /= 10;
        fraction += (text[pos] - '0') * scale;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    micros += fraction;
  }
  if (pos == text.size()) return micros;
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return micros;
  if (text[pos] == '+' || text[pos] == '-') {
    int sign = text[pos] == '+' ? 1 : -1;
    ++pos;
    int offset_hours, offset_minutes = 0;
    if (!ReadDigits(text, pos, 2, offset_hours)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (pos < text.size() && !ReadDigits(text, pos, 2, offset_minutes)) return std::nullopt;
    if (pos != text.size() || offset_hours > 23 || offset_minutes > 59) return std::nullopt;
    return micros - sign * (offset_hours * 3600LL + offset_minutes * 60LL) * kMicrosPerSecond;
  }
  return std::nullopt;
}

std::string FormatTimestamp(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  int64_t seconds = rest / kMicrosPerSecond;
  int64_t fraction = rest % kMicrosPerSecond;
  // Digits written by hand: every coerced timestamp of a sync passes here,
  // and snprintf was an eighth of a sync's time.
  char buffer[40];
  char* at = buffer;
  auto digits = [&at](int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      at[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    at += width;
  };
  if (year < 0 || year > 9999) {
    at += std::snprintf(buffer, sizeof buffer, "%04lld", static_cast<long long>(year));
  } else {
    digits(year, 4);
  }
  *at++ = '-';
  digits(month, 2);
  *at++ = '-';
  digits(day, 2);
  *at++ = 'T';
  digits(seconds / 3600, 2);
  *at++ = ':';
  digits(seconds / 60 % 60, 2);
  *at++ = ':';
  digits(seconds % 60, 2);
  if (fraction != 0) {
    *at++ = '.';
    digits(fraction, 6);
    while (at[-1] == '0') --at;
  }
  *at++ = 'Z';
  return std::string(buffer, static_cast<size_t>(at - buffer));
}

std::string FormatDate(int64_t micros) { return FormatTimestamp(micros).substr(0, 10); }

std::optional<int64_t> SecondsToMicros(double seconds) {
  constexpr double kLimit = 9.0e12;  // seconds; int64 microseconds reach ~9.2e12
  if (!(seconds > -kLimit && seconds < kLimit)) return std::nullopt;  // also NaN
  return static_cast<int64_t>(seconds * 1e6);
}

// "7d", "90 minutes", "1 day 12 hours", "1.5h" → seconds; nullopt if malformed.
std::optional<double> ParseInterval(std::string_view text) {
  double total = 0;
  size_t i = 0;
  bool any = false;
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  while (true) {
    skip_space();
    if (i >= text.size()) break;
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    const std::string number(text.substr(start, i - start));
    char* number_end = nullptr;
    double amount = std::strtod(number.c_str(), &number_end);
    if (number_end != number.c_str() + number.size()) return std::nullopt;  // "1.2.3", "."
    skip_space();
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit;
    for (char c : text.substr(unit_start, i - unit_start)) unit += static_cast<char>(std::tolower(c));
    // Plurals ("days", "hrs"), but not "ms": milliseconds are not minutes.
    if (unit.size() > 2 && unit.back() == 's') unit.pop_back();
    double scale;
    if (unit == "s" || unit == "sec" || unit == "second") scale = 1;
    else if (unit == "m" || unit == "min" || unit == "minute") scale = 60;
    else if (unit == "h" || unit == "hour" || unit == "hr") scale = 3600;
    else if (unit == "d" || unit == "day") scale = 86400;
    else if (unit == "w" || unit == "week") scale = 7 * 86400;
    else return std::nullopt;
    total += amount * scale;
    any = true;
  }
  if (!any) return std::nullopt;
  return total;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice
