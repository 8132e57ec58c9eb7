// The HTTP JSON API (/api/…): docs/serve.md, "HTTP API". Each handler
// checks access first, opens its own WorkspaceSession and answers through
// SendJson/SendError, which mask secrets.
#include <httplib.h>

#include <charconv>
#include <functional>

#include "server/http_server.h"
#include "server/http_util.h"
#include "server/session.h"
#include "server/workspace_views.h"

namespace sluice {
namespace {

using View = std::function<Result<Value>(WorkspaceSession&, const httplib::Request&)>;

// A whole decimal int64, nothing else: "12x", "", "-0x1" are refused.
std::optional<int64_t> ParseId(const std::string& text) {
  int64_t value = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void Answer(ServerContext& context, const httplib::Request& request, httplib::Response& response,
            Access access, const View& view, int status = 200) {
  if (!CheckAccess(request, response, context.options, access)) return;
  auto session = WorkspaceSession::Open(context.options);
  if (!session.ok()) return SendError(response, session.status());
  auto result = view(**session, request);
  if (!result.ok()) return SendError(response, result.status());
  SendJson(response, status, *result);
}

void BadParameter(httplib::Response& response, const std::string& message) {
  SendEdgeError(response, 400, "invalid_argument", message);
}

// A body member that must be a string when present.
bool StringMember(const Value& body, const char* key, std::string& out, httplib::Response& response,
                  bool required) {
  if (!body.contains(key) || body[key].is_null()) {
    if (required) BadParameter(response, std::string("the body needs \"") + key + "\" (a string)");
    return !required;
  }
  if (!body[key].is_string()) {
    BadParameter(response, std::string("\"") + key + "\" must be a string");
    return false;
  }
  out = body[key].get<std::string>();
  return true;
}

void GetRoute(httplib::Server& server, ServerContext& context, const std::string& pattern,
              View view) {
  server.Get(pattern,
             [&context, view](const httplib::Request& request, httplib::Response& response) {
               Answer(context, request, response, Access::kRead, view);
             });
}

}  // namespace

void MountApi(httplib::Server& server, ServerContext& context) {
  server.Get("/api/status",
             [&context](const httplib::Request& request, httplib::Response& response) {
               if (!CheckAccess(request, response, context.options, Access::kRead)) return;
               SendJson(response, 200,
                        {{"version", SLUICE_VERSION},
                         {"workspace", context.options.workspace_path},
                         {"writes_allowed", context.options.allow_writes},
                         {"token_required_for_reads", !IsLoopbackHost(context.options.host)}});
             });
  GetRoute(
      server, context, "/api/connectors",
      [](WorkspaceSession& session, const httplib::Request&) { return ListConnectors(session); });
  GetRoute(server, context, "/api/types",
           [](WorkspaceSession& session, const httplib::Request&) { return ListTypes(session); });
  GetRoute(server, context, R"(/api/connectors/([^/]+)/entities/([^/]+))",
           [](WorkspaceSession& session, const httplib::Request& request) {
             return DescribeEntity(session, request.matches[1], request.matches[2]);
           });
  GetRoute(
      server, context, "/api/destinations",
      [](WorkspaceSession& session, const httplib::Request&) { return ListDestinations(session); });
  GetRoute(
      server, context, "/api/schedules",
      [](WorkspaceSession& session, const httplib::Request&) { return ListSchedules(session); });
  GetRoute(server, context, "/api/marks",
           [](WorkspaceSession& session, const httplib::Request&) { return ListMarks(session); });
  GetRoute(server, context, "/api/tables",
           [](WorkspaceSession& session, const httplib::Request&) { return ListTables(session); });

  server.Get("/api/runs", [&context](const httplib::Request& request, httplib::Response& response) {
    if (!CheckAccess(request, response, context.options, Access::kRead)) return;
    RunFilter filter;
    filter.connector = request.get_param_value("connector");
    filter.status = request.get_param_value("status");
    if (request.has_param("limit")) {
      auto limit = ParseId(request.get_param_value("limit"));
      if (!limit || *limit < 1 || *limit > 1000)
        return BadParameter(response, "limit must be a whole number from 1 to 1000");
      filter.limit = *limit;
    }
    if (request.has_param("before_id")) {
      auto before = ParseId(request.get_param_value("before_id"));
      if (!before || *before < 1)
        return BadParameter(response, "before_id must be a run id (a whole number from 1)");
      filter.before_id = before;
    }
    Answer(context, request, response, Access::kRead,
           [&filter](WorkspaceSession& session, const httplib::Request&) {
             return ListRuns(session, filter);
           });
  });
  server.Get(R"(/api/runs/([^/]+))",
             [&context](const httplib::Request& request, httplib::Response& response) {
               if (!CheckAccess(request, response, context.options, Access::kRead)) return;
               auto id = ParseId(request.matches[1]);
               if (!id) return BadParameter(response, "a run id is a whole number");
               Answer(context, request, response, Access::kRead,
                      [id](WorkspaceSession& session, const httplib::Request&) {
                        return GetRun(session, *id);
                      });
             });

  server.Get("/api/jobs", [&context](const httplib::Request& request, httplib::Response& response) {
    if (!CheckAccess(request, response, context.options, Access::kRead)) return;
    SendJson(response, 200, context.jobs.List());
  });
  server.Get(R"(/api/jobs/([^/]+))",
             [&context](const httplib::Request& request, httplib::Response& response) {
               if (!CheckAccess(request, response, context.options, Access::kRead)) return;
               auto id = ParseId(request.matches[1]);
               if (!id) return BadParameter(response, "a job id is a whole number");
               auto job = context.jobs.Get(*id);
               if (!job.ok()) return SendError(response, job.status());
               SendJson(response, 200, *job);
             });

  server.Post("/api/sync", [&context](const httplib::Request& request,
                                      httplib::Response& response) {
    if (!CheckAccess(request, response, context.options, Access::kWrite)) return;
    auto body = ParseJsonBody(request, response);
    if (!body) return;
    SyncJobRequest sync;
    if (!StringMember(*body, "connector", sync.connector, response, true)) return;
    if (!StringMember(*body, "destination", sync.destination, response, false)) return;
    if (body->contains("entities") && !(*body)["entities"].is_null()) {
      const Value& entities = (*body)["entities"];
      if (!entities.is_array())
        return BadParameter(response, "\"entities\" must be an array of entity names");
      for (const Value& entity : entities) {
        if (!entity.is_string())
          return BadParameter(response, "\"entities\" must be an array of entity names");
        sync.entities.push_back(entity.get<std::string>());
      }
    }
    bool wait = false;
    for (auto [key, flag] : {std::pair<const char*, bool*>{"full", &sync.full}, {"wait", &wait}}) {
      if (!body->contains(key) || (*body)[key].is_null()) continue;
      if (!(*body)[key].is_boolean())
        return BadParameter(response, std::string("\"") + key + "\" must be true or false");
      *flag = (*body)[key].get<bool>();
    }
    auto id = context.jobs.Start(sync);
    if (!id.ok()) return SendError(response, id.status());
    auto job = wait ? context.jobs.Wait(*id) : context.jobs.Get(*id);
    if (!job.ok()) return SendError(response, job.status());
    SendJson(response, wait ? 200 : 202, *job);
  });

  server.Post(R"(/api/actions/([^/]+)/([^/]+))",
              [&context](const httplib::Request& request, httplib::Response& response) {
                if (!CheckAccess(request, response, context.options, Access::kWrite)) return;
                auto body = ParseJsonBody(request, response);
                if (!body) return;
                Value arguments = Value::object();
                if (body->contains("arguments") && !(*body)["arguments"].is_null()) {
                  if (!(*body)["arguments"].is_object())
                    return BadParameter(response, "\"arguments\" must be a JSON object");
                  arguments = (*body)["arguments"];
                }
                std::string connector = request.matches[1];
                std::string action = request.matches[2];
                Answer(context, request, response, Access::kWrite,
                       [&](WorkspaceSession& session, const httplib::Request&) {
                         return RunAction(session, connector, action, arguments);
                       });
              });

  server.Post("/api/marks/reset",
              [&context](const httplib::Request& request, httplib::Response& response) {
                if (!CheckAccess(request, response, context.options, Access::kWrite)) return;
                auto body = ParseJsonBody(request, response);
                if (!body) return;
                std::string connector, entity, destination;
                if (!StringMember(*body, "connector", connector, response, true)) return;
                if (!StringMember(*body, "entity", entity, response, true)) return;
                if (!StringMember(*body, "destination", destination, response, false)) return;
                Answer(context, request, response, Access::kWrite,
                       [&](WorkspaceSession& session, const httplib::Request&) {
                         return ResetMark(session, connector, entity, destination);
                       });
              });
}

}  // namespace sluice
