#include "core/file_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice {
namespace {

namespace fs = std::filesystem;

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice_file_util_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  size_t Entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  fs::path dir_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST_F(FileUtilTest, UniqueFdClosesAndReleases) {
  int raw = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(raw, 0);
  {
    UniqueFd fd(raw);
    UniqueFd moved(std::move(fd));
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(moved.get(), raw);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed by `moved`
  UniqueFd kept(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  int released = kept.Release();
  EXPECT_FALSE(kept.valid());
  EXPECT_NE(::fcntl(released, F_GETFD), -1);
  EXPECT_EQ(UniqueFd(released).Close(), 0);
}

TEST_F(FileUtilTest, WriteFileAtomicallyReplacesWithExactModeAndNoLeftovers) {
  mode_t old_umask = ::umask(077);
  ASSERT_TRUE(WriteFileAtomically(Path("a.json"), "first").ok());
  ASSERT_TRUE(WriteFileAtomically(Path("a.json"), "second, longer").ok());
  ASSERT_TRUE(WriteFileAtomically(Path("run.sh"), "#!/bin/sh\n", 0755).ok());
  ::umask(old_umask);
  EXPECT_EQ(Slurp(Path("a.json")), "second, longer");
  EXPECT_EQ(ModeOf(Path("a.json")), 0644u);
  EXPECT_EQ(ModeOf(Path("run.sh")), 0755u);
  EXPECT_EQ(Entries(), 2u);  // no temporary left behind
}

TEST_F(FileUtilTest, WriteFileAtomicallyIntoAMissingFolderNamesIt) {
  Status s = WriteFileAtomically(Path("no/such/x"), "data");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kIo);
  EXPECT_NE(s.message().find(Path("no/such/")), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file or directory"), std::string::npos) << s.message();
}

TEST_F(FileUtilTest, WriteFileAtomicallyOverAFolderFailsAndCleansUp) {
  fs::create_directories(dir_ / "taken" / "inside");
  Status s = WriteFileAtomically(Path("taken"), "data");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kIo);
  EXPECT_NE(s.message().find("cannot replace " + Path("taken")), std::string::npos) << s.message();
  EXPECT_EQ(Entries(), 1u);  // the temporary was removed
}

TEST_F(FileUtilTest, WriteTempFileIsHiddenUniqueAndComplete) {
  auto a = WriteTempFile(dir_.string(), "pkg", "abc", 0600);
  auto b = WriteTempFile(dir_.string(), "pkg", "xyz", 0600);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_NE(*a, *b);
  EXPECT_EQ(fs::path(*a).parent_path(), dir_);
  EXPECT_EQ(fs::path(*a).filename().string().rfind(".pkg.tmp.", 0), 0u) << *a;
  EXPECT_EQ(Slurp(*a), "abc");
  EXPECT_EQ(Slurp(*b), "xyz");
  EXPECT_EQ(ModeOf(*a), 0600u);
}

TEST_F(FileUtilTest, WriteNewFileRefusesAnExistingFile) {
  ASSERT_TRUE(WriteNewFile(Path("n"), "one", 0644).ok());
  Status s = WriteNewFile(Path("n"), "two", 0644);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kIo);
  EXPECT_NE(s.message().find("cannot create " + Path("n") + ": File exists"), std::string::npos)
      << s.message();
  EXPECT_EQ(Slurp(Path("n")), "one");
}

TEST_F(FileUtilTest, WriteAllReportsTheFailingPath) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  ASSERT_TRUE(WriteAll(write_end.get(), "hello", "the pipe").ok());
  char got[5];
  ASSERT_EQ(::read(read_end.get(), got, 5), 5);
  EXPECT_EQ(std::string(got, 5), "hello");
  Status s = WriteAll(read_end.get(), "x", "the pipe");  // not writable
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kIo);
  EXPECT_NE(s.message().find("cannot write the pipe: "), std::string::npos) << s.message();
}

TEST_F(FileUtilTest, ReadFileCapped) {
  auto missing = ReadFileCapped(Path("missing"), 10);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(WriteFileAtomically(Path("ten"), "0123456789").ok());
  auto exact = ReadFileCapped(Path("ten"), 10);
  ASSERT_TRUE(exact.ok()) << exact.status().message();
  EXPECT_EQ(**exact, "0123456789");

  auto over = ReadFileCapped(Path("ten"), 9);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(over.status().message(), Path("ten") + " is larger than the 9-byte limit");

  auto folder = ReadFileCapped(dir_.string(), 10);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(folder.status().message(), dir_.string() + " is not a regular file");

  ASSERT_TRUE(WriteFileAtomically(Path("empty"), "").ok());
  auto empty = ReadFileCapped(Path("empty"), 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(**empty, "");
}

}  // namespace
}  // namespace sluice
