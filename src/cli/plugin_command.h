// `sluice plugin …`: a connector type served as a CloudQuery source plugin
// (docs/cloudquery.md, "Serving a connector as a plugin").
//
//   sluice plugin serve DIR [--address A] [--network tcp|unix]
//                           [--log-level L] [--log-format json|text]
//                           [--no-sentry] [--license FILE] [--otel-endpoint URL]
//                           [--otel-endpoint-insecure]
//   sluice plugin serve --workspace FILE --type NAME [same flags]
//   sluice plugin wrapper DIR -o FILE   (or --workspace FILE --type NAME)
//
// DIR is a table integration's folder (package.json, plugin.js) or a folder
// of .sql files that defines exactly one connector type. The flags are the
// ones the CloudQuery CLI passes a plugin it launches; `wrapper` writes an
// executable script the CLI can run with `registry: local`, which takes
// the CLI's arguments (`serve --log-level … --network unix --address …`)
// and execs `sluice plugin serve DIR` with them.
//
// Thread-safety: runs on the main thread, which becomes the plugin's
// backend thread (SpiderMonkey's).
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace sluice {

struct PluginServeFlags {
  std::string dir;
  std::string workspace;  // with `type`: serve a type of this workspace (a copy of it)
  std::string type;
  std::string address = "localhost:7777";
  std::string network = "tcp";
  std::string log_level = "info";
  std::string log_format = "text";
  // Accepted for the CLI's sake; Sluice sends no telemetry.
  bool no_sentry = false;
  bool sentry = false;
  std::string license;
  std::string otel_endpoint;
  bool otel_endpoint_insecure = false;
  std::string telemetry_level;
};

struct PluginWrapperFlags {
  std::string dir;
  std::string workspace;
  std::string type;
  std::string output;
};

class PluginCommand {
 public:
  // Adds `plugin serve` and `plugin wrapper` to `app`.
  explicit PluginCommand(CLI::App& app);
  bool parsed() const;
  // Runs the subcommand that was parsed; the process's exit status.
  int Run(const char* argv0);

 private:
  CLI::App* plugin_ = nullptr;
  CLI::App* serve_ = nullptr;
  CLI::App* wrapper_ = nullptr;
  PluginServeFlags serve_flags_;
  PluginWrapperFlags wrapper_flags_;
};

// The server, until SIGINT/SIGTERM; 0 on a clean stop.
int RunPluginServe(const PluginServeFlags& flags);
// Writes the wrapper script; 0 when written.
int RunPluginWrapper(const PluginWrapperFlags& flags, const char* argv0);

}  // namespace sluice
