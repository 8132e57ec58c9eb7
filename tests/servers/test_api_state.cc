#include "test_api_state.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

namespace test_server {

std::string IsoTime(int64_t epoch) {
  std::time_t t = epoch;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

int64_t IntParam(const httplib::Request& req, const char* name, int64_t def, int64_t lo,
                 int64_t hi) {
  if (!req.has_param(name)) return def;
  auto v = ParseInt(req.get_param_value(name));
  if (!v || *v < lo || *v > hi) {
    throw BadRequest(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
  }
  return *v;
}

void SetBody(httplib::Response& res, std::string body, const std::string& type) {
  // httplib compresses a plain body (gzip, or brotli at quality 11: ~15 s for
  // 10 MB) whenever the client accepts it, but not one from a sized content
  // provider; tests need the same bytes whatever they accept.
  auto data = std::make_shared<const std::string>(std::move(body));
  res.set_content_provider(data->size(), type,
                           [data](size_t offset, size_t length, httplib::DataSink& sink) {
                             return sink.write(data->data() + offset, length);
                           });
}

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  SetBody(res, body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

Json HeadersJson(const httplib::Request& req) {
  Json out = Json::object();
  for (const auto& [name, value] : req.headers) {
    if (name.rfind("REMOTE_", 0) == 0 || name.rfind("LOCAL_", 0) == 0) continue;
    std::string key;
    for (char c : name) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (out.contains(key)) {
      out[key] = out[key].get<std::string>() + ", " + value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

std::string RawQuery(const httplib::Request& req) {
  auto q = req.target.find('?');
  return q == std::string::npos ? "" : req.target.substr(q + 1);
}

Json QueryJson(const httplib::Request& req) {
  // Parsed from the target, not req.params: httplib also adds the fields of a
  // form-encoded body there.
  httplib::Params params;
  httplib::detail::parse_query_text(RawQuery(req), params);
  Json out = Json::object();
  for (const auto& [name, value] : params) {
    if (!out.contains(name)) {
      out[name] = value;
    } else {
      if (!out[name].is_array()) out[name] = Json::array({out[name]});
      out[name].push_back(value);
    }
  }
  return out;
}

// Built as text, not through Json, because /big must produce millions of rows quickly.
void AppendRow(std::string& out, int64_t i) {
  out += "{\"id\":";
  out += std::to_string(i);
  out += ",\"name\":\"row-";
  out += std::to_string(i);
  out += "\",\"value\":";
  out += std::to_string(i * 7 % 1000);
  out += ",\"active\":";
  out += i % 2 == 0 ? "false" : "true";
  out += ",\"created_at\":\"";
  out += IsoTime(kSeedEpoch + i * 60);
  out += "\"}";
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper rather than zlib's.
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

std::string GzipBomb(int64_t mib) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  // Streamed a MiB at a time: the point is that the client, not this
  // server, would hold the whole expanded body.
  const std::string zeros(1 << 20, '0');
  std::string out;
  char chunk[1 << 16];
  for (int64_t i = 0; i < mib; ++i) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    zs.avail_in = static_cast<uInt>(zeros.size());
    int flush = i + 1 == mib ? Z_FINISH : Z_NO_FLUSH;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(chunk);
      zs.avail_out = sizeof chunk;
      deflate(&zs, flush);
      out.append(chunk, sizeof chunk - zs.avail_out);
    } while (zs.avail_out == 0);
  }
  deflateEnd(&zs);
  return out;
}

// --- the fake "forge" API (GitHub-like) ------------------------------------
//
// Repo g counts from 0 across the accounts in order: account g / R, repo-N with
// N = g % R + 1, id 1001 + g. Everything else about a repo and its issues is a
// small arithmetic function of g and the issue number.

namespace {

const char* const kForgeAccounts[] = {"acme", "globex", "initech"};
constexpr int64_t kForgeNamedAccounts = 3;
constexpr int64_t kForgeFirstRepoId = 1001;

// acme, globex, initech, then (--forge-accounts) org-4, org-5, …
std::string ForgeAccountName(int64_t a) {
  return a < kForgeNamedAccounts ? kForgeAccounts[a] : "org-" + std::to_string(a + 1);
}

int64_t ForgeIssueCount(int64_t g) { return (g * 7 + 3) % 6; }  // 3, 4, 5, 0, 1, 2, 3, …

Json ForgeRepo(const Options& o, int64_t g) {
  int64_t a = g / o.forge_repos;
  int64_t n = g % o.forge_repos + 1;
  std::string account = ForgeAccountName(a);
  static const char* const kTopics[] = {"api", "cli", "data", "web", "tools"};
  Json topics = Json::array();
  for (int64_t t = 0; t < g % 4; ++t) topics.push_back(kTopics[(g + t) % 5]);
  Json license = nullptr;
  if (g % 3 == 0) license = {{"key", "mit"}, {"name", "MIT License"}};
  if (g % 3 == 2) license = {{"key", "apache-2.0"}, {"name", "Apache License 2.0"}};
  return {{"id", kForgeFirstRepoId + g},
          {"name", "repo-" + std::to_string(n)},
          {"full_name", account + "/repo-" + std::to_string(n)},
          {"account", account},
          {"private", g % 3 == 1},
          {"stars", (g * 37 + 5) % 200},
          {"score", 1.25 + static_cast<double>(g % 8) * 0.5},
          {"created_at", IsoTime(kSeedEpoch - 86400 * 365 + g * 86400 + a * 3600)},
          {"topics", topics},
          {"owner", {{"login", account}, {"id", 501 + a}}},
          {"license", license}};
}

Json ForgeIssue(int64_t g, int64_t number) {
  static const char* const kAuthors[] = {"alice", "bob", "carol", "dave"};
  static const char* const kLabels[] = {"bug", "enhancement", "good first issue"};
  int64_t k = g + number;
  Json labels = Json::array();
  for (int64_t l = 0; l < k % 3; ++l) labels.push_back({{"name", kLabels[(k + l) % 3]}});
  int64_t created = kSeedEpoch + g * 86400 + number * 3600;
  bool closed = k % 3 == 0;
  return {{"id", (kForgeFirstRepoId + g) * 100 + number},
          {"number", number},
          {"title",
           "Issue " + std::to_string(number) + " of repo " + std::to_string(kForgeFirstRepoId + g)},
          {"state", closed ? "closed" : "open"},
          {"labels", labels},
          {"created_at", IsoTime(created)},
          {"closed_at", closed ? Json(IsoTime(created + 86400 + number * 60)) : Json(nullptr)},
          {"author", {{"login", kAuthors[k % 4]}}},
          {"comments", (g * 3 + number * 5) % 7}};
}

// Elements [first, first + count) of a list of `total`, page `page` of `per_page`.
template <typename Make>
Json PageOf(const char* key, int64_t total, int64_t page, int64_t per_page, Make make) {
  Json list = Json::array();
  for (int64_t i = (page - 1) * per_page; i < std::min(page * per_page, total); ++i) {
    list.push_back(make(i));
  }
  return {{key, list}, {"next_page", page * per_page < total ? Json(page + 1) : Json(nullptr)}};
}

}  // namespace

std::optional<Json> ForgeRepos(const Options& o, const std::string& account, int64_t page,
                               int64_t per_page) {
  for (int64_t a = 0; a < o.forge_accounts; ++a) {
    if (account != ForgeAccountName(a)) continue;
    return PageOf("repos", o.forge_repos, page, per_page,
                  [&](int64_t i) { return ForgeRepo(o, a * o.forge_repos + i); });
  }
  return std::nullopt;
}

std::optional<Json> ForgeIssues(const Options& o, const std::string& repo_id, int64_t page,
                                int64_t per_page) {
  auto id = ParseInt(repo_id);
  if (!id || *id < kForgeFirstRepoId ||
      *id >= kForgeFirstRepoId + o.forge_accounts * o.forge_repos) {
    return std::nullopt;
  }
  int64_t g = *id - kForgeFirstRepoId;
  return PageOf("issues", ForgeIssueCount(g), page, per_page,
                [&](int64_t i) { return ForgeIssue(g, i + 1); });
}

// --- the fake "sheets" API (Airtable-like) ----------------------------------
//
// Fixed tables. As Airtable does, a record leaves out the fields that are
// empty (an unchecked checkbox, no tags, …).

namespace {

const Json& SheetsData() {
  static const Json data = Json::parse(R"json({
  "meta": {"tables": [
    {"name": "contacts", "primary_field": "id", "fields": [
      {"name": "id", "type": "autoNumber"},
      {"name": "full_name", "type": "singleLineText"},
      {"name": "email", "type": "email"},
      {"name": "age", "type": "number", "options": {"precision": 0}},
      {"name": "balance", "type": "number", "options": {"precision": 2}},
      {"name": "vip", "type": "checkbox"},
      {"name": "joined", "type": "dateTime"},
      {"name": "tags", "type": "multipleSelects"},
      {"name": "profile", "type": "json"}]},
    {"name": "deals", "primary_field": "deal_code", "fields": [
      {"name": "deal_code", "type": "singleLineText"},
      {"name": "stage", "type": "singleSelect",
       "options": {"choices": [{"name": "lead"}, {"name": "qualified"}, {"name": "won"}, {"name": "lost"}]}},
      {"name": "amount", "type": "currency", "options": {"precision": 2, "symbol": "$"}},
      {"name": "close_date", "type": "date"},
      {"name": "probability", "type": "percent", "options": {"precision": 0}},
      {"name": "notes", "type": "multilineText"}]}]},
  "records": {
    "contacts": [
      {"id": 1, "full_name": "Ada Lovelace", "email": "ada@example.com", "age": 36, "balance": 1520.75,
       "vip": true, "joined": "2025-01-15T09:30:00.000Z", "tags": ["engineering", "vip"],
       "profile": {"city": "London", "languages": ["en", "fr"], "score": 9.5}},
      {"id": 2, "full_name": "Grace Hopper", "email": "grace@example.com", "age": 85, "balance": 980.5,
       "joined": "2025-02-01T14:00:00.000Z", "tags": ["navy"], "profile": {"rank": "rear admiral"}},
      {"id": 3, "full_name": "Alan Turing", "age": 41, "balance": 0, "joined": "2025-02-20T08:15:00.000Z"},
      {"id": 4, "full_name": "Katherine Johnson", "email": "katherine@example.com", "balance": 12000.25,
       "vip": true, "joined": "2025-03-03T11:45:30.000Z", "tags": ["math", "nasa"],
       "profile": {"nested": {"a": [1, 2, {"b": null}]}}},
      {"id": 5, "full_name": "Søren Kierkegaard", "email": "soren@example.com", "age": 42, "balance": -42.1,
       "joined": "2025-04-10T00:00:00.000Z", "tags": ["philosophy"], "profile": {"city": "København"}},
      {"id": 6, "full_name": "Margaret Hamilton", "email": "margaret@example.com", "age": 88, "balance": 300,
       "vip": true, "joined": "2025-05-05T05:05:05.000Z", "profile": {}},
      {"id": 7, "full_name": "Tim Berners-Lee"},
      {"id": 8, "full_name": "Barbara Liskov", "email": "barbara@example.com", "age": 85, "balance": 450.3,
       "joined": "2025-07-07T19:00:00.000Z", "tags": ["oop", "mit", "turing award"],
       "profile": {"quote": "She said \"hi\"\nthen left"}},
      {"id": 9, "full_name": "Dennis Ritchie", "email": "dennis@example.com", "age": 70, "balance": 77.77,
       "vip": true, "joined": "2025-08-31T23:59:59.000Z", "tags": ["c"], "profile": [1, 2, 3]},
      {"id": 10, "full_name": "Radia Perlman", "email": "radia@example.com", "age": 73,
       "balance": 1000000.5, "joined": "2025-09-09T09:09:09.000Z", "tags": ["networking"],
       "profile": {"active": false, "score": null}}],
    "deals": [
      {"deal_code": "D-001", "stage": "won", "amount": 1250.5, "close_date": "2026-01-20",
       "probability": 1, "notes": "Signed.\nInvoice sent."},
      {"deal_code": "D-002", "stage": "qualified", "amount": 300, "probability": 0.5},
      {"deal_code": "D-003", "stage": "lead", "probability": 0.1, "notes": "Cold call"},
      {"deal_code": "D-004", "stage": "lost", "amount": 99.99, "close_date": "2026-02-02", "probability": 0},
      {"deal_code": "D-005"},
      {"deal_code": "D-006", "stage": "qualified", "amount": 45000, "close_date": "2026-03-15",
       "probability": 0.75, "notes": "Needs legal review"}]}
})json");
  return data;
}

// Record i (from 0) of `table`: "recCON001", "recDEA001", … made at one hour steps
// from 2025-12-01T00:00:00Z, in Airtable's millisecond format.
Json SheetsRecord(const std::string& table, const Json& fields, int64_t i) {
  char id[32];
  std::snprintf(id, sizeof id, "rec%.3s%03lld", table == "contacts" ? "CON" : "DEA",
                static_cast<long long>(i + 1));
  std::string created =
      IsoTime(kSeedEpoch - 31 * 86400 + (table == "contacts" ? 0 : 86400) + i * 3600);
  created.insert(created.size() - 1, ".000");
  return {{"id", id}, {"created_time", created}, {"fields", fields}};
}

}  // namespace

Json SheetsMeta() { return SheetsData()["meta"]; }

std::optional<Json> SheetsRecords(const std::string& table, const std::string& offset,
                                  int64_t page_size) {
  const Json& all = SheetsData()["records"];
  if (!all.contains(table)) return std::nullopt;
  const Json& records = all[table];
  auto total = static_cast<int64_t>(records.size());
  // An offset names the index and id of the first record of its page, as
  // Airtable's "itr…/rec…" offsets do; it must be one the server sent.
  int64_t start = 0;
  if (!offset.empty()) {
    auto slash = offset.find('/');
    auto index = offset.rfind("itr", 0) == 0 && slash != std::string::npos
                     ? ParseInt(offset.substr(3, slash - 3))
                     : std::nullopt;
    if (!index || *index <= 0 || *index >= total ||
        offset.substr(slash + 1) != SheetsRecord(table, {}, *index)["id"]) {
      throw BadRequest("invalid offset");
    }
    start = *index;
  }
  Json page = Json::array();
  int64_t end = std::min(start + page_size, total);
  for (int64_t i = start; i < end; ++i) page.push_back(SheetsRecord(table, records[i], i));
  Json out = {{"records", page}};
  if (end < total) {
    out["offset"] =
        "itr" + std::to_string(end) + "/" + SheetsRecord(table, {}, end)["id"].get<std::string>();
  }
  return out;
}

bool State::Authorized(const httplib::Request& req) const {
  return opts_.token.empty() || req.get_header_value("Authorization") == "Bearer " + opts_.token;
}

void State::Log(const httplib::Request& req) {
  if (req.path.rfind("/requests", 0) == 0) return;
  // Milliseconds since the server started (a steady clock): rate tests
  // measure the requests' spacing from the server's side.
  double at_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  Json entry = {{"seq", 0},
                {"method", req.method},
                {"path", req.path},
                {"query", RawQuery(req)},
                {"headers", HeadersJson(req)},
                {"body", req.body},
                {"at_ms", std::round(at_ms * 1000) / 1000}};
  std::lock_guard lock(mu_);
  entry["seq"] = ++log_seq_;
  log_.push_back(std::move(entry));
}

Json State::RequestLog() {
  std::lock_guard lock(mu_);
  return Json(log_);
}

void State::ResetLog() {
  std::lock_guard lock(mu_);
  log_.clear();
  log_seq_ = 0;
}

void State::ResetAll() {
  ResetItems();
  ResetLog();
  std::lock_guard lock(mu_);
  flaky_.clear();
  items_fault_ = 0;
  inflight_max_ = inflight_.load();
  ApiStatsReset();
}

void State::ResetItems() {
  std::lock_guard lock(mu_);
  page_end_.offset = -1;
  items_.clear();
  for (int64_t i = 1; i <= opts_.items; ++i) {
    std::string ts = IsoTime(kSeedEpoch + (i - 1) * 3600);
    items_[i] = Json{{"id", std::to_string(i)},
                     {"name", "item " + std::to_string(i)},
                     {"status", i % 2 == 1 ? "active" : "archived"},
                     {"created_at", ts},
                     {"updated_at", ts},
                     {"extra", {{"rank", i}}}};
  }
  next_id_ = opts_.items + 1;
  clock_ = kSeedEpoch + opts_.items * 3600;
}

// Filters, then offset pagination over the id-ordered result.
Json State::ListItems(const httplib::Request& req) {
  // Like many real APIs, a limit above the maximum is clamped rather than refused.
  int64_t limit = std::min<int64_t>(IntParam(req, "limit", 10, 1, 1000000), 100);
  int64_t offset = 0;
  if (!req.get_param_value("cursor").empty()) {
    auto c = ParseInt(req.get_param_value("cursor"));
    if (!c || *c < 0) throw BadRequest("invalid cursor");
    offset = *c;
  }
  std::string status = req.get_param_value("status");
  std::string id = req.get_param_value("id");
  std::string since = req.get_param_value("updated_since");
  // Only the page is copied, and the scan stops one match past it: a page
  // deep into a large seed costs a walk, not a copy of every item.
  Json page = Json::array();
  bool more = false;
  {
    std::lock_guard lock(mu_);
    std::string filters = status + '\n' + id + '\n' + since;
    int64_t seen = 0;
    auto it = items_.cbegin();
    if (page_end_.offset == offset && page_end_.filters == filters) {
      it = page_end_.next;
      seen = offset;
    }
    for (; it != items_.cend(); ++it) {
      const Json& item = it->second;
      if (!status.empty() && item["status"] != status) continue;
      if (!id.empty() && item["id"] != id) continue;
      // One fixed timestamp format everywhere, so text order is time order.
      if (!since.empty() && item["updated_at"].get_ref<const std::string&>() < since) continue;
      if (seen >= offset + limit) {
        more = true;
        page_end_ = {filters, offset + limit, it};
        break;
      }
      if (seen++ >= offset) page.push_back(item);
    }
  }
  Json next = more ? Json(std::to_string(offset + limit)) : Json(nullptr);
  return {{"items", page}, {"next_cursor", next}};
}

std::optional<Json> State::GetItem(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = FindLocked(id);
  if (it == items_.end()) return std::nullopt;
  return it->second;
}

Json State::CreateItem(const Json& body) {
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
    throw BadRequest("body must be a JSON object with a string \"name\"");
  }
  std::lock_guard lock(mu_);
  int64_t id = next_id_++;
  page_end_.offset = -1;
  std::string ts = TickLocked();
  Json item = {{"id", std::to_string(id)}, {"name", body["name"]}, {"status", "active"},
               {"created_at", ts},         {"updated_at", ts},     {"extra", {{"rank", id}}}};
  for (const auto& [k, v] : body.items()) {
    if (k != "id" && k != "created_at" && k != "updated_at") item[k] = v;
  }
  items_[id] = item;
  return item;
}

std::optional<Json> State::PatchItem(const std::string& id, const Json& body) {
  if (!body.is_object()) throw BadRequest("body must be a JSON object");
  std::lock_guard lock(mu_);
  auto it = FindLocked(id);
  if (it == items_.end()) return std::nullopt;
  page_end_.offset = -1;
  for (const auto& [k, v] : body.items()) {
    if (k != "id" && k != "created_at" && k != "updated_at") it->second[k] = v;
  }
  it->second["updated_at"] = TickLocked();
  return it->second;
}

bool State::DeleteItem(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = FindLocked(id);
  if (it == items_.end()) return false;
  page_end_.offset = -1;
  items_.erase(it);
  return true;
}

int64_t State::FlakyHit(const std::string& key) {
  std::lock_guard lock(mu_);
  return ++flaky_[key];
}

int64_t State::FlakyCount(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = flaky_.find(key);
  return it == flaky_.end() ? 0 : it->second;
}

int64_t State::InflightEnter() {
  int64_t now = ++inflight_;
  int64_t seen = inflight_max_.load();
  while (now > seen && !inflight_max_.compare_exchange_weak(seen, now)) {
  }
  return now;
}

void State::ApiEnter() {
  ++api_requests_;
  int64_t now = ++api_inflight_;
  int64_t seen = api_inflight_max_.load();
  while (now > seen && !api_inflight_max_.compare_exchange_weak(seen, now)) {
  }
}

Json State::ApiStats() const {
  return {{"requests", api_requests_.load()}, {"inflight_max", api_inflight_max_.load()}};
}

void State::ApiStatsReset() {
  api_requests_ = 0;
  api_inflight_max_ = api_inflight_.load();
}

int64_t State::Sleep(int64_t ms) {
  auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(stop_mu_);
  if (!stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_; })) {
    return ms;
  }
  auto slept = std::chrono::steady_clock::now() - start;
  return std::chrono::duration_cast<std::chrono::milliseconds>(slept).count();
}

void State::BeginStop() {
  std::lock_guard lock(stop_mu_);
  stopping_ = true;
  stop_cv_.notify_all();
}

std::map<int64_t, Json>::iterator State::FindLocked(const std::string& id) {
  auto n = ParseInt(id);
  return n ? items_.find(*n) : items_.end();
}

// Mutations advance a logical clock, one minute a step from the hour after
// the last seeded item, so updated_at is deterministic and later than the seed.
std::string State::TickLocked() { return IsoTime(clock_ += 60); }

}  // namespace test_server
