// What `sluice serve` and `sluice mcp` are started with, shared by the HTTP
// API, the MCP server and the console (docs/serve.md).
//
// Thread-safety: immutable once the server runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sluice {

struct ServeOptions {
  std::string workspace_path = "sluice.db";
  std::string host = "127.0.0.1";  // --listen HOST:PORT
  int port = 8765;                 // 0: any free port (tests)
  // The bearer token for writes (and for every request when not on
  // loopback). Never empty once the server runs: `sluice serve` takes it
  // from --token-file or SLUICE_SERVE_TOKEN, else makes a random one.
  std::string token;
  bool allow_writes = false;       // --allow-writes: sync, actions, mark resets
  std::string cors_origin;         // --cors ORIGIN; empty: no CORS headers
  int64_t default_row_cap = 1000;  // rows a query returns unless _rows says otherwise
  int64_t max_row_cap = 100000;    // --max-rows: the most _rows may ask
  std::chrono::milliseconds query_timeout{30000};  // --query-timeout-ms
  // --max-value-bytes: the longest text or blob a query may make or read
  // (SQLite's SQLITE_LIMIT_LENGTH on the query's connection).
  int64_t max_value_bytes = 32 << 20;
  // --max-response-bytes: a non-streamed JSON answer stops taking rows past
  // this ("truncated": true); _nl=on streams are not held in memory.
  int64_t max_response_bytes = 64 << 20;
  // --max-connections: connections served at once (one thread each); more
  // wait in the queue until one ends.
  int max_connections = 64;
};

// True for 127.0.0.0/8, ::1 and "localhost": requests then need no token
// to read.
bool IsLoopbackHost(const std::string& host);

}  // namespace sluice
