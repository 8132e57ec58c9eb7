#include "server/workspace_views.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "catalog/sync_runs.h"
#include "server/sync_jobs.h"

namespace sluice {
namespace {

constexpr const char* kDefinitions = R"sql(
CREATE CONNECTOR TYPE 'svc' DESCRIPTION 'A service' VERSION '0.3.0'
  CONFIG_SCHEMA {"key": {"type": "string"}};
CREATE CONNECTOR ENTITY 'svc.items' DESCRIPTION 'Items'
  FIELDS {"id": {"type": "string", "primary_key": true, "filterable": true},
          "t": {"type": "timestamp"}, "n": {"type": "integer"}}
  CURSOR 't'
  QUERY_HANDLER '''async function query() { return [{id: "a", t: "2026-01-01T00:00:00Z", n: 1},
                                                   {id: "b", t: "2026-01-02T00:00:00Z", n: 2}]; }''';
CREATE CONNECTOR ENTITY 'svc.pages' FIELDS {"id": {"type": "string", "primary_key": true}}
  PUSHDOWN OFFSET
  QUERY_HANDLER '''async function query() { return []; }''';
CREATE CONNECTOR ACTION 'svc.items.poke' PARAMETERS {"x": {"type": "integer"}, "s": {"type": "string"}}
  HANDLER '''async function execute(config, params) { return {doubled: params.x * 2, s: params.s}; }''';
CREATE CONNECTOR c TYPE 'svc' CONFIG {"key": "k"};
)sql";

class WorkspaceViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    folder_ = std::filesystem::temp_directory_path() / ("sluice_views_" + std::to_string(random()));
    std::filesystem::create_directories(folder_);
    options_.workspace_path = (folder_ / "ws.db").string();
    auto opened = WorkspaceSession::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    session_ = std::move(opened).value();
    auto defined = session_->Run(kDefinitions);
    ASSERT_TRUE(defined.ok()) << defined.status().message();
  }
  void TearDown() override {
    session_.reset();
    std::filesystem::remove_all(folder_);
  }

  std::filesystem::path folder_;
  ServeOptions options_;
  std::unique_ptr<WorkspaceSession> session_;
};

TEST_F(WorkspaceViewsTest, ListsConnectorsWithEntitiesAndActions) {
  auto list = ListConnectors(*session_);
  ASSERT_TRUE(list.ok()) << list.status().message();
  const Value& c = (*list)["connectors"][0];
  EXPECT_EQ(c["name"], "c");
  EXPECT_EQ(c["type"], "svc");
  EXPECT_EQ(c["type_version"], "0.3.0");
  EXPECT_EQ(c["entities"], Value::array({"items", "pages"}));
  EXPECT_EQ(c["actions"], Value::array({"items.poke"}));
}

