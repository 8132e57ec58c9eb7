#include "dest/file_destination.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string_view>

#include "core/csv.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

constexpr char kStateFile[] = "_sluice_sync_state.json";
constexpr char kLockFile[] = "_sluice_sync.lock";

Status IoError(const std::string& what, const std::string& path) {
  return Status(ErrorKind::kDestination, what + " '" + path + "': " + std::strerror(errno));
}

// RFC 4180 quoting, and string values a spreadsheet would run as formulas
// defused (core/csv.h); numbers stay as they are, so -5 from a number field
// is still -5.
std::string CsvField(const Value& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return CsvQuote(CsvDefuseFormula(value.get_ref<const std::string&>()));
  return CsvQuote(value.dump());
}

std::string CsvHeader(const TableSpec& table) {
  std::string line;
  for (const ColumnSpec& column : table.columns) line += CsvField(Value(column.name)) + ",";
  return line + "_sluice_source,_sluice_synced_at\n";
}

// Writes `text` to `path` so that a reader sees the old or the new content, never a mix.
Status ReplaceFile(const std::string& path, const std::string& text) {
  std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return IoError("cannot write", temporary);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) return IoError("cannot write", path);
  return Status::Ok();
}

constexpr std::string_view kPathVariables[] = {"TABLE", "FORMAT", "UUID", "SYNC_ID", "YEAR",
                                               "MONTH", "DAY",    "HOUR", "MINUTE"};

std::string RandomUuid() {
  static std::mutex lock;
  static std::mt19937_64 random{std::random_device{}()};
  std::lock_guard held(lock);
  uint64_t high = random(), low = random();
  high = (high & ~0xF000ull) | 0x4000ull;                // version 4
  low = (low & ~(0xC000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFull));
  return text;
}

// One per process, as CloudQuery has one per `cloudquery sync`.
const std::string& SyncId() {
  static const std::string id = RandomUuid();
  return id;
}

