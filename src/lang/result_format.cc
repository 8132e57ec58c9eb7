#include "lang/result_format.h"

#include <algorithm>
#include <initializer_list>
#include <unordered_set>
#include <vector>

#include "core/csv.h"
#include "core/utf8.h"

namespace sluice {
namespace {

// A cut column keeps at least this many display columns (or its whole header,
// if longer), so a narrow terminal still shows something useful per cell.
constexpr size_t kMinCutWidth = 8;
constexpr std::string_view kEllipsis = "\u2026";
constexpr std::string_view kReplacement = "\uFFFD";

// A row shorter than the column list breaks ResultSet's precondition; reading
// it as NULL keeps the CLI printing instead of reading out of bounds.
const Value& CellAt(const std::vector<Value>& row, size_t index) {
  static const Value kNull;
  return index < row.size() ? row[index] : kNull;
}

std::string DumpValue(const Value& value) {
  return value.dump(-1, ' ', false, Value::error_handler_t::replace);
}

// Advances over one code point; a stray byte counts as one, so this never
// stalls and never lands inside a valid sequence.
size_t Utf8Step(std::string_view text, size_t pos) {
  return std::max<size_t>(1, Utf8SequenceLength(text, pos));
}

// One column per code point: wide and combining characters are rare in API
// data, and a wcwidth table is not worth its size here.
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t pos = 0; pos < text.size(); pos += Utf8Step(text, pos)) ++width;
  return width;
}

// Table cells must be one line of known width: newlines and tabs would break
// the layout, other control characters (ESC) could drive the terminal, and
// invalid UTF-8 has no width, so all are made visible.
std::string TableText(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size());
  for (size_t pos = 0; pos < raw.size();) {
    const unsigned char c = static_cast<unsigned char>(raw[pos]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      const size_t length = Utf8SequenceLength(raw, pos);
      if (length == 0) {
        out += kReplacement;
        ++pos;
      } else {
        out.append(raw.substr(pos, length));
        pos += length;
      }
      continue;
    }
    ++pos;
  }
  return out;
}

// Precondition: text is valid UTF-8 (TableText output), so cutting at code
// point boundaries keeps it valid.
std::string CutToWidth(const std::string& text, size_t width) {
  if (DisplayWidth(text) <= width) return text;
  if (width == 0) return "";
  size_t end = 0;
  for (size_t kept = 0; kept + 1 < width && end < text.size(); ++kept) {
    end += Utf8Step(text, end);
  }
  return text.substr(0, end) + std::string(kEllipsis);
}

struct Cell {
  std::string text;
  size_t width = 0;
  bool right_aligned = false;
};

Cell MakeCell(std::string_view raw, bool right_aligned) {
  Cell cell{TableText(raw), 0, right_aligned};
  cell.width = DisplayWidth(cell.text);
  return cell;
}

// Column widths after capping every column at max(level, its floor).
std::vector<size_t> CapWidths(const std::vector<size_t>& natural,
                              const std::vector<size_t>& floors, size_t level) {
  std::vector<size_t> widths(natural.size());
  for (size_t i = 0; i < natural.size(); ++i) {
    widths[i] = natural[i] <= level ? natural[i] : std::max(level, floors[i]);
  }
  return widths;
}

size_t Sum(const std::vector<size_t>& values) {
  size_t total = 0;
  for (size_t value : values) total += value;
  return total;
}

// Shrinks the widest columns first: the highest common cap that fits the
// budget (binary search, as cells can be megabytes wide), then the leftover
// columns go one each to capped columns so the table fills the budget.
std::vector<size_t> FitWidths(const std::vector<size_t>& natural,
                              const std::vector<size_t>& floors, size_t budget) {
  if (Sum(natural) <= budget) return natural;
  size_t low = 0;
  size_t high = *std::max_element(natural.begin(), natural.end());
  if (Sum(CapWidths(natural, floors, low)) > budget) {
    return CapWidths(natural, floors, low);  // floors win over the budget
  }
  while (high - low > 1) {  // invariant: low fits, high does not
    const size_t mid = low + (high - low) / 2;
    if (Sum(CapWidths(natural, floors, mid)) <= budget) {
      low = mid;
    } else {
      high = mid;
    }
  }
  std::vector<size_t> widths = CapWidths(natural, floors, low);
  size_t slack = budget - Sum(widths);
  for (size_t i = 0; i < widths.size() && slack > 0; ++i) {
    if (natural[i] > low && floors[i] <= low) {
      ++widths[i];
      --slack;
    }
  }
  return widths;
}

// The last column is not padded on the right, so lines carry no trailing
// spaces and the rule is exactly as long as the widest line.
void AppendTableLine(const std::vector<Cell>& cells, const std::vector<size_t>& widths,
                     std::string& out) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    line += i == 0 ? " " : " | ";
    const Cell& cell = cells[i];
    if (cell.width > widths[i]) {
      line += CutToWidth(cell.text, widths[i]);  // fills the width exactly
      continue;
    }
    const std::string padding(widths[i] - cell.width, ' ');
    line += cell.right_aligned ? padding + cell.text : cell.text + padding;
  }
  line.erase(line.find_last_not_of(' ') + 1);
  out += line;
  out += '\n';
}

