// INSTALL, UPGRADE, ROLLBACK, YANK and SHOW PACKAGES (docs/packages.md
// "Installing, the lock and the store" and "Upgrades and rollbacks").
//
// Every change of an installed type follows one path: resolve a version,
// fetch it (or take it from the package store), verify it completely
// (package_installer.h), keep it in the store, then replace the type's
// definitions and its package record in ONE catalog transaction, and only
// then write sluice.lock. A kill before the commit leaves the previous
// version installed and usable; a kill after it leaves the new one, with a
// lock one step behind that the next INSTALL/UPGRADE rewrites.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog.h"
#include "lang/interpreter_package.h"
#include "lang/package_installer.h"
#include "lang/parser.h"
#include "package/lock_file.h"
#include "package/package_store.h"
#include "package/semver.h"

namespace sluice {
namespace {

// Tests prove that a kill at `point` leaves the previous version usable
// (tests/cli/pkg_install_kill.sh): SLUICE_TEST_KILL_AT=<point> kills the
// process there, as kill -9 would.
void KillPoint(const char* point) {
  const char* at = std::getenv("SLUICE_TEST_KILL_AT");
  if (at && std::string_view(at) == point) std::raise(SIGKILL);
}

// sluice.lock sits beside the workspace file; an in-memory workspace uses
// the current directory.
std::string LockPath(Workspace& workspace) {
  const std::string& path = workspace.path();
  if (path.empty() || path == ":memory:")
    return (std::filesystem::current_path() / "sluice.lock").string();
  std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  return (parent / "sluice.lock").string();
}

std::string RegistryLabel(const std::string& name, const std::string& url) {
  return name.empty() ? "registry '" + url + "'" : "registry '" + name + "' (" + url + ")";
}

std::string SignedText(const std::string& key_id) {
  return key_id.empty() ? "unsigned" : "signed by key " + key_id;
}

Status RunStatement(Database& db, const std::string& sql, const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i)
    RETURN_IF_ERROR(stmt.BindText(static_cast<int>(i + 1), args[i]));
  return stmt.Run();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorKind::kIo, "cannot read '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Replaces the definitions of `type` with the package's (extracted under
// `dir`) and records `record`, all or nothing. Entities and actions the new
// version no longer defines go; the type row itself is updated in place, so
// connectors of the type keep working.
Status ApplyPackage(Interpreter& interpreter, Workspace& workspace, const std::string& type,
                    const std::string& dir, const VerifiedPackage& verified,
                    const InstalledPackage& record,
                    const std::vector<std::string>& reset_state_entities) {
  const std::string label = type + " " + verified.manifest.version;
  std::string sql_path = (std::filesystem::path(dir) / PackageSqlPath(type)).string();
  ASSIGN_OR_RETURN(std::string text, ReadFile(sql_path));
  auto source = std::make_shared<SourceFile>(SourceFile{sql_path, std::move(text)});
  ParseResult parsed = Parse(source);
  if (!parsed.ok()) {
    Status error = parsed.errors.front();
    return error.WithContext("package " + label);
  }
  Status allowed = CheckPackageStatements(parsed.program, type);
  if (!allowed.ok()) return allowed.WithContext("refusing to install " + label);
  // The package defines the whole type: its statements replace what is there.
  for (ast::Statement& statement : parsed.program.statements) {
    if (auto* t = std::get_if<ast::CreateConnectorTypeStmt>(&statement.node)) t->or_replace = true;
    if (auto* e = std::get_if<ast::CreateEntityStmt>(&statement.node)) e->or_replace = true;
    if (auto* a = std::get_if<ast::CreateActionStmt>(&statement.node)) a->or_replace = true;
  }

  Database& db = workspace.db();
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  RETURN_IF_ERROR(RunStatement(db, "DELETE FROM _sluice_entities WHERE type = ?1", {type}));
  RETURN_IF_ERROR(RunStatement(db, "DELETE FROM _sluice_actions WHERE type = ?1", {type}));
  for (const ast::Statement& statement : parsed.program.statements) {
    Status status = interpreter.Execute(statement);
    if (!status.ok()) return status.WithContext("installing " + label);
  }
  Catalog& catalog = workspace.catalog();
  Result<ConnectorTypeDef> def = catalog.GetConnectorType(type);
  if (!def.ok()) {
    return Status(ErrorKind::kInvalidArgument, "package " + label + ": " + PackageSqlPath(type) +
                                                   " does not create connector type '" + type +
                                                   "'");
  }
  def->version = verified.manifest.version;
  if (def->description.empty()) def->description = verified.manifest.description;
  RETURN_IF_ERROR(catalog.PutConnectorType(*def, true));
  for (const std::string& entity : reset_state_entities) {
    RETURN_IF_ERROR(
        RunStatement(db,
                     "DELETE FROM _sluice_sync_state WHERE entity = ?2 AND connector IN "
                     "(SELECT name FROM _sluice_connectors WHERE type = ?1)",
                     {type, entity}));
  }
  RETURN_IF_ERROR(workspace.packages().PutPackage(record));
  KillPoint("install-before-commit");
  RETURN_IF_ERROR(tx.Commit());
  KillPoint("install-after-commit");
  return Status::Ok();
}

// The package record of `type`, or nullopt when there is none or when the
// type itself was dropped since (DROP CONNECTOR TYPE leaves the record):
// such a record describes nothing installed.
Result<std::optional<InstalledPackage>> InstalledRecord(Workspace& workspace,
                                                        const std::string& type) {
  ASSIGN_OR_RETURN(std::optional<InstalledPackage> record, workspace.packages().GetPackage(type));
  if (record && !workspace.catalog().GetConnectorType(type).ok()) record.reset();
  return record;
}

Status SaveLock(Workspace& workspace, const std::string& type, const InstalledPackage& record) {
  std::string path = LockPath(workspace);
  ASSIGN_OR_RETURN(LockFile lock, LockFile::Load(path));
  lock.packages[type] = LockedPackage{record.version, record.sha256, record.constraint,
                                      record.registry_url, record.key_id};
  Status saved = lock.Save(path);
  if (!saved.ok()) {
    return saved.WithContext("connector type '" + type + "' " + record.version +
                             " is installed, but sluice.lock was not updated");
  }
  return Status::Ok();
}

}  // namespace

Status PackageStatements::Install(const ast::InstallStmt& s) {
  const std::string& type = s.type.text;
  Workspace& workspace = in_.workspace_;
  ASSIGN_OR_RETURN(std::optional<InstalledPackage> existing, InstalledRecord(workspace, type));
  if (!existing && workspace.catalog().GetConnectorType(type).ok()) {
    return Status(ErrorKind::kAlreadyExists,
                  "connector type '" + type +
                      "' exists and was not installed from a package; installing would replace "
                      "definitions written by hand: DROP CONNECTOR TYPE '" +
                      type +
                      "' first (after its connectors), or install the package in another workspace")
        .At(s.type.span.begin);
  }
  ASSIGN_OR_RETURN(OpenedRegistry opened, OpenNamedRegistry(s.registry));
  const std::string label = RegistryLabel(opened.name, opened.url);
  ASSIGN_OR_RETURN(LockFile lock, LockFile::Load(LockPath(workspace)));
  std::optional<LockedPackage> pin;
  if (auto it = lock.packages.find(type); it != lock.packages.end()) pin = it->second;
  const std::string range = s.version.value_or("");

  ASSIGN_OR_RETURN(std::vector<IndexEntry> versions, opened.registry->Versions(type));
  ASSIGN_OR_RETURN(ResolvedVersion resolved, ResolveVersion(type, versions, range, pin, label));
  const IndexEntry& entry = resolved.entry;
  if (existing) {
    if (existing->version == entry.version && existing->sha256 == entry.sha256) {
      in_.output_.Print("connector type '" + type + "' " + entry.version + " is already installed");
      return SaveLock(workspace, type, *existing);
    }
    return Status(ErrorKind::kAlreadyExists,
                  "connector type '" + type + "' is installed at " + existing->version +
                      "; UPGRADE CONNECTOR TYPE '" + type + "' VERSION '" +
                      (range.empty() || resolved.from_lock ? entry.version : range) +
                      "' moves it (and checks what the change breaks)")
        .At(s.type.span.begin);
  }
  ASSIGN_OR_RETURN(FetchedPackage fetched, opened.registry->Fetch(entry));
  TrustPolicy policy{opened.trusted_keys, s.allow_unsigned, label};
  ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(entry, fetched, policy));
  PackageStore store = PackageStore::Default();
  RETURN_IF_ERROR(store.Put(fetched));
  ASSIGN_OR_RETURN(std::string dir, store.Extracted(entry.sha256));

