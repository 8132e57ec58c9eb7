#include "net/curl_transport.h"

#include <strings.h>

#include <cctype>
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
  HttpRequest request;
  HttpResponse response;
  Callback done;
  char error[CURL_ERROR_SIZE] = {0};

  static size_t OnBody(char* data, size_t size, size_t count, void* self) {
    static_cast<Transfer*>(self)->response.body.append(data, size * count);
    return size * count;
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
  const HttpRequest& r = transfer->request;
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 20L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "sluice/" SLUICE_VERSION);
  if (r.timeout.count() > 0) curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
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
  transfer->headers.reset(list);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<void*>(static_cast<uintptr_t>(id)));
  curl_multi_add_handle(multi_.get(), easy);
  ++stats_.requests;
  running_.emplace(id, std::move(transfer));
  return id;
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
  std::unique_ptr<Transfer> transfer = std::move(found->second);
  running_.erase(found);
  curl_multi_remove_handle(multi_.get(), transfer->easy.get());
  if (code != CURLE_OK) {
    ++stats_.failures;
    std::string detail = transfer->error[0] ? transfer->error : curl_easy_strerror(code);
    ErrorKind kind = code == CURLE_OPERATION_TIMEDOUT ? ErrorKind::kTimeout : ErrorKind::kConnection;
    transfer->done(Status(kind, transfer->request.method + " " + transfer->request.url + ": " + detail));
    return;
  }
  HttpResponse& response = transfer->response;
  curl_easy_getinfo(transfer->easy.get(), CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  curl_easy_getinfo(transfer->easy.get(), CURLINFO_EFFECTIVE_URL, &effective);
  response.url = effective ? effective : transfer->request.url;
  long redirects = 0;
  curl_easy_getinfo(transfer->easy.get(), CURLINFO_REDIRECT_COUNT, &redirects);
  response.redirected = redirects > 0;
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
  if (running_.empty()) return;
  // Transfers may finish inside perform(); report those before waiting, or
  // poll() would sleep its whole timeout with nothing left to wake it.
  int still_running = 0;
  curl_multi_perform(multi_.get(), &still_running);
  if (DrainFinished() || reported || running_.empty()) return;
  int ready = 0;
  curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(timeout.count()), &ready);
  curl_multi_perform(multi_.get(), &still_running);
  DrainFinished();
}

bool CurlTransport::DrainFinished() {
  bool any = false;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    void* tag = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &tag);
    Finish(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(tag)), message->data.result);
    any = true;
  }
  return any;
}

}  // namespace sluice
