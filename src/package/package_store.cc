#include "package/package_store.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "package/archive.h"
#include "package/digest.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

Status IoError(const std::string& what, const std::string& path, int error = errno) {
  return Status(ErrorKind::kIo,
                "package store: cannot " + what + " " + path + ": " + std::strerror(error));
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string UniqueSuffix() {
  std::random_device random;
  return std::to_string(::getpid()) + "." + std::to_string(random()) + std::to_string(random());
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Creates `path` (which must not exist) with `data` and `mode`, synced.
Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return IoError("create", path);
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path);
    }
    written += static_cast<size_t>(n);
  }
  // The umask must not change what the header promises (0644 / 0755).
  if (::fchmod(fd.get(), mode) != 0) return IoError("set the mode of", path);
  if (::fsync(fd.get()) != 0) return IoError("sync", path);
  if (::close(fd.Release()) != 0) return IoError("close", path);
  return Status::Ok();
}

// Writes `data` to `path` through a temporary name in the same folder, so a
// kill leaves either the old file or the new one.
Status WriteFileAtomically(const std::string& path, std::string_view data) {
  std::string temp = path + ".tmp." + UniqueSuffix();
  Status written = WriteNewFile(temp, data, 0644);
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0)
    written = IoError("rename into place", path);
  if (!written.ok()) ::unlink(temp.c_str());
  return written;
}

Result<std::string> ReadFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status(ErrorKind::kNotFound, "package store: no " + path);
    return IoError("open", path);
  }
  std::string out;
  char buffer[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path);
    }
    if (n == 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

Status CheckDigest(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) {
    return Status(ErrorKind::kInvalidArgument,
                  "package store: '" + sha256 + "' is not a sha256 (64 lower-case hex digits)");
  }
  return Status::Ok();
}

}  // namespace

PackageStore PackageStore::Default() {
  std::string root = Env("SLUICE_PACKAGE_STORE");
  if (!root.empty()) return PackageStore(root);
  std::string data = Env("XDG_DATA_HOME");
  if (!data.empty()) return PackageStore(data + "/sluice/packages");
  std::string home = Env("HOME");
  if (home.empty()) {
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) home = pw->pw_dir;
  }
  if (home.empty()) home = ".";
  return PackageStore(home + "/.local/share/sluice/packages");
}

Status PackageStore::Put(const FetchedPackage& package) {
  const std::string sha = Sha256Hex(package.archive);
  const std::string dir = root_ + "/sha256";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("create", dir, ec.value());
  const std::string archive_path = dir + "/" + sha + ".sluicepkg";
  auto existing = ReadFile(archive_path);
  if (!existing.ok() || Sha256Hex(*existing) != sha) {
    // Absent, or damaged: (re)write it.
    RETURN_IF_ERROR(WriteFileAtomically(archive_path, package.archive));
  }
  if (!package.signature.empty()) {
    const std::string signature_path = dir + "/" + sha + ".minisig";
    auto old = ReadFile(signature_path);
    if (!old.ok() || *old != package.signature) {
      RETURN_IF_ERROR(WriteFileAtomically(signature_path, package.signature));
    }
  }
  return Status::Ok();
}

Result<FetchedPackage> PackageStore::Get(const std::string& sha256) {
  RETURN_IF_ERROR(CheckDigest(sha256));
  const std::string base = root_ + "/sha256/" + sha256;
  auto archive = ReadFile(base + ".sluicepkg");
  if (!archive.ok()) {
    if (archive.status().kind() == ErrorKind::kNotFound) {
      return Status(ErrorKind::kNotFound,
                    "package store " + root_ + " has no package with sha256 " + sha256);
    }
    return archive.TakeStatus();
  }
  std::string actual = Sha256Hex(*archive);
  if (actual != sha256) {
    return Status(ErrorKind::kIntegrity, "package store entry " + base +
                                             ".sluicepkg is damaged: its sha256 is " + actual +
                                             ", expected " + sha256 + " (fetch the package again)");
  }
  FetchedPackage out;
  out.archive = std::move(archive).value();
  auto signature = ReadFile(base + ".minisig");
  if (signature.ok()) {
    out.signature = std::move(signature).value();
  } else if (signature.status().kind() != ErrorKind::kNotFound) {
    return signature.TakeStatus();
  }
  return out;
}

Result<std::string> PackageStore::Extracted(const std::string& sha256) {
  RETURN_IF_ERROR(CheckDigest(sha256));
  const std::string target = root_ + "/sha256/" + sha256;
  std::error_code ec;
  // Complete or absent: the folder only ever appears by rename.
  if (fs::is_directory(target, ec)) return target;
  ASSIGN_OR_RETURN(FetchedPackage package, Get(sha256));
  auto entries = ReadArchive(package.archive);
  if (!entries.ok()) {
    return Status(
        entries.status().kind(),
        "package " + sha256 + " in the store cannot be extracted: " + entries.status().message());
  }
  const std::string temp =
      root_ + "/sha256/.extract-" + sha256.substr(0, 16) + "." + UniqueSuffix();
  auto cleanup = [&temp] {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
  };
  auto extract = [&]() -> Status {
    if (::mkdir(temp.c_str(), 0755) != 0) return IoError("create", temp);
    ::chmod(temp.c_str(), 0755);
    for (const ArchiveEntry& e : *entries) {
      // Paths passed ReadArchive's checks: relative, no "..", no links.
      fs::path file = fs::path(temp) / e.path;
      fs::path rel = fs::path(e.path).parent_path();
      fs::path at = temp;
      for (const auto& part : rel) {
        at /= part;
        if (::mkdir(at.c_str(), 0755) == 0) {
          ::chmod(at.c_str(), 0755);
        } else if (errno != EEXIST) {
          return IoError("create", at.string());
        }
      }
      RETURN_IF_ERROR(WriteNewFile(file.string(), e.data, e.executable ? 0755 : 0644));
    }
    return Status::Ok();
  };
  Status extracted = extract();
  if (!extracted.ok()) {
    cleanup();
    return extracted;
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    int error = errno;
    cleanup();
    // Another extractor won the race: its folder is as good as ours.
    if ((error == ENOTEMPTY || error == EEXIST) && fs::is_directory(target, ec)) return target;
    return IoError("rename into place", target, error);
  }
  return target;
}

}  // namespace sluice
