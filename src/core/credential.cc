#include "core/credential.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sluice {

namespace {

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower;
}

}  // namespace

bool LooksLikeCredentialName(std::string_view name) {
  std::string lower = Lower(name);
  // "key" covers api_key, apikey and private_key; "passwd" is not a
  // substring of "password", so it is listed on its own.
  for (const char* word : {"password", "passwd", "secret", "token", "key", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

bool HoldsPassword(std::string_view text) {
  size_t scheme = text.find("://");
  if (scheme != std::string_view::npos) {
    size_t at = text.find('@', scheme);
    size_t colon = text.find(':', scheme + 3);
    size_t slash = text.find('/', scheme + 3);
    if (at != std::string_view::npos && colon < at &&
        (slash == std::string_view::npos || at < slash))
      return true;
  }
  return Lower(text).find("password=") != std::string::npos;
}

}  // namespace sluice
