#include "server/session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice {
namespace {

namespace fs = std::filesystem;

class Rows : public QueryConsumer {
 public:
  explicit Rows(int64_t stop_after = -1) : stop_after_(stop_after) {}
  bool OnColumns(const std::vector<std::string>& names) override {
    columns = names;
    return true;
  }
  bool OnRow(const std::vector<Value>& row) override {
    if (stop_after_ >= 0 && static_cast<int64_t>(rows.size()) >= stop_after_) return false;
    rows.push_back(row);
    return true;
  }
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;

 private:
  int64_t stop_after_;
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("sluice-session-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    options_.workspace_path = (directory_ / "ws.db").string();
    Result<std::unique_ptr<WorkspaceSession>> opened = WorkspaceSession::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    session_ = std::move(opened).value();
    // A live entity that never runs out of pages: each page says which it is.
    Result<StatementOutput> defined = session_->Run(
        "CREATE TABLE kept (n INTEGER);\n"
        "INSERT INTO kept VALUES (1), (2), (3);\n"
        "CREATE CONNECTOR TYPE 'endless' CONFIG_SCHEMA {};\n"
        "CREATE CONNECTOR ENTITY 'endless.rows' FIELDS {\"n\": {\"type\": \"integer\", "
        "\"primary_key\": true}, "
        "\"page\": {\"type\": \"integer\"}}\n"
        "  QUERY_HANDLER '''async function* query() {\n"
        "    for (let page = 0; ; page++) yield [0, 1, 2].map(i => ({n: page * 3 + i, page}));\n"
        "  }''';\n"
        "CREATE CONNECTOR e TYPE 'endless' CONFIG {};\n");
    ASSERT_TRUE(defined.ok()) << defined.status().ToString();
  }
  void TearDown() override {
    session_.reset();
    fs::remove_all(directory_);
  }

  Status Refusal(const std::string& sql) {
    Rows rows;
    Result<QueryOutcome> outcome = session_->StreamQuery(sql, QueryLimits{}, rows);
    return outcome.ok() ? Status::Ok() : outcome.status();
  }

  fs::path directory_;
  ServeOptions options_;
  std::unique_ptr<WorkspaceSession> session_;
};

TEST_F(SessionTest, StreamsColumnsAndRows) {
  Rows rows;
  Result<QueryOutcome> outcome =
      session_->StreamQuery("SELECT n, n * 2 AS twice FROM kept ORDER BY n", {}, rows);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(rows.columns, (std::vector<std::string>{"n", "twice"}));
  ASSERT_EQ(rows.rows.size(), 3u);
  EXPECT_EQ(rows.rows[2][1], Value(6));
  EXPECT_EQ(outcome->rows, 3);
  EXPECT_FALSE(outcome->truncated);
  EXPECT_FALSE(outcome->stopped);
}

TEST_F(SessionTest, ReadsOfAllKindsAreServed) {
  for (std::string sql :
       {"VALUES (1), (2)", "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "SELECT count(*) FROM _sluice_connectors", "select * from pragma_table_info('kept')",
        "EXPLAIN SELECT * FROM e.rows WHERE n = 1", "SELECT 1;"}) {
    EXPECT_TRUE(Refusal(sql).ok()) << sql << ": " << Refusal(sql).ToString();
  }
}

TEST_F(SessionTest, EveryWriteIsRefusedBeforeItRuns) {
  for (std::string sql : {
           "INSERT INTO kept VALUES (4)",
           "UPDATE kept SET n = 0",
           "DELETE FROM kept",
           "CREATE TABLE other (x)",
           "DROP TABLE kept",
           "ATTACH DATABASE 'x.db' AS x",
           "PRAGMA journal_mode=DELETE",
           "PRAGMA user_version = 7",
           "SELECT 1; DELETE FROM kept",
           "SELECT 1; SELECT 2",
           "DROP CONNECTOR e",
           "SYNC CONNECTOR e",
           "BEGIN",
           "EXPLAIN DELETE FROM kept",
           "WITH x AS (SELECT 1) DELETE FROM kept",
           "EXPLAIN INSERT INTO _sluice_connectors DEFAULT VALUES",
       }) {
    Status status = Refusal(sql);
    EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument) << sql << ": " << status.ToString();
    EXPECT_NE(status.message().find("only reads are served"), std::string::npos)
        << sql << ": " << status.ToString();
  }
  // Nothing ran.
  Rows rows;
  ASSERT_TRUE(session_->StreamQuery("SELECT count(*) FROM kept", {}, rows).ok());
  EXPECT_EQ(rows.rows.at(0).at(0), Value(3));
  Rows tables;
  ASSERT_TRUE(
      session_->StreamQuery("SELECT count(*) FROM sqlite_master WHERE name = 'other'", {}, tables)
          .ok());
  EXPECT_EQ(tables.rows.at(0).at(0), Value(0));
  Rows connectors;
  ASSERT_TRUE(
      session_->StreamQuery("SELECT count(*) FROM _sluice_connectors", {}, connectors).ok());
  EXPECT_EQ(connectors.rows.at(0).at(0), Value(1));
}