void ReplaceAll(std::string& text, std::string_view from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

class FileTableWriter : public TableWriter {
 public:
  FileTableWriter(FileDestination& destination, const TableSpec& table, const OpenOptions& options)
      : destination_(destination), table_(table), options_(options) {
    path_ = destination.TablePath(table.name, options.synced_at, RandomUuid());
  }
  ~FileTableWriter() override {
    // Appends are whole batches or nothing: what was written after the last
    // commit goes now, not when a next run happens to open the file.
    if (fd_ >= 0 && !replacing_ && committed_size_ >= 0) (void)::ftruncate(fd_, committed_size_);
    if (fd_ >= 0) ::close(fd_);
    // A full run that did not finish leaves the previous file as it was.
    if (replacing_ && !replaced_) ::unlink(writing_.c_str());
  }

  Status Open() {
    // What can be refused is refused before the lock file is made: a run
    // that cannot start leaves nothing behind.
    if (options_.mode == WriteMode::kOverwrite) {
      return Status(ErrorKind::kInvalidArgument,
                    "a file destination cannot update rows in place: use 'append', or a full sync with "
                    "'overwrite-delete-stale' (the file is replaced)");
    }
    // A path without a folder part ("{{TABLE}}.{{FORMAT}}") is a file in
    // the current folder, as CloudQuery's file plugin writes it.
    fs::path parent = fs::path(path_).parent_path();
    if (!parent.empty()) {
      std::error_code made;
      fs::create_directories(parent, made);
      if (made)
        return Status(ErrorKind::kDestination,
                      "cannot create folder '" + parent.string() + "': " + made.message());
    }
    ASSIGN_OR_RETURN(lock_,
                     TableLock::Acquire((fs::path(destination_.folder()) / kLockFile).string(),
                                        table_.name, "folder '" + destination_.folder() + "'"));
    ASSIGN_OR_RETURN(Value states, destination_.LoadStates());
    entry_ = states.contains(table_.name) ? states[table_.name] : Value::object();
    Value& entry = entry_;
    if (!entry.is_object()) entry = Value::object();
    base_rows_ = entry.value("rows", int64_t{-1});
    // A path with {{UUID}}, {{SYNC_ID}} or the time names a new file each
    // run. The last run's file keeps only what it committed (a killed run
    // re-reads its tail into the new file); the new file starts empty.
    std::string previous = entry.value("file", std::string());
    bool rotated = !previous.empty() && previous != path_;
    if (rotated) {
      int64_t committed = entry.value("committed_bytes", int64_t{-1});
      if (committed >= 0 && fs::exists(previous) && static_cast<int64_t>(fs::file_size(previous)) > committed &&
          ::truncate(previous.c_str(), committed) != 0) {
        return IoError("cannot truncate", previous);
      }
      entry.erase("committed_bytes");
      base_rows_ = 0;
    }
    entry["file"] = path_;
    replacing_ = options_.mode == WriteMode::kOverwriteDeleteStale;
    bool exists = fs::exists(path_);
    if (replacing_) {
      writing_ = path_ + ".partial";
      fd_ = ::open(writing_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd_ < 0) return IoError("cannot write", writing_);
      migration_ = exists ? "" : "created";
      return WriteHeader();
    }
    writing_ = path_;
    int64_t committed = entry.value("committed_bytes", int64_t{-1});
    bool header_differs = false;
    if (exists && destination_.format() == FileFormat::kCsv) {
      std::ifstream in(path_);
      std::string first;
      std::getline(in, first);
      header_differs = first + "\n" != CsvHeader(table_);
    }
    if (header_differs && !options_.force) {
      return Status(ErrorKind::kDestination, "file '" + path_ +
                                                 "' has other columns than the entity now has; add FORCE to "
                                                 "start it anew (its rows are lost)");
    }
    bool fresh = !exists || header_differs;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | (fresh ? O_TRUNC : 0), 0644);
    if (fd_ < 0) return IoError("cannot write", path_);
    if (fresh) {
      migration_ = header_differs ? "recreated (columns changed)" : "created";
      // A new file of a rotating path continues the table: its cursor stays.
      if (!rotated) entry = Value::object();
      entry["file"] = path_;
      base_rows_ = 0;
      RETURN_IF_ERROR(WriteHeader());
      return Commit(nullptr);
    }
    // Drop what a killed run wrote after its last commit.
    if (committed >= 0 && ::ftruncate(fd_, committed) != 0) return IoError("cannot truncate", path_);
    off_t end = ::lseek(fd_, 0, SEEK_END);
    if (end < 0) return IoError("cannot seek in", path_);
    committed_size_ = end;
    return Status::Ok();
  }

  Status Write(const std::vector<Value>& row) override {
    ++rows_written_;
    if (destination_.format() == FileFormat::kCsv) {
      for (const Value& value : row) buffer_ += CsvField(value) + ",";
      buffer_ += CsvField(Value(table_.connector)) + "," + CsvField(Value(options_.synced_at)) + "\n";
    } else {
      Value object = Value::object();
      for (size_t i = 0; i < row.size() && i < table_.columns.size(); ++i) {
        const std::string& type = table_.columns[i].type;
        // Documents travel as JSON text through SQL; a JSON file holds them as JSON.
        if ((type == "document" || type == "array") && row[i].is_string()) {
          Value parsed = Value::parse(row[i].get<std::string>(), nullptr, false);
          object[table_.columns[i].name] = parsed.is_discarded() ? row[i] : std::move(parsed);
        } else {
          object[table_.columns[i].name] = row[i];
        }
      }
      object["_sluice_source"] = table_.connector;
      object["_sluice_synced_at"] = options_.synced_at;
      buffer_ += object.dump(-1, ' ', false, Value::error_handler_t::replace) + "\n";
    }
    if (buffer_.size() >= (1u << 20)) return Flush();
    return Status::Ok();
  }

  Status Commit(const SyncState* state) override {
    RETURN_IF_ERROR(Flush());
    if (::fsync(fd_) != 0) return IoError("cannot sync", writing_);
    Value& entry = entry_;
    if (state) {
      entry["connector"] = table_.connector;
      entry["entity"] = table_.entity;
      entry["cursor_field"] = state->cursor_field;
      entry["cursor_value"] = state->cursor_value;
      entry["boundary_keys"] = state->boundary_keys;
    }
    // A file being replaced becomes the table only in DeleteStale().
    if (replacing_) {
      pending_ = entry;
      return Status::Ok();
    }
    off_t size = ::lseek(fd_, 0, SEEK_CUR);
    entry["committed_bytes"] = static_cast<int64_t>(size);
    entry["rows"] = base_rows_ >= 0 ? base_rows_ + rows_written_ : int64_t{-1};
    RETURN_IF_ERROR(destination_.SaveState(table_.name, entry));
    committed_size_ = size;
    return Status::Ok();
  }

  bool CommitsAreFinal() const override { return !replacing_; }

  Result<int64_t> DeleteStale() override {
    if (!replacing_) return int64_t{0};
    // The old file's rows, from the state when it knows them (a count of
    // lines otherwise, as for a file made before rows were recorded).
    int64_t before = base_rows_;
    if (before < 0 && fs::exists(path_)) {
      before = CountLines(path_) - (destination_.format() == FileFormat::kCsv ? 1 : 0);
    }
    ::close(fd_);
    fd_ = -1;
    if (std::rename(writing_.c_str(), path_.c_str()) != 0) return IoError("cannot replace", path_);
    replaced_ = true;
    Value entry = pending_.is_object() ? pending_ : Value::object();
    entry["committed_bytes"] = static_cast<int64_t>(fs::file_size(path_));
    entry["rows"] = rows_written_;
    entry_ = std::move(entry);
    RETURN_IF_ERROR(destination_.SaveState(table_.name, entry_));
    // A replaced file loses the rows the run did not write again.
    return before > rows_written_ ? before - rows_written_ : int64_t{0};
  }

  std::string Migration() const override { return migration_; }

 private:
  Status WriteHeader() {
    if (destination_.format() == FileFormat::kCsv) buffer_ += CsvHeader(table_);
    return Flush();
  }

  Status Flush() {
    size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status failed = IoError("cannot write", writing_);
        buffer_.clear();
        // A partial write (a full disk) must not leave a torn last line.
        if (!replacing_ && committed_size_ >= 0 && ::ftruncate(fd_, committed_size_) == 0) {
          (void)::lseek(fd_, committed_size_, SEEK_SET);
        }
        return failed;
      }
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
    return Status::Ok();
  }

  static int64_t CountLines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return 0;
    int64_t lines = 0;
    std::string line;
    while (std::getline(in, line)) ++lines;
    return lines;
  }

  FileDestination& destination_;
  TableLock lock_;  // held while the writer lives
  TableSpec table_;
  OpenOptions options_;
  std::string path_;     // the table's file
  std::string writing_;  // the file rows go to: path_, or its .partial
  int fd_ = -1;
  bool replacing_ = false;
  int64_t base_rows_ = -1;    // rows the file held when opened; -1: unknown
  int64_t rows_written_ = 0;  // by this writer
  off_t committed_size_ = -1;  // the appended file's length at its last commit
  bool replaced_ = false;
  std::string buffer_;
  Value entry_;  // this table's entry in the state file
  Value pending_;
  std::string migration_;
};

}  // namespace

