#include "core/credential.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

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
  // Words that mark a credential wherever they appear ("passwd" is not a
  // substring of "password", so it is listed on its own).
  for (const char* word : {"password", "passwd", "secret", "token", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  // "key" marks one only as a word of its own ("key") or after a word that
  // makes it one (api_key, apiKey, private_key, ssh-key, accesskey): a
  // primary_key, sort_key, keyspace or keyword is a setting, and calling it
  // a credential would refuse its literal value.
  static constexpr std::string_view kKeyKinds[] = {
      "api",     "private", "secret", "access", "signing", "client",       "auth",     "encryption",
      "master",  "license", "ssh",    "app",    "account", "service",      "consumer", "session",
      "webhook", "shared",  "hmac",   "pgp",    "gpg",     "subscription", "bearer",   "admin"};
  std::vector<std::string> words;  // split at non-letters and at camelCase humps
  std::string word;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool hump = i > 0 && std::isupper(c) && std::islower(static_cast<unsigned char>(name[i - 1]));
    if (!std::isalnum(c) || hump) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      if (!std::isalnum(c)) continue;
    }
    word += static_cast<char>(std::tolower(c));
  }
  if (!word.empty()) words.push_back(std::move(word));
  auto makes_a_credential = [](std::string_view qualifier) {
    for (std::string_view kind : kKeyKinds) {
      if (qualifier == kind) return true;
    }
    return false;
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "key" && (words.size() == 1 || (i > 0 && makes_a_credential(words[i - 1]))))
      return true;
    // One word: apikey, privatekey, accesskey.
    if (w.size() > 3 && w.compare(w.size() - 3, 3, "key") == 0 &&
        makes_a_credential(std::string_view(w).substr(0, w.size() - 3))) {
      return true;
    }
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
