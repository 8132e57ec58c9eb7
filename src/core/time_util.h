// Timestamps as the language and connectors exchange them: ISO-8601 text in
// UTC, held internally as microseconds since the Unix epoch.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.frac]]" with 'T' or ' ', and
// an optional "Z" or "±HH[:]MM" offset (none means UTC).
std::optional<int64_t> ParseTimestamp(std::string_view text);

// "2026-11-21T12:00:00Z", with ".ffffff" (trailing zeros trimmed) when the
// value has a fraction of a second.
std::string FormatTimestamp(int64_t micros);
// "2026-11-21"
std::string FormatDate(int64_t micros);

int64_t NowMicros();

// "7d", "90 minutes", "1 day 12 hours", "1.5h" → seconds; nullopt if
// malformed (INTERVAL '…' in the language and in SQL).
std::optional<double> ParseInterval(std::string_view text);

// Seconds (from INTERVAL or arithmetic) to microseconds; nullopt when the
// result is not finite or beyond ±290,000 years, where int64 would overflow.
std::optional<int64_t> SecondsToMicros(double seconds);

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
// Hinnant's days_from_civil / civil_from_days): no time zone or libc state.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d);

}  // namespace sluice
