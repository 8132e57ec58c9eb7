#include "catalog/secret_store.h"

#include "core/identifier.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "catalog/catalog.h"
#include "core/file_util.h"
#include "core/identifier.h"
#include "core/secret_masker.h"

namespace sluice {
namespace {

constexpr char kEnvKey[] = "SLUICE_SECRET_KEY";
constexpr char kCheckMetaKey[] = "secret_key_check";
// Sealed with the key and kept in _sluice_meta: opening it tells a wrong key
// apart from damaged secrets.
constexpr std::string_view kCheckPlaintext = "sluice secret key check v1";
constexpr size_t kKeyBytes = crypto_secretbox_KEYBYTES;
static_assert(kKeyBytes == 32, "SecretStore::Key is 32 bytes");

struct Sealed {
  std::string nonce;
  std::string ciphertext;
};

std::string SecretLabel(const std::string& name) { return "secret '" + name + "'"; }

std::string Errno() { return std::strerror(errno); }

Status InitSodium() {
  // Thread-safe once: sodium_init() itself may be called again, but need not.
  static const int rc = sodium_init();
  if (rc < 0) return Status(ErrorKind::kSecret, "libsodium could not be initialised");
  return Status();
}

Sealed Seal(const unsigned char* key, std::string_view plaintext) {
  Sealed sealed;
  sealed.nonce.resize(crypto_secretbox_NONCEBYTES);
  randombytes_buf(sealed.nonce.data(), sealed.nonce.size());
  sealed.ciphertext.resize(crypto_secretbox_MACBYTES + plaintext.size());
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.ciphertext.data()),
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        reinterpret_cast<const unsigned char*>(sealed.nonce.data()), key);
  return sealed;
}

// nullopt when the value was sealed with another key or has been altered.
std::optional<std::string> Open(const unsigned char* key, const Sealed& sealed) {
  if (sealed.nonce.size() != crypto_secretbox_NONCEBYTES ||
      sealed.ciphertext.size() < crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  std::string plaintext(sealed.ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                 reinterpret_cast<const unsigned char*>(sealed.ciphertext.data()),
                                 sealed.ciphertext.size(),
                                 reinterpret_cast<const unsigned char*>(sealed.nonce.data()),
                                 key) != 0) {
    return std::nullopt;
  }
  return plaintext;
}

// Stmt binds text and Values; sealed bytes are BLOBs.
Status BindBlob(Database& db, Stmt& stmt, int index, const std::string& bytes) {
  int rc = sqlite3_bind_blob64(stmt.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return rc == SQLITE_OK ? Status() : Status(ErrorKind::kSql, db.LastError());
}

std::string KeyFilePath() {
  // XDG says to ignore a relative XDG_CONFIG_HOME.
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/sluice/secret.key";
  const char* home = std::getenv("HOME");
  if (home && home[0] != '\0') return std::string(home) + "/.config/sluice/secret.key";
  return "";
}

bool IsHexKey(std::string_view text) {
  if (text.size() != 2 * kKeyBytes) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Where a key came from, for messages that tell the user what to fix.
struct KeySource {
  std::array<unsigned char, kKeyBytes> key{};
  std::string description;  // "SLUICE_SECRET_KEY" or "key file '…'"
};

void KeyFromText(std::string_view text, KeySource& source) {
  source.description = kEnvKey;
  size_t length = 0;
  if (IsHexKey(text) && sodium_hex2bin(source.key.data(), source.key.size(), text.data(),
                                       text.size(), nullptr, &length, nullptr) == 0 &&
      length == kKeyBytes) {
    return;
  }
  crypto_generichash(source.key.data(), source.key.size(),
                     reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
}

// false when the file does not exist.
Result<bool> ReadKeyFile(const std::string& path, KeySource& source) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return false;
    return Status(ErrorKind::kSecret, "cannot read key file '" + path + "': " + Errno());
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) {
    return Status(ErrorKind::kSecret, "cannot read key file '" + path + "': " + Errno());
  }
  if (!S_ISREG(st.st_mode)) {
    return Status(ErrorKind::kSecret, "key file '" + path + "' is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status(ErrorKind::kSecret, "key file '" + path + "' has permissions " + mode +
                                          ", which let other users read it: run chmod 600 '" +
                                          path + "'");
  }
  if (st.st_size != static_cast<off_t>(kKeyBytes)) {
    return Status(ErrorKind::kSecret,
                  "key file '" + path + "' holds " + std::to_string(st.st_size) +
                      " bytes, but a key is " + std::to_string(kKeyBytes) +
                      ": restore the original key file, or move this one away to have a new "
                      "key made (secrets sealed with the old key are then lost)");
  }
  size_t done = 0;
  while (done < kKeyBytes) {
    ssize_t n = read(fd.get(), source.key.data() + done, kKeyBytes - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status(ErrorKind::kSecret, "cannot read key file '" + path + "': " +
                                            (n == 0 ? std::string("file shrank") : Errno()));
    }
    done += static_cast<size_t>(n);
  }
  source.description = "key file '" + path + "'";
  return true;
}

// mkdir -p with mode 0700 for every folder it creates.
Status MakePrivateDirs(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string prefix = dir.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status(ErrorKind::kIo, "cannot create folder '" + prefix + "' for the secret key: " +
                                        Errno());
    }
    if (slash == std::string::npos) return Status();
  }
}

