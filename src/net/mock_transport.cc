#include "net/mock_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <thread>

namespace sluice {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string UrlDecode(std::string text) {
  std::replace(text.begin(), text.end(), '+', ' ');
  int length = 0;
  char* decoded = curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length);
  if (!decoded) return text;
  std::string out(decoded, static_cast<size_t>(length));
  curl_free(decoded);
  return out;
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> want = Segments(pattern), got = Segments(path);
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!want[i].starts_with(':') && want[i] != got[i]) return false;
  }
  return true;
}

// The path and query of a URL; mock:// URLs have an empty host, so
// "mock:///items?x=1" and "mock://items?x=1" both mean /items.
void SplitUrl(const std::string& url, std::string& path, std::string& query) {
  std::string rest = url;
  size_t scheme = rest.find("://");
  if (scheme != std::string::npos) {
    rest = rest.substr(scheme + 3);
    if (!url.starts_with("mock:")) rest = rest.substr(std::min(rest.find('/'), rest.size()));
  }
  size_t hash = rest.find('#');
  if (hash != std::string::npos) rest.resize(hash);
  size_t question = rest.find('?');
  query = question == std::string::npos ? "" : rest.substr(question + 1);
  path = rest.substr(0, question);
  if (path.empty() || path[0] != '/') path = "/" + path;
}

Result<MockResponse> ParseResponse(const std::string& key, const Value& spec) {
  MockResponse response;
  if (!spec.is_object()) return Status(ErrorKind::kType, "MOCK_API \"" + key + "\": a response must be an object");
  for (const auto& [name, value] : spec.items()) {
    if (name == "status" && value.is_number_integer()) {
      response.status = value.get<long>();
    } else if (name == "body") {
      response.body = value.is_string() ? value.get<std::string>() : value.dump();
    } else if (name == "headers" && value.is_object()) {
      for (const auto& [header, header_value] : value.items()) {
        std::string lower = header;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        response.headers.emplace_back(lower, header_value.is_string() ? header_value.get<std::string>()
                                                                      : header_value.dump());
      }
    } else if (name == "delay_ms" && value.is_number()) {
      response.delay = std::chrono::milliseconds(value.get<int64_t>());
    } else {
      return Status(ErrorKind::kInvalidArgument, "MOCK_API \"" + key + "\": unknown or malformed '" + name +
                                                     "' (expected status, body, headers, delay_ms)");
    }
  }
  bool has_type = std::any_of(response.headers.begin(), response.headers.end(),
                              [](const auto& h) { return h.first == "content-type"; });
  if (!has_type && spec.contains("body") && !spec["body"].is_string()) {
    response.headers.emplace_back("content-type", "application/json");
  }
  return response;
}

}  // namespace

std::string MockRoute::Key() const { return method + " " + path + (query ? "?" + *query : ""); }

Value RecordedRequest::ToValue() const {
  Value query_params = Value::object();
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = std::min(query.find('&', start), query.size());
    std::string pair = query.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    std::string name = UrlDecode(pair.substr(0, equals));
    Value value = equals == std::string::npos ? Value("") : Value(UrlDecode(pair.substr(equals + 1)));
    // A repeated parameter (?tag=a&tag=b) reads as an array.
    if (!query_params.contains(name)) {
      query_params[name] = std::move(value);
    } else {
      if (!query_params[name].is_array()) query_params[name] = Value::array({query_params[name]});
      query_params[name].push_back(std::move(value));
    }
  }
  Value headers = Value::object();
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    headers[lower] = value;
  }
  Value body;
  if (!request.body.empty()) {
    body = Value::parse(request.body, nullptr, false);
    if (body.is_discarded()) body = request.body;
  }
  return Value{{"method", request.method}, {"url", request.url},   {"path", path},
               {"query", query_params},    {"query_string", query}, {"headers", headers},
               {"body", body},             {"matched", matched}};
}

