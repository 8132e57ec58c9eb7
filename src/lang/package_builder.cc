// Stub of the contract (package_builder.h); replaced by the package work.
#include "lang/package_builder.h"

namespace sluice {

Result<BuiltPackage> BuildPackage(Workspace&, const PackageRequest&, OutputSink&) {
  return Status(ErrorKind::kNotImplemented, "packaging is not available yet");
}
Result<BuiltPackage> BuildPackageFromDirectory(const DirectoryPackageRequest&, OutputSink&) {
  return Status(ErrorKind::kNotImplemented, "packaging is not available yet");
}
Result<std::string> WritePackageFile(const BuiltPackage&, const std::string&) {
  return Status(ErrorKind::kNotImplemented, "packaging is not available yet");
}

}  // namespace sluice
