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
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog.h"
#include "core/file_util.h"
#include "lang/interpreter_package.h"
#include "lang/package_installer.h"
#include "lang/parser.h"
#include "package/archive.h"
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

std::string LockPath(Workspace& workspace) { return LockPathFor(workspace.path()); }

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

// A file of an extracted (and verified) package: archive.h's entry cap bounds it.
Result<std::string> ReadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFileCapped(path, ArchiveLimits{}.max_entry_bytes));
  if (!text) return Status(ErrorKind::kIo, "cannot read '" + path + "': it does not exist");
  return std::move(*text);
}

// Replaces the definitions of `type` with the package's (extracted under
// `dir`) and records `record`, all or nothing. Entities and actions the new
// version no longer defines go; the type row itself is updated in place, so
// connectors of the type keep working.
Result<std::optional<InstalledPackage>> InstalledRecord(Workspace& workspace,
                                                        const std::string& type);

// Inside the write transaction: the record of `type` is still `before` (what
// the statement decided from). Another process may have installed or changed
// the type since; the IMMEDIATE transaction makes this re-read and the write
// one step, so of two concurrent INSTALLs exactly one wins.
Status StillAsRead(Workspace& workspace, const std::string& type,
                   const std::optional<InstalledPackage>& before) {
  ASSIGN_OR_RETURN(std::optional<InstalledPackage> now, InstalledRecord(workspace, type));
  if (!before) {
    if (now) {
      return Status(ErrorKind::kAlreadyExists,
                    "connector type '" + type + "' is already installed (" + now->version +
                        ", by another statement meanwhile); UPGRADE CONNECTOR TYPE '" + type +
                        "' moves it");
    }
    if (workspace.catalog().GetConnectorType(type).ok()) {
      return Status(ErrorKind::kAlreadyExists,
                    "connector type '" + type + "' was created meanwhile, not from a package");
    }
    return Status::Ok();
  }
  if (!now || now->version != before->version || now->sha256 != before->sha256) {
    return Status(ErrorKind::kAlreadyExists,
                  "connector type '" + type + "' changed meanwhile (it was " + before->version +
                      ", it is now " + (now ? now->version : std::string("not installed")) +
                      "); run the statement again");
  }
  return Status::Ok();
}

Status ApplyPackage(Interpreter& interpreter, Workspace& workspace, const std::string& type,
                    const std::string& dir, const VerifiedPackage& verified,
                    const InstalledPackage& record,
                    const std::vector<std::string>& reset_state_entities,
                    const std::optional<InstalledPackage>& before) {
  const std::string label = type + " " + verified.manifest.version;
  std::string sql_path = (std::filesystem::path(dir) / PackageSqlPath(type)).string();
  ASSIGN_OR_RETURN(std::string text, ReadFile(sql_path));
  auto source = std::make_shared<SourceFile>(SourceFile{sql_path, std::move(text)});
  ParseResult parsed = Parse(source);
  if (!parsed.ok()) {
    Status error = parsed.errors.front();
    return error.WithContext("package " + label);
  }
  Status allowed = CheckPackageStatements(parsed.program, type, verified.manifest.kind, dir);
  if (!allowed.ok()) return allowed.WithContext("refusing to install " + label);
  // The package defines the whole type: its statements replace what is there.
  for (ast::Statement& statement : parsed.program.statements) {
    if (auto* t = std::get_if<ast::CreateConnectorTypeStmt>(&statement.node)) t->or_replace = true;
    if (auto* e = std::get_if<ast::CreateEntityStmt>(&statement.node)) e->or_replace = true;
    if (auto* a = std::get_if<ast::CreateActionStmt>(&statement.node)) a->or_replace = true;
  }

  Database& db = workspace.db();
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db, /*immediate=*/true));
  RETURN_IF_ERROR(StillAsRead(workspace, type, before));
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
  if (def->integration.empty()) {
    // An installed declared type is registered: the same checks REGISTER
    // CONNECTOR TYPE makes, so a package cannot install a broken type.
    ast::Statement registration;
    registration.node = ast::RegisterTypeStmt{ast::Name{type, {}}};
    Status registered = interpreter.Execute(registration);
    if (!registered.ok()) return registered.WithContext("installing " + label);
  }
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

