// PACKAGE and PUBLISH (interpreter_package.h, docs/packages.md "Packages").
#include "lang/interpreter_package.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/time_util.h"
#include "lang/package_builder.h"
#include "package/archive.h"
#include "package/digest.h"
#include "package/minisign.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultPackageDir = "packages";

// Where README.md, LICENSE, migrations/ and breaking.json are looked for:
// beside the script that runs the statement, else the current directory.
std::string FilesDirOf(const ast::Statement& statement) {
  const auto& file = statement.span.begin.file;
  if (file && !file->name.empty() && file->name.front() != '<') {
    fs::path parent = fs::path(file->name).parent_path();
    return parent.empty() ? "." : parent.string();
  }
  return ".";
}

// A package file as PACKAGE wrote it, checked as an installer would check
// it (safe paths, a valid manifest, every file's digest), so a damaged or
// hand-edited file is never published.
Result<Manifest> CheckPackageFile(const std::string& path, const std::string& bytes) {
  auto entries = ReadArchive(bytes);
  if (!entries.ok()) return entries.TakeStatus().WithContext("package '" + path + "'");
  const ArchiveEntry* manifest_entry = nullptr;
  for (const auto& entry : *entries)
    if (entry.path == kManifestPath) manifest_entry = &entry;
  if (!manifest_entry)
    return Status(ErrorKind::kIntegrity,
                  "package '" + path + "' has no " + std::string(kManifestPath));
  ASSIGN_OR_RETURN(Manifest manifest, Manifest::Parse(manifest_entry->data));
  std::set<std::string> listed;
  for (const ManifestFile& file : manifest.files) listed.insert(file.path);
  for (const auto& entry : *entries) {
    if (entry.path == kManifestPath) continue;
    auto it = std::find_if(manifest.files.begin(), manifest.files.end(),
                           [&](const ManifestFile& f) { return f.path == entry.path; });
    if (it == manifest.files.end())
      return Status(ErrorKind::kIntegrity,
                    "package '" + path + "': '" + entry.path + "' is not in its manifest");
    if (it->sha256 != Sha256Hex(entry.data) || it->size != entry.data.size())
      return Status(ErrorKind::kIntegrity, "package '" + path + "': '" + entry.path +
                                               "' does not match its manifest digest");
    listed.erase(entry.path);
  }
  if (!listed.empty())
    return Status(ErrorKind::kIntegrity, "package '" + path + "': '" + *listed.begin() +
                                             "' is in its manifest but not in it");
  return manifest;
}

}  // namespace

Status PackageStatements::Package(const ast::PackageStmt& s, const ast::Statement& statement) {
  PackageRequest request;
  request.type = s.type.text;
  request.version = s.version.value_or("");
  request.description = s.description.value_or("");
  request.author = s.author.value_or("");
  request.license = s.license.value_or("");
  request.files_dir = FilesDirOf(statement);
  auto built = BuildPackage(in_.workspace_, request, in_.output_);
  if (!built.ok()) return built.TakeStatus().At(s.type.span.begin);
  auto path = WritePackageFile(*built, s.to_dir.value_or(kDefaultPackageDir));
  if (!path.ok()) return path.TakeStatus().At(s.type.span.begin);
  ResultSet result;
  result.columns = {"package", "version", "path", "sha256", "size", "entities", "files"};
  result.rows.push_back({built->manifest.name, built->manifest.version, *path, built->sha256,
                         static_cast<int64_t>(built->archive.size()),
                         static_cast<int64_t>(built->manifest.entities.size()),
                         static_cast<int64_t>(built->manifest.files.size())});
  in_.output_.Emit(result);
  return Status::Ok();
}

