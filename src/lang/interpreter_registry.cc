// Stub of the contract (interpreter_package.h); replaced by the registry work.
#include "lang/interpreter_package.h"

namespace sluice {

Status PackageStatements::CreateRegistry(const ast::CreateRegistryStmt&) {
  return Status(ErrorKind::kNotImplemented, "CREATE REGISTRY is not available yet");
}
Status PackageStatements::DropRegistry(const std::string&, bool) {
  return Status(ErrorKind::kNotImplemented, "DROP REGISTRY is not available yet");
}
Status PackageStatements::ShowRegistries() {
  return Status(ErrorKind::kNotImplemented, "SHOW REGISTRIES is not available yet");
}
Status PackageStatements::DescribeRegistry(const std::string&) {
  return Status(ErrorKind::kNotImplemented, "DESCRIBE REGISTRY is not available yet");
}
Result<PackageStatements::OpenedRegistry> PackageStatements::OpenNamedRegistry(const std::string&) {
  return Status(ErrorKind::kNotImplemented, "registries are not available yet");
}

}  // namespace sluice
