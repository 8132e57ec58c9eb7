// json_cells' conversion rate on the benchmark rows (bench/README.md "The
// rows"): pages of 1,000 rows as bench_api_server sends them, each parsed
// once with simdjson, then every row converted whole (JsonWholeRow) or to
// its nine fields (JsonProjectedRow). Parsing is timed apart from
// converting.
//
//   json_cells_bench [ROWS]    (default 1,000,000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "js/json_cells.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
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
                  i * 7 % 1000, 1 + t / 86400, t / 3600 % 24, t / 60 % 60, t % 60,
                  1 + t / 86400, t / 3600 % 24, t / 60 % 60, t % 60,
                  i % 3 == 0 ? "free" : i % 3 == 1 ? "pro" : "team",
                  i % 2 ? "[\"c\"]" : "[\"a\",\"b\"]", i % 100);
    out += row;
  }
  out += "]}";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::atol(argv[1]) : 1000000;
  const long page_rows = 1000;
  std::vector<std::string> pages;
  for (long first = 1; first <= rows; first += page_rows) {
    pages.push_back(Page(first, std::min(page_rows, rows - first + 1)));
  }
  const std::vector<std::string> fields = {"id",       "name",       "email",
                                           "amount",   "active",     "quantity",
                                           "created_at", "updated_at", "meta"};
  simdjson::dom::parser parser;
  for (int mode = 0; mode < 3; ++mode) {
    double parse = 0, convert = 0;
    long converted = 0;
    for (const std::string& page : pages) {
      Clock::time_point start = Clock::now();
      if (sluice::js::JsonTextNeedsJsPath(page)) {
        std::fprintf(stderr, "a benchmark page needs the JavaScript path\n");
        return 1;
      }
      simdjson::dom::element body;
      if (parser.parse(page).get(body) != simdjson::SUCCESS) {
        std::fprintf(stderr, "simdjson refused a page\n");
        return 1;
      }
      parse += Seconds(start);
      start = Clock::now();
      for (simdjson::dom::element row : body["items"].get_array().value()) {
        if (mode == 0) {
          sluice::Result<sluice::Value> value = sluice::js::JsonProjectedRow(row.get_object().value(), fields);
          if (!value.ok()) return 1;
        } else if (mode == 1) {
          sluice::Result<sluice::Value> value = sluice::js::JsonWholeRow(row);
          if (!value.ok()) return 1;
        } else {
          std::string text = sluice::js::JsonStringifyLikeJs(row);
          if (text.empty()) return 1;
        }
        ++converted;
      }
      convert += Seconds(start);
    }
    const char* name = mode == 0 ? "JsonProjectedRow (9 fields)" : mode == 1 ? "JsonWholeRow" : "JsonStringifyLikeJs (row)";
    std::printf("%-28s %ld rows: parse %.3f s, convert %.3f s = %.2f M rows/s (%.0f ns/row)\n", name,
                converted, parse, convert, converted / convert / 1e6, convert / converted * 1e9);
  }
  return 0;
}
