// Live-scan benchmark (make bench): SELECT count(*) over N rows served in
// pages by the local test API server, beside the same handler's rows pulled
// directly (no SQLite): the difference is the cost of the SQL path.
//
//   scan_bench SERVER_URL [ROWS]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "catalog/workspace.h"
#include "lang/interpreter.h"
#include "lang/parser.h"

namespace {

using namespace sluice;
using Clock = std::chrono::steady_clock;

class QuietSink : public OutputSink {
 public:
  void Emit(const ResultSet& result) override { last = result; }
  void Print(const std::string&) override {}
  void Log(const std::string& line) override { std::fprintf(stderr, "%s\n", line.c_str()); }
  ResultSet last;
};

Status Run(Interpreter& interpreter, const std::string& text) {
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"bench", text}));
  if (!parsed.ok()) return parsed.errors.front();
  return interpreter.ExecuteAll(parsed.program);
}

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

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
  Status defined = Run(interpreter, R"(
    CREATE CONNECTOR TYPE 'bench' CONFIG_SCHEMA {"url": {"type": "string"}, "total": {"type": "integer"}};
    CREATE CONNECTOR ENTITY 'bench.rows'
      FIELDS {"id": {"type": "integer"}, "name": {"type": "string"}, "value": {"type": "integer"},
              "active": {"type": "boolean"}, "created_at": {"type": "timestamp"}}
      QUERY_HANDLER '''
    async function* query(config) {
      for (let page = 1; ; page++) {
        const response = await fetch(`${config.url}/pages?page=${page}&per_page=10000&total=${config.total}`);
        const data = await response.json();
        yield data.items;
        if (!data.next_page) return;
      }
    }''';
    CREATE CONNECTOR b TYPE 'bench' CONFIG {"url": ")" + url + R"(", "total": )" + std::to_string(rows) + "};");
  if (!defined.ok()) {
    std::fprintf(stderr, "%s\n", defined.Render().c_str());
    return 1;
  }
  auto direct = [&] {
    auto start = Clock::now();
    auto source = interpreter.connectors().Scan("b", "rows", Value::object(), Value::object(), Value()).value();
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
