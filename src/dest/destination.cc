#include "dest/destination.h"

#include <algorithm>

namespace sluice {

const char* WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kOverwriteDeleteStale:
      return "overwrite-delete-stale";
    case WriteMode::kOverwrite:
      return "overwrite";
    case WriteMode::kAppend:
      return "append";
  }
  return "overwrite-delete-stale";
}

std::optional<WriteMode> WriteModeFromName(std::string_view name) {
  for (WriteMode mode : {WriteMode::kOverwriteDeleteStale, WriteMode::kOverwrite, WriteMode::kAppend}) {
    if (name == WriteModeName(mode)) return mode;
  }
  return std::nullopt;
}

bool TableSpec::HasPrimaryKey() const {
  return std::any_of(columns.begin(), columns.end(), [](const ColumnSpec& c) { return c.primary_key; });
}

}  // namespace sluice
