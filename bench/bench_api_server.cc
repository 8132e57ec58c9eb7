// bench_api_server: the HTTP API the benchmarks (make bench) read from, built
// never to be the bottleneck. It serves N synthetic rows (the row formula is
// in bench/README.md) in pages that are all rendered to JSON text once, at
// startup, and answered from memory; the only per-request work is parsing the
// query string and writing the bytes (no compression, Content-Length set,
// TCP_NODELAY on accepted sockets, keep-alive without a request cap).
//
//   build/bench_api_server [--rows N] [--page-size P] [--latency-ms L]
//                          [--port N] [--port-file PATH] [--exit-on-stdin-eof]
//
// Prints "ready rows=N pages=K ms=<startup ms>" on stdout once listening on
// 127.0.0.1 (--port 0, the default, takes a free port; --port-file gets it,
// written atomically). SIGTERM/SIGINT, or stdin EOF with --exit-on-stdin-eof,
// stop it. Endpoints:
//
//   GET  /rows?cursor=C                  {"items":[…],"next_cursor":"C+1"|null}
//   GET  /rows?page=K                    {"items":[…],"page":K,"next_page":K+1|null}   (K from 1)
//   GET  /rows?updated_since=ISO&cursor=C  rows with updated_at >= ISO, cursor-paginated
//   POST /change?percent=P               rows with id % round(100/P) == 0 get a new
//                                        updated_at; {"changed": n}
//   POST /reset                          the original rows again
//   GET  /stats                          {"requests": n, "inflight_max": m} over /rows
//   POST /stats/reset
//
// Every /rows request sleeps --latency-ms before answering (default 0).
//
// Threading: httplib serves each connection on one of kPoolThreads pool
// threads. The pages live in an immutable Snapshot behind a shared_ptr; a
// request takes the current one, /change and /reset build a new one (sharing
// the pages they do not touch) and swap it in, so a response being written
// never sees its page change under it.
#include <httplib.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "loopback_server.h"