TEST_F(WorkspaceViewsTest, DescribesPushdownFromFields) {
  auto items = DescribeEntity(*session_, "c", "items");
  ASSERT_TRUE(items.ok()) << items.status().message();
  EXPECT_EQ((*items)["pushdown"]["filters"], Value::array({"id"}));
  EXPECT_EQ((*items)["pushdown"]["operators"]["id"], Value::array({"=", "IN"}));
  EXPECT_EQ((*items)["pushdown"]["offset"], "engine");
  EXPECT_EQ((*items)["cursor"], "t");
  EXPECT_EQ((*items)["table"], "c_items");
  EXPECT_EQ((*items)["fields"].size(), 3u);
  auto pages = DescribeEntity(*session_, "c", "pages");
  ASSERT_TRUE(pages.ok());
  EXPECT_EQ((*pages)["pushdown"]["offset"], "handler");
  EXPECT_TRUE((*pages)["cursor"].is_null());

  auto missing = DescribeEntity(*session_, "c", "nope");
  EXPECT_EQ(missing.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  EXPECT_EQ(DescribeEntity(*session_, "zz", "items").status().kind(), ErrorKind::kNotFound);
}

TEST_F(WorkspaceViewsTest, SyncShowsInRunsTablesAndMarksAndResetForgetsTheMark) {
  SyncJobRequest request;
  request.connector = "c";
  request.entities = {"items"};
  auto statement = SyncStatementFor(*session_, request);
  ASSERT_TRUE(statement.ok()) << statement.status().message();
  EXPECT_EQ(*statement, "SYNC CONNECTOR c ENTITIES (items);");
  auto ran = session_->Run(*statement);
  ASSERT_TRUE(ran.ok()) << ran.status().message();

  auto runs = ListRuns(*session_, RunFilter{});
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  const Value& run = (*runs)["runs"][0];
  EXPECT_EQ(run["status"], "done");
  EXPECT_EQ(run["table"], "c_items");
  EXPECT_EQ(run["rows_written"], 2);
  EXPECT_EQ(run["mode"], "incremental");
  EXPECT_TRUE(run["error"].is_null());
  auto one = GetRun(*session_, run["id"].get<int64_t>());
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, run);
  EXPECT_EQ(GetRun(*session_, 999).status().kind(), ErrorKind::kNotFound);

  auto tables = ListTables(*session_);
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  const Value& table = (*tables)["tables"][0];
  EXPECT_EQ(table["table"], "c_items");
  EXPECT_EQ(table["rows"], 2);
  EXPECT_EQ(table["connector"], "c");
  EXPECT_EQ(table["entity"], "items");
  EXPECT_EQ(table["columns"][0]["name"], "id");

  auto marks = ListMarks(*session_);
  ASSERT_TRUE(marks.ok());
  ASSERT_EQ((*marks)["marks"].size(), 1u);
  EXPECT_EQ((*marks)["marks"][0]["cursor_field"], "t");
  EXPECT_EQ((*marks)["marks"][0]["cursor_value"], "2026-01-02T00:00:00Z");

  auto reset = ResetMark(*session_, "c", "items", "");
  ASSERT_TRUE(reset.ok()) << reset.status().message();
  EXPECT_EQ((*reset)["reset"], 1);
  EXPECT_TRUE((*ListMarks(*session_))["marks"].empty());
  EXPECT_EQ(ResetMark(*session_, "c", "nope", "").status().kind(), ErrorKind::kNotFound);
}

TEST_F(WorkspaceViewsTest, RunsFilterPageAndExplainFailures) {
  SyncRuns runs(session_->workspace().db());
  for (int i = 0; i < 3; ++i) {
    auto id = runs.Start(
        {"c", "items", "workspace", "c_items", "full", "overwrite", "2026-01-01T00:00:00Z", ""});
    ASSERT_TRUE(id.ok());
    SyncRunEnd end;
    if (i == 1)
      end.status = Status(ErrorKind::kAuth, "sync c.items: auth_error: Invalid API key (HTTP 401)");
    ASSERT_TRUE(runs.Finish(*id, end).ok());
  }
  RunFilter filter;
  filter.limit = 2;
  auto page = ListRuns(*session_, filter);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ((*page)["runs"].size(), 2u);
  EXPECT_EQ((*page)["next_before_id"], 2);
  filter.before_id = 2;
  auto rest = ListRuns(*session_, filter);
  ASSERT_EQ((*rest)["runs"].size(), 1u);
  EXPECT_TRUE((*rest)["next_before_id"].is_null());

  RunFilter failed;
  failed.status = "failed";
  auto failures = ListRuns(*session_, failed);
  ASSERT_EQ((*failures)["runs"].size(), 1u);
  EXPECT_EQ((*failures)["runs"][0]["error"]["kind"], "auth_error");
  EXPECT_EQ((*failures)["runs"][0]["error"]["origin"], "api");

  // The stored kind wins over words in the message: a destination that
  // failed while quoting an API's "HTTP 401" is still the destination's.
  auto destination_run = runs.Start(
      {"c", "items", "workspace", "c_items", "full", "overwrite", "2026-01-01T00:00:00Z", ""});
  ASSERT_TRUE(destination_run.ok());
  SyncRunEnd destination_end;
  destination_end.status = Status(ErrorKind::kDestination, "disk full while writing 'HTTP 401 Unauthorized'");
  ASSERT_TRUE(runs.Finish(*destination_run, destination_end).ok());
  auto destination_failure = GetRun(*session_, *destination_run);
  ASSERT_TRUE(destination_failure.ok());
  EXPECT_EQ((*destination_failure)["error"]["kind"], "destination_error");
  EXPECT_EQ((*destination_failure)["error"]["origin"], "destination");

  RunFilter bad;
  bad.status = "x'; DROP TABLE _sluice_sync_runs; --";
  EXPECT_EQ(ListRuns(*session_, bad).status().kind(), ErrorKind::kInvalidArgument);
}

