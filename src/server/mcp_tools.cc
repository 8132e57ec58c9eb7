#include "server/mcp_tools.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "core/secret_masker.h"
#include "server/session.h"
#include "server/sync_jobs.h"
#include "server/workspace_views.h"

namespace sluice {
namespace {

// Deeper than anything the views build; rows from a handler's documents
// could nest without bound, and printing recurses.
constexpr int kMaxResultDepth = 200;
constexpr int64_t kDefaultRunLimit = 20;
constexpr int64_t kMaxRunLimit = 1000;

using ToolHandler = std::function<Result<Value>(const ServeOptions&, SyncJobs&, const Value&)>;

struct ToolSpec {
  const char* name;
  const char* title;
  const char* description;
  Value input_schema;
  // MCP's hints; their defaults assume the worst, so all four are always set.
  bool read_only;
  bool destructive;
  bool idempotent;
  bool open_world;
  bool writes;  // offered only with --allow-writes
  ToolHandler handler;
};

Value StringProperty(const char* description) {
  return Value{{"type", "string"}, {"description", description}};
}

Value Schema(Value properties, std::vector<std::string> required) {
  Value schema = Value::object();
  schema["type"] = "object";
  schema["properties"] = std::move(properties);
  if (!required.empty()) schema["required"] = required;
  // Misspelt arguments are refused rather than silently ignored: an agent
  // learns the right name from the error at once.
  schema["additionalProperties"] = false;
  return schema;
}

Result<std::unique_ptr<WorkspaceSession>> OpenSession(const ServeOptions& options) {
  return WorkspaceSession::Open(options);
}

// Collects a query's rows as objects, the HTTP API's default shape.
// Rows as objects, up to `max_bytes` of JSON: an agent's context is no
// place for more, and the server's memory must not hold a huge answer.
class RowCollector : public QueryConsumer {
 public:
  explicit RowCollector(int64_t max_bytes) : max_bytes_(max_bytes) {}
  bool OnColumns(const std::vector<std::string>& columns) override {
    columns_ = columns;
    return true;
  }
  bool OnRow(const std::vector<Value>& row) override {
    Value object = Value::object();
    for (size_t i = 0; i < row.size() && i < columns_.size(); ++i) object[columns_[i]] = row[i];
    bytes_ += static_cast<int64_t>(object.dump(-1, ' ', false, Value::error_handler_t::replace).size());
    if (bytes_ > max_bytes_) {
      cut_ = true;
      return false;
    }
    rows_.push_back(std::move(object));
    return true;
  }
  Value columns() const { return Value(columns_); }
  Value TakeRows() { return std::move(rows_); }
  bool cut() const { return cut_; }

