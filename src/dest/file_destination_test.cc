// File destinations with CloudQuery's path variables: where each table's
// file goes, the errors for unknown variables, and a rotating path that
// starts a new file each run without keeping a killed run's tail.
#include "dest/file_destination.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace sluice {
namespace {

namespace fs = std::filesystem;

class FileDestinationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice_filedest_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& rest) const { return (dir_ / rest).string(); }

  static TableSpec Items() {
    TableSpec table;
    table.name = "items";
    table.connector = "prod";
    table.entity = "items";
    table.columns = {{"id", "integer", true}, {"name", "string", false}};
    return table;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(FileDestinationTest, PlainFolderKeepsSluiceNames) {
  auto destination = FileDestination::Open("lake", Path("lake"), FileFormat::kJsonl);
  ASSERT_TRUE(destination.ok()) << destination.status().ToString();
  EXPECT_EQ((*destination)->TablePath("items", "2026-03-04T05:06:07.000000Z", "u"), Path("lake/items.jsonl"));
}

TEST_F(FileDestinationTest, ExpandsEveryVariable) {
  auto destination = FileDestination::Open(
      "lake", Path("out/{{TABLE}}/{{YEAR}}-{{MONTH}}-{{DAY}}T{{HOUR}}{{MINUTE}}/{{UUID}}.{{FORMAT}}"), FileFormat::kCsv);
  ASSERT_TRUE(destination.ok()) << destination.status().ToString();
  EXPECT_EQ((*destination)->TablePath("items", "2026-03-04T05:06:07.000000Z", "abc"),
            Path("out/items/2026-03-04T0506/abc.csv"));
  EXPECT_EQ((*destination)->folder(), Path("out/"));
  std::string with_sync = (*FileDestination::Open("lake", Path("x/{{SYNC_ID}}/{{TABLE}}.{{FORMAT}}"),
                                                  FileFormat::kJsonl))
                              ->TablePath("items", "2026-03-04T05:06:07Z", "u");
  EXPECT_TRUE(std::regex_match(with_sync, std::regex(".*/x/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                                     "[0-9a-f]{12}/items\\.json")))
      << with_sync;
}

TEST_F(FileDestinationTest, PathWithoutTableIsAFolderAsInCloudQuery) {
  auto destination = FileDestination::Open("lake", Path("out/{{YEAR}}"), FileFormat::kJsonl);
  ASSERT_TRUE(destination.ok());
  EXPECT_EQ((*destination)->TablePath("items", "2026-03-04T05:06:07Z", "u"), Path("out/2026/items.json"));
  EXPECT_EQ((*destination)->TablePath("users", "2026-03-04T05:06:07Z", "u"), Path("out/2026/users.json"));
}

TEST_F(FileDestinationTest, AnEmptyPathIsAnError) {
  Status empty = FileDestination::CheckPath("lake", "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(empty.message().find("destination 'lake': path is empty"), std::string::npos)
      << empty.message();
  EXPECT_FALSE(FileDestination::Open("lake", "", FileFormat::kJsonl).ok());
}

TEST_F(FileDestinationTest, UnknownVariableIsAnError) {
  auto destination = FileDestination::Open("lake", Path("out/{{TABEL}}.json"), FileFormat::kJsonl);
  ASSERT_FALSE(destination.ok());
  EXPECT_NE(destination.status().message().find("destination 'lake': path '"), std::string::npos);
  EXPECT_NE(destination.status().message().find("unknown variable '{{TABEL}}' (known: {{TABLE}}, {{FORMAT}}"),
            std::string::npos)
      << destination.status().message();
  EXPECT_FALSE(FileDestination::CheckPath("lake", "out/{{TABLE").ok());
  EXPECT_TRUE(FileDestination::CheckPath("lake", "{{env.ROOT}}/{{TABLE}}.{{FORMAT}}").ok());
  EXPECT_FALSE(fs::exists(Path("out")));
}

TEST_F(FileDestinationTest, RotatingPathStartsANewFileAndDropsAKilledRunsTail) {
  auto destination = FileDestination::Open("lake", Path("lake/{{TABLE}}/{{UUID}}.{{FORMAT}}"), FileFormat::kJsonl);
  ASSERT_TRUE(destination.ok());
  OpenOptions options;
  options.mode = WriteMode::kAppend;
  options.synced_at = "2026-03-04T05:06:07.000000Z";
  SyncState state{"id", Value(1), Value::array()};
  {
    auto writer = (*destination)->OpenTable(Items(), options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Write({Value(1), Value("a")}).ok());
    ASSERT_TRUE((*writer)->Commit(&state).ok());
    ASSERT_TRUE((*writer)->Write({Value(2), Value("b")}).ok());
    // Killed before the commit: the uncommitted row is on disk when the
    // buffer was flushed; simulate that by appending it by hand below.
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(Path("lake/items"))) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1u);
  std::string first = files.front().string();
  EXPECT_EQ(Read(first), "{\"id\":1,\"name\":\"a\",\"_sluice_source\":\"prod\",\"_sluice_synced_at\":\"2026-03-04T05:06:"
                         "07.000000Z\"}\n");
  { std::ofstream(first, std::ios::app) << "{\"id\":2,\"torn\n"; }
  auto state_read = (*destination)->ReadState(Items());
  ASSERT_TRUE(state_read.ok() && state_read->has_value());
  EXPECT_EQ((*state_read)->cursor_value, Value(1)) << "the cursor survives a new file";
  {
    auto writer = (*destination)->OpenTable(Items(), options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Write({Value(2), Value("b")}).ok());
    ASSERT_TRUE((*writer)->Commit(&state).ok());
  }
  files.clear();
  for (const auto& entry : fs::directory_iterator(Path("lake/items"))) files.push_back(entry.path());
  EXPECT_EQ(files.size(), 2u);
  EXPECT_EQ(Read(first).find("torn"), std::string::npos) << "the killed run's tail is gone";
  auto again = (*destination)->ReadState(Items());
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->cursor_value, Value(1));
}

}  // namespace
}  // namespace sluice
