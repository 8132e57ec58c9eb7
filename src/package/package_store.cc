#include "package/package_store.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>

#include "core/file_util.h"
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

// The shared file helpers' errors, prefixed as the store's own are.
Status InStore(Status status) {
  status.WithContext("package store");
  return status;
}

// kNotFound when the file does not exist.
Result<std::string> ReadFile(const std::string& path) {
  auto data = ReadFileCapped(path, std::numeric_limits<size_t>::max());
  if (!data.ok()) return InStore(data.TakeStatus());
  if (!data->has_value()) return Status(ErrorKind::kNotFound, "package store: no " + path);
  return std::move(**data);
}

Status CheckDigest(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) {
    return Status(ErrorKind::kInvalidArgument,
                  "package store: '" + sha256 + "' is not a sha256 (64 lower-case hex digits)");
  }
  return Status::Ok();
}

// A process killed between writing a temporary and renaming it leaves
// ".<name>.tmp.<random>" behind; one an hour old belongs to no live write.
void RemoveStaleTemporaries(const std::string& dir) {
  std::error_code ec;
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() < 2 || name[0] != '.' || name.find(".tmp.") == std::string::npos) continue;
    std::error_code item_ec;
    if (!it->is_regular_file(item_ec) || item_ec) continue;
    auto written = fs::last_write_time(it->path(), item_ec);
    if (item_ec || written > cutoff) continue;
    fs::remove(it->path(), item_ec);  // best effort: another Put may race us to it
  }
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
  RemoveStaleTemporaries(dir);
  const std::string archive_path = dir + "/" + sha + ".sluicepkg";
  auto existing = ReadFile(archive_path);
  if (!existing.ok() || Sha256Hex(*existing) != sha) {
    // Absent, or damaged: (re)write it.
    RETURN_IF_ERROR(InStore(WriteFileAtomically(archive_path, package.archive)));
  }
  if (!package.signature.empty()) {
    const std::string signature_path = dir + "/" + sha + ".minisig";
    auto old = ReadFile(signature_path);
    if (!old.ok() || *old != package.signature) {
      RETURN_IF_ERROR(InStore(WriteFileAtomically(signature_path, package.signature)));
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
      RETURN_IF_ERROR(InStore(WriteNewFile(file.string(), e.data, e.executable ? 0755 : 0644)));
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
