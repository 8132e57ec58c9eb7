// bench_limit: the "limit" baselines of the benchmark harness (make bench) —
// the work a sync or a scan of the bench API must really do, done by the
// fastest plain C++ we know how to write: libcurl, simdjson's DOM parser and
// one prepared SQLite statement, with no engine in the way.
//
//   build/bench_limit scan URL PAGES [--filter]
//       The scan's limit: GETs URL?cursor=0 … PAGES-1 in order (one reused
//       easy handle, one kept-alive connection) and parses each body with
//       simdjson, counting its items; with --filter it keeps the rows with
//       `active` true and `quantity` > 500 and copies out their id and name.
//       Fetch and parse run one after the other on one thread.
//     → {"seconds": S, "bytes": B, "pages": PAGES, "rows": R, "matched": M}
//
//   build/bench_limit sync URL PAGES DB_PATH [--upsert]
//       The sync's limit, as a two-thread pipeline (what Sluice can do on
//       two cores): one thread fetches the pages and parses them with
//       simdjson into typed rows (`meta` re-serialized to its JSON text,
//       `active` as 1/0), the other inserts them into `rows` with one
//       prepared statement in one transaction. Without --upsert DB_PATH is
//       created fresh (an existing file is removed first) and rows are
//       plain INSERTs; with --upsert the table is kept (created if missing)
//       and rows are `INSERT … ON CONFLICT(id) DO UPDATE` — the incremental
//       sync's work, on a copy of a synced database.
//     → {"seconds": S, "bytes": B, "pages": PAGES, "rows": R, "fetch_parse_seconds": F}
//
//   build/bench_limit fetch URL PAGES
//       Bare fetch, bodies counted and dropped (no parsing): the old limit.
//   build/bench_limit fetch-concurrent URL PAGES CONCURRENCY
//       The same pages with curl multi, at most CONCURRENCY in flight (one
//       reused easy handle, and so one connection, per slot).
//   build/bench_limit count URL PAGES
//       The same as fetch.
//     → {"seconds": S, "bytes": B, "pages": PAGES}
//
//   build/bench_limit insert DB_PATH ROWS
//       Builds rows 1..ROWS (the bench_api_server rows, bench/README.md) as
//       parsed C++ values (not timed), then, timed, creates the table `rows`
//       in a fresh DB_PATH (an existing file is removed first) and inserts
//       them with one prepared statement in one transaction.
//     → {"seconds": S, "rows": ROWS}
//
//   build/bench_limit pg-copy CONNINFO ROWS
//   build/bench_limit pg-copy-binary CONNINFO ROWS
//       The same rows, built the same way (not timed), then, timed: in one
//       transaction, creates the table `bench_limit_rows` (dropped first if
//       there) with the columns and types the PostgreSQL destination gives
//       the bench entity — its primary key and the two _sluice_ columns
//       included — and loads them with one COPY … FROM STDIN, in COPY's text
//       format or its binary one, the rows formatted as they are sent.
//     → {"seconds": S, "rows": ROWS}
//
//   build/bench_limit pg-upsert CONNINFO ROWS CHANGED
//       The incremental limit: CHANGED rows spread evenly over that table of
//       ROWS rows (loaded first, not timed, unless a pg-copy left it), with
//       a new updated_at, upserted as a sync must: in one transaction, COPY
//       (binary) into a temporary stage, then one INSERT … SELECT … ORDER BY
//       id ON CONFLICT (id) DO UPDATE of every column.
//     → {"seconds": S, "rows": CHANGED}
//
// URL is the server's /rows endpoint, e.g. http://127.0.0.1:PORT/rows (it
// may carry a query, e.g. ?updated_since=…). Any failure (a connection
// error, a status other than 200, a body that is not the bench API's JSON)
// prints a message on stderr and exits 1; bad arguments exit 2.
#include <curl/curl.h>
#include <libpq-fe.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "bench_limit: %s\n", message.c_str());
  std::exit(1);
}

bool ParseCount(const char* s, long& out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0) return false;
  out = v;
  return true;
}

// --- fetch --------------------------------------------------------------

size_t CountBytes(char*, size_t size, size_t n, void* user) {
  *static_cast<uint64_t*>(user) += size * n;
  return size * n;
}