Result<std::unique_ptr<FileDestination>> FileDestination::Open(const std::string& name, const std::string& path,
                                                               FileFormat format) {
  RETURN_IF_ERROR(CheckPath(name, path));
  std::string folder = path;
  std::string path_template;
  if (path.find("{{") != std::string::npos) {
    // As CloudQuery's file plugin does, a path without {{TABLE}} is a
    // folder of `{{TABLE}}.{{FORMAT}}` files.
    path_template =
        path.find("{{TABLE}}") == std::string::npos ? (fs::path(path) / "{{TABLE}}.{{FORMAT}}").string() : path;
    // State and lock files go in the folder before the first variable.
    size_t slash = path_template.rfind('/', path_template.find("{{"));
    folder = slash == std::string::npos ? "." : path_template.substr(0, slash + 1);
  }
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return Status(ErrorKind::kDestination, "cannot create folder '" + folder + "': " + ec.message());
  return std::unique_ptr<FileDestination>(new FileDestination(name, folder, std::move(path_template), format));
}

Status FileDestination::CheckPath(const std::string& name, const std::string& path) {
  if (path.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "destination '" + name +
                      "': path is empty (a folder such as \"exports/\", or a template "
                      "such as \"{{TABLE}}.{{FORMAT}}\")");
  }
  for (size_t open = path.find("{{"); open != std::string::npos; open = path.find("{{", open + 2)) {
    size_t close = path.find("}}", open);
    std::string variable = path.substr(open + 2, close == std::string::npos ? std::string::npos : close - open - 2);
    // CONFIG templates, resolved before the destination opens.
    if (close != std::string::npos && (variable.starts_with("env.") || variable.starts_with("secrets."))) continue;
    if (close == std::string::npos ||
        std::find(std::begin(kPathVariables), std::end(kPathVariables), variable) == std::end(kPathVariables)) {
      std::string known;
      for (std::string_view each : kPathVariables) known += (known.empty() ? "{{" : ", {{") + std::string(each) + "}}";
      return Status(ErrorKind::kInvalidArgument, "destination '" + name + "': path '" + path +
                                                     "': unknown variable '{{" + variable +
                                                     (close == std::string::npos ? "" : "}}") + "' (known: " + known +
                                                     ")");
    }
  }
  return Status::Ok();
}