  InstalledPackage record;
  record.type = type;
  record.version = entry.version;
  record.sha256 = entry.sha256;
  record.constraint = range;
  record.registry = opened.name;
  record.registry_url = opened.url;
  record.key_id = verified.key_id;
  record.allow_unsigned = s.allow_unsigned;
  record.installed_at = NowIso8601();
  RETURN_IF_ERROR(ApplyPackage(in_, workspace, type, dir, verified, record, {}));
  RETURN_IF_ERROR(SaveLock(workspace, type, record));
  in_.output_.Print("installed connector type '" + type + "' " + entry.version + " from " + label +
                    " (sha256 " + ShortDigest(entry.sha256) + ", " + SignedText(record.key_id) +
                    (resolved.from_lock ? ", as sluice.lock pins it" : "") +
                    (entry.yanked ? ", a yanked version" : "") + ")");
  return Status::Ok();
}

Status PackageStatements::Upgrade(const ast::UpgradeStmt& s) {
  const std::string& type = s.type.text;
  Workspace& workspace = in_.workspace_;
  ASSIGN_OR_RETURN(std::optional<InstalledPackage> existing, InstalledRecord(workspace, type));
  if (!existing) {
    return Status(ErrorKind::kNotFound,
                  "connector type '" + type +
                      "' was not installed from a package (INSTALL CONNECTOR TYPE '" + type +
                      "' FROM REGISTRY '…')")
        .At(s.type.span.begin);
  }
  ASSIGN_OR_RETURN(
      OpenedRegistry opened,
      OpenNamedRegistry(existing->registry.empty() ? existing->registry_url : existing->registry));
  const std::string label = RegistryLabel(opened.name, opened.url);
  const std::string range = s.version.value_or(existing->constraint);
  // An upgrade re-resolves: the lock's pin is what it replaces.
  ASSIGN_OR_RETURN(std::vector<IndexEntry> versions, opened.registry->Versions(type));
  ASSIGN_OR_RETURN(ResolvedVersion resolved,
                   ResolveVersion(type, versions, range, std::nullopt, label));
  const IndexEntry& entry = resolved.entry;
  if (entry.version == existing->version && entry.sha256 == existing->sha256) {
    in_.output_.Print("connector type '" + type + "' " + existing->version +
                      " is the newest version satisfying " +
                      (range.empty() ? std::string("any range") : "'" + range + "'") + " in " +
                      label);
    if (range != existing->constraint) {
      InstalledPackage record = *existing;
      record.constraint = range;
      RETURN_IF_ERROR(workspace.packages().PutPackage(record));
      return SaveLock(workspace, type, record);
    }
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(FetchedPackage fetched, opened.registry->Fetch(entry));
  TrustPolicy policy{opened.trusted_keys, existing->allow_unsigned, label};
  ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(entry, fetched, policy));

  ASSIGN_OR_RETURN(std::vector<EntityDef> installed, workspace.catalog().ListEntities(type));
  SchemaDiff diff = DiffEntities(type, installed, verified.manifest.entities);
  std::vector<BreakingChange> declared =
      DeclaredBreakingChanges(verified.manifest, existing->version);
  const std::string step = type + " " + existing->version + " → " + entry.version;
  if (!diff.breaking.empty()) {
    std::string list;
    for (const SchemaDiff::Breaking& change : diff.breaking) list += "\n  - " + change.what;
    std::vector<SchemaDiff::Breaking> undeclared = UndeclaredBreaking(diff, declared);
    if (!undeclared.empty()) {
      std::string missing;
      for (const SchemaDiff::Breaking& change : undeclared) missing += "\n  - " + change.what;
      return Status(ErrorKind::kInvalidArgument,
                    "refusing to upgrade " + step + ": it breaks synced data and version " +
                        entry.version + " does not declare it (breaking_changes in its manifest):" +
                        missing + (s.force ? "\nFORCE crosses declared breaking changes only" : ""))
          .At(s.type.span.begin);
    }
    if (!s.force) {
      std::string notes;
      for (const BreakingChange& change : declared)
        notes += "\n  " + change.version + ": " + change.message;
      return Status(ErrorKind::kInvalidArgument,
                    "refusing to upgrade " + step + " without FORCE: it makes breaking changes:" +
                        list + "\nthe package declares:" + notes + "\nUPGRADE CONNECTOR TYPE '" +
                        type + "'" + (s.version ? " VERSION '" + *s.version + "'" : "") +
                        " FORCE accepts them")
          .At(s.type.span.begin);
    }
  }
  std::vector<std::string> reset;
  for (const BreakingChange& change : declared) {
    if (!change.reset_state) continue;
    if (change.entities.empty()) {
      for (const EntityDef& entity : installed) reset.push_back(entity.name);
    } else {
      reset.insert(reset.end(), change.entities.begin(), change.entities.end());
    }
  }
  std::sort(reset.begin(), reset.end());
  reset.erase(std::unique(reset.begin(), reset.end()), reset.end());

  PackageStore store = PackageStore::Default();
  RETURN_IF_ERROR(store.Put(fetched));
  ASSIGN_OR_RETURN(std::string dir, store.Extracted(entry.sha256));
  InstalledPackage record = *existing;
  record.previous_version = existing->version;
  record.previous_sha256 = existing->sha256;
  record.previous_key_id = existing->key_id;
  record.version = entry.version;
  record.sha256 = entry.sha256;
  record.key_id = verified.key_id;
  record.constraint = range;
  record.installed_at = NowIso8601();
  RETURN_IF_ERROR(ApplyPackage(in_, workspace, type, dir, verified, record, reset));
  RETURN_IF_ERROR(SaveLock(workspace, type, record));
  std::string line = "upgraded connector type '" + type + "' " + existing->version + " → " +
                     entry.version + " (sha256 " + ShortDigest(entry.sha256) + ", " +
                     SignedText(record.key_id) + ")";
  in_.output_.Print(line);
  for (const std::string& addition : diff.additions) in_.output_.Print("  " + addition);
  for (const SchemaDiff::Breaking& change : diff.breaking)
    in_.output_.Print("  forced: " + change.what);
  for (const std::string& entity : reset) {
    in_.output_.Print("  incremental state of '" + type + "." + entity +
                      "' cleared: its next sync is a full one");
  }
  return Status::Ok();
}

