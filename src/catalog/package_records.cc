// Stub of the contract (package_records.h); replaced by the catalog work.
#include "catalog/package_records.h"

namespace sluice {
namespace {
Status NotBuilt() { return Status(ErrorKind::kNotImplemented, "package records are not available yet"); }
}  // namespace

Status PackageRecords::PutRegistry(const RegistryDef&, bool) { return NotBuilt(); }
Result<RegistryDef> PackageRecords::GetRegistry(const std::string&) { return NotBuilt(); }
Result<std::vector<RegistryDef>> PackageRecords::ListRegistries() { return NotBuilt(); }
Status PackageRecords::DropRegistry(const std::string&) { return NotBuilt(); }
Status PackageRecords::PutPackage(const InstalledPackage&) { return NotBuilt(); }
Result<std::optional<InstalledPackage>> PackageRecords::GetPackage(const std::string&) { return NotBuilt(); }
Result<std::vector<InstalledPackage>> PackageRecords::ListPackages() { return NotBuilt(); }
Status PackageRecords::DropPackage(const std::string&) { return NotBuilt(); }
Status PackageRecords::PutTest(const RecordedTest&) { return NotBuilt(); }
Result<std::vector<RecordedTest>> PackageRecords::ListTests(const std::string&) { return NotBuilt(); }

}  // namespace sluice