TEST_F(WorkspaceViewsTest, HostileNamesCannotReachTheStatement) {
  const std::vector<std::string> hostile = {"c; DROP TABLE x",
                                            "c\"",
                                            "c'",
                                            "c ENTITIES (items) TO 'x.db'",
                                            "c.items",
                                            "",
                                            "c\n",
                                            "é\xff",
                                            std::string(10000, 'a'),
                                            "c--",
                                            "c/*"};
  for (const std::string& name : hostile) {
    SyncJobRequest request;
    request.connector = name;
    auto statement = SyncStatementFor(*session_, request);
    EXPECT_FALSE(statement.ok()) << name;
    request.connector = "c";
    request.entities = {name};
    EXPECT_FALSE(SyncStatementFor(*session_, request).ok()) << name;
    request.entities.clear();
    request.destination = name;
    if (!name.empty()) {
      EXPECT_FALSE(SyncStatementFor(*session_, request).ok()) << name;
    }
    EXPECT_FALSE(RunAction(*session_, "c", name, Value::object()).ok()) << name;
    EXPECT_FALSE(RunAction(*session_, name, "items.poke", Value::object()).ok()) << name;
  }
  // A non-ASCII name the catalog does hold is written as it is.
  ASSERT_TRUE(session_->Run("CREATE CONNECTOR café TYPE 'svc' CONFIG {\"key\": \"k\"};").ok());
  SyncJobRequest request;
  request.connector = "café";
  auto statement = SyncStatementFor(*session_, request);
  ASSERT_TRUE(statement.ok()) << statement.status().message();
  EXPECT_EQ(*statement, "SYNC CONNECTOR café;");
}

TEST_F(WorkspaceViewsTest, RunsAnActionWithArgumentsAsAValue) {
  // A string argument with quotes and a semicolon stays a value.
  auto result =
      RunAction(*session_, "c", "items.poke", Value{{"x", 21}, {"s", "'); DROP TABLE t; --"}});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ((*result)["result"]["doubled"], 42);
  EXPECT_EQ((*result)["result"]["s"], "'); DROP TABLE t; --");
  EXPECT_EQ(RunAction(*session_, "c", "items.poke", Value::array()).status().kind(),
            ErrorKind::kInvalidArgument);
}

TEST_F(WorkspaceViewsTest, JobsRunOnTheirOwnThreadWithFigures) {
  SyncJobs jobs(options_);
  SyncJobRequest request;
  request.connector = "c";
  request.entities = {"items"};
  auto id = jobs.Start(request);
  ASSERT_TRUE(id.ok()) << id.status().message();
  auto job = jobs.Wait(*id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job)["status"], "done") << job->dump();
  ASSERT_FALSE((*job)["entities"].empty());
  EXPECT_EQ((*job)["entities"][0]["rows_written"], 2);
  EXPECT_EQ(jobs.List()["jobs"].size(), 1u);
  EXPECT_EQ(jobs.Get(99).status().kind(), ErrorKind::kNotFound);
  request.connector = "nope";
  EXPECT_EQ(jobs.Start(request).status().kind(), ErrorKind::kNotFound);
}

