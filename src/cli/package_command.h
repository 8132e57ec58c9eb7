// `sluice keygen` and `sluice package` (docs/packages.md, "Statements and
// commands").
//
//   sluice keygen NAME [-w WORKSPACE] [--force]
//     makes an Ed25519 key pair in minisign's format, stores the secret key
//     as secret NAME of the workspace (encrypted like every secret; never
//     printed) and prints the public key line ("RW…") with how to trust it
//     and verify with minisign. An existing secret NAME is kept unless
//     --force replaces it.
//   sluice package DIR [--version V] [--out DIR] [--type T] [--license L]
//                      [--author A] [--description D]
//     packages a folder of .sql files or a table integration folder
//     (lang/package_builder.h) into OUT/<type>-<version>.sluicepkg (OUT
//     defaults to ./packages) and prints its path and sha256.
//
// Thread-safety: main thread only.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace sluice {

struct KeygenFlags {
  std::string name;
  std::string workspace = "sluice.db";
  bool force = false;
};

struct PackageFlags {
  std::string dir;
  std::string version;
  std::string out = "packages";
  std::string type;
  std::string license;
  std::string author;
  std::string description;
};

class PackageCommands {
 public:
  // Adds `keygen` and `package` to `app`. `workspace` is the main -w, which
  // `sluice -w W keygen NAME` gives before the subcommand.
  PackageCommands(CLI::App& app, const std::string& workspace);
  bool parsed() const;
  // Runs the subcommand that was parsed; the process's exit status.
  int Run();

 private:
  const std::string& workspace_;
  CLI::App* keygen_ = nullptr;
  CLI::App* package_ = nullptr;
  KeygenFlags keygen_flags_;
  PackageFlags package_flags_;
};

int RunKeygen(const KeygenFlags& flags);
int RunPackage(const PackageFlags& flags);

}  // namespace sluice
