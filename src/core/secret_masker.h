// SecretMasker: the last line of defence that keeps secret values out of
// everything Sluice prints.
//
// Every secret value the process learns (decrypted from the workspace, or
// read from a `CREATE SECRET … VALUE` literal while parsing) is registered
// here; every path that writes text for a user (results, PRINT, errors, logs,
// handler console output) passes it through Mask(), which replaces each
// occurrence with "***".
//
// Values shorter than kMinMaskedLength are not masked in free text: masking
// every "a" in the output would make it unreadable while hiding nothing. They
// are still never printed by SHOW or DESCRIBE.
//
// Thread-safety: all members may be called concurrently.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
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

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;  // longest first, so overlaps mask fully
};

}  // namespace sluice