std::string FileDestination::TablePath(const std::string& table, const std::string& synced_at,
                                       const std::string& uuid) const {
  if (template_.empty()) return (fs::path(folder_) / (table + (format_ == FileFormat::kCsv ? ".csv" : ".jsonl"))).string();
  std::string path = template_;
  ReplaceAll(path, "{{TABLE}}", table);
  ReplaceAll(path, "{{FORMAT}}", format_ == FileFormat::kCsv ? "csv" : "json");  // CloudQuery's format names
  ReplaceAll(path, "{{UUID}}", uuid);
  ReplaceAll(path, "{{SYNC_ID}}", SyncId());
  // synced_at is "YYYY-MM-DDTHH:MM:SS…Z"; anything else means now.
  std::string when = synced_at.size() >= 16 && synced_at[4] == '-' && synced_at[10] == 'T' ? synced_at : "";
  if (when.empty()) {
    std::time_t now = std::time(nullptr);
    std::tm parts{};
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M", ::gmtime_r(&now, &parts));
    when = text;
  }
  ReplaceAll(path, "{{YEAR}}", when.substr(0, 4));
  ReplaceAll(path, "{{MONTH}}", when.substr(5, 2));
  ReplaceAll(path, "{{DAY}}", when.substr(8, 2));
  ReplaceAll(path, "{{HOUR}}", when.substr(11, 2));
  ReplaceAll(path, "{{MINUTE}}", when.substr(14, 2));
  return fs::path(path).lexically_normal().string();
}

Result<Value> FileDestination::LoadStates() const {
  std::string path = (fs::path(folder_) / kStateFile).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Value::object();
  std::stringstream text;
  text << in.rdbuf();
  Value states = Value::parse(text.str(), nullptr, false);
  if (!states.is_object()) {
    return Status(ErrorKind::kDestination, "'" + path + "' is not a sync state file (not a JSON object)");
  }
  return states;
}

Status FileDestination::SaveState(const std::string& table, const Value& entry) const {
  // Entities syncing at once share the file: each replaces only its entry.
  static std::mutex file_lock;
  std::lock_guard lock(file_lock);
  ASSIGN_OR_RETURN(Value states, LoadStates());
  states[table] = entry;
  return ReplaceFile((fs::path(folder_) / kStateFile).string(), states.dump(2) + "\n");
}

Result<std::unique_ptr<TableWriter>> FileDestination::OpenTable(const TableSpec& table, const OpenOptions& options) {
  RETURN_IF_ERROR(RefusePartitionedWrite(name_, "files", table, options));
  // The table's name becomes a file name: it must not leave the folder.
  if (table.name.empty() || table.name.find_first_of(std::string("/\\\0", 3)) != std::string::npos ||
      table.name.find("..") != std::string::npos || table.name == ".") {
    return Status(ErrorKind::kInvalidArgument,
                  "table name '" + table.name + "' (from OPTIONS.sync_table) cannot name a file in folder '" +
                      folder_ + "': it must not be empty or contain '/', '\\', NUL or '..'");
  }
  auto writer = std::make_unique<FileTableWriter>(*this, table, options);
  RETURN_IF_ERROR(writer->Open());
  return std::unique_ptr<TableWriter>(std::move(writer));
}

Result<std::optional<SyncState>> FileDestination::ReadState(const TableSpec& table) {
  ASSIGN_OR_RETURN(Value states, LoadStates());
  if (!states.contains(table.name) || !states[table.name].contains("cursor_field")) {
    return std::optional<SyncState>();
  }
  const Value& entry = states[table.name];
  SyncState state;
  state.cursor_field = entry.value("cursor_field", "");
  state.cursor_value = entry.value("cursor_value", Value());
  state.boundary_keys = entry.value("boundary_keys", Value::array());
  return std::optional<SyncState>(std::move(state));
}

}  // namespace sluice