 private:
  int64_t max_bytes_;
  int64_t bytes_ = 0;
  bool cut_ = false;
  std::vector<std::string> columns_;
  Value rows_ = Value::array();
};

Result<Value> ListConnectorsTool(const ServeOptions& options, SyncJobs&, const Value&) {
  ASSIGN_OR_RETURN(std::unique_ptr<WorkspaceSession> session, OpenSession(options));
  return ListConnectors(*session);
}

Result<Value> DescribeEntityTool(const ServeOptions& options, SyncJobs&, const Value& arguments) {
  ASSIGN_OR_RETURN(std::unique_ptr<WorkspaceSession> session, OpenSession(options));
  return DescribeEntity(*session, arguments["connector"].get<std::string>(),
                        arguments["entity"].get<std::string>());
}

Result<Value> QueryTool(const ServeOptions& options, SyncJobs&, const Value& arguments) {
  const std::string sql = arguments["sql"].get<std::string>();
  QueryLimits limits;
  limits.max_rows = arguments.contains("max_rows") ? arguments["max_rows"].get<int64_t>()
                                                   : options.default_row_cap;
  limits.max_rows = std::clamp<int64_t>(limits.max_rows, 1, options.max_row_cap);
  limits.timeout = options.query_timeout;
  ASSIGN_OR_RETURN(std::unique_ptr<WorkspaceSession> session, OpenSession(options));
  RowCollector collector(options.max_response_bytes);
  ASSIGN_OR_RETURN(QueryOutcome outcome, session->StreamQuery(sql, limits, collector));
  ASSIGN_OR_RETURN(Value explain, session->ExplainQuery(sql));
  Value result = Value::object();
  result["columns"] = collector.columns();
  result["rows"] = collector.TakeRows();
  result["truncated"] = outcome.truncated || collector.cut();
  if (collector.cut()) {
    result["truncated_reason"] = "the rows reached the server's answer cap of " +
                                 std::to_string(options.max_response_bytes) + " bytes (--max-response-bytes)";
  }
  result["explain"] = std::move(explain);
  return result;
}

Result<Value> ListSyncRunsTool(const ServeOptions& options, SyncJobs&, const Value& arguments) {
  RunFilter filter;
  if (arguments.contains("connector")) filter.connector = arguments["connector"].get<std::string>();
  if (arguments.contains("status")) filter.status = arguments["status"].get<std::string>();
  filter.limit = arguments.contains("limit") ? arguments["limit"].get<int64_t>() : kDefaultRunLimit;
  if (arguments.contains("before_id")) filter.before_id = arguments["before_id"].get<int64_t>();
  ASSIGN_OR_RETURN(std::unique_ptr<WorkspaceSession> session, OpenSession(options));
  return ListRuns(*session, filter);
}

Result<Value> RunSyncTool(const ServeOptions&, SyncJobs& jobs, const Value& arguments) {
  SyncJobRequest request;
  request.connector = arguments["connector"].get<std::string>();
  if (arguments.contains("entities"))
    request.entities = arguments["entities"].get<std::vector<std::string>>();
  if (arguments.contains("full")) request.full = arguments["full"].get<bool>();
  ASSIGN_OR_RETURN(int64_t id, jobs.Start(request));
  return jobs.Wait(id);
}

Result<Value> RunActionTool(const ServeOptions& options, SyncJobs&, const Value& arguments) {
  ASSIGN_OR_RETURN(std::unique_ptr<WorkspaceSession> session, OpenSession(options));
  Value action_arguments =
      arguments.contains("arguments") ? arguments["arguments"] : Value::object();
  return RunAction(*session, arguments["connector"].get<std::string>(),
                   arguments["action"].get<std::string>(), action_arguments);
}

const std::vector<ToolSpec>& Tools() {
  static const std::vector<ToolSpec> tools = [] {
    std::vector<ToolSpec> list;
    list.push_back(
        {"list_connectors", "List connectors",
         "The workspace's connectors: for each its name, connector type and version, description, "
         "the entities it can be queried through (live tables named <connector>.<entity>) and the "
         "actions it offers. Start here, then call describe_entity before writing a query.",
         Schema(Value::object(), {}), true, false, true, false, false, ListConnectorsTool});
    list.push_back({"describe_entity", "Describe an entity",
                    "One entity of a connector: its fields with types, which are the primary key "
                    "and which are filterable; the pushdown (filters and operators the API applies "
                    "itself, whether LIMIT reaches the API); the incremental cursor field; the "
                    "parent entity; and the table a sync writes it to (<connector>_<entity>). "
                    "Filter on pushed-down fields in WHERE so a query reads only what it needs.",
                    Schema({{"connector",
                             StringProperty("The connector's name, as list_connectors gives it.")},
                            {"entity", StringProperty("The entity's name, e.g. 'items'.")}},
                           {"connector", "entity"}),
                    true, false, true, false, false, DescribeEntityTool});
    list.push_back(
        {"query", "Run a read-only SQL query",
         "Runs one read-only SQLite SELECT (or WITH / VALUES / EXPLAIN) over live entities (FROM "
         "<connector>.<entity>: fetched from the API now, WHERE filters pushed down where the "
         "entity allows) and synced tables (<connector>_<entity>). Anything that would write is "
         "refused. Returns the columns, the rows as objects (at most max_rows; truncated says more "
         "were left), and explain: what each live table's handler was asked. Use LIMIT and "
         "pushed-down filters on live entities: each row read may cost an API call.",
         Schema({{"sql", StringProperty("One SQL statement, e.g. SELECT id, name FROM prod.items "
                                        "WHERE status = 'active' LIMIT 10.")},
                 {"max_rows",
                  {{"type", "integer"},
                   {"minimum", 1},
                   {"description",
                    "The most rows to return (default: the server's cap, 1000 unless configured; "
                    "larger values are lowered to the server's --max-rows)."}}}},
                {"sql"}),
         true, false, true, true, false, QueryTool});
    list.push_back(
        {"list_sync_runs", "List sync runs",
         "The sync history, newest first: per run the connector, entity, destination table, mode, "
         "status (running, done, failed, interrupted), rows read/written/deleted, start, "
         "finish, duration and, for a failure, its kind, message and origin (api, handler, "
         "destination, engine). Page with before_id = the answer's next_before_id.",
         Schema({{"connector", StringProperty("Only this connector's runs.")},
                 {"status",
                  {{"type", "string"},
                   {"enum", {"running", "done", "failed", "interrupted"}},
                   {"description", "Only runs with this status."}}},
                 {"limit",
                  {{"type", "integer"},
                   {"minimum", 1},
                   {"maximum", kMaxRunLimit},
                   {"description", "The most runs to return (default 20)."}}},
                 {"before_id",
                  {{"type", "integer"},
                   {"description", "Only runs older than this run id (paging)."}}}},
                {}),
         true, false, true, false, false, ListSyncRunsTool});
    list.push_back(
        {"run_sync", "Sync a connector",
         "Syncs a connector's entities into the workspace (tables <connector>_<entity>), "
         "incrementally from each entity's cursor unless full is true, and waits for it to finish. "
         "Returns the job: status (done or failed), per-entity rows read and written, and the "
         "error if it failed. Calls the connector's API; rerunning it only brings the tables up to "
         "date. A full sync deletes the rows the source no longer has (write mode "
         "overwrite-delete-stale).",
         Schema({{"connector", StringProperty("The connector to sync.")},
                 {"entities",
                  {{"type", "array"},
                   {"items", {{"type", "string"}}},
                   {"description", "Only these entities (default: all of the connector's)."}}},
                 {"full",
                  {{"type", "boolean"},
                   {"description",
                    "Read everything, ignoring the incremental mark (default false)."}}}},
                {"connector"}),
         false, true, true, true, true, RunSyncTool});
    list.push_back(
        {"run_action", "Run a connector action",
         "Runs one of a connector's actions (list_connectors lists them, e.g. 'items.create') with "
         "its arguments: it changes data in the external system, so it cannot be undone by Sluice. "
         "Returns what the action's handler returned and anything it printed.",
         Schema({{"connector", StringProperty("The connector whose action runs.")},
                 {"action",
                  StringProperty("The action, as '<entity>.<action>', e.g. 'items.create'.")},
                 {"arguments",
                  {{"type", "object"},
                   {"description", "The action's named arguments, e.g. {\"name\": \"x\"}."}}}},
                {"connector", "action"}),
         false, true, false, true, true, RunActionTool});
    return list;
  }();
  return tools;
}

const char* JsonTypeOf(const Value& value) {
  if (value.is_number_integer()) return "integer";
  return ValueTypeName(value);
}

// Checks `arguments` against the subset of JSON Schema the tools use (types,
// required, enum, minimum/maximum, no unknown properties), so handlers can
// read them without a type check of their own.
Status CheckArguments(const ToolSpec& tool, const Value& arguments) {
  const std::string where = std::string("tool '") + tool.name + "'";
  if (!arguments.is_object()) {
    return Status(ErrorKind::kInvalidArgument, where + ": arguments must be a JSON object, not " +
                                                   std::string(JsonTypeOf(arguments)));
  }
  const Value& properties = tool.input_schema["properties"];
  for (const auto& [key, value] : arguments.items()) {
    if (!properties.contains(key)) {
      std::string known;
      for (const auto& [name, unused] : properties.items())
        known += (known.empty() ? "" : ", ") + name;
      return Status(ErrorKind::kInvalidArgument,
                    where + ": unknown argument '" + key + "' (it takes " +
                        (known.empty() ? std::string("none") : known) + ")");
    }
    const Value& property = properties[key];
    const std::string type = property["type"].get<std::string>();
    bool type_ok = (type == "string" && value.is_string()) ||
                   (type == "integer" && value.is_number_integer()) ||
                   (type == "boolean" && value.is_boolean()) ||
                   (type == "object" && value.is_object()) || (type == "array" && value.is_array());
    if (type_ok && type == "array") {
      for (const Value& item : value) type_ok = type_ok && item.is_string();
    }
    // An unsigned value beyond int64 cannot be read as the int64 it stands for.
    if (type_ok && type == "integer" && value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      type_ok = false;
    }
    if (!type_ok) {
      return Status(ErrorKind::kInvalidArgument,
                    where + ": argument '" + key + "' must be " +
                        (type == "array" ? "an array of strings" : (type == "object" || type == "integer" ? "an " : "a ") + type) + ", not " +
                        JsonTypeOf(value));
    }
    if (property.contains("minimum") && value.get<int64_t>() < property["minimum"].get<int64_t>()) {
      return Status(
          ErrorKind::kInvalidArgument,
          where + ": argument '" + key + "' must be at least " + property["minimum"].dump());
    }
    if (property.contains("maximum") && value.get<int64_t>() > property["maximum"].get<int64_t>()) {
      return Status(
          ErrorKind::kInvalidArgument,
          where + ": argument '" + key + "' must be at most " + property["maximum"].dump());
    }
    if (property.contains("enum") && std::find(property["enum"].begin(), property["enum"].end(),
                                               value) == property["enum"].end()) {
      return Status(ErrorKind::kInvalidArgument,
                    where + ": argument '" + key + "' must be one of " + property["enum"].dump());
    }
  }
  if (tool.input_schema.contains("required")) {
    for (const Value& name : tool.input_schema["required"]) {
      if (!arguments.contains(name.get<std::string>())) {
        return Status(ErrorKind::kInvalidArgument,
                      where + ": the argument '" + name.get<std::string>() + "' is required");
      }
    }
  }
  return Status();
}

Value ToolResult(const Value& structured, bool is_error) {
  Value masked = MaskSecretsIn(structured);
  Value text = Value::object();
  text["type"] = "text";
  text["text"] = masked.dump(-1, ' ', false, Value::error_handler_t::replace);
  Value result = Value::object();
  result["content"] = Value::array({std::move(text)});
  result["structuredContent"] = std::move(masked);
  result["isError"] = is_error;
  return result;
}

Value ErrorResult(const Status& status) {
  Value error = Value::object();
  error["kind"] = ErrorKindName(status.kind());
  error["message"] = status.ToString();
  Value body = Value::object();
  body["error"] = std::move(error);
  return ToolResult(body, true);
}

Value MaskAtDepth(const Value& value, int depth) {
  if (depth > kMaxResultDepth)
    return "(nested deeper than " + std::to_string(kMaxResultDepth) + " levels)";
  const SecretMasker& masker = SecretMasker::Global();
  if (value.is_string()) return masker.Mask(value.get_ref<const std::string&>());
  if (value.is_number()) {
    std::string text = value.dump();
    return masker.Mask(text) == text ? value : Value(std::string(SecretMasker::kMask));
  }
  if (value.is_array()) {
    Value copy = Value::array();
    for (const Value& item : value) copy.push_back(MaskAtDepth(item, depth + 1));
    return copy;
  }
  if (value.is_object()) {
    Value copy = Value::object();
    for (const auto& [key, item] : value.items())
      copy[masker.Mask(key)] = MaskAtDepth(item, depth + 1);
    return copy;
  }
  return value;
}

}  // namespace

Value MaskSecretsIn(const Value& value) { return MaskAtDepth(value, 0); }

Value McpToolList(const ServeOptions& options) {
  Value list = Value::array();
  for (const ToolSpec& tool : Tools()) {
    if (tool.writes && !options.allow_writes) continue;
    Value annotations = Value::object();
    annotations["title"] = tool.title;
    annotations["readOnlyHint"] = tool.read_only;
    annotations["destructiveHint"] = tool.destructive;
    annotations["idempotentHint"] = tool.idempotent;
    annotations["openWorldHint"] = tool.open_world;
    Value entry = Value::object();
    entry["name"] = tool.name;
    entry["title"] = tool.title;
    entry["description"] = tool.description;
    entry["inputSchema"] = tool.input_schema;
    entry["annotations"] = std::move(annotations);
    list.push_back(std::move(entry));
  }
  return list;
}

Result<Value> CallMcpTool(const ServeOptions& options, SyncJobs& jobs, const std::string& name,
                          const Value& arguments) {
  const auto& tools = Tools();
  auto tool = std::find_if(tools.begin(), tools.end(),
                           [&](const ToolSpec& spec) { return name == spec.name; });
  if (tool == tools.end()) {
    std::string known;
    for (const ToolSpec& spec : tools) {
      if (!spec.writes || options.allow_writes)
        known += (known.empty() ? "" : ", ") + std::string(spec.name);
    }
    return Status(ErrorKind::kInvalidArgument,
                  "unknown tool '" + name + "' (tools: " + known + ")");
  }
  if (tool->writes && !options.allow_writes) {
    return Status(ErrorKind::kInvalidArgument,
                  "writes are off: the " + name +
                      " tool exists only when the server is started with --allow-writes "
                      "(`sluice mcp WORKSPACE --allow-writes`, or `sluice serve --allow-writes` "
                      "with the token)");
  }
  RETURN_IF_ERROR(CheckArguments(*tool, arguments));
  Result<Value> outcome = tool->handler(options, jobs, arguments);
  if (!outcome.ok()) return ErrorResult(outcome.status());
  // A sync that ran but failed is the tool's failure too: the job says why.
  const bool failed = outcome->is_object() && outcome->value("status", "") == "failed";
  // structuredContent must be an object.
  if (!outcome->is_object()) return ToolResult(Value{{"result", *outcome}}, failed);
  return ToolResult(*outcome, failed);
}

}  // namespace sluice
