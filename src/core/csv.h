// CSV fields as RFC 4180 writes them, for the CLI's csv output format and
// the csv destination: one implementation, so both quote alike.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// A field with a comma, quote or line break is quoted, quotes doubled; any
// other field is as it is.
std::string CsvQuote(std::string_view text);

// Text a spreadsheet would run as a formula (OWASP: it starts with =, +, -,
// @, tab or CR) gets a leading ' so it shows as text. For string values only:
// a number such as -5 must stay -5.
std::string CsvDefuseFormula(std::string_view text);

}  // namespace sluice
