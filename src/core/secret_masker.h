// SecretMasker: the last line of defence that keeps secret values out of
// everything Sluice prints.
//
// Every secret value the process learns (decrypted from the workspace, or
// read from a `CREATE SECRET … VALUE` literal while parsing) is registered
// here; every path that writes text for a user (results, PRINT, errors, logs,
// handler console output) passes it through Mask(), which replaces each
// occurrence with "***".
//
// A secret rarely travels as its exact text: it goes into a URL, a JSON body
// or an `Authorization: Basic` header. So an occurrence is also any encoded
// form of it:
//   - percent-encoded (%XX in either case, '+' or %20 for a space),
//   - JSON-escaped (\" \\ \/ \n …, \uXXXX including surrogate pairs),
//   - HTML/XML-escaped (&amp; &lt; &gt; &quot; &apos;, &#NN; &#xHH;),
//   each character independently, so mixed encoders are covered too;
//   - base64 (standard and URL alphabet) of the secret alone, and of the
//     secret after any prefix (`user:secret` in Basic auth): base64 maps
//     3 bytes to 4 characters, so the secret's encoding depends on its
//     offset modulo 3; for each of the 3 offsets the characters that depend
//     on the secret's bytes only (its stable core) are masked. The same
//     forms are masked for the secret's Latin-1 bytes when every character
//     fits in one (JavaScript's btoa() encodes "é" as the byte 0xE9).
//
// Values shorter than kMinMaskedLength are not masked in free text: masking
// every "a" in the output would make it unreadable while hiding nothing. They
// are still never printed by SHOW or DESCRIBE.
//
// Thread-safety: all members may be called concurrently.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

class SecretMasker {
 public:
  static constexpr size_t kMinMaskedLength = 4;
  static constexpr std::string_view kMask = "***";

  // The process-wide masker.
  static SecretMasker& Global();

  void Add(std::string_view secret);
  std::string Mask(std::string_view text) const;
  bool empty() const;
  void Clear();

  // Base64 of `data` (standard alphabet, with '=' padding). Exposed for tests.
  static std::string Base64(std::string_view data);

 private:
  struct Secret {
    std::string text;
    // Code points of `text` with their UTF-8 bytes; -1 for a byte that is not
    // valid UTF-8 (matched only raw or percent-encoded).
    std::vector<std::pair<int32_t, std::string>> chars;
    // Its longest run of characters that every encoding above leaves as they
    // are ([A-Za-z0-9._~-]); text without it cannot hold the secret in those
    // encodings, so the slower character-by-character scan is skipped.
    std::string anchor;
  };
  mutable std::mutex mutex_;
  std::vector<Secret> secrets_;            // longest first, so overlaps mask fully
  std::vector<std::string> base64_forms_;  // longest first
};

}  // namespace sluice
