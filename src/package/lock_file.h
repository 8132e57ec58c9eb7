// sluice.lock: the installed packages' exact versions and digests, meant
// for version control (like .terraform.lock.hcl or package-lock.json).
//
//   {
//     "lock_version": 1,
//     "packages": {
//       "github": {"version": "1.2.0", "sha256": "…", "constraint": "^1.2",
//                  "registry": "oci://127.0.0.1:5000/sluice", "key_id": "…"}
//     }
//   }
//
// Keys sorted, two-space indent, trailing newline: a lock written twice from
// the same packages is the same bytes, so diffs show only real changes.
// Written atomically (temporary file, fsync, rename), so a kill never leaves
// half a lock. Parse() refuses unknown lock_version and malformed entries,
// naming the file and the package.
//
// Thread-safety: values; Load/Save touch the file system.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/status.h"

namespace sluice {

struct LockedPackage {
  std::string version;
  std::string sha256;
  std::string constraint;  // the range asked for ("" for none)
  std::string registry;    // URL
  std::string key_id;      // "" when installed unsigned
};

struct LockFile {
  std::map<std::string, LockedPackage> packages;

  // A missing file is an empty lock.
  static Result<LockFile> Load(const std::string& path);
  Status Save(const std::string& path) const;
  std::string ToJson() const;
  static Result<LockFile> Parse(const std::string& text, const std::string& path_for_errors);
};

}  // namespace sluice
