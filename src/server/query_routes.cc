// GET/POST /api/query: a read-only SQL query over live entities and synced
// tables (docs/serve.md, "HTTP API" → "Queries").
//
// The JSON answer is built whole, under the row cap. With _nl=on rows go
// out as SQLite produces them: the query runs inside httplib's chunked
// content provider, on the request's own thread, so a client that stops
// reading holds only that thread, and one that goes away fails a write,
// which stops the scan (the live tables' cursors close, no further page is
// fetched).
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "core/secret_masker.h"
#include "server/http_server.h"
#include "server/http_util.h"
#include "server/session.h"

namespace sluice {
namespace {

enum class Shape { kObjects, kArrays };

struct QueryRequest {
  std::string sql;
  Shape shape = Shape::kObjects;
  bool ndjson = false;
  bool explain = false;
  QueryLimits limits;
};

// A parameter from the query string, or from the JSON body of a POST (which
// wins): text as given, numbers and booleans as written.
class Parameters {
 public:
  Parameters(const httplib::Request& request, Value body)
      : request_(request), body_(std::move(body)) {}

  // A JSON body's value for `name` that is there but not text.
  bool NotText(const std::string& name) const {
    return body_.is_object() && body_.contains(name) && !body_[name].is_string();
  }

  std::optional<std::string> Get(const std::string& name) const {
    if (body_.is_object() && body_.contains(name)) {
      const Value& value = body_[name];
      if (value.is_string()) return value.get<std::string>();
      if (value.is_boolean()) return std::string(value.get<bool>() ? "on" : "off");
      if (value.is_null()) return std::nullopt;
      return value.dump();
    }
    if (request_.has_param(name.c_str())) return request_.get_param_value(name.c_str());
    return std::nullopt;
  }

 private:
  const httplib::Request& request_;
  Value body_;
};

Status BadParameter(const std::string& name, const std::string& what) {
  return Status(ErrorKind::kInvalidArgument, "parameter " + name + ": " + what);
}

Result<bool> Switch(const Parameters& parameters, const std::string& name) {
  std::optional<std::string> value = parameters.Get(name);
  if (!value) return false;
  if (*value == "on" || *value == "true" || *value == "1" || value->empty()) return true;
  if (*value == "off" || *value == "false" || *value == "0") return false;
  return BadParameter(name, "must be on or off");
}

// A whole number in [low, high], or nullopt when not given.
Result<std::optional<int64_t>> Number(const Parameters& parameters, const std::string& name,
                                      int64_t low, int64_t high, const std::string& high_why) {
  std::optional<std::string> value = parameters.Get(name);
  if (!value) return std::optional<int64_t>();
  int64_t number = 0;
  bool digits = !value->empty() && value->size() <= 18;
  for (char c : *value) digits = digits && c >= '0' && c <= '9';
  if (!digits) return BadParameter(name, "must be a whole number");
  number = std::stoll(*value);
  if (number < low) return BadParameter(name, "must be at least " + std::to_string(low));
  if (number > high)
    return BadParameter(name, "must be at most " + std::to_string(high) + " (" + high_why + ")");
  return std::optional<int64_t>(number);
}

Result<QueryRequest> ReadRequest(const Parameters& parameters, const ServeOptions& options) {
  QueryRequest query;
  if (parameters.NotText("sql")) return BadParameter("sql", "must be text (a JSON string)");
  std::optional<std::string> sql = parameters.Get("sql");
  if (!sql || sql->empty()) return BadParameter("sql", "is required: the SELECT to run");
  query.sql = std::move(*sql);
  std::optional<std::string> shape = parameters.Get("_shape");
  if (shape && *shape == "arrays") {
    query.shape = Shape::kArrays;
  } else if (shape && *shape != "objects") {
    return BadParameter("_shape", "must be objects or arrays");
  }
  ASSIGN_OR_RETURN(query.ndjson, Switch(parameters, "_nl"));
  ASSIGN_OR_RETURN(query.explain, Switch(parameters, "_explain"));
  ASSIGN_OR_RETURN(std::optional<int64_t> rows,
                   Number(parameters, "_rows", 0, options.max_row_cap, "the server's --max-rows"));
  query.limits.max_rows = rows.value_or(std::min(options.default_row_cap, options.max_row_cap));
  const int64_t most_ms = options.query_timeout.count();
  ASSIGN_OR_RETURN(std::optional<int64_t> timeout, Number(parameters, "_timeout_ms", 1, most_ms,
                                                          "the server's --query-timeout-ms"));
  query.limits.timeout = std::chrono::milliseconds(timeout.value_or(most_ms));
  return query;
}

Value RowValue(const std::vector<std::string>& columns, const std::vector<Value>& row,
               Shape shape) {
  if (shape == Shape::kArrays) return Value(row);
  Value object = Value::object();
  for (size_t i = 0; i < columns.size() && i < row.size(); ++i) object[columns[i]] = row[i];
  return object;
}

std::string Line(const Value& value) {
  return SecretMasker::Global().Mask(value.dump(-1, ' ', false, Value::error_handler_t::replace)) +
         "\n";
}

// The default answer: every row (up to the row cap) in one JSON document,
// each row kept as its JSON text, and no more than max_bytes of them: the
// whole answer sits in memory until it is sent.
class CollectRows : public QueryConsumer {
 public:
  CollectRows(Shape shape, int64_t max_bytes) : shape_(shape), max_bytes_(max_bytes) {}
  bool OnColumns(const std::vector<std::string>& names) override {
    columns = names;
    return true;
  }
  bool OnRow(const std::vector<Value>& row) override {
    std::string text =
        RowValue(columns, row, shape_).dump(-1, ' ', false, Value::error_handler_t::replace);
    if (static_cast<int64_t>(rows.size() + text.size() + 1) > max_bytes_) {
      over_bytes = true;
      return false;
    }
    if (!rows.empty()) rows += ',';
    rows += text;
    return true;
  }
  std::vector<std::string> columns;
  std::string rows;  // the rows' JSON, comma-separated
  bool over_bytes = false;

