// Content digests of packages: sha256 as lower-case hex (libsodium).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

std::string Sha256Hex(std::string_view bytes);
// 64 lower-case hex digits.
bool IsSha256Hex(std::string_view text);

}  // namespace sluice
