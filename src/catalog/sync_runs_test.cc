// Run history and schedules on an in-memory workspace: a run's record from
// start to finish, interrupted runs, the masking of secrets in errors, and
// schedules put, changed and marked.
#include "catalog/sync_runs.h"

#include <gtest/gtest.h>

#include <map>

#include "catalog/catalog.h"
#include "catalog/package_records.h"
#include "catalog/workspace.h"
#include "core/secret_masker.h"

namespace sluice {
namespace {

class SyncRunsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Workspace::Open(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ws_ = std::move(opened).value();
  }
  SyncRunStart Run(const std::string& entity) {
    return {"prod", entity, "workspace", "prod_" + entity, "full", "overwrite-delete-stale", "2026-12-01T00:00:00Z", ""};
  }
  // A column of the newest run of SHOW SYNC RUNS, by name.
  Value Newest(const std::string& column, const std::string& connector = "") {
    Result<SyncRunRows> rows = SyncRuns(ws_->db()).List(connector);
    EXPECT_TRUE(rows.ok());
    for (size_t i = 0; i < rows->columns.size(); ++i) {
      if (rows->columns[i] == column) return rows->rows.front()[i];
    }
    ADD_FAILURE() << "no column " << column;
    return Value();
  }
  std::unique_ptr<Workspace> ws_;
};

TEST_F(SyncRunsTest, RunFromStartToFinish) {
  SyncRuns runs(ws_->db());
  Result<int64_t> id = runs.Start(Run("items"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(Newest("status"), Value("running"));
  EXPECT_EQ(Newest("table"), Value("prod_items"));
  EXPECT_EQ(Newest("mode"), Value("full"));
  EXPECT_EQ(Newest("write_mode"), Value("overwrite-delete-stale"));
  EXPECT_EQ(Newest("started_at"), Value("2026-12-01T00:00:00Z"));
  ASSERT_TRUE(runs.Finish(*id, {Status::Ok(), 5, 4, 1, 1500, "2026-12-01T00:00:02Z"}).ok());
  EXPECT_EQ(Newest("status"), Value("ok"));
  EXPECT_EQ(Newest("rows_read"), Value(5));
  EXPECT_EQ(Newest("rows_written"), Value(4));
  EXPECT_EQ(Newest("rows_deleted"), Value(1));
  EXPECT_EQ(Newest("duration_ms"), Value(1500));
  EXPECT_TRUE(Newest("error").is_null());
}

// A distributed run's rows carry its coordinator id and its units; local
// runs show NULL in both; SHOW SYNC UNITS finds the newest or a given one.
TEST_F(SyncRunsTest, DistributedRunsAreOnRecord) {
  SyncRuns runs(ws_->db());
  EXPECT_FALSE(runs.FindDistributed(std::nullopt).value().has_value());
  ASSERT_TRUE(runs.Start(Run("local")).ok());
  EXPECT_TRUE(Newest("distributed_run").is_null());
  EXPECT_TRUE(Newest("units").is_null());
  SyncRunStart start = Run("items");
  start.destination = "warehouse";
  Result<int64_t> first = runs.Start(start, 7);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Newest("distributed_run"), Value(7));
  SyncRunEnd end{Status(ErrorKind::kConnector, "unit 3 failed"), 10, 9, 0, 1000, "2026-12-01T00:00:09Z"};
  ASSERT_TRUE(runs.Finish(*first, end, "partial", "4 units: 3 done, 1 failed; 1 retried").ok());
  EXPECT_EQ(Newest("status"), Value("partial"));
  EXPECT_EQ(Newest("units"), Value("4 units: 3 done, 1 failed; 1 retried"));
  Result<int64_t> second = runs.Start(start, 8);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(runs.Finish(*second, SyncRunEnd{}, "submitted", "2 units stored; not waited for").ok());
  EXPECT_EQ(Newest("status"), Value("submitted"));
  auto newest = runs.FindDistributed(std::nullopt).value();
  ASSERT_TRUE(newest.has_value());
  EXPECT_EQ(newest->run, 8);
  EXPECT_EQ(newest->destination, "warehouse");
  EXPECT_EQ(newest->connector, "prod");
  auto seven = runs.FindDistributed(7).value();
  ASSERT_TRUE(seven.has_value());
  EXPECT_EQ(seven->run, 7);
  EXPECT_FALSE(runs.FindDistributed(99).value().has_value());
}

// A run records the version of the connector type that wrote it: the
// installed package's, else the type's declared VERSION, else what the
// caller gave.
TEST_F(SyncRunsTest, RunsRecordTheTypeVersion) {
  ConnectorTypeDef type;
  type.name = "svc";
  type.version = "0.9.0";
  ASSERT_TRUE(ws_->catalog().PutConnectorType(type, false).ok());
  ConnectorDef connector;
  connector.name = "prod";
  connector.type = "svc";
  ASSERT_TRUE(ws_->catalog().PutConnector(connector, false).ok());
  SyncRuns runs(ws_->db());
  ASSERT_TRUE(runs.Start(Run("a")).ok());
  EXPECT_EQ(Newest("type_version"), Value("0.9.0"));
  InstalledPackage package;
  package.type = "svc";
  package.version = "1.4.1";
  ASSERT_TRUE(ws_->packages().PutPackage(package).ok());
  ASSERT_TRUE(runs.Start(Run("a")).ok());
  EXPECT_EQ(Newest("type_version"), Value("1.4.1"));
  SyncRunStart given = Run("a");
  given.type_version = "2.0.0";
  ASSERT_TRUE(runs.Start(given).ok());
  EXPECT_EQ(Newest("type_version"), Value("2.0.0"));
  SyncRunStart unknown = Run("a");
  unknown.connector = "nobody";
  ASSERT_TRUE(runs.Start(unknown).ok());
  EXPECT_EQ(Newest("type_version"), Value(""));
}

TEST_F(SyncRunsTest, ListColumnsNewestFirstAndByConnector) {
  SyncRuns runs(ws_->db());
  ASSERT_TRUE(runs.Start(Run("a")).ok());
  SyncRunStart other = Run("b");
  other.connector = "staging";
  ASSERT_TRUE(runs.Start(other).ok());
  Result<SyncRunRows> all = runs.List("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->columns,
            (std::vector<std::string>{"id", "connector", "entity", "destination", "table", "mode", "write_mode",
                                      "started_at", "duration_ms", "rows_read", "rows_written", "rows_deleted",
                                      "status", "error", "type_version"}));
  ASSERT_EQ(all->rows.size(), 2u);
  EXPECT_EQ(all->rows[0][2], Value("b"));
  EXPECT_EQ(Newest("entity", "prod"), Value("a"));
  EXPECT_TRUE(runs.List("nobody")->rows.empty());
}

TEST_F(SyncRunsTest, FailedRunKeepsMaskedError) {
  SecretMasker::Global().Add("hunter2-secret");
  SyncRuns runs(ws_->db());
  int64_t id = *runs.Start(Run("items"));
  ASSERT_TRUE(runs.Finish(id, {Status(ErrorKind::kConnector, "token hunter2-secret refused"), 1, 0, 0, 10, "t"}).ok());
  EXPECT_EQ(Newest("status"), Value("failed"));
  std::string error = Newest("error").get<std::string>();
  EXPECT_EQ(error.find("hunter2-secret"), std::string::npos) << error;
  EXPECT_NE(error.find("refused"), std::string::npos) << error;
  Result<Stmt> kind = ws_->db().Prepare("SELECT error_kind FROM _sluice_sync_runs WHERE id = ?1");
  ASSERT_TRUE(kind.ok());
  ASSERT_TRUE(kind->BindInt(1, id).ok());
  ASSERT_TRUE(kind->Step().value());
  EXPECT_EQ(kind->ColumnText(0), "connector_error");
}

TEST_F(SyncRunsTest, MarkInterruptedSparesOtherRunsAndItself) {
  SyncRuns runs(ws_->db());
  int64_t killed = *runs.Start(Run("items"));
  int64_t other_entity = *runs.Start(Run("users"));
  int64_t current = *runs.Start(Run("items"));
  ASSERT_TRUE(runs.MarkInterrupted("prod", "items", "workspace", current).ok());
  Result<SyncRunRows> all = runs.List("");
  std::map<int64_t, std::string> status;
  for (const auto& row : all->rows) status[row[0].get<int64_t>()] = row[12].get<std::string>();
  EXPECT_EQ(status[killed], "interrupted");
  EXPECT_EQ(status[other_entity], "running");
  EXPECT_EQ(status[current], "running");
}

TEST_F(SyncRunsTest, SchedulesPutChangeAndMark) {
  SyncSchedules schedules(ws_->db());
  ASSERT_TRUE(schedules.Put("prod", "SYNC CONNECTOR prod SCHEDULE '* * * * *'", "* * * * *", "t0").ok());
  ASSERT_TRUE(schedules.Put("prod", "SYNC CONNECTOR prod.items", "0 * * * *", "t1").ok());
  // The same statement again changes its cron, not the count.
  ASSERT_TRUE(schedules.Put("prod", "SYNC CONNECTOR prod.items", "5 * * * *", "t2").ok());
  Result<std::vector<SyncSchedule>> listed = schedules.List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].cron, "5 * * * *");
  EXPECT_EQ((*listed)[1].statement, "SYNC CONNECTOR prod.items");
  EXPECT_EQ((*listed)[1].last_run, "");
  ASSERT_TRUE(schedules.MarkRun((*listed)[1].id, "2026-12-01T10:05:00Z").ok());
  EXPECT_EQ(schedules.List()->at(1).last_run, "2026-12-01T10:05:00Z");
  EXPECT_EQ(schedules.List()->at(0).last_run, "");
}

}  // namespace
}  // namespace sluice
