// JavaScript runtime benchmarks (make bench): handler call overhead and the
// rate of turning handler rows into engine values, each beside a baseline
// measured in the same run.
//
//   call overhead  CONNECTOR_EXEC-style Call() of a trivial async handler
//                  vs. a plain synchronous JS function call made through
//                  Evaluate() in a loop inside JavaScript (the engine's floor)
//   row conversion 100,000 five-field rows returned by query(), streamed
//                  into the engine vs. JSON.stringify in JS + nlohmann::parse
//                  (the obvious alternative design)
#include <chrono>
#include <cstdio>

#include "js/js_realm.h"
#include "net/http.h"
#include "net/no_network.h"

namespace {

using namespace sluice;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

template <typename F>
double Median3(F run) {
  double a = run(), b = run(), c = run();
  return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

}  // namespace

int main() {
  auto runtime = sluice::js::JsRuntime::Create().value();
  sluice::js::RealmOptions options;
  options.transport = std::make_unique<NoNetwork>();
  auto realm = sluice::js::JsRealm::Create(*runtime, std::move(options)).value();
  const auto kLimit = std::chrono::seconds(120);

  // --- call overhead
  auto trivial = realm->LoadHandler({"async function execute(config, params) { return params.n; }", "bench.js", 1, 1}).value();
  constexpr int kCalls = 20000;
  double call_seconds = Median3([&] {
    auto start = Clock::now();
    for (int i = 0; i < kCalls; ++i) (void)realm->Call(trivial, "execute", {Value::object(), Value{{"n", i}}}, kLimit);
    return Seconds(start);
  });
  double floor_seconds = Median3([&] {
    auto start = Clock::now();
    (void)realm->Evaluate("(function(){ const f = (c, p) => p.n; let s = 0; for (let i = 0; i < " +
                              std::to_string(kCalls) + "; i++) s += f({}, {n: i}); return s; })()",
                          kLimit);
    return Seconds(start);
  });
  double per_call_us = call_seconds / kCalls * 1e6;
  std::printf("| scenario | sluice | baseline | ratio |\n|---|---|---|---|\n");
  std::printf("| handler call overhead (%d calls) | %.2f us/call | %.3f us/call (JS-only loop) | %.0fx |\n",
              kCalls, per_call_us, floor_seconds / kCalls * 1e6, call_seconds / floor_seconds);

  // --- row conversion
  constexpr int kRows = 100000;
  std::string make_rows =
      "const rows = new Array(" + std::to_string(kRows) + "); for (let i = 0; i < rows.length; i++) "
      "rows[i] = {id: i, name: 'row ' + i, score: i / 4, active: i % 2 === 0, at: new Date(i * 1000)};";
  auto rows = realm->LoadHandler({make_rows + " async function query() { return rows; }", "rows.js", 1, 1}).value();
  auto json = realm->LoadHandler({make_rows + " async function execute() { return JSON.stringify(rows); }", "json.js", 1, 1}).value();
  double convert_seconds = Median3([&] {
    int64_t count = 0;
    auto start = Clock::now();
    (void)realm->CallForRows(rows, "query", {}, kLimit, [&](Value) { return ++count > 0; });
    return Seconds(start);
  });
  double json_seconds = Median3([&] {
    auto start = Clock::now();
    Value text = realm->Call(json, "execute", {}, kLimit).value();
    Value parsed = Value::parse(text.get<std::string>());
    return Seconds(start) + (parsed.size() == 0 ? 1 : 0);
  });
  std::printf("| JS rows to engine values (%d rows x 5 fields) | %.0f rows/s | %.0f rows/s (stringify + parse) | %.2fx |\n",
              kRows, kRows / convert_seconds, kRows / json_seconds, json_seconds / convert_seconds);
  return 0;
}
