#include "test_api_state.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
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

bool State::Authorized(const httplib::Request& req) const {
  return opts_.token.empty() || req.get_header_value("Authorization") == "Bearer " + opts_.token;
}

void State::Log(const httplib::Request& req) {
  if (req.path.rfind("/requests", 0) == 0) return;
  Json entry = {{"seq", 0},
                {"method", req.method},
                {"path", req.path},
                {"query", RawQuery(req)},
                {"headers", HeadersJson(req)},
                {"body", req.body}};
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
  inflight_max_ = inflight_.load();
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
