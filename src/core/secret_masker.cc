#include "core/secret_masker.h"

#include <algorithm>

namespace sluice {

SecretMasker& SecretMasker::Global() {
  static SecretMasker masker;
  return masker;
}

void SecretMasker::Add(std::string_view secret) {
  if (secret.size() < kMinMaskedLength) return;
  std::lock_guard lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string SecretMasker::Mask(std::string_view text) const {
  std::lock_guard lock(mutex_);
  std::string out(text);
  for (const std::string& secret : secrets_) {
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kMask);
      pos += kMask.size();
    }
  }
  return out;
}

bool SecretMasker::empty() const {
  std::lock_guard lock(mutex_);
  return secrets_.empty();
}

void SecretMasker::Clear() {
  std::lock_guard lock(mutex_);
  secrets_.clear();
}

}  // namespace sluice
