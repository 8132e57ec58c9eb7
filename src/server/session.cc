#include "server/session.h"

#include "lang/parser.h"

namespace sluice {

// Collects what statements emit; the session hands it out as StatementOutput.
class WorkspaceSession::Sink : public OutputSink {
 public:
  void Emit(const ResultSet& result) override { output.results.push_back(result); }
  void Print(const std::string& line) override { output.printed.push_back(line); }
  void Log(const std::string& line) override { output.printed.push_back(line); }
  void SyncProgress(const SyncProgressEvent& event) override {
    output.progress.push_back(event);
    if (on_progress) on_progress(event);
  }

  StatementOutput output;
  std::function<void(const SyncProgressEvent&)> on_progress;
};

WorkspaceSession::~WorkspaceSession() {
  // The interpreter borrows the workspace and the sink.
  interpreter_.reset();
}

Result<std::unique_ptr<WorkspaceSession>> WorkspaceSession::Open(const ServeOptions& options) {
  std::unique_ptr<WorkspaceSession> session(new WorkspaceSession());
  ASSIGN_OR_RETURN(session->workspace_, Workspace::Open(options.workspace_path));
  session->sink_ = std::make_unique<Sink>();
  session->interpreter_ = std::make_unique<Interpreter>(*session->workspace_, *session->sink_);
  return session;
}

Result<StatementOutput> WorkspaceSession::Run(std::string_view text,
                                              const std::function<void(const SyncProgressEvent&)>& progress) {
  sink_->output = StatementOutput();
  sink_->on_progress = progress;
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"<request>", std::string(text)}));
  if (!parsed.ok()) return parsed.errors.front();
  for (const ast::Statement& statement : parsed.program.statements) {
    Status status = interpreter_->Execute(statement);
    if (!status.ok()) {
      sink_->on_progress = nullptr;
      return status;
    }
  }
  sink_->on_progress = nullptr;
  return std::move(sink_->output);
}

Result<QueryOutcome> WorkspaceSession::StreamQuery(std::string_view, const QueryLimits&, QueryConsumer&) {
  return Status(ErrorKind::kNotImplemented, "WorkspaceSession::StreamQuery");
}

Result<Value> WorkspaceSession::ExplainQuery(std::string_view) {
  return Status(ErrorKind::kNotImplemented, "WorkspaceSession::ExplainQuery");
}

}  // namespace sluice
