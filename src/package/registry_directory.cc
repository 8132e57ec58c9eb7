// The directory back end: the reference layout every other back end mirrors
// (registry.h). Writers hold an flock on index/.lock while they read, check
// and replace an index, so concurrent publishers of different versions both
// land; the package file is created with link(2), which like O_EXCL fails
// when the name exists, so two publishers of one version cannot both win
// even across machines sharing the directory without working flock.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/file_util.h"
#include "package/registry_internal.h"

namespace sluice::registry_internal {
namespace {

Status Errno(const std::string& what, const std::string& path, int err) {
  return Status(ErrorKind::kIo, what + " " + path + ": " + std::strerror(err));
}

// Creates `path` with `data` only if it does not exist: kAlreadyExists
// otherwise. Never leaves a partial file at `path`.
Status WriteExclusive(const std::string& path, const std::string& data, const std::string& what) {
  std::filesystem::path target(path);
  ASSIGN_OR_RETURN(std::string tmp, WriteTempFile(target.parent_path().string(),
                                                  target.filename().string(), data, 0644));
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST) return Status(ErrorKind::kAlreadyExists, what + " is already published");
    return Errno("cannot create", path, err);
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status(ErrorKind::kIo, "cannot create directory " + path + ": " + ec.message());
  return Status::Ok();
}

class DirectoryRegistry : public Registry {
 public:
  DirectoryRegistry(std::string url, std::string root)
      : url_(std::move(url)), root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  }
  const std::string& url() const override { return url_; }
  bool writable() const override { return true; }

  Result<std::vector<IndexEntry>> Versions(const std::string& name) override {
    RETURN_IF_ERROR(CheckName(name));
    ASSIGN_OR_RETURN(auto text, ReadFileCapped(IndexPath(name), kMaxIndexBytes));
    if (!text) {
      RETURN_IF_ERROR(CheckRoot());
      return Status(ErrorKind::kNotFound, "no package named '" + name + "' in registry " + url_);
    }
    return ParseIndex(*text, name, "registry " + url_ + " index/" + name + ".json");
  }

  Result<FetchedPackage> Fetch(const IndexEntry& entry) override {
    RETURN_IF_ERROR(CheckName(entry.name));
    RETURN_IF_ERROR(CheckVersion(entry.version));
    std::string what = "package " + entry.name + " " + entry.version + " in registry " + url_;
    ASSIGN_OR_RETURN(auto archive, ReadFileCapped(PackagePath(entry), entry.size));
    if (!archive) return Status(ErrorKind::kNotFound, what + ": its file is missing");
    FetchedPackage fetched;
    fetched.archive = std::move(*archive);
    RETURN_IF_ERROR(CheckFetched(entry, fetched.archive, "registry " + url_));
    if (entry.is_signed) {
      auto sig = ReadFileCapped(PackagePath(entry) + ".minisig", kMaxSignatureBytes);
      if (!sig.ok()) return sig.TakeStatus().WithContext(what);
      if (!sig->has_value()) {
        return Status(ErrorKind::kIntegrity,
                      what + " is listed as signed but its .minisig is missing");
      }
      fetched.signature = std::move(**sig);
    }
    return fetched;
  }

  Status Publish(const IndexEntry& given, const std::string& archive,
                 const std::string& signature) override {
    RETURN_IF_ERROR(CheckPublish(given, archive, signature));
    IndexEntry entry = given;
    entry.yanked = false;
    entry.yanked_reason.clear();
    if (entry.published_at.empty()) entry.published_at = NowIso8601();
    std::string what = "package " + entry.name + " " + entry.version + " in registry " + url_;
    RETURN_IF_ERROR(MakeDirs(root_ + "/index"));
    RETURN_IF_ERROR(MakeDirs(root_ + "/packages/" + entry.name));
    ASSIGN_OR_RETURN(auto config, ReadFileCapped(root_ + "/config.json", 4096));
    if (!config) {
      Status written = WriteFileAtomically(root_ + "/config.json", "{\"schema_version\": 1}\n");
      if (!written.ok()) return written.WithContext("registry " + url_);
    }
    ASSIGN_OR_RETURN(int lock, Lock());
    UniqueFd lock_fd(lock);
    ASSIGN_OR_RETURN(auto text, ReadFileCapped(IndexPath(entry.name), kMaxIndexBytes));
    std::vector<IndexEntry> entries;
    if (text) {
      ASSIGN_OR_RETURN(entries, ParseIndex(*text, entry.name,
                                           "registry " + url_ + " index/" + entry.name + ".json"));
    }
    for (const IndexEntry& e : entries) {
      // Build metadata does not make another version (SemVer §10).
      if (CompareVersions(e.version, entry.version) == 0) {
        return Status(ErrorKind::kAlreadyExists,
                      what + " is already published" +
                          (e.version == entry.version ? "" : " as " + e.version) +
                          " (versions are immutable; publish a new one)");
      }
    }
    RETURN_IF_ERROR(WriteExclusive(PackagePath(entry), archive, what));
    if (!signature.empty())
      RETURN_IF_ERROR(WriteFileAtomically(PackagePath(entry) + ".minisig", signature));
    entries.push_back(entry);
    return WriteIndex(entry.name, entries);
  }

  Status Yank(const std::string& name, const std::string& version, bool yanked,
              const std::string& reason) override {
    RETURN_IF_ERROR(CheckName(name));
    RETURN_IF_ERROR(CheckVersion(version));
    RETURN_IF_ERROR(CheckReason(reason));
    ASSIGN_OR_RETURN(int lock, Lock());
    UniqueFd lock_fd(lock);
    ASSIGN_OR_RETURN(std::vector<IndexEntry> entries, Versions(name));
    for (IndexEntry& e : entries) {
      if (e.version != version) continue;
      e.yanked = yanked;
      e.yanked_reason = yanked ? reason : "";
      return WriteIndex(name, entries);
    }
    return Status(ErrorKind::kNotFound,
                  "no version " + version + " of package '" + name + "' in registry " + url_);
  }

 private:
  std::string IndexPath(const std::string& name) const {
    return root_ + "/index/" + name + ".json";
  }
  std::string PackagePath(const IndexEntry& e) const {
    return root_ + "/packages/" + e.name + "/" + e.name + "-" + e.version + ".sluicepkg";
  }

  Status CheckRoot() const {
    struct stat st;
    if (::stat(root_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status(ErrorKind::kNotFound, "registry " + url_ + ": no such directory");
    }
    return Status::Ok();
  }

  Result<int> Lock() {
    RETURN_IF_ERROR(MakeDirs(root_ + "/index"));
    std::string path = root_ + "/index/.lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("cannot open", path, errno);
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Errno("cannot lock", path, err);
    }
    return fd;
  }

  Status WriteIndex(const std::string& name, std::vector<IndexEntry> entries) {
    SortVersions(entries);
    std::string text;
    for (const IndexEntry& e : entries) text += EntryToJson(e) + "\n";
    return WriteFileAtomically(IndexPath(name), text);
  }

  std::string url_;
  std::string root_;
};

}  // namespace

Result<std::unique_ptr<Registry>> OpenDirectoryRegistry(const std::string& url,
                                                        const std::string& path) {
  return std::unique_ptr<Registry>(std::make_unique<DirectoryRegistry>(url, path));
}

}  // namespace sluice::registry_internal
