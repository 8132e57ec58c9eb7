// test_api_server: a small, deterministic HTTP API that misbehaves on purpose
// (429s with Retry-After, 5xx, slow responses, redirects, gzip, truncated
// JSON) and records every request it gets, for tests of the fetch runtime,
// connector actions, live queries and sync; plus two fake APIs, "forge"
// (GitHub-like) and "sheets" (Airtable-like), for table integrations. Every
// endpoint is documented in README.md beside this file; the state behind them
// is in test_api_state.h.
//
// Threading: httplib serves each connection on a pool thread. SIGTERM/SIGINT
// (and stdin EOF with --exit-on-stdin-eof) are taken on helper threads that
// stop the server.
#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "loopback_server.h"
#include "test_api_state.h"

namespace test_server {
namespace {

using httplib::Request;
using httplib::Response;
using Handler = httplib::Server::Handler;

constexpr int kPoolThreads = 128;    // >= 64 concurrent requests, with headroom
constexpr int kListenBacklog = 256;  // httplib listens with a backlog of 5; bursts need more

// httplib's Server, with a listen backlog big enough for bursts of
// concurrent connections (svr_sock_ is protected).
class Server : public httplib::Server {
 public:
  void WidenBacklog() { ::listen(svr_sock_, kListenBacklog); }
};

// The error bodies real APIs send: JSON without the `items` a naive
// handler reads (`return data.items` gives undefined).
void SendItemsFault(Response& res, int code) {
  switch (code) {
    case 401:
      return SendJson(res, 401, {{"error", "unauthorized"}, {"message", "Bad credentials"}});
    case 403:
      return SendJson(res, 403, {{"error", "forbidden"}, {"message", "Resource not accessible"}});
    case 404:
      return SendJson(res, 404, {{"error", "not found"}});
    case 429:
      res.set_header("Retry-After", "0");
      return SendJson(res, 429,
                      {{"error", "rate limited"}, {"message", "API rate limit exceeded"}});
    default:
      return SendJson(res, code, {{"error", "fault"}, {"status", code}});
  }
}

// Wraps a handler: logs the request, checks the bearer token when `auth`,
// and turns BadRequest or a JSON parse error into a 400.
Handler Route(State& st, bool auth, Handler h) {
  return [&st, auth, h = std::move(h)](const Request& req, Response& res) {
    st.Log(req);
    if (int fault = st.ItemsFault(); fault != 0 && req.path.starts_with("/items")) {
      return SendItemsFault(res, fault);
    }
    if (auth && !st.Authorized(req)) return SendJson(res, 401, {{"error", "unauthorized"}});
    try {
      h(req, res);
    } catch (const BadRequest& e) {
      SendJson(res, 400, {{"error", e.what()}});
    } catch (const Json::parse_error& e) {
      SendJson(res, 400, {{"error", std::string("invalid JSON body: ") + e.what()}});
    }
  };
}

// Route() for the fake APIs (/forge/*, /sheets/*): the request counts in the
// gauge (GET /api-stats) and waits --api-latency-ms before anything else,
// even a 401.
Handler ApiRoute(State& st, const Options& opts, Handler h) {
  return Route(st, false, [&st, &opts, h = std::move(h)](const Request& req, Response& res) {
    st.ApiEnter();
    struct Leave {
      State& st;
      ~Leave() { st.ApiLeave(); }
    } leave{st};
    if (opts.api_latency_ms > 0) st.Sleep(opts.api_latency_ms);
    if (!st.Authorized(req)) return SendJson(res, 401, {{"error", "unauthorized"}});
    h(req, res);
  });
}

void AnyMethod(Server& svr, const std::string& pattern, const Handler& h) {
  svr.Get(pattern, h).Post(pattern, h).Put(pattern, h).Patch(pattern, h).Delete(pattern, h);
  svr.Options(pattern, h);
}

void AddItemRoutes(Server& svr, State& st) {
  svr.Get("/items", Route(st, true, [&st](const Request& req, Response& res) {
            SendJson(res, 200, st.ListItems(req));
          }));
  svr.Post("/items", Route(st, true, [&st](const Request& req, Response& res) {
             SendJson(res, 201, st.CreateItem(Json::parse(req.body)));
           }));
  svr.Get("/items/([^/]+)", Route(st, true, [&st](const Request& req, Response& res) {
            auto item = st.GetItem(req.matches[1]);
            item ? SendJson(res, 200, *item) : SendJson(res, 404, {{"error", "not found"}});
          }));
  svr.Patch("/items/([^/]+)", Route(st, true, [&st](const Request& req, Response& res) {
              auto item = st.PatchItem(req.matches[1], Json::parse(req.body));
              item ? SendJson(res, 200, *item) : SendJson(res, 404, {{"error", "not found"}});
            }));
  svr.Delete("/items/([^/]+)", Route(st, true, [&st](const Request& req, Response& res) {
               if (st.DeleteItem(req.matches[1])) {
                 res.status = 204;
               } else {
                 SendJson(res, 404, {{"error", "not found"}});
               }
             }));
}

void AddFaultRoutes(Server& svr, State& st) {
  AnyMethod(svr, "/status/(\\d+)", Route(st, false, [](const Request& req, Response& res) {
              auto code = ParseInt(req.matches[1]);
              if (!code || *code < 200 || *code > 599) throw BadRequest("status must be 200..599");
              if (req.has_param("retry_after")) {
                res.set_header("Retry-After", req.get_param_value("retry_after"));
              }
              if (*code == 204 || *code == 304) {
                res.status = static_cast<int>(*code);
              } else {
                SendJson(res, static_cast<int>(*code), {{"status", *code}});
              }
            }));
  AnyMethod(svr, "/flaky/([^/]+)", Route(st, false, [&st](const Request& req, Response& res) {
              int64_t fail = IntParam(req, "fail", 1, 0, 1000000);
              int64_t code = IntParam(req, "code", 500, 400, 599);
              int64_t retry_after = IntParam(req, "retry_after", -1, 0, 86400);
              int64_t attempt = st.FlakyHit(req.matches[1]);
              if (attempt > fail) return SendJson(res, 200, {{"ok", true}, {"attempts", attempt}});
              if (req.get_param_value("retry_after_date") == "1") {
                std::time_t at = std::time(nullptr) + (retry_after < 0 ? 1 : retry_after);
                res.set_header("Retry-After", HttpDate(at));
              } else if (retry_after >= 0) {
                res.set_header("Retry-After", std::to_string(retry_after));
              }
              SendJson(res, static_cast<int>(code),
                       {{"error", "flaky failure"}, {"key", req.matches[1]}, {"attempt", attempt}});
            }));
  svr.Get(
      "/flaky/([^/]+)/count", Route(st, false, [&st](const Request& req, Response& res) {
        SendJson(res, 200, {{"key", req.matches[1]}, {"attempts", st.FlakyCount(req.matches[1])}});
      }));
  svr.Get("/slow", Route(st, false, [&st](const Request& req, Response& res) {
            int64_t ms = IntParam(req, "ms", 1000, 0, 600000);
            SendJson(res, 200, {{"slept", st.Sleep(ms)}});
          }));
  svr.Get("/inflight/hold", Route(st, false, [&st](const Request& req, Response& res) {
            int64_t ms = IntParam(req, "ms", 500, 0, 600000);
            int64_t now = st.InflightEnter();
            int64_t held = st.Sleep(ms);
            st.InflightLeave();
            SendJson(res, 200, {{"held_ms", held}, {"inflight_at_start", now}});
          }));
  svr.Get("/inflight/max", Route(st, false, [&st](const Request&, Response& res) {
            SendJson(res, 200, {{"max", st.InflightMax()}});
          }));
  svr.Post("/inflight/reset", Route(st, false, [&st](const Request&, Response& res) {
             st.InflightReset();
             SendJson(res, 200, {{"ok", true}});
           }));
  AnyMethod(svr, "/redirect", Route(st, false, [](const Request& req, Response& res) {
              int64_t code = IntParam(req, "code", 302, 300, 399);
              res.set_redirect(req.has_param("to") ? req.get_param_value("to") : "/echo",
                               static_cast<int>(code));
            }));
  svr.Get("/redirect-chain", Route(st, false, [](const Request& req, Response& res) {
            int64_t n = IntParam(req, "n", 3, 0, 1000);
            res.set_redirect(n <= 1 ? "/echo" : "/redirect-chain?n=" + std::to_string(n - 1), 302);
          }));
}

void AddPayloadRoutes(Server& svr, State& st) {
  svr.Get("/gzip", Route(st, false, [](const Request& req, Response& res) {
            int64_t rows = IntParam(req, "rows", 5, 0, 1000000);
            std::string body = R"({"compressed":true,"items":[)";
            for (int64_t i = 1; i <= rows; ++i) {
              if (i > 1) body += ',';
              AppendRow(body, i);
            }
            body += "]}";
            res.set_header("Content-Encoding", "gzip");
            SetBody(res, Gzip(body), "application/json");
          }));
  svr.Get("/malformed", Route(st, false, [](const Request&, Response& res) {
            SetBody(res, R"({"items": [1, 2)", "application/json");
          }));
  svr.Get("/text", Route(st, false, [](const Request&, Response& res) {
            SetBody(res, "hello from the test API server\n", "text/plain");
          }));
  AnyMethod(svr, "/echo", Route(st, false, [](const Request& req, Response& res) {
              SendJson(res, 200,
                       {{"method", req.method},
                        {"path", req.path},
                        {"query", QueryJson(req)},
                        {"headers", HeadersJson(req)},
                        {"body", req.body}});
            }));
  svr.Get("/big", Route(st, false, [](const Request& req, Response& res) {
            int64_t rows = IntParam(req, "rows", 1000, 0, 5000000);
            std::string body;
            body.reserve(static_cast<size_t>(rows) * 100 + 16);
            body += "{\"items\":[";
            for (int64_t i = 1; i <= rows; ++i) {
              if (i > 1) body += ',';
              AppendRow(body, i);
            }
            body += "]}";
            SetBody(res, body, "application/json");
          }));
  svr.Get(
      "/pages", Route(st, false, [](const Request& req, Response& res) {
        int64_t page = IntParam(req, "page", 1, 1, 1000000);
        int64_t per_page = IntParam(req, "per_page", 10, 1, 10000);
        int64_t total = IntParam(req, "total", 50, 0, 10000000);
        std::string body = "{\"items\":[";
        for (int64_t i = (page - 1) * per_page + 1; i <= std::min(page * per_page, total); ++i) {
          if (body.back() != '[') body += ',';
          AppendRow(body, i);
        }
        body += "],\"page\":" + std::to_string(page) + ",\"per_page\":" + std::to_string(per_page) +
                ",\"total\":" + std::to_string(total) +
                ",\"next_page\":" + (page * per_page < total ? std::to_string(page + 1) : "null") +
                "}";
        SetBody(res, body, "application/json");
      }));
}

// Faults of a hostile API (issue 13): each has its own path.
void AddHostileRoutes(Server& svr, State& st) {
  svr.Post("/fail-items", Route(st, false, [&st](const Request& req, Response& res) {
             int64_t code = IntParam(req, "code", 401, 0, 599);
             if (code != 0 && code < 400) throw BadRequest("code must be 0 or 400..599");
             st.SetItemsFault(static_cast<int>(code));
             SendJson(res, 200, {{"ok", true}, {"code", code}});
           }));
  svr.Get("/gzip-bomb", Route(st, false, [](const Request& req, Response& res) {
            int64_t mib = IntParam(req, "mib", 1024, 1, 4096);
            // Compressing a GiB takes seconds: each size is made once.
            static std::mutex mu;
            static std::map<int64_t, std::string> made;
            std::string body;
            {
              std::lock_guard lock(mu);
              auto found = made.find(mib);
              if (found == made.end()) found = made.emplace(mib, GzipBomb(mib)).first;
              body = found->second;
            }
            res.set_header("Content-Encoding", "gzip");
            SetBody(res, std::move(body), "application/json");
          }));
  // To the same path on http://localhost:PORT: another origin (the host
  // differs), served by this same server.
  AnyMethod(svr, "/redirect-cross-origin", Route(st, false, [](const Request& req, Response& res) {
              std::string path = req.has_param("to") ? req.get_param_value("to") : "/echo";
              res.set_redirect("http://localhost:" + std::to_string(req.local_port) + path, 302);
            }));
  svr.Get("/invalid-utf8", Route(st, false, [](const Request&, Response& res) {
            // "café" in Latin-1 (\xE9), and a lone continuation byte.
            SetBody(res,
                    "{\"items\":[{\"id\":1,\"name\":\"caf\xE9\"},{\"id\":2,\"name\":\"\x80ok\"},"
                    "{\"id\":3,\"name\":\"fine\"}]}",
                    "application/json");
          }));
  svr.Get("/huge-text", Route(st, false, [](const Request& req, Response& res) {
            int64_t bytes = IntParam(req, "bytes", 50 << 20, 0, 1 << 30);
            SetBody(res, std::string(static_cast<size_t>(bytes), 'x'), "text/plain");
          }));
}

void AddFakeApiRoutes(Server& svr, State& st, const Options& opts) {
  svr.Get("/forge/accounts/([^/]+)/repos",
          ApiRoute(st, opts, [&opts](const Request& req, Response& res) {
            int64_t page = IntParam(req, "page", 1, 1, 1000000);
            int64_t per_page = IntParam(req, "per_page", 2, 1, 100);
            auto body = ForgeRepos(opts, req.matches[1], page, per_page);
            body ? SendJson(res, 200, *body)
                 : SendJson(res, 404, {{"error", "unknown account: " + req.matches[1].str()}});
          }));
  svr.Get("/forge/repos/([^/]+)/issues",
          ApiRoute(st, opts, [&opts](const Request& req, Response& res) {
            int64_t page = IntParam(req, "page", 1, 1, 1000000);
            int64_t per_page = IntParam(req, "per_page", 3, 1, 100);
            auto body = ForgeIssues(opts, req.matches[1], page, per_page);
            body ? SendJson(res, 200, *body)
                 : SendJson(res, 404, {{"error", "unknown repo: " + req.matches[1].str()}});
          }));
  svr.Get("/sheets/meta", ApiRoute(st, opts, [](const Request&, Response& res) {
            SendJson(res, 200, SheetsMeta());
          }));
  svr.Get("/sheets/tables/([^/]+)/records",
          ApiRoute(st, opts, [](const Request& req, Response& res) {
            int64_t page_size = IntParam(req, "page_size", 4, 1, 100);
            auto body = SheetsRecords(req.matches[1], req.get_param_value("offset"), page_size);
            body ? SendJson(res, 200, *body)
                 : SendJson(res, 404, {{"error", "unknown table: " + req.matches[1].str()}});
          }));
  // Any other path under the fake APIs: the usual 404, but counted and delayed.
  svr.Get("/(forge|sheets)/.*", ApiRoute(st, opts, [](const Request& req, Response& res) {
            SendJson(res, 404, {{"error", "not found"}, {"status", 404}, {"path", req.path}});
          }));
  svr.Get("/api-stats", Route(st, false, [&st](const Request&, Response& res) {
            SendJson(res, 200, st.ApiStats());
          }));
  svr.Post("/api-stats/reset", Route(st, false, [&st](const Request&, Response& res) {
             st.ApiStatsReset();
             SendJson(res, 200, {{"ok", true}});
           }));
}

void AddControlRoutes(Server& svr, State& st) {
  svr.Get("/requests", Route(st, false, [&st](const Request&, Response& res) {
            SendJson(res, 200, st.RequestLog());
          }));
  svr.Post("/requests/reset", Route(st, false, [&st](const Request&, Response& res) {
             st.ResetLog();
             SendJson(res, 200, {{"ok", true}});
           }));
  svr.Post("/reset", Route(st, false, [&st](const Request&, Response& res) {
             st.ResetAll();
             SendJson(res, 200, {{"ok", true}});
           }));
  // Unrouted requests (and httplib's own 4xx) get logged and a JSON body;
  // responses our handlers built have a Content-Type and pass through.
  svr.set_error_handler(
      httplib::Server::HandlerWithResponse([&st](const Request& req, Response& res) {
        if (res.has_header("Content-Type")) return httplib::Server::HandlerResponse::Unhandled;
        st.Log(req);
        SendJson(res, res.status,
                 {{"error", res.status == 404 ? "not found" : "bad request"},
                  {"status", res.status},
                  {"path", req.path}});
        return httplib::Server::HandlerResponse::Handled;
      }));
}

int Usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--port N] [--port-file PATH] [--token TOKEN] [--items N] "
               "[--forge-repos N] [--forge-accounts N] [--api-latency-ms N] [--exit-on-stdin-eof]\n",
               argv0);
  return 2;
}

