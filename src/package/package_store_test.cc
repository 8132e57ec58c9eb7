#include "package/package_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "package/archive.h"
#include "package/digest.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class PackageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice_store_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    old_umask_ = ::umask(077);  // a strict umask must not change the modes
  }
  void TearDown() override {
    ::umask(old_umask_);
    fs::remove_all(dir_);
  }
  fs::path dir_;
  mode_t old_umask_ = 022;
};

FetchedPackage Package() {
  auto archive = WriteArchive({{"sluice-package.json", "{}\n", false},
                               {"integration/bin/run", "#!/bin/sh\n", true},
                               {"sql/x.sql", "CREATE CONNECTOR TYPE 'x';\n", false}});
  EXPECT_TRUE(archive.ok());
  return {*archive, "untrusted comment: test\nRW...\n"};
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t Mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST_F(PackageStoreTest, PutThenGetByDigest) {
  PackageStore store(dir_.string());
  FetchedPackage p = Package();
  std::string sha = Sha256Hex(p.archive);
  auto absent = store.Get(sha);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE(store.Put(p).ok());
  ASSERT_TRUE(store.Put(p).ok());  // already there
  auto got = store.Get(sha);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->archive, p.archive);
  EXPECT_EQ(got->signature, p.signature);
  EXPECT_TRUE(fs::exists(dir_ / "sha256" / (sha + ".sluicepkg")));
  EXPECT_TRUE(fs::exists(dir_ / "sha256" / (sha + ".minisig")));
  // Unsigned packages have no .minisig.
  FetchedPackage unsigned_package{*WriteArchive({{"a", "b", false}}), ""};
  ASSERT_TRUE(store.Put(unsigned_package).ok());
  EXPECT_EQ(store.Get(Sha256Hex(unsigned_package.archive))->signature, "");
  // Only the entries and no temporary files.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "sha256")) {
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 3u);
  auto bad = store.Get("not-a-digest");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), ErrorKind::kInvalidArgument);
}

TEST_F(PackageStoreTest, PutRemovesTemporariesLeftByAKilledWrite) {
  PackageStore store(dir_.string());
  fs::create_directories(dir_ / "sha256");
  fs::path stale = dir_ / "sha256" / ".abc.sluicepkg.tmp.X1";
  fs::path fresh = dir_ / "sha256" / ".abc.sluicepkg.tmp.X2";
  { std::ofstream(stale) << "half"; }
  { std::ofstream(fresh) << "in progress"; }
  fs::last_write_time(stale, fs::file_time_type::clock::now() - std::chrono::hours(2));
  ASSERT_TRUE(store.Put(Package()).ok());
  EXPECT_FALSE(fs::exists(stale)) << "an hour-old temporary is removed";
  EXPECT_TRUE(fs::exists(fresh)) << "a recent one may be another write in progress";
}

TEST_F(PackageStoreTest, ADamagedEntryIsAnIntegrityErrorAndPutRepairsIt) {
  PackageStore store(dir_.string());
  FetchedPackage p = Package();
  std::string sha = Sha256Hex(p.archive);
  ASSERT_TRUE(store.Put(p).ok());
  fs::path file = dir_ / "sha256" / (sha + ".sluicepkg");
  std::string bytes = Read(file);
  bytes[bytes.size() / 2] ^= 1;
  { std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes; }
  auto got = store.Get(sha);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(got.status().message().find(sha), std::string::npos);
  auto extracted = store.Extracted(sha);
  ASSERT_FALSE(extracted.ok());
  EXPECT_EQ(extracted.status().kind(), ErrorKind::kIntegrity);
  ASSERT_TRUE(store.Put(p).ok());
  EXPECT_TRUE(store.Get(sha).ok());
}

TEST_F(PackageStoreTest, ExtractedOnceWithFixedModes) {
  PackageStore store(dir_.string());
  FetchedPackage p = Package();
  std::string sha = Sha256Hex(p.archive);
  ASSERT_TRUE(store.Put(p).ok());
  auto dir = store.Extracted(sha);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(*dir, (dir_ / "sha256" / sha).string());
  EXPECT_EQ(Read(fs::path(*dir) / "sql/x.sql"), "CREATE CONNECTOR TYPE 'x';\n");
  EXPECT_EQ(Mode(fs::path(*dir) / "sql/x.sql"), 0644u);
  EXPECT_EQ(Mode(fs::path(*dir) / "integration/bin/run"), 0755u);
  EXPECT_EQ(Mode(fs::path(*dir) / "integration"), 0755u);
  EXPECT_EQ(Mode(fs::path(*dir)), 0755u);
  // A second call does not extract again: a marker file survives.
  { std::ofstream(fs::path(*dir) / "marker") << "x"; }
  auto again = store.Extracted(sha);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(fs::exists(fs::path(*again) / "marker"));
  EXPECT_EQ(store.Extracted(std::string(64, 'f')).status().kind(), ErrorKind::kNotFound);
}

TEST_F(PackageStoreTest, ConcurrentExtractorsAgree) {
  FetchedPackage p = Package();
  std::string sha = Sha256Hex(p.archive);
  ASSERT_TRUE(PackageStore(dir_.string()).Put(p).ok());
  std::vector<std::string> results(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      PackageStore store(dir_.string());
      auto dir = store.Extracted(sha);
      results[i] = dir.ok() ? *dir : "error: " + dir.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& r : results) EXPECT_EQ(r, (dir_ / "sha256" / sha).string());
  for (const auto& e : fs::directory_iterator(dir_ / "sha256")) {
    EXPECT_EQ(e.path().filename().string().find(".extract-"), std::string::npos)
        << "left behind: " << e.path();
  }
  EXPECT_EQ(Read(dir_ / "sha256" / sha / "sql/x.sql"), "CREATE CONNECTOR TYPE 'x';\n");
}

TEST_F(PackageStoreTest, AHostileArchiveIsNotExtracted) {
  // A tar with "../escape" stored by digest (the store does not judge on Put).
  std::string hostile =
      Read(fs::path(SLUICE_SOURCE_DIR) / "tests/fuzz/regressions/archive/dotdot.tar.gz");
  ASSERT_FALSE(hostile.empty());
  PackageStore store(dir_.string());
  ASSERT_TRUE(store.Put({hostile, ""}).ok());
  auto r = store.Extracted(Sha256Hex(hostile));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'../../escape'"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(dir_ / "escape"));
  EXPECT_FALSE(fs::exists(dir_ / "sha256" / Sha256Hex(hostile)));
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(PackageStoreDefaultTest, EnvironmentDecidesTheRoot) {
  ScopedEnv home("HOME", "/home/u");
  {
    ScopedEnv store("SLUICE_PACKAGE_STORE", "/tmp/store");
    ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
    EXPECT_EQ(PackageStore::Default().root(), "/tmp/store");
  }
  {
    ScopedEnv store("SLUICE_PACKAGE_STORE", nullptr);
    ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
    EXPECT_EQ(PackageStore::Default().root(), "/xdg/sluice/packages");
  }
  {
    ScopedEnv store("SLUICE_PACKAGE_STORE", "");
    ScopedEnv xdg("XDG_DATA_HOME", nullptr);
    EXPECT_EQ(PackageStore::Default().root(), "/home/u/.local/share/sluice/packages");
  }
}

}  // namespace
}  // namespace sluice
