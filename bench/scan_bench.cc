// Live-scan benchmark (make bench): SELECT count(*) over N rows served in
// pages by the local test API server, beside the same handler's rows pulled
// directly (no SQLite): the difference is the cost of the SQL path.
//
//   scan_bench SERVER_URL [ROWS]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench_support.h"
#include "catalog/workspace.h"

namespace {

using namespace sluice;
using namespace sluice::bench;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: scan_bench SERVER_URL [ROWS]\n");
    return 2;
  }
  std::string url = argv[1];
  long rows = argc > 2 ? std::atol(argv[2]) : 1000000;
  auto workspace = Workspace::Open(":memory:").value();
  QuietSink sink;
  Interpreter interpreter(*workspace, sink);
  Status defined = Run(interpreter, PagesConnector(url, rows, false));
  if (!defined.ok()) {
    std::fprintf(stderr, "%s\n", defined.Render().c_str());
    return 1;
  }
  auto direct = [&] {
    auto start = Clock::now();
    auto source = interpreter.connectors().Scan("b", "rows", ScanRequest{}).value();
    long count = 0;
    while (true) {
      auto row = source->Next();
      if (!row.ok() || !*row) break;
      ++count;
    }
    if (count != rows) std::fprintf(stderr, "direct scan saw %ld rows\n", count);
    return Seconds(start);
  };
  auto sql = [&] {
    auto start = Clock::now();
    Status status = Run(interpreter, "SELECT count(*) FROM b.rows;");
    if (!status.ok()) std::fprintf(stderr, "%s\n", status.Render().c_str());
    return Seconds(start);
  };
  auto median3 = [](auto run) {
    double a = run(), b = run(), c = run();
    return std::max(std::min(a, b), std::min(std::max(a, b), c));
  };
  double direct_seconds = median3(direct);
  double sql_seconds = median3(sql);
  std::printf("| live scan: SELECT count(*) over %ld rows (pages of 10,000 over HTTP) | %.0f rows/s | %.0f rows/s "
              "(handler pulled directly) | %.2fx |\n",
              rows, rows / sql_seconds, rows / direct_seconds, direct_seconds / sql_seconds);
  return 0;
}
