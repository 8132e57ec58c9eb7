// Stub of the contract (interpreter_package.h); replaced by the install work.
#include "lang/interpreter_package.h"

namespace sluice {
namespace {
Status NotBuilt(const char* what) {
  return Status(ErrorKind::kNotImplemented, std::string(what) + " is not available yet");
}
}  // namespace

Status PackageStatements::Install(const ast::InstallStmt&) { return NotBuilt("INSTALL"); }
Status PackageStatements::Upgrade(const ast::UpgradeStmt&) { return NotBuilt("UPGRADE"); }
Status PackageStatements::Rollback(const ast::RollbackStmt&) { return NotBuilt("ROLLBACK"); }
Status PackageStatements::Yank(const ast::YankStmt&) { return NotBuilt("YANK"); }
Status PackageStatements::ShowPackages() { return NotBuilt("SHOW PACKAGES"); }
std::string PackageStatements::UpdateAvailable(const InstalledPackage&) { return ""; }

}  // namespace sluice
