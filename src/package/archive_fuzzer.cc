// Fuzz target "archive": ReadArchive on hostile bytes (a downloaded
// .sluicepkg before anything else looks at it).
//
// Properties: no crash; a refusal carries a message; every entry read has a
// path CheckArchivePath accepts, no path twice, and sizes within the limits;
// what was read writes back and reads again to the same entries.
#include <set>
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "package/archive.h"

SLUICE_FUZZ_TARGET("archive") {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sluice::ArchiveLimits limits;
  limits.max_entries = 200;
  limits.max_entry_bytes = 1 << 20;
  limits.max_total_bytes = 4 << 20;
  auto entries = sluice::ReadArchive(input, limits);
  if (!entries.ok()) {
    SLUICE_FUZZ_CHECK(!entries.status().message().empty(), "a refusal without a message");
    return;
  }
  std::set<std::string> paths;
  uint64_t total = 0;
  for (const sluice::ArchiveEntry& e : *entries) {
    SLUICE_FUZZ_CHECK(sluice::CheckArchivePath(e.path).ok(), "an unsafe path was read");
    SLUICE_FUZZ_CHECK(paths.insert(e.path).second, "a path was read twice");
    SLUICE_FUZZ_CHECK(e.data.size() <= limits.max_entry_bytes, "an entry over the limit was read");
    total += e.data.size();
  }
  SLUICE_FUZZ_CHECK(total <= limits.max_total_bytes, "more than the total limit was read");
  auto again = sluice::WriteArchive(*entries);
  SLUICE_FUZZ_CHECK(again.ok(), "entries that were read cannot be written");
  auto reread = sluice::ReadArchive(*again, limits);
  SLUICE_FUZZ_CHECK(reread.ok() && reread->size() == entries->size(),
                    "a written archive does not read back");
  return;
}
