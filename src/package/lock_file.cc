#include "package/lock_file.h"

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "package/digest.h"
#include "package/semver.h"

namespace sluice {
namespace {

constexpr int kLockVersion = 1;

Status Malformed(const std::string& path, const std::string& what) {
  return Status(ErrorKind::kInvalidArgument, path + ": " + what);
}
}  // namespace

std::string LockFile::ToJson() const {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [name, p] : packages) {
    entries[name] = {{"version", p.version},
                     {"sha256", p.sha256},
                     {"constraint", p.constraint},
                     {"registry", p.registry},
                     {"key_id", p.key_id}};
  }
  nlohmann::json root = {{"lock_version", kLockVersion}, {"packages", entries}};
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<LockFile> LockFile::Parse(const std::string& text, const std::string& path) {
  nlohmann::json root = nlohmann::json::parse(text, nullptr, false);
  if (root.is_discarded()) return Malformed(path, "not valid JSON");
  if (!root.is_object()) return Malformed(path, "expected a JSON object");
  auto version = root.find("lock_version");
  if (version == root.end() || !version->is_number_integer()) {
    return Malformed(path, "\"lock_version\" is missing or not an integer");
  }
  if (version->get<int64_t>() != kLockVersion) {
    return Malformed(path, "lock_version " + version->dump() +
                               " is not supported (this Sluice reads version " +
                               std::to_string(kLockVersion) + "; a newer Sluice wrote it?)");
  }
  for (const auto& [key, value] : root.items()) {
    if (key != "lock_version" && key != "packages")
      return Malformed(path, "unknown key \"" + key + "\"");
  }
  LockFile lock;
  auto packages = root.find("packages");
  if (packages == root.end()) return lock;
  if (!packages->is_object()) return Malformed(path, "\"packages\" is not an object");
  for (const auto& [name, entry] : packages->items()) {
    std::string where = "package '" + name + "': ";
    if (name.empty()) return Malformed(path, "a package with an empty name");
    if (!entry.is_object()) return Malformed(path, where + "expected an object");
    LockedPackage p;
    for (const auto& [key, value] : entry.items()) {
      std::string* field = key == "version"      ? &p.version
                           : key == "sha256"     ? &p.sha256
                           : key == "constraint" ? &p.constraint
                           : key == "registry"   ? &p.registry
                           : key == "key_id"     ? &p.key_id
                                                 : nullptr;
      if (!field) return Malformed(path, where + "unknown key \"" + key + "\"");
      if (!value.is_string()) return Malformed(path, where + "\"" + key + "\" is not a string");
      *field = value.get<std::string>();
    }
    auto v = semver::ParseVersion(p.version);
    if (!v.ok()) return Malformed(path, where + v.status().message());
    if (!IsSha256Hex(p.sha256)) {
      return Malformed(path, where + "sha256 '" + p.sha256 + "' is not 64 lower-case hex digits");
    }
    if (!p.constraint.empty()) {
      auto range = semver::Range::Parse(p.constraint);
      if (!range.ok()) return Malformed(path, where + range.status().message());
    }
    lock.packages.emplace(name, std::move(p));
  }
  return lock;
}

Result<LockFile> LockFile::Load(const std::string& path) {
  // A lock is a few hundred bytes per package; anything near the cap is not one.
  constexpr size_t kMaxLockBytes = 16 << 20;
  ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFileCapped(path, kMaxLockBytes));
  if (!text) return LockFile();
  return Parse(*text, path);
}

Status LockFile::Save(const std::string& path) const { return WriteFileAtomically(path, ToJson()); }

}  // namespace sluice