Result<std::shared_ptr<MockApi>> MockApi::FromSpec(const Value& spec) {
  if (!spec.is_object()) return Status(ErrorKind::kType, "MOCK_API must be an object of \"METHOD /path\" keys");
  auto api = std::make_shared<MockApi>();
  for (const auto& [key, value] : spec.items()) {
    size_t space = key.find(' ');
    if (space == 0 || space == std::string::npos || key.size() <= space + 1 || key[space + 1] != '/') {
      return Status(ErrorKind::kInvalidArgument,
                    "MOCK_API key \"" + key + "\" must be \"METHOD /path\", e.g. \"GET /items\"");
    }
    // A request's fragment never reaches the server (SplitUrl drops it), so a
    // route with one would silently never match.
    if (key.find('#', space) != std::string::npos) {
      return Status(ErrorKind::kInvalidArgument,
                    "MOCK_API key \"" + key + "\" has a '#': requests never send a fragment, so it cannot match");
    }
    MockRoute route;
    route.method = key.substr(0, space);
    std::string target = key.substr(space + 1);
    size_t question = target.find('?');
    route.path = target.substr(0, question);
    if (question != std::string::npos) route.query = target.substr(question + 1);
    const Value& responses = value.is_array() ? value : Value::array({value});
    for (const Value& response : responses) {
      ASSIGN_OR_RETURN(MockResponse parsed, ParseResponse(key, response));
      route.responses.push_back(std::move(parsed));
    }
    if (route.responses.empty()) {
      return Status(ErrorKind::kInvalidArgument, "MOCK_API \"" + key + "\" has no responses");
    }
    api->routes_.push_back(std::move(route));
  }
  return api;
}

std::string MockApi::DescribeRoutes() const {
  std::string known;
  for (const MockRoute& route : routes_) known += (known.empty() ? "" : ", ") + route.Key();
  return known.empty() ? "none" : known;
}

const RecordedRequest* MockApi::FirstUnmatched() const {
  for (const RecordedRequest& request : requests_) {
    if (!request.matched) return &request;
  }
  return nullptr;
}

Result<MockResponse> MockApi::Answer(const HttpRequest& request) {
  RecordedRequest& recorded = requests_.emplace_back();
  SplitUrl(request.url, recorded.path, recorded.query);
  recorded.request = request;
  MockRoute* route = nullptr;
  for (MockRoute& candidate : routes_) {
    if (candidate.method != request.method || !PathMatches(candidate.path, recorded.path)) continue;
    if (candidate.query && *candidate.query != recorded.query) continue;
    if (!route || (candidate.query && !route->query)) route = &candidate;
  }
  if (!route) {
    std::string target = recorded.path + (recorded.query.empty() ? "" : "?" + recorded.query);
    return Status(ErrorKind::kNotFound, "no MOCK_API entry matches " + request.method + " " + target +
                                            " (entries: " + DescribeRoutes() + ")");
  }
  recorded.matched = true;
  const MockResponse& response = route->responses[std::min(route->served, route->responses.size() - 1)];
  ++route->served;
  return response;
}

Result<std::unique_ptr<MockTransport>> MockTransport::FromSpec(const Value& spec) {
  ASSIGN_OR_RETURN(std::shared_ptr<MockApi> api, MockApi::FromSpec(spec));
  return std::make_unique<MockTransport>(std::move(api));
}

uint64_t MockTransport::Start(HttpRequest request, Callback done) {
  uint64_t id = next_id_++;
  ++stats_.requests;
  auto now = std::chrono::steady_clock::now();
  Queued queued{id, now, Status(), std::move(done)};
  Result<MockResponse> answer = api_->Answer(request);
  if (!answer.ok()) {
    queued.result = answer.TakeStatus();
  } else if (request.timeout.count() > 0 && answer->delay > request.timeout) {
    ++stats_.failures;
    queued.ready_at += request.timeout;
    queued.result = Status(ErrorKind::kTimeout, request.method + " " + request.url + " timed out after " +
                                                    std::to_string(request.timeout.count()) + " ms");
  } else {
    HttpResponse response;
    response.status = answer->status;
    response.status_text = HttpReasonPhrase(answer->status);
    response.url = request.url;
    response.headers = answer->headers;
    response.body = answer->body;
    stats_.bytes_received += response.body.size();
    queued.ready_at += answer->delay;
    queued.result = std::move(response);
  }
  queue_.push_back(std::move(queued));
  return id;
}

void MockTransport::Cancel(uint64_t id) {
  for (Queued& queued : queue_) {
    if (queued.id == id) queued.result = Status(ErrorKind::kInvalidArgument, "request cancelled");
  }
}

void MockTransport::Poll(std::chrono::milliseconds timeout) {
  if (queue_.empty()) return;
  auto now = std::chrono::steady_clock::now();
  auto earliest = std::min_element(queue_.begin(), queue_.end(),
                                   [](const Queued& a, const Queued& b) { return a.ready_at < b.ready_at; });
  if (earliest->ready_at > now) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(earliest->ready_at - now, timeout));
    now = std::chrono::steady_clock::now();
  }
  // Callbacks may start new requests: take the ready ones out first.
  std::vector<Queued> ready;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->ready_at <= now) {
      ready.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  for (Queued& queued : ready) queued.done(std::move(queued.result));
}

}  // namespace sluice
