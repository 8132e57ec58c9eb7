#include "catalog/workspace.h"

#include <charconv>
#include <filesystem>
#include <system_error>
#include <vector>

namespace sluice {
namespace {

// One entry per schema version: kMigrations[i] takes a workspace from
// version i to version i + 1. Append new steps; never edit a released one,
// since workspaces in the field have already run it.
const std::vector<const char*> kMigrations = {
    // v1: the catalog of DESIGN.md §3 and the bookkeeping of sync.
    R"sql(
CREATE TABLE _sluice_connector_types (
  name          TEXT PRIMARY KEY,
  description   TEXT NOT NULL DEFAULT '',
  version       TEXT NOT NULL DEFAULT '',
  config_schema TEXT NOT NULL DEFAULT '{}',
  registered    INTEGER NOT NULL DEFAULT 0,
  integration   TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE TABLE _sluice_entities (
  type           TEXT NOT NULL REFERENCES _sluice_connector_types(name),
  name           TEXT NOT NULL,
  description    TEXT NOT NULL DEFAULT '',
  fields         TEXT NOT NULL DEFAULT '{}',
  cursor_field   TEXT NOT NULL DEFAULT '',
  parent         TEXT NOT NULL DEFAULT '',
  handler_code   TEXT NOT NULL DEFAULT '',
  handler_file   TEXT NOT NULL DEFAULT '',
  handler_origin TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  PRIMARY KEY (type, name)
);
CREATE TABLE _sluice_actions (
  type           TEXT NOT NULL REFERENCES _sluice_connector_types(name),
  name           TEXT NOT NULL,
  description    TEXT NOT NULL DEFAULT '',
  parameters     TEXT NOT NULL DEFAULT '{}',
  handler_code   TEXT NOT NULL DEFAULT '',
  handler_file   TEXT NOT NULL DEFAULT '',
  handler_origin TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  PRIMARY KEY (type, name)
);
CREATE TABLE _sluice_connectors (
  name       TEXT PRIMARY KEY,
  type       TEXT NOT NULL REFERENCES _sluice_connector_types(name),
  config     TEXT NOT NULL DEFAULT '{}',
  options    TEXT NOT NULL DEFAULT '{}',
  enabled    INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX _sluice_connectors_by_type ON _sluice_connectors(type);
CREATE TABLE _sluice_secrets (
  name       TEXT PRIMARY KEY,
  nonce      BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  source     TEXT NOT NULL DEFAULT 'value',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE _sluice_destinations (
  name       TEXT PRIMARY KEY,
  type       TEXT NOT NULL,
  config     TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE _sluice_sync_state (
  connector    TEXT NOT NULL,
  entity       TEXT NOT NULL,
  destination  TEXT NOT NULL,
  cursor_field TEXT,
  cursor_value TEXT,
  updated_at   TEXT,
  PRIMARY KEY (connector, entity, destination)
);
CREATE TABLE _sluice_sync_runs (
  id           INTEGER PRIMARY KEY,
  connector    TEXT NOT NULL,
  entity       TEXT NOT NULL,
  destination  TEXT NOT NULL,
  mode         TEXT NOT NULL,
  write_mode   TEXT NOT NULL,
  status       TEXT NOT NULL,
  rows_written INTEGER NOT NULL DEFAULT 0,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  error        TEXT
);
CREATE INDEX _sluice_sync_runs_by_connector ON _sluice_sync_runs(connector, started_at);
CREATE TABLE _sluice_sync_schedules (
  id         INTEGER PRIMARY KEY,
  connector  TEXT NOT NULL,
  statement  TEXT NOT NULL,
  cron       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql",
    // v2: where each handler was defined (the CREATE statement's file:line:col),
    // so errors in a FILE handler can name the statement too.
    R"sql(
ALTER TABLE _sluice_entities ADD COLUMN defined_at TEXT NOT NULL DEFAULT '';
ALTER TABLE _sluice_actions ADD COLUMN defined_at TEXT NOT NULL DEFAULT '';
)sql",
    // v3: sync — the rows at an incremental boundary, what a run read and
    // deleted and how long it took, and when a schedule last ran.
    R"sql(
ALTER TABLE _sluice_sync_state ADD COLUMN boundary_keys TEXT NOT NULL DEFAULT '[]';
ALTER TABLE _sluice_sync_runs ADD COLUMN rows_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE _sluice_sync_runs ADD COLUMN rows_deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE _sluice_sync_runs ADD COLUMN duration_ms INTEGER;
ALTER TABLE _sluice_sync_runs ADD COLUMN table_name TEXT NOT NULL DEFAULT '';
ALTER TABLE _sluice_sync_schedules ADD COLUMN last_run TEXT;
CREATE UNIQUE INDEX _sluice_sync_schedules_by_statement ON _sluice_sync_schedules(connector, statement);
)sql",
    // v4: entities keep the order they were defined in (TEST CONNECTOR probes
    // the first), and whether their handler applies OFFSET (PUSHDOWN OFFSET).
    // Existing entities are numbered in rowid order, the order of their
    // first INSERT unless the file was vacuumed since.
    R"sql(
ALTER TABLE _sluice_entities ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE _sluice_entities ADD COLUMN applies_offset INTEGER NOT NULL DEFAULT 0;
UPDATE _sluice_entities SET position = rowid;
)sql",
    // v5: a connector type stores the kind of source its connectors are,
    // which was inferred before: 'integration' for a type made FROM
    // INTEGRATION (it has a directory), else 'declared'.
    R"sql(
ALTER TABLE _sluice_connector_types ADD COLUMN kind TEXT NOT NULL DEFAULT 'declared';
UPDATE _sluice_connector_types SET kind = 'integration' WHERE integration != '';
)sql",
    // v6: packages (package_records.h) — declared registries, installed
    // packages with the version ROLLBACK restores, the TEST CONNECTOR blocks
    // PACKAGE re-runs, and the connector type's version on each sync run.
    R"sql(
CREATE TABLE _sluice_registries (
  name         TEXT PRIMARY KEY,
  url          TEXT NOT NULL,
  trusted_keys TEXT NOT NULL DEFAULT '[]',
  created_at   TEXT NOT NULL
);
CREATE TABLE _sluice_packages (
  type             TEXT PRIMARY KEY,
  version          TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  constraint_text  TEXT NOT NULL DEFAULT '',
  registry         TEXT NOT NULL DEFAULT '',
  registry_url     TEXT NOT NULL DEFAULT '',
  key_id           TEXT NOT NULL DEFAULT '',
  allow_unsigned   INTEGER NOT NULL DEFAULT 0,
  installed_at     TEXT NOT NULL,
  previous_version TEXT NOT NULL DEFAULT '',
  previous_sha256  TEXT NOT NULL DEFAULT '',
  previous_key_id  TEXT NOT NULL DEFAULT '',
  previous_constraint TEXT NOT NULL DEFAULT ''
);
CREATE TABLE _sluice_tests (
  type        TEXT NOT NULL,
  name        TEXT NOT NULL,
  text        TEXT NOT NULL,
  origin      TEXT NOT NULL DEFAULT '',
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (type, name)
);
ALTER TABLE _sluice_sync_runs ADD COLUMN type_version TEXT NOT NULL DEFAULT '';
)sql",
    // v7: a failed run's error kind (auth_error, destination_error, …), so
    // `sluice serve` can say where a failure came from without guessing
    // from the message.
    R"sql(
ALTER TABLE _sluice_sync_runs ADD COLUMN error_kind TEXT;
)sql",
    // v8: a distributed run's record (SYNC … DISTRIBUTED): its id in the
    // coordinator's database, for SHOW SYNC UNITS, and its units' outcome
    // ("12 units: 11 done, 1 failed; 2 retried"). NULL for a local run.
    R"sql(
ALTER TABLE _sluice_sync_runs ADD COLUMN distributed_run INTEGER;
ALTER TABLE _sluice_sync_runs ADD COLUMN units TEXT;
)sql",
};

