#include "net/curl_transport.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>

namespace sluice {
namespace {

struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(start, end - start + 1));
}

}  // namespace

struct CurlTransport::Transfer {
  std::unique_ptr<CURL, EasyCleanup> easy;
  std::unique_ptr<curl_slist, SlistFree> headers;
  HttpRequest request;  // the one being sent: after a redirect, to its target
  HttpResponse response;
  Callback done;
  char error[CURL_ERROR_SIZE] = {0};
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  int redirects = 0;
  // Why a callback stopped the transfer, when one did.
  bool too_large = false;
  bool past_deadline = false;

  // libcurl inflates a compressed body as it arrives, in pieces of at most
  // CURL_MAX_WRITE_SIZE: the decoded size and the time are checked here, so
  // a gzip bomb stops at the limit, not when it is all in memory.
  static size_t OnBody(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    size_t bytes = size * count;
    std::string& body = transfer->response.body;
    if (transfer->request.max_body_bytes > 0 &&
        body.size() + bytes > transfer->request.max_body_bytes) {
      transfer->too_large = true;
      return CURL_WRITEFUNC_ERROR;
    }
    if (std::chrono::steady_clock::now() >= transfer->deadline) {
      transfer->past_deadline = true;
      return CURL_WRITEFUNC_ERROR;
    }
    body.append(data, bytes);
    return bytes;
  }

  // Called by libcurl at least once a second, also while nothing arrives.
  static int OnProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* transfer = static_cast<Transfer*>(self);
    if (std::chrono::steady_clock::now() < transfer->deadline) return 0;
    transfer->past_deadline = true;
    return 1;
  }

  // Each response along a redirect chain starts with its status line; keep
  // only the last response's headers.
  static size_t OnHeader(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      transfer->response.headers.clear();
      size_t code_end = line.find(' ', line.find(' ') + 1);
      transfer->response.status_text =
          code_end == std::string_view::npos ? "" : Trim(line.substr(code_end + 1));
      return size * count;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return size * count;
    std::string name(Trim(line.substr(0, colon)));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    transfer->response.headers.emplace_back(std::move(name), Trim(line.substr(colon + 1)));
    return size * count;
  }
};

namespace {

// scheme://host:port, lower-cased by libcurl's parser, with the default port
// filled in; "" when the URL does not parse.
std::string Origin(const std::string& url) {
  struct UrlFree {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
  };
  std::unique_ptr<CURLU, UrlFree> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  std::string origin;
  for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    char* text = nullptr;
    if (curl_url_get(parsed.get(), part, &text, CURLU_DEFAULT_PORT) != CURLUE_OK) return "";
    origin += text;
    origin += part == CURLUPART_SCHEME ? "://" : part == CURLUPART_HOST ? ":" : "";
    curl_free(text);
  }
  for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return origin;
}

// Headers that say nothing about who is asking: the only ones a handler set
// that follow a redirect to another origin. Any other (Authorization,
// X-Api-Key, Cookie, a vendor's token header) may carry a credential, which
// the other origin must not see — libcurl itself drops only Authorization.
bool SafeAcrossOrigins(const std::string& name) {
  static constexpr const char* kSafe[] = {"accept",        "accept-encoding",  "accept-language",
                                          "cache-control", "content-language", "content-type",
                                          "pragma",        "user-agent"};
  for (const char* safe : kSafe) {
    if (strcasecmp(name.c_str(), safe) == 0) return true;
  }
  return false;
}

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

constexpr int kMaxRedirects = 20;

}  // namespace

CurlTransport::CurlTransport() {
  GlobalInitOnce();
  multi_.reset(curl_multi_init());
}

CurlTransport::~CurlTransport() {
  for (auto& [id, transfer] : running_) curl_multi_remove_handle(multi_.get(), transfer->easy.get());
}