 private:
  Shape shape_;
  int64_t max_bytes_;
};

// NDJSON: each row written to the client as it comes; a failed write (the
// client went away, or stopped reading past the write timeout) stops it.
class StreamRows : public QueryConsumer {
 public:
  StreamRows(Shape shape, httplib::DataSink& sink) : shape_(shape), sink_(sink) {}
  bool OnColumns(const std::vector<std::string>& names) override {
    columns_ = names;
    return true;
  }
  bool OnRow(const std::vector<Value>& row) override {
    return Write(Line(RowValue(columns_, row, shape_)));
  }
  bool Write(const std::string& text) {
    if (broken) return false;
    broken = !sink_.write(text.data(), text.size());
    return !broken;
  }
  bool broken = false;

 private:
  Shape shape_;
  httplib::DataSink& sink_;
  std::vector<std::string> columns_;
};

Value ErrorLine(const Status& status) {
  Value error = Value::object();
  error["kind"] = ErrorKindName(status.kind());
  error["message"] = status.ToString();
  Value line = Value::object();
  line["_error"] = std::move(error);
  return line;
}

void HandleQuery(const httplib::Request& request, httplib::Response& response,
                 ServerContext& context, Value body) {
  const auto started = std::chrono::steady_clock::now();
  const ServeOptions& options = context.options;
  Result<QueryRequest> parsed = ReadRequest(Parameters(request, std::move(body)), options);
  if (!parsed.ok()) return SendError(response, parsed.status());
  QueryRequest query = std::move(parsed).value();
  Result<std::unique_ptr<WorkspaceSession>> opened = WorkspaceSession::Open(options);
  if (!opened.ok()) return SendError(response, opened.status());
  std::shared_ptr<WorkspaceSession> session = std::move(opened).value();
  response.set_header("Cache-Control", "no-store");

  // Refusals, parse errors and unknown tables or columns are found when the
  // statement is prepared, before any row: they get a proper error status
  // even when the rows then stream. EXPLAIN prepares without scanning.
  Value explain;
  if (query.ndjson || query.explain) {
    Result<Value> described = session->ExplainQuery(query.sql);
    if (!described.ok()) return SendError(response, described.status());
    explain = std::move(described).value();
  }

  if (!query.ndjson) {
    CollectRows rows(query.shape, options.max_response_bytes);
    Result<QueryOutcome> outcome = session->StreamQuery(query.sql, query.limits, rows);
    if (!outcome.ok()) return SendError(response, outcome.status());
    Value rest = Value::object();
    rest["truncated"] = outcome->truncated || rows.over_bytes;
    if (rows.over_bytes) {
      rest["truncated_reason"] = "the answer reached the server's cap of " +
                                 std::to_string(options.max_response_bytes) +
                                 " bytes (--max-response-bytes); stream it with _nl=on";
    }
    rest["row_count"] = outcome->rows;
    rest["elapsed_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    if (query.explain) rest["explain"] = std::move(explain);
    // The rows are spliced in as text rather than held twice (as values and
    // as the dump of the whole answer).
    std::string tail = rest.dump(-1, ' ', false, Value::error_handler_t::replace);
    std::string text = "{\"columns\":" +
                       Value(rows.columns).dump(-1, ' ', false, Value::error_handler_t::replace) +
                       ",\"rows\":[";
    text += rows.rows;
    rows.rows = std::string();
    text += "],";
    text.append(tail, 1, std::string::npos);
    response.status = 200;
    response.set_content(SecretMasker::Global().Mask(text), "application/json; charset=utf-8");
    return;
  }

  // The provider runs after this handler returns, on this same thread, so
  // the session (tied to its thread) goes with it.
  response.status = 200;
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_chunked_content_provider(
      "application/x-ndjson; charset=utf-8", [session, query](size_t, httplib::DataSink& sink) {
        StreamRows rows(query.shape, sink);
        Result<QueryOutcome> outcome = session->StreamQuery(query.sql, query.limits, rows);
        if (rows.broken) return false;  // the client is gone: nothing more to say
        if (!outcome.ok()) {
          rows.Write(Line(ErrorLine(outcome.status())));
        } else if (outcome->truncated) {
          rows.Write(Line(Value{{"_truncated", true}}));
        }
        if (rows.broken) return false;
        sink.done();
        return true;
      });
}

constexpr size_t kMaxQueryBody = 1 << 20;

bool IsFormEncoded(const httplib::Request& request) {
  std::string type = request.get_header_value("Content-Type");
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return type.starts_with("application/x-www-form-urlencoded");
}

// The POST body as parameters: a JSON object whatever the Content-Type
// says, or a form (sql=…&_rows=…) sent as application/x-www-form-urlencoded.
// nullopt with the error written when it is neither, or over 1 MiB.
std::optional<Value> ReadQueryBody(const httplib::Request& request, httplib::Response& response,
                                   const httplib::ContentReader& content_reader) {
  const std::string too_large = "the request body is larger than 1 MiB";
  if (request.is_multipart_form_data()) {
    SendEdgeError(response, 415, "invalid_argument",
                  "a multipart body is not read here: send the parameters as JSON (Content-Type: "
                  "application/json) or as a form (application/x-www-form-urlencoded)");
    return std::nullopt;
  }
  const std::string length = request.get_header_value("Content-Length");
  if (length.size() > 7 ||
      (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > kMaxQueryBody)) {
    SendEdgeError(response, 413, "invalid_argument", too_large);
    return std::nullopt;
  }
  std::string text;
  bool over = false;
  bool read = content_reader([&text, &over](const char* data, size_t length) {
    if (text.size() + length > kMaxQueryBody) {
      over = true;
      return false;
    }
    text.append(data, length);
    return true;
  });
  if (over) {
    SendEdgeError(response, 413, "invalid_argument", too_large);
    return std::nullopt;
  }
  if (!read) {
    SendEdgeError(response, 400, "invalid_argument",
                  "the request body could not be read to its end");
    return std::nullopt;
  }
  size_t first = text.find_first_not_of(" \t\r\n");
  if (IsFormEncoded(request) && first != std::string::npos && text[first] != '{') {
    httplib::Params form;
    httplib::detail::parse_query_text(text, form);
    Value body = Value::object();
    for (const auto& [name, value] : form) {
      if (!body.contains(name)) body[name] = value;
    }
    return body;
  }
  return ParseJsonText(text, response);
}

}  // namespace

void MountQueryApi(httplib::Server& server, ServerContext& context) {
  server.Get("/api/query",
             [&context](const httplib::Request& request, httplib::Response& response) {
               if (!CheckAccess(request, response, context.options, Access::kRead)) return;
               HandleQuery(request, response, context, Value());
             });
  // A content reader, not a plain handler: httplib refuses a form-encoded
  // body over 8 KiB (curl -d's default type) with a bare 413 before any
  // handler runs, and long SQL is what POST is for.
  server.Post("/api/query", [&context](const httplib::Request& request, httplib::Response& response,
                                       const httplib::ContentReader& content_reader) {
    if (!CheckAccess(request, response, context.options, Access::kRead)) {
      response.set_header("Connection", "close");  // the body was not read
      return;
    }
    std::optional<Value> body = ReadQueryBody(request, response, content_reader);
    if (!body) {
      response.set_header("Connection", "close");
      return;
    }
    HandleQuery(request, response, context, std::move(*body));
  });
}

}  // namespace sluice
