// Connector tests: running one `TEST CONNECTOR TYPE 'x' NAME '…' [TAGS […]]
// [MOCK_API {…}] BEGIN … END TEST` block in isolation.
//
// A test runs in a private copy of the workspace that holds the definitions
// it tests (Workspace::OpenCopy), with an interpreter, variables and
// connector realms of its own: the connectors, secrets and variables it
// creates vanish with it, and two tests never see each other's state, even
// when they run at once on different threads. With MOCK_API, every HTTP
// request of every connector the test creates is answered from the table
// (net/mock_transport.h); MOCK_REQUESTS() returns what was sent, and a
// request no entry matches fails the test, naming the request and the
// entries. ENV('NAME') of a variable that is not set skips the test.
//
// Used by the interpreter for a TEST statement in a script, and by the
// `sluice test` runner (src/testing), which runs many at once.
//
// Thread-safety: RunConnectorTest may run on any thread, one test per
// thread at a time; each thread gets its own JavaScript runtime.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "catalog/workspace.h"
#include "core/status.h"
#include "lang/ast.h"
#include "lang/result.h"

namespace sluice {

class Interpreter;

enum class TestVerdict { kPass, kFail, kSkip };

struct TestOutcome {
  std::string type;  // the connector type under test
  std::string name;
  std::vector<std::string> tags;
  TestVerdict verdict = TestVerdict::kPass;
  Status problem;  // why it failed (positioned, renderable) or was skipped
  std::chrono::microseconds duration{0};
};

// "PASS", "FAIL", "SKIP".
const char* TestVerdictName(TestVerdict verdict);

// A TEST statement's TAGS, evaluated by `interpreter`: an array of strings.
Result<std::vector<std::string>> EvaluateTestTags(Interpreter& interpreter, const ast::TestStmt& test);

// Runs the test `statement` (a TestStmt) in `isolated`, writing what it
// prints to `output`. Never fails as a call: every problem is in the outcome.
TestOutcome RunConnectorTest(std::unique_ptr<Workspace> isolated, const ast::Statement& statement,
                             std::vector<std::string> tags, OutputSink& output);

}  // namespace sluice
