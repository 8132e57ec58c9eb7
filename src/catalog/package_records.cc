#include "catalog/package_records.h"

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"

namespace sluice {
namespace {

std::string KeysJson(const std::vector<std::string>& keys) { return nlohmann::json(keys).dump(); }

// The column is only ever written by KeysJson, but a workspace file can be
// edited by hand: a damaged value is an error naming the registry, not a
// crash.
Result<std::vector<std::string>> ParseKeys(const std::string& text, const std::string& registry) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> keys;
  if (parsed.is_array()) {
    for (const auto& key : parsed) {
      if (!key.is_string()) {
        parsed = nlohmann::json::value_t::discarded;
        break;
      }
      keys.push_back(key.get<std::string>());
    }
  }
  if (!parsed.is_array()) {
    return Status(ErrorKind::kInvalidArgument,
                  "registry '" + registry + "' has unreadable trusted keys in the workspace: " + text);
  }
  return keys;
}

Result<RegistryDef> ReadRegistry(Stmt& stmt) {
  RegistryDef def;
  def.name = stmt.ColumnText(0);
  def.url = stmt.ColumnText(1);
  ASSIGN_OR_RETURN(def.trusted_keys, ParseKeys(stmt.ColumnText(2), def.name));
  def.created_at = stmt.ColumnText(3);
  return def;
}

constexpr char kRegistryColumns[] = "SELECT name, url, trusted_keys, created_at FROM _sluice_registries";

constexpr char kPackageColumns[] =
    "SELECT type, version, sha256, constraint_text, registry, registry_url, key_id, allow_unsigned, "
    "installed_at, previous_version, previous_sha256, previous_key_id, previous_constraint FROM "
    "_sluice_packages";

InstalledPackage ReadPackage(Stmt& stmt) {
  InstalledPackage package;
  package.type = stmt.ColumnText(0);
  package.version = stmt.ColumnText(1);
  package.sha256 = stmt.ColumnText(2);
  package.constraint = stmt.ColumnText(3);
  package.registry = stmt.ColumnText(4);
  package.registry_url = stmt.ColumnText(5);
  package.key_id = stmt.ColumnText(6);
  package.allow_unsigned = stmt.ColumnInt(7) != 0;
  package.installed_at = stmt.ColumnText(8);
  package.previous_version = stmt.ColumnText(9);
  package.previous_sha256 = stmt.ColumnText(10);
  package.previous_key_id = stmt.ColumnText(11);
  package.previous_constraint = stmt.ColumnText(12);
  return package;
}

Status RequireNonEmpty(const std::string& value, const std::string& what) {
  if (value.empty()) return Status(ErrorKind::kInvalidArgument, what + " must not be empty");
  return Status();
}

}  // namespace

// --- registries -------------------------------------------------------------

Status PackageRecords::PutRegistry(const RegistryDef& def, bool or_replace) {
  RETURN_IF_ERROR(RequireNonEmpty(def.name, "a registry name"));
  RETURN_IF_ERROR(RequireNonEmpty(def.url, "the URL of registry '" + def.name + "'"));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  if (!or_replace) {
    ASSIGN_OR_RETURN(Stmt exists, db_.Prepare("SELECT 1 FROM _sluice_registries WHERE name = ?1"));
    RETURN_IF_ERROR(exists.BindText(1, def.name));
    ASSIGN_OR_RETURN(bool found, exists.Step());
    if (found) {
      return Status(ErrorKind::kAlreadyExists,
                    "registry '" + def.name + "' already exists (CREATE OR REPLACE REGISTRY changes it)");
    }
  }
  // Replacing keeps when the name was first declared.
  ASSIGN_OR_RETURN(Stmt put, db_.Prepare("INSERT INTO _sluice_registries (name, url, trusted_keys, created_at) "
                                         "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET url = excluded.url, "
                                         "trusted_keys = excluded.trusted_keys"));
  RETURN_IF_ERROR(put.BindText(1, def.name));
  RETURN_IF_ERROR(put.BindText(2, def.url));
  RETURN_IF_ERROR(put.BindText(3, KeysJson(def.trusted_keys)));
  RETURN_IF_ERROR(put.BindText(4, def.created_at.empty() ? NowIso8601() : def.created_at));
  RETURN_IF_ERROR(put.Run());
  return tx.Commit();
}

Result<RegistryDef> PackageRecords::GetRegistry(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(std::string(kRegistryColumns) + " WHERE name = ?1"));
  RETURN_IF_ERROR(stmt.BindText(1, name));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status(ErrorKind::kNotFound, "no registry named '" + name + "'");
  return ReadRegistry(stmt);
}

Result<std::vector<RegistryDef>> PackageRecords::ListRegistries() {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(std::string(kRegistryColumns) + " ORDER BY name"));
  std::vector<RegistryDef> registries;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(RegistryDef def, ReadRegistry(stmt));
    registries.push_back(std::move(def));
  }
  return registries;
}