Status PackageStatements::Rollback(const ast::RollbackStmt& s) {
  const std::string& type = s.type.text;
  Workspace& workspace = in_.workspace_;
  ASSIGN_OR_RETURN(std::optional<InstalledPackage> existing, InstalledRecord(workspace, type));
  if (!existing) {
    return Status(ErrorKind::kNotFound,
                  "connector type '" + type + "' was not installed from a package")
        .At(s.type.span.begin);
  }
  if (existing->previous_version.empty()) {
    return Status(ErrorKind::kInvalidArgument, "connector type '" + type + "' " +
                                                   existing->version +
                                                   " has no previous version to roll back to")
        .At(s.type.span.begin);
  }
  // Offline by design: the previous version comes from the package store,
  // checked against the digest recorded when it was installed.
  PackageStore store = PackageStore::Default();
  Result<FetchedPackage> fetched = store.Get(existing->previous_sha256);
  if (!fetched.ok()) {
    return fetched.TakeStatus()
        .WithContext("rolling back connector type '" + type + "' to " + existing->previous_version +
                     " (package store " + store.root() + ")")
        .At(s.type.span.begin);
  }
  IndexEntry expected;
  expected.name = type;
  expected.version = existing->previous_version;
  expected.sha256 = existing->previous_sha256;
  expected.size = fetched->archive.size();
  TrustPolicy policy;
  policy.registry_label = "the package store";
  // The signature is checked again when the registry's keys are still
  // declared here; otherwise the recorded digest is the proof.
  policy.allow_unsigned = true;
  if (!existing->registry.empty()) {
    Result<RegistryDef> def = workspace.packages().GetRegistry(existing->registry);
    if (def.ok()) {
      policy.trusted_keys = def->trusted_keys;
      policy.allow_unsigned = existing->allow_unsigned || existing->previous_key_id.empty();
      policy.registry_label = RegistryLabel(def->name, def->url);
    }
  }
  ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(expected, *fetched, policy));
  ASSIGN_OR_RETURN(std::string dir, store.Extracted(expected.sha256));
  InstalledPackage record = *existing;
  record.version = existing->previous_version;
  record.sha256 = existing->previous_sha256;
  record.key_id = verified.key_id.empty() ? existing->previous_key_id : verified.key_id;
  record.previous_version = existing->version;
  record.previous_sha256 = existing->sha256;
  record.previous_key_id = existing->key_id;
  record.installed_at = NowIso8601();
  RETURN_IF_ERROR(ApplyPackage(in_, workspace, type, dir, verified, record, {}));
  RETURN_IF_ERROR(SaveLock(workspace, type, record));
  in_.output_.Print("rolled back connector type '" + type + "' " + existing->version + " → " +
                    record.version + " (sha256 " + ShortDigest(record.sha256) +
                    ", from the package store)");
  return Status::Ok();
}

