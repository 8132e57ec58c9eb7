// The installer's decisions, apart from the statements that use them
// (interpreter_install.cc): which version to install, whether fetched bytes
// may be trusted, whether a package's SQL stays inside its own type, and what
// an upgrade changes (docs/packages.md "Installing, the lock and the store"
// and "Upgrades and rollbacks").
//
// Everything here is a pure function of its arguments, so every refusal can
// be tested without a registry or a workspace.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/definitions.h"
#include "core/status.h"
#include "lang/ast.h"
#include "package/archive.h"
#include "package/lock_file.h"
#include "package/manifest.h"
#include "package/registry.h"

namespace sluice {

// The exact text a package's signature must carry as its trusted comment:
// it binds the signature to one name, version and archive digest, so a
// signature cannot be replayed onto another version.
std::string PackageSignatureComment(std::string_view name, std::string_view version,
                                    std::string_view sha256);

struct ResolvedVersion {
  IndexEntry entry;
  bool from_lock = false;  // the lock's pin was used (then yanked is allowed)
};

// The version INSTALL fetches. With a lock pin whose version satisfies
// `range` (or no range): exactly that version, yanked or not, and kIntegrity
// when the registry's digest differs from the lock's. Otherwise the highest
// non-yanked version satisfying `range` (npm's rules, so prereleases only
// when the range names one) whose engine range admits `engine_version`.
// kNotFound listing every version and why it was passed over.
Result<ResolvedVersion> ResolveVersion(const std::string& name,
                                       const std::vector<IndexEntry>& versions,
                                       const std::string& range,
                                       const std::optional<LockedPackage>& pin,
                                       const std::string& registry_label,
                                       std::string_view engine_version = SLUICE_VERSION);

// Whom a package must be signed by.
struct TrustPolicy {
  std::vector<std::string> trusted_keys;  // "RW…" public keys; empty for a bare URL
  bool allow_unsigned = false;            // ALLOW UNSIGNED
  std::string registry_label;             // "registry 'r' (url)" for messages
  // The statement being run, for the hint to add its ALLOW UNSIGNED.
  std::string statement = "INSTALL";
};

struct VerifiedPackage {
  Manifest manifest;
  std::vector<ArchiveEntry> entries;  // the archive's files, manifest included
  std::string key_id;                 // the trusted signer; "" when accepted unsigned
};

// Checks fetched bytes against what the index promised, before anything is
// installed: size and sha256; the signature (a trusted key, over these bytes,
// whose trusted comment is PackageSignatureComment of the expected name,
// version and digest); the archive (archive.h's hostile-input rules); the
// manifest (parses, same name and version, engine admits this build); and
// the file list (every file the manifest lists is there with its sha256 and
// size, and nothing else is). A missing or untrusted signature is kIntegrity
// unless policy.allow_unsigned; a signature by a trusted key that does not
// verify, or that names another package, is kIntegrity always.
Result<VerifiedPackage> VerifyPackage(const IndexEntry& expected, const FetchedPackage& fetched,
                                      const TrustPolicy& policy,
                                      std::string_view engine_version = SLUICE_VERSION);

// Ok when the folder `dir` (a package extracted in the store) holds exactly
// the files of `verified`: each with the sha256 and size its manifest lists,
// the manifest itself byte for byte, nothing else (no extra file, link or
// special file). kIntegrity naming the first file that differs otherwise.
// Reads files, unlike the rest of this header.
Status VerifyExtractedFolder(const std::string& dir, const VerifiedPackage& verified);

// The path of the type's definitions in a package: "sql/<type>.sql".
std::string PackageSqlPath(const std::string& type);

// Ok when every statement of a package's SQL is CREATE [OR REPLACE]
// CONNECTOR TYPE/ENTITY/ACTION of `type` itself and may run nothing outside
// the package; otherwise kInvalidArgument naming the statement, its line and
// the file. Refused before anything runs: FROM PLUGIN (any form: INSTALL
// would start a program); FROM INTEGRATION in a "declared" package, its
// absence in an "integration" one (`kind` "" checks neither); a handler FILE
// or FROM INTEGRATION path that is absolute or leaves the package, lexically
// or — when `package_dir` (the extracted folder) is given — once symlinks
// are resolved. Paths are relative to sql/, as the statements are read from
// `package_dir`/sql/<type>.sql.
Status CheckPackageStatements(const ast::Program& program, const std::string& type,
                              const std::string& kind = "", const std::string& package_dir = "");

// What an upgrade changes in a type's entities, the installed definitions
// against the new version's manifest.
struct SchemaDiff {
  std::vector<std::string> additions;  // "entity 'x.y' is new", "field 'x.y.z' is new"
  struct Breaking {
    std::string entity;  // without the type prefix
    std::string what;    // "field 'x.y.z' changes type from string to integer"
    // The entity's synced table no longer fits (a column's type or the
    // primary key changes): the next sync into it needs FORCE.
    bool rebuilds_table = false;
  };
  std::vector<Breaking> breaking;
};
SchemaDiff DiffEntities(const std::string& type, const std::vector<EntityDef>& installed,
                        const std::vector<ManifestEntity>& next);

// The breaking changes `next` declares for an upgrade from `from_version`:
// those whose version v has from_version < v <= next.version.
std::vector<BreakingChange> DeclaredBreakingChanges(const Manifest& next,
                                                    const std::string& from_version);

// The breaking changes of `diff` that no declared change covers (one covers
// an entity when its entity list is empty or names it).
std::vector<SchemaDiff::Breaking> UndeclaredBreaking(const SchemaDiff& diff,
                                                     const std::vector<BreakingChange>& declared);

// sluice.lock of the workspace at `workspace_path`: beside the workspace
// file; for an in-memory workspace ("" or ":memory:"), in the current
// directory.
std::string LockPathFor(const std::string& workspace_path);

// Removes `type`'s entry from the lock at `lock_path` (DROP CONNECTOR TYPE of
// an installed type); Ok when there is none or no lock file. Reads and
// writes the file, unlike the rest of this header.
Status ForgetLockedPackage(const std::string& lock_path, const std::string& type);

// The first 12 hex digits, for tables.
std::string ShortDigest(const std::string& sha256);

}  // namespace sluice
