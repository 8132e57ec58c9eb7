#include "package/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "package/digest.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::vector<ArchiveEntry> Sample() {
  return {{"sluice-package.json", "{\"name\": \"github\"}\n", false},
          {"sql/github.sql", "CREATE CONNECTOR TYPE 'github';\n", false},
          {"js/issues.query.js", "export default () => [];\n", false},
          {"integration/bin/run", "#!/bin/sh\necho hi\n", true},
          {"README.md", "", false}};
}

TEST(ArchiveTest, SameEntriesInAnyOrderGiveTheSameBytes) {
  auto a = WriteArchive(Sample());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto reversed = Sample();
  std::reverse(reversed.begin(), reversed.end());
  auto b = WriteArchive(reversed);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(Sha256Hex(*a), Sha256Hex(*WriteArchive(Sample())));
  // gzip header: no name flag, mtime zero.
  ASSERT_GT(a->size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>((*a)[0]), 0x1f);
  EXPECT_EQ((*a)[3] & 0x08, 0) << "FNAME set";
  EXPECT_EQ(a->substr(4, 4), std::string(4, '\0')) << "gzip MTIME set";
  // Changing one byte of content changes the digest.
  auto changed = Sample();
  changed[0].data += " ";
  EXPECT_NE(Sha256Hex(*WriteArchive(changed)), Sha256Hex(*a));
}

TEST(ArchiveTest, ReadsBackSortedWithModes) {
  auto bytes = WriteArchive(Sample());
  ASSERT_TRUE(bytes.ok());
  auto entries = ReadArchive(*bytes);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[0].path, "README.md");
  EXPECT_EQ((*entries)[1].path, "integration/bin/run");
  EXPECT_TRUE((*entries)[1].executable);
  EXPECT_EQ((*entries)[1].data, "#!/bin/sh\necho hi\n");
  EXPECT_FALSE((*entries)[4].executable);
  EXPECT_EQ((*entries)[4].path, "sql/github.sql");
}

TEST(ArchiveTest, WritingRefusesUnsafeAndDuplicatePaths) {
  for (const char* bad :
       {"/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b", "", "a/", "a/."}) {
    auto r = WriteArchive({{bad, "x", false}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  }
  auto dup = WriteArchive({{"a", "1", false}, {"a", "2", false}});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("'a' appears twice"), std::string::npos);
  auto clash = WriteArchive({{"a", "1", false}, {"a/b", "2", false}});
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find("'a/b'"), std::string::npos) << clash.status().message();
}

TEST(ArchiveTest, CheckArchivePathNamesThePath) {
  EXPECT_TRUE(CheckArchivePath("sql/x.sql").ok());
  EXPECT_TRUE(CheckArchivePath("js/\xc3\xa9t\xc3\xa9.js").ok());
  auto s = CheckArchivePath("js/\xff.js");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not UTF-8"), std::string::npos);
  auto dots = CheckArchivePath("a/../../etc");
  ASSERT_FALSE(dots.ok());
  EXPECT_NE(dots.message().find("'a/../../etc'"), std::string::npos) << dots.message();
  EXPECT_FALSE(CheckArchivePath("a\nb").ok());
}

// A hostile archive built entry by entry with libarchive, bypassing
// WriteArchive's checks.
struct Raw {
  std::string path;
  mode_t type = AE_IFREG;
  std::string data = "";
  std::string link = "";  // symlink target or hardlink source
  bool hardlink = false;
};

