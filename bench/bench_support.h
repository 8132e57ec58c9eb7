// What the benchmarks share: a sink that keeps quiet, running statements,
// timing, and the connector over the test API server's /pages endpoint
// (rows of 5 fields: id, name, value, active, created_at; pages of 10,000).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "lang/interpreter.h"
#include "lang/parser.h"

namespace sluice::bench {

using Clock = std::chrono::steady_clock;

class QuietSink : public OutputSink {
 public:
  void Emit(const ResultSet& result) override { last = result; }
  void Print(const std::string&) override {}
  void Log(const std::string&) override {}
  ResultSet last;
};

inline Status Run(Interpreter& interpreter, const std::string& text) {
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"bench", text}));
  if (!parsed.ok()) return parsed.errors.front();
  return interpreter.ExecuteAll(parsed.program);
}

inline double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Defines connector `b` of type `bench` with entity `rows` over `rows` rows
// served by the test API server at `url`; `keyed` makes `id` its primary key.
inline std::string PagesConnector(const std::string& url, long rows, bool keyed) {
  return R"(
    CREATE CONNECTOR TYPE 'bench' CONFIG_SCHEMA {"url": {"type": "string"}, "total": {"type": "integer"}};
    CREATE CONNECTOR ENTITY 'bench.rows'
      FIELDS {"id": {"type": "integer")" + std::string(keyed ? R"(, "primary_key": true)" : "") +
         R"(}, "name": {"type": "string"}, "value": {"type": "integer"},
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
    CREATE CONNECTOR b TYPE 'bench' CONFIG {"url": ")" +
         url + R"(", "total": )" + std::to_string(rows) + "};";
}

}  // namespace sluice::bench
