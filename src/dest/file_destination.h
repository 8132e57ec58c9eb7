// FileDestination: sync into files — a JSONL or CSV file per entity in one
// folder (`CREATE DESTINATION d TYPE 'jsonl' CONFIG {"path": "out/"}`).
//
// `path` may also be a template with CloudQuery's file-destination
// variables: {{TABLE}} (the table), {{FORMAT}} (json or csv), {{UUID}} (a
// random UUID per table and run), {{SYNC_ID}} (a random UUID per Sluice
// process: one `sluice sync`), and {{YEAR}}, {{MONTH}}, {{DAY}}, {{HOUR}},
// {{MINUTE}} (the run's start, UTC). As in CloudQuery, a path without
// {{TABLE}} is a folder holding `{{TABLE}}.{{FORMAT}}` files (a plain
// folder keeps Sluice's `<table>.jsonl`); an unknown {{X}} is an error.
// The state and lock files live in the folder before the first variable.
// A path that changes from run to run (UUID, SYNC_ID, time) gives each
// run new files: an append run cuts the previous run's file back to its
// committed length (a killed run's tail) and starts a new one, keeping the
// cursor; a full run writes a complete new file and leaves earlier ones.
//
// Files have no transactions, so durability is built from two steps:
// - append: rows are appended; a commit flushes and fsyncs them, then
//   records the file's committed length with the sync state in
//   `_sluice_sync_state.json` (written to a temp file and renamed). Opening
//   the table truncates it to that length, so the tail a killed run left
//   behind is dropped and read again, never kept twice.
// - overwrite-delete-stale: a full run writes `<table>.<ext>.partial` and
//   renames it over the file only after the run completed, so a failed run
//   leaves the previous file whole.
// Files cannot update a row in place: 'overwrite' is refused with a
// message. A CSV file starts with a header row; appending rows of other
// columns to it is refused unless forced (then the file starts anew).
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "dest/destination.h"

namespace sluice {

enum class FileFormat { kJsonl, kCsv };

class FileDestination : public Destination {
 public:
  // `path` is a folder or a template (above); the folder is created if
  // missing.
  static Result<std::unique_ptr<FileDestination>> Open(const std::string& name, const std::string& path,
                                                       FileFormat format);
  // An error naming an unknown {{X}} in `path` ({{env.…}} and
  // {{secrets.…}} pass: CONFIG resolves them first).
  static Status CheckPath(const std::string& name, const std::string& path);

  std::string Name() const override { return name_; }
  Result<std::unique_ptr<TableWriter>> OpenTable(const TableSpec& table, const OpenOptions& options) override;
  Result<std::optional<SyncState>> ReadState(const TableSpec& table) override;
  bool AbsorbsRepeats() const override { return false; }  // a file only appends

  // The state file's entry per table, or an empty object.
  Result<Value> LoadStates() const;
  // Replaces one table's entry (safe while other tables of the folder sync).
  Status SaveState(const std::string& table, const Value& entry) const;
  const std::string& folder() const { return folder_; }
  FileFormat format() const { return format_; }
  // The file of `table` for a run that started at `synced_at` (ISO-8601
  // UTC), with `uuid` for {{UUID}}.
  std::string TablePath(const std::string& table, const std::string& synced_at, const std::string& uuid) const;

 private:
  FileDestination(std::string name, std::string folder, std::string path_template, FileFormat format)
      : name_(std::move(name)), folder_(std::move(folder)), template_(std::move(path_template)), format_(format) {}

  std::string name_;
  std::string folder_;    // state and lock files
  std::string template_;  // with {{TABLE}}; "" for `folder_/<table>.<ext>`
  FileFormat format_;
};

}  // namespace sluice
