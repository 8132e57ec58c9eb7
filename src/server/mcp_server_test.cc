#include "server/mcp_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "core/secret_masker.h"
#include "server/mcp_tools.h"
#include "server/session.h"
#include "server/sync_jobs.h"

namespace sluice {
namespace {

class McpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_mcp_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    options_.workspace_path = dir_ + "/ws.db";
    writes_options_ = options_;
    writes_options_.allow_writes = true;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs Sluice text on the test workspace (definitions for the tools to see).
  void Define(const std::string& text) {
    auto session = WorkspaceSession::Open(options_);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    auto ran = (*session)->Run(text);
    ASSERT_TRUE(ran.ok()) << ran.status().ToString();
  }

  Value Call(McpServer& server, const std::string& text) {
    std::optional<Value> response = server.HandleText(text);
    EXPECT_TRUE(response.has_value()) << text;
    return response.value_or(Value());
  }
  static Value Request(const Value& id, const std::string& method, Value params = Value::object()) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  }
  static Value ToolCall(int id, const std::string& name, Value arguments = Value::object()) {
    return Request(id, "tools/call", {{"name", name}, {"arguments", std::move(arguments)}});
  }
  static int ErrorCode(const Value& response) {
    return response.contains("error") ? response["error"]["code"].get<int>() : 0;
  }

  std::string dir_;
  ServeOptions options_;
  ServeOptions writes_options_;
};

TEST_F(McpServerTest, InitializeNegotiatesTheProtocolVersion) {
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  for (const std::string version : {"2025-06-18", "2025-03-26", "2024-11-05"}) {
    Value response = *server.Handle(Request(1, "initialize",
                                            {{"protocolVersion", version},
                                             {"capabilities", Value::object()},
                                             {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
    EXPECT_EQ(response["jsonrpc"], "2.0");
    EXPECT_EQ(response["id"], 1);
    EXPECT_EQ(response["result"]["protocolVersion"], version);
  }
  // A revision we do not speak (newer, or made up): our newest.
  for (const std::string version : {"2099-01-01", "2025-11-25", ""}) {
    Value result =
        (*server.Handle(Request("i", "initialize", {{"protocolVersion", version}})))["result"];
    EXPECT_EQ(result["protocolVersion"], "2025-06-18");
    EXPECT_EQ(result["capabilities"], Value::parse(R"({"tools": {"listChanged": false}})"));
    EXPECT_EQ(result["serverInfo"]["name"], "sluice");
    EXPECT_EQ(result["serverInfo"]["version"], SLUICE_VERSION);
    EXPECT_NE(result["instructions"].get<std::string>().find("describe_entity"), std::string::npos);
  }
  EXPECT_EQ(ErrorCode(*server.Handle(Request(2, "initialize", {{"protocolVersion", 7}}))), -32602);
  EXPECT_EQ(ErrorCode(*server.Handle(Request(2, "initialize"))), -32602);
}

TEST_F(McpServerTest, ToolsListHasAnnotationsAndNoWriteToolsWithoutTheFlag) {
  SyncJobs jobs(options_);
  McpServer reader(options_, jobs);
  Value tools = (*reader.Handle(Request(1, "tools/list")))["result"]["tools"];
  std::vector<std::string> names;
  for (const Value& tool : tools) {
    names.push_back(tool["name"]);
    EXPECT_EQ(tool["inputSchema"]["type"], "object") << tool["name"];
    EXPECT_FALSE(tool["description"].get<std::string>().empty());
    // Every hint set: MCP's defaults assume a destructive open-world tool.
    for (const char* hint :
         {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}) {
      EXPECT_TRUE(tool["annotations"][hint].is_boolean()) << tool["name"] << " " << hint;
    }
    EXPECT_TRUE(tool["annotations"]["readOnlyHint"].get<bool>()) << tool["name"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"list_connectors", "describe_entity", "query",
                                             "list_sync_runs"}));
  EXPECT_TRUE(tools[2]["annotations"]["openWorldHint"].get<bool>()) << "a live query calls the API";
  EXPECT_EQ(tools[2]["inputSchema"]["required"], Value::array({"sql"}));

  SyncJobs writer_jobs(writes_options_);
  McpServer writer(writes_options_, writer_jobs);
  Value all = (*writer.Handle(Request(1, "tools/list")))["result"]["tools"];
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[4]["name"], "run_sync");
  EXPECT_EQ(
      all[4]["annotations"],
      Value::parse(R"({"title": "Sync a connector", "readOnlyHint": false, "destructiveHint": true,
                             "idempotentHint": true, "openWorldHint": true})"));
  EXPECT_EQ(all[5]["name"], "run_action");
  EXPECT_EQ(
      all[5]["annotations"],
      Value::parse(
          R"({"title": "Run a connector action", "readOnlyHint": false, "destructiveHint": true,
                             "idempotentHint": false, "openWorldHint": true})"));
}

TEST_F(McpServerTest, WriteToolsAreRefusedWithoutTheFlag) {
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  for (const char* tool : {"run_sync", "run_action"}) {
    Value response = *server.Handle(ToolCall(3, tool, {{"connector", "x"}, {"action", "a"}}));
    EXPECT_EQ(ErrorCode(response), -32602) << tool;
    std::string message = response["error"]["message"];
    EXPECT_NE(message.find("writes are off"), std::string::npos) << message;
    EXPECT_NE(message.find("--allow-writes"), std::string::npos) << message;
    EXPECT_EQ(response["id"], 3);
  }
}

TEST_F(McpServerTest, PingNotificationsAndUnknownMethods) {
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  EXPECT_EQ(Call(server, R"({"jsonrpc":"2.0","id":"p","method":"ping"})"),
            Value::parse(R"({"jsonrpc":"2.0","id":"p","result":{}})"));
  // Notifications, known or not, and responses from the client: no answer.
  EXPECT_FALSE(server.HandleText(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  EXPECT_FALSE(server.HandleText(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})"));
  EXPECT_FALSE(server.HandleText(R"({"jsonrpc":"2.0","method":"no/such/notification"})"));
  EXPECT_FALSE(server.HandleText(R"({"jsonrpc":"2.0","id":9,"result":{}})"));
  Value unknown = Call(server, R"({"jsonrpc":"2.0","id":5,"method":"resources/list"})");
  EXPECT_EQ(ErrorCode(unknown), -32601);
  EXPECT_EQ(unknown["id"], 5);
}

TEST_F(McpServerTest, MalformedMessagesGetJsonRpcErrors) {
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  struct Case {
    std::string text;
    int code;
  };
  const std::vector<Case> cases = {
      {"", -32700},
      {"{", -32700},
      {"not json", -32700},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} trailing", -32700},
      {"\"\xff\xfe\"", -32700},  // not UTF-8
      {std::string(100000, '[') + std::string(100000, ']'), -32700},
      {"{\"a\":" + std::string(70, '[') + std::string(70, ']') + "}", -32700},
      {"42", -32600},
      {"null", -32600},
      {"\"ping\"", -32600},
      {"[]", -32600},
      {R"({"id":1,"method":"ping"})", -32600},
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", -32600},
      {R"({"jsonrpc":2,"id":1,"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":1})", -32600},
      {R"({"jsonrpc":"2.0","id":1,"method":7})", -32600},
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":true,"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":[1],"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})", -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":[]}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":1}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"select 1","max_rows":0}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"select 1","max_rows":"9"}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"select 1","max_rows":18446744073709551615}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query","arguments":{"sql":"select 1","limit":3}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_sync_runs","arguments":{"status":"fine"}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_sync_runs","arguments":{"limit":100000}}})",
       -32602},
      {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"describe_entity","arguments":{"connector":"c"}}})",
       -32602},
  };
  for (const Case& c : cases) {
    std::optional<Value> response = server.HandleText(c.text);
    ASSERT_TRUE(response.has_value()) << c.text.substr(0, 200);
    EXPECT_EQ(ErrorCode(*response), c.code) << c.text.substr(0, 200) << " → " << response->dump();
    EXPECT_EQ((*response)["jsonrpc"], "2.0");
    EXPECT_TRUE((*response)["error"]["message"].is_string());
  }
}