std::string PageUrl(const std::string& base, long cursor) {
  return base + (base.find('?') == std::string::npos ? "?cursor=" : "&cursor=") + std::to_string(cursor);
}

void Setup(CURL* easy, uint64_t* bytes) {
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, CountBytes);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, bytes);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
}

void CheckStatus(CURL* easy, const std::string& url) {
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) Fail("GET " + url + ": HTTP " + std::to_string(status));
}

void PrintFetch(double seconds, uint64_t bytes, long pages) {
  std::printf("{\"seconds\": %.6f, \"bytes\": %llu, \"pages\": %ld}\n", seconds,
              static_cast<unsigned long long>(bytes), pages);
}

int Fetch(const std::string& url, long pages) {
  CURL* easy = curl_easy_init();
  if (!easy) Fail("curl_easy_init failed");
  uint64_t bytes = 0;
  Setup(easy, &bytes);
  auto start = Clock::now();
  for (long cursor = 0; cursor < pages; ++cursor) {
    std::string page_url = PageUrl(url, cursor);
    curl_easy_setopt(easy, CURLOPT_URL, page_url.c_str());
    CURLcode rc = curl_easy_perform(easy);
    if (rc != CURLE_OK) Fail("GET " + page_url + ": " + curl_easy_strerror(rc));
    CheckStatus(easy, page_url);
  }
  double seconds = Seconds(start);
  curl_easy_cleanup(easy);
  PrintFetch(seconds, bytes, pages);
  return 0;
}

int FetchConcurrent(const std::string& url, long pages, long concurrency) {
  CURLM* multi = curl_multi_init();
  if (!multi) Fail("curl_multi_init failed");
  // Keep one cached connection per slot, so every reused handle finds its own.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, concurrency);
  uint64_t bytes = 0;
  long slots = std::min(concurrency, std::max(pages, 1L));
  std::vector<CURL*> idle;
  std::vector<std::string> urls(static_cast<size_t>(pages));
  for (long k = 0; k < slots; ++k) {
    CURL* easy = curl_easy_init();
    if (!easy) Fail("curl_easy_init failed");
    Setup(easy, &bytes);
    idle.push_back(easy);
  }
  long next = 0, done = 0;
  auto start = Clock::now();
  auto launch = [&] {
    while (next < pages && !idle.empty()) {
      CURL* easy = idle.back();
      idle.pop_back();
      urls[static_cast<size_t>(next)] = PageUrl(url, next);
      curl_easy_setopt(easy, CURLOPT_URL, urls[static_cast<size_t>(next)].c_str());
      curl_easy_setopt(easy, CURLOPT_PRIVATE, &urls[static_cast<size_t>(next)]);
      curl_multi_add_handle(multi, easy);
      ++next;
    }
  };
  launch();
  while (done < pages) {
    int still_running = 0;
    CURLMcode mc = curl_multi_perform(multi, &still_running);
    if (mc != CURLM_OK) Fail(std::string("curl_multi_perform: ") + curl_multi_strerror(mc));
    bool finished_some = false;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      std::string* page_url = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &page_url);
      if (msg->data.result != CURLE_OK) Fail("GET " + *page_url + ": " + curl_easy_strerror(msg->data.result));
      CheckStatus(easy, *page_url);
      curl_multi_remove_handle(multi, easy);
      idle.push_back(easy);
      ++done;
      finished_some = true;
    }
    if (finished_some && next < pages) {
      launch();
      continue;  // perform again at once: the new transfers start there
    }
    if (done < pages) {
      mc = curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
      if (mc != CURLM_OK) Fail(std::string("curl_multi_poll: ") + curl_multi_strerror(mc));
    }
  }
  double seconds = Seconds(start);
  for (CURL* easy : idle) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  PrintFetch(seconds, bytes, pages);
  return 0;
}

// --- insert -------------------------------------------------------------

// A row as the JSON parser of a sync would have left it.
struct Row {
  int64_t id;
  std::string name;
  std::string email;
  double amount;
  bool active;
  int64_t quantity;
  std::string created_at;
  std::string updated_at;
  std::string meta;  // its JSON text, as the sync stores it
};

