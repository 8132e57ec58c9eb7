#include "package/minisign.h"

#include <sodium.h>

#include <cstring>

#include "core/secret_masker.h"

namespace sluice {
namespace {

constexpr std::string_view kSecretPrefix = "sluice-ed25519-secret:";
constexpr std::string_view kUntrusted = "untrusted comment:";
constexpr std::string_view kTrusted = "trusted comment: ";
constexpr size_t kMaxSignatureText = 64 * 1024;

Status InitSodium() {
  // sodium_init is idempotent and thread-safe; -1 means the library cannot
  // work at all (no randomness source).
  if (sodium_init() < 0) return Status(ErrorKind::kInternal, "libsodium failed to initialise");
  return Status::Ok();
}

std::string ToBase64(const uint8_t* data, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Decodes exactly `expected` bytes of base64 (minisign's own lengths are
// fixed, so any other length is malformed).
Result<std::string> FromBase64(std::string_view text, size_t expected, std::string_view what) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (text.empty() ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return Status(ErrorKind::kInvalidArgument, std::string(what) + " is not valid base64");
  }
  if (len != expected) {
    return Status(ErrorKind::kInvalidArgument, std::string(what) + " has " + std::to_string(len) +
                                                   " bytes, expected " + std::to_string(expected));
  }
  out.resize(len);
  return out;
}

std::string Hex(const uint8_t* data, size_t size) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

// minisign prints key ids as the little-endian 64-bit number in hex.
std::string KeyIdHexOf(const std::array<uint8_t, 8>& id) {
  std::array<uint8_t, 8> reversed;
  for (size_t i = 0; i < 8; ++i) reversed[i] = id[7 - i];
  return Hex(reversed.data(), reversed.size());
}

// Splits into lines, dropping a trailing '\r' from each (files edited on
// Windows); empty trailing line dropped.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<MinisignPublicKey> MinisignPublicKey::Parse(std::string_view text) {
  if (text.size() > kMaxSignatureText) {
    return Status(ErrorKind::kInvalidArgument, "minisign public key text is too long");
  }
  std::string_view line;
  for (std::string_view l : Lines(text)) {
    l = Trim(l);
    if (l.empty() || l.substr(0, kUntrusted.size()) == kUntrusted) continue;
    if (!line.empty()) {
      return Status(ErrorKind::kInvalidArgument, "minisign public key: more than one key line");
    }
    line = l;
  }
  if (line.empty()) {
    return Status(ErrorKind::kInvalidArgument, "minisign public key: no key line (RW…)");
  }
  // A signing key pasted where a public key belongs (whole, or its base64
  // without the prefix): say so, and hand the text to the masker so the
  // statement shown under the error cannot echo it either.
  bool secret = line.substr(0, kSecretPrefix.size()) == kSecretPrefix;
  if (!secret) {
    Result<std::string> blob = FromBase64(line, 2 + 8 + 64, "key");
    if (blob.ok()) {
      secret = true;
      sodium_memzero(blob->data(), blob->size());
    }
  }
  if (secret) {
    SecretMasker::Global().Add(line);
    if (line.substr(0, kSecretPrefix.size()) == kSecretPrefix)
      SecretMasker::Global().Add(line.substr(kSecretPrefix.size()));
    return Status(ErrorKind::kInvalidArgument,
                  "this is a SECRET key (the signing key `sluice keygen` stored), not a public "
                  "key: give the public key line it printed (56 characters starting 'RW'), and "
                  "treat the secret as exposed if it was shared");
  }
  ASSIGN_OR_RETURN(std::string bin, FromBase64(line, 2 + 8 + 32, "minisign public key"));
  if (bin[0] != 'E' || bin[1] != 'd') {
    return Status(ErrorKind::kInvalidArgument,
                  "minisign public key: not an Ed25519 key (algorithm bytes are not \"Ed\")");
  }
  MinisignPublicKey key;
  std::memcpy(key.key_id.data(), bin.data() + 2, 8);
  std::memcpy(key.key.data(), bin.data() + 10, 32);
  return key;
}

std::string MinisignPublicKey::Base64() const {
  uint8_t bin[42] = {'E', 'd'};
  std::memcpy(bin + 2, key_id.data(), 8);
  std::memcpy(bin + 10, key.data(), 32);
  return ToBase64(bin, sizeof bin);
}

std::string MinisignPublicKey::KeyIdHex() const { return KeyIdHexOf(key_id); }

std::string MinisignPublicKey::FileText() const {
  return "untrusted comment: minisign public key " + KeyIdHex() + "\n" + Base64() + "\n";
}

Result<MinisignSecretKey> MinisignSecretKey::Generate() {
  RETURN_IF_ERROR(InitSodium());
  MinisignSecretKey secret;
  std::array<uint8_t, 32> pk;
  crypto_sign_keypair(pk.data(), secret.key.data());
  randombytes_buf(secret.key_id.data(), secret.key_id.size());
  return secret;
}

Result<MinisignSecretKey> MinisignSecretKey::Decode(std::string_view stored) {
  stored = Trim(stored);
  while (!stored.empty() && (stored.back() == '\n' || stored.back() == '\r'))
    stored.remove_suffix(1);
  if (stored.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return Status(ErrorKind::kInvalidArgument,
                  "not a Sluice signing key (it should start \"sluice-ed25519-secret:\")");
  }
  ASSIGN_OR_RETURN(std::string bin,
                   FromBase64(stored.substr(kSecretPrefix.size()), 2 + 8 + 64, "the signing key"));
  MinisignSecretKey secret;
  if (bin[0] != 'E' || bin[1] != 'd') {
    sodium_memzero(bin.data(), bin.size());
    return Status(ErrorKind::kInvalidArgument, "the signing key is not an Ed25519 key");
  }
  std::memcpy(secret.key_id.data(), bin.data() + 2, 8);
  std::memcpy(secret.key.data(), bin.data() + 10, 64);
  sodium_memzero(bin.data(), bin.size());
  // The public half is embedded in the secret key; a key whose halves do not
  // match would sign with one key and announce another.
  RETURN_IF_ERROR(InitSodium());
  std::array<uint8_t, 32> seed, pk;
  std::array<uint8_t, 64> check;
  crypto_sign_ed25519_sk_to_seed(seed.data(), secret.key.data());
  crypto_sign_seed_keypair(pk.data(), check.data(), seed.data());
  bool same = sodium_memcmp(check.data(), secret.key.data(), 64) == 0;
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(check.data(), check.size());
  if (!same) {
    return Status(ErrorKind::kInvalidArgument, "the signing key is corrupt (its halves differ)");
  }
  return secret;
}

std::string MinisignSecretKey::Encode() const {
  uint8_t bin[74] = {'E', 'd'};
  std::memcpy(bin + 2, key_id.data(), 8);
  std::memcpy(bin + 10, key.data(), 64);
  std::string out = std::string(kSecretPrefix) + ToBase64(bin, sizeof bin);
  sodium_memzero(bin, sizeof bin);
  return out;
}

MinisignPublicKey MinisignSecretKey::PublicKey() const {
  MinisignPublicKey pub;
  pub.key_id = key_id;
  std::memcpy(pub.key.data(), key.data() + 32, 32);
  return pub;
}

Result<std::string> MinisignSign(const MinisignSecretKey& key, std::string_view data,
                                 std::string_view trusted_comment,
                                 std::string_view untrusted_comment) {
  RETURN_IF_ERROR(InitSodium());
  if (trusted_comment.find_first_of("\r\n") != std::string_view::npos ||
      untrusted_comment.find_first_of("\r\n") != std::string_view::npos) {
    return Status(ErrorKind::kInvalidArgument, "a signature comment must be one line");
  }
  uint8_t hash[crypto_generichash_BYTES_MAX];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                     nullptr, 0);
  uint8_t sig[2 + 8 + 64] = {'E', 'D'};
  std::memcpy(sig + 2, key.key_id.data(), 8);
  crypto_sign_detached(sig + 10, nullptr, hash, sizeof hash, key.key.data());

