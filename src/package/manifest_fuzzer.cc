// Fuzz target "manifest": Manifest::Parse on hostile bytes (the
// sluice-package.json of a downloaded package).
//
// Properties: no crash; a refusal carries a message; an accepted manifest
// has safe, unique file paths with well-formed digests, and its canonical
// form parses again to the same canonical form.
#include <set>
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "package/archive.h"
#include "package/digest.h"
#include "package/manifest.h"

SLUICE_FUZZ_TARGET("manifest") {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto manifest = sluice::Manifest::Parse(input);
  if (!manifest.ok()) {
    SLUICE_FUZZ_CHECK(!manifest.status().message().empty(), "a refusal without a message");
    return;
  }
  std::set<std::string> paths;
  for (const sluice::ManifestFile& file : manifest->files) {
    SLUICE_FUZZ_CHECK(sluice::CheckArchivePath(file.path).ok(), "an unsafe path was accepted");
    SLUICE_FUZZ_CHECK(paths.insert(file.path).second, "a path was accepted twice");
    SLUICE_FUZZ_CHECK(sluice::IsSha256Hex(file.sha256), "a malformed digest was accepted");
  }
  std::string canonical = manifest->ToJson();
  auto again = sluice::Manifest::Parse(canonical);
  SLUICE_FUZZ_CHECK(again.ok(), "the canonical form of an accepted manifest is refused");
  SLUICE_FUZZ_CHECK(again->ToJson() == canonical, "the canonical form is not stable");
}
