// The JavaScript runtime without HTTP: values, handler loading and state,
// results as streams, errors, and the time and memory limits. HTTP is tested
// against a real server in tests/sql/js_*.sql.
#include "js/js_realm.h"

#include <gtest/gtest.h>

#include "net/http.h"
#include "net/no_network.h"

namespace sluice::js {
namespace {

constexpr auto kSecond = std::chrono::milliseconds(1000);

class JsRealmTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(RuntimeOptions{}); }

  void Start(RuntimeOptions options) {
    // One context per thread: the old one goes before the new one comes.
    realm_.reset();
    runtime_.reset();
    auto runtime = JsRuntime::Create(options);
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    runtime_ = std::move(runtime).value();
    RealmOptions realm_options;
    realm_options.transport = std::make_unique<NoNetwork>();
    realm_options.console = [this](std::string_view level, std::string_view text) {
      console_.push_back(std::string(level) + ": " + std::string(text));
    };
    auto realm = JsRealm::Create(*runtime_, std::move(realm_options));
    ASSERT_TRUE(realm.ok()) << realm.status().ToString();
    realm_ = std::move(realm).value();
  }

  void TearDown() override {
    realm_.reset();
    runtime_.reset();
  }

  Value Eval(const std::string& code) {
    Result<Value> result = realm_->Evaluate(code, kSecond * 5);
    EXPECT_TRUE(result.ok()) << code << ": " << result.status().ToString();
    return result.ok() ? *result : Value("<error>");
  }

  JsRealm::HandlerId Load(const std::string& code, const std::string& file = "handler.js") {
    HandlerSource source{code, file, 1, 1};
    Result<JsRealm::HandlerId> id = realm_->LoadHandler(source);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::unique_ptr<JsRuntime> runtime_;
  std::unique_ptr<JsRealm> realm_;
  std::vector<std::string> console_;
};

TEST_F(JsRealmTest, ConvertsValuesToTheEngine) {
  EXPECT_EQ(Eval("42"), Value(42));
  EXPECT_TRUE(Eval("2.5").is_number_float());
  EXPECT_EQ(Eval("'é ✓'"), Value("é ✓"));
  EXPECT_EQ(Eval("'a' + String.fromCharCode(0) + 'b'"), Value(std::string("a\0b", 3))) << "a NUL does not end a string";
  EXPECT_EQ(Eval("({['k' + String.fromCharCode(0)]: 1})"), Value::object({{std::string("k\0", 2), 1}}));
  EXPECT_EQ(Eval("'\\ud800'"), Value("\xef\xbf\xbd")) << "a lone surrogate becomes U+FFFD";
  EXPECT_EQ(Eval("({a: 1, b: [true, null, 'x'], c: {d: 1.5}})"),
            Value::parse(R"({"a":1,"b":[true,null,"x"],"c":{"d":1.5}})"));
  // JSON.stringify's rules: undefined and functions dropped from objects,
  // null in arrays; NaN becomes null.
  EXPECT_EQ(Eval("({u: undefined, f() {}, k: 1})"), Value::parse(R"({"k":1})"));
  EXPECT_EQ(Eval("[undefined, NaN, Infinity]"), Value::parse("[null,null,null]"));
  EXPECT_EQ(Eval("new Date(Date.UTC(2026, 10, 21, 12, 30, 0, 250))"), Value("2026-11-21T12:30:00.25Z"));
  // Not null: a timestamp field must be able to refuse it by name.
  EXPECT_EQ(Eval("new Date(NaN)"), Value("Invalid Date"));
  EXPECT_EQ(Eval("12345678901234567890n"), Value("12345678901234567890"));
  EXPECT_EQ(Eval("-42n"), Value(-42));
  EXPECT_EQ(Eval("2 ** 53"), Value(int64_t{9007199254740992}));
  EXPECT_TRUE(Eval("2 ** 60").is_number_float());
}

TEST_F(JsRealmTest, CyclesAndDeepNestingAreErrorsNotCrashes) {
  Result<Value> cyclic = realm_->Evaluate("const o = {}; o.self = o; o", kSecond);
  ASSERT_FALSE(cyclic.ok());
  EXPECT_NE(cyclic.status().message().find("cycle"), std::string::npos);
  Result<Value> deep = realm_->Evaluate("let d = 1; for (let i = 0; i < 500; i++) d = [d]; d", kSecond);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("deeper"), std::string::npos);
  // A repeated (not cyclic) object is fine.
  EXPECT_EQ(Eval("const s = {x: 1}; [s, s]"), Value::parse(R"([{"x":1},{"x":1}])"));
}

