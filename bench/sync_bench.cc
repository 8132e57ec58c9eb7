// Sync benchmark (make bench): a full SYNC of N rows (5 fields) from the
// local test API server, in pages of 10,000, into a workspace file, beside
// the limit measured in the same run: the same rows, already parsed,
// inserted straight into SQLite with one prepared statement in one
// transaction. Prints rows/s for both, their ratio, and this process's
// peak RSS (run it once per N to compare RSS across row counts).
//
//   sync_bench SERVER_URL ROWS WORKDIR
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_support.h"
#include "catalog/workspace.h"
#include "core/time_util.h"

namespace {

using namespace sluice;
using namespace sluice::bench;

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// The limit: the rows the server sends, already parsed, into SQLite.
double InsertLimit(const std::string& path, long rows) {
  std::vector<std::vector<Value>> parsed;
  parsed.reserve(static_cast<size_t>(rows));
  const int64_t seed = 1767225600;  // the server's 2026-01-01T00:00:00Z
  for (long i = 1; i <= rows; ++i) {
    parsed.push_back({Value(static_cast<int64_t>(i)), Value("row-" + std::to_string(i)), Value(i * 7 % 1000),
                      Value(i % 2 == 0 ? 0 : 1), Value(FormatTimestamp((seed + i * 60) * 1'000'000))});
  }
  Database db = Database::Open(path).value();
  (void)db.Exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT, value INTEGER, active INTEGER, "
                "created_at TEXT, _sluice_source TEXT NOT NULL, _sluice_synced_at TEXT NOT NULL)");
  auto start = Clock::now();
  (void)db.Exec("BEGIN");
  Stmt insert = db.Prepare("INSERT INTO rows VALUES (?1, ?2, ?3, ?4, ?5, 'b', '2026-01-01T00:00:00Z')").value();
  for (const auto& row : parsed) {
    for (size_t i = 0; i < row.size(); ++i) (void)insert.Bind(static_cast<int>(i + 1), row[i]);
    (void)insert.Run();
    insert.Reset();
  }
  (void)db.Exec("COMMIT");
  return Seconds(start);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: sync_bench SERVER_URL ROWS WORKDIR\n");
    return 2;
  }
  std::string url = argv[1];
  long rows = std::atol(argv[2]);
  std::filesystem::path dir = argv[3];
  std::filesystem::remove(dir / "sync.db");
  std::filesystem::remove(dir / "limit.db");
  auto workspace = Workspace::Open((dir / "sync.db").string()).value();
  QuietSink sink;
  Interpreter interpreter(*workspace, sink);
  Status defined = Run(interpreter, PagesConnector(url, rows, true));
  if (!defined.ok()) {
    std::fprintf(stderr, "%s\n", defined.Render().c_str());
    return 1;
  }
  auto start = Clock::now();
  Status synced = Run(interpreter, "SYNC CONNECTOR b FULL;");
  double sync_seconds = Seconds(start);
  if (!synced.ok()) {
    std::fprintf(stderr, "%s\n", synced.Render().c_str());
    return 1;
  }
  double sync_rss = PeakRssMiB();
  double limit_seconds = InsertLimit((dir / "limit.db").string(), rows);
  std::printf("| full sync of %ld rows (5 fields) into the workspace | %.0f rows/s | %.0f rows/s (parsed rows, "
              "prepared INSERT, one transaction) | %.2f of the limit | peak RSS %.0f MiB |\n",
              rows, rows / sync_seconds, rows / limit_seconds, limit_seconds / sync_seconds, sync_rss);
  return 0;
}
