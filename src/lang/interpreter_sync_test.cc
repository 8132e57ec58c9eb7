// Interpreter::RunSyncUnit: a work unit as `sluice worker` runs it, into a
// destination it is given: entities resolved by name, the run's choices
// read back from JSON (and refused when not understood), stale rows left
// for the run's finalizer, a partitioned unit refused by a destination
// that cannot keep partitions apart.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "core/source_text.h"
#include "dest/sqlite_destination.h"
#include "lang/interpreter.h"
#include "lang/parser.h"

namespace sluice {
namespace {

class NullSink : public OutputSink {
 public:
  void Emit(const ResultSet&) override { ++emitted; }
  void Print(const std::string&) override {}
  void Log(const std::string&) override {}
  int emitted = 0;
};

class RunSyncUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Workspace::Open(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    workspace_ = std::move(opened).value();
    interpreter_ = std::make_unique<Interpreter>(*workspace_, sink_);
    Run(R"sql(
CREATE CONNECTOR TYPE 'u' CONFIG_SCHEMA {"n": {"type": "integer"}};
CREATE CONNECTOR ENTITY 'u.nums' FIELDS {"id": {"type": "integer", "primary_key": true}}
  QUERY_HANDLER '''function query(config) { const rows = []; for (let i = 1; i <= config.n; i++) rows.push({id: i}); return rows; }''';
CREATE CONNECTOR ENTITY 'u.parts' FIELDS {"id": {"type": "string", "primary_key": true}}
  QUERY_HANDLER '''function partitions() { return ['x', 'y']; }
function query(config, filters, options) { return [{id: (options.partition || 'whole') + '-1'}]; }''';
CREATE CONNECTOR c TYPE 'u' CONFIG {"n": 3};
)sql");
    path_ = (std::filesystem::temp_directory_path() /
             ("run_sync_unit_" + std::to_string(getpid()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    auto destination = SqliteDestination::OpenFile(path_);
    ASSERT_TRUE(destination.ok()) << destination.status().message();
    destination_ = std::move(destination).value();
  }
  void TearDown() override {
    destination_.reset();
    std::filesystem::remove(path_);
  }
  void Run(const std::string& sql) {
    ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"<test>", sql}));
    ASSERT_TRUE(parsed.ok()) << parsed.errors.front().message();
    for (const auto& statement : parsed.program.statements) {
      Status status = interpreter_->Execute(statement);
      ASSERT_TRUE(status.ok()) << status.message();
    }
  }
  Interpreter::UnitSync Unit(std::vector<std::string> entities) {
    Interpreter::UnitSync unit;
    unit.connector = "c";
    unit.entities = std::move(entities);
    unit.choices = {{"mode", "full"},
                    {"incremental_field", nullptr},
                    {"write_mode", nullptr},
                    {"force", false}};
    unit.synced_at = "2026-12-07T06:00:00Z";
    unit.destination = destination_.get();
    return unit;
  }
  int64_t Count(const std::string& table) {
    sqlite3* handle = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &handle), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    int64_t count = -1;
    if (sqlite3_prepare_v2(handle, ("SELECT count(*) FROM \"" + table + "\"").c_str(), -1, &stmt,
                           nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      count = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return count;
  }

  NullSink sink_;
  std::unique_ptr<Workspace> workspace_;
  std::unique_ptr<Interpreter> interpreter_;
  std::string path_;
  std::unique_ptr<SqliteDestination> destination_;
};

TEST_F(RunSyncUnitTest, SyncsTheUnitAndLeavesStaleRowsToTheFinalizer) {
  std::vector<SyncOutcome> outcomes;
  Status status = interpreter_->RunSyncUnit(Unit({"nums"}), outcomes);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].entity, "nums");
  EXPECT_EQ(outcomes[0].rows_written, 3);
  EXPECT_EQ(outcomes[0].mode, "full");
  EXPECT_EQ(Count("c_nums"), 3);
  EXPECT_EQ(sink_.emitted, 0) << "the worker prints its own lines: no summary";
  // The source shrinks; a full unit run does not delete the stale row.
  Run(R"sql(CREATE OR REPLACE CONNECTOR c TYPE 'u' CONFIG {"n": 2};)sql");
  outcomes.clear();
  status = interpreter_->RunSyncUnit(Unit({"nums"}), outcomes);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].rows_deleted, 0);
  EXPECT_EQ(Count("c_nums"), 3);
}

TEST_F(RunSyncUnitTest, RefusesWhatItCannotResolve) {
  std::vector<SyncOutcome> outcomes;
  Status status = interpreter_->RunSyncUnit(Unit({"nums", "nope"}), outcomes);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("has no entity 'nope'"), std::string::npos) << status.message();

  Interpreter::UnitSync unit = Unit({"nums"});
  unit.connector = "gone";
  status = interpreter_->RunSyncUnit(unit, outcomes);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("gone"), std::string::npos) << status.message();

  for (const Value& choices :
       {Value{{"mode", "sideways"}}, Value{{"mode", 3}}, Value{{"write_mode", "upsert"}},
        Value{{"force", "yes"}}, Value{{"incremental_field", 1}}, Value::array()}) {
    unit = Unit({"nums"});
    unit.choices = choices;
    status = interpreter_->RunSyncUnit(unit, outcomes);
    EXPECT_FALSE(status.ok()) << choices.dump();
    EXPECT_NE(status.message().find("connector 'c'"), std::string::npos) << status.message();
  }
  unit = Unit({"nums"});
  unit.destination = nullptr;
  EXPECT_FALSE(interpreter_->RunSyncUnit(unit, outcomes).ok());
  unit = Unit({});
  EXPECT_FALSE(interpreter_->RunSyncUnit(unit, outcomes).ok());
  EXPECT_TRUE(outcomes.empty());
  EXPECT_EQ(Count("c_nums"), -1) << "nothing was written";
}

TEST_F(RunSyncUnitTest, APartitionedUnitNeedsADestinationThatTakesPartitions) {
  Interpreter::UnitSync unit = Unit({"parts"});
  unit.partition = Partition{"x", Value("x")};
  std::vector<SyncOutcome> outcomes;
  Status status = interpreter_->RunSyncUnit(unit, outcomes);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("partition"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace sluice