TEST_F(JsRealmTest, HandlerStateLivesAcrossCallsAndHandlersAreSeparate) {
  JsRealm::HandlerId counter = Load("let n = 0; async function execute() { n += 1; return n; }");
  JsRealm::HandlerId other = Load("let n = 100; async function execute(config, params) { return n + params.add; }");
  EXPECT_EQ(*realm_->Call(counter, "execute", {Value(), Value()}, kSecond), Value(1));
  EXPECT_EQ(*realm_->Call(counter, "execute", {Value(), Value()}, kSecond), Value(2));
  EXPECT_EQ(*realm_->Call(other, "execute", {Value(), Value{{"add", 5}}}, kSecond), Value(105));
  EXPECT_EQ(*realm_->Call(counter, "execute", {Value(), Value()}, kSecond), Value(3));
  EXPECT_TRUE(realm_->HasFunction(counter, "execute"));
  EXPECT_FALSE(realm_->HasFunction(counter, "query"));
}

TEST_F(JsRealmTest, SyntaxErrorsNameFileLineAndColumn) {
  HandlerSource source{"\nfunction execute() {\n  return (1 + ;\n}\n", "create.js", 10, 1};
  Result<JsRealm::HandlerId> id = realm_->LoadHandler(source);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().message().rfind("create.js:12:15: SyntaxError", 0), 0u) << id.status().message();
}