uint64_t CurlTransport::Start(HttpRequest request, Callback done) {
  uint64_t id = next_id_++;
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  // mock:// is the test table's scheme: outside a MOCK_API test, say so
  // rather than libcurl's "unsupported protocol".
  if (transfer->request.url.starts_with("mock:")) {
    failed_.emplace(id, std::make_pair(Status(ErrorKind::kConnection,
                                              "mock:// URLs are answered only inside TEST CONNECTOR TYPE … "
                                              "MOCK_API {…}: " + transfer->request.url),
                                       std::move(transfer->done)));
    return id;
  }
  CURL* easy = curl_easy_init();
  if (!easy) {
    failed_.emplace(id, std::make_pair(Status(ErrorKind::kInternal, "cannot create an HTTP request"),
                                       std::move(transfer->done)));
    return id;
  }
  transfer->easy.reset(easy);
  if (transfer->request.timeout.count() > 0) {
    transfer->deadline = std::chrono::steady_clock::now() + transfer->request.timeout;
  }
  Configure(*transfer, id);
  curl_multi_add_handle(multi_.get(), easy);
  ++stats_.requests;
  running_.emplace(id, std::move(transfer));
  added_ = true;
  return id;
}

// Redirects are followed here rather than by libcurl, so that what is sent
// to the next URL is decided here (see SafeAcrossOrigins).
void CurlTransport::Configure(Transfer& transfer, uint64_t id) {
  CURL* easy = transfer.easy.get();
  const HttpRequest& r = transfer.request;
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &Transfer::OnProgress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "sluice/" SLUICE_VERSION);
  if (transfer.deadline != std::chrono::steady_clock::time_point::max()) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(transfer.deadline -
                                                             std::chrono::steady_clock::now());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, left.count())));
  }
  if (r.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (r.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (!r.body.empty() || (r.method != "GET" && r.method != "HEAD")) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
    // POSTFIELDS makes libcurl say POST; keep the method asked for.
    if (r.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  curl_slist* list = nullptr;
  bool has_expect = false;
  for (const auto& [name, value] : r.headers) {
    std::string line = name + ": " + value;
    has_expect = has_expect || strcasecmp(name.c_str(), "expect") == 0;
    list = curl_slist_append(list, line.c_str());
  }
  // libcurl's "Expect: 100-continue" costs a round trip on larger bodies.
  if (!has_expect) list = curl_slist_append(list, "Expect:");
  transfer.headers.reset(list);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<void*>(static_cast<uintptr_t>(id)));
}

bool CurlTransport::FollowRedirect(Transfer& transfer, uint64_t id) {
  HttpRequest& r = transfer.request;
  long status = 0;
  curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  char* location = nullptr;
  curl_easy_getinfo(transfer.easy.get(), CURLINFO_REDIRECT_URL, &location);
  if (!r.follow_redirects || !IsRedirect(status) || !location) return false;
  std::string next = location;
  if (++transfer.redirects > kMaxRedirects) return false;
  // As fetch does: 303 turns any method but HEAD into GET, and 301/302 turn
  // POST into GET; the body goes, and the headers that described it.
  if ((status == 303 && r.method != "HEAD") ||
      ((status == 301 || status == 302) && r.method == "POST")) {
    r.method = "GET";
    r.body.clear();
    std::erase_if(r.headers, [](const auto& header) {
      return strncasecmp(header.first.c_str(), "content-", 8) == 0;
    });
  }
  if (Origin(next) != Origin(r.url)) {
    std::erase_if(r.headers, [](const auto& header) { return !SafeAcrossOrigins(header.first); });
  }
  r.url = std::move(next);
  transfer.response = HttpResponse();
  transfer.error[0] = '\0';
  curl_multi_remove_handle(multi_.get(), transfer.easy.get());
  curl_easy_reset(transfer.easy.get());
  Configure(transfer, id);
  curl_multi_add_handle(multi_.get(), transfer.easy.get());
  added_ = true;
  ++stats_.requests;
  return true;
}

void CurlTransport::Cancel(uint64_t id) {
  auto found = running_.find(id);
  if (found == running_.end()) return;
  std::unique_ptr<Transfer> transfer = std::move(found->second);
  running_.erase(found);
  curl_multi_remove_handle(multi_.get(), transfer->easy.get());
  failed_.emplace(id, std::make_pair(Status(ErrorKind::kInvalidArgument, "request cancelled"),
                                     std::move(transfer->done)));
}

void CurlTransport::Finish(uint64_t id, CURLcode code) {
  auto found = running_.find(id);
  if (found == running_.end()) return;
  if (code == CURLE_OK && FollowRedirect(*found->second, id)) return;
  std::unique_ptr<Transfer> transfer = std::move(found->second);
  running_.erase(found);
  curl_multi_remove_handle(multi_.get(), transfer->easy.get());
  if (code != CURLE_OK) {
    ++stats_.failures;
    const HttpRequest& r = transfer->request;
    if (transfer->too_large) {
      transfer->done(Status(ErrorKind::kConnection,
                            r.method + " " + UrlForErrors(r.url) +
                                ": the response body is larger than " +
                                std::to_string(r.max_body_bytes >> 20) +
                                " MiB once decoded (connector option max_response_mb)"));
      return;
    }
    std::string detail = transfer->error[0] ? transfer->error : curl_easy_strerror(code);
    if (transfer->past_deadline) detail = "stopped at the call's time limit";
    ErrorKind kind = code == CURLE_OPERATION_TIMEDOUT || transfer->past_deadline
                         ? ErrorKind::kTimeout
                         : ErrorKind::kConnection;
    transfer->done(Status(kind, r.method + " " + r.url + ": " + detail));
    return;
  }
  if (transfer->redirects > kMaxRedirects) {
    ++stats_.failures;
    transfer->done(Status(ErrorKind::kConnection,
                          transfer->request.method + " " + transfer->request.url + ": more than " +
                              std::to_string(kMaxRedirects) + " redirects"));
    return;
  }
  HttpResponse& response = transfer->response;
  curl_easy_getinfo(transfer->easy.get(), CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  curl_easy_getinfo(transfer->easy.get(), CURLINFO_EFFECTIVE_URL, &effective);
  response.url = effective ? effective : transfer->request.url;
  response.redirected = transfer->redirects > 0;
  if (response.status_text.empty()) response.status_text = HttpReasonPhrase(response.status);
  stats_.bytes_received += response.body.size();
  transfer->done(std::move(response));
}

void CurlTransport::Poll(std::chrono::milliseconds timeout) {
  // Failures decided in Start() or Cancel() report first.
  bool reported = !failed_.empty();
  while (!failed_.empty()) {
    auto node = failed_.extract(failed_.begin());
    node.mapped().second(std::move(node.mapped().first));
  }
  if (reported || running_.empty()) return;
  int still_running = 0;
  if (!finished_.empty()) {
    // The requests the last callback's work started go out before the next
    // callback's work runs: a fan-out whose pages arrive together would
    // otherwise hold every new request back until the whole wave is
    // processed (about 20 ms a wave in make bench's fan-out). Once per
    // Poll, not per Start: perform() visits every transfer, and a handler
    // may start a thousand requests in one go.
    if (added_) {
      added_ = false;
      curl_multi_perform(multi_.get(), &still_running);
    }
    DrainFinished();
    return;
  }
  // Transfers may finish inside perform(); report those before waiting, or
  // poll() would sleep its whole timeout with nothing left to wake it.
  added_ = false;
  curl_multi_perform(multi_.get(), &still_running);
  if (DrainFinished() || running_.empty()) return;
  int ready = 0;
  curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(timeout.count()), &ready);
  curl_multi_perform(multi_.get(), &still_running);
  DrainFinished();
}

bool CurlTransport::DrainFinished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    void* tag = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &tag);
    finished_.emplace_back(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(tag)), message->data.result);
  }
  if (finished_.empty()) return false;
  auto [id, code] = finished_.front();
  finished_.pop_front();
  Finish(id, code);
  return true;
}

}  // namespace sluice
