// `sluice mcp`: MCP over stdio (newline-delimited JSON-RPC), mcp_server.h.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/secret_masker.h"
#include "server/mcp_server.h"
#include "server/served_workspace.h"
#include "server/session.h"
#include "server/sync_jobs.h"

namespace sluice {
namespace {

constexpr size_t kMaxLine = 16u << 20;

// The protocol's own copy of stdout, closed on every path.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void Log(const std::string& text) {
  std::string line = "sluice mcp: " + SecretMasker::Global().Mask(text) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

bool WriteAll(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

int RunMcpStdio(const ServeOptions& options) {
  // A client that closes its end is seen as a failed write, not a signal.
  signal(SIGPIPE, SIG_IGN);
  std::fflush(stdout);
  Descriptor protocol(fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
  if (protocol.get() < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    Log(std::string("cannot set up stdout: ") + std::strerror(errno));
    return 1;
  }
  {
    // Fail at once, with the reason on stderr, rather than on every call.
    Result<std::vector<std::string>> notes = PrepareServedWorkspace(options);
    if (!notes.ok()) {
      Log("cannot open the workspace " + options.workspace_path + ": " + notes.status().ToString());
      return 1;
    }
    for (const std::string& note : *notes) Log(note);
  }
  Log("serving workspace " + options.workspace_path + " over stdio" +
      (options.allow_writes ? " (writes allowed: run_sync, run_action)" : " (read-only tools)"));
  SyncJobs jobs(options);
  McpServer server(options, jobs);

  auto answer = [&](const std::string& line, bool too_long) {
    std::optional<Value> response;
    if (too_long) {
      response = Value{
          {"jsonrpc", "2.0"},
          {"id", nullptr},
          {"error",
           {{"code", -32700}, {"message", "parse error: the message is longer than 16 MiB"}}}};
    } else if (!IsBlank(line)) {
      response = server.HandleText(line);
    }
    if (!response) return true;
    std::string text = response->dump(-1, ' ', false, Value::error_handler_t::replace);
    text += '\n';
    return WriteAll(protocol.get(), text);
  };

  std::string line;
  bool too_long = false;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Log(std::string("reading stdin: ") + std::strerror(errno));
      return 1;
    }
    if (n == 0) break;
    const char* data = buffer;
    size_t left = static_cast<size_t>(n);
    while (left > 0) {
      const char* newline = static_cast<const char*>(std::memchr(data, '\n', left));
      size_t chunk = newline ? static_cast<size_t>(newline - data) : left;
      // An over-long line is dropped as it arrives, so it never takes more
      // than the limit in memory.
      if (!too_long && line.size() + chunk > kMaxLine) {
        too_long = true;
        line.clear();
        line.shrink_to_fit();
      }
      if (!too_long) line.append(data, chunk);
      if (!newline) break;
      if (!answer(line, too_long)) {
        Log("stdout is closed; stopping");
        return 1;
      }
      line.clear();
      too_long = false;
      data = newline + 1;
      left -= chunk + 1;
    }
  }
  // The last message may end without a newline.
  if ((too_long || !line.empty()) && !answer(line, too_long)) return 1;
  return 0;
}

}  // namespace sluice