namespace {

using httplib::Request;
using httplib::Response;

constexpr int kPoolThreads = 160;     // >= 128: 64+ concurrent slow requests, with headroom
constexpr int kListenBacklog = 1024;  // httplib listens with a backlog of 5
constexpr int64_t kCreatedBase = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kChangedBase = 1772323200;  // 2026-03-01T00:00:00Z

struct Options {
  int64_t rows = 1000000;
  int64_t page_size = 1000;
  int64_t latency_ms = 0;
  int port = 0;
  std::string port_file;
  bool exit_on_stdin_eof = false;
};

// --- rendering ----------------------------------------------------------

// Rendering writes through a char pointer into a buffer big enough for the
// row (kMaxRowBytes), then appends the row to the page in one go.
constexpr size_t kMaxRowBytes = 512;  // a row with 19-digit numbers is under 400

template <size_t N>
char* Put(char* p, const char (&literal)[N]) {
  std::memcpy(p, literal, N - 1);
  return p + N - 1;
}

char* PutInt(char* p, int64_t v) { return std::to_chars(p, p + 24, v).ptr; }

char* PutTwo(char* p, int64_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// "YYYY-MM-DDTHH:MM:SSZ" for a Unix time (civil_from_days, H. Hinnant);
// years 0..9999 only (the rows' times are all in 2026).
char* PutTimestamp(char* p, int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  p = PutTwo(p, y / 100 % 100);
  p = PutTwo(p, y % 100);
  *p++ = '-';
  p = PutTwo(p, m);
  *p++ = '-';
  p = PutTwo(p, d);
  *p++ = 'T';
  p = PutTwo(p, secs / 3600);
  *p++ = ':';
  p = PutTwo(p, secs / 60 % 60);
  *p++ = ':';
  p = PutTwo(p, secs % 60);
  *p++ = 'Z';
  return p;
}

// amount = cents / 100, printed as JSON.stringify would: 100, 12.5, 1.25.
char* PutAmount(char* p, int64_t cents) {
  p = PutInt(p, cents / 100);
  int64_t frac = cents % 100;
  if (frac == 0) return p;
  *p++ = '.';
  *p++ = static_cast<char>('0' + frac / 10);
  if (frac % 10 != 0) *p++ = static_cast<char>('0' + frac % 10);
  return p;
}

// Row i (1-based); `changed` gives it the /change updated_at.
void AppendRow(std::string& out, int64_t i, bool changed) {
  char buf[kMaxRowBytes];
  char* p = buf;
  int64_t created = kCreatedBase + i;
  p = Put(p, "{\"id\":");
  p = PutInt(p, i);
  p = Put(p, ",\"name\":\"name-");
  p = PutInt(p, i);
  p = Put(p, "\",\"email\":\"user-");
  p = PutInt(p, i);
  p = Put(p, "@example.com\",\"amount\":");
  p = PutAmount(p, i * 125 % 1000000);
  p = i % 3 != 0 ? Put(p, ",\"active\":true") : Put(p, ",\"active\":false");
  p = Put(p, ",\"quantity\":");
  p = PutInt(p, i * 7 % 1000);
  p = Put(p, ",\"created_at\":\"");
  p = PutTimestamp(p, created);
  p = Put(p, "\",\"updated_at\":\"");
  p = PutTimestamp(p, changed ? kChangedBase + i : created);
  switch (i % 3) {
    case 0: p = Put(p, "\",\"meta\":{\"tier\":\"free"); break;
    case 1: p = Put(p, "\",\"meta\":{\"tier\":\"pro"); break;
    default: p = Put(p, "\",\"meta\":{\"tier\":\"team"); break;
  }
  p = i % 2 == 0 ? Put(p, "\",\"tags\":[\"a\",\"b\"],\"score\":") : Put(p, "\",\"tags\":[\"c\"],\"score\":");
  p = PutInt(p, i % 100);
  p = Put(p, "}}");
  out.append(buf, static_cast<size_t>(p - buf));
}

constexpr size_t kRowBytesEstimate = 260;  // a row of the first 10M is at most 247 bytes

using Text = std::shared_ptr<const std::string>;
using Flags = std::shared_ptr<const std::vector<uint8_t>>;  // changed[i] for row i (index 0 unused)

// The items array "[…]" of page `index` (0-based).
Text RenderPage(const Options& o, const std::vector<uint8_t>& changed, int64_t index) {
  auto text = std::make_shared<std::string>();
  int64_t first = index * o.page_size + 1;
  int64_t last = std::min(o.rows, first + o.page_size - 1);
  text->reserve(static_cast<size_t>(std::max<int64_t>(0, last - first + 1)) * kRowBytesEstimate + 2);
  text->push_back('[');
  for (int64_t i = first; i <= last; ++i) {
    if (i != first) text->push_back(',');
    AppendRow(*text, i, changed[static_cast<size_t>(i)] != 0);
  }
  text->push_back(']');
  return text;
}

// Has the kernel read `text` once, through a pipe. Under some hypervisors
// (seen on a PVM guest) the kernel's first read of each 4 KiB page of user
// memory costs a trap, even after the process has written it: the first
// send of each page then ran ~14x slower than later ones (1M rows: the first
// pass over the pages took 0.6 s, the next 0.2 s). Paying that here, at
// render time, makes every pass alike; elsewhere it costs a memcpy.
class KernelWarmer {
 public:
  KernelWarmer() {
    if (pipe(fds_) != 0) {
      fds_[0] = fds_[1] = -1;
      return;
    }
    fcntl(fds_[1], F_SETPIPE_SZ, static_cast<int>(kChunk));
    scratch_.resize(kChunk);
  }
  ~KernelWarmer() {
    if (fds_[0] >= 0) close(fds_[0]);
    if (fds_[1] >= 0) close(fds_[1]);
  }
  KernelWarmer(const KernelWarmer&) = delete;
  KernelWarmer& operator=(const KernelWarmer&) = delete;

  void Warm(const std::string& text) {
    if (fds_[0] < 0) return;
    for (size_t off = 0; off < text.size();) {
      ssize_t n = write(fds_[1], text.data() + off, std::min(kChunk, text.size() - off));
      if (n <= 0) return;
      for (ssize_t got = 0; got < n;) {
        ssize_t r = read(fds_[0], scratch_.data(), static_cast<size_t>(n - got));
        if (r <= 0) return;
        got += r;
      }
      off += static_cast<size_t>(n);
    }
  }

 private:
  static constexpr size_t kChunk = 1 << 16;  // a default pipe's capacity
  int fds_[2] = {-1, -1};
  std::vector<char> scratch_;
};

// Renders the listed pages into `pages`, on every core.
void RenderPages(const Options& o, const std::vector<uint8_t>& changed, const std::vector<int64_t>& which,
                 std::vector<Text>& pages) {
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  auto work = [&] {
    KernelWarmer warmer;
    for (size_t k; (k = next.fetch_add(1)) < which.size();) {
      Text page = RenderPage(o, changed, which[k]);
      warmer.Warm(*page);
      pages[static_cast<size_t>(which[k])] = std::move(page);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
}

// --- state --------------------------------------------------------------

struct Snapshot {
  std::vector<Text> pages;  // items arrays; at least one (empty) page
  Flags changed;
  uint64_t generation = 0;
};

class State {
 public:
  explicit State(const Options& o) : opts_(o) {
    page_count_ = std::max<int64_t>(1, (o.rows + o.page_size - 1) / o.page_size);
    auto snap = std::make_shared<Snapshot>();
    snap->changed = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(o.rows) + 1, 0);
    snap->pages.resize(static_cast<size_t>(page_count_));
    std::vector<int64_t> all(static_cast<size_t>(page_count_));
    for (int64_t k = 0; k < page_count_; ++k) all[static_cast<size_t>(k)] = k;
    RenderPages(opts_, *snap->changed, all, snap->pages);
    snap_ = std::move(snap);
  }

  int64_t page_count() const { return page_count_; }
  const Options& opts() const { return opts_; }

  std::shared_ptr<const Snapshot> Current() const {
    std::lock_guard lock(snap_mu_);
    return snap_;
  }

  // Marks rows with id % every == 0 changed; re-renders the pages whose rows
  // changed. Returns how many rows matched.
  int64_t Change(int64_t every) {
    std::lock_guard writer(write_mu_);
    auto old = Current();
    auto flags = std::make_shared<std::vector<uint8_t>>(*old->changed);
    std::vector<int64_t> dirty;
    int64_t matched = 0;
    for (int64_t id = every; id <= opts_.rows; id += every) {
      ++matched;
      auto& f = (*flags)[static_cast<size_t>(id)];
      if (f) continue;
      f = 1;
      int64_t page = (id - 1) / opts_.page_size;
      if (dirty.empty() || dirty.back() != page) dirty.push_back(page);
    }
    Publish(*old, std::move(flags), dirty);
    return matched;
  }

  void Reset() {
    std::lock_guard writer(write_mu_);
    auto old = Current();
    auto flags = std::make_shared<std::vector<uint8_t>>(*old->changed);
    std::vector<int64_t> dirty;
    for (int64_t id = 1; id <= opts_.rows; ++id) {
      auto& f = (*flags)[static_cast<size_t>(id)];
      if (!f) continue;
      f = 0;
      int64_t page = (id - 1) / opts_.page_size;
      if (dirty.empty() || dirty.back() != page) dirty.push_back(page);
    }
    Publish(*old, std::move(flags), dirty);
  }

  // Ids of the rows with updated_at >= since, in id order, for the snapshot
  // `snap`; the last answer is cached, so paging through one changed set
  // scans the rows once.
  std::shared_ptr<const std::vector<int64_t>> Since(const Snapshot& snap, int64_t since) {
    std::lock_guard lock(since_mu_);
    if (since_ids_ && since_key_ == since && since_generation_ == snap.generation) return since_ids_;
    auto ids = std::make_shared<std::vector<int64_t>>();
    const auto& changed = *snap.changed;
    for (int64_t id = 1; id <= opts_.rows; ++id) {
      int64_t updated = changed[static_cast<size_t>(id)] ? kChangedBase + id : kCreatedBase + id;
      if (updated >= since) ids->push_back(id);
    }
    since_ids_ = std::move(ids);
    since_key_ = since;
    since_generation_ = snap.generation;
    return since_ids_;
  }

  // The /rows gauge.
  void Enter() {
    requests_.fetch_add(1, std::memory_order_relaxed);
    int64_t now = inflight_.fetch_add(1) + 1;
    int64_t max = inflight_max_.load();
    while (now > max && !inflight_max_.compare_exchange_weak(max, now)) {
    }
  }
  void Leave() { inflight_.fetch_sub(1); }
  int64_t requests() const { return requests_.load(); }
  int64_t inflight_max() const { return inflight_max_.load(); }
  void ResetStats() {
    requests_.store(0);
    inflight_max_.store(inflight_.load());
  }

 private:
  void Publish(const Snapshot& old, Flags flags, const std::vector<int64_t>& dirty) {
    auto snap = std::make_shared<Snapshot>();
    snap->pages = old.pages;
    RenderPages(opts_, *flags, dirty, snap->pages);
    snap->changed = std::move(flags);
    snap->generation = old.generation + 1;
    std::lock_guard lock(snap_mu_);
    snap_ = std::move(snap);
  }

  Options opts_;
  int64_t page_count_ = 1;
  mutable std::mutex snap_mu_;
  std::shared_ptr<const Snapshot> snap_;
  std::mutex write_mu_;  // one /change or /reset at a time
  std::mutex since_mu_;
  std::shared_ptr<const std::vector<int64_t>> since_ids_;
  int64_t since_key_ = 0;
  uint64_t since_generation_ = 0;
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> inflight_{0};
  std::atomic<int64_t> inflight_max_{0};
};

// --- HTTP ---------------------------------------------------------------

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]" (UTC when no offset) to Unix
// seconds, rounded up: updated_at >= since is then an integer comparison.
std::optional<int64_t> ParseIso(std::string_view s) {
  auto num = [&](size_t at, size_t len) -> std::optional<int64_t> {
    if (at + len > s.size()) return std::nullopt;
    for (size_t k = at; k < at + len; ++k) {
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
    }
    return ParseInt(s.substr(at, len));
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2);
  if (!y || !mo || !d || s[4] != '-' || s[7] != '-' || *mo < 1 || *mo > 12 || *d < 1 || *d > 31) {
    return std::nullopt;
  }
  int64_t t = DaysFromCivil(*y, *mo, *d) * 86400;
  size_t at = 10;
  if (at < s.size() && (s[at] == 'T' || s[at] == 't' || s[at] == ' ')) {
    auto h = num(at + 1, 2), mi = num(at + 4, 2);
    if (!h || !mi || s[at + 3] != ':' || *h > 23 || *mi > 59) return std::nullopt;
    t += *h * 3600 + *mi * 60;
    at += 6;
    if (at < s.size() && s[at] == ':') {
      auto sec = num(at + 1, 2);
      if (!sec || *sec > 60) return std::nullopt;
      t += *sec;
      at += 3;
      if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
        bool fraction = false;
        size_t digits = 0;
        for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++digits) fraction |= s[at] != '0';
        if (digits == 0) return std::nullopt;
        if (fraction) ++t;
      }
    }
  }
  if (at < s.size()) {
    if (s[at] == 'Z' || s[at] == 'z') {
      ++at;
    } else if (s[at] == '+' || s[at] == '-') {
      auto oh = num(at + 1, 2), om = num(at + 4, 2);
      if (!oh || !om || s[at + 3] != ':') return std::nullopt;
      int64_t offset = *oh * 3600 + *om * 60;
      t += s[at] == '+' ? -offset : offset;
      at += 6;
    }
  }
  if (at != s.size()) return std::nullopt;
  return t;
}