TEST_F(SessionTest, ParseErrorsAndUnknownTablesKeepTheirKind) {
  EXPECT_EQ(Refusal("SELECT 'unterminated").kind(), ErrorKind::kParse);
  EXPECT_EQ(Refusal("SELEC 1").kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(Refusal("ATTACH DATABASE 'x.db' AS x").kind(), ErrorKind::kInvalidArgument);
  Status unknown = Refusal("SELECT * FROM nowhere");
  EXPECT_EQ(unknown.kind(), ErrorKind::kSql) << unknown.ToString();
  EXPECT_NE(unknown.message().find("nowhere"), std::string::npos);
  EXPECT_EQ(Refusal("").kind(), ErrorKind::kInvalidArgument);
}

TEST_F(SessionTest, TheRowCapTruncatesAnEndlessLiveTable) {
  Rows rows;
  QueryLimits limits;
  limits.max_rows = 7;
  Result<QueryOutcome> outcome = session_->StreamQuery("SELECT n, page FROM e.rows", limits, rows);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(rows.rows.size(), 7u);
  EXPECT_EQ(outcome->rows, 7);
  EXPECT_TRUE(outcome->truncated);
  EXPECT_FALSE(outcome->stopped);

  Rows exact;
  limits.max_rows = 3;
  outcome = session_->StreamQuery("SELECT n FROM kept", limits, exact);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->rows, 3);
  EXPECT_FALSE(outcome->truncated) << "exactly the cap is not truncated";
}

TEST_F(SessionTest, TheConsumerStopsTheScanAtOnce) {
  Rows rows(/*stop_after=*/4);
  Result<QueryOutcome> outcome = session_->StreamQuery("SELECT n, page FROM e.rows", {}, rows);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(rows.rows.size(), 4u);
  EXPECT_TRUE(outcome->stopped);
  EXPECT_FALSE(outcome->truncated);
  // The session is usable again: the statement was reset, its cursor closed.
  Rows again;
  ASSERT_TRUE(session_->StreamQuery("SELECT n FROM e.rows LIMIT 2", {}, again).ok());
  EXPECT_EQ(again.rows.size(), 2u);
}

TEST_F(SessionTest, TheTimeLimitStopsAQueryThatNeverEnds) {
  Rows rows;
  QueryLimits limits;
  limits.timeout = std::chrono::milliseconds(200);
  Result<QueryOutcome> outcome = session_->StreamQuery(
      "WITH RECURSIVE forever(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM forever) "
      "SELECT count(*) FROM forever",
      limits, rows);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().kind(), ErrorKind::kTimeout);
  EXPECT_NE(outcome.status().message().find("200 ms"), std::string::npos)
      << outcome.status().ToString();
  // The limit was the query's: the next one runs.
  Rows next;
  EXPECT_TRUE(session_->StreamQuery("SELECT 1", {}, next).ok());
}

TEST_F(SessionTest, ExplainSaysWhatEachHandlerIsAsked) {
  Result<Value> plan = session_->ExplainQuery("SELECT n FROM e.rows WHERE n = 4");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), 1u) << plan->dump();
  EXPECT_NE((*plan)[0]["asked"].get<std::string>().find("conditions: n ="), std::string::npos)
      << plan->dump();
  Result<Value> none = session_->ExplainQuery("SELECT n FROM kept");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, Value::array());
  EXPECT_EQ(session_->ExplainQuery("DELETE FROM kept").status().kind(),
            ErrorKind::kInvalidArgument);
}

TEST_F(SessionTest, Fts3TokenizerIsRefused) {
  // One argument: a pointer into the server's memory; two: installs a
  // tokenizer from raw bytes.
  for (std::string sql : {"SELECT hex(fts3_tokenizer('simple')) AS p",
                          "SELECT FTS3_TOKENIZER('simple', x'4141414141414141')"}) {
    Status status = Refusal(sql);
    EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument) << sql << ": " << status.ToString();
    EXPECT_NE(status.message().find("fts3_tokenizer"), std::string::npos) << status.ToString();
  }
}

TEST_F(SessionTest, AValueOverTheCapFailsTheQueryNamingIt) {
  ServeOptions small = options_;
  small.max_value_bytes = 1000;
  Result<std::unique_ptr<WorkspaceSession>> opened = WorkspaceSession::Open(small);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<WorkspaceSession> session = std::move(opened).value();
  for (std::string sql : {"SELECT randomblob(2000)", "SELECT length(zeroblob(5000))",
                          "SELECT group_concat(hex(n)) FROM (WITH RECURSIVE c(n) AS "
                          "(SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT 2000) SELECT n FROM c)"}) {
    Rows rows;
    Result<QueryOutcome> outcome = session->StreamQuery(sql, QueryLimits{}, rows);
    ASSERT_FALSE(outcome.ok()) << sql;
    EXPECT_EQ(outcome.status().kind(), ErrorKind::kInvalidArgument) << outcome.status().ToString();
    EXPECT_NE(outcome.status().message().find("1000 bytes"), std::string::npos) << outcome.status().ToString();
    EXPECT_NE(outcome.status().message().find("--max-value-bytes"), std::string::npos);
  }
  Rows under;
  Result<QueryOutcome> fits = session->StreamQuery("SELECT length(randomblob(900)) AS n", QueryLimits{}, under);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(under.rows.at(0).at(0), Value(900));
  // The cap is the query's: the session's own statements are not bound by it.
  Result<StatementOutput> run = session->Run("CREATE TABLE big AS SELECT randomblob(5000) AS b;");
  EXPECT_TRUE(run.ok()) << run.status().ToString();
}

}  // namespace
}  // namespace sluice
