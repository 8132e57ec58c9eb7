#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "core/file_util.h"
#include "core/secret_masker.h"
#include "server/http_server.h"
#include "server/mcp_server.h"
#include "server/served_workspace.h"

namespace sluice {
namespace {

std::string RandomToken() {
  std::random_device device;  // getrandom(2) on Linux
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 32; ++i) {
    unsigned byte = device() & 0xff;
    token += kHex[byte >> 4];
    token += kHex[byte & 0xf];
  }
  return token;
}

// "HOST:PORT", "[::1]:PORT" or ":PORT" (loopback).
Status ParseListen(const std::string& listen, ServeOptions& options) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status(ErrorKind::kInvalidArgument, "--listen wants HOST:PORT, not '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return Status(ErrorKind::kInvalidArgument, "--listen: '" + port_text + "' is not a port (0-65535)");
  }
  options.host = host;
  options.port = static_cast<int>(port);
  return Status();
}

Status LoadToken(const std::string& token_file, ServeOptions& options, bool& generated) {
  generated = false;
  if (!token_file.empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> content, ReadFileCapped(token_file, 4096));
    if (!content) return Status(ErrorKind::kIo, "token file '" + token_file + "' does not exist");
    std::string text = std::move(*content);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (text.size() < 16) return Status(ErrorKind::kInvalidArgument, "the token in '" + token_file + "' is shorter than 16 characters");
    options.token = text;
  } else if (const char* env = std::getenv("SLUICE_SERVE_TOKEN"); env && *env) {
    options.token = env;
    if (options.token.size() < 16) return Status(ErrorKind::kInvalidArgument, "SLUICE_SERVE_TOKEN is shorter than 16 characters");
  } else {
    options.token = RandomToken();
    generated = true;
  }
  // The token is a secret like any other: never echoed in a response or log.
  SecretMasker::Global().Add(options.token);
  return Status();
}

void PrintError(const Status& status) { std::fprintf(stderr, "error: %s\n", SecretMasker::Global().Mask(status.ToString()).c_str()); }

}  // namespace

ServeCommands::ServeCommands(CLI::App& app, const std::string& workspace) : workspace_(workspace) {
  serve_ = app.add_subcommand("serve", "serve the workspace: HTTP JSON API, MCP at /mcp and the web console");
  serve_->add_option("workspace", workspace_arg_, "workspace file (default ./sluice.db)");
  serve_->add_option("--listen", listen_, "HOST:PORT to listen on (default 127.0.0.1:8765; port 0: any free port)");
  serve_->add_flag("--allow-writes", options_.allow_writes, "allow syncs, actions and mark resets (token required)");
  serve_->add_option("--token-file", token_file_, "file holding the bearer token (else SLUICE_SERVE_TOKEN, else a random one)");
  serve_->add_option("--cors", options_.cors_origin, "allow this browser origin (or *) to call the API");
  serve_->add_option("--max-rows", options_.max_row_cap, "the most rows one query may return")->check(CLI::Range(1, 100000000));
  serve_->add_option("--query-timeout-ms", options_.query_timeout, "a query's time limit in ms");
  serve_->add_option("--max-connections", options_.max_connections,
                     "connections served at once, one thread each (default 64); more wait their turn")
      ->check(CLI::Range(1, 4096));
  serve_->add_option("--max-value-bytes", options_.max_value_bytes,
                     "the longest text or blob a query may make or read (default 32 MiB)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30));
  serve_->add_option("--max-response-bytes", options_.max_response_bytes,
                     "a JSON query answer stops taking rows past this size (default 64 MiB)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32));
  mcp_ = app.add_subcommand("mcp", "the MCP server over stdio (newline-delimited JSON-RPC)");
  mcp_->add_option("workspace", workspace_arg_, "workspace file (default ./sluice.db)");
  mcp_->add_flag("--allow-writes", options_.allow_writes, "offer the run_sync and run_action tools");
  mcp_->add_option("--max-rows", options_.max_row_cap, "the most rows one query may return")->check(CLI::Range(1, 100000000));
  mcp_->add_option("--query-timeout-ms", options_.query_timeout, "a query's time limit in ms");
  mcp_->add_option("--max-value-bytes", options_.max_value_bytes,
                   "the longest text or blob a query may make or read (default 32 MiB)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30));
  mcp_->add_option("--max-response-bytes", options_.max_response_bytes,
                   "a query answer stops taking rows past this size (default 64 MiB)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32));
}

bool ServeCommands::parsed() const { return serve_->parsed() || mcp_->parsed(); }

int ServeCommands::Run() {
  options_.workspace_path = workspace_arg_.empty() ? workspace_ : workspace_arg_;
  if (options_.default_row_cap > options_.max_row_cap) options_.default_row_cap = options_.max_row_cap;
  if (mcp_->parsed()) return RunMcpStdio(options_);

  if (Status status = ParseListen(listen_, options_); !status.ok()) {
    PrintError(status);
    return 2;
  }
  bool generated = false;
  if (Status status = LoadToken(token_file_, options_, generated); !status.ok()) {
    PrintError(status);
    return 2;
  }
  // SIGINT and SIGTERM are taken by a thread of their own (sigwait), so no
  // handler runs inside the server's threads; blocked before any starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that goes away mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);

  Result<std::vector<std::string>> notes = PrepareServedWorkspace(options_);
  if (!notes.ok()) {
    PrintError(notes.status());
    return 1;
  }
  for (const std::string& note : *notes) std::fprintf(stderr, "note: %s\n", SecretMasker::Global().Mask(note).c_str());
  HttpServer server(options_);
  Result<int> port = server.Bind();
  if (!port.ok()) {
    PrintError(port.status());
    return 1;
  }
  std::string host = options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  std::string base = "http://" + host + ":" + std::to_string(*port);
  std::printf("listening on %s\n", base.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "sluice serve: workspace %s\n", options_.workspace_path.c_str());
  std::fprintf(stderr, "  console  %s/\n", base.c_str());
  std::fprintf(stderr, "  API      curl %s/api/connectors\n", base.c_str());
  std::fprintf(stderr, "  MCP      %s/mcp (Streamable HTTP)\n", base.c_str());
  if (options_.allow_writes) {
    if (generated) {
      // Printed once, to the terminal that started the server, as Jupyter
      // does; the console reads it from the address's #fragment, which a
      // browser never sends to a server.
      std::fprintf(stderr, "  writes   allowed with the token: open %s/#token=%s\n", base.c_str(), options_.token.c_str());
    } else {
      std::fprintf(stderr, "  writes   allowed with the token you gave\n");
    }
  } else {
    std::fprintf(stderr, "  writes   off (--allow-writes turns them on)\n");
  }
  std::fflush(stderr);

  std::thread stopper([&server, stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.Stop();
  });
  Status status = server.Run();
  // Wake the stopper if the server ended on its own.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  if (!status.ok()) {
    PrintError(status);
    return 1;
  }
  return 0;
}

}  // namespace sluice
