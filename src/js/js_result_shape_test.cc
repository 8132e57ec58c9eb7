// Results whose shape was misread: a query generator that returns its rows
// instead of yielding them (read as no rows, so a full sync deleted every row
// it had synced), and an action result with no JSON form (printed as {}).
#include <gtest/gtest.h>

#include "js/js_realm.h"
#include "net/no_network.h"

namespace sluice::js {
namespace {

constexpr auto kSecond = std::chrono::milliseconds(1000);

class ResultShapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = JsRuntime::Create(RuntimeOptions{});
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    runtime_ = std::move(runtime).value();
    RealmOptions options;
    options.transport = std::make_unique<NoNetwork>();
    options.console = [this](std::string_view, std::string_view text) { console_.emplace_back(text); };
    auto realm = JsRealm::Create(*runtime_, std::move(options));
    ASSERT_TRUE(realm.ok()) << realm.status().ToString();
    realm_ = std::move(realm).value();
  }
  void TearDown() override {
    realm_.reset();
    runtime_.reset();
  }

  JsRealm::HandlerId Load(const std::string& code) {
    Result<JsRealm::HandlerId> id = realm_->LoadHandler(HandlerSource{code, "handler.js", 1, 1});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  // The rows query() gives, or its error.
  Status Rows(const std::string& code, std::vector<Value>& rows, size_t stop_after = SIZE_MAX) {
    return realm_->CallForRows(Load(code), "query", {}, kSecond, [&](Value row) {
      rows.push_back(std::move(row));
      return rows.size() < stop_after;
    });
  }

  std::unique_ptr<JsRuntime> runtime_;
  std::unique_ptr<JsRealm> realm_;
  std::vector<std::string> console_;
};

TEST_F(ResultShapeTest, AGeneratorThatReturnsItsRowsIsRefused) {
  const std::pair<const char*, std::string> cases[] = {
      {"function query() { return (async function* () { return [{id: 1}]; })(); }",
       "query() returned rows from a generator instead of yielding them (an array of 1)"},
      {"async function* query() { const data = {items: [{id: 1}, {id: 2}]}; return data.items; }",
       "query() returned rows from a generator instead of yielding them (an array of 2)"},
      {"function* query() { return 'done'; }", "query() returned a string \"done\" from a generator"},
      {"async function* query() { yield {id: 1}; return {id: 2}; }",
       "query() returned an object with keys id (one object, not an array of rows) from a generator"},
  };
  for (const auto& [code, what] : cases) {
    std::vector<Value> rows;
    Status status = Rows(code, rows);
    ASSERT_FALSE(status.ok()) << code;
    EXPECT_EQ(status.message().rfind("TypeError: " + what, 0), 0u) << status.message();
  }
}

TEST_F(ResultShapeTest, GeneratorsThatEndPlainlyOrAreStoppedStillWork) {
  std::vector<Value> rows;
  ASSERT_TRUE(Rows("async function* query() { yield {id: 1}; yield [{id: 2}]; return; }", rows).ok());
  EXPECT_EQ(rows.size(), 2u);
  rows.clear();
  ASSERT_TRUE(Rows("function* query() { yield* [{id: 1}, {id: 2}, {id: 3}]; }", rows).ok());
  EXPECT_EQ(rows.size(), 3u);
  // Stopped early: its return() runs (finally), and what it returns then is
  // not a result.
  rows.clear();
  ASSERT_TRUE(Rows("async function* query() { try { for (let i = 0; ; ++i) yield {id: i}; }"
                   " finally { console.log('closed'); } }",
                   rows, 2)
                  .ok());
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(console_, std::vector<std::string>{"closed"});
  // An iterator whose next() gives no result object.
  rows.clear();
  Status bad = Rows("function query() { return {[Symbol.asyncIterator]() { return {next() { return 5; }}; }}; }",
                    rows);
  EXPECT_EQ(bad.message(), "TypeError: query(): its iterator's next() gave the number 5, not a result object");
}

TEST_F(ResultShapeTest, ActionResultsWithoutAJsonFormAreRefused) {
  const std::pair<const char*, std::string> cases[] = {
      {"async function* execute() { throw new Error('x'); }", "it is an async generator (from an async function*)"},
      {"function* execute() {}", "it is a generator (from a function*)"},
      {"function execute() { return new Map([['a', 1]]); }", "it is a Map"},
      {"function execute() { return new Set(); }", "it is a Set"},
      {"function execute() { return {a: [0, new WeakMap()]}; }", "its .a[1] is a WeakMap"},
      {"function execute() { return {u: new Uint8Array(2)}; }", "its .u is a Uint8Array"},
      {"function execute() { return {p: Promise.resolve(1)}; }", "its .p is a Promise (not awaited)"},
      {"function execute() { return [1, 2].values(); }", "it is an Array Iterator"},
      {"function execute() { return /x/; }", "it is a RegExp"},
      {"function execute() { return function () {}; }", "it is a function"},
  };
  for (const auto& [code, what] : cases) {
    Result<Value> result = realm_->Call(Load(code), "execute", {}, kSecond);
    ASSERT_FALSE(result.ok()) << code;
    EXPECT_EQ(result.status().message(), "the value execute() returned: " + what + ", which has no JSON form")
        << code;
  }
  Result<Value> fine = realm_->Call(
      Load("function execute() { return {d: new Date(0), f() {}, u: undefined, list: [1, () => 2, 3n]}; }"),
      "execute", {}, kSecond);
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(fine->dump(), R"({"d":"1970-01-01T00:00:00Z","list":[1,null,3]})");
}

}  // namespace
}  // namespace sluice::js
