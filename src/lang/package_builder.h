// Building a package (docs/packages.md "Packages"): a connector type in a
// workspace → one deterministic .sluicepkg.
//
// Contents (paths in the archive):
//   sluice-package.json        the manifest (package/manifest.h)
//   sql/<type>.sql             the type, its entities and actions, regenerated
//                              canonically from the catalog (CREATE … FILE '../js/…')
//   js/<entity>.query.js       each handler's code, exactly as stored
//   js/<action>.action.js
//   tests/<type>.sql           the type's recorded TEST CONNECTOR blocks
//   README.md, LICENSE         when present in the folder given
//   integration/**             a table integration's files: its own files and
//                              the node_modules packages of its production
//                              dependency closure (no npm needed to install);
//                              the SDK Sluice implements itself is left out
//   migrations/<version>.sql   when present in the folder given
//
// Refused, with the reason: a version that is not SemVer 2.0, a license that
// is not an SPDX expression, a type that does not exist or is a plugin type,
// a type whose own recorded tests fail (each runs in an isolated copy, as
// `sluice test` runs it), an archive over the limits of package/archive.h.
//
// Thread-safety: one thread; runs tests on it.
#pragma once

#include <string>

#include "catalog/workspace.h"
#include "core/status.h"
#include "lang/result.h"
#include "package/manifest.h"

namespace sluice {

struct PackageRequest {
  std::string type;
  std::string version;      // "" → the type's VERSION
  std::string description;  // "" → the type's DESCRIPTION
  std::string author;
  std::string license;      // "" → refused: a package names its license
  std::string homepage;
  std::string files_dir;    // where README.md, LICENSE, migrations/ and breaking.json are looked for
};

struct BuiltPackage {
  Manifest manifest;
  std::string archive;    // the .sluicepkg bytes
  std::string sha256;     // of archive
  std::string file_name;  // "<type>-<version>.sluicepkg"
};

Result<BuiltPackage> BuildPackage(Workspace& workspace, const PackageRequest& request, OutputSink& output);

// `sluice package DIR`: DIR is a folder of .sql files (its definitions and
// tests are run into a fresh in-memory workspace, which must then hold one
// connector type, or `type` names it) or an integration folder (package.json).
struct DirectoryPackageRequest {
  std::string dir;
  std::string version;  // "" → the type's VERSION / package.json version
  std::string type;     // "" → the only type DIR defines
  std::string license;  // "" → from package.json, or a LICENSE file's SPDX-License-Identifier
  std::string author;
  std::string description;
};
Result<BuiltPackage> BuildPackageFromDirectory(const DirectoryPackageRequest& request, OutputSink& output);

// Writes dir/<file_name> atomically (creating dir); returns the path.
Result<std::string> WritePackageFile(const BuiltPackage& package, const std::string& dir);

}  // namespace sluice
