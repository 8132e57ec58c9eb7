// Shared by the registry back ends (registry.cc, registry_directory.cc,
// registry_http.cc, registry_oci.cc); not part of the layer's interface.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/http.h"
#include "package/registry.h"

namespace sluice::registry_internal {

// Caps on what a registry may hand us: an index is a few hundred bytes per
// version, a signature a few hundred bytes.
constexpr size_t kMaxIndexBytes = 16 << 20;
constexpr size_t kMaxSignatureBytes = 64 << 10;
constexpr size_t kMaxManifestBytes = 4 << 20;
constexpr size_t kMaxPackageBytes = size_t{1} << 30;

// A package name must be usable as a file name and a repository path
// component: [A-Za-z0-9_.-], not starting with '.' or '-', at most 128.
Status CheckName(const std::string& name);
// Strict SemVer 2.0 (no "v", no leading zeros); kInvalidArgument otherwise.
Status CheckVersion(const std::string& version);
bool IsStrictVersion(const std::string& version);
bool IsPrerelease(const std::string& version);
// SemVer precedence (build metadata ignored); both must be strict versions.
int CompareVersions(const std::string& a, const std::string& b);
void SortVersions(std::vector<IndexEntry>& entries);
bool IsKeyIdHex(const std::string& text);
// A yank reason is one short line (it is shown in listings).
Status CheckReason(const std::string& reason);
// A yank reason as read from a registry: at most 200 characters (then "…"),
// control characters as spaces, invalid UTF-8 replaced.
std::string ShownReason(std::string_view reason);
// Checks the fields Publish() relies on, and that archive matches entry.
Status CheckPublish(const IndexEntry& entry, const std::string& archive,
                    const std::string& signature);

std::string EntryToJson(const IndexEntry& entry);
// One index line; `where` names file and line for errors.
Result<IndexEntry> EntryFromJson(const std::string& line, const std::string& where);
// Index text → entries for `name`, validated and sorted.
Result<std::vector<IndexEntry>> ParseIndex(const std::string& text, const std::string& name,
                                           const std::string& where);
std::string NowIso8601();
// Size and sha256 of fetched bytes against the entry: kIntegrity otherwise.
Status CheckFetched(const IndexEntry& entry, const std::string& archive, const std::string& where);

// A blocking request over CurlTransport (Start, then Poll until done).
class BlockingHttp {
 public:
  BlockingHttp();
  ~BlockingHttp();
  // kConnection/kTimeout when no response came; any HTTP status otherwise.
  // A body over request.max_body_bytes is `too_large` (kIntegrity when the
  // expected size is known, as for a package).
  Result<HttpResponse> Do(HttpRequest request, ErrorKind too_large = ErrorKind::kInvalidArgument);

 private:
  std::unique_ptr<HttpTransport> transport_;
};
constexpr std::chrono::milliseconds kHttpTimeout{120000};

Result<std::unique_ptr<Registry>> OpenDirectoryRegistry(const std::string& url,
                                                        const std::string& path);
Result<std::unique_ptr<Registry>> OpenStaticHttpRegistry(const std::string& url);
Result<std::unique_ptr<Registry>> OpenOciRegistry(const std::string& url);

}  // namespace sluice::registry_internal
