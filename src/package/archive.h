// Deterministic .sluicepkg archives (gzip-compressed POSIX tar, libarchive).
//
// Writing: entries sorted by path, mtime 0, uid/gid 0, no user/group names,
// mode 0644 (0755 when executable), ustar/pax headers with no time fields,
// gzip without name or timestamp — the same entries always give the same
// bytes, so a package's sha256 is a function of its content alone.
//
// Reading is for hostile bytes: only regular files and directories; a path
// that is absolute, has a "..", ".", empty or backslash component, is not
// UTF-8, or repeats another is refused; as are links, devices and fifos;
// entry count, entry size, total size and compression ratio are capped. Every
// refusal names the entry.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice {

struct ArchiveEntry {
  std::string path;  // relative, '/'-separated, e.g. "sql/github.sql"
  std::string data;
  bool executable = false;
};

struct ArchiveLimits {
  size_t max_entries = 20000;
  uint64_t max_entry_bytes = 64ull << 20;
  uint64_t max_total_bytes = 256ull << 20;
  size_t max_path_bytes = 512;
};

// kInvalidArgument for an unsafe or duplicate path.
Result<std::string> WriteArchive(std::vector<ArchiveEntry> entries);
// Entries in archive order (directories omitted).
Result<std::vector<ArchiveEntry>> ReadArchive(std::string_view bytes, const ArchiveLimits& limits = {});
// The checks ReadArchive applies to one path; Ok or kInvalidArgument naming it.
Status CheckArchivePath(std::string_view path);

}  // namespace sluice
