#include "package/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "package/digest.h"

namespace sluice {
namespace {

// The index entry that publishing `archive` as name@version records.
IndexEntry Entry(const std::string& name, const std::string& version, const std::string& archive,
                 bool is_signed = false) {
  IndexEntry e;
  e.name = name;
  e.version = version;
  e.sha256 = Sha256Hex(archive);
  e.size = archive.size();
  e.engine = ">=0.1.0";
  e.is_signed = is_signed;
  return e;
}

namespace fs = std::filesystem;

class DirectoryRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sluice_registry_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto opened = OpenRegistry(root_.string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    registry_ = std::move(*opened);
  }
  void TearDown() override { fs::remove_all(root_); }

  Status Publish(const std::string& name, const std::string& version,
                 const std::string& signature = "") {
    std::string archive = "archive of " + name + " " + version;
    return registry_->Publish(Entry(name, version, archive, !signature.empty()), archive,
                              signature);
  }
  std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  void Write(const fs::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << data;
  }

  fs::path root_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(DirectoryRegistryTest, PublishListFetch) {
  ASSERT_TRUE(Publish("gh", "1.0.0").ok());
  ASSERT_TRUE(Publish("gh", "1.0.0-beta.2").ok());
  ASSERT_TRUE(Publish("gh", "1.10.0", "untrusted comment: x\nsig\n").ok());
  ASSERT_TRUE(Publish("gh", "1.2.0").ok());
  ASSERT_TRUE(Publish("gh", "1.0.0-beta.11").ok());
  ASSERT_TRUE(Publish("gh", "1.0.0-alpha").ok());
  EXPECT_TRUE(fs::exists(root_ / "config.json"));
  EXPECT_TRUE(fs::exists(root_ / "packages/gh/gh-1.2.0.sluicepkg"));
  EXPECT_TRUE(fs::exists(root_ / "packages/gh/gh-1.10.0.sluicepkg.minisig"));
  auto versions = registry_->Versions("gh");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  std::vector<std::string> order;
  for (const auto& e : *versions) order.push_back(e.version);
  EXPECT_EQ(order, (std::vector<std::string>{"1.0.0-alpha", "1.0.0-beta.2", "1.0.0-beta.11",
                                             "1.0.0", "1.2.0", "1.10.0"}));
  const IndexEntry& signed_entry = versions->back();
  EXPECT_TRUE(signed_entry.is_signed);
  EXPECT_FALSE(signed_entry.published_at.empty());
  auto fetched = registry_->Fetch(signed_entry);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->archive, "archive of gh 1.10.0");
  EXPECT_EQ(fetched->signature, "untrusted comment: x\nsig\n");
  auto unsigned_fetch = registry_->Fetch((*versions)[3]);
  ASSERT_TRUE(unsigned_fetch.ok());
  EXPECT_EQ(unsigned_fetch->signature, "");
}

TEST_F(DirectoryRegistryTest, DuplicateVersionRefused) {
  ASSERT_TRUE(Publish("gh", "1.0.0").ok());
  std::string other = "different bytes";
  Status again = registry_->Publish(Entry("gh", "1.0.0", other), other, "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.kind(), ErrorKind::kAlreadyExists);
  EXPECT_NE(again.message().find("gh 1.0.0"), std::string::npos) << again.message();
  auto fetched = registry_->Fetch((*registry_->Versions("gh"))[0]);
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched->archive, "archive of gh 1.0.0");
  // Build metadata does not make a new version.
  EXPECT_EQ(Publish("gh", "1.0.0+build.5").kind(), ErrorKind::kAlreadyExists);
}

TEST_F(DirectoryRegistryTest, PublishChecksItsArguments) {
  std::string archive = "a";
  IndexEntry e = Entry("gh", "1.0.0", archive);
  e.sha256 = Sha256Hex("b");
  EXPECT_EQ(registry_->Publish(e, archive, "").kind(), ErrorKind::kIntegrity);
  for (std::string bad : {"../evil", "a/b", "", ".hidden", "a..b"}) {
    Status s = registry_->Publish(Entry(bad, "1.0.0", archive), archive, "");
    EXPECT_EQ(s.kind(), ErrorKind::kInvalidArgument) << bad;
    EXPECT_EQ(registry_->Versions(bad).status().kind(), ErrorKind::kInvalidArgument) << bad;
  }
  for (std::string bad : {"1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0/../x"}) {
    Status s = registry_->Publish(Entry("gh", bad, archive), archive, "");
    EXPECT_EQ(s.kind(), ErrorKind::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(fs::exists(root_ / "evil"));
}

TEST_F(DirectoryRegistryTest, UnknownPackageIsNotFound) {
  ASSERT_TRUE(Publish("gh", "1.0.0").ok());
  auto versions = registry_->Versions("jira");
  ASSERT_FALSE(versions.ok());
  EXPECT_EQ(versions.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(versions.status().message().find("jira"), std::string::npos);
  EXPECT_NE(versions.status().message().find(root_.string()), std::string::npos);
}

TEST_F(DirectoryRegistryTest, YankAndUnyank) {
  ASSERT_TRUE(Publish("gh", "1.0.0").ok());
  ASSERT_TRUE(Publish("gh", "1.0.1").ok());
  ASSERT_TRUE(registry_->Yank("gh", "1.0.1", true, "breaks pagination").ok());
  auto versions = registry_->Versions("gh");
  ASSERT_TRUE(versions.ok());
  EXPECT_FALSE((*versions)[0].yanked);
  EXPECT_TRUE((*versions)[1].yanked);
  EXPECT_EQ((*versions)[1].yanked_reason, "breaks pagination");
  // A yanked version is still there to fetch (for lock files).
  EXPECT_TRUE(registry_->Fetch((*versions)[1]).ok());
  ASSERT_TRUE(registry_->Yank("gh", "1.0.1", false, "").ok());
  EXPECT_FALSE((*registry_->Versions("gh"))[1].yanked);
  EXPECT_EQ(registry_->Yank("gh", "2.0.0", true, "").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(registry_->Yank("nope", "1.0.0", true, "").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(registry_->Yank("gh", "1.0.0", true, "two\nlines").kind(), ErrorKind::kInvalidArgument);
  // Yanked versions cannot be republished either.
  ASSERT_TRUE(registry_->Yank("gh", "1.0.1", true, "").ok());
  EXPECT_EQ(Publish("gh", "1.0.1").kind(), ErrorKind::kAlreadyExists);
}

TEST_F(DirectoryRegistryTest, TamperedFileIsIntegrityError) {
  ASSERT_TRUE(Publish("gh", "1.0.0").ok());
  IndexEntry entry = (*registry_->Versions("gh"))[0];
  fs::path file = root_ / "packages/gh/gh-1.0.0.sluicepkg";
  std::string bytes = Read(file);
  bytes[3] ^= 1;
  Write(file, bytes);
  auto fetched = registry_->Fetch(entry);
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(fetched.status().message().find("sha256"), std::string::npos);
  Write(file, bytes + "extra");
  fetched = registry_->Fetch(entry);
  ASSERT_FALSE(fetched.ok());
  EXPECT_NE(fetched.status().kind(), ErrorKind::kInternal);
  fs::remove(file);
  EXPECT_EQ(registry_->Fetch(entry).status().kind(), ErrorKind::kNotFound);
}

TEST_F(DirectoryRegistryTest, SignedButSignatureMissing) {
  ASSERT_TRUE(Publish("gh", "1.0.0", "untrusted comment: x\n").ok());
  fs::remove(root_ / "packages/gh/gh-1.0.0.sluicepkg.minisig");
  auto fetched = registry_->Fetch((*registry_->Versions("gh"))[0]);
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().kind(), ErrorKind::kIntegrity);
}

TEST_F(DirectoryRegistryTest, MalformedIndexLinesAreClearErrors) {
  ASSERT_TRUE(Publish("gh", "1.0.0").ok());
  fs::path index = root_ / "index/gh.json";
  std::string good = Read(index);
  std::string sha = Sha256Hex("x");
  std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {"{\"name\":\"gh\"}", "missing \"version\""},
      {"{\"name\":\"gh\",\"version\":\"1.0\",\"sha256\":\"" + sha + "\",\"size\":1}", "SemVer"},
      {"{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"abc\",\"size\":1}", "sha256"},
      {"{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"" + sha + "\",\"size\":-1}", "size"},
      {"{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"" + sha + "\",\"size\":\"1\"}", "size"},
      {"{\"name\":\"other\",\"version\":\"1.0.1\",\"sha256\":\"" + sha + "\",\"size\":1}",
       "names package 'other'"},
      {"{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"" + sha +
           "\",\"size\":1,\"yanked\":\"yes\"}",
       "yanked"},
      {good.substr(0, good.size() - 1), "listed twice"},
      {"{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"" + sha +
           "\",\"size\":18446744073709551615}",
       "larger than a package may be"},
      {"{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"" + sha +
           "\",\"size\":1,\"key_id\":\"../../x\"}",
       "key_id"},
  };
  for (const auto& [line, needle] : cases) {
    Write(index, good + line + "\n");
    auto versions = registry_->Versions("gh");
    ASSERT_FALSE(versions.ok()) << line;
    EXPECT_EQ(versions.status().kind(), ErrorKind::kInvalidArgument) << line;
    EXPECT_NE(versions.status().message().find(needle), std::string::npos)
        << line << " → " << versions.status().message();
    EXPECT_NE(versions.status().message().find("line 2"), std::string::npos)
        << versions.status().message();
  }
  // Blank lines and CRLF are tolerated.
  Write(index, "\r\n" + good.substr(0, good.size() - 1) + "\r\n\n");
  EXPECT_TRUE(registry_->Versions("gh").ok());
}

TEST_F(DirectoryRegistryTest, AHugeYankReasonIsCutOnRead) {
  ASSERT_TRUE(Publish("gh", "1.0.0").ok());
  fs::path index = root_ / "index/gh.json";
  std::string sha = Sha256Hex("x");
  Write(index, Read(index) + "{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"" + sha +
                   "\",\"size\":1,\"yanked\":true,\"yanked_reason\":\"" +
                   std::string(15 * 1024 * 1024, 'A') + "\\n\\u0007\"}\n");
  auto versions = registry_->Versions("gh");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString().substr(0, 200);
  ASSERT_EQ(versions->size(), 2u);
  const IndexEntry& yanked = versions->at(1);
  EXPECT_TRUE(yanked.yanked);
  EXPECT_EQ(yanked.yanked_reason, std::string(200, 'A') + "…");
  Write(index, Read(index).substr(0, Read(index).find('\n') + 1) +
                   "{\"name\":\"gh\",\"version\":\"1.0.1\",\"sha256\":\"" + sha +
                   "\",\"size\":1,\"yanked\":true,\"yanked_reason\":\"bad\\nline\"}\n");
  versions = registry_->Versions("gh");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->at(1).yanked_reason, "bad line");
}

TEST_F(DirectoryRegistryTest, ConcurrentPublishesOfOneVersionExactlyOneWins) {
  constexpr int kThreads = 8;
  std::atomic<int> wins{0}, exists{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto opened = OpenRegistry(root_.string());
      if (!opened.ok()) {
        ++other;
        return;
      }
      std::string archive = "publisher " + std::to_string(i);
      Status s = (*opened)->Publish(Entry("gh", "1.0.0", archive), archive, "");
      if (s.ok()) {
        ++wins;
      } else if (s.kind() == ErrorKind::kAlreadyExists) {
        ++exists;
      } else {
        ++other;
        ADD_FAILURE() << s.ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(exists.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto versions = registry_->Versions("gh");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  // The index describes exactly the bytes that won.
  EXPECT_TRUE(registry_->Fetch((*versions)[0]).ok());
}

TEST_F(DirectoryRegistryTest, ConcurrentPublishesOfDifferentVersionsAllLand) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto opened = OpenRegistry(root_.string());
      std::string version = "1." + std::to_string(i) + ".0";
      std::string archive = "v" + version;
      if (!opened.ok() || !(*opened)->Publish(Entry("gh", version, archive), archive, "").ok()) {
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto versions = registry_->Versions("gh");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), static_cast<size_t>(kThreads));
}

TEST(RegistryUrl, LooksLikeAndOpen) {
  EXPECT_TRUE(LooksLikeRegistryUrl("/srv/reg"));
  EXPECT_TRUE(LooksLikeRegistryUrl("./reg"));
  EXPECT_TRUE(LooksLikeRegistryUrl("../reg"));
  EXPECT_TRUE(LooksLikeRegistryUrl("~/reg"));
  EXPECT_TRUE(LooksLikeRegistryUrl("https://x/y"));
  EXPECT_TRUE(LooksLikeRegistryUrl("oci://localhost:5000/c"));
  EXPECT_FALSE(LooksLikeRegistryUrl("corp"));
  EXPECT_FALSE(LooksLikeRegistryUrl("reg.d"));
  EXPECT_EQ(OpenRegistry("ftp://x/y").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(OpenRegistry("file://relative").status().kind(), ErrorKind::kInvalidArgument);
  auto http = OpenRegistry("https://example.invalid/reg");
  ASSERT_TRUE(http.ok());
  EXPECT_FALSE((*http)->writable());
  std::string a = "a";
  IndexEntry e = Entry("gh", "1.0.0", a);
  Status s = (*http)->Publish(e, a, "");
  EXPECT_EQ(s.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(s.message().find("read-only"), std::string::npos);
}

TEST(RegistryUrl, CredentialsInTheUrlAreRefusedWithoutEchoingThem) {
  for (const char* url :
       {"http://bob:Pw2-S3cr3t@127.0.0.1:1/x", "https://bob:Pw2-S3cr3t@example.invalid",
        "oci://bob:Pw2-S3cr3t@localhost:5000/c", "file://bob:Pw2-S3cr3t@/tmp/x"}) {
    auto opened = OpenRegistry(url);
    ASSERT_FALSE(opened.ok()) << url;
    EXPECT_EQ(opened.status().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(opened.status().message().find("S3cr3t"), std::string::npos)
        << opened.status().message();
    EXPECT_NE(opened.status().message().find("SLUICE_REGISTRY_USERNAME"), std::string::npos);
  }
  // An '@' past the host is part of the path, not credentials.
  EXPECT_TRUE(OpenRegistry("https://example.invalid/reg@2").ok());
}

TEST(RegistryUrl, FileUrlsArePercentDecoded) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("sluice r\xc3\xa9gistry " + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string encoded = dir.string();
  for (auto [from, to] : {std::pair{std::string(" "), std::string("%20")},
                          std::pair{std::string("\xc3\xa9"), std::string("%C3%A9")}}) {
    for (size_t at = encoded.find(from); at != std::string::npos;
         at = encoded.find(from, at + to.size()))
      encoded.replace(at, from.size(), to);
  }
  auto opened = OpenRegistry("file://" + encoded);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::string a = "a";
  IndexEntry e = Entry("gh", "1.0.0", a);
  ASSERT_TRUE((*opened)->Publish(e, a, "").ok());
  EXPECT_TRUE(std::filesystem::exists(dir)) << "published under the decoded path";
  auto again = OpenRegistry("file://localhost" + encoded);
  ASSERT_TRUE(again.ok());
  auto versions = (*again)->Versions("gh");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_EQ(versions->size(), 1u);
  EXPECT_FALSE(OpenRegistry("file:///tmp/bad%zz").ok());
  EXPECT_FALSE(OpenRegistry("file:///tmp/nul%00").ok());
  std::filesystem::remove_all(dir);
}

TEST(RegistryUrl, MissingDirectoryIsNotFound) {
  auto opened = OpenRegistry("/nonexistent/sluice/registry");
  ASSERT_TRUE(opened.ok());
  auto versions = (*opened)->Versions("gh");
  EXPECT_EQ(versions.status().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace sluice