// The store's extracted folder of `verified` (archive digest `sha256`),
// checked file by file against its verified manifest: the folder is what
// runs (integrations) and what is read (SQL, handlers), and anyone who can
// write the store could have changed it since it was extracted. A folder
// that does not match is moved aside and extracted afresh from the archive
// (which PackageStore re-checks against its digest); kIntegrity naming the
// file when even that does not match.
Result<std::string> CheckedFolder(PackageStore& store, const std::string& sha256,
                                  const VerifiedPackage& verified) {
  namespace fs = std::filesystem;
  ASSIGN_OR_RETURN(std::string dir, store.Extracted(sha256));
  Status checked = VerifyExtractedFolder(dir, verified);
  if (checked.ok()) return dir;
  fs::path aside = fs::path(dir).parent_path() /
                   (".damaged-" + sha256.substr(0, 16) + "." + std::to_string(::getpid()));
  std::error_code error;
  fs::remove_all(aside, error);
  fs::rename(dir, aside, error);
  if (error) {
    return checked.WithContext("and it cannot be moved aside to extract it again (" +
                               error.message() + ")");
  }
  fs::remove_all(aside, error);
  ASSIGN_OR_RETURN(dir, store.Extracted(sha256));
  Status again = VerifyExtractedFolder(dir, verified);
  if (!again.ok()) return again.WithContext("extracted afresh after: " + checked.message());
  return dir;
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
  LockedPackage entry{record.version, record.sha256, record.constraint, record.registry_url,
                      record.key_id};
  if (auto it = lock.packages.find(type); it != lock.packages.end()) {
    const LockedPackage& was = it->second;
    if (was.version == entry.version && was.sha256 == entry.sha256 &&
        was.constraint == entry.constraint && was.registry == entry.registry &&
        was.key_id == entry.key_id) {
      return Status::Ok();
    }
  }
  lock.packages[type] = entry;
  Status saved = lock.Save(path);
  if (!saved.ok()) {
    return saved.WithContext("connector type '" + type + "' " + record.version +
                             " is installed, but sluice.lock was not updated");
  }
  return Status::Ok();
}

