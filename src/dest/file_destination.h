// FileDestination: sync into files — a JSONL or CSV file per entity in one
// folder (`CREATE DESTINATION d TYPE 'jsonl' CONFIG {"path": "out/"}`).
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
  // `folder` is created if missing.
  static Result<std::unique_ptr<FileDestination>> Open(const std::string& name, const std::string& folder,
                                                       FileFormat format);

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

 private:
  FileDestination(std::string name, std::string folder, FileFormat format)
      : name_(std::move(name)), folder_(std::move(folder)), format_(format) {}

  std::string name_;
  std::string folder_;
  FileFormat format_;
};

}  // namespace sluice