TEST_F(JsRealmTest, ThrownErrorsCarryTheirStack) {
  JsRealm::HandlerId id = Load("function inner() { throw new TypeError('bad thing'); }\n"
                               "async function execute() { inner(); }");
  Result<Value> result = realm_->Call(id, "execute", {}, kSecond);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().kind(), ErrorKind::kConnector);
  const std::string& message = result.status().message();
  EXPECT_EQ(message.rfind("TypeError: bad thing", 0), 0u) << message;
  EXPECT_NE(message.find("at inner (handler.js:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("at execute (handler.js:2:"), std::string::npos) << message;
}

TEST_F(JsRealmTest, ResultsStreamAndStopEarly) {
  // Rows are pulled: a page is fetched only when the consumer needs its
  // rows, and the generator's finally runs when the consumer stops.
  JsRealm::HandlerId id = Load(R"(
    globalThis.pages = 0; globalThis.closed = false;
    async function* query() {
      try {
        for (let page = 0; page < 100; page++) {
          globalThis.pages++;
          yield [{id: page * 2}, {id: page * 2 + 1}];
        }
      } finally { globalThis.closed = true; }
    })");
  std::vector<Value> rows;
  Status status = realm_->CallForRows(id, "query", {}, kSecond, [&](Value row) {
    rows.push_back(std::move(row));
    return rows.size() < 3;
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2], Value::parse(R"({"id":2})"));  // a yielded page is a page of rows
  EXPECT_EQ(Eval("globalThis.pages"), Value(2));
  EXPECT_EQ(Eval("globalThis.closed"), Value(true));

  JsRealm::HandlerId array = Load("async function query() { return [{a: 1}, {a: 2}]; }");
  rows.clear();
  ASSERT_TRUE(realm_->CallForRows(array, "query", {}, kSecond, [&](Value row) {
                      rows.push_back(std::move(row));
                      return true;
                    }).ok());
  EXPECT_EQ(rows.size(), 2u);
}

TEST_F(JsRealmTest, RowsCanBeReadAsTheirFieldsOnly) {
  // With fields, a row is converted to those properties, in that order; a
  // property left undefined is left out, the rest are never read (a getter
  // that throws is not called), and what is not a row object passes whole.
  JsRealm::HandlerId id = Load(R"(
    async function* query() {
      yield [{b: 'é', a: 1, big: {nested: [1, 2]}, get boom() { throw new Error('read'); }},
             {a: 2.5, when: new Date(0)}, 'not a row'];
    })");
  std::vector<std::string> fields = {"a", "b", "when", "big"};
  auto stream = realm_->StartRows(id, "query", {}, kSecond, &fields).value();
  auto first = stream->Next();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((**first)["a"], Value(1));
  EXPECT_EQ((**first)["b"], Value("é"));
  // Objects and arrays come as their JSON text (a binary Value), which is
  // what a document field stores.
  ASSERT_TRUE((**first)["big"].is_binary());
  const auto& json = (**first)["big"].get_binary();
  EXPECT_EQ(std::string(json.begin(), json.end()), R"({"nested":[1,2]})");
  EXPECT_EQ((**first).size(), 3u);
  EXPECT_EQ(stream->Next().value()->dump(), R"({"a":2.5,"when":"1970-01-01T00:00:00Z"})");
  EXPECT_EQ(*stream->Next().value(), Value("not a row"));
  EXPECT_FALSE(stream->Next().value().has_value());
}

TEST_F(JsRealmTest, TwoStreamsOfOneRealmInterleave) {
  JsRealm::HandlerId id = Load(R"(
    async function* query(config, filters) {
      for (let i = 0; i < 3; i++) { await new Promise(r => setTimeout(r, 1)); yield {tag: filters.tag, i}; }
    })");
  auto a = realm_->StartRows(id, "query", {Value(), Value{{"tag", "a"}}}, kSecond).value();
  auto b = realm_->StartRows(id, "query", {Value(), Value{{"tag", "b"}}}, kSecond).value();
  std::string order;
  for (int i = 0; i < 3; ++i) {
    order += (*a->Next().value())["tag"].get<std::string>();
    order += (*b->Next().value())["tag"].get<std::string>();
  }
  EXPECT_EQ(order, "ababab");
  EXPECT_FALSE(a->Next().value().has_value());
  EXPECT_FALSE(b->Next().value().has_value());
}

TEST_F(JsRealmTest, AStreamReportsTheHandlersError) {
  JsRealm::HandlerId id = Load(R"(
    async function* query() { yield {ok: 1}; throw new ConnectorAuthError('key revoked'); })");
  auto stream = realm_->StartRows(id, "query", {}, kSecond).value();
  EXPECT_TRUE(stream->Next().value().has_value());
  Result<std::optional<Value>> failed = stream->Next();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().kind(), ErrorKind::kAuth);
}

// Issue 13: a handler that fails before returning never gets a result
// reader; dropping its stream must not touch one (it crashed the process).
TEST_F(JsRealmTest, AHandlerFailingBeforeItsFirstAwaitIsAnError) {
  JsRealm::HandlerId throws = Load("function query() {\n  throw new Error('early');\n}");
  auto thrown = realm_->StartRows(throws, "query", {}, kSecond);
  ASSERT_FALSE(thrown.ok());
  EXPECT_NE(thrown.status().message().find("Error: early"), std::string::npos)
      << thrown.status().message();
  EXPECT_NE(thrown.status().message().find("handler.js:2:"), std::string::npos)
      << thrown.status().message();
  JsRealm::HandlerId type_error = Load("function query(config) { return config.missing.x; }");
  auto typed = realm_->StartRows(type_error, "query", {Value::object()}, kSecond);
  ASSERT_FALSE(typed.ok());
  EXPECT_NE(typed.status().message().find("TypeError"), std::string::npos)
      << typed.status().message();
  JsRealm::HandlerId spins = Load("function query() { for (;;) {} }");
  auto spun = realm_->StartRows(spins, "query", {}, std::chrono::milliseconds(200));
  ASSERT_FALSE(spun.ok());
  EXPECT_EQ(spun.status().kind(), ErrorKind::kTimeout) << spun.status().ToString();
  // The realm goes on.
  JsRealm::HandlerId fine = Load("function query() { return [{a: 1}]; }");
  size_t rows = 0;
  ASSERT_TRUE(
      realm_->CallForRows(fine, "query", {}, kSecond, [&](Value) { return ++rows > 0; }).ok());
  EXPECT_EQ(rows, 1u);
}

TEST_F(JsRealmTest, AResultThatIsNotRowsIsRefusedSayingWhatCameBack) {
  const std::string tail = "; expected an array of rows, a promise of one, or an async iterable";
  const std::pair<const char*, std::string> cases[] = {
      {"async function query() { return; }", "query() returned undefined"},
      {"function query() { return null; }", "query() returned null"},
      {"async function query() { return {error: 'unauthorized'}; }",
       "query() returned an object with keys error (one object, not an array of rows)"},
      {"function query() { return 7; }", "query() returned the number 7"},
      {"function query() { return 'abc'; }", "query() returned a string \"abc\""},
  };
  for (const auto& [code, what] : cases) {
    JsRealm::HandlerId id = Load(code);
    Status status = realm_->CallForRows(id, "query", {}, kSecond, [](Value) { return true; });
    ASSERT_FALSE(status.ok()) << code;
    EXPECT_EQ(status.message(), "TypeError: " + what + tail) << code;
  }
  JsRealm::HandlerId empty = Load("async function query() { return []; }");
  EXPECT_TRUE(realm_->CallForRows(empty, "query", {}, kSecond, [](Value) { return true; }).ok());
}

TEST_F(JsRealmTest, FieldsNamedBeyondAsciiAreRead) {
  JsRealm::HandlerId id =
      Load(R"(function query() { return [{"名前": "太郎", "café": "crème", "0": "zero"}]; })");
  std::vector<std::string> fields = {"名前", "café", "0"};
  auto stream = realm_->StartRows(id, "query", {}, kSecond, &fields).value();
  EXPECT_EQ(stream->Next().value()->dump(), R"({"名前":"太郎","café":"crème","0":"zero"})");
}

TEST_F(JsRealmTest, BigIntsAreExactAtAnyDepth) {
  EXPECT_EQ(
      Eval("({a: 12n, b: [2n ** 64n, -3n], c: {d: 9007199254740993n, e: 9007199254740992n}})"),
      Value::parse(
          R"({"a":12,"b":["18446744073709551616",-3],"c":{"d":"9007199254740993","e":9007199254740992}})"));
  JsRealm::HandlerId id = Load("function query() { return [{doc: {n: 5n, big: 2n ** 70n}}]; }");
  std::vector<std::string> fields = {"doc"};
  auto stream = realm_->StartRows(id, "query", {}, kSecond, &fields);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  auto row = (*stream)->Next();
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ((**row)["doc"], Value::parse(R"({"n":5,"big":"1180591620717411303424"})"));
}

TEST_F(JsRealmTest, HugeErrorMessagesAreCut) {
  JsRealm::HandlerId id = Load("function execute() { throw new Error('é'.repeat(3000000)); }");
  Result<Value> result = realm_->Call(id, "execute", {}, kSecond * 5);
  ASSERT_FALSE(result.ok());
  const std::string& message = result.status().message();
  EXPECT_LT(message.size(), 5000u);
  // 6,000,000 bytes of "é"; 4,096 kept, at a character boundary.
  EXPECT_NE(message.find("… (5995904 more bytes cut)"), std::string::npos)
      << message.substr(0, 100);
}

TEST_F(JsRealmTest, InfiniteLoopHitsTheTimeLimitAndTheRealmGoesOn) {
  JsRealm::HandlerId spin = Load("let calls = 0; function execute() { calls++; while (true) {} }");
  Result<Value> result = realm_->Call(spin, "execute", {}, std::chrono::milliseconds(200));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().kind(), ErrorKind::kTimeout);
  EXPECT_NE(result.status().message().find("time limit"), std::string::npos);
  JsRealm::HandlerId fine = Load("async function execute() { return 'still here'; }");
  EXPECT_EQ(*realm_->Call(fine, "execute", {}, kSecond), Value("still here"));
}