// Accepts "--name value" and "--name=value".
std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--exit-on-stdin-eof") {
      o.exit_on_stdin_eof = true;
      continue;
    }
    std::string value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    auto number = ParseInt(value);
    if (arg == "--port" && number && *number >= 0 && *number < 65536) {
      o.port = static_cast<int>(*number);
    } else if (arg == "--items" && number && *number >= 0) {
      o.items = *number;
    } else if (arg == "--forge-repos" && number && *number >= 0 && *number <= 10000) {
      o.forge_repos = *number;
    } else if (arg == "--forge-accounts" && number && *number >= 1 && *number <= 1000) {
      o.forge_accounts = *number;
    } else if (arg == "--api-latency-ms" && number && *number >= 0 && *number <= 600000) {
      o.api_latency_ms = *number;
    } else if (arg == "--port-file" && !value.empty()) {
      o.port_file = value;
    } else if (arg == "--token" && !value.empty()) {
      o.token = value;
    } else {
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace
}  // namespace test_server

int main(int argc, char** argv) {
  using namespace test_server;
  auto opts = ParseArgs(argc, argv);
  if (!opts) return Usage(argv[0]);

  sigset_t stop_signals = loopback_server::BlockStopSignals();

  State st(*opts);
  Server svr;
  // httplib takes ownership of the queue it is handed.
  svr.new_task_queue = [] { return new httplib::ThreadPool(kPoolThreads); };
  AddItemRoutes(svr, st);
  AddFaultRoutes(svr, st);
  AddPayloadRoutes(svr, st);
  AddHostileRoutes(svr, st);
  AddFakeApiRoutes(svr, st, *opts);
  AddControlRoutes(svr, st);
  loopback_server::UsePlainSockets(svr);

  int port = loopback_server::BindLoopback(svr, opts->port);
  if (port <= 0) {
    std::fprintf(stderr, "test_api_server: cannot bind 127.0.0.1:%d\n", opts->port);
    return 1;
  }
  svr.WidenBacklog();
  if (!opts->port_file.empty() && !loopback_server::WritePortFile(opts->port_file, port)) {
    std::fprintf(stderr, "test_api_server: cannot write %s\n", opts->port_file.c_str());
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  // Requests sleeping in /slow or /inflight/hold return at once.
  loopback_server::WatchForStop(svr, stop_signals, opts->exit_on_stdin_eof, [&st] { st.BeginStop(); });

  svr.listen_after_bind();
  // Detached helper threads may still touch `svr`; skip destructors.
  std::fflush(stdout);
  std::_Exit(0);
}