std::string Timestamp(int64_t t) {
  // 2026-01-01T00:00:00Z + t seconds; the rows' times all fall in 2026
  // (below 31M rows), so days count from 1 January without leap years.
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t days = t / 86400, secs = t % 86400;
  int month = 0;
  while (month < 11 && days >= kMonthDays[month]) days -= kMonthDays[month++];
  char buf[48];
  std::snprintf(buf, sizeof buf, "2026-%02d-%02dT%02d:%02d:%02dZ", month + 1, static_cast<int>(days + 1),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

std::vector<Row> BuildRows(long count) {
  static const char* const kTiers[] = {"free", "pro", "team"};
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(count));
  for (int64_t i = 1; i <= count; ++i) {
    std::string created = Timestamp(i);
    std::string meta = std::string("{\"tier\":\"") + kTiers[i % 3] + "\",\"tags\":" +
                       (i % 2 == 0 ? "[\"a\",\"b\"]" : "[\"c\"]") + ",\"score\":" + std::to_string(i % 100) + "}";
    rows.push_back(Row{i, "name-" + std::to_string(i), "user-" + std::to_string(i) + "@example.com",
                       static_cast<double>(i * 125 % 1000000) / 100.0, i % 3 != 0, i * 7 % 1000, created, created,
                       std::move(meta)});
  }
  return rows;
}

void Check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE) Fail(std::string(what) + ": " + sqlite3_errmsg(db));
}

int Insert(const std::string& path, long count) {
  std::vector<Row> rows = BuildRows(count);
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) unlink((path + suffix).c_str());

  auto start = Clock::now();
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Fail("cannot open " + path);
  Check(db,
        sqlite3_exec(db,
                     "CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT, email TEXT, amount REAL, "
                     "active INTEGER, quantity INTEGER, created_at TEXT, updated_at TEXT, meta TEXT)",
                     nullptr, nullptr, nullptr),
        "CREATE TABLE");
  Check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "BEGIN");
  sqlite3_stmt* insert = nullptr;
  Check(db,
        sqlite3_prepare_v2(db,
                           "INSERT INTO rows (id, name, email, amount, active, quantity, created_at, "
                           "updated_at, meta) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &insert, nullptr),
        "prepare INSERT");
  auto text = [&](int column, const std::string& s) {
    sqlite3_bind_text(insert, column, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  };
  for (const Row& row : rows) {
    sqlite3_bind_int64(insert, 1, row.id);
    text(2, row.name);
    text(3, row.email);
    sqlite3_bind_double(insert, 4, row.amount);
    sqlite3_bind_int(insert, 5, row.active ? 1 : 0);
    sqlite3_bind_int64(insert, 6, row.quantity);
    text(7, row.created_at);
    text(8, row.updated_at);
    text(9, row.meta);
    Check(db, sqlite3_step(insert), "INSERT");
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  Check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "COMMIT");
  if (sqlite3_close(db) != SQLITE_OK) Fail("cannot close " + path);
  double seconds = Seconds(start);
  std::printf("{\"seconds\": %.6f, \"rows\": %ld}\n", seconds, count);
  return 0;
}

// --- scan and sync: fetch + simdjson parse (+ insert) ----------------------

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// Fetches the pages in order into `body`, one at a time, on one reused
// handle; `page(cursor)` runs after each, with the body complete.
template <typename OnPage>
uint64_t FetchPages(const std::string& url, long pages, OnPage page) {
  CURL* easy = curl_easy_init();
  if (!easy) Fail("curl_easy_init failed");
  std::string body;
  uint64_t bytes = 0;
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  for (long cursor = 0; cursor < pages; ++cursor) {
    std::string page_url = PageUrl(url, cursor);
    body.clear();
    curl_easy_setopt(easy, CURLOPT_URL, page_url.c_str());
    CURLcode rc = curl_easy_perform(easy);
    if (rc != CURLE_OK) Fail("GET " + page_url + ": " + curl_easy_strerror(rc));
    CheckStatus(easy, page_url);
    bytes += body.size();
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: give it room
    // in place rather than have it copy the body.
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    page(page_url, body);
  }
  curl_easy_cleanup(easy);
  return bytes;
}

simdjson::dom::array Items(simdjson::dom::parser& parser, const std::string& url, const std::string& body) {
  simdjson::dom::element page;
  simdjson::dom::array items;
  if (parser.parse(body.data(), body.size(), false).get(page) != simdjson::SUCCESS ||
      page["items"].get_array().get(items) != simdjson::SUCCESS) {
    Fail("GET " + url + ": the body is not a page of the bench API");
  }
  return items;
}

int Scan(const std::string& url, long pages, bool filter) {
  simdjson::dom::parser parser;
  uint64_t rows = 0;
  std::vector<std::pair<int64_t, std::string>> matched;
  auto start = Clock::now();
  uint64_t bytes = FetchPages(url, pages, [&](const std::string& page_url, const std::string& body) {
    simdjson::dom::array items = Items(parser, page_url, body);
    if (!filter) {
      rows += items.size();
      return;
    }
    for (simdjson::dom::element item : items) {
      ++rows;
      bool active = false;
      int64_t quantity = 0, id = 0;
      std::string_view name;
      if (item["active"].get(active) || item["quantity"].get(quantity)) Fail("GET " + page_url + ": a bad row");
      if (!active || quantity <= 500) continue;
      if (item["id"].get(id) || item["name"].get(name)) Fail("GET " + page_url + ": a bad row");
      matched.emplace_back(id, std::string(name));
    }
  });
  double seconds = Seconds(start);
  std::printf("{\"seconds\": %.6f, \"bytes\": %llu, \"pages\": %ld, \"rows\": %llu, \"matched\": %zu}\n",
              seconds, static_cast<unsigned long long>(bytes), pages,
              static_cast<unsigned long long>(rows), filter ? matched.size() : static_cast<size_t>(rows));
  return 0;
}

// One page's rows on their way from the parsing thread to the inserting one.
class BatchQueue {
 public:
  void Push(std::vector<Row> batch) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return batches_.size() < kDepth; });
    batches_.push_back(std::move(batch));
    ready_.notify_one();
  }
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_one();
  }
  // The next batch, or nothing once closed and drained.
  std::optional<std::vector<Row>> Pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return std::nullopt;
    std::vector<Row> batch = std::move(batches_.front());
    batches_.pop_front();
    space_.notify_one();
    return batch;
  }

 private:
  static constexpr size_t kDepth = 4;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<Row>> batches_;
  bool closed_ = false;
};