TEST_F(JsRealmTest, RunawayAllocationHitsTheMemoryLimitAndTheRealmGoesOn) {
  RuntimeOptions small;
  small.heap_limit_bytes = 64u << 20;
  Start(small);
  JsRealm::HandlerId hog = Load("function execute() { const a = []; while (true) a.push(new Array(1e5).fill(7)); }");
  Result<Value> result = realm_->Call(hog, "execute", {}, kSecond * 30);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("memory limit (64 MiB)"), std::string::npos)
      << result.status().message();
  JsRealm::HandlerId fine = Load("async function execute() { return [1, 2, 3].length; }");
  EXPECT_EQ(*realm_->Call(fine, "execute", {}, kSecond), Value(3));
  // The same in a query handler's synchronous part, before any stream
  // exists (issue 13: this crashed the process).
  JsRealm::HandlerId query_hog =
      Load("function query() { const a = []; while (true) a.push(new Array(1e5).fill(7)); }");
  auto stream = realm_->StartRows(query_hog, "query", {}, kSecond * 30);
  ASSERT_FALSE(stream.ok());
  EXPECT_NE(stream.status().message().find("memory limit (64 MiB)"), std::string::npos)
      << stream.status().message();
  EXPECT_EQ(*realm_->Call(fine, "execute", {}, kSecond), Value(3));
}

TEST_F(JsRealmTest, APromiseNothingCanSettleIsReported) {
  JsRealm::HandlerId id = Load("async function execute() { await new Promise(() => {}); }");
  Result<Value> result = realm_->Call(id, "execute", {}, kSecond);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("can never settle"), std::string::npos);
}

TEST_F(JsRealmTest, MissingFunctionIsNamed) {
  JsRealm::HandlerId id = Load("const notAFunction = 1;");
  Result<Value> result = realm_->Call(id, "query", {}, kSecond);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("no function query()"), std::string::npos);
}

TEST_F(JsRealmTest, HandlersCannotReachTheNativesOrTheHost) {
  EXPECT_EQ(Eval("typeof __native"), Value("undefined"));
  EXPECT_EQ(Eval("typeof require"), Value("undefined"));
  EXPECT_EQ(Eval("typeof process"), Value("undefined"));
  EXPECT_EQ(Eval("typeof os"), Value("undefined"));
  Result<Value> import = realm_->Evaluate("import('fs')", kSecond);
  EXPECT_FALSE(import.ok());
}

