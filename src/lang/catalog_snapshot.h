// A connector's definitions as one value, stored with a distributed run
// (sync/coordinator.h) so that workers on other machines run exactly what
// the submitter ran: its type (config schema, version, kind), its entities
// and actions with their handler code, the connector (CONFIG with its
// {{secrets.x}} templates unresolved, OPTIONS), and the secrets it names —
// still sealed: a worker opens them with its own key (SLUICE_SECRET_KEY,
// the same as the submitter's), and a wrong key fails as it would in the
// workspace ("wrong key"), never by printing anything of a secret.
// {{env.X}} templates are resolved from the worker's environment. A table
// integration's folder travels as an archive (package/archive.h), unpacked
// by the worker into a scratch folder of its own.
//
// Thread-safety: none needed (pure transformations of workspaces).
#pragma once

#include <string>

#include "catalog/workspace.h"
#include "core/status.h"
#include "core/value.h"

namespace sluice {

struct CatalogSnapshot {
  Value catalog = Value::object();
  std::string integration_archive;  // empty for a declared type
};

// Refuses kinds other than declared types and table integrations (a
// CloudQuery plugin process cannot travel), naming the connector.
Result<CatalogSnapshot> SnapshotConnector(Workspace& workspace, const std::string& connector);

// Into `workspace` (a fresh one, usually ":memory:"); an integration's
// folder is unpacked under `scratch_dir` (created; the caller removes it).
Status RestoreSnapshot(Workspace& workspace, const CatalogSnapshot& snapshot, const std::string& scratch_dir);

}  // namespace sluice
