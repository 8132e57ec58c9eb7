// `sluice serve` and `sluice mcp` (docs/serve.md).
//
//   sluice serve [WORKSPACE] [--listen HOST:PORT] [--allow-writes]
//                [--token-file FILE] [--cors ORIGIN] [--max-rows N]
//                [--query-timeout-ms MS]
//     the HTTP JSON API, MCP at /mcp and the web console. Prints
//     "listening on http://HOST:PORT" on stdout once it accepts requests;
//     the rest (the console's address, the token when it made one) goes to
//     stderr. SIGINT or SIGTERM stop it.
//   sluice mcp [WORKSPACE] [--allow-writes] [--max-rows N] [--query-timeout-ms MS]
//     the MCP server over stdio.
//
// Thread-safety: main thread only.
#pragma once

#include <string>

#include "server/serve_options.h"

namespace CLI {
class App;
}

namespace sluice {

class ServeCommands {
 public:
  // Adds `serve` and `mcp` to `app`; `workspace` is the main -w.
  ServeCommands(CLI::App& app, const std::string& workspace);
  bool parsed() const;
  int Run();

 private:
  const std::string& workspace_;
  CLI::App* serve_ = nullptr;
  CLI::App* mcp_ = nullptr;
  std::string workspace_arg_;
  std::string listen_ = "127.0.0.1:8765";
  std::string token_file_;
  ServeOptions options_;
};

}  // namespace sluice
