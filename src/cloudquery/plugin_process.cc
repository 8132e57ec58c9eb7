// PluginProcess: a local plugin started the way the CloudQuery CLI starts
// one (plugin-pb-go managedplugin: Setpgid, `serve … --network unix
// --address /tmp/cq-<16 letters>.sock`, JSON log lines on stdout, 3 start
// attempts 1 s apart, SIGINT then SIGKILL after 5 s, socket removed).
//
// posix_spawn, not fork: gRPC may already run threads in this process, and
// nothing but exec may happen between fork and exec then.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "cloudquery/plugin_client.h"
#include "core/interrupt.h"
#include "core/secret_masker.h"
#include "core/utf8.h"

extern char** environ;

namespace sluice::cq {

namespace {

constexpr size_t kMaxLogLine = 1000;  // the CLI truncates longer lines
constexpr int kStartAttempts = 3;
constexpr auto kStopGrace = std::chrono::seconds(5);

std::string RandomLetters(size_t count) {
  static const char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
  std::random_device device;
  std::mt19937_64 generator(device());
  std::uniform_int_distribution<size_t> pick(0, 25);
  std::string letters;
  for (size_t i = 0; i < count; ++i) letters += kLetters[pick(generator)];
  return letters;
}

// os.TempDir() as Go reads it, unless it would make a socket path longer
// than sun_path holds.
std::string SocketDirectory() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string directory = tmpdir && *tmpdir ? tmpdir : "/tmp";
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  if (directory.size() + 32 >= sizeof(sockaddr_un::sun_path)) directory = "/tmp";
  return directory;
}

Result<int> FreeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(ErrorKind::kIo, std::string("socket(): ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  int saved = errno;
  ::close(fd);
  if (port < 0)
    return Status(ErrorKind::kIo, std::string("finding a free TCP port: ") + std::strerror(saved));
  return port;
}

// Whether something accepts connections there (the CLI's blocking dial).
bool Answers(const std::string& socket_path, int port) {
  int fd = -1;
  int result = -1;
  if (!socket_path.empty()) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
    result = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  } else {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    result = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  }
  ::close(fd);
  return result == 0;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::strsignal(WTERMSIG(status));
    return "was killed by signal " + std::to_string(WTERMSIG(status)) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "ended with wait status " + std::to_string(status);
}

// One line of the plugin's stdout as (level, message): a JSON log line's
// level and message (its other fields appended), anything else as level
// "unknown".
std::pair<std::string, std::string> ParseLogLine(const std::string& line, bool truncated) {
  if (!truncated) {
    Value parsed = Value::parse(line, nullptr, false);
    if (parsed.is_object() && parsed.contains("level") && parsed["level"].is_string()) {
      std::string level = parsed["level"].get<std::string>();
      std::string message;
      for (const char* key : {"message", "msg"}) {
        if (parsed.contains(key) && parsed[key].is_string()) {
          message = parsed[key].get<std::string>();
          parsed.erase(key);
          break;
        }
      }
      parsed.erase("level");
      for (const char* key : {"time", "timestamp"}) parsed.erase(key);
      for (const auto& [key, value] : parsed.items()) {
        message += (message.empty() ? "" : " ") + key + "=" +
                   (value.is_string() ? value.get<std::string>() : value.dump());
      }
      return {level, message};
    }
  }
  return {"unknown", truncated ? line + "…" : line};
}

// A relayed line as it may reach a terminal and an error message: the
// plugin was given the spec, so secret values are masked; control
// characters (but tab) are shown as \xNN, so an ESC sequence cannot drive
// the terminal; invalid UTF-8 is replaced.
std::string SafeLine(const std::string& text) {
  std::string valid = ReplaceInvalidUtf8(SecretMasker::Global().Mask(text));
  std::string safe;
  safe.reserve(valid.size());
  for (unsigned char c : valid) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      safe += escaped;
    } else {
      safe += static_cast<char>(c);
    }
  }
  return safe;
}

// Splits what a pipe delivers into lines of at most kMaxLogLine bytes.
struct LineSplitter {
  std::string pending;
  bool truncating = false;
  template <typename Emit>
  void Feed(const char* data, size_t size, Emit&& emit) {
    for (size_t i = 0; i < size; ++i) {
      char c = data[i];
      if (c == '\n') {
        if (!pending.empty() && pending.back() == '\r') pending.pop_back();
        if (!pending.empty()) emit(pending, truncating);
        pending.clear();
        truncating = false;
      } else if (pending.size() < kMaxLogLine) {
        pending += c;
      } else {
        truncating = true;
      }
    }
  }
  template <typename Emit>
  void Flush(Emit&& emit) {
    if (!pending.empty()) emit(pending, truncating);
    pending.clear();
    truncating = false;
  }
};

}  // namespace

struct PluginProcess::Impl {
  LaunchOptions options;
  std::string socket_path;  // "" for TCP
  int port = 0;
  std::string target;
  pid_t pid = 0;
  bool reaped = false;
  int wait_status = 0;
  bool stopped = false;
  Status stop_status;