constexpr char kVersionKey[] = "schema_version";

// SQLite's own "unable to open database file" does not say which part of the
// path is wrong; the usual mistake is a folder that does not exist.
Status CheckParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status();
  std::error_code ec;
  auto status = std::filesystem::status(parent, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Status(ErrorKind::kIo, "cannot open workspace '" + path + "': directory '" +
                                      parent.string() + "' does not exist");
  }
  if (!ec && status.type() != std::filesystem::file_type::directory) {
    return Status(ErrorKind::kIo, "cannot open workspace '" + path + "': '" + parent.string() +
                                      "' is not a directory");
  }
  return Status();
}

// Missing version row = 0, a workspace that has never been migrated.
Result<int> ReadVersion(Database& db) {
  ASSIGN_OR_RETURN(Stmt stmt, db.Prepare("SELECT value FROM _sluice_meta WHERE key = ?"));
  RETURN_IF_ERROR(stmt.BindText(1, kVersionKey));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return 0;
  std::string text = stmt.ColumnText(0);
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 0) {
    return Status(ErrorKind::kInvalidArgument,
                  "its catalog has an unreadable schema_version '" + text + "'");
  }
  return version;
}

Status CheckNotNewer(int version) {
  int current = Workspace::CurrentSchemaVersion();
  if (version <= current) return Status();
  return Status(ErrorKind::kInvalidArgument,
                "its catalog has schema version " + std::to_string(version) +
                    ", but this build of Sluice supports up to version " +
                    std::to_string(current) + "; open it with a newer Sluice");
}

}  // namespace

