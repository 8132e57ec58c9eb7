#include "dest/destination.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice {

const char* WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kOverwriteDeleteStale:
      return "overwrite-delete-stale";
    case WriteMode::kOverwrite:
      return "overwrite";
    case WriteMode::kAppend:
      return "append";
  }
  return "overwrite-delete-stale";
}

std::optional<WriteMode> WriteModeFromName(std::string_view name) {
  for (WriteMode mode : {WriteMode::kOverwriteDeleteStale, WriteMode::kOverwrite, WriteMode::kAppend}) {
    if (name == WriteModeName(mode)) return mode;
  }
  return std::nullopt;
}

bool TableSpec::HasPrimaryKey() const {
  return std::any_of(columns.begin(), columns.end(), [](const ColumnSpec& c) { return c.primary_key; });
}

TableLock& TableLock::operator=(TableLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

TableLock::~TableLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the description releases its lock
}

Status LeaseLost(const std::string& message) { return Status(ErrorKind::kDestination, "lease lost: " + message); }

bool IsLeaseLost(const Status& status) {
  return status.kind() == ErrorKind::kDestination && status.message().find("lease lost: ") != std::string::npos;
}

Status TableBusy(const std::string& table, const std::string& where) {
  return Status(ErrorKind::kDestination, "table '" + table + "' in " + where +
                                             " is being written by another sync; run again when it has ended");
}

Status RefusePartitionedWrite(const std::string& destination, const std::string& kind, const TableSpec& table,
                              const OpenOptions& options) {
  std::string where = "destination '" + destination + "' (" + kind + ")";
  if (!table.partition.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  where + " cannot take partitioned writes (table '" + table.name + "', partition '" +
                      table.partition +
                      "'): SHARD and DISTRIBUTED runs of a partitioned entity need a PostgreSQL destination");
  }
  if (options.fence) {
    return Status(ErrorKind::kInvalidArgument, where + " cannot take fenced writes (table '" + table.name +
                                                   "'): DISTRIBUTED runs need a PostgreSQL destination");
  }
  return Status::Ok();
}

Result<TableLock> TableLock::Acquire(const std::string& lock_file, const std::string& table,
                                     const std::string& where) {
  TableLock lock;
  lock.fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock.fd_ < 0) {
    return Status(ErrorKind::kDestination, "cannot open the sync lock file '" + lock_file + "': " +
                                               std::strerror(errno));
  }
  // FNV-1a: stable across builds and runs, which std::hash need not be.
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : table) hash = (hash ^ c) * 1099511628211ull;
  struct flock range {};
  range.l_type = F_WRLCK;
  range.l_whence = SEEK_SET;
  range.l_start = static_cast<off_t>(hash >> 2);  // a byte offset; off_t is signed
  range.l_len = 1;
  if (::fcntl(lock.fd_, F_OFD_SETLK, &range) != 0) {
    if (errno == EAGAIN || errno == EACCES) return TableBusy(table, where);
    return Status(ErrorKind::kDestination, "cannot lock '" + lock_file + "': " + std::strerror(errno));
  }
  return lock;
}

}  // namespace sluice
