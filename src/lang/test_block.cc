// Connector tests (test_block.h), and the interpreter's part in them:
// a TEST statement in a script, a test's body, and the functions that only
// mean something inside a test.
#include "lang/test_block.h"

#include <cstdlib>

#include "lang/interpreter.h"
#include "net/mock_transport.h"

namespace sluice {

const char* TestVerdictName(TestVerdict verdict) {
  switch (verdict) {
    case TestVerdict::kPass:
      return "PASS";
    case TestVerdict::kFail:
      return "FAIL";
    case TestVerdict::kSkip:
      return "SKIP";
  }
  return "FAIL";
}

Result<std::vector<std::string>> EvaluateTestTags(Interpreter& interpreter, const ast::TestStmt& test) {
  std::vector<std::string> tags;
  if (!test.tags) return tags;
  ASSIGN_OR_RETURN(Value value, interpreter.Evaluate(*test.tags));
  bool all_strings = value.is_array();
  for (const Value& tag : value.is_array() ? value : Value::array()) {
    all_strings = all_strings && tag.is_string();
    if (tag.is_string()) tags.push_back(tag.get<std::string>());
  }
  if (!all_strings) {
    return Status(ErrorKind::kType, "TAGS must be an array of strings, e.g. ['integration', 'slow']")
        .At(test.tags->span.begin);
  }
  return tags;
}

TestOutcome RunConnectorTest(std::unique_ptr<Workspace> isolated, const ast::Statement& statement,
                             std::vector<std::string> tags, OutputSink& output) {
  const auto& test = std::get<ast::TestStmt>(statement.node);
  TestOutcome outcome;
  outcome.type = test.type.text;
  outcome.name = test.test_name.text;
  outcome.tags = std::move(tags);
  auto start = std::chrono::steady_clock::now();
  Status status;
  {
    // The session, its realms and its mock go before the workspace they use.
    Interpreter session(*isolated, output);
    status = session.RunTestBody(test);
  }
  outcome.duration =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  if (status.ok()) return outcome;
  outcome.verdict = status.kind() == ErrorKind::kSkipped ? TestVerdict::kSkip : TestVerdict::kFail;
  status.At(statement.span.begin);
  outcome.problem = std::move(status);
  return outcome;
}

Status Interpreter::RunTestBody(const ast::TestStmt& test) {
  in_test_ = true;
  if (!workspace_.catalog().GetConnectorType(test.type.text).ok()) {
    return Status(ErrorKind::kNotFound, "connector type '" + test.type.text +
                                            "' is not defined; define it before its tests, or in a "
                                            "file beside them")
        .At(test.type.span.begin);
  }
  if (test.mock_api) {
    ASSIGN_OR_RETURN(Value spec, Eval(*test.mock_api));
    Result<std::shared_ptr<MockApi>> api = MockApi::FromSpec(spec);
    if (!api.ok()) return api.TakeStatus().At(test.mock_api->span.begin);
    test_mock_ = std::move(api).value();
    connectors_.set_transport_factory([api = test_mock_] { return std::make_unique<MockTransport>(api); });
  }
  Status status = ExecuteBlock(test.body);
  // A handler may turn the mock's "no entry" into an error of its own (the
  // guide's turns every fetch failure into "Cannot connect"): the request
  // itself is what the author needs to see.
  const RecordedRequest* unmatched = test_mock_ ? test_mock_->FirstUnmatched() : nullptr;
  if (!unmatched) return status;
  std::string message = "unmatched request " + unmatched->request.method + " " + unmatched->path +
                        (unmatched->query.empty() ? "" : "?" + unmatched->query) +
                        "; MOCK_API has: " + test_mock_->DescribeRoutes();
  if (!status.ok() && status.kind() != ErrorKind::kSkipped) {
    message += "; then the test failed: " + status.message();
  }
  return Status(ErrorKind::kNotFound, message);
}

Status Interpreter::ExecuteTest(const ast::TestStmt& test, const ast::Statement& statement) {
  if (in_test_) return Status(ErrorKind::kInvalidArgument, "a TEST block cannot hold another TEST");
  ASSIGN_OR_RETURN(std::vector<std::string> tags, EvaluateTestTags(*this, test));
  // Kept whatever the verdict (PACKAGE re-runs a type's tests and refuses a
  // failing one), in this workspace and before the isolated copy is made,
  // which is thrown away with everything written in it.
  Status recorded = workspace_.packages().PutTest(
      {test.type.text, test.test_name.text, std::string(statement.span.Text()), statement.span.begin.ToString()});
  if (!recorded.ok()) {
    return recorded.WithContext("recording test '" + test.test_name.text + "' of connector type '" +
                                test.type.text + "'");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Workspace> isolated, Workspace::OpenCopy(workspace_));
  TestOutcome outcome = RunConnectorTest(std::move(isolated), statement, std::move(tags), output_);
  std::string line = std::string(TestVerdictName(outcome.verdict)) + "  " + outcome.name;
  switch (outcome.verdict) {
    case TestVerdict::kPass:
      output_.Print(line + " (" + std::to_string(outcome.duration.count() / 1000) + " ms)");
      return Status::Ok();
    case TestVerdict::kSkip:
      output_.Print(line + ": " + outcome.problem.message());
      return Status::Ok();
    case TestVerdict::kFail:
      break;
  }
  const Status& problem = outcome.problem;
  Status failure(problem.kind(), "test '" + outcome.name + "' failed: " + problem.message());
  if (problem.location()) failure.At(*problem.location());
  return failure;
}

std::optional<Result<Value>> Interpreter::SessionFunction(const std::string& name, std::vector<Value>& args) {
  if (name == "MOCK_REQUESTS") {
    if (!args.empty()) return Result<Value>(Status(ErrorKind::kType, "MOCK_REQUESTS() takes no arguments"));
    if (!test_mock_) {
      return Result<Value>(Status(ErrorKind::kInvalidArgument,
                                  in_test_ ? "MOCK_REQUESTS(): this test has no MOCK_API"
                                           : "MOCK_REQUESTS() reads the requests of a test: use it inside "
                                             "TEST CONNECTOR TYPE … MOCK_API {…} BEGIN … END TEST"));
    }
    Value requests = Value::array();
    for (const RecordedRequest& request : test_mock_->requests()) requests.push_back(request.ToValue());
    return Result<Value>(std::move(requests));
  }
  // A test that needs credentials it was not given is skipped, not failed
  // (an integration test on a machine without them).
  if (name == "ENV" && in_test_ && args.size() == 1 && args[0].is_string() &&
      std::getenv(args[0].get<std::string>().c_str()) == nullptr) {
    return Result<Value>(Status(ErrorKind::kSkipped, "ENV('" + args[0].get<std::string>() + "') is not set"));
  }
  return std::nullopt;
}

}  // namespace sluice
