#include "package/lock_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice {
namespace {

namespace fs = std::filesystem;

const std::string kSha(64, 'a');

class LockFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice_lock_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

LockFile Sample() {
  LockFile lock;
  lock.packages["zendesk"] = {"2.0.0-rc.1", kSha, "", "/srv/registry", ""};
  lock.packages["github"] = {"1.2.0", std::string(64, '0'), "^1.2", "oci://127.0.0.1:5000/sluice",
                             "RWabc"};
  return lock;
}

TEST_F(LockFileTest, CanonicalJsonSortedIndentedWithNewline) {
  EXPECT_EQ(Sample().ToJson(),
            "{\n"
            "  \"lock_version\": 1,\n"
            "  \"packages\": {\n"
            "    \"github\": {\n"
            "      \"constraint\": \"^1.2\",\n"
            "      \"key_id\": \"RWabc\",\n"
            "      \"registry\": \"oci://127.0.0.1:5000/sluice\",\n"
            "      \"sha256\": \"" +
                std::string(64, '0') +
                "\",\n"
                "      \"version\": \"1.2.0\"\n"
                "    },\n"
                "    \"zendesk\": {\n"
                "      \"constraint\": \"\",\n"
                "      \"key_id\": \"\",\n"
                "      \"registry\": \"/srv/registry\",\n"
                "      \"sha256\": \"" +
                kSha +
                "\",\n"
                "      \"version\": \"2.0.0-rc.1\"\n"
                "    }\n"
                "  }\n"
                "}\n");
  EXPECT_EQ(LockFile().ToJson(), "{\n  \"lock_version\": 1,\n  \"packages\": {}\n}\n");
}

TEST_F(LockFileTest, SaveLoadRoundTripsAtomically) {
  std::string path = (dir_ / "sluice.lock").string();
  auto missing = LockFile::Load(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->packages.empty());
  ASSERT_TRUE(Sample().Save(path).ok());
  auto loaded = LockFile::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->ToJson(), Sample().ToJson());
  EXPECT_EQ(loaded->packages.at("github").key_id, "RWabc");
  // Saved again over the old one; no temporary files left behind.
  LockFile one;
  one.packages["github"] = Sample().packages["github"];
  ASSERT_TRUE(one.Save(path).ok());
  EXPECT_EQ(LockFile::Load(path)->packages.size(), 1u);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(LockFileTest, SaveIntoAMissingFolderFails) {
  Status s = Sample().Save((dir_ / "no/such/sluice.lock").string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kIo);
}

void ExpectBad(const std::string& text, const std::string& needle) {
  auto r = LockFile::Parse(text, "work/sluice.lock");
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(r.status().message().find("work/sluice.lock: "), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST_F(LockFileTest, ParseRefusesMalformedLocksNamingFileAndPackage) {
  ExpectBad("{", "not valid JSON");
  ExpectBad("[]", "expected a JSON object");
  ExpectBad("{\"packages\": {}}", "lock_version");
  ExpectBad("{\"lock_version\": 2, \"packages\": {}}", "lock_version 2 is not supported");
  ExpectBad("{\"lock_version\": 1, \"extra\": 1}", "unknown key \"extra\"");
  ExpectBad("{\"lock_version\": 1, \"packages\": []}", "\"packages\" is not an object");
  ExpectBad("{\"lock_version\": 1, \"packages\": {\"gh\": 3}}", "package 'gh': expected an object");
  ExpectBad("{\"lock_version\": 1, \"packages\": {\"gh\": {\"version\": \"1.0\", \"sha256\": \"" +
                kSha + "\"}}}",
            "package 'gh': invalid version '1.0'");
  ExpectBad(
      "{\"lock_version\": 1, \"packages\": {\"gh\": {\"version\": \"1.0.0\", \"sha256\": "
      "\"ABC\"}}}",
      "package 'gh': sha256 'ABC' is not 64 lower-case hex digits");
  ExpectBad("{\"lock_version\": 1, \"packages\": {\"gh\": {\"version\": \"1.0.0\", \"sha256\": \"" +
                kSha + "\", \"constraint\": \"^^1\"}}}",
            "package 'gh': invalid version range '^^1'");
  ExpectBad("{\"lock_version\": 1, \"packages\": {\"gh\": {\"version\": 1}}}",
            "package 'gh': \"version\" is not a string");
  ExpectBad(
      "{\"lock_version\": 1, \"packages\": {\"gh\": {\"version\": \"1.0.0\", \"sha\": \"x\"}}}",
      "package 'gh': unknown key \"sha\"");
}

TEST_F(LockFileTest, LoadNamesAnUnreadableFile) {
  std::string path = (dir_ / "sluice.lock").string();
  { std::ofstream(path) << "{\"lock_version\": 1, \"packages\": {\"gh\": {}}}"; }
  auto r = LockFile::Load(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ": package 'gh'"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace sluice
