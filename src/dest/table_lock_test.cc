// TableLock: one writer per destination table across processes and within
// one, released when its holder goes (a child process killed with SIGKILL).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "dest/destination.h"

namespace sluice {
namespace {

class TableLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("sluice_table_lock_" + std::to_string(::getpid())))
                .string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(TableLockTest, SecondHolderOfATableIsRefusedNamingIt) {
  Result<TableLock> first = TableLock::Acquire(path_, "prod_items", "'out.db'");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<TableLock> second = TableLock::Acquire(path_, "prod_items", "'out.db'");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(),
            "table 'prod_items' in 'out.db' is being written by another sync; run again when it has ended");
  // Another table of the same destination is free.
  EXPECT_TRUE(TableLock::Acquire(path_, "prod_users", "'out.db'").ok());
  { TableLock released = std::move(first).value(); }
  EXPECT_TRUE(TableLock::Acquire(path_, "prod_items", "'out.db'").ok());
}

TEST_F(TableLockTest, AKilledHolderLeavesNoLock) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<TableLock> held = TableLock::Acquire(path_, "t", "'x'");
    char byte = held.ok() ? 1 : 0;
    (void)!::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 1);
  EXPECT_FALSE(TableLock::Acquire(path_, "t", "'x'").ok());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(TableLock::Acquire(path_, "t", "'x'").ok());
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace sluice
