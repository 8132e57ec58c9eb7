#include "catalog/secret_store.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "catalog/workspace.h"
#include "core/secret_masker.h"

namespace sluice {
namespace {

// Sets or unsets an environment variable for one test, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    Set(value);
  }
  ~ScopedEnv() { Set(old_ ? old_->c_str() : nullptr); }
  void Set(const char* value) {
    if (value) {
      setenv(name_, value, 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class SecretStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_secret_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // HOME too, so a failing XDG lookup can never reach the real key file.
    home_.emplace("HOME", (dir_ + "/home").c_str());
    xdg_.emplace("XDG_CONFIG_HOME", (dir_ + "/config").c_str());
    env_key_.emplace("SLUICE_SECRET_KEY", nullptr);
    key_file_ = dir_ + "/config/sluice/secret.key";
    db_path_ = dir_ + "/workspace.db";
    Reopen();
  }
  void TearDown() override {
    ws_.reset();
    env_key_.reset();
    xdg_.reset();
    home_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A fresh Workspace forgets the cached key, as a new process would.
  void Reopen() {
    ws_.reset();
    auto opened = Workspace::Open(db_path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ws_ = std::move(opened).value();
  }
  SecretStore& secrets() { return ws_->secrets(); }

  std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteKeyFile(const std::string& bytes, mode_t mode) {
    std::filesystem::create_directories(std::filesystem::path(key_file_).parent_path());
    std::filesystem::remove(key_file_);
    std::ofstream(key_file_, std::ios::binary) << bytes;
    ASSERT_EQ(chmod(key_file_.c_str(), mode), 0);
  }
  // The sealed bytes of a secret, read straight from the table.
  std::pair<std::string, std::string> Sealed(const std::string& name) {
    auto stmt = ws_->db().Prepare("SELECT nonce, ciphertext FROM _sluice_secrets WHERE name = ?");
    EXPECT_TRUE(stmt.ok());
    EXPECT_TRUE(stmt->BindText(1, name).ok());
    EXPECT_TRUE(stmt->Step().value());
    return {stmt->ColumnText(0), stmt->ColumnText(1)};
  }
  // Opens a sealed secret with a key computed independently of SecretStore.
  std::optional<std::string> OpenWith(const unsigned char* key, const std::string& name) {
    auto [nonce, ciphertext] = Sealed(name);
    if (ciphertext.size() < crypto_secretbox_MACBYTES) return std::nullopt;
    std::string plain(ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                   reinterpret_cast<const unsigned char*>(ciphertext.data()),
                                   ciphertext.size(),
                                   reinterpret_cast<const unsigned char*>(nonce.data()), key)) {
      return std::nullopt;
    }
    return plain;
  }

  std::string dir_;
  std::string key_file_;
  std::string db_path_;
  std::optional<ScopedEnv> home_, xdg_, env_key_;
  std::unique_ptr<Workspace> ws_;
};

TEST_F(SecretStoreTest, RoundTripAndListing) {
  ASSERT_TRUE(secrets().Put("myservice_key", "s3cr3t-value-XYZ", "value", false).ok());
  ASSERT_TRUE(secrets().Put("from_env", "another-value", "env:MY_KEY", false).ok());
  Reopen();
  auto value = secrets().Get("myservice_key");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "s3cr3t-value-XYZ");
  EXPECT_TRUE(secrets().Exists("from_env").value());
  EXPECT_FALSE(secrets().Exists("nope").value());

  auto list = secrets().List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "from_env");
  EXPECT_EQ((*list)[0].source, "env:MY_KEY");
  EXPECT_EQ((*list)[1].name, "myservice_key");
  EXPECT_FALSE((*list)[1].created_at.empty());

  ASSERT_TRUE(secrets().Drop("from_env").ok());
  EXPECT_EQ(secrets().Get("from_env").status().message(), "secret 'from_env' does not exist");
  EXPECT_EQ(secrets().Drop("from_env").kind(), ErrorKind::kNotFound);
}

TEST_F(SecretStoreTest, CreateWithoutReplaceKeepsTheOldValue) {
  ASSERT_TRUE(secrets().Put("k", "first-value", "value", false).ok());
  Status again = secrets().Put("k", "second-value", "value", false);
  EXPECT_EQ(again.kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(again.message(), "secret 'k' already exists (use CREATE OR REPLACE)");
  EXPECT_EQ(secrets().Get("k").value(), "first-value");
  ASSERT_TRUE(secrets().Put("k", "second-value", "value", true).ok());
  EXPECT_EQ(secrets().Get("k").value(), "second-value");
}

TEST_F(SecretStoreTest, FileHoldsCiphertextOnly) {
  const std::string plaintext = "PLAINTEXT-MARKER-8d1f0c";
  ASSERT_TRUE(secrets().Put("a", plaintext, "value", false).ok());
  ASSERT_TRUE(secrets().Put("b", plaintext, "value", false).ok());
  // A fresh nonce per value: equal secrets do not look equal on disk.
  EXPECT_NE(Sealed("a").first, Sealed("b").first);
  EXPECT_NE(Sealed("a").second, Sealed("b").second);
  ws_.reset();
  std::string raw = ReadFile(db_path_);
  ASSERT_GT(raw.size(), 0u);
  EXPECT_NE(raw.find("_sluice_secrets"), std::string::npos);  // we did read the database
  EXPECT_EQ(raw.find(plaintext), std::string::npos);
  EXPECT_EQ(raw.find("8d1f0c"), std::string::npos);
}

TEST_F(SecretStoreTest, KeyFileIsCreatedPrivateOnFirstPut) {
  // Reading, listing and dropping need no key, so make none.
  EXPECT_TRUE(secrets().List()->empty());
  EXPECT_FALSE(secrets().Exists("x").value());
  EXPECT_EQ(secrets().Drop("x").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(secrets().Get("x").status().kind(), ErrorKind::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(key_file_));

  ASSERT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
  struct stat file {};
  ASSERT_EQ(stat(key_file_.c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  EXPECT_EQ(file.st_size, 32);
  struct stat folder {};
  ASSERT_EQ(stat((dir_ + "/config/sluice").c_str(), &folder), 0);
  EXPECT_EQ(folder.st_mode & 0777, 0700u);

  // The key in the file is the one that sealed the value.
  std::string key = ReadFile(key_file_);
  EXPECT_EQ(OpenWith(reinterpret_cast<const unsigned char*>(key.data()), "x"), "value-1234");
}

TEST_F(SecretStoreTest, FallsBackToHomeConfig) {
  xdg_->Set(nullptr);
  ASSERT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/home/.config/sluice/secret.key"));
  EXPECT_FALSE(std::filesystem::exists(key_file_));
}

TEST_F(SecretStoreTest, LooseKeyFileIsRefused) {
  WriteKeyFile(std::string(32, 'k'), 0644);
  Status status = secrets().Put("x", "value-1234", "value", false);
  EXPECT_EQ(status.kind(), ErrorKind::kSecret);
  EXPECT_NE(status.message().find(key_file_), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("chmod 600"), std::string::npos) << status.message();
  EXPECT_FALSE(secrets().Exists("x").value());

  // Readable by the group alone is still too loose.
  WriteKeyFile(std::string(32, 'k'), 0640);
  EXPECT_EQ(secrets().Put("x", "value-1234", "value", false).kind(), ErrorKind::kSecret);
  // Tighter than 0600 is fine.
  WriteKeyFile(std::string(32, 'k'), 0400);
  EXPECT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
}

TEST_F(SecretStoreTest, WrongSizeKeyFileIsRefused) {
  WriteKeyFile("short", 0600);
  Status status = secrets().Put("x", "value-1234", "value", false);
  EXPECT_EQ(status.kind(), ErrorKind::kSecret);
  EXPECT_NE(status.message().find(key_file_), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("32"), std::string::npos) << status.message();
}

TEST_F(SecretStoreTest, ReadingNeverMakesANewKey) {
  ASSERT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
  std::filesystem::remove(key_file_);
  Reopen();
  auto value = secrets().Get("x");
  EXPECT_EQ(value.status().kind(), ErrorKind::kSecret);
  EXPECT_NE(value.status().message().find(key_file_), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(key_file_));
}

TEST_F(SecretStoreTest, DifferentKeyFileIsReportedAsWrongKey) {
  ASSERT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
  std::string original = ReadFile(key_file_);
  std::string other(32, '\0');
  randombytes_buf(other.data(), other.size());
  WriteKeyFile(other, 0600);
  Reopen();
  auto value = secrets().Get("x");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().kind(), ErrorKind::kSecret);
  EXPECT_NE(value.status().message().find("does not match"), std::string::npos);
  EXPECT_NE(value.status().message().find(key_file_), std::string::npos);
  EXPECT_EQ(value.status().message().find("value-1234"), std::string::npos);
  // Storing with the wrong key is refused too, so secrets never mix keys.
  EXPECT_EQ(secrets().Put("y", "other-value", "value", false).kind(), ErrorKind::kSecret);

  WriteKeyFile(original, 0600);
  Reopen();
  EXPECT_EQ(secrets().Get("x").value(), "value-1234");
}

TEST_F(SecretStoreTest, EnvPassphraseIsHashedToTheKey) {
  const std::string passphrase = "correct horse battery staple";
  env_key_->Set(passphrase.c_str());
  ASSERT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
  EXPECT_FALSE(std::filesystem::exists(key_file_));  // the env key wins; no file

  unsigned char key[crypto_secretbox_KEYBYTES];
  crypto_generichash(key, sizeof key, reinterpret_cast<const unsigned char*>(passphrase.data()),
                     passphrase.size(), nullptr, 0);
  EXPECT_EQ(OpenWith(key, "x"), "value-1234");

  env_key_->Set("a different passphrase");
  Reopen();
  auto wrong = secrets().Get("x");
  EXPECT_EQ(wrong.status().kind(), ErrorKind::kSecret);
  EXPECT_NE(wrong.status().message().find(
                "the secret key does not match the one this workspace's secrets were sealed with"),
            std::string::npos)
      << wrong.status().message();
  EXPECT_NE(wrong.status().message().find("SLUICE_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(wrong.status().message().find(passphrase), std::string::npos);

  env_key_->Set(passphrase.c_str());
  Reopen();
  EXPECT_EQ(secrets().Get("x").value(), "value-1234");
}

TEST_F(SecretStoreTest, EnvHexIsTheRawKey) {
  unsigned char key[crypto_secretbox_KEYBYTES];
  for (size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
  char hex[2 * sizeof key + 1];
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  env_key_->Set(hex);
  ASSERT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
  EXPECT_EQ(OpenWith(key, "x"), "value-1234");

  // One digit short is a passphrase, hashed: a different key.
  std::string short_hex(hex, 63);
  env_key_->Set(short_hex.c_str());
  Reopen();
  EXPECT_EQ(secrets().Get("x").status().kind(), ErrorKind::kSecret);
}

TEST_F(SecretStoreTest, StoredAndReadValuesAreMasked) {
  SecretMasker::Global().Clear();
  ASSERT_TRUE(secrets().Put("x", "tok_live_ABCDEF", "value", false).ok());
  EXPECT_EQ(SecretMasker::Global().Mask("Authorization: Bearer tok_live_ABCDEF"),
            "Authorization: Bearer ***");

  SecretMasker::Global().Clear();  // as in a new process
  Reopen();
  ASSERT_EQ(secrets().Get("x").value(), "tok_live_ABCDEF");
  EXPECT_EQ(SecretMasker::Global().Mask("key=tok_live_ABCDEF"), "key=***");

  // Even a refused CREATE registers the value it was given.
  SecretMasker::Global().Clear();
  EXPECT_FALSE(secrets().Put("x", "refused-value-999", "value", false).ok());
  EXPECT_EQ(SecretMasker::Global().Mask("refused-value-999"), "***");
}

TEST_F(SecretStoreTest, DamagedCiphertextIsReportedWithoutTheValue) {
  ASSERT_TRUE(secrets().Put("x", "value-1234", "value", false).ok());
  ASSERT_TRUE(ws_->db().Exec("UPDATE _sluice_secrets SET ciphertext = x'00112233445566778899"
                             "aabbccddeeff00112233' WHERE name = 'x'").ok());
  auto value = secrets().Get("x");
  EXPECT_EQ(value.status().kind(), ErrorKind::kSecret);
  EXPECT_NE(value.status().message().find("secret 'x'"), std::string::npos);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST_F(SecretStoreTest, SealedExportOpensOnlyWithTheSameKey) {
  env_key_->Set("the submitter's passphrase");
  ASSERT_TRUE(secrets().Put("api_key", "sealed-VALUE-42", "value", false).ok());
  ASSERT_TRUE(secrets().Put("unused", "other-VALUE-43", "env:X", false).ok());
  auto sealed = secrets().ExportSealed({"api_key"});
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  std::string dumped = sealed->dump();
  EXPECT_EQ(dumped.find("sealed-VALUE-42"), std::string::npos) << "exported sealed, never opened";
  EXPECT_EQ(dumped.find("unused"), std::string::npos) << "only the named secrets";
  EXPECT_TRUE((*sealed)["check"].is_string());

  auto fresh = Workspace::Open(":memory:");
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->secrets().ImportSealed(*sealed).ok());
  EXPECT_EQ((*fresh)->secrets().Get("api_key").value(), "sealed-VALUE-42");
  EXPECT_EQ((*fresh)->secrets().List().value().front().source, "value");

  // A worker with another key: the store's usual "wrong key" error, no value.
  env_key_->Set("a different passphrase");
  auto other = Workspace::Open(":memory:");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->secrets().ImportSealed(*sealed).ok());
  auto value = (*other)->secrets().Get("api_key");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().kind(), ErrorKind::kSecret);
  EXPECT_NE(value.status().message().find("does not match"), std::string::npos) << value.status().message();
  EXPECT_EQ(value.status().message().find("sealed-VALUE-42"), std::string::npos);
}

TEST_F(SecretStoreTest, ExportNamesTheMissingSecret) {
  auto sealed = secrets().ExportSealed({"nope"});
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(sealed.status().message(), "secret 'nope' does not exist");
  // No secret at all: nothing sealed, no check value, still importable.
  auto none = secrets().ExportSealed({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)["check"].is_null());
  auto fresh = Workspace::Open(":memory:");
  EXPECT_TRUE((*fresh)->secrets().ImportSealed(*none).ok());
}

TEST_F(SecretStoreTest, ImportRefusesMalformedValuesAndMixedKeys) {
  env_key_->Set("key one");
  ASSERT_TRUE(secrets().Put("a", "value-AAAA", "value", false).ok());
  auto sealed = secrets().ExportSealed({"a"});
  ASSERT_TRUE(sealed.ok());
  auto fresh = Workspace::Open(":memory:");
  SecretStore& store = (*fresh)->secrets();
  for (const char* bad : {R"(3)", R"({"check": 3, "secrets": {}})", R"({"check": "ab", "secrets": []})",
                          R"({"check": "ab", "secrets": {"x": {"nonce": "zz", "ciphertext": "00"}}})",
                          R"({"check": "ab", "secrets": {"x": {"nonce": "0", "ciphertext": "00"}}})",
                          R"({"check": "ab", "secrets": {"x": {"ciphertext": "00"}}})",
                          R"({"check": "ab", "secrets": {"no such name!": {"nonce": "00", "ciphertext": "00"}}})",
                          R"({"check": null, "secrets": {"x": {"nonce": "00", "ciphertext": "00"}}})"}) {
    Status status = store.ImportSealed(Value::parse(bad));
    EXPECT_FALSE(status.ok()) << bad;
  }
  EXPECT_TRUE(store.List().value().empty()) << "a refused import stores nothing";
  // A workspace whose own secrets are sealed with another key refuses them.
  env_key_->Set("key two");
  ASSERT_TRUE(store.Put("own", "value-BBBB", "value", false).ok());
  Status mixed = store.ImportSealed(*sealed);
  EXPECT_EQ(mixed.kind(), ErrorKind::kSecret) << mixed.ToString();
  EXPECT_FALSE(store.Exists("a").value());
}

}  // namespace
}  // namespace sluice