void SendJson(Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), "application/json");
}

void SendError(Response& res, int status, const std::string& message) {
  // Messages are ours, with nothing to escape.
  SendJson(res, status, "{\"error\":\"" + message + "\"}");
}

// Sends prefix + items + suffix without copying the items: a content
// provider with a known length gets a Content-Length and, unlike a body set
// with set_content, is never compressed by httplib (it would gzip or brotli
// application/json for any client that sends Accept-Encoding).
void SendPage(Response& res, std::string prefix, Text items, std::string suffix) {
  struct Parts {
    std::string prefix;
    Text items;
    std::string suffix;
  };
  auto parts = std::make_shared<Parts>(Parts{std::move(prefix), std::move(items), std::move(suffix)});
  size_t total = parts->prefix.size() + parts->items->size() + parts->suffix.size();
  res.status = 200;
  res.set_content_provider(total, "application/json", [parts](size_t offset, size_t length, httplib::DataSink& sink) {
    const std::string_view pieces[] = {parts->prefix, *parts->items, parts->suffix};
    size_t end = offset + length;
    size_t base = 0;
    for (auto piece : pieces) {
      size_t lo = std::max(offset, base), hi = std::min(end, base + piece.size());
      if (lo < hi && !sink.write(piece.data() + (lo - base), hi - lo)) return false;
      base += piece.size();
    }
    return true;
  });
}

