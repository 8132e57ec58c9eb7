#include "core/source_text.h"

#include <algorithm>

namespace sluice {

std::string_view SourceFile::Line(uint32_t line) const {
  std::string_view rest(text);
  for (uint32_t i = 1; i < line; ++i) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return {};
    rest.remove_prefix(nl + 1);
  }
  size_t end = rest.find('\n');
  std::string_view result = rest.substr(0, end);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

std::string SourceLocation::ToString() const {
  return FileName() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

SourceLocation LocationAt(const std::shared_ptr<const SourceFile>& file, uint32_t offset) {
  SourceLocation at;
  at.file = file;
  at.offset = offset;
  at.line = 1;
  at.column = 1;
  if (!file) return at;
  uint32_t end = std::min<uint32_t>(offset, static_cast<uint32_t>(file->text.size()));
  for (uint32_t i = 0; i < end; ++i) {
    if (file->text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

}  // namespace sluice