std::vector<Row> ParseRows(simdjson::dom::parser& parser, const std::string& url, const std::string& body) {
  simdjson::dom::array items = Items(parser, url, body);
  std::vector<Row> rows;
  rows.reserve(items.size());
  for (simdjson::dom::element item : items) {
    Row row;
    std::string_view name, email, created, updated;
    simdjson::dom::element meta;
    if (item["id"].get(row.id) || item["name"].get(name) || item["email"].get(email) ||
        item["amount"].get(row.amount) || item["active"].get(row.active) ||
        item["quantity"].get(row.quantity) || item["created_at"].get(created) ||
        item["updated_at"].get(updated) || item["meta"].get(meta)) {
      Fail("GET " + url + ": a row without the bench API's fields");
    }
    row.name = name;
    row.email = email;
    row.created_at = created;
    row.updated_at = updated;
    row.meta = simdjson::minify(meta);
    rows.push_back(std::move(row));
  }
  return rows;
}

int Sync(const std::string& url, long pages, const std::string& path, bool upsert) {
  if (!upsert) {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) unlink((path + suffix).c_str());
  }
  BatchQueue queue;
  uint64_t rows = 0;
  double fetch_parse_seconds = 0;
  auto start = Clock::now();
  std::thread writer([&] {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Fail("cannot open " + path);
    Check(db,
          sqlite3_exec(db,
                       "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, name TEXT, email TEXT, "
                       "amount REAL, active INTEGER, quantity INTEGER, created_at TEXT, updated_at TEXT, "
                       "meta TEXT)",
                       nullptr, nullptr, nullptr),
          "CREATE TABLE");
    Check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "BEGIN");
    std::string sql =
        "INSERT INTO rows (id, name, email, amount, active, quantity, created_at, updated_at, meta) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    if (upsert) {
      sql +=
          " ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, amount = "
          "excluded.amount, active = excluded.active, quantity = excluded.quantity, created_at = "
          "excluded.created_at, updated_at = excluded.updated_at, meta = excluded.meta";
    }
    sqlite3_stmt* insert = nullptr;
    Check(db, sqlite3_prepare_v2(db, sql.c_str(), -1, &insert, nullptr), "prepare INSERT");
    auto text = [&](int column, const std::string& s) {
      sqlite3_bind_text(insert, column, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    };
    while (std::optional<std::vector<Row>> batch = queue.Pop()) {
      for (const Row& row : *batch) {
        sqlite3_bind_int64(insert, 1, row.id);
        text(2, row.name);
        text(3, row.email);
        sqlite3_bind_double(insert, 4, row.amount);
        sqlite3_bind_int(insert, 5, row.active ? 1 : 0);
        sqlite3_bind_int64(insert, 6, row.quantity);
        text(7, row.created_at);
        text(8, row.updated_at);
        text(9, row.meta);
        Check(db, sqlite3_step(insert), "INSERT");
        sqlite3_reset(insert);
      }
    }
    sqlite3_finalize(insert);
    Check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "COMMIT");
    if (sqlite3_close(db) != SQLITE_OK) Fail("cannot close " + path);
  });
  simdjson::dom::parser parser;
  uint64_t bytes = FetchPages(url, pages, [&](const std::string& page_url, const std::string& body) {
    std::vector<Row> batch = ParseRows(parser, page_url, body);
    rows += batch.size();
    queue.Push(std::move(batch));
  });
  fetch_parse_seconds = Seconds(start);
  queue.Close();
  writer.join();
  double seconds = Seconds(start);
  std::printf(
      "{\"seconds\": %.6f, \"bytes\": %llu, \"pages\": %ld, \"rows\": %llu, \"fetch_parse_seconds\": %.6f}\n",
      seconds, static_cast<unsigned long long>(bytes), pages, static_cast<unsigned long long>(rows),
      fetch_parse_seconds);
  return 0;
}