void HandleRows(State& st, const Request& req, Response& res) {
  st.Enter();
  struct Leave {
    State& st;
    ~Leave() { st.Leave(); }
  } leave{st};
  const Options& o = st.opts();
  if (o.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.latency_ms));
  auto snap = st.Current();

  if (req.has_param("page")) {
    auto page = ParseInt(req.get_param_value("page"));
    if (!page || *page < 1) return SendError(res, 400, "page must be an integer >= 1");
    int64_t k = *page;
    std::string suffix = ",\"page\":" + std::to_string(k) + ",\"next_page\":";
    suffix += k < st.page_count() ? std::to_string(k + 1) + "}" : "null}";
    static const Text kEmpty = std::make_shared<const std::string>("[]");
    Text items = k <= st.page_count() ? snap->pages[static_cast<size_t>(k - 1)] : kEmpty;
    return SendPage(res, "{\"items\":", std::move(items), std::move(suffix));
  }

  int64_t cursor = 0;
  if (std::string c = req.get_param_value("cursor"); !c.empty()) {
    auto parsed = ParseInt(c);
    if (!parsed || *parsed < 0) return SendError(res, 400, "cursor must be a page index >= 0");
    cursor = *parsed;
  }

  if (req.has_param("updated_since")) {
    auto since = ParseIso(req.get_param_value("updated_since"));
    if (!since) return SendError(res, 400, "updated_since must be an ISO-8601 time");
    auto ids = st.Since(*snap, *since);
    auto count = static_cast<int64_t>(ids->size());
    int64_t first = std::min(count, cursor * o.page_size);
    int64_t last = std::min(count, first + o.page_size);
    std::string body;
    body.reserve(static_cast<size_t>(last - first) * kRowBytesEstimate + 64);
    body.append("{\"items\":[");
    for (int64_t k = first; k < last; ++k) {
      if (k != first) body.push_back(',');
      int64_t id = (*ids)[static_cast<size_t>(k)];
      AppendRow(body, id, (*snap->changed)[static_cast<size_t>(id)] != 0);
    }
    body.append("],\"next_cursor\":");
    body.append(last < count ? "\"" + std::to_string(cursor + 1) + "\"}" : "null}");
    auto text = std::make_shared<const std::string>(std::move(body));
    return SendPage(res, "", std::move(text), "");
  }

  std::string suffix = ",\"next_cursor\":";
  suffix += cursor + 1 < st.page_count() ? "\"" + std::to_string(cursor + 1) + "\"}" : "null}";
  static const Text kEmpty = std::make_shared<const std::string>("[]");
  Text items = cursor < st.page_count() ? snap->pages[static_cast<size_t>(cursor)] : kEmpty;
  SendPage(res, "{\"items\":", std::move(items), std::move(suffix));
}

