// json_cells' conversion rate on the benchmark rows (bench/README.md "The
// rows"): pages of 1,000 rows as bench_api_server sends them, each parsed
// once with simdjson, then every row converted whole (JsonWholeRow) or to
// its nine fields (JsonProjectedRow). Parsing is timed apart from
// converting. Times are the process's CPU time, steadier than wall time
// on a shared machine (the work is single-threaded).
//
//   json_cells_bench [ROWS [MODE]]    (default 1,000,000 rows; MODE 0
//   projected, 1 whole, 2 stringify, 3 simdjson's own serializer as a
//   yardstick, 4 the JavaScript path for comparison; all when absent)
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "js/js_realm.h"
#include "js/json_cells.h"
#include "net/http.h"
#include "net/no_network.h"

namespace {

double CpuNow() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

std::string Page(long first, long count) {
  std::string out = "{\"items\":[";
  char row[512];
  for (long i = first; i < first + count; ++i) {
    long amount = i * 125 % 1000000;
    char amount_text[32];
    if (amount % 100 == 0) {
      std::snprintf(amount_text, sizeof amount_text, "%ld", amount / 100);
    } else if (amount % 10 == 0) {
      std::snprintf(amount_text, sizeof amount_text, "%ld.%ld", amount / 100, amount / 10 % 10);
    } else {
      std::snprintf(amount_text, sizeof amount_text, "%ld.%02ld", amount / 100, amount % 100);
    }
    long t = i;
    std::snprintf(row, sizeof row,
                  "%s{\"id\":%ld,\"name\":\"name-%ld\",\"email\":\"user-%ld@example.com\","
                  "\"amount\":%s,\"active\":%s,\"quantity\":%ld,"
                  "\"created_at\":\"2026-01-%02ldT%02ld:%02ld:%02ldZ\","
                  "\"updated_at\":\"2026-01-%02ldT%02ld:%02ld:%02ldZ\","
                  "\"meta\":{\"tier\":\"%s\",\"tags\":%s,\"score\":%ld}}",
                  i == first ? "" : ",", i, i, i, amount_text, i % 3 ? "true" : "false",
                  i * 7 % 1000, 1 + t / 86400, t / 3600 % 24, t / 60 % 60, t % 60, 1 + t / 86400,
                  t / 3600 % 24, t / 60 % 60, t % 60,
                  i % 3 == 0   ? "free"
                  : i % 3 == 1 ? "pro"
                               : "team",
                  i % 2 ? "[\"c\"]" : "[\"a\",\"b\"]", i % 100);
    out += row;
  }
  out += "]}";
  return out;
}

// The JavaScript path the native one replaces, for comparison: each page
// JSON.parse'd by a handler that yields its rows, which ProjectRow turns
// into the nine fields. CPU seconds for all of it (the watchdog thread's
// too, which is idle); -1 on failure.
double JsPath(const std::vector<std::string>& pages, const std::vector<std::string>& fields,
              long& converted) {
  using namespace sluice;
  auto runtime = sluice::js::JsRuntime::Create();
  if (!runtime.ok()) return -1;
  sluice::js::RealmOptions options;
  options.transport = std::make_unique<NoNetwork>();
  auto realm = sluice::js::JsRealm::Create(**runtime, std::move(options));
  if (!realm.ok()) return -1;
  auto handler = (*realm)->LoadHandler(
      {"function* query(pages, times) {\n"
       "  for (let t = 0; t < times; t++) for (const page of pages) yield JSON.parse(page).items;\n"
       "}",
       "bench.js", 1, 1});
  if (!handler.ok()) return -1;
  // The pages live in the JavaScript heap (256 MiB at most): the first 10
  // pages, as many times as it takes.
  Value args = Value::array();
  size_t kept = std::min<size_t>(pages.size(), 10);
  for (size_t i = 0; i < kept; ++i) args.push_back(pages[i]);
  // At most 200,000 rows: with 1,000,000 this handler stopped at the
  // 256 MiB memory limit (the JavaScript path's own growth: the pages it
  // holds are 2 MB).
  const int64_t times =
      std::min<int64_t>(20, static_cast<int64_t>((pages.size() + kept - 1) / kept));
  double start = CpuNow();
  auto stream =
      (*realm)->StartRows(*handler, "query", {args, times}, std::chrono::minutes(10), &fields);
  if (!stream.ok()) {
    std::fprintf(stderr, "%s\n", stream.status().ToString().c_str());
    return -1;
  }
  for (;;) {
    Result<std::optional<Value>> row = (*stream)->Next();
    if (!row.ok()) {
      std::fprintf(stderr, "%s\n", row.status().ToString().c_str());
      return -1;
    }
    if (!*row) break;
    ++converted;
  }
  return CpuNow() - start;
}

}  // namespace

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::atol(argv[1]) : 1000000;
  const long page_rows = 1000;
  std::vector<std::string> pages;
  for (long first = 1; first <= rows; first += page_rows) {
    pages.push_back(Page(first, std::min(page_rows, rows - first + 1)));
  }
  const std::vector<std::string> fields = {
      "id", "name", "email", "amount", "active", "quantity", "created_at", "updated_at", "meta"};
  simdjson::dom::parser parser;
  const int only = argc > 2 ? std::atoi(argv[2]) : -1;
  if (only < 0 || only == 4) {
    long converted = 0;
    double seconds = JsPath(pages, fields, converted);
    if (seconds < 0) {
      std::fprintf(stderr, "the JavaScript path failed\n");
      return 1;
    }
    std::printf(
        "%-28s %ld rows: JSON.parse + ProjectRow %.3f s (CPU) = %.2f M rows/s (%.0f ns/row)\n",
        "JavaScript path (9 fields)", converted, seconds, converted / seconds / 1e6,
        seconds / converted * 1e9);
  }
  for (int mode = 0; mode < 4; ++mode) {
    if (only >= 0 && mode != only) continue;
    double parse = 0, convert = 0;
    long converted = 0;
    for (const std::string& page : pages) {
      double start = CpuNow();
      if (sluice::js::JsonTextNeedsJsPath(page)) {
        std::fprintf(stderr, "a benchmark page needs the JavaScript path\n");
        return 1;
      }
      simdjson::dom::element body;
      if (parser.parse(page).get(body) != simdjson::SUCCESS) {
        std::fprintf(stderr, "simdjson refused a page\n");
        return 1;
      }
      parse += CpuNow() - start;
      start = CpuNow();
      simdjson::dom::array items = body["items"].get_array().value();
      for (simdjson::dom::element row : items) {
        if (mode == 0) {
          simdjson::dom::object object = row.get_object().value();
          sluice::Result<sluice::Value> value = sluice::js::JsonProjectedRow(object, fields);
          if (!value.ok()) return 1;
        } else if (mode == 1) {
          sluice::Result<sluice::Value> value = sluice::js::JsonWholeRow(row);
          if (!value.ok()) return 1;
        } else if (mode == 2) {
          std::string text = sluice::js::JsonStringifyLikeJs(row);
          if (text.empty()) return 1;
        } else {  // the yardstick: simdjson's own serializer
          std::string text = simdjson::to_string(row);
          if (text.empty()) return 1;
        }
        ++converted;
      }
      convert += CpuNow() - start;
    }
    const char* name = mode == 0   ? "JsonProjectedRow (9 fields)"
                       : mode == 1 ? "JsonWholeRow"
                       : mode == 2 ? "JsonStringifyLikeJs (row)"
                                   : "simdjson::to_string (row)";
    std::printf(
        "%-28s %ld rows: parse+check %.3f s (CPU), convert %.3f s = %.2f M rows/s (%.0f ns/row)\n",
        name, converted, parse, convert, converted / convert / 1e6, convert / converted * 1e9);
  }
  return 0;
}
