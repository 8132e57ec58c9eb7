// What the local HTTP servers of the tests and benchmarks share
// (test_api_server, bench/bench_api_server): binding 127.0.0.1, the port
// file, and stopping on SIGTERM/SIGINT or stdin EOF. Header-only, for two
// small executables.
#pragma once

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

namespace loopback_server {

// Blocks the stop signals in this thread and every thread it starts later
// (httplib's pool inherits the mask), so WatchForStop takes them.
inline sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

// SO_REUSEADDR without httplib's default SO_REUSEPORT, which would let a
// second server share a fixed port silently; and TCP_NODELAY, since httplib
// writes headers and body apart and the body would wait for the client's
// delayed ACK (40 ms a response on a kept-alive connection).
inline void UsePlainSockets(httplib::Server& server) {
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_tcp_nodelay(true);
}

// The bound port on 127.0.0.1 (a free one for 0), or -1.
inline int BindLoopback(httplib::Server& server, int port) {
  if (port == 0) return server.bind_to_any_port("127.0.0.1");
  return server.bind_to_port("127.0.0.1", port) ? port : -1;
}

// Written under a temporary name and renamed, so a reader never sees a partial file.
inline bool WritePortFile(const std::string& path, int port) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return false;
  bool ok = std::fprintf(f, "%d\n", port) > 0;
  ok = std::fclose(f) == 0 && ok;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Stops the server; if kept-alive connections hold up the pool's shutdown
// for more than two seconds, exits anyway. Retrying stop() also covers a
// signal that arrives before the accept loop has started.
[[noreturn]] inline void Shutdown(httplib::Server& server) {
  for (int i = 0; i < 40; ++i) {
    server.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::_Exit(0);
}

// On a stop signal, or at stdin EOF when asked (the helper scripts hold the
// server's stdin, so it dies with the shell that started it): `before`, then
// Shutdown. The threads are detached: the server and whatever `before` uses
// must outlive main's frame, or main must _Exit.
inline void WatchForStop(httplib::Server& server, sigset_t stop_signals, bool exit_on_stdin_eof,
                         std::function<void()> before = nullptr) {
  std::thread([&server, stop_signals, before] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (before) before();
    Shutdown(server);
  }).detach();
  if (!exit_on_stdin_eof) return;
  std::thread([&server, before] {
    char buf[256];
    while (true) {
      ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR)) break;
    }
    if (before) before();
    Shutdown(server);
  }).detach();
}

}  // namespace loopback_server