  std::string global_input(reinterpret_cast<const char*>(sig + 10), 64);
  global_input.append(trusted_comment);
  uint8_t global[64];
  crypto_sign_detached(global, nullptr, reinterpret_cast<const uint8_t*>(global_input.data()),
                       global_input.size(), key.key.data());

  std::string out;
  out += "untrusted comment: ";
  out += untrusted_comment;
  out += "\n" + ToBase64(sig, sizeof sig) + "\n";
  out += kTrusted;
  out += trusted_comment;
  out += "\n" + ToBase64(global, sizeof global) + "\n";
  return out;
}

Result<MinisignVerified> MinisignVerify(std::string_view data, std::string_view signature,
                                        const std::vector<MinisignPublicKey>& trusted) {
  RETURN_IF_ERROR(InitSodium());
  if (signature.size() > kMaxSignatureText) {
    return Status(ErrorKind::kInvalidArgument, "the signature file is too large");
  }
  std::vector<std::string_view> lines = Lines(signature);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() != 4) {
    return Status(ErrorKind::kInvalidArgument,
                  "a minisign signature has 4 lines (untrusted comment, signature, trusted "
                  "comment, global signature); this one has " +
                      std::to_string(lines.size()));
  }
  if (lines[0].substr(0, kUntrusted.size()) != kUntrusted) {
    return Status(ErrorKind::kInvalidArgument,
                  "the signature's first line is not an untrusted comment");
  }
  ASSIGN_OR_RETURN(std::string sig, FromBase64(Trim(lines[1]), 2 + 8 + 64, "the signature"));
  bool prehashed;
  if (sig[0] == 'E' && sig[1] == 'D') {
    prehashed = true;
  } else if (sig[0] == 'E' && sig[1] == 'd') {
    prehashed = false;
  } else {
    return Status(ErrorKind::kInvalidArgument,
                  "the signature's algorithm is neither \"ED\" nor \"Ed\"");
  }
  if (lines[2].substr(0, kTrusted.size()) != kTrusted) {
    return Status(ErrorKind::kInvalidArgument,
                  "the signature's third line is not a trusted comment");
  }
  std::string_view comment = lines[2].substr(kTrusted.size());
  ASSIGN_OR_RETURN(std::string global, FromBase64(Trim(lines[3]), 64, "the global signature"));

