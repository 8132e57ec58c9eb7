#include "server/workspace_views.h"

namespace sluice {
namespace {
Status NotYet(const char* what) { return Status(ErrorKind::kNotImplemented, what); }
}  // namespace

Result<Value> ListConnectors(WorkspaceSession&) { return NotYet("ListConnectors"); }
Result<Value> ListTypes(WorkspaceSession&) { return NotYet("ListTypes"); }
Result<Value> DescribeEntity(WorkspaceSession&, const std::string&, const std::string&) { return NotYet("DescribeEntity"); }
Result<Value> ListDestinations(WorkspaceSession&) { return NotYet("ListDestinations"); }
Result<Value> ListRuns(WorkspaceSession&, const RunFilter&) { return NotYet("ListRuns"); }
Result<Value> GetRun(WorkspaceSession&, int64_t) { return NotYet("GetRun"); }
Result<Value> ListSchedules(WorkspaceSession&) { return NotYet("ListSchedules"); }
Result<Value> ListMarks(WorkspaceSession&) { return NotYet("ListMarks"); }
Result<Value> ListTables(WorkspaceSession&) { return NotYet("ListTables"); }
Result<std::string> SyncStatementFor(WorkspaceSession&, const SyncRequest&) { return NotYet("SyncStatementFor"); }
Result<Value> RunAction(WorkspaceSession&, const std::string&, const std::string&, const Value&) {
  return NotYet("RunAction");
}
Result<Value> ResetMark(WorkspaceSession&, const std::string&, const std::string&, const std::string&) {
  return NotYet("ResetMark");
}

}  // namespace sluice