TEST_F(WorkspaceViewsTest, MarksKeptInASqliteFileAreListedAndNotReset) {
  std::string file = (folder_ / "other.db").string();
  auto ran = session_->Run("SYNC CONNECTOR c ENTITIES (items) TO '" + file + "';");
  ASSERT_TRUE(ran.ok()) << ran.status().message();
  auto marks = ListMarks(*session_);
  ASSERT_TRUE(marks.ok()) << marks.status().message();
  ASSERT_EQ((*marks)["marks"].size(), 1u) << marks->dump();
  EXPECT_EQ((*marks)["marks"][0]["destination"], file);
  EXPECT_EQ((*marks)["marks"][0]["table"], "c_items");
  EXPECT_EQ((*marks)["marks"][0]["cursor_value"], "2026-01-02T00:00:00Z");
  // Only the workspace's marks are reset; the file's stays.
  auto reset = ResetMark(*session_, "c", "items", "");
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ((*reset)["reset"], 0);
  EXPECT_EQ((*ListMarks(*session_))["marks"].size(), 1u);
  EXPECT_EQ(ResetMark(*session_, "c", "items", "nope").status().kind(), ErrorKind::kNotFound);
}

TEST_F(WorkspaceViewsTest, SchedulesHaveTheirNextRun) {
  ASSERT_TRUE(session_->Run("SYNC CONNECTOR c SCHEDULE '0 3 * * *';").ok());
  auto schedules = ListSchedules(*session_);
  ASSERT_TRUE(schedules.ok()) << schedules.status().message();
  const Value& schedule = (*schedules)["schedules"][0];
  EXPECT_EQ(schedule["cron"], "0 3 * * *");
  ASSERT_TRUE(schedule["next_run"].is_string());
  EXPECT_EQ(schedule["next_run"].get<std::string>().substr(10), "T03:00:00Z");
  EXPECT_TRUE(schedule["last_success"].is_null());
  EXPECT_TRUE(schedule["last_status"].is_null());
}

TEST_F(WorkspaceViewsTest, JobFiguresAreTheRunsAndAFailedEntityShowsWithItsError) {
  ASSERT_TRUE(
      session_
          ->Run("CREATE CONNECTOR ENTITY 'svc.boom' FIELDS {\"id\": {\"type\": \"string\", "
                "\"primary_key\": true}} QUERY_HANDLER '''async function query() { throw new "
                "Error('the upstream said no'); }''';")
          .ok());
  SyncJobs jobs(options_);
  SyncJobRequest request;
  request.connector = "c";
  auto id = jobs.Start(request);
  ASSERT_TRUE(id.ok()) << id.status().message();
  // Every entity is listed while the job runs, before any reported.
  const Value started = *jobs.Get(*id);
  ASSERT_EQ(started["entities"].size(), 3u) << started.dump();
  auto job = jobs.Wait(*id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job)["status"], "failed") << job->dump();
  std::map<std::string, Value> entities;
  for (const Value& entity : (*job)["entities"])
    entities[entity["label"].get<std::string>()] = entity;
  ASSERT_EQ(entities.size(), 3u) << job->dump();
  ASSERT_TRUE(entities.count("c.boom")) << job->dump();
  EXPECT_EQ(entities["c.boom"]["status"], "failed");
  EXPECT_EQ(entities["c.boom"]["error"]["kind"], "connector_error") << job->dump();
  EXPECT_EQ(entities["c.items"]["status"], "done");
  EXPECT_TRUE(entities["c.items"]["error"].is_null());
  // The job's figures are the runs' figures.
  auto runs = ListRuns(*session_, RunFilter{});
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ((*runs)["runs"].size(), 3u);
  for (const Value& run : (*runs)["runs"]) {
    const Value& entity = entities["c." + run["entity"].get<std::string>()];
    EXPECT_EQ(entity["rows_read"], run["rows_read"]) << job->dump();
    EXPECT_EQ(entity["rows_written"], run["rows_written"]) << job->dump();
    EXPECT_EQ(entity["status"], run["status"]) << job->dump();
  }
  EXPECT_EQ(entities["c.items"]["rows_written"], 2);
  EXPECT_EQ(entities["c.items"]["batches"], 1);
}