  int stdout_fd = -1;
  int stderr_fd = -1;
  std::thread reader;
  std::atomic<bool> stop_reading{false};
  std::mutex mutex;
  std::deque<std::string> recent;  // the last log lines, for error messages

  ~Impl() {
    JoinReader();
    RemoveSocket();
  }

  void RemoveSocket() {
    if (!socket_path.empty()) ::unlink(socket_path.c_str());
  }

  void Log(const std::string& level, const std::string& raw_message) {
    std::string message = SafeLine(raw_message);
    {
      std::lock_guard<std::mutex> lock(mutex);
      recent.push_back(level + ": " + message);
      if (recent.size() > 5) recent.pop_front();
    }
    if (options.log) options.log(level, message);
  }

  std::string RecentLines() {
    std::lock_guard<std::mutex> lock(mutex);
    std::string text;
    for (const std::string& line : recent) text += (text.empty() ? "" : " | ") + line;
    return text;
  }

  void ClearRecent() {
    std::lock_guard<std::mutex> lock(mutex);
    recent.clear();
  }

  // stdout and stderr, both as log lines: a plugin may log to either, and
  // what it writes to stderr is as likely to hold a spec value.
  void ReadLoop() {
    LineSplitter splitters[2];
    int fds[2] = {stdout_fd, stderr_fd};
    auto emit = [this](const std::string& line, bool truncated) {
      auto [level, message] = ParseLogLine(line, truncated);
      Log(level, message);
    };
    char buffer[4096];
    while (fds[0] >= 0 || fds[1] >= 0) {
      pollfd poll_fds[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
      int ready = ::poll(poll_fds, 2, 100);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) break;
      if (ready == 0) {
        if (stop_reading) break;
        continue;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i] < 0 || poll_fds[i].revents == 0) continue;
        ssize_t got = ::read(fds[i], buffer, sizeof(buffer));
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) {
          fds[i] = -1;  // closed; the fd itself is closed by JoinReader
          continue;
        }
        splitters[i].Feed(buffer, static_cast<size_t>(got), emit);
      }
    }
    for (LineSplitter& splitter : splitters) splitter.Flush(emit);
  }

  void JoinReader() {
    if (reader.joinable()) {
      stop_reading = true;
      reader.join();
    }
    for (int* fd : {&stdout_fd, &stderr_fd}) {
      if (*fd >= 0) {
        ::close(*fd);
        *fd = -1;
      }
    }
  }

  bool Reap(bool block) {
    if (pid <= 0 || reaped) return reaped;
    while (true) {
      int status = 0;
      pid_t got = ::waitpid(pid, &status, block ? 0 : WNOHANG);
      if (got == pid) {
        reaped = true;
        wait_status = status;
        return true;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {  // not our child any more (someone else reaped it)
        reaped = true;
        wait_status = 0;
        return true;
      }
      return false;
    }
  }

  // Sends `signal` to the plugin's process group (the plugin and whatever
  // it started), or to the plugin alone if the group is gone.
  void Signal(int signal) {
    if (pid <= 0 || reaped) return;
    if (::kill(-pid, signal) != 0) ::kill(pid, signal);
  }

  Status Spawn(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
      return Status(ErrorKind::kIo, std::string("pipe(): ") + std::strerror(errno));
    int error_fds[2];
    if (::pipe2(error_fds, O_CLOEXEC) != 0) {
      int saved = errno;
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      return Status(ErrorKind::kIo, std::string("pipe(): ") + std::strerror(saved));
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, error_fds[1], STDERR_FILENO);
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    for (int signal : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD})
      sigaddset(&defaults, signal);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(
        &attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t child = 0;
    int error = ::posix_spawn(&child, options.executable.c_str(), &actions, &attributes,
                              args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(pipe_fds[1]);
    ::close(error_fds[1]);
    if (error != 0) {
      ::close(pipe_fds[0]);
      ::close(error_fds[0]);
      return Status(ErrorKind::kIo,
                    "cannot start plugin '" + options.executable + "': " + std::strerror(error));
    }
    pid = child;
    reaped = false;
    stdout_fd = pipe_fds[0];
    stderr_fd = error_fds[0];
    stop_reading = false;
    reader = std::thread([this] { ReadLoop(); });
    return Status::Ok();
  }

  // Waits until the socket answers, the process exits, or the attempt's
  // time is up; "" when it answers, else why not.
  std::string AwaitSocket() {
    auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
    while (true) {
      if (Answers(socket_path, port)) return "";
      if (Reap(false)) return "it " + DescribeExit(wait_status) + " before listening";
      if (InterruptRequested()) return "its start was cancelled (Ctrl-C)";
      if (std::chrono::steady_clock::now() >= deadline) {
        return "its socket did not answer within " + std::to_string(options.start_timeout.count()) +
               " ms";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }

  void Kill() {
    Signal(SIGKILL);
    Reap(true);
    JoinReader();
    RemoveSocket();
  }
};

Result<std::unique_ptr<PluginProcess>> PluginProcess::Launch(const LaunchOptions& options) {
  struct stat info {};
  if (options.executable.empty()) {
    return Status(ErrorKind::kInvalidArgument, "a local plugin needs the path of its executable");
  }
  if (::stat(options.executable.c_str(), &info) != 0) {
    return Status(ErrorKind::kNotFound,
                  "plugin executable '" + options.executable + "' does not exist");
  }
  if (S_ISDIR(info.st_mode)) {
    return Status(ErrorKind::kInvalidArgument, "plugin executable '" + options.executable +
                                                   "' is a directory, not an executable file");
  }
  if (::access(options.executable.c_str(), X_OK) != 0) {
    return Status(ErrorKind::kInvalidArgument,
                  "plugin executable '" + options.executable + "' is not executable (chmod +x it)");
  }
  std::unique_ptr<PluginProcess> process(new PluginProcess());
  process->impl_ = std::make_unique<Impl>();
  Impl& impl = *process->impl_;
  impl.options = options;
  std::string failures;
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    if (attempt > 1 && InterruptRequested()) break;
    if (attempt > 1) std::this_thread::sleep_for(std::chrono::seconds(1));
    std::vector<std::string> argv = {options.executable, "serve",        "--log-level",
                                     options.log_level,  "--log-format", "json"};
    if (options.tcp) {
      ASSIGN_OR_RETURN(impl.port, FreeTcpPort());
      impl.socket_path.clear();
      impl.target = "127.0.0.1:" + std::to_string(impl.port);
      if (!options.js_style) argv.insert(argv.end(), {"--network", "tcp"});
      argv.insert(argv.end(), {"--address", impl.target});
    } else {
      impl.socket_path = SocketDirectory() + "/cq-" + RandomLetters(16) + ".sock";
      impl.target = "unix:" + impl.socket_path;
      if (options.js_style) {
        argv.insert(argv.end(), {"--address", impl.target});
      } else {
        argv.insert(argv.end(), {"--network", "unix", "--address", impl.socket_path});
      }
    }
    argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
    impl.ClearRecent();  // each attempt's failure quotes its own log only
    RETURN_IF_ERROR(impl.Spawn(argv));
    std::string why = impl.AwaitSocket();
    if (why.empty()) return process;
    impl.Kill();
    std::string recent = impl.RecentLines();
    failures += "; attempt " + std::to_string(attempt) + ": " + why +
                (recent.empty() ? "" : " (its log: " + recent + ")");
  }
  impl.stopped = true;
  return Status(ErrorKind::kConnector, "plugin '" + options.executable + "' did not start after " +
                                           std::to_string(kStartAttempts) + " attempts" + failures);
}

PluginProcess::~PluginProcess() {
  if (!impl_) return;
  bool stopped_before = impl_->stopped;  // then the caller got its status already
  Status stopped = Stop();
  // Nobody is left to return it to: the plugin's own log is where it goes.
  if (!stopped_before && !stopped.ok() && impl_->options.log)
    impl_->options.log("error", stopped.message());
}

const std::string& PluginProcess::target() const { return impl_->target; }
const std::string& PluginProcess::executable() const { return impl_->options.executable; }
int PluginProcess::pid() const { return impl_->reaped ? 0 : impl_->pid; }

bool PluginProcess::Exited(std::string* how) {
  if (!impl_->Reap(false)) return false;
  if (how) *how = DescribeExit(impl_->wait_status);
  return true;
}

Status PluginProcess::Stop() {
  Impl& impl = *impl_;
  if (impl.stopped) return impl.stop_status;
  impl.stopped = true;
  std::string label = "plugin '" + impl.options.executable + "'";
  bool exited_before = impl.Reap(false);
  bool killed = false;
  if (!exited_before) {
    impl.Signal(SIGINT);
    auto deadline = std::chrono::steady_clock::now() + kStopGrace;
    while (!impl.Reap(false) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!impl.reaped) {
      killed = true;
      impl.Signal(SIGKILL);
      impl.Reap(true);
    }
  }
  // Whatever it started in its group goes with it.
  if (impl.pid > 0) ::kill(-impl.pid, SIGKILL);
  impl.JoinReader();
  impl.RemoveSocket();
  int status = impl.wait_status;
  if (killed) {
    impl.stop_status =
        Status(ErrorKind::kConnector, label + " did not stop within 5 s of SIGINT and was killed");
  } else if (exited_before && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    impl.stop_status =
        Status(ErrorKind::kConnector, label + " " + DescribeExit(status) + " while in use");
  } else {
    bool clean =
        (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 128 + SIGINT)) ||
        (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
    if (!clean)
      impl.stop_status =
          Status(ErrorKind::kConnector, label + " " + DescribeExit(status) + " when stopped");
  }
  return impl.stop_status;
}

}  // namespace sluice::cq
