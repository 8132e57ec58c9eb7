// What the workspace knows about packages: declared registries, installed
// packages (with the version they replaced, for ROLLBACK), and the TEST
// CONNECTOR blocks run in this workspace (so PACKAGE can ship and re-run a
// type's own tests).
//
// Tables (a workspace migration creates them):
//   _sluice_registries(name PK, url, trusted_keys JSON array, created_at)
//   _sluice_packages(type PK, version, sha256, constraint_text, registry,
//                    registry_url, key_id, allow_unsigned, installed_at,
//                    previous_version, previous_sha256, previous_key_id)
//   _sluice_tests(type, name, text, origin, recorded_at, PK(type, name))
// and a type_version column on _sluice_sync_runs (the connector type's
// version that wrote the run; SHOW SYNC RUNS shows it).
//
// Ownership: borrows the Database (Workspace owns both).
// Thread-safety: one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/sqlite.h"
#include "core/status.h"

namespace sluice {

struct RegistryDef {
  std::string name;
  std::string url;
  std::vector<std::string> trusted_keys;  // "RW…" public keys
  std::string created_at;
};

struct InstalledPackage {
  std::string type;
  std::string version;
  std::string sha256;
  std::string constraint;    // the range asked for; "" for none
  std::string registry;      // the registry's name, or "" when installed from a URL/path
  std::string registry_url;
  std::string key_id;        // signer; "" when installed unsigned
  bool allow_unsigned = false;
  std::string installed_at;
  std::string previous_version;  // what ROLLBACK restores; "" when none
  std::string previous_sha256;
  std::string previous_key_id;
  std::string previous_constraint;  // the range the previous version was installed with
};

struct RecordedTest {
  std::string type;
  std::string name;
  std::string text;    // the whole TEST CONNECTOR TYPE … END TEST; statement as written
  std::string origin;  // "file.sql:12:1"
};

class PackageRecords {
 public:
  explicit PackageRecords(Database& db) : db_(db) {}

  Status PutRegistry(const RegistryDef& def, bool or_replace);  // kAlreadyExists without or_replace
  Result<RegistryDef> GetRegistry(const std::string& name);      // kNotFound naming it
  Result<std::vector<RegistryDef>> ListRegistries();
  Status DropRegistry(const std::string& name);

  Status PutPackage(const InstalledPackage& package);  // insert or replace
  Result<std::optional<InstalledPackage>> GetPackage(const std::string& type);
  Result<std::vector<InstalledPackage>> ListPackages();
  Status DropPackage(const std::string& type);

  // Replaces the test of the same (type, name).
  Status PutTest(const RecordedTest& test);
  Result<std::vector<RecordedTest>> ListTests(const std::string& type);  // in name order

 private:
  Database& db_;
};

}  // namespace sluice