// Makes sure the store still holds the installed version of `record`, whole
// and unchanged: its integration runs from the store folder, and ROLLBACK
// needs the archive. A missing or damaged archive is fetched again from
// `registry` (the statement's) and must have the recorded digest — that
// digest was verified when the version was installed, so it is the proof;
// a missing or changed folder is extracted again. Returns " (…what was
// repaired…)" or "" when nothing was needed.
Result<std::string> RepairStore(PackageStatements& statements, const InstalledPackage& record,
                                const std::string& registry) {
  const std::string label = record.type + " " + record.version;
  PackageStore store = PackageStore::Default();
  IndexEntry expected;
  expected.name = record.type;
  expected.version = record.version;
  expected.sha256 = record.sha256;
  TrustPolicy policy;
  policy.allow_unsigned = true;  // the recorded digest is checked instead
  policy.registry_label = "the package store";
  std::string repaired;
  Result<FetchedPackage> stored = store.Get(record.sha256);
  if (!stored.ok()) {
    ASSIGN_OR_RETURN(PackageStatements::OpenedRegistry opened,
                     statements.OpenNamedRegistry(registry));
    policy.registry_label = RegistryLabel(opened.name, opened.url);
    ASSIGN_OR_RETURN(std::vector<IndexEntry> versions, opened.registry->Versions(record.type));
    auto found = std::find_if(versions.begin(), versions.end(),
                              [&](const IndexEntry& e) { return e.version == record.version; });
    if (found == versions.end()) {
      return Status(ErrorKind::kNotFound,
                    "connector type '" + record.type + "' " + record.version +
                        " is installed, but its package is missing from the package store (" +
                        store.root() + ": " + stored.status().message() + ") and " +
                        policy.registry_label + " no longer has that version");
    }
    if (found->sha256 != record.sha256) {
      return Status(ErrorKind::kIntegrity,
                    "connector type '" + record.type + "' " + record.version +
                        " was installed with sha256 " + record.sha256 + ", but " +
                        policy.registry_label + " now serves sha256 " + found->sha256 +
                        " for it: the published bytes changed; the package store is not repaired");
    }
    ASSIGN_OR_RETURN(FetchedPackage fetched, opened.registry->Fetch(*found));
    expected.size = found->size;
    ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(expected, fetched, policy));
    RETURN_IF_ERROR(store.Put(fetched));
    ASSIGN_OR_RETURN(std::string dir, CheckedFolder(store, record.sha256, verified));
    return " (its package was missing from the package store " + store.root() +
           "; fetched again from " + policy.registry_label + ")";
  }
  expected.size = stored->archive.size();
  ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(expected, *stored, policy));
  const std::string folder = store.root() + "/sha256/" + record.sha256;
  std::error_code error;
  bool had_folder = std::filesystem::is_directory(folder, error);
  bool was_intact = had_folder && VerifyExtractedFolder(folder, verified).ok();
  ASSIGN_OR_RETURN(std::string dir, CheckedFolder(store, record.sha256, verified));
  if (!was_intact) {
    repaired = std::string(" (its package store folder ") + dir + " was " +
               (had_folder ? "changed" : "missing") + "; extracted again)";
  }
  return repaired;
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
  const std::string range = s.version.value_or("");
  if (existing) {
    // The catalog is the truth: a lock left behind (a kill between the
    // commit and the lock write, or a lock from elsewhere) follows it.
    RETURN_IF_ERROR(SaveLock(workspace, type, *existing));
    ASSIGN_OR_RETURN(semver::Range wanted, semver::Range::Parse(range));
    Result<semver::Version> installed = semver::ParseVersion(existing->version);
    if (range.empty() || (installed.ok() && wanted.Satisfies(*installed))) {
      ASSIGN_OR_RETURN(std::string repaired, RepairStore(*this, *existing, s.registry));
      in_.output_.Print("connector type '" + type + "' " + existing->version +
                        " is already installed" + repaired);
      return Status::Ok();
    }
    return Status(ErrorKind::kAlreadyExists,
                  "connector type '" + type + "' is installed at " + existing->version +
                      ", which does not satisfy '" + range + "'; UPGRADE CONNECTOR TYPE '" + type +
                      "' VERSION '" + range +
                      "' moves it up (and checks what the change breaks); ROLLBACK CONNECTOR "
                      "TYPE '" +
                      type + "' goes back to the version installed before")
        .At(s.type.span.begin);
  }
  ASSIGN_OR_RETURN(OpenedRegistry opened, OpenNamedRegistry(s.registry));
  const std::string label = RegistryLabel(opened.name, opened.url);
  ASSIGN_OR_RETURN(LockFile lock, LockFile::Load(LockPath(workspace)));
  std::optional<LockedPackage> pin;
  if (auto it = lock.packages.find(type); it != lock.packages.end()) pin = it->second;

  ASSIGN_OR_RETURN(std::vector<IndexEntry> versions, opened.registry->Versions(type));
  ASSIGN_OR_RETURN(ResolvedVersion resolved, ResolveVersion(type, versions, range, pin, label));
  const IndexEntry& entry = resolved.entry;
  ASSIGN_OR_RETURN(FetchedPackage fetched, opened.registry->Fetch(entry));
  TrustPolicy policy{opened.trusted_keys, s.allow_unsigned, label};
  ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(entry, fetched, policy));
  PackageStore store = PackageStore::Default();
  RETURN_IF_ERROR(store.Put(fetched));
  ASSIGN_OR_RETURN(std::string dir, CheckedFolder(store, entry.sha256, verified));

  InstalledPackage record;
  record.type = type;
  record.version = entry.version;
  record.sha256 = entry.sha256;
  // Installing as the lock pins it keeps the range the lock was made with,
  // so a later UPGRADE stays within it.
  record.constraint = resolved.from_lock && range.empty() ? pin->constraint : range;
  record.registry = opened.name;
  record.registry_url = opened.url;
  record.key_id = verified.key_id;
  record.allow_unsigned = s.allow_unsigned;
  record.installed_at = NowIso8601();
  RETURN_IF_ERROR(ApplyPackage(in_, workspace, type, dir, verified, record, {}, existing));
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
  // The catalog is the truth; the lock follows it (see Install).
  RETURN_IF_ERROR(SaveLock(workspace, type, *existing));
  Result<OpenedRegistry> reopened =
      OpenNamedRegistry(existing->registry.empty() ? existing->registry_url : existing->registry);
  if (!reopened.ok() && reopened.status().kind() == ErrorKind::kNotFound &&
      !existing->registry.empty() && !workspace.packages().GetRegistry(existing->registry).ok()) {
    // UPGRADE takes no registry: the installed package's own is declared again.
    return Status(ErrorKind::kNotFound,
                  "connector type '" + type + "' was installed from registry '" +
                      existing->registry + "' (" + existing->registry_url +
                      "), which is no longer declared here: CREATE REGISTRY " + existing->registry +
                      " URL '" + existing->registry_url + "' TRUSTED_KEYS (…) declares it again")
        .At(s.type.span.begin);
  }
  if (!reopened.ok()) return reopened.TakeStatus().At(s.type.span.begin);
  OpenedRegistry opened = std::move(*reopened);
  const std::string label = RegistryLabel(opened.name, opened.url);
  const std::string range = s.version.value_or(existing->constraint);
  // An upgrade re-resolves: the lock's pin is what it replaces.
  ASSIGN_OR_RETURN(std::vector<IndexEntry> versions, opened.registry->Versions(type));
  // UPGRADE only ever moves up: when the installed version is yanked, the
  // best version left in the range can be a lower one.
  std::string installed_yanked;
  for (const IndexEntry& e : versions) {
    if (e.version == existing->version && e.yanked) {
      installed_yanked = "; " + existing->version + " is yanked in " + label +
                         (e.yanked_reason.empty() ? "" : " (" + e.yanked_reason + ")");
    }
  }
  const std::string way_down =
      "; UPGRADE never moves to a lower version: ROLLBACK CONNECTOR TYPE '" + type +
      "' goes back to the version installed before";
  Result<ResolvedVersion> best = ResolveVersion(type, versions, range, std::nullopt, label);
  if (!best.ok()) {
    return best.TakeStatus()
        .WithContext("upgrading connector type '" + type + "' from " + existing->version)
        .At(s.type.span.begin);
  }
  ResolvedVersion resolved = std::move(*best);
  const IndexEntry& entry = resolved.entry;
  {
    Result<semver::Version> to = semver::ParseVersion(entry.version);
    Result<semver::Version> from = semver::ParseVersion(existing->version);
    if (to.ok() && from.ok() && semver::Compare(*to, *from) < 0) {
      return Status(ErrorKind::kInvalidArgument,
                    "connector type '" + type + "' is at " + existing->version +
                        "; no newer version satisfies " +
                        (range.empty() ? std::string("any range") : "'" + range + "'") + " in " +
                        label + " (the newest it allows is " + entry.version + ")" +
                        installed_yanked + way_down)
          .At(s.type.span.begin);
    }
  }
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
  // ALLOW UNSIGNED is the statement's own: an INSTALL that accepted an
  // unsigned version does not let every later version in unsigned.
  TrustPolicy policy{opened.trusted_keys, s.allow_unsigned, label, "UPGRADE"};
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
  ASSIGN_OR_RETURN(std::string dir, CheckedFolder(store, entry.sha256, verified));
  InstalledPackage record = *existing;
  record.previous_version = existing->version;
  record.previous_sha256 = existing->sha256;
  record.previous_key_id = existing->key_id;
  record.previous_constraint = existing->constraint;
  record.version = entry.version;
  record.sha256 = entry.sha256;
  record.key_id = verified.key_id;
  record.constraint = range;
  record.allow_unsigned = s.allow_unsigned;
  record.installed_at = NowIso8601();
  RETURN_IF_ERROR(ApplyPackage(in_, workspace, type, dir, verified, record, reset, existing));
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
  std::vector<std::string> rebuilt;
  for (const SchemaDiff::Breaking& change : diff.breaking) {
    if (change.rebuilds_table &&
        std::find(rebuilt.begin(), rebuilt.end(), change.entity) == rebuilt.end())
      rebuilt.push_back(change.entity);
  }
  for (const std::string& entity : rebuilt) {
    // The synced table keeps the old columns; SYNC refuses it until FORCE
    // drops and recreates it (table_migration.cc).
    in_.output_.Print("  the table synced from '" + type + "." + entity +
                      "' no longer fits it: the next SYNC CONNECTOR … of it needs FORCE, which "
                      "drops and recreates the table (its rows are lost)");
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
  RETURN_IF_ERROR(SaveLock(workspace, type, *existing));
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
  policy.statement = "ROLLBACK";
  // An unsigned previous version needs the statement's own ALLOW UNSIGNED,
  // as INSTALL and UPGRADE do. A signed one is checked again against the
  // keys the registry trusts now; a registry given by URL declares no keys,
  // and then the signature checked when it was installed, bound to the
  // recorded digest, is the proof.
  policy.allow_unsigned = s.allow_unsigned;
  if (existing->previous_key_id.empty() && !s.allow_unsigned) {
    return Status(ErrorKind::kIntegrity, "connector type '" + type + "' " +
                                             existing->previous_version +
                                             " was installed unsigned; ROLLBACK CONNECTOR TYPE '" +
                                             type + "' ALLOW UNSIGNED rolls back to it anyway")
        .At(s.type.span.begin);
  }
  bool declared = false;
  if (!existing->registry.empty()) {
    Result<RegistryDef> def = workspace.packages().GetRegistry(existing->registry);
    if (def.ok()) {
      declared = true;
      policy.trusted_keys = def->trusted_keys;
      policy.registry_label = RegistryLabel(def->name, def->url);
    }
  }
  if (!declared) policy.allow_unsigned = true;
  ASSIGN_OR_RETURN(VerifiedPackage verified, VerifyPackage(expected, *fetched, policy));
  ASSIGN_OR_RETURN(std::string dir, CheckedFolder(store, expected.sha256, verified));
  InstalledPackage record = *existing;
  record.version = existing->previous_version;
  record.sha256 = existing->previous_sha256;
  record.key_id = verified.key_id.empty() ? existing->previous_key_id : verified.key_id;
  record.previous_version = existing->version;
  record.previous_sha256 = existing->sha256;
  record.previous_key_id = existing->key_id;
  // The range goes back too, so the next UPGRADE stays where it was.
  record.constraint = existing->previous_constraint;
  record.previous_constraint = existing->constraint;
  record.allow_unsigned = s.allow_unsigned;
  record.installed_at = NowIso8601();
  RETURN_IF_ERROR(ApplyPackage(in_, workspace, type, dir, verified, record, {}, existing));
  RETURN_IF_ERROR(SaveLock(workspace, type, record));
  Result<semver::Version> from = semver::ParseVersion(existing->version);
  Result<semver::Version> to = semver::ParseVersion(record.version);
  bool forward = from.ok() && to.ok() && semver::Compare(*to, *from) > 0;
  in_.output_.Print(std::string(forward ? "rolled forward" : "rolled back") + " connector type '" +
                    type + "' " + existing->version + " → " + record.version + " (sha256 " +
                    ShortDigest(record.sha256) + ", from the package store" +
                    (record.constraint.empty() ? "" : "; constraint '" + record.constraint + "'") +
                    ")");
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

namespace {

struct RegistryView {
  std::string update_available;  // as UpdateAvailable
  std::string yanked;            // "" unless the installed version is yanked: "yes[: reason]"
};

// What the package's registry says about it now, in one index read. SHOW
// PACKAGES must never fail for a registry that is away.
RegistryView ViewInRegistry(PackageStatements& statements, const InstalledPackage& package) {
  RegistryView view;
  Result<PackageStatements::OpenedRegistry> opened = statements.OpenNamedRegistry(
      package.registry.empty() ? package.registry_url : package.registry);
  if (!opened.ok()) {
    view.update_available = "unknown (" + opened.status().message() + ")";
    return view;
  }
  Result<std::vector<IndexEntry>> versions = opened->registry->Versions(package.type);
  if (!versions.ok()) {
    view.update_available = "unknown (" + versions.status().message() + ")";
    return view;
  }
  for (const IndexEntry& entry : *versions) {
    if (entry.version == package.version && entry.yanked)
      view.yanked = "yes" + (entry.yanked_reason.empty() ? "" : ": " + entry.yanked_reason);
  }
  Result<ResolvedVersion> best =
      ResolveVersion(package.type, *versions, package.constraint, std::nullopt,
                     RegistryLabel(opened->name, opened->url));
  if (!best.ok()) return view;
  Result<semver::Version> newest = semver::ParseVersion(best->entry.version);
  Result<semver::Version> installed = semver::ParseVersion(package.version);
  if (!newest.ok() || !installed.ok()) return view;
  if (semver::Compare(*newest, *installed) > 0) view.update_available = best->entry.version;
  return view;
}

}  // namespace

Status PackageStatements::ShowPackages() {
  ASSIGN_OR_RETURN(std::vector<InstalledPackage> packages,
                   in_.workspace_.packages().ListPackages());
  ResultSet result;
  result.title = "packages";
  result.columns = {"type",      "version",      "constraint",       "registry",         "sha256",
                    "signed_by", "installed_at", "previous_version", "update_available", "yanked"};
  auto or_null = [](const std::string& text) { return text.empty() ? Value() : Value(text); };
  for (const InstalledPackage& p : packages) {
    if (!in_.workspace_.catalog().GetConnectorType(p.type).ok()) continue;  // dropped since
    RegistryView view = ViewInRegistry(*this, p);
    result.rows.push_back({Value(p.type), Value(p.version), or_null(p.constraint),
                           Value(p.registry.empty() ? p.registry_url : p.registry),
                           Value(ShortDigest(p.sha256)), or_null(p.key_id), Value(p.installed_at),
                           or_null(p.previous_version), or_null(view.update_available),
                           or_null(view.yanked)});
  }
  in_.output_.Emit(result);
  return Status::Ok();
}

std::string PackageStatements::UpdateAvailable(const InstalledPackage& package) {
  return ViewInRegistry(*this, package).update_available;
}

}  // namespace sluice