TEST_F(WorkspaceViewsTest, OldRunsThrownByTheHandlerAreTheHandlers) {
  SyncRuns runs(session_->workspace().db());
  auto add = [&](const std::string& message) -> int64_t {
    auto id = runs.Start(
        {"c", "items", "workspace", "c_items", "full", "overwrite", "2026-01-01T00:00:00Z", ""});
    EXPECT_TRUE(id.ok());
    SyncRunEnd end;
    end.status = Status(ErrorKind::kConnector, message);
    EXPECT_TRUE(runs.Finish(*id, end).ok());
    return *id;
  };
  int64_t plain = add(
      "connector 'c', entity 'items': Error: the upstream said no\n    at query (seed.sql:5:46)");
  int64_t spoof =
      add("connector 'c', entity 'items': Error: HTTP 401 from destination 'x' (handler items.js, "
          "defined at c.sql:3:1)");
  int64_t typed =
      add("connector 'c', entity 'items': ConnectorAuthError: key revoked\n    at query "
          "(seed.sql:5:46)");
  int64_t refused =
      add("connector 'c', entity 'items': FetchError: GET http://127.0.0.1:1/: Couldn't connect to "
          "server");
  // As recorded before schema v7: no kind stored.
  ASSERT_TRUE(
      session_->workspace().db().Exec("UPDATE _sluice_sync_runs SET error_kind = NULL").ok());
  auto error = [&](int64_t id) { return (*GetRun(*session_, id))["error"]; };
  EXPECT_EQ(error(plain)["kind"], "connector_error");
  EXPECT_EQ(error(plain)["origin"], "handler");
  EXPECT_EQ(error(spoof)["kind"], "connector_error");
  EXPECT_EQ(error(typed)["kind"], "auth_error");
  EXPECT_EQ(error(refused)["kind"], "connection_error");
}

TEST_F(WorkspaceViewsTest, RunsPageOnlyBeforeARunId) {
  for (int64_t before : {-5, 0}) {
    RunFilter filter;
    filter.before_id = before;
    EXPECT_EQ(ListRuns(*session_, filter).status().kind(), ErrorKind::kInvalidArgument) << before;
  }
}

TEST_F(WorkspaceViewsTest, ScheduleOutcomeIsOnlyFromItsOwnRuns) {
  // A manual sync before the schedule ever ran is not the schedule's.
  ASSERT_TRUE(
      session_->Run("SYNC CONNECTOR c ENTITIES (items); SYNC CONNECTOR c SCHEDULE '0 3 * * *';")
          .ok());
  auto schedules = ListSchedules(*session_);
  ASSERT_TRUE(schedules.ok());
  Value schedule = (*schedules)["schedules"][0];
  EXPECT_TRUE(schedule["last_run"].is_null());
  EXPECT_TRUE(schedule["last_status"].is_null()) << schedules->dump();
  EXPECT_TRUE(schedule["last_success"].is_null()) << schedules->dump();
  // Once the scheduler ran it, the connector's runs since then are its.
  SyncSchedules list(session_->workspace().db());
  ASSERT_TRUE(list.MarkRun(schedule["id"].get<int64_t>(), "2000-01-01T00:00:00Z").ok());
  schedule = (*ListSchedules(*session_))["schedules"][0];
  EXPECT_EQ(schedule["last_status"], "done");
  EXPECT_TRUE(schedule["last_success"].is_string());
}

}  // namespace
}  // namespace sluice