// false when another process created the file first: read theirs instead.
Result<bool> CreateKeyFile(const std::string& path, KeySource& source) {
  RETURN_IF_ERROR(MakePrivateDirs(path.substr(0, path.rfind('/'))));
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return false;
    return Status(ErrorKind::kIo, "cannot create key file '" + path + "': " + Errno());
  }
  randombytes_buf(source.key.data(), source.key.size());
  Status written = WriteAll(
      fd.get(), std::string_view(reinterpret_cast<const char*>(source.key.data()), kKeyBytes),
      "key file '" + path + "'");
  if (!written.ok()) {
    unlink(path.c_str());
    return written;
  }
  // The key must outlive a crash: secrets sealed with it are useless without it.
  if (fsync(fd.get()) != 0) {
    std::string error = Errno();
    unlink(path.c_str());
    return Status(ErrorKind::kIo, "cannot write key file '" + path + "': " + error);
  }
  source.description = "key file '" + path + "'";
  return true;
}

Result<KeySource> FindKey(bool create) {
  KeySource source;
  const char* env = std::getenv(kEnvKey);
  if (env && env[0] != '\0') {
    KeyFromText(env, source);
    return source;
  }
  std::string path = KeyFilePath();
  if (path.empty()) {
    return Status(ErrorKind::kSecret,
                  "no secret key: set SLUICE_SECRET_KEY, or HOME so that a key file can be kept");
  }
  // Two rounds: if another process creates the file between our read and our
  // create, the second read picks up its key.
  for (int round = 0; round < 2; ++round) {
    ASSIGN_OR_RETURN(bool found, ReadKeyFile(path, source));
    if (found) return source;
    if (!create) {
      return Status(ErrorKind::kSecret,
                    "no secret key: key file '" + path + "' does not exist and " + kEnvKey +
                        " is not set; restore the key this workspace's secrets were sealed with");
    }
    ASSIGN_OR_RETURN(bool created, CreateKeyFile(path, source));
    if (created) return source;
  }
  return Status(ErrorKind::kSecret, "cannot read or create key file '" + path + "'");
}

std::string WrongKeyMessage(const KeySource& source) {
  std::string message =
      "the secret key does not match the one this workspace's secrets were sealed with (" +
      source.description + "): ";
  if (source.description == kEnvKey) {
    std::string path = KeyFilePath();
    return message + "set " + kEnvKey + " to the original key" +
           (path.empty() ? "" : ", or unset it to use key file '" + path + "'");
  }
  return message + "restore the original key file, or set " + kEnvKey + " to the original key";
}

// Compares the key with the workspace's check value; with `record`, stores
// one when the workspace has none yet.
Status CheckKey(Database& db, const KeySource& source, bool record) {
  // Two rounds: a concurrent first Put may record its check value between our
  // read and our insert; then ours is ignored and theirs is compared.
  for (int round = 0; round < 2; ++round) {
    ASSIGN_OR_RETURN(Stmt read, db.Prepare("SELECT value FROM _sluice_meta WHERE key = ?"));
    RETURN_IF_ERROR(read.BindText(1, kCheckMetaKey));
    ASSIGN_OR_RETURN(bool row, read.Step());
    if (row) {
      std::string hex = read.ColumnText(0);
      std::string bytes(hex.size() / 2, '\0');
      size_t length = 0;
      Sealed check;
      if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                         hex.data(), hex.size(), nullptr, &length, nullptr) == 0 &&
          length >= crypto_secretbox_NONCEBYTES) {
        check.nonce = bytes.substr(0, crypto_secretbox_NONCEBYTES);
        check.ciphertext = bytes.substr(crypto_secretbox_NONCEBYTES, length - check.nonce.size());
      }
      std::optional<std::string> opened = Open(source.key.data(), check);
      if (opened && *opened == kCheckPlaintext) return Status();
      return Status(ErrorKind::kSecret, WrongKeyMessage(source));
    }
    if (!record) return Status();
    Sealed check = Seal(source.key.data(), kCheckPlaintext);
    std::string bytes = check.nonce + check.ciphertext;
    std::string hex(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                   bytes.size());
    hex.pop_back();  // the terminating NUL
    ASSIGN_OR_RETURN(Stmt write,
                     db.Prepare("INSERT OR IGNORE INTO _sluice_meta (key, value) VALUES (?, ?)"));
    RETURN_IF_ERROR(write.BindText(1, kCheckMetaKey));
    RETURN_IF_ERROR(write.BindText(2, hex));
    RETURN_IF_ERROR(write.Run());
    if (db.Changes() == 1) return Status();
  }
  return Status(ErrorKind::kSecret, "cannot record the secret key check value");
}

