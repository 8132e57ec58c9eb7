#include "server/http_server.h"

#include <httplib.h>

#include <algorithm>

#include "server/http_util.h"

namespace sluice {

HttpServer::HttpServer(ServeOptions options)
    : context_(std::make_unique<ServerContext>(std::move(options))), server_(std::make_unique<httplib::Server>()) {}

HttpServer::~HttpServer() {
  Stop();
  // Routes borrow the context: the server (and its pool) goes first.
  server_.reset();
}

Result<int> HttpServer::Bind() {
  const ServeOptions& options = context_->options;
  if (options.token.empty()) return Status(ErrorKind::kInternal, "sluice serve started without a token");
  // httplib gives each connection a thread of its pool for as long as the
  // connection lasts, idle keep-alive included; its default pool of 8 let
  // 8 idle sockets stop the server. A larger pool, a short wait for a
  // request's bytes and few requests per connection bound what a slow
  // client holds (docs/serve.md, "Security").
  const size_t threads = static_cast<size_t>(std::max(options.max_connections, 1));
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_read_timeout(10, 0);
  server_->set_write_timeout(30, 0);
  server_->set_keep_alive_timeout(5);
  server_->set_keep_alive_max_count(5);
  server_->set_payload_max_length(8u << 20);
  server_->set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    AddCorsHeaders(request, response, context_->options);
    if (request.method == "OPTIONS") {
      AnswerPreflight(request, response, context_->options);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
    std::string what = "unexpected error";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& exception) {
      what = exception.what();
    } catch (...) {
    }
    SendEdgeError(response, 500, "internal_error", what);
  });
  MountApi(*server_, *context_);
  MountQueryApi(*server_, *context_);
  MountMcp(*server_, *context_);
  MountConsole(*server_, *context_);
  server_->set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (response.status == 404 && response.body.empty()) {
      SendEdgeError(response, 404, "not_found", "no route for " + request.method + " " + request.path);
    } else if (response.status >= 400 && response.body.empty()) {
      // httplib's own refusals (414 URI too long, 413, 400 bad request
      // line) are JSON errors too; the path is not echoed, it may be huge.
      SendEdgeError(response, response.status, "invalid_argument",
                    "request refused by the HTTP layer (status " + std::to_string(response.status) + ")");
    }
  });
  int port = options.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options.host);
    if (port <= 0) return Status(ErrorKind::kIo, "cannot listen on " + options.host + " (any port)");
  } else if (!server_->bind_to_port(options.host, port)) {
    return Status(ErrorKind::kIo, "cannot listen on " + options.host + ":" + std::to_string(port) +
                                      " (in use, or not an address of this machine)");
  }
  return port;
}

Status HttpServer::Run() {
  if (!server_->listen_after_bind()) return Status(ErrorKind::kIo, "the server stopped listening");
  return Status();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
}

}  // namespace sluice
