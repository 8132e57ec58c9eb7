// Stub of the contract (interpreter_package.h); replaced by the package work.
#include "lang/interpreter_package.h"

namespace sluice {
namespace {
Status NotBuilt(const char* what) {
  return Status(ErrorKind::kNotImplemented, std::string(what) + " is not available yet");
}
}  // namespace

Status PackageStatements::Package(const ast::PackageStmt&, const ast::Statement&) { return NotBuilt("PACKAGE"); }
Status PackageStatements::Publish(const ast::PublishStmt&) { return NotBuilt("PUBLISH"); }

}  // namespace sluice