std::string ToHex(const std::string& bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  hex.pop_back();  // the terminating NUL
  return hex;
}

// nullopt unless `hex` is an even number of hex digits.
std::optional<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string bytes(hex.size() / 2, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(), hex.size(),
                     nullptr, &length, &end) != 0 ||
      length != bytes.size() || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return bytes;
}

Result<std::optional<std::string>> ReadCheck(Database& db) {
  ASSIGN_OR_RETURN(Stmt read, db.Prepare("SELECT value FROM _sluice_meta WHERE key = ?"));
  RETURN_IF_ERROR(read.BindText(1, kCheckMetaKey));
  ASSIGN_OR_RETURN(bool row, read.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(read.ColumnText(0));
}

}  // namespace

Status SecretStore::LoadKey(bool create) {
  if (key_) return Status();
  RETURN_IF_ERROR(InitSodium());
  ASSIGN_OR_RETURN(KeySource source, FindKey(create));
  Status checked = CheckKey(db_, source, create);
  if (checked.ok()) key_ = source.key;
  sodium_memzero(source.key.data(), source.key.size());
  return checked;
}

Status SecretStore::Put(const std::string& name, const std::string& value,
                        const std::string& source, bool or_replace) {
  // Mask first: even a refused CREATE SECRET must not let the value leak later.
  SecretMasker::Global().Add(value);
  // A name {{secrets.NAME}} could not spell would store a secret nothing
  // can use; the rule is every other definition's.
  RETURN_IF_ERROR(CheckName(name, "secret"));
  // Checked before the key is loaded, so a refused CREATE makes no key file.
  ASSIGN_OR_RETURN(bool exists, Exists(name));
  if (exists && !or_replace) {
    return Status(ErrorKind::kAlreadyExists,
                  SecretLabel(name) + " already exists (use CREATE OR REPLACE)");
  }
  RETURN_IF_ERROR(LoadKey(/*create=*/true));
  Sealed sealed = Seal(key_->data(), value);
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(exists, Exists(name));
  if (exists && !or_replace) {
    return Status(ErrorKind::kAlreadyExists,
                  SecretLabel(name) + " already exists (use CREATE OR REPLACE)");
  }
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(
      "INSERT INTO _sluice_secrets (name, nonce, ciphertext, source, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, "
      "ciphertext = excluded.ciphertext, source = excluded.source, "
      "updated_at = excluded.updated_at"));
  std::string now = NowIso8601();
  RETURN_IF_ERROR(stmt.BindText(1, name));
  RETURN_IF_ERROR(BindBlob(db_, stmt, 2, sealed.nonce));
  RETURN_IF_ERROR(BindBlob(db_, stmt, 3, sealed.ciphertext));
  RETURN_IF_ERROR(stmt.BindText(4, source));
  RETURN_IF_ERROR(stmt.BindText(5, now));
  RETURN_IF_ERROR(stmt.BindText(6, now));
  RETURN_IF_ERROR(stmt.Run());
  return tx.Commit();
}

Result<std::string> SecretStore::Get(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt stmt,
                   db_.Prepare("SELECT nonce, ciphertext FROM _sluice_secrets WHERE name = ?"));
  RETURN_IF_ERROR(stmt.BindText(1, name));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status(ErrorKind::kNotFound, SecretLabel(name) + " does not exist");
  Sealed sealed{stmt.ColumnText(0), stmt.ColumnText(1)};
  RETURN_IF_ERROR(LoadKey(/*create=*/false));
  std::optional<std::string> value = Open(key_->data(), sealed);
  if (!value) {
    return Status(ErrorKind::kSecret,
                  SecretLabel(name) + " cannot be decrypted: its stored value is damaged or "
                                      "was sealed with another key; store it again");
  }
  SecretMasker::Global().Add(*value);
  return std::move(*value);
}

Result<bool> SecretStore::Exists(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("SELECT 1 FROM _sluice_secrets WHERE name = ?"));
  RETURN_IF_ERROR(stmt.BindText(1, name));
  return stmt.Step();
}

Result<std::vector<SecretInfo>> SecretStore::List() {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(
      "SELECT name, source, created_at, updated_at FROM _sluice_secrets ORDER BY name"));
  std::vector<SecretInfo> secrets;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return secrets;
    secrets.push_back({stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2),
                       stmt.ColumnText(3)});
  }
}