std::string BuildRaw(const std::vector<Raw>& entries, bool gzip = true) {
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_write_new(),
                                                              archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  if (gzip) archive_write_add_filter_gzip(a.get());
  std::string out;
  archive_write_open2(
      a.get(), &out, nullptr,
      [](struct archive*, void* d, const void* b, size_t n) -> la_ssize_t {
        static_cast<std::string*>(d)->append(static_cast<const char*>(b), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr, nullptr);
  for (const Raw& r : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, r.path.c_str());  // raw bytes, unchecked
    archive_entry_set_filetype(e, r.type);
    archive_entry_set_perm(e, 0644);
    if (r.hardlink) archive_entry_set_hardlink(e, r.link.c_str());
    if (r.type == AE_IFLNK) archive_entry_set_symlink(e, r.link.c_str());
    archive_entry_set_size(
        e, r.type == AE_IFREG && !r.hardlink ? static_cast<la_int64_t>(r.data.size()) : 0);
    EXPECT_GE(archive_write_header(a.get(), e), ARCHIVE_WARN) << archive_error_string(a.get());
    if (!r.data.empty()) archive_write_data(a.get(), r.data.data(), r.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a.get());
  return out;
}

void ExpectRefused(const std::string& bytes, const std::string& needle,
                   const ArchiveLimits& limits = {}) {
  auto r = ReadArchive(bytes, limits);
  ASSERT_FALSE(r.ok()) << "expected a refusal mentioning " << needle;
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST(ArchiveTest, ReadingRefusesHostilePaths) {
  ExpectRefused(BuildRaw({{"/etc/passwd", AE_IFREG, "x"}}), "'/etc/passwd': absolute");
  ExpectRefused(BuildRaw({{"../escape", AE_IFREG, "x"}}), "'../escape': has a '..' component");
  ExpectRefused(BuildRaw({{"a/../../escape", AE_IFREG, "x"}}), "'..'");
  ExpectRefused(BuildRaw({{"./a", AE_IFREG, "x"}}), "'./a': has a '.' component");
  ExpectRefused(BuildRaw({{"a//b", AE_IFREG, "x"}}), "empty component");
  ExpectRefused(BuildRaw({{"a\\..\\b", AE_IFREG, "x"}}), "backslash");
  ExpectRefused(BuildRaw({{"bad\xff\xfe.sql", AE_IFREG, "x"}}), "'bad\\xff\\xfe.sql': not UTF-8");
  ExpectRefused(BuildRaw({{"a", AE_IFREG, "1"}, {"a", AE_IFREG, "2"}}), "'a' appears twice");
  ExpectRefused(BuildRaw({{"a", AE_IFREG, "1"}, {"a/b", AE_IFREG, "2"}}), "uses it as a folder");
  ArchiveLimits limits;
  limits.max_path_bytes = 10;
  ExpectRefused(BuildRaw({{"abcdefghijklmnop", AE_IFREG, "x"}}), "longer than 10 bytes", limits);
}

TEST(ArchiveTest, ReadingRefusesLinksAndSpecialFiles) {
  ExpectRefused(BuildRaw({{"link", AE_IFLNK, "", "/etc/passwd"}}), "'link' is a symbolic link");
  ExpectRefused(BuildRaw({{"a", AE_IFREG, "x"}, {"hard", AE_IFREG, "", "a", true}}),
                "'hard' is a hard link");
  ExpectRefused(BuildRaw({{"dev", AE_IFCHR, ""}}), "'dev' is a character device");
  ExpectRefused(BuildRaw({{"blk", AE_IFBLK, ""}}), "'blk' is a block device");
  ExpectRefused(BuildRaw({{"pipe", AE_IFIFO, ""}}), "'pipe' is a fifo");
}

TEST(ArchiveTest, DirectoriesAreCheckedAndOmitted) {
  auto r = ReadArchive(BuildRaw({{"sql/", AE_IFDIR, ""}, {"sql/a.sql", AE_IFREG, "x"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].path, "sql/a.sql");
  ExpectRefused(BuildRaw({{"../up/", AE_IFDIR, ""}}), "'..'");
  // Plain (uncompressed) tar reads too.
  EXPECT_TRUE(ReadArchive(BuildRaw({{"a", AE_IFREG, "x"}}, false)).ok());
}

TEST(ArchiveTest, ReadingEnforcesLimitsWhileStreaming) {
  ArchiveLimits limits;
  limits.max_entries = 3;
  ExpectRefused(
      BuildRaw(
          {{"a", AE_IFREG, "1"}, {"b", AE_IFREG, "2"}, {"c", AE_IFREG, "3"}, {"d", AE_IFREG, "4"}}),
      "more than 3 entries", limits);
  limits = {};
  limits.max_entry_bytes = 1000;
  ExpectRefused(BuildRaw({{"big", AE_IFREG, std::string(5000, 'x')}}),
                "'big' is larger than 1000 bytes", limits);
  limits = {};
  limits.max_total_bytes = 3000;
  ExpectRefused(
      BuildRaw({{"a", AE_IFREG, std::string(2000, 'x')}, {"b", AE_IFREG, std::string(2000, 'y')}}),
      "larger than 3000 bytes uncompressed (at entry 'b')", limits);
}

TEST(ArchiveTest, AGzipBombStopsAtTheRatioCap) {
  // 32 MiB of zeros compress to ~32 KiB: far past any real package's ratio.
  std::string bomb = BuildRaw({{"zeros", AE_IFREG, std::string(32u << 20, '\0')}});
  ASSERT_LT(bomb.size(), 200u * 1024);
  ExpectRefused(bomb, "compression bomb");
  ArchiveLimits limits;
  limits.max_total_bytes = 1 << 20;
  ExpectRefused(bomb, "larger than", limits);
}

TEST(ArchiveTest, GarbageIsRefusedWithAMessage) {
  for (std::string junk : {std::string(), std::string("hello"), std::string(1000, '\0'),
                           std::string("\x1f\x8b\x08\x00garbage", 12)}) {
    auto r = ReadArchive(junk);
    if (!r.ok()) {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  auto bytes = *WriteArchive(Sample());
  auto truncated = ReadArchive(bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(truncated.ok());
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x55;
  auto f = ReadArchive(flipped);  // gzip's CRC or the tar checksum catches it
  EXPECT_FALSE(f.ok());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The hostile archives kept for the fuzzer were made by Debian's tar; each
// is refused for its own reason (GNU tar stores a repeated file as a hard
// link to its first copy).
TEST(ArchiveTest, HostileArchivesFromDebianTarAreRefused) {
  const fs::path dir = fs::path(SLUICE_SOURCE_DIR) / "tests/fuzz/regressions/archive";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"absolute.tar.gz", "'/tmp/abs': absolute"},
      {"dotdot.tar.gz", "'../../escape': has a '..' component"},
      {"duplicate.tar.gz", "'f' is a hard link"},
      {"fifo.tar.gz", "'p' is a fifo"},
      {"hardlink.tar.gz", "'g' is a hard link"},
      {"symlink.tar.gz", "'evil' is a symbolic link"}};
  for (const auto& [file, needle] : cases) {
    SCOPED_TRACE(file);
    ExpectRefused(ReadFile(dir / file), needle);
  }
  ArchiveLimits limits;
  limits.max_total_bytes = 1 << 20;
  ExpectRefused(ReadFile(dir / "zeros_4mb.tar.gz"), "'z'", limits);
  auto good = ReadArchive(
      ReadFile(fs::path(SLUICE_SOURCE_DIR) / "tests/fuzz/corpus/archive/small_package.sluicepkg"));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->size(), 3u);
}

TEST(ArchiveTest, DebianTarExtractsWhatWeWrite) {
  if (std::system("tar --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no tar";
  fs::path dir = fs::temp_directory_path() / ("sluice_archive_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "out");
  auto bytes = WriteArchive(Sample());
  ASSERT_TRUE(bytes.ok());
  { std::ofstream(dir / "p.sluicepkg", std::ios::binary) << *bytes; }
  std::string cmd =
      "cd '" + dir.string() +
      "' && tar -xzf p.sluicepkg -C out 2> err.txt && tar -tzvf p.sluicepkg > list.txt";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  for (const ArchiveEntry& e : Sample()) {
    std::ifstream in(dir / "out" / e.path, std::ios::binary);
    std::stringstream got;
    got << in.rdbuf();
    EXPECT_EQ(got.str(), e.data) << e.path;
    struct stat st {};
    ASSERT_EQ(::stat((dir / "out" / e.path).c_str(), &st), 0);
    EXPECT_EQ((st.st_mode & 0100) != 0, e.executable) << e.path;
  }
  std::ifstream list(dir / "list.txt");
  std::stringstream listing;
  listing << list.rdbuf();
  // "-rwxr-xr-x 0/0 18 1970-01-01 00:00 integration/bin/run"
  EXPECT_NE(listing.str().find("-rwxr-xr-x 0/0"), std::string::npos) << listing.str();
  EXPECT_NE(listing.str().find("-rw-r--r-- 0/0"), std::string::npos) << listing.str();
  EXPECT_NE(listing.str().find("1970-01-01 00:00 sluice-package.json"), std::string::npos)
      << listing.str();
  EXPECT_EQ(listing.str().find("PaxHeader"), std::string::npos);
  std::ifstream err(dir / "err.txt");
  std::stringstream errors;
  errors << err.rdbuf();
  EXPECT_EQ(errors.str(), "");
  fs::remove_all(dir);
}

// Names outside ASCII once crashed the pax writer (the engine runs in the
// "C" locale, where libarchive could not convert them).
TEST(ArchiveTest, NonAsciiNamesRoundTripDeterministicallyAndDebianTarExtractsThem) {
  std::vector<ArchiveEntry> entries = {
      {"sluice-package.json", "{}", false},
      {"sql/\xc3\xa9.sql", "CREATE CONNECTOR TYPE '\xc3\xa9';\n", false},
      {"js/x.bücher.query.js", "export default () => [];\n", false},
      {"integration/tables/ünïcode.js", "// note\n", false}};
  auto bytes = WriteArchive(entries);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto again = WriteArchive(entries);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*bytes, *again);
  auto read = ReadArchive(*bytes);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  std::set<std::string> names;
  for (const ArchiveEntry& e : *read) names.insert(e.path);
  for (const ArchiveEntry& e : entries) EXPECT_TRUE(names.count(e.path)) << e.path;
  if (std::system("tar --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no tar";
  fs::path dir = fs::temp_directory_path() / ("sluice_archive_utf8_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "out");
  { std::ofstream(dir / "p.sluicepkg", std::ios::binary) << *bytes; }
  std::string cmd = "cd '" + dir.string() + "' && tar -xzf p.sluicepkg -C out 2> err.txt";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  for (const ArchiveEntry& e : entries) {
    std::ifstream in(dir / "out" / e.path, std::ios::binary);
    std::stringstream got;
    got << in.rdbuf();
    EXPECT_EQ(got.str(), e.data) << e.path;
  }
  std::ifstream err(dir / "err.txt");
  std::stringstream errors;
  errors << err.rdbuf();
  EXPECT_EQ(errors.str(), "");  // no "unknown extended header keyword" either
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sluice