Result<std::unique_ptr<Workspace>> Workspace::OpenCopy(Workspace& source) {
  std::unique_ptr<Workspace> copy(new Workspace());
  // The copy lives in memory: nothing may open `source`'s file thinking it
  // is the copy (a sync opens its workspace by path for a second connection).
  copy->path_ = ":memory:";
  ASSIGN_OR_RETURN(copy->db_, Database::Open(":memory:"));
  sqlite3_backup* backup = sqlite3_backup_init(copy->db_.get(), "main", source.db_.get(), "main");
  if (!backup) {
    return Status(ErrorKind::kIo, "cannot copy workspace '" + source.path_ + "': " + copy->db_.LastError());
  }
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return Status(ErrorKind::kIo, "cannot copy workspace '" + source.path_ + "': " + sqlite3_errstr(rc));
  }
  copy->catalog_ = std::make_unique<Catalog>(copy->db_);
  copy->secrets_ = std::make_unique<SecretStore>(copy->db_);
  copy->packages_ = std::make_unique<PackageRecords>(copy->db_);
  return copy;
}

int Workspace::CurrentSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<std::unique_ptr<Workspace>> Workspace::Open(const std::string& path) {
  if (path != ":memory:") RETURN_IF_ERROR(CheckParentDirectory(path));
  // The constructor is private, so make_unique cannot reach it.
  std::unique_ptr<Workspace> workspace(new Workspace());
  workspace->path_ = path;
  ASSIGN_OR_RETURN(workspace->db_, Database::Open(path));
  if (path != ":memory:") {
    // WAL: readers (sluice serve's requests, a second CLI) never wait for a
    // sync's writer, nor it for them. The mode is stored in the file, so
    // this is a no-op after the first open. Where WAL cannot be had (a file
    // system without shared memory, a file another process holds locked
    // right now) the rollback journal stays: every result is the same,
    // only readers wait longer, so that failure is not the user's error.
    (void)workspace->db_.Exec("PRAGMA journal_mode = WAL");
  }
  Status migrated = workspace->Migrate();
  if (!migrated.ok()) {
    migrated.WithContext("workspace '" + path + "'");
    return migrated;
  }
  workspace->catalog_ = std::make_unique<Catalog>(workspace->db_);
  workspace->secrets_ = std::make_unique<SecretStore>(workspace->db_);
  workspace->packages_ = std::make_unique<PackageRecords>(workspace->db_);
  return workspace;
}

Result<int> Workspace::SchemaVersion() { return ReadVersion(db_); }

Status Workspace::Migrate() {
  RETURN_IF_ERROR(db_.Exec(
      "CREATE TABLE IF NOT EXISTS _sluice_meta (key TEXT PRIMARY KEY, value TEXT)"));
  // The common case, an up-to-date workspace, needs no write lock.
  ASSIGN_OR_RETURN(int seen, ReadVersion(db_));
  RETURN_IF_ERROR(CheckNotNewer(seen));
  if (seen == CurrentSchemaVersion()) return Status();
  // The version is re-read inside each write transaction: a second process
  // opening the same new workspace waits for our step, then skips it.
  while (true) {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
    ASSIGN_OR_RETURN(int version, ReadVersion(db_));
    RETURN_IF_ERROR(CheckNotNewer(version));
    if (version == CurrentSchemaVersion()) return tx.Commit();
    Status applied = db_.Exec(kMigrations[static_cast<size_t>(version)]);
    if (!applied.ok()) {
      applied.WithContext("migrating the catalog to schema version " +
                          std::to_string(version + 1));
      return applied;
    }
    ASSIGN_OR_RETURN(Stmt set, db_.Prepare(
        "INSERT INTO _sluice_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    RETURN_IF_ERROR(set.BindText(1, kVersionKey));
    RETURN_IF_ERROR(set.BindText(2, std::to_string(version + 1)));
    RETURN_IF_ERROR(set.Run());
    RETURN_IF_ERROR(tx.Commit());
  }
}

}  // namespace sluice
