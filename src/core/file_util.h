// Files written so that a crash or a kill never leaves half of one: the
// write-to-a-temporary, fsync, rename dance the lock file, the package store,
// the directory registry and the package builder all need, written once.
//
// Errors are ErrorKind::kIo naming the path and strerror, except where noted.
//
// Thread-safety: free functions; distinct calls may run on distinct threads
// (temporary names are unique per process, thread and call).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice {

// Owns a file descriptor: closed on destruction unless released.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership: the caller closes the descriptor.
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the current descriptor (ignoring close's result) and owns `fd`.
  void Reset(int fd = -1);
  // Closes now and reports close(2)'s result (0, or -1 with errno set): on
  // some file systems a failed close means written data was lost.
  int Close();

 private:
  int fd_ = -1;
};

// Writes all of `data`, retrying short writes and EINTR. `path` names the
// file in the error.
Status WriteAll(int fd, std::string_view data, const std::string& path);

// Creates `path`, which must not exist (O_EXCL), holding `data` with exactly
// `mode` whatever the umask, and fsyncs it. Removes it again on failure.
Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode);

// Like WriteNewFile at a fresh hidden name ".<stem>.tmp.<unique>" in
// `folder`; returns that path. The caller renames or links it into place
// (and removes it if that fails).
Result<std::string> WriteTempFile(const std::string& folder, std::string_view stem,
                                  std::string_view data, mode_t mode);

// Replaces `path` with `data`: a reader (or a crash) sees the old file or the
// new one, never a mix. The folder is fsynced afterwards, best effort.
Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode = 0644);

// The whole of a regular file; nullopt when it does not exist. A file that
// is not regular, or is larger than `cap` bytes, is refused with
// kInvalidArgument naming the path (a hostile or damaged file is not read
// into memory).
Result<std::optional<std::string>> ReadFileCapped(const std::string& path, size_t cap);

}  // namespace sluice
