// The package manifest, sluice-package.json: what a package is, what it
// contains, and what its upgrade breaks.
//
// One canonical JSON form (keys sorted, two-space indent, trailing newline)
// so a manifest written twice from the same content is the same bytes.
// Parse() is for hostile input: it checks schema_version, the name (a
// connector type name), the version (strict SemVer 2.0), the license (SPDX),
// the engine range (npm range), every file path (archive.h rules) and
// sha256 (64 lower-case hex), and refuses unknown top-level keys only when
// schema_version is newer than this build knows.
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace sluice {

inline constexpr int kManifestSchemaVersion = 1;
inline constexpr const char* kManifestPath = "sluice-package.json";

struct ManifestFile {
  std::string path;    // relative path in the archive
  std::string sha256;  // lower-case hex
  uint64_t size = 0;
};

struct ManifestEntity {
  std::string name;  // without the type prefix
  std::string description;
  Value fields = Value::object();         // as FIELDS: {"id": {"type": "string", "primary_key": true}, …}
  std::vector<std::string> primary_key;   // in field order
  std::string cursor;                     // "" when none
  std::string parent;                     // "" when none
};

struct ManifestAction {
  std::string name;  // "items.create" or "ping"
  std::string description;
  Value parameters = Value::object();
};

// A breaking change the version declares (Airbyte's breakingChanges):
// UPGRADE … FORCE is needed to cross it.
struct BreakingChange {
  std::string version;                 // the version that breaks
  std::string message;
  std::vector<std::string> entities;   // affected entities; empty: all
  bool reset_state = false;            // clear those entities' incremental marks on upgrade
  std::string upgrade_deadline;        // ISO date, informational
};

struct Manifest {
  int schema_version = kManifestSchemaVersion;
  std::string name;
  std::string version;
  std::string description;
  std::string author;
  std::string license;         // SPDX expression
  std::string homepage;
  std::string engine;          // npm range of Sluice versions ("engines": {"sluice": …}), e.g. ">=0.1.0"
  std::string kind;            // "declared" | "integration"
  std::vector<ManifestEntity> entities;
  std::vector<ManifestAction> actions;
  Value config_schema = Value::object();
  std::vector<std::string> secrets;  // names of CONFIG_SCHEMA fields marked secret
  std::vector<std::string> allowed_hosts;
  std::vector<ManifestFile> files;   // every archive entry but the manifest, sorted by path
  std::vector<BreakingChange> breaking_changes;  // sorted by version

  std::string ToJson() const;
  static Result<Manifest> Parse(std::string_view json);
};

// The "breaking_changes" object (also the format of a package folder's
// breaking.json): {"2.0.0": {"message", "entities", "reset_state",
// "upgrade_deadline"}}. Parse checks each version is SemVer; sorted by version.
Value BreakingChangesToValue(const std::vector<BreakingChange>& changes);
Result<std::vector<BreakingChange>> ParseBreakingChanges(const Value& object);

}  // namespace sluice
