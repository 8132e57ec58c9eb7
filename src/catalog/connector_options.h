// Every connector OPTION, declared once: its name, type, default, range and
// a line of documentation. The table drives ValidateOptions (the known
// names), the defaults every reader of OPTIONS falls back to (the typed
// accessors below), and the options table in docs/language.md, which a unit
// test compares with RenderOptionsMarkdown() so the two cannot drift.
//
// Thread-safety: constant data and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/value.h"

namespace sluice {

enum class OptionType {
  kNumber,     // a non-negative number
  kInteger,    // a non-negative number read as a whole one
  kChoice,     // one of the texts in `choices`
  kTableName,  // text naming {entity} (and maybe {connector}): a table or file
};

struct ConnectorOption {
  std::string_view name;
  OptionType type;
  double default_number;                           // kNumber, kInteger
  std::string_view default_text;                   // kChoice, kTableName
  std::string_view range;                          // what the value may be, for the docs
  std::string_view doc;                            // one line, for the docs
  std::span<const std::string_view> choices = {};  // kChoice
  // kNumber, kInteger: the values allowed, when narrower than "not
  // negative" (max 0: no upper bound).
  double min_number = 0;
  double max_number = 0;
};

// All options, sorted by name (the order "known options: …" lists them in).
std::span<const ConnectorOption> ConnectorOptions();

// The option called `name`, or null.
const ConnectorOption* FindConnectorOption(std::string_view name);

// Typed reads of an OPTIONS object: the value when it is set and of the
// option's type, else the table's default. `name` must be in the table.
// OptionNumber: any number. OptionInt: only a whole number (2.5 reads as the
// default). OptionText: only a string.
double OptionNumber(const Value& options, std::string_view name);
int64_t OptionInt(const Value& options, std::string_view name);
std::string OptionText(const Value& options, std::string_view name);

// The Markdown table of every option, as docs/language.md holds it.
std::string RenderOptionsMarkdown();

}  // namespace sluice
