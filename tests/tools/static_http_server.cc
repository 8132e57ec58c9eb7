// A static file server for the "any static HTTP server" registry tests:
//
//   static_http_server DIR PORT_FILE
//
// serves DIR read-only on 127.0.0.1 at a free port, writes the port to
// PORT_FILE (atomically, so a test polling for it never reads half), and
// runs until killed.
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: static_http_server DIR PORT_FILE\n");
    return 2;
  }
  httplib::Server server;
  if (!server.set_mount_point("/", argv[1])) {
    std::fprintf(stderr, "static_http_server: %s is not a directory\n", argv[1]);
    return 1;
  }
  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "static_http_server: cannot bind 127.0.0.1\n");
    return 1;
  }
  std::string tmp = std::string(argv[2]) + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
  }
  if (std::rename(tmp.c_str(), argv[2]) != 0) return 1;
  std::printf("%d\n", port);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