// --- pg-copy ------------------------------------------------------------

// The table the PostgreSQL destination creates for the bench entity.
constexpr const char* kPgTable =
    "CREATE TABLE bench_limit_rows (id bigint, name text, email text, amount double precision, active boolean, "
    "quantity bigint, created_at timestamptz, updated_at timestamptz, meta jsonb, _sluice_source text NOT NULL, "
    "_sluice_synced_at timestamptz NOT NULL, PRIMARY KEY (id))";
constexpr const char* kSyncedAt = "2026-06-01T00:00:00Z";

void PgRun(PGconn* conn, const char* sql) {
  PGresult* result = PQexec(conn, sql);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) Fail(std::string(sql) + ": " + PQerrorMessage(conn));
  PQclear(result);
}

void AppendNumber(std::string& out, auto number) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number);
  out.append(buf, end);
}

// COPY text: the bench rows hold no tab, newline or backslash, but a real
// writer must look at every byte, so this one does too.
void AppendText(std::string& out, const std::string& text) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
}

void AppendTextRow(std::string& out, const Row& row) {
  AppendNumber(out, row.id);
  out += '\t';
  AppendText(out, row.name);
  out += '\t';
  AppendText(out, row.email);
  out += '\t';
  AppendNumber(out, row.amount);
  out += row.active ? "\tt\t" : "\tf\t";
  AppendNumber(out, row.quantity);
  out += '\t';
  AppendText(out, row.created_at);
  out += '\t';
  AppendText(out, row.updated_at);
  out += '\t';
  AppendText(out, row.meta);
  out += "\tbench\t";
  out += kSyncedAt;
  out += '\n';
}

