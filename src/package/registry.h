// Registries: where packages are published and found. One index format,
// three back ends (docs/packages.md "Registries"):
//
//   directory   "/abs/path", "./rel/path" or "file:///abs/path"; read and write.
//               config.json            {"schema_version": 1}
//               index/<name>.json      JSON lines, one IndexEntry per version
//               packages/<name>/<name>-<version>.sluicepkg  (+ .minisig)
//   static HTTP "http(s)://host/prefix": the same tree over GET; read-only
//               (publishing to it says to publish to the directory it serves).
//   OCI         "oci://host[:port]/repository-prefix": repository <prefix>/<name>;
//               one manifest per exact version (tag = version, never
//               overwritten), artifactType application/vnd.sluice.connector.v1,
//               config = the package manifest (application/vnd.sluice.connector.config.v1+json),
//               layers = the .sluicepkg (application/vnd.sluice.connector.layer.v1.tar+gzip)
//               and, when signed, the .minisig (application/vnd.sluice.signature.minisign.v1);
//               moving tags MAJOR and MAJOR.MINOR (and "latest") follow the
//               highest non-prerelease version; yanks live in a "_yanked"
//               tag whose config is the JSON list of yanked versions.
//               Plain HTTP for loopback hosts (127.0.0.1, localhost, [::1]),
//               HTTPS otherwise; "oci+http://" forces plain HTTP.
//
// Exact versions are immutable everywhere: publishing a version that exists
// is kAlreadyExists. Yanking marks a version, never deletes it.
// Every response and file is hostile input: sizes are capped, JSON is
// validated, and Fetch() checks size and sha256 against the index entry.
//
// Ownership: a Registry owns its HTTP transport.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sluice {

struct IndexEntry {
  std::string name;
  std::string version;
  std::string sha256;        // of the .sluicepkg
  uint64_t size = 0;
  std::string engine;        // the manifest's "sluice" range
  bool is_signed = false;    // a .minisig was published with it
  std::string key_id;        // signer's key id (hex), when signed
  bool yanked = false;
  std::string yanked_reason;
  std::string published_at;  // ISO-8601 UTC
};

struct FetchedPackage {
  std::string archive;    // the .sluicepkg bytes (size and sha256 checked)
  std::string signature;  // the .minisig text; empty when unsigned
};

class Registry {
 public:
  virtual ~Registry() = default;
  // The URL as the user gave it, for messages (no credentials).
  virtual const std::string& url() const = 0;
  virtual bool writable() const = 0;
  // What Versions() skipped (an OCI tag whose manifest is broken), one line
  // each, for the caller to show as notes; the directory index is strict
  // and never skips.
  virtual std::vector<std::string> notes() const { return {}; }
  // Every version of `name`, in SemVer order, yanked ones included (marked).
  // kNotFound naming name and registry when there is none.
  virtual Result<std::vector<IndexEntry>> Versions(const std::string& name) = 0;
  virtual Result<FetchedPackage> Fetch(const IndexEntry& entry) = 0;
  // `entry` describes `archive` (name, version, sha256, size, engine,
  // is_signed/key_id); `signature` is empty for an unsigned package.
  virtual Status Publish(const IndexEntry& entry, const std::string& archive,
                         const std::string& signature) = 0;
  // Marks (or, with yanked = false, unmarks) a version; kNotFound when absent.
  virtual Status Yank(const std::string& name, const std::string& version, bool yanked,
                      const std::string& reason) = 0;
};

// A registry for a URL or path (see above); kInvalidArgument for a URL of no
// back end. Opening touches nothing: errors come from the first call.
Result<std::unique_ptr<Registry>> OpenRegistry(const std::string& url);

// A name registries take: ASCII letters, digits, '_', '-', '.', at most 128
// bytes, not starting with '.' or '-'.
Status CheckPackageName(const std::string& name);

// Whether `text` looks like a registry location rather than a registry name:
// it has a scheme (x://) or starts with "/", "./", "../" or "~/".
bool LooksLikeRegistryUrl(const std::string& text);

}  // namespace sluice
