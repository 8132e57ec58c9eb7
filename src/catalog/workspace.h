// Workspace: the one SQLite file that holds a user's catalog (definitions,
// secrets, sync state) and, beside it, their synced and local tables.
//
// Catalog tables are named `_sluice_*`. The schema carries a version in
// `_sluice_meta`; Open() applies the missing migrations in order, each in its
// own transaction, and refuses (kInvalidArgument, naming both versions) a
// workspace written by a newer Sluice.
//
// Ownership: a Workspace owns its Database; Catalog and SecretStore borrow it.
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "catalog/package_records.h"
#include "catalog/secret_store.h"
#include "core/sqlite.h"
#include "core/status.h"

namespace sluice {

class Workspace {
 public:
  // `path` is a file (created if missing) or ":memory:". A path whose folder
  // does not exist is kIo naming the path; errors name the workspace.
  static Result<std::unique_ptr<Workspace>> Open(const std::string& path);

  // A private in-memory copy of `source` — catalog, secrets and tables —
  // that a connector test runs in, so nothing the test does reaches
  // `source` or another test. Costs one page copy per page of `source`.
  static Result<std::unique_ptr<Workspace>> OpenCopy(Workspace& source);

  Database& db() { return db_; }
  Catalog& catalog() { return *catalog_; }
  SecretStore& secrets() { return *secrets_; }
  PackageRecords& packages() { return *packages_; }
  const std::string& path() const { return path_; }

  // The catalog schema version this build writes.
  static int CurrentSchemaVersion();
  Result<int> SchemaVersion();

 private:
  Workspace() = default;
  Status Migrate();

  std::string path_;
  Database db_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<SecretStore> secrets_;
  std::unique_ptr<PackageRecords> packages_;
};

}  // namespace sluice
