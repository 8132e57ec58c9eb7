// What the test API server remembers (items, flaky counters, the in-flight
// probe, the fake-API gauge, the request log), the small helpers its
// endpoints share, and the generated data of the fake "forge" and "sheets"
// APIs. The routes themselves are in test_api_server.cc; README.md
// documents them.
//
// Thread-safety: State is safe to use from any number of httplib pool threads
// (one mutex for the data, atomics for the in-flight probe). The helpers are
// pure functions.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_server {

using Json = nlohmann::ordered_json;

constexpr int64_t kSeedEpoch = 1767225600;  // 2026-01-01T00:00:00Z

// Thrown by handlers for bad parameters or bodies; the route wrapper turns it
// into a 400 with {"error": what()}.
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  int port = 0;                // 0: the OS picks a free port
  std::string port_file;       // where to write the port, if set
  std::string token;           // bearer token /items*, /forge/* and /sheets/* require, if set
  int64_t items = 25;          // seeded items, ids "1".."items"
  int64_t forge_repos = 4;     // repos per forge account
  int64_t forge_accounts = 3;  // acme, globex, initech, then org-4, org-5, …
  int64_t api_latency_ms = 0;  // sleep before answering each /forge/* and /sheets/* request
  bool exit_on_stdin_eof = false;
};

std::string IsoTime(int64_t epoch);                     // "2026-01-01T00:00:00Z"
std::string HttpDate(std::time_t t);                    // "Thu, 01 Jan 2026 00:00:00 GMT"
std::optional<int64_t> ParseInt(const std::string& s);  // whole string, base 10
// Integer query parameter in [lo, hi], `def` when absent; throws BadRequest.
int64_t IntParam(const httplib::Request& req, const char* name, int64_t def, int64_t lo,
                 int64_t hi);
// Sets the body, sent as is: never compressed by httplib.
void SetBody(httplib::Response& res, std::string body, const std::string& type);
// Sets status and body, compact JSON (invalid UTF-8 replaced, never thrown).
void SendJson(httplib::Response& res, int status, const Json& body);
// Request headers by lower-case name, without httplib's REMOTE_ADDR-style
// pseudo headers; repeated headers joined with ", ".
Json HeadersJson(const httplib::Request& req);
// The target's query string as sent ("a=1&b=2"), "" when there is none.
std::string RawQuery(const httplib::Request& req);
// The target's query parameters, decoded, as an object; a repeated name
// becomes an array.
Json QueryJson(const httplib::Request& req);
// Appends generated row `i` (id, name, value, active, created_at) as JSON text.
void AppendRow(std::string& out, int64_t i);
std::string Gzip(const std::string& in);
// `mib` MiB of '0' characters, gzip-compressed (about 1 KiB per MiB): a gzip bomb.
std::string GzipBomb(int64_t mib);

// The fake APIs' data: pure functions of the options, so every answer is
// deterministic. nullopt means an unknown account, repo or table (a 404).
// Pages count from 1; `page` past the end gives an empty page.
std::optional<Json> ForgeRepos(const Options& o, const std::string& account, int64_t page,
                               int64_t per_page);
std::optional<Json> ForgeIssues(const Options& o, const std::string& repo_id, int64_t page,
                                int64_t per_page);
Json SheetsMeta();
// `offset` is "" for the first page or an "offset" from an earlier page;
// throws BadRequest for one the server never sent.
std::optional<Json> SheetsRecords(const std::string& table, const std::string& offset,
                                  int64_t page_size);

class State {
 public:
  // `opts` must outlive the State.
  explicit State(const Options& opts) : opts_(opts) { ResetItems(); }

  bool Authorized(const httplib::Request& req) const;

  // Appends to the request log; requests to /requests* are not logged, so
  // reading the log leaves it unchanged.
  void Log(const httplib::Request& req);
  Json RequestLog();
  void ResetLog();

  // Seeded items, flaky counters, in-flight maximum, fake-API gauge and
  // request log.
  void ResetAll();
  void ResetItems();

  // Items; the Json overloads throw BadRequest for a body of the wrong shape.
  Json ListItems(const httplib::Request& req);
  std::optional<Json> GetItem(const std::string& id);
  Json CreateItem(const Json& body);
  std::optional<Json> PatchItem(const std::string& id, const Json& body);
  bool DeleteItem(const std::string& id);

  int64_t FlakyHit(const std::string& key);  // counts this attempt, returns the count
  int64_t FlakyCount(const std::string& key);

  int64_t InflightEnter();  // returns the in-flight count including this one
  void InflightLeave() { --inflight_; }
  int64_t InflightMax() const { return inflight_max_.load(); }
  void InflightReset() { inflight_max_ = inflight_.load(); }

  // The /forge/* and /sheets/* gauge: requests so far and the most in
  // flight at the same time. Reset sets the maximum to the current count.
  void ApiEnter();
  void ApiLeave() { --api_inflight_; }
  Json ApiStats() const;
  void ApiStatsReset();

  // Sleeps `ms` and returns it, or returns early with the time slept once
  // BeginStop() has been called, so that slow requests never hold up exit.
  int64_t Sleep(int64_t ms);
  void BeginStop();

  // POST /fail-items: every /items* request is answered with this status
  // and an API-style error body until it is set back to 0 (or POST /reset).
  void SetItemsFault(int code) { items_fault_ = code; }
  int ItemsFault() const { return items_fault_.load(); }

 private:
  std::map<int64_t, Json>::iterator FindLocked(const std::string& id);
  std::string TickLocked();

  const Options& opts_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::mutex mu_;  // guards everything down to log_seq_
  std::map<int64_t, Json> items_;
  // Where the last listed page ended, so paging through a large seed walks
  // it once rather than once per page. Every write forgets it.
  struct PageEnd {
    std::string filters;
    int64_t offset = -1;  // the offset the next page starts at; -1: none
    std::map<int64_t, Json>::const_iterator next;
  };
  PageEnd page_end_;
  int64_t next_id_ = 1;
  int64_t clock_ = kSeedEpoch;
  std::map<std::string, int64_t> flaky_;
  std::vector<Json> log_;
  int64_t log_seq_ = 0;
  std::atomic<int64_t> inflight_{0};
  std::atomic<int64_t> inflight_max_{0};
  std::atomic<int64_t> api_requests_{0};
  std::atomic<int64_t> api_inflight_{0};
  std::atomic<int64_t> api_inflight_max_{0};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::atomic<int> items_fault_{0};
};

}  // namespace test_server