TEST_F(McpServerTest, IdsAreEchoedExactly) {
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  for (const std::string id :
       {"0", "-1", "9223372036854775807", "18446744073709551615", "\"\"", "\"é\\u0000x\""}) {
    Value response = Call(server, R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"ping"})");
    EXPECT_EQ(response["id"], Value::parse(id)) << id;
    EXPECT_EQ(response["id"].dump(), Value::parse(id).dump()) << id;
  }
}

TEST_F(McpServerTest, BatchesAnswerTheirRequestsInOrder) {
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  Value answer = Call(server, R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                                  {"jsonrpc":"2.0","method":"notifications/initialized"},
                                  7,
                                  [{"jsonrpc":"2.0","id":3,"method":"ping"}],
                                  {"jsonrpc":"2.0","id":"b","method":"nope"}])");
  ASSERT_TRUE(answer.is_array());
  ASSERT_EQ(answer.size(), 4u) << answer.dump();
  EXPECT_EQ(answer[0]["id"], 1);
  EXPECT_EQ(answer[1]["error"]["code"], -32600);
  EXPECT_EQ(answer[2]["error"]["code"], -32600);
  EXPECT_EQ(answer[3]["error"]["code"], -32601);
  EXPECT_EQ(answer[3]["id"], "b");
  // Only notifications: nothing to answer.
  EXPECT_FALSE(
      server.HandleText(R"([{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}])"));
  std::string huge = "[";
  for (int i = 0; i < 1001; ++i)
    huge += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  EXPECT_EQ(ErrorCode(Call(server, huge + "]")), -32600);
}

TEST_F(McpServerTest, ToolFailuresAreResultsWithIsError) {
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  Value response =
      *server.Handle(ToolCall(4, "describe_entity", {{"connector", "nope"}, {"entity", "items"}}));
  ASSERT_TRUE(response.contains("result")) << response.dump();
  Value result = response["result"];
  EXPECT_TRUE(result["isError"].get<bool>());
  ASSERT_EQ(result["content"].size(), 1u);
  EXPECT_EQ(result["content"][0]["type"], "text");
  Value error = Value::parse(result["content"][0]["text"].get<std::string>());
  EXPECT_EQ(error, result["structuredContent"]);
  EXPECT_EQ(error["error"]["kind"], "not_found") << error.dump();
  EXPECT_NE(error["error"]["message"].get<std::string>().find("nope"), std::string::npos)
      << error.dump();
}

