// Ed25519 signatures in minisign's format (https://jedisct1.github.io/minisign/),
// made and checked with libsodium, so Debian's `minisign -V` verifies ours
// and ours verify minisign's.
//
// Public key (base64 of "Ed" ‖ key id (8 bytes) ‖ Ed25519 public key (32)):
// one line starting "RW". Signature file (.minisig), 4 lines:
//   untrusted comment: <text>
//   base64("ED" ‖ key id ‖ Ed25519(BLAKE2b-512(data)))      (prehashed)
//   trusted comment: <text>
//   base64(Ed25519(signature ‖ trusted comment))          (global signature)
// Legacy "Ed" (non-prehashed) signatures are verified too.
//
// The secret key as Sluice stores it (in the workspace's secret store, like
// any secret) is our own text form: "sluice-ed25519-secret:" + base64("Ed" ‖
// key id ‖ 64-byte Ed25519 secret key). It is not minisign's encrypted
// secret-key file; `sluice keygen` never writes the secret in clear.
//
// Thread-safety: pure functions (libsodium is initialised on first use).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sluice {

struct MinisignPublicKey {
  std::array<uint8_t, 8> key_id{};
  std::array<uint8_t, 32> key{};
  // Accepts the "RW…" line alone or a whole minisign .pub file.
  static Result<MinisignPublicKey> Parse(std::string_view text);
  std::string Base64() const;    // "RW…"
  std::string KeyIdHex() const;  // 16 upper-case hex digits, as minisign prints it
  std::string FileText() const;  // "untrusted comment: minisign public key <id>\nRW…\n"
};

struct MinisignSecretKey {
  std::array<uint8_t, 8> key_id{};
  std::array<uint8_t, 64> key{};  // libsodium's Ed25519 secret key (seed ‖ public key)
  static Result<MinisignSecretKey> Generate();
  static Result<MinisignSecretKey> Decode(std::string_view stored);  // our stored text form
  std::string Encode() const;
  MinisignPublicKey PublicKey() const;
};

// A .minisig text over `data`; the trusted comment must be one line.
Result<std::string> MinisignSign(const MinisignSecretKey& key, std::string_view data,
                                 std::string_view trusted_comment,
                                 std::string_view untrusted_comment = "signature from sluice");

struct MinisignVerified {
  std::string key_id_hex;       // which trusted key signed
  std::string trusted_comment;  // authenticated by the global signature
};
// Ok only when `signature` is well-formed, made by one of `trusted` (matched
// by key id), over exactly `data`, with an authentic trusted comment.
// kIntegrity (the signature is wrong or from an untrusted key) or
// kInvalidArgument (malformed) otherwise; never names secret material.
Result<MinisignVerified> MinisignVerify(std::string_view data, std::string_view signature,
                                        const std::vector<MinisignPublicKey>& trusted);

}  // namespace sluice