Status SecretStore::Drop(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare("DELETE FROM _sluice_secrets WHERE name = ?"));
  RETURN_IF_ERROR(stmt.BindText(1, name));
  RETURN_IF_ERROR(stmt.Run());
  if (db_.Changes() == 0) return Status(ErrorKind::kNotFound, SecretLabel(name) + " does not exist");
  return Status();
}

Result<Value> SecretStore::ExportSealed(const std::vector<std::string>& names) {
  RETURN_IF_ERROR(InitSodium());
  Value out = Value::object();
  ASSIGN_OR_RETURN(std::optional<std::string> check, ReadCheck(db_));
  out["check"] = check ? Value(*check) : Value();
  out["secrets"] = Value::object();
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(Stmt stmt,
                     db_.Prepare("SELECT nonce, ciphertext, source FROM _sluice_secrets WHERE name = ?"));
    RETURN_IF_ERROR(stmt.BindText(1, name));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return Status(ErrorKind::kNotFound, SecretLabel(name) + " does not exist");
    out["secrets"][name] = {{"nonce", ToHex(stmt.ColumnText(0))},
                            {"ciphertext", ToHex(stmt.ColumnText(1))},
                            {"source", stmt.ColumnText(2)}};
  }
  return out;
}

Status SecretStore::ImportSealed(const Value& sealed) {
  RETURN_IF_ERROR(InitSodium());
  auto malformed = [](const std::string& what) {
    return Status(ErrorKind::kInvalidArgument, "sealed secrets: " + what);
  };
  if (!sealed.is_object()) return malformed("not an object");
  auto check = sealed.find("check");
  auto secrets = sealed.find("secrets");
  if (check == sealed.end() || !(check->is_null() || check->is_string())) {
    return malformed("'check' must be text or null");
  }
  if (secrets == sealed.end() || !secrets->is_object()) return malformed("'secrets' must be an object");
  if (check->is_null() && !secrets->empty()) return malformed("secrets without a check value");
  struct Entry {
    std::string name, nonce, ciphertext, source;
  };
  std::vector<Entry> entries;
  for (const auto& [name, entry] : secrets->items()) {
    RETURN_IF_ERROR(CheckName(name, "secret"));
    if (!entry.is_object()) return malformed(SecretLabel(name) + " is not an object");
    Entry parsed{name, "", "", "value"};
    for (auto [field, target] : {std::pair<const char*, std::string*>{"nonce", &parsed.nonce},
                                 std::pair<const char*, std::string*>{"ciphertext", &parsed.ciphertext}}) {
      auto hex = entry.find(field);
      std::optional<std::string> bytes;
      if (hex != entry.end() && hex->is_string()) bytes = FromHex(hex->get<std::string>());
      if (!bytes) return malformed(SecretLabel(name) + ": '" + field + "' must be hex digits");
      *target = std::move(*bytes);
    }
    auto source = entry.find("source");
    if (source != entry.end() && source->is_string()) parsed.source = source->get<std::string>();
    entries.push_back(std::move(parsed));
  }
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  if (check->is_string()) {
    ASSIGN_OR_RETURN(std::optional<std::string> own, ReadCheck(db_));
    if (own && *own != check->get<std::string>()) {
      return Status(ErrorKind::kSecret,
                    "the imported secrets were sealed with another key than this workspace's secrets: the "
                    "two cannot share a workspace");
    }
    if (!own) {
      ASSIGN_OR_RETURN(Stmt write, db_.Prepare("INSERT INTO _sluice_meta (key, value) VALUES (?, ?)"));
      RETURN_IF_ERROR(write.BindText(1, kCheckMetaKey));
      RETURN_IF_ERROR(write.BindText(2, check->get<std::string>()));
      RETURN_IF_ERROR(write.Run());
    }
  }
  std::string now = NowIso8601();
  for (const Entry& entry : entries) {
    ASSIGN_OR_RETURN(Stmt stmt, db_.Prepare(
        "INSERT INTO _sluice_secrets (name, nonce, ciphertext, source, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, "
        "ciphertext = excluded.ciphertext, source = excluded.source, updated_at = excluded.updated_at"));
    RETURN_IF_ERROR(stmt.BindText(1, entry.name));
    RETURN_IF_ERROR(BindBlob(db_, stmt, 2, entry.nonce));
    RETURN_IF_ERROR(BindBlob(db_, stmt, 3, entry.ciphertext));
    RETURN_IF_ERROR(stmt.BindText(4, entry.source));
    RETURN_IF_ERROR(stmt.BindText(5, now));
    RETURN_IF_ERROR(stmt.BindText(6, now));
    RETURN_IF_ERROR(stmt.Run());
  }
  return tx.Commit();
}

}  // namespace sluice
