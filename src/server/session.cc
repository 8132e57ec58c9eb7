#include "server/session.h"

namespace sluice {

class WorkspaceSession::Sink : public OutputSink {
 public:
  void Emit(const ResultSet&) override {}
  void Print(const std::string&) override {}
  void Log(const std::string&) override {}
};

WorkspaceSession::~WorkspaceSession() = default;

Result<std::unique_ptr<WorkspaceSession>> WorkspaceSession::Open(const ServeOptions&) {
  return Status(ErrorKind::kNotImplemented, "WorkspaceSession::Open");
}

Result<StatementOutput> WorkspaceSession::Run(std::string_view, const std::function<void(const SyncProgressEvent&)>&) {
  return Status(ErrorKind::kNotImplemented, "WorkspaceSession::Run");
}

Result<QueryOutcome> WorkspaceSession::StreamQuery(std::string_view, const QueryLimits&, QueryConsumer&) {
  return Status(ErrorKind::kNotImplemented, "WorkspaceSession::StreamQuery");
}

Result<Value> WorkspaceSession::ExplainQuery(std::string_view) {
  return Status(ErrorKind::kNotImplemented, "WorkspaceSession::ExplainQuery");
}

}  // namespace sluice