void PutBig(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

void AppendBinaryBytes(std::string& out, const std::string& bytes) {
  PutBig(out, bytes.size(), 4);
  out += bytes;
}

// Microseconds from 2000-01-01 (PostgreSQL's epoch) of a bench timestamp,
// "2026-MM-DDTHH:MM:SSZ"; days of 2000…2025 plus those of 2026 before it.
int64_t PgMicros(const std::string& iso) {
  static constexpr int kBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  int month = std::atoi(iso.c_str() + 5), day = std::atoi(iso.c_str() + 8);
  int hour = std::atoi(iso.c_str() + 11), minute = std::atoi(iso.c_str() + 14), second = std::atoi(iso.c_str() + 17);
  int64_t days = 26 * 365 + 7 + kBefore[month - 1] + day - 1;  // 7 leap days: 2000, 2004, … 2024
  return ((days * 86400 + hour * 3600 + minute * 60 + second) * 1000000);
}

void AppendBinaryRow(std::string& out, const Row& row, int64_t synced_at) {
  PutBig(out, 11, 2);
  PutBig(out, 8, 4);
  PutBig(out, static_cast<uint64_t>(row.id), 8);
  AppendBinaryBytes(out, row.name);
  AppendBinaryBytes(out, row.email);
  uint64_t bits;
  std::memcpy(&bits, &row.amount, 8);
  PutBig(out, 8, 4);
  PutBig(out, bits, 8);
  PutBig(out, 1, 4);
  out += static_cast<char>(row.active ? 1 : 0);
  PutBig(out, 8, 4);
  PutBig(out, static_cast<uint64_t>(row.quantity), 8);
  PutBig(out, 8, 4);
  PutBig(out, static_cast<uint64_t>(PgMicros(row.created_at)), 8);
  PutBig(out, 8, 4);
  PutBig(out, static_cast<uint64_t>(PgMicros(row.updated_at)), 8);
  PutBig(out, row.meta.size() + 1, 4);  // jsonb: a version byte, then the text
  out += '\1';
  out += row.meta;
  AppendBinaryBytes(out, "bench");
  PutBig(out, 8, 4);
  PutBig(out, static_cast<uint64_t>(synced_at), 8);
}

// One COPY of `rows` into `table`, sent in chunks as they fill, so the
// server parses while rows are formatted.
void CopyRows(PGconn* conn, const std::string& table, const std::vector<Row>& rows, bool binary) {
  std::string copy = "COPY " + table + " FROM STDIN" + (binary ? " (FORMAT binary)" : "");
  PGresult* started = PQexec(conn, copy.c_str());
  if (PQresultStatus(started) != PGRES_COPY_IN) Fail(std::string("COPY: ") + PQerrorMessage(conn));
  PQclear(started);
  std::string chunk;
  constexpr size_t kChunk = 1 << 20;
  chunk.reserve(kChunk + 4096);
  if (binary) chunk.append("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
  int64_t synced_at = PgMicros(kSyncedAt);
  auto send = [&] {
    if (PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      Fail(std::string("COPY data: ") + PQerrorMessage(conn));
    }
    chunk.clear();
  };
  for (const Row& row : rows) {
    if (binary) {
      AppendBinaryRow(chunk, row, synced_at);
    } else {
      AppendTextRow(chunk, row);
    }
    if (chunk.size() >= kChunk) send();
  }
  if (binary) PutBig(chunk, 0xffff, 2);
  send();
  if (PQputCopyEnd(conn, nullptr) != 1) Fail(std::string("COPY end: ") + PQerrorMessage(conn));
  while (PGresult* result = PQgetResult(conn)) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK) Fail(std::string("COPY: ") + PQresultErrorMessage(result));
    PQclear(result);
  }
}

PGconn* PgConnect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Fail(std::string("cannot connect: ") + PQerrorMessage(conn));
  PgRun(conn, "SET client_min_messages = warning");
  return conn;
}

void PrintRows(double seconds, long count) { std::printf("{\"seconds\": %.6f, \"rows\": %ld}\n", seconds, count); }

int PgCopy(const std::string& conninfo, long count, bool binary) {
  std::vector<Row> rows = BuildRows(count);
  PGconn* conn = PgConnect(conninfo);
  PgRun(conn, "DROP TABLE IF EXISTS bench_limit_rows");
  auto start = Clock::now();
  PgRun(conn, "BEGIN");
  PgRun(conn, kPgTable);
  CopyRows(conn, "bench_limit_rows", rows, binary);
  PgRun(conn, "COMMIT");
  double seconds = Seconds(start);
  PQfinish(conn);
  PrintRows(seconds, count);
  return 0;
}

