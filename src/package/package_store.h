// The local package store: every package installed or fetched, kept by
// digest, so reinstalls and ROLLBACK work offline (Steampipe #1043, and
// air-gapped hosts).
//
//   <root>/sha256/<hex>.sluicepkg    the archive
//   <root>/sha256/<hex>.minisig      its signature, when it had one
//   <root>/sha256/<hex>/             the archive extracted (integrations run from here)
//
// The root is $SLUICE_PACKAGE_STORE, else $XDG_DATA_HOME/sluice/packages,
// else ~/.local/share/sluice/packages. Everything is written to a temporary
// name and renamed into place, so a kill leaves either nothing or a complete
// entry; reading re-checks the sha256, so a damaged entry is never used.
//
// Thread-safety: safe across processes (atomic renames); one object per thread.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "package/registry.h"

namespace sluice {

class PackageStore {
 public:
  // The default root (see above), created on first write.
  static PackageStore Default();
  explicit PackageStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // Stores `package` under sha256(archive); Ok when already there.
  Status Put(const FetchedPackage& package);
  // The package with digest `sha256`, re-checked; kNotFound when absent,
  // kIntegrity when the bytes no longer match.
  Result<FetchedPackage> Get(const std::string& sha256);
  // The archive extracted under <root>/sha256/<hex>/ (extracted once, with
  // archive.h's checks); returns that directory.
  Result<std::string> Extracted(const std::string& sha256);

 private:
  std::string root_;
};

}  // namespace sluice
