// CloudQuery's sync configuration format, read into what Sluice runs
// (`sluice sync FILE.yaml…`).
//
// A file holds YAML documents of `kind: source` and `kind: destination`,
// each with a `spec`, as CloudQuery writes them:
//
//   kind: source
//   spec:
//     name: prod                  # the connector Sluice creates
//     path: myservice             # a connector type in the workspace, or a
//                                 # folder of .sql definitions
//     tables: ["*"]               # entity names; * matches any run of characters
//     skip_tables: ["audit*"]
//     destinations: ["sqlite"]
//     spec: {api_url: "https://…", api_key: "{{secrets.key}}"}
//   ---
// A CloudQuery source plugin is one with `registry: grpc` (`path:
// localhost:7777` or `unix:/abs/path.sock`), `registry: local` (`path:` its
// executable) or `registry: docker` (`path:` its image; needs a working
// docker or podman).
//
//   kind: destination
//   spec:
//     name: sqlite
//     path: cloudquery/sqlite     # sqlite, postgresql or file
//     write_mode: overwrite-delete-stale
//     migrate_mode: safe          # forced: recreate tables whose types changed
//     spec: {connection_string: ./db.sqlite}
//
// A destination with `registry: grpc` is a CloudQuery destination plugin
// already running at `path` ("localhost:7777", "unix:/tmp/d.sock"), its
// `spec` the plugin's; `registry: local` with a path naming a file is one
// to launch; `registry: cloudquery`, `local` or none with a
// `cloudquery/<name>` path is one of Sluice's own.
//
// `${NAME}` in a `spec` becomes the template `{{env.NAME}}`, read when the
// connector or destination runs and never stored resolved (so a password
// from the environment never lands in the workspace); elsewhere it is
// replaced at once (an unset one is an error naming it). `{{secrets.name}}`
// stays for the connector to resolve when it runs. Unknown keys, kinds, registries and
// destination plugins are errors that name them and the file.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace sluice {

struct SourceConfig {
  std::string name;
  // "" (or "local" with a type or folder path): a connector type in the
  // workspace or a folder of .sql definitions; "grpc": a plugin served at
  // `path` (host:port or unix:/abs/path); "local" with an executable file:
  // a plugin Sluice starts as the CLI does; "docker": an image.
  std::string registry;
  std::string path;                     // a type name or a folder
  std::vector<std::string> tables;      // patterns; empty means "*"
  std::vector<std::string> skip_tables;
  std::vector<std::string> destinations;
  Value spec = Value::object();         // the connector's CONFIG
  std::string file;                     // where it was read, for messages
};

struct DestinationConfig {
  std::string name;
  std::string plugin;      // sqlite, postgresql, file; "cloudquery" for a plugin Sluice hosts
  // `registry: grpc`: the plugin's address ("host:port", "unix:/path"),
  // for a CloudQuery destination plugin Sluice writes to over gRPC.
  std::string registry;    // "" (Sluice's own), "grpc", "local" (an executable)
  std::string address;     // or the executable
  std::string write_mode;  // "" for the default
  bool force = false;      // migrate_mode: forced
  Value spec = Value::object();
  std::string file;
};

struct SyncConfig {
  std::vector<SourceConfig> sources;
  std::vector<DestinationConfig> destinations;
};

// Reads one file into `config` (several files add up).
Status ReadCloudQueryConfig(const std::string& path, SyncConfig& config);

// Whether `name` matches a tables pattern (`*` for any run of characters).
bool MatchesTablePattern(const std::string& pattern, const std::string& name);

}  // namespace sluice
