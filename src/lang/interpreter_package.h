// The package statements (docs/packages.md): PACKAGE, PUBLISH, INSTALL,
// UPGRADE, ROLLBACK, YANK, CREATE/DROP/SHOW REGISTRY, SHOW PACKAGES.
//
// Split by concern: interpreter_package.cc builds and publishes
// (package_builder.h); interpreter_install.cc installs, upgrades, rolls back,
// yanks and lists packages (package_installer.h); interpreter_registry.cc
// declares and lists registries.
//
// Ownership: borrows the Interpreter for one statement.
#pragma once

#include <memory>
#include <string>

#include "catalog/package_records.h"
#include "lang/interpreter.h"
#include "package/registry.h"

namespace sluice {

class PackageStatements {
 public:
  explicit PackageStatements(Interpreter& interpreter) : in_(interpreter) {}

  // interpreter_package.cc
  Status Package(const ast::PackageStmt& s, const ast::Statement& statement);
  Status Publish(const ast::PublishStmt& s);

  // interpreter_install.cc
  Status Install(const ast::InstallStmt& s);
  Status Upgrade(const ast::UpgradeStmt& s);
  Status Rollback(const ast::RollbackStmt& s);
  Status Yank(const ast::YankStmt& s);
  Status ShowPackages();
  // "1.4.1" when the package's registry has a higher non-yanked version
  // inside its constraint (the engine range respected), "" when not, or
  // "unknown (…why…)" when the registry cannot be reached.
  std::string UpdateAvailable(const InstalledPackage& package);

  // interpreter_registry.cc
  Status CreateRegistry(const ast::CreateRegistryStmt& s);
  Status DropRegistry(const std::string& name, bool if_exists);
  Status ShowRegistries();
  Status DescribeRegistry(const std::string& name);

  // A registry by declared name, or a path/URL (registry.h
  // LooksLikeRegistryUrl); with its trusted keys when declared (none for a
  // bare URL). kNotFound for an unknown name that is not a URL.
  struct OpenedRegistry {
    std::unique_ptr<Registry> registry;
    std::string name;  // "" for a bare URL
    std::string url;
    std::vector<std::string> trusted_keys;
  };
  Result<OpenedRegistry> OpenNamedRegistry(const std::string& name_or_url);

 private:
  Interpreter& in_;
};

}  // namespace sluice