// PUBLISH sends the file PACKAGE wrote (./packages/<type>-<version>.sluicepkg):
// the statement has no LICENSE/AUTHOR/DESCRIPTION, so rebuilding could not
// reproduce what the author packaged; publishing the reviewed file is also
// what npm and Cargo do.
Status PackageStatements::Publish(const ast::PublishStmt& s) {
  const std::string& type = s.type.text;
  std::string version = s.version.value_or("");
  if (version.empty()) {
    auto def = in_.workspace_.catalog().GetConnectorType(type);
    if (!def.ok() && def.status().kind() == ErrorKind::kNotFound) {
      return Status(ErrorKind::kNotFound,
                    "connector type '" + type +
                        "' is not in this workspace, so its version is unknown: say PUBLISH "
                        "CONNECTOR TYPE '" + type + "' VERSION '…' to publish ./packages/" + type +
                        "-<version>.sluicepkg")
          .At(s.type.span.begin);
    }
    if (!def.ok()) return def.TakeStatus().At(s.type.span.begin);
    version = def->version;
    if (version.empty())
      return Status(ErrorKind::kInvalidArgument,
                    "connector type '" + type + "' has no VERSION: say PUBLISH CONNECTOR TYPE '" +
                        type + "' VERSION '…'")
          .At(s.type.span.begin);
  }
  std::string path =
      (fs::path(kDefaultPackageDir) / (type + "-" + version + ".sluicepkg")).string();
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return Status(ErrorKind::kNotFound, "no package '" + path +
                                            "' to publish: run PACKAGE CONNECTOR TYPE '" + type +
                                            "' VERSION '" + version + "' LICENSE '…' first")
        .At(s.type.span.begin);
  }
  std::string archive;
  {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    if (!in || in.bad())
      return Status(ErrorKind::kIo, "cannot read '" + path + "'").At(s.type.span.begin);
    archive = data.str();
  }
  auto manifest = CheckPackageFile(path, archive);
  if (!manifest.ok()) return manifest.TakeStatus().At(s.type.span.begin);
  if (manifest->name != type || manifest->version != version) {
    return Status(ErrorKind::kIntegrity, "package '" + path + "' holds " + manifest->name + " " +
                                             manifest->version + ", not " + type + " " + version)
        .At(s.type.span.begin);
  }
  std::string sha256 = Sha256Hex(archive);

  auto opened = OpenNamedRegistry(s.target);
  if (!opened.ok()) return opened.TakeStatus().At(s.type.span.begin);
  std::string registry_label = opened->name.empty() ? opened->url : opened->name;

  std::string signature;
  std::string key_id;
  if (s.signed_by) {
    auto stored = in_.workspace_.secrets().Get(*s.signed_by);
    if (!stored.ok())
      return Status(stored.status().kind(),
                    "signing key '" + *s.signed_by + "': " + stored.status().message())
          .At(s.type.span.begin);
    auto key = MinisignSecretKey::Decode(*stored);
    if (!key.ok())
      return Status(ErrorKind::kInvalidArgument,
                    "secret '" + *s.signed_by + "' is not a signing key from `sluice keygen`")
          .At(s.type.span.begin);
    std::string comment =
        "sluice-package name=" + type + " version=" + version + " sha256=" + sha256;
    auto signed_text = MinisignSign(*key, archive, comment);
    if (!signed_text.ok()) return signed_text.TakeStatus().At(s.type.span.begin);
    signature = std::move(signed_text).value();
    MinisignPublicKey public_key = key->PublicKey();
    key_id = public_key.KeyIdHex();
    if (!opened->trusted_keys.empty()) {
      bool trusted = false;
      for (const std::string& text : opened->trusted_keys) {
        auto trusted_key = MinisignPublicKey::Parse(text);
        if (trusted_key.ok() && trusted_key->Base64() == public_key.Base64()) trusted = true;
      }
      if (!trusted) {
        return Status(ErrorKind::kIntegrity,
                      "registry '" + registry_label + "' does not trust key " + key_id +
                          " (secret '" + *s.signed_by + "'): add " + public_key.Base64() +
                          " to its TRUSTED_KEYS, or sign with a key it trusts")
            .At(s.type.span.begin);
      }
    }
  } else if (!opened->trusted_keys.empty()) {
    // Its installers would refuse the package without ALLOW UNSIGNED; an
    // immutable version nobody can install safely is a mistake to catch now.
    return Status(ErrorKind::kIntegrity,
                  "registry '" + registry_label +
                      "' trusts signing keys: publish with SIGNED BY '<key>' (sluice keygen)")
        .At(s.type.span.begin);
  }

  IndexEntry entry;
  entry.name = type;
  entry.version = version;
  entry.sha256 = sha256;
  entry.size = archive.size();
  entry.engine = manifest->engine;
  entry.is_signed = !signature.empty();
  entry.key_id = key_id;
  entry.published_at = FormatTimestamp(NowMicros() / 1000000 * 1000000);
  Status published = opened->registry->Publish(entry, archive, signature);
  if (!published.ok())
    return published
        .WithContext("publishing " + type + " " + version + " to '" + registry_label + "'")
        .At(s.type.span.begin);

  ResultSet result;
  result.columns = {"package", "version", "sha256", "registry", "signed_by"};
  result.rows.push_back(
      {type, version, sha256, registry_label, key_id.empty() ? Value() : Value(key_id)});
  in_.output_.Emit(result);
  return Status::Ok();
}

}  // namespace sluice