std::string RenderTable(const ResultSet& result, std::optional<size_t> max_width) {
  const size_t column_count = result.columns.size();
  std::vector<Cell> header;
  std::vector<size_t> natural(column_count);
  std::vector<size_t> floors(column_count);
  for (size_t i = 0; i < column_count; ++i) {
    header.push_back(MakeCell(result.columns[i], false));
    natural[i] = header[i].width;
  }
  std::vector<std::vector<Cell>> body;
  body.reserve(result.rows.size());
  for (const std::vector<Value>& row : result.rows) {
    std::vector<Cell>& cells = body.emplace_back();
    for (size_t i = 0; i < column_count; ++i) {
      const Value& value = CellAt(row, i);
      cells.push_back(MakeCell(ValueToDisplayString(value), value.is_number()));
      natural[i] = std::max(natural[i], cells.back().width);
    }
  }

  std::vector<size_t> widths = natural;
  if (max_width) {
    for (size_t i = 0; i < column_count; ++i) {
      floors[i] = std::min(natural[i], std::max(kMinCutWidth, header[i].width));
    }
    const size_t separators = 1 + 3 * (column_count - 1);
    widths = FitWidths(natural, floors, *max_width > separators ? *max_width - separators : 0);
  }

  std::string out;
  if (!result.title.empty()) {
    const std::string title = TableText(result.title);
    out += max_width ? CutToWidth(title, *max_width) : title;
    out += '\n';
  }
  AppendTableLine(header, widths, out);
  for (size_t i = 0; i < column_count; ++i) {
    if (i > 0) out += '+';
    out.append(widths[i] + (i + 1 < column_count ? 2 : 1), '-');
  }
  out += '\n';
  for (const std::vector<Cell>& cells : body) AppendTableLine(cells, widths, out);
  const size_t row_count = result.rows.size();
  out += row_count == 1 ? "(1 row)\n" : "(" + std::to_string(row_count) + " rows)\n";
  return out;
}

// JSON objects need unique keys, but SQL happily returns two "id" columns;
// a later duplicate becomes "id:1", "id:2", ... (skipping names in use).
std::vector<std::string> UniqueJsonKeys(const std::vector<std::string>& columns) {
  std::unordered_set<std::string> used;
  std::vector<std::string> keys;
  for (const std::string& name : columns) {
    std::string key = name;
    for (size_t n = 1; used.contains(key); ++n) key = name + ":" + std::to_string(n);
    used.insert(key);
    keys.push_back(DumpValue(Value(key)));
  }
  return keys;
}

std::string JsonObject(const std::vector<std::string>& keys, const std::vector<Value>& row) {
  std::string out = "{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ',';
    out += keys[i];
    out += ':';
    out += DumpValue(CellAt(row, i));
  }
  out += '}';
  return out;
}

std::string RenderJson(const ResultSet& result) {
  if (result.rows.empty()) return "[]\n";
  const std::vector<std::string> keys = UniqueJsonKeys(result.columns);
  std::string out = "[\n";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    if (r > 0) out += ",\n";
    out += JsonObject(keys, result.rows[r]);
  }
  out += "\n]\n";
  return out;
}

std::string RenderJsonl(const ResultSet& result) {
  const std::vector<std::string> keys = UniqueJsonKeys(result.columns);
  std::string out;
  for (const std::vector<Value>& row : result.rows) {
    out += JsonObject(keys, row);
    out += '\n';
  }
  return out;
}

std::string CsvValue(const Value& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return CsvQuote(value.get_ref<const std::string&>());
  return CsvQuote(DumpValue(value));
}

std::string RenderCsv(const ResultSet& result) {
  std::string out;
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvQuote(result.columns[i]);
  }
  out += '\n';
  for (const std::vector<Value>& row : result.rows) {
    for (size_t i = 0; i < result.columns.size(); ++i) {
      if (i > 0) out += ',';
      out += CsvValue(CellAt(row, i));
    }
    out += '\n';
  }
  return out;
}

std::string RenderLine(const ResultSet& result) {
  size_t name_width = 0;
  for (const std::string& name : result.columns) {
    name_width = std::max(name_width, DisplayWidth(name));
  }
  std::string out;
  for (size_t r = 0; r < result.rows.size(); ++r) {
    if (r > 0) out += '\n';
    for (size_t i = 0; i < result.columns.size(); ++i) {
      const std::string& name = result.columns[i];
      out.append(name_width - DisplayWidth(name), ' ');
      out += name;
      out += " = ";
      out += ValueToDisplayString(CellAt(result.rows[r], i));
      out += '\n';
    }
  }
  return out;
}

// Locale-free, so "TABLE" parses the same under any LC_CTYPE.
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  for (OutputFormat format : {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kJsonl,
                              OutputFormat::kCsv, OutputFormat::kLine}) {
    const std::string_view candidate = OutputFormatName(format);
    if (std::ranges::equal(name, candidate,
                           [](char a, char b) { return AsciiLower(a) == b; })) {
      return format;
    }
  }
  return std::nullopt;
}

const char* OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable: return "table";
    case OutputFormat::kJson: return "json";
    case OutputFormat::kJsonl: return "jsonl";
    case OutputFormat::kCsv: return "csv";
    case OutputFormat::kLine: return "line";
  }
  return "table";
}

std::string RenderResult(const ResultSet& result, const RenderOptions& options) {
  if (result.columns.empty()) return "";
  switch (options.format) {
    case OutputFormat::kTable: return RenderTable(result, options.max_width);
    case OutputFormat::kJson: return RenderJson(result);
    case OutputFormat::kJsonl: return RenderJsonl(result);
    case OutputFormat::kCsv: return RenderCsv(result);
    case OutputFormat::kLine: return RenderLine(result);
  }
  return "";
}

}  // namespace sluice
