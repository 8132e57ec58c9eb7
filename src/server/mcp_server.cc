#include "server/mcp_server.h"

#include <algorithm>
#include <exception>

#include "core/json_depth.h"
#include "core/secret_masker.h"
#include "server/mcp_tools.h"

namespace sluice {
namespace {

// JSON-RPC 2.0's codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

constexpr int kMaxJsonDepth = 64;
// A batch answers one response per request; a bound keeps one message from
// holding a worker for ever.
constexpr size_t kMaxBatch = 1000;

constexpr const char* kInstructions =
    "Sluice turns APIs into SQL. Each connector (an instance of a connector type, with its "
    "credentials) exposes entities; an entity is a live table named <connector>.<entity>, read "
    "from the API when queried, and a sync copies it into the workspace as the table "
    "<connector>_<entity>. Start with list_connectors, then describe_entity to see an entity's "
    "fields and which filters it pushes down to the API. Query with `query` (one read-only SQLite "
    "SELECT): put pushed-down filters in WHERE and use LIMIT, since live rows cost API calls; the "
    "answer's explain shows what the API was asked. list_sync_runs shows the sync history. Secrets "
    "are never shown (***).";

Value ErrorResponse(const Value& id, int code, const std::string& message) {
  Value error = Value::object();
  error["code"] = code;
  error["message"] = SecretMasker::Global().Mask(message);
  Value response = Value::object();
  response["jsonrpc"] = "2.0";
  response["id"] = id;
  response["error"] = std::move(error);
  return response;
}

Value ResultResponse(const Value& id, Value result) {
  Value response = Value::object();
  response["jsonrpc"] = "2.0";
  response["id"] = id;
  response["result"] = std::move(result);
  return response;
}

// MCP ids are strings or integers (never null); an unsigned beyond int64 is
// still echoed exactly, since nlohmann keeps it as uint64.
bool ValidId(const Value& id) { return id.is_string() || id.is_number_integer(); }

Value InitializeResult(const Value& params) {
  const std::string asked = params["protocolVersion"].get<std::string>();
  const auto& versions = McpProtocolVersions();
  bool supported = std::find(versions.begin(), versions.end(), asked) != versions.end();
  Value result = Value::object();
  result["protocolVersion"] = supported ? asked : versions.front();
  result["capabilities"] = {{"tools", {{"listChanged", false}}}};
  result["serverInfo"] = {{"name", "sluice"}, {"version", SLUICE_VERSION}};
  result["instructions"] = kInstructions;
  return result;
}

}  // namespace

const std::vector<std::string>& McpProtocolVersions() {
  static const std::vector<std::string> versions = {"2025-06-18", "2025-03-26", "2024-11-05"};
  return versions;
}

McpServer::McpServer(const ServeOptions& options, SyncJobs& jobs)
    : options_(options), jobs_(jobs) {}

std::optional<Value> McpServer::HandleText(const std::string& text) {
  // Measured before parsing: the parser recurses once per level.
  if (JsonTextDepth(text) > kMaxJsonDepth) {
    return ErrorResponse(
        nullptr, kParseError,
        "parse error: the message nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  Value message = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) {
    return ErrorResponse(nullptr, kParseError,
                         "parse error: the message is not valid JSON (UTF-8, one JSON-RPC message "
                         "or batch per line)");
  }
  return Handle(message);
}

std::optional<Value> McpServer::Handle(const Value& message) {
  if (!message.is_array()) return HandleOne(message);
  if (message.empty())
    return ErrorResponse(nullptr, kInvalidRequest, "invalid request: an empty batch");
  if (message.size() > kMaxBatch) {
    return ErrorResponse(
        nullptr, kInvalidRequest,
        "invalid request: a batch of more than " + std::to_string(kMaxBatch) + " messages");
  }
  Value responses = Value::array();
  for (const Value& item : message) {
    // A batch inside a batch is not a message.
    std::optional<Value> response =
        item.is_array()
            ? ErrorResponse(nullptr, kInvalidRequest, "invalid request: a batch inside a batch")
            : HandleOne(item);
    if (response) responses.push_back(std::move(*response));
  }
  if (responses.empty()) return std::nullopt;
  return responses;
}

std::optional<Value> McpServer::HandleOne(const Value& message) {
  if (!message.is_object()) {
    return ErrorResponse(nullptr, kInvalidRequest,
                         std::string("invalid request: a JSON-RPC message is an object, not ") +
                             ValueTypeName(message));
  }
  const bool has_id = message.contains("id");
  if (has_id && !ValidId(message["id"])) {
    return ErrorResponse(nullptr, kInvalidRequest,
                         "invalid request: the id must be a string or an integer");
  }
  const Value id = has_id ? message["id"] : Value(nullptr);
  if (!message.contains("jsonrpc") || message["jsonrpc"] != "2.0") {
    return ErrorResponse(id, kInvalidRequest, "invalid request: \"jsonrpc\" must be \"2.0\"");
  }
  if (!message.contains("method")) {
    // A response to a request of ours: this server sends none, so there is
    // nothing to match it with.
    if (has_id && (message.contains("result") || message.contains("error"))) return std::nullopt;
    return ErrorResponse(id, kInvalidRequest, "invalid request: no \"method\"");
  }
  if (!message["method"].is_string()) {
    return ErrorResponse(id, kInvalidRequest, "invalid request: \"method\" must be a string");
  }
  const std::string method = message["method"].get<std::string>();
  // Notifications (initialized, cancelled, progress …) need no answer, and
  // an unknown one is ignored, as JSON-RPC asks.
  if (!has_id) return std::nullopt;
  const Value params = message.contains("params") ? message["params"] : Value::object();
  if (!params.is_object())
    return ErrorResponse(id, kInvalidParams, "invalid params: \"params\" must be an object");
  try {
    return Dispatch(id, method, params);
  } catch (const std::exception& error) {
    // A bug of ours, reported to the client rather than lost or fatal.
    return ErrorResponse(id, kInternalError, std::string("internal error: ") + error.what());
  }
}

Value McpServer::Dispatch(const Value& id, const std::string& method, const Value& params) {
  if (method == "initialize") {
    if (!params.contains("protocolVersion") || !params["protocolVersion"].is_string()) {
      return ErrorResponse(id, kInvalidParams,
                           "invalid params: initialize needs \"protocolVersion\" (a string)");
    }
    return ResultResponse(id, InitializeResult(params));
  }
  if (method == "ping") return ResultResponse(id, Value::object());
  if (method == "tools/list") return ResultResponse(id, {{"tools", McpToolList(options_)}});
  if (method == "tools/call") {
    if (!params.contains("name") || !params["name"].is_string()) {
      return ErrorResponse(id, kInvalidParams,
                           "invalid params: tools/call needs \"name\" (a string)");
    }
    // Absent and null both mean "no arguments" (clients differ).
    const bool has_arguments = params.contains("arguments") && !params["arguments"].is_null();
    const Value arguments = has_arguments ? params["arguments"] : Value::object();
    Result<Value> result =
        CallMcpTool(options_, jobs_, params["name"].get<std::string>(), arguments);
    if (!result.ok())
      return ErrorResponse(id, kInvalidParams, "invalid params: " + result.status().ToString());
    return ResultResponse(id, std::move(*result));
  }
  return ErrorResponse(id, kMethodNotFound,
                       "method not found: " + method +
                           " (this server offers initialize, ping, tools/list, tools/call)");
}

}  // namespace sluice
