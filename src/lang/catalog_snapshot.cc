#include "lang/catalog_snapshot.h"

namespace sluice {

Result<CatalogSnapshot> SnapshotConnector(Workspace&, const std::string&) {
  return Status(ErrorKind::kNotImplemented, "catalog snapshots are not built yet");
}

Status RestoreSnapshot(Workspace&, const CatalogSnapshot&, const std::string&) {
  return Status(ErrorKind::kNotImplemented, "catalog snapshots are not built yet");
}

}  // namespace sluice