void AddRoutes(httplib::Server& svr, State& st) {
  svr.Get("/rows", [&st](const Request& req, Response& res) { HandleRows(st, req, res); });
  svr.Get("/stats", [&st](const Request&, Response& res) {
    SendJson(res, 200,
             "{\"requests\":" + std::to_string(st.requests()) +
                 ",\"inflight_max\":" + std::to_string(st.inflight_max()) + "}");
  });

  // The control endpoints take no body.
  static std::vector<std::pair<std::string, httplib::Server::Handler>> posts;
  posts.emplace_back("/change", [&st](const Request& req, Response& res) {
    double percent = 0;
    std::string p = req.get_param_value("percent");
    auto r = std::from_chars(p.data(), p.data() + p.size(), percent);
    if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || !(percent > 0) || percent > 100) {
      return SendError(res, 400, "percent must be a number in (0, 100]");
    }
    auto every = std::max<int64_t>(1, std::llround(100.0 / percent));
    SendJson(res, 200, "{\"changed\":" + std::to_string(st.Change(every)) + "}");
  });
  posts.emplace_back("/reset", [&st](const Request&, Response& res) {
    st.Reset();
    SendJson(res, 200, "{\"reset\":true}");
  });
  posts.emplace_back("/stats/reset", [&st](const Request&, Response& res) {
    st.ResetStats();
    SendJson(res, 200, "{\"reset\":true}");
  });
  for (const auto& [path, handler] : posts) svr.Post(path, handler);
  // httplib answers a POST with neither Content-Length nor Transfer-Encoding
  // (what `curl -X POST URL` sends) with a bare 400 before routing it; such
  // a request has no body to read, so it is answered here, before that.
  svr.set_pre_routing_handler([](const Request& req, Response& res) {
    if (req.method != "POST" || req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    for (const auto& [path, handler] : posts) {
      if (req.path == path) {
        handler(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_error_handler([](const Request& req, Response& res) {
    if (res.status == 404) SendError(res, 404, "no such endpoint: " + req.method + " " + req.path);
  });
}

// --- main ---------------------------------------------------------------

class Server : public httplib::Server {
 public:
  // httplib's backlog of 5 drops bursts of connections (svr_sock_ is protected).
  void WidenBacklog() { ::listen(svr_sock_, kListenBacklog); }
};

int Usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--rows N] [--page-size P] [--latency-ms L] [--port N] [--port-file PATH] "
               "[--exit-on-stdin-eof]\n",
               argv0);
  return 2;
}

// Accepts "--name value" and "--name=value".
std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--exit-on-stdin-eof") {
      o.exit_on_stdin_eof = true;
      continue;
    }
    std::string value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    auto number = ParseInt(value);
    if (arg == "--rows" && number && *number >= 0 && *number <= 100'000'000) {
      o.rows = *number;
    } else if (arg == "--page-size" && number && *number >= 1 && *number <= 1'000'000) {
      o.page_size = *number;
    } else if (arg == "--latency-ms" && number && *number >= 0 && *number <= 600'000) {
      o.latency_ms = *number;
    } else if (arg == "--port" && number && *number >= 0 && *number < 65536) {
      o.port = static_cast<int>(*number);
    } else if (arg == "--port-file" && !value.empty()) {
      o.port_file = value;
    } else {
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  auto opts = ParseArgs(argc, argv);
  if (!opts) return Usage(argv[0]);
  auto start = std::chrono::steady_clock::now();

  sigset_t stop_signals = loopback_server::BlockStopSignals();

  static State st(*opts);  // static: detached threads may outlive main's frame
  static Server svr;
  svr.new_task_queue = [] { return new httplib::ThreadPool(kPoolThreads); };
  AddRoutes(svr, st);
  loopback_server::UsePlainSockets(svr);
  // httplib closes a kept-alive connection after 5 requests by default.
  svr.set_keep_alive_max_count(1'000'000'000);

  int port = loopback_server::BindLoopback(svr, opts->port);
  if (port <= 0) {
    std::fprintf(stderr, "bench_api_server: cannot bind 127.0.0.1:%d\n", opts->port);
    return 1;
  }
  svr.WidenBacklog();
  if (!opts->port_file.empty() && !loopback_server::WritePortFile(opts->port_file, port)) {
    std::fprintf(stderr, "bench_api_server: cannot write %s\n", opts->port_file.c_str());
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::printf("ready rows=%lld pages=%lld ms=%lld\n", static_cast<long long>(opts->rows),
              static_cast<long long>(st.page_count()), static_cast<long long>(ms));
  std::fprintf(stderr, "bench_api_server: listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  loopback_server::WatchForStop(svr, stop_signals, opts->exit_on_stdin_eof);

  svr.listen_after_bind();
  std::fflush(stdout);
  std::_Exit(0);
}
