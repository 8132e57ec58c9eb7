#include "net/http.h"

#include <strings.h>

namespace sluice {

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return "";
}

const char* HttpReasonPhrase(long status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

}  // namespace sluice

namespace sluice {

std::string UrlForErrors(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string::npos) authority_end = url.size();
  size_t at = url.rfind('@', authority_end);
  size_t host = at == std::string::npos || at < authority ? authority : at + 1;
  size_t path_end = url.find_first_of("?#", authority_end);
  if (path_end == std::string::npos) path_end = url.size();
  return url.substr(0, authority) + url.substr(host, authority_end - host) +
         url.substr(authority_end, path_end - authority_end);
}

}  // namespace sluice