TEST_F(McpServerTest, QueryAnswersStopAtTheAnswerCap) {
  Define("SELECT 1;");  // makes the workspace file
  options_.max_response_bytes = 4096;
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  // 100 rows of about 200 bytes: over 4 KiB after about 20 of them.
  Value response = *server.Handle(ToolCall(
      5, "query",
      {{"sql", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
               "SELECT i, printf('%.200c', 'x') AS pad FROM n"}}));
  ASSERT_TRUE(response.contains("result")) << response.dump();
  const Value& answer = response["result"]["structuredContent"];
  EXPECT_TRUE(answer["truncated"].get<bool>()) << answer.dump();
  EXPECT_GT(answer["rows"].size(), 5u);
  EXPECT_LT(answer["rows"].size(), 30u);
  EXPECT_NE(answer.value("truncated_reason", "").find("--max-response-bytes"), std::string::npos);
}

TEST_F(McpServerTest, ListAndDescribeSeeTheWorkspace) {
  Define(R"(CREATE CONNECTOR TYPE 'svc' VERSION '1.2.0' CONFIG_SCHEMA {"url": {"type": "string"}};
            CREATE CONNECTOR ENTITY 'svc.things' FIELDS {"id": {"type": "string", "primary_key": true,
              "filterable": true}, "n": {"type": "integer"}} CURSOR 'n'
              QUERY_HANDLER '''async function query() { return []; }''';
            REGISTER CONNECTOR TYPE 'svc';
            CREATE CONNECTOR one TYPE 'svc' CONFIG {"url": "http://127.0.0.1:9"};)");
  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  Value listed = (*server.Handle(ToolCall(1, "list_connectors")))["result"];
  Value null_arguments = *server.Handle(ToolCall(1, "list_connectors", nullptr));
  EXPECT_EQ(null_arguments["result"], listed) << null_arguments.dump();
  ASSERT_FALSE(listed["isError"].get<bool>()) << listed.dump();
  EXPECT_EQ(listed["structuredContent"]["connectors"][0]["name"], "one") << listed.dump();
  EXPECT_EQ(Value::parse(listed["content"][0]["text"].get<std::string>()),
            listed["structuredContent"]);

  Value described = (*server.Handle(
      ToolCall(2, "describe_entity", {{"connector", "one"}, {"entity", "things"}})))["result"];
  ASSERT_FALSE(described["isError"].get<bool>()) << described.dump();
  EXPECT_EQ(described["structuredContent"]["cursor"], "n") << described.dump();
  EXPECT_EQ(described["structuredContent"]["fields"][0]["name"], "id") << described.dump();

  Value runs = (*server.Handle(
      ToolCall(3, "list_sync_runs", {{"connector", "one"}, {"limit", 5}})))["result"];
  ASSERT_FALSE(runs["isError"].get<bool>()) << runs.dump();
  EXPECT_EQ(runs["structuredContent"]["runs"], Value::array()) << runs.dump();
}

TEST_F(McpServerTest, SecretsAreMaskedInResultsAndErrors) {
  const std::string secret = "mcp-test-secret-7f3a91";
  SecretMasker::Global().Add(secret);
  SecretMasker::Global().Add("987654321012");
  Value masked =
      MaskSecretsIn(Value{{"text", "key=" + secret}, {secret, 1}, {"n", 987654321012}, {"ok", 5}});
  EXPECT_EQ(masked.dump().find(secret), std::string::npos) << masked.dump();
  EXPECT_EQ(masked["text"], "key=***");
  EXPECT_EQ(masked["n"], "***");
  EXPECT_EQ(masked["ok"], 5);

  SyncJobs jobs(options_);
  McpServer server(options_, jobs);
  Value response =
      *server.Handle(ToolCall(1, "describe_entity", {{"connector", secret}, {"entity", "x"}}));
  EXPECT_EQ(response.dump().find(secret), std::string::npos) << response.dump();
  Value refused = *server.Handle(ToolCall(2, "no_tool_" + secret));
  EXPECT_EQ(refused.dump().find(secret), std::string::npos) << refused.dump();
  SecretMasker::Global().Clear();
}

TEST_F(McpServerTest, DeepResultsAreCutNotRecursedWithoutBound) {
  Value deep = "leaf";
  for (int i = 0; i < 5000; ++i) deep = Value::array({std::move(deep)});
  Value masked = MaskSecretsIn(deep);
  int depth = 0;
  const Value* at = &masked;
  while (at->is_array()) {
    at = &(*at)[0];
    ++depth;
  }
  EXPECT_LT(depth, 300);
  EXPECT_TRUE(at->is_string());
  // Leaving the deep value to its destructor: nlohmann's is iterative.
}

}  // namespace
}  // namespace sluice