// The incremental limit: every (ROWS/CHANGED)th row of a ROWS-row table
// (loaded first, not timed, unless a pg-copy left it) upserted as a sync
// must: COPY into a temporary stage, then one INSERT … ON CONFLICT DO
// UPDATE of every column, in key order, in one transaction.
int PgUpsert(const std::string& conninfo, long count, long changed) {
  if (changed < 1 || changed > count) return 2;
  PGconn* conn = PgConnect(conninfo);
  PGresult* present = PQexec(conn, "SELECT count(*) FROM bench_limit_rows");
  bool loaded = PQresultStatus(present) == PGRES_TUPLES_OK && std::atol(PQgetvalue(present, 0, 0)) == count;
  PQclear(present);
  if (!loaded) {
    PgRun(conn, "DROP TABLE IF EXISTS bench_limit_rows");
    PgRun(conn, kPgTable);
    CopyRows(conn, "bench_limit_rows", BuildRows(count), true);
  }
  std::vector<Row> all = BuildRows(count), rows;
  long every = count / changed;
  for (const Row& row : all) {
    if (row.id % every != 0) continue;
    rows.push_back(row);
    rows.back().updated_at = Timestamp(count + row.id);  // as /change moves it
    rows.back().name += "-changed";
  }
  auto start = Clock::now();
  PgRun(conn, "BEGIN");
  PgRun(conn, "CREATE TEMP TABLE bench_limit_stage (LIKE bench_limit_rows) ON COMMIT DROP");
  CopyRows(conn, "bench_limit_stage", rows, true);
  PgRun(conn,
        "INSERT INTO bench_limit_rows SELECT * FROM bench_limit_stage ORDER BY id ON CONFLICT (id) DO UPDATE SET "
        "name = EXCLUDED.name, email = EXCLUDED.email, amount = EXCLUDED.amount, active = EXCLUDED.active, "
        "quantity = EXCLUDED.quantity, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
        "meta = EXCLUDED.meta, _sluice_source = EXCLUDED._sluice_source, "
        "_sluice_synced_at = EXCLUDED._sluice_synced_at");
  PgRun(conn, "COMMIT");
  double seconds = Seconds(start);
  PQfinish(conn);
  PrintRows(seconds, static_cast<long>(rows.size()));
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: bench_limit scan URL PAGES [--filter]\n"
               "       bench_limit sync URL PAGES DB_PATH [--upsert]\n"
               "       bench_limit fetch URL PAGES\n"
               "       bench_limit fetch-concurrent URL PAGES CONCURRENCY\n"
               "       bench_limit count URL PAGES\n"
               "       bench_limit insert DB_PATH ROWS\n"
               "       bench_limit pg-copy CONNINFO ROWS\n"
               "       bench_limit pg-copy-binary CONNINFO ROWS\n"
               "       bench_limit pg-upsert CONNINFO ROWS CHANGED\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return Usage();
  std::string mode = argv[1];
  long n = 0, concurrency = 0;
  if (!ParseCount(argv[3], n)) return Usage();
  if (mode == "insert" && argc == 4) return Insert(argv[2], n);
  if ((mode == "pg-copy" || mode == "pg-copy-binary") && argc == 4) return PgCopy(argv[2], n, mode == "pg-copy-binary");
  if (mode == "pg-upsert" && argc == 5 && ParseCount(argv[4], concurrency)) return PgUpsert(argv[2], n, concurrency);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if ((mode == "fetch" || mode == "count") && argc == 4) return Fetch(argv[2], n);
  if (mode == "scan" && (argc == 4 || (argc == 5 && std::strcmp(argv[4], "--filter") == 0))) {
    return Scan(argv[2], n, argc == 5);
  }
  if (mode == "sync" && (argc == 5 || (argc == 6 && std::strcmp(argv[5], "--upsert") == 0))) {
    return Sync(argv[2], n, argv[4], argc == 6);
  }
  if (mode == "fetch-concurrent" && argc == 5 && ParseCount(argv[4], concurrency) && concurrency >= 1) {
    return FetchConcurrent(argv[2], n, concurrency);
  }
  return Usage();
}
