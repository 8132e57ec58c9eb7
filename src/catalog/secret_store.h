// SecretStore: secrets encrypted at rest in the workspace.
//
// Values are sealed with libsodium's crypto_secretbox (XSalsa20-Poly1305), a
// fresh random nonce per value. The 32-byte key comes from, in order:
//   1. SLUICE_SECRET_KEY, when set and not empty: 64 hex digits, used as the
//      key; any other text is hashed with BLAKE2b (crypto_generichash) to 32
//      bytes;
//   2. the key file $XDG_CONFIG_HOME/sluice/secret.key (default
//      ~/.config/sluice/secret.key), created with mode 0600 (its folder 0700)
//      holding a random key the first time a secret is stored.
// A key file readable by others, or not 32 bytes long, is refused (kSecret).
// The key is loaded lazily, only when a secret is stored or read. The
// workspace keeps a sealed check value, so a different key is reported as
// "wrong key" instead of as corrupted secrets. No error message ever holds a
// secret value.
//
// Every value stored or read is registered with SecretMasker::Global().
//
// Ownership: borrows the Database of its Workspace.
// Thread-safety: one thread at a time.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "catalog/definitions.h"
#include "core/sqlite.h"
#include "core/status.h"
#include "core/value.h"

namespace sluice {

class SecretStore {
 public:
  explicit SecretStore(Database& db) : db_(db) {}

  // `source` is "value" or "env:NAME", shown by SHOW SECRETS.
  Status Put(const std::string& name, const std::string& value, const std::string& source,
             bool or_replace);
  // The decrypted value; kNotFound if there is no such secret.
  Result<std::string> Get(const std::string& name);
  Result<bool> Exists(const std::string& name);
  Result<std::vector<SecretInfo>> List();
  Status Drop(const std::string& name);

  // The named secrets as stored — sealed, never opened, so no key is
  // needed — with the workspace's check value, for a catalog snapshot that
  // another machine restores (lang/catalog_snapshot.h):
  //   {"check": hex|null, "secrets": {name: {"nonce": hex, "ciphertext": hex,
  //    "source": text}}}
  // kNotFound naming the first missing secret.
  Result<Value> ExportSealed(const std::vector<std::string>& names);
  // Stores what ExportSealed gave into this workspace, still sealed: Get()
  // then opens them with this process's key, and a key other than the
  // exporter's fails as "does not match" via the check value. Refused
  // (kSecret) when this workspace's own check value differs (its secrets
  // were sealed with another key: the two must not mix); kInvalidArgument
  // for a value of another shape. Replaces secrets of the same name.
  Status ImportSealed(const Value& sealed);

 private:
  using Key = std::array<unsigned char, 32>;
  // Finds the key and compares it with the workspace's check value. With
  // `create` (storing), makes a missing key file and records the check value;
  // reading never does, since a new key could not open existing secrets.
  Status LoadKey(bool create);

  Database& db_;
  std::optional<Key> key_;
};

}  // namespace sluice
