// SYNC … DISTRIBUTED and SHOW SYNC UNITS: the submitting side of a
// distributed run (sync/coordinator.h, docs/distributed.md).
#include "lang/interpreter.h"

namespace sluice {

Status Interpreter::SubmitDistributedSync(const ast::SyncStmt&, const ast::Statement&, const SyncRequest&, Source&) {
  return Status(ErrorKind::kNotImplemented, "SYNC … DISTRIBUTED is not built yet");
}

Result<ResultSet> Interpreter::ShowSyncUnits(const ast::ShowStmt&) {
  return Status(ErrorKind::kNotImplemented, "SHOW SYNC UNITS is not built yet");
}

}  // namespace sluice
