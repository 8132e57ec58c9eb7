#include "core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace sluice {
namespace {

Status IoError(const std::string& what, const std::string& path, int error) {
  return Status(ErrorKind::kIo, "cannot " + what + " " + path + ": " + std::strerror(error));
}

// The data, then the mode, then fsync, then close: each can fail.
Status FillAndSync(UniqueFd fd, const std::string& path, std::string_view data, mode_t mode) {
  RETURN_IF_ERROR(WriteAll(fd.get(), data, path));
  // open(2) applied the umask; the caller asked for exactly `mode`.
  if (::fchmod(fd.get(), mode) != 0) return IoError("set the mode of", path, errno);
  if (::fsync(fd.get()) != 0) return IoError("sync", path, errno);
  if (fd.Close() != 0) return IoError("close", path, errno);
  return Status::Ok();
}

std::string UniqueSuffix() {
  static thread_local std::mt19937_64 random(std::random_device{}());
  return std::to_string(::getpid()) + "." + std::to_string(random());
}

}  // namespace

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int UniqueFd::Close() {
  int fd = Release();
  return fd >= 0 ? ::close(fd) : 0;
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) return IoError("create", path, errno);
  Status filled = FillAndSync(std::move(fd), path, data, mode);
  if (!filled.ok()) ::unlink(path.c_str());
  return filled;
}

Result<std::string> WriteTempFile(const std::string& folder, std::string_view stem,
                                  std::string_view data, mode_t mode) {
  const std::string base =
      (folder.empty() ? std::string(".") : folder) + "/." + std::string(stem) + ".tmp.";
  // A name left by a killed process may collide: try a few others.
  for (int attempt = 0;; ++attempt) {
    std::string path = base + UniqueSuffix();
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd.valid()) {
      if (errno == EEXIST && attempt < 8) continue;
      return IoError("create", path, errno);
    }
    Status filled = FillAndSync(std::move(fd), path, data, mode);
    if (!filled.ok()) {
      ::unlink(path.c_str());
      return filled;
    }
    return path;
  }
}

Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode) {
  size_t slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : path.substr(0, slash);
  if (folder.empty()) folder = "/";
  std::string stem = slash == std::string::npos ? path : path.substr(slash + 1);
  ASSIGN_OR_RETURN(std::string temp, WriteTempFile(folder, stem, data, mode));
  // The data is on disk before the rename makes it the file.
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return IoError("replace", path, error);
  }
  UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Best effort: the rename is durable once the folder is synced.
  if (dir.valid()) ::fsync(dir.get());
  return Status::Ok();
}

Result<std::optional<std::string>> ReadFileCapped(const std::string& path, size_t cap) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    return IoError("open", path, errno);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return IoError("stat", path, errno);
  if (!S_ISREG(st.st_mode))
    return Status(ErrorKind::kInvalidArgument, path + " is not a regular file");
  std::string data;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (n == 0) break;
    // Checked as it grows: the file may be growing while it is read.
    if (static_cast<size_t>(n) > cap - data.size()) {
      return Status(ErrorKind::kInvalidArgument,
                    path + " is larger than the " + std::to_string(cap) + "-byte limit");
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(data));
}

}  // namespace sluice
