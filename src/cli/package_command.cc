#include "cli/package_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "catalog/workspace.h"
#include "cli/runner.h"
#include "core/secret_masker.h"
#include "lang/package_builder.h"
#include "package/minisign.h"

namespace sluice {

PackageCommands::PackageCommands(CLI::App& app, const std::string& workspace) : workspace_(workspace) {
  keygen_ = app.add_subcommand("keygen", "make a package signing key pair; the secret key becomes secret NAME");
  keygen_->add_option("name", keygen_flags_.name, "the secret to hold the key (SIGNED BY NAME)")->required();
  keygen_->add_option("--workspace,-w", keygen_flags_.workspace, "workspace file (default ./sluice.db)");
  keygen_->add_flag("--force", keygen_flags_.force, "replace an existing secret NAME");

  package_ = app.add_subcommand("package", "package a folder of .sql files or an integration folder");
  PackageFlags& p = package_flags_;
  package_->add_option("dir", p.dir, "folder of .sql files, or a table integration folder")->required();
  package_->add_option("--version", p.version, "SemVer version (default: the type's VERSION / package.json's)");
  package_->add_option("--out,-o", p.out, "folder to write <type>-<version>.sluicepkg to (default ./packages)");
  package_->add_option("--type", p.type, "the connector type, when DIR defines several");
  package_->add_option("--license", p.license, "SPDX license expression (default: package.json's or LICENSE's)");
  package_->add_option("--author", p.author, "author");
  package_->add_option("--description", p.description, "description (default: the type's)");
}

bool PackageCommands::parsed() const { return keygen_->parsed() || package_->parsed(); }

int PackageCommands::Run() {
  if (!keygen_->parsed()) return RunPackage(package_flags_);
  if (keygen_->count("--workspace") == 0) keygen_flags_.workspace = workspace_;
  return RunKeygen(keygen_flags_);
}

int RunKeygen(const KeygenFlags& flags) {
  ConsoleSink sink(stdout, stderr);
  auto fail = [&](Status status) {
    sink.Error(status);
    return 1;
  };
  // A key in a workspace that vanishes on exit could never sign anything.
  if (flags.workspace == ":memory:") {
    return fail(Status(ErrorKind::kInvalidArgument, "keygen needs a workspace file to keep the secret key in"));
  }
  Result<std::unique_ptr<Workspace>> workspace = Workspace::Open(flags.workspace);
  if (!workspace.ok()) return fail(workspace.TakeStatus());
  SecretStore& secrets = (*workspace)->secrets();
  Result<bool> exists = secrets.Exists(flags.name);
  if (!exists.ok()) return fail(exists.TakeStatus());
  if (*exists && !flags.force) {
    return fail(Status(ErrorKind::kAlreadyExists,
                       "secret '" + flags.name + "' already exists in '" + flags.workspace +
                           "'; --force replaces it (packages signed with the old key then verify only "
                           "against the old public key)"));
  }
  Result<MinisignSecretKey> key = MinisignSecretKey::Generate();
  if (!key.ok()) return fail(key.TakeStatus());
  const std::string encoded = key->Encode();
  // Whatever goes wrong from here, the secret cannot reach the output.
  SecretMasker::Global().Add(encoded);
  Status stored = secrets.Put(flags.name, encoded, "keygen", flags.force);
  if (!stored.ok()) return fail(stored.WithContext("storing the signing key as secret '" + flags.name + "'"));
  const MinisignPublicKey public_key = key->PublicKey();
  const std::string line = public_key.Base64();
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  sink.Note("Public key above (key id " + public_key.KeyIdHex() + "); the secret key is secret '" + flags.name +
            "' of " + flags.workspace + " and is never printed.");
  sink.Note("  sign:    PUBLISH CONNECTOR TYPE 'x' TO 'registry' SIGNED BY " + flags.name + ";");
  sink.Note("  trust:   CREATE REGISTRY r URL '…' TRUSTED_KEYS ('" + line + "');");
  sink.Note("  verify:  minisign -Vm x-1.0.0.sluicepkg -P " + line);
  return 0;
}

int RunPackage(const PackageFlags& flags) {
  ConsoleSink sink(stdout, stderr);
  DirectoryPackageRequest request;
  request.dir = flags.dir;
  request.version = flags.version;
  request.type = flags.type;
  request.license = flags.license;
  request.author = flags.author;
  request.description = flags.description;
  Result<BuiltPackage> built = BuildPackageFromDirectory(request, sink);
  if (!built.ok()) {
    sink.Error(built.status());
    return 1;
  }
  Result<std::string> path = WritePackageFile(*built, flags.out);
  if (!path.ok()) {
    sink.Error(path.status());
    return 1;
  }
  std::printf("%s\nsha256 %s\n", path->c_str(), built->sha256.c_str());
  return 0;
}

}  // namespace sluice
