// Rendering of result sets in the output formats of the CLI and the test runner.
//
//   table  aligned columns with a header rule and a "(N rows)" footer; with
//          a max_width (a terminal's width) wide cells are cut with "…"
//   json   one JSON array of row objects, printed in full
//   jsonl  one JSON object per line, printed in full
//   csv    RFC 4180: a header row, then one line per row; NULL is empty
//   line   "column = value" per line, a blank line between rows
//
// Strings print as themselves, NULL as "NULL" (table/line), other values as
// compact JSON. Secrets are masked by the caller (the sink), not here.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lang/result.h"

namespace sluice {

enum class OutputFormat { kTable, kJson, kJsonl, kCsv, kLine };

std::optional<OutputFormat> ParseOutputFormat(std::string_view name);
const char* OutputFormatName(OutputFormat format);

struct RenderOptions {
  OutputFormat format = OutputFormat::kTable;
  // Table format only: when set, cells are cut so each line fits in this many
  // display columns (UTF-8 aware), at least a few characters per column.
  std::optional<size_t> max_width;
};

// The whole rendering, ending with a newline (empty for an empty json/jsonl
// /csv result with no columns).
std::string RenderResult(const ResultSet& result, const RenderOptions& options);

}  // namespace sluice