  std::array<uint8_t, 8> key_id;
  std::memcpy(key_id.data(), sig.data() + 2, 8);
  const MinisignPublicKey* key = nullptr;
  for (const MinisignPublicKey& candidate : trusted) {
    if (candidate.key_id == key_id) {
      key = &candidate;
      break;
    }
  }
  if (key == nullptr) {
    return Status(ErrorKind::kIntegrity, "the signature was made by key " + KeyIdHexOf(key_id) +
                                             ", which is not a trusted key");
  }
  const uint8_t* raw = reinterpret_cast<const uint8_t*>(sig.data()) + 10;
  int bad;
  if (prehashed) {
    uint8_t hash[crypto_generichash_BYTES_MAX];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const uint8_t*>(data.data()),
                       data.size(), nullptr, 0);
    bad = crypto_sign_verify_detached(raw, hash, sizeof hash, key->key.data());
  } else {
    bad = crypto_sign_verify_detached(raw, reinterpret_cast<const uint8_t*>(data.data()),
                                      data.size(), key->key.data());
  }
  if (bad != 0) {
    return Status(ErrorKind::kIntegrity,
                  "the signature by key " + key->KeyIdHex() + " does not match the data");
  }
  std::string global_input(sig.data() + 10, 64);
  global_input.append(comment);
  if (crypto_sign_verify_detached(reinterpret_cast<const uint8_t*>(global.data()),
                                  reinterpret_cast<const uint8_t*>(global_input.data()),
                                  global_input.size(), key->key.data()) != 0) {
    return Status(ErrorKind::kIntegrity, "the trusted comment of the signature by key " +
                                             key->KeyIdHex() + " is not authentic");
  }
  return MinisignVerified{key->KeyIdHex(), std::string(comment)};
}

}  // namespace sluice