TEST_F(JsRealmTest, ConvertsManyRowsExactly) {
  JsRealm::HandlerId id = Load(R"(
    async function query() {
      const rows = new Array(100000);
      for (let i = 0; i < rows.length; i++) {
        rows[i] = {id: i, name: 'row ' + i, score: i / 4, active: i % 2 === 0, at: new Date(i * 1000)};
      }
      return rows;
    })");
  int64_t count = 0;
  Value last;
  ASSERT_TRUE(realm_->CallForRows(id, "query", {}, kSecond * 30, [&](Value row) {
                      ++count;
                      last = std::move(row);
                      return true;
                    }).ok());
  EXPECT_EQ(count, 100000);
  EXPECT_EQ(last, Value::parse(R"({"id":99999,"name":"row 99999","score":24999.75,"active":false,)"
                               R"("at":"1970-01-02T03:46:39Z"})"));
}

TEST_F(JsRealmTest, PushedRowsLeaveAsTheHandlerMakesThem) {
  // A generator that never awaits: with PushTo, each row reaches the
  // consumer while the generator is still running (it records how many
  // rows it had made when the consumer saw each).
  JsRealm::HandlerId id = Load(R"(
    globalThis.made = 0;
    function* query() { for (let i = 0; i < 1000; i++) { globalThis.made++; yield {id: i}; } })");
  auto stream = realm_->StartRows(id, "query", {}, kSecond).value();
  std::vector<int64_t> ids;
  stream->PushTo([&](Value row) {
    ids.push_back(row["id"].get<int64_t>());
    return Status::Ok();
  });
  auto end = stream->Next();
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_FALSE(end->has_value()) << "every row was pushed: Next() says only the end";
  ASSERT_EQ(ids.size(), 1000u);
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(ids[i], i) << "in order";
}

TEST_F(JsRealmTest, AConsumersErrorStopsTheHandler) {
  JsRealm::HandlerId id = Load(R"(
    globalThis.made = 0; globalThis.closed = false;
    function* query() {
      try { for (let i = 0; i < 1000000; i++) { globalThis.made++; yield [{id: i}]; } }
      finally { globalThis.closed = true; }
    })");
  auto stream = realm_->StartRows(id, "query", {}, kSecond * 5).value();
  int taken = 0;
  stream->PushTo([&](Value) {
    if (++taken == 5) return Status(ErrorKind::kDestination, "the destination refused row 5");
    return Status::Ok();
  });
  auto end = stream->Next();
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.status().message(), "the destination refused row 5");
  EXPECT_EQ(taken, 5);
  EXPECT_EQ(Eval("globalThis.made"), Value(5)) << "the generator made no row after the refused one";
  EXPECT_EQ(Eval("globalThis.closed"), Value(true)) << "and was closed";
}

TEST_F(JsRealmTest, RowsPushedAreProgressForTheTimeLimit) {
  // A row every 20 ms for 600 ms under a 200 ms limit: not stopped, since
  // each row handed on restarts the limit; then 600 ms with no row is.
  JsRealm::HandlerId id = Load(R"(
    const spin = (ms) => { const until = Date.now() + ms; while (Date.now() < until); };
    function* query(config) {
      for (let i = 0; i < 30; i++) { spin(20); yield {id: i}; }
      if (config.idle) spin(600);
    })");
  for (bool idle : {false, true}) {
    auto stream = realm_->StartRows(id, "query", {Value{{"idle", idle}}}, std::chrono::milliseconds(200)).value();
    int taken = 0;
    stream->PushTo([&](Value) {
      ++taken;
      return Status::Ok();
    });
    auto end = stream->Next();
    EXPECT_EQ(taken, 30);
    if (!idle) {
      EXPECT_TRUE(end.ok()) << end.status().ToString();
    } else {
      ASSERT_FALSE(end.ok()) << "a loop that makes no row for longer than the limit is stopped";
      EXPECT_EQ(end.status().kind(), ErrorKind::kTimeout) << end.status().ToString();
    }
  }
  // Without PushTo the rows are pulled, each Next() under the limit of its own.
  auto pulled = realm_->StartRows(id, "query", {Value{{"idle", false}}}, std::chrono::milliseconds(200)).value();
  auto first = pulled->Next();
  EXPECT_FALSE(first.ok()) << "a sync generator runs whole within one Next(): 600 ms under a 200 ms limit";
}

}  // namespace
}  // namespace sluice::js