Status PackageRecords::DropRegistry(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt drop, db_.Prepare("DELETE FROM _sluice_registries WHERE name = ?1"));
  RETURN_IF_ERROR(drop.BindText(1, name));
  RETURN_IF_ERROR(drop.Run());
  if (db_.Changes() == 0) return Status(ErrorKind::kNotFound, "no registry named '" + name + "'");
  return Status();
}

// --- installed packages -----------------------------------------------------

Status PackageRecords::PutPackage(const InstalledPackage& package) {
  RETURN_IF_ERROR(RequireNonEmpty(package.type, "the connector type of an installed package"));
  RETURN_IF_ERROR(RequireNonEmpty(package.version, "the version of package '" + package.type + "'"));
  ASSIGN_OR_RETURN(Stmt put, db_.Prepare(
      "INSERT OR REPLACE INTO _sluice_packages (type, version, sha256, constraint_text, registry, registry_url, "
      "key_id, allow_unsigned, installed_at, previous_version, previous_sha256, previous_key_id, "
      "previous_constraint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
  RETURN_IF_ERROR(put.BindText(1, package.type));
  RETURN_IF_ERROR(put.BindText(2, package.version));
  RETURN_IF_ERROR(put.BindText(3, package.sha256));
  RETURN_IF_ERROR(put.BindText(4, package.constraint));
  RETURN_IF_ERROR(put.BindText(5, package.registry));
  RETURN_IF_ERROR(put.BindText(6, package.registry_url));
  RETURN_IF_ERROR(put.BindText(7, package.key_id));
  RETURN_IF_ERROR(put.BindInt(8, package.allow_unsigned ? 1 : 0));
  RETURN_IF_ERROR(put.BindText(9, package.installed_at.empty() ? NowIso8601() : package.installed_at));
  RETURN_IF_ERROR(put.BindText(10, package.previous_version));
  RETURN_IF_ERROR(put.BindText(11, package.previous_sha256));
  RETURN_IF_ERROR(put.BindText(12, package.previous_key_id));
  RETURN_IF_ERROR(put.BindText(13, package.previous_constraint));
  return put.Run();
}

Result<std::optional<InstalledPackage>> PackageRecords::GetPackage(const std::string& type) {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(std::string(kPackageColumns) + " WHERE type = ?1"));
  RETURN_IF_ERROR(stmt.BindText(1, type));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<InstalledPackage>();
  return std::optional<InstalledPackage>(ReadPackage(stmt));
}

Result<std::vector<InstalledPackage>> PackageRecords::ListPackages() {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(std::string(kPackageColumns) + " ORDER BY type"));
  std::vector<InstalledPackage> packages;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    packages.push_back(ReadPackage(stmt));
  }
  return packages;
}

Status PackageRecords::DropPackage(const std::string& type) {
  ASSIGN_OR_RETURN(Stmt drop, db_.Prepare("DELETE FROM _sluice_packages WHERE type = ?1"));
  RETURN_IF_ERROR(drop.BindText(1, type));
  RETURN_IF_ERROR(drop.Run());
  if (db_.Changes() == 0) return Status(ErrorKind::kNotFound, "no package installed for connector type '" + type + "'");
  return Status();
}

// --- recorded tests ---------------------------------------------------------

Status PackageRecords::PutTest(const RecordedTest& test) {
  RETURN_IF_ERROR(RequireNonEmpty(test.type, "the connector type of a test"));
  RETURN_IF_ERROR(RequireNonEmpty(test.name, "the name of a test of '" + test.type + "'"));
  ASSIGN_OR_RETURN(Stmt put, db_.Prepare("INSERT INTO _sluice_tests (type, name, text, origin, recorded_at) VALUES "
                                         "(?1, ?2, ?3, ?4, ?5) ON CONFLICT (type, name) DO UPDATE SET text = "
                                         "excluded.text, origin = excluded.origin, recorded_at = excluded.recorded_at"));
  RETURN_IF_ERROR(put.BindText(1, test.type));
  RETURN_IF_ERROR(put.BindText(2, test.name));
  RETURN_IF_ERROR(put.BindText(3, test.text));
  RETURN_IF_ERROR(put.BindText(4, test.origin));
  RETURN_IF_ERROR(put.BindText(5, NowIso8601()));
  return put.Run();
}

Result<std::vector<RecordedTest>> PackageRecords::ListTests(const std::string& type) {
  ASSIGN_OR_RETURN(Stmt stmt,
                   db_.Prepare("SELECT type, name, text, origin FROM _sluice_tests WHERE type = ?1 ORDER BY name"));
  RETURN_IF_ERROR(stmt.BindText(1, type));
  std::vector<RecordedTest> tests;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    tests.push_back({stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2), stmt.ColumnText(3)});
  }
  return tests;
}

}  // namespace sluice