Status PackageStatements::Yank(const ast::YankStmt& s) {
  const std::string& type = s.type.text;
  ASSIGN_OR_RETURN(OpenedRegistry opened, OpenNamedRegistry(s.registry));
  Status status = opened.registry->Yank(type, s.version, !s.undo, s.reason.value_or(""));
  if (!status.ok())
    return status.WithContext("YANK " + type + " " + s.version).At(s.type.span.begin);
  in_.output_.Print(
      std::string(s.undo ? "un-yanked" : "yanked") + " connector type '" + type + "' " + s.version +
      " in " + RegistryLabel(opened.name, opened.url) +
      (s.undo ? "" : ": new installs skip it; installs pinned by sluice.lock still get it"));
  return Status::Ok();
}

Status PackageStatements::ShowPackages() {
  ASSIGN_OR_RETURN(std::vector<InstalledPackage> packages,
                   in_.workspace_.packages().ListPackages());
  ResultSet result;
  result.title = "packages";
  result.columns = {"type",      "version",      "constraint",       "registry",        "sha256",
                    "signed_by", "installed_at", "previous_version", "update_available"};
  auto or_null = [](const std::string& text) { return text.empty() ? Value() : Value(text); };
  for (const InstalledPackage& p : packages) {
    if (!in_.workspace_.catalog().GetConnectorType(p.type).ok()) continue;  // dropped since
    result.rows.push_back({Value(p.type), Value(p.version), or_null(p.constraint),
                           Value(p.registry.empty() ? p.registry_url : p.registry),
                           Value(ShortDigest(p.sha256)), or_null(p.key_id), Value(p.installed_at),
                           or_null(p.previous_version), or_null(UpdateAvailable(p))});
  }
  in_.output_.Emit(result);
  return Status::Ok();
}

std::string PackageStatements::UpdateAvailable(const InstalledPackage& package) {
  // SHOW PACKAGES must never fail for a registry that is away.
  Result<OpenedRegistry> opened =
      OpenNamedRegistry(package.registry.empty() ? package.registry_url : package.registry);
  if (!opened.ok()) return "unknown (" + opened.status().message() + ")";
  Result<std::vector<IndexEntry>> versions = opened->registry->Versions(package.type);
  if (!versions.ok()) return "unknown (" + versions.status().message() + ")";
  Result<ResolvedVersion> best =
      ResolveVersion(package.type, *versions, package.constraint, std::nullopt,
                     RegistryLabel(opened->name, opened->url));
  if (!best.ok()) return "";
  Result<semver::Version> newest = semver::ParseVersion(best->entry.version);
  Result<semver::Version> installed = semver::ParseVersion(package.version);
  if (!newest.ok() || !installed.ok()) return "";
  return semver::Compare(*newest, *installed) > 0 ? best->entry.version : "";
}

}  // namespace sluice
