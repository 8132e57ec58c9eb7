// bench_measure: runs one command and records what it cost — wall time, peak
// RSS, user and system CPU — as JSON, for the benchmark harness (make bench).
//
//   build/bench_measure OUT_JSON -- COMMAND [ARGS…]
//
// The command's stdin, stdout and stderr are this process's. When it ends,
// OUT_JSON gets {"wall_ms": W, "max_rss_kib": R, "exit": E, "user_ms": U,
// "sys_ms": S} (from wait4; max_rss_kib is the command's peak, or its largest
// waited-for descendant's) and bench_measure exits with the command's status:
// its exit code, or 128 + the signal that killed it (also what "exit" says).
// A command that cannot be started exits 127. While it runs, SIGINT and
// SIGQUIT are ignored here (the command, in the same process group, gets them
// from the terminal) and SIGTERM/SIGHUP are passed on to it.
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

volatile sig_atomic_t child_pid = 0;

void Forward(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

double Ms(const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1000.0 + tv.tv_usec / 1000.0; }

// Written under a temporary name and renamed, so a reader never sees a partial file.
bool WriteResult(const std::string& path, const std::string& json) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return false;
  bool ok = std::fputs(json.c_str(), f) >= 0;
  ok = std::fclose(f) == 0 && ok;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: %s OUT_JSON -- COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  std::string out = argv[1];
  char** command = argv + 3;

  struct sigaction ignore {}, forward{}, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  forward.sa_handler = Forward;
  sigemptyset(&ignore.sa_mask);
  sigemptyset(&forward.sa_mask);
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  sigaction(SIGTERM, &forward, nullptr);
  sigaction(SIGHUP, &forward, nullptr);

  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("bench_measure: fork");
    return 127;
  }
  if (pid == 0) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    execvp(command[0], command);
    std::fprintf(stderr, "bench_measure: cannot run %s: %s\n", command[0], std::strerror(errno));
    _exit(127);
  }
  child_pid = pid;

  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::perror("bench_measure: wait4");
      return 127;
    }
  }
  double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127;

  char json[256];
  std::snprintf(json, sizeof json,
                "{\"wall_ms\": %.3f, \"max_rss_kib\": %ld, \"exit\": %d, \"user_ms\": %.3f, \"sys_ms\": %.3f}\n",
                wall_ms, usage.ru_maxrss, exit_code, Ms(usage.ru_utime), Ms(usage.ru_stime));
  if (!WriteResult(out, json)) {
    std::fprintf(stderr, "bench_measure: cannot write %s: %s\n", out.c_str(), std::strerror(errno));
    return exit_code != 0 ? exit_code : 1;
  }
  return exit_code;
}
