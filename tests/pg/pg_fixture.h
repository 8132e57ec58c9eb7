// Tests against a real PostgreSQL server: the `sluice_pg_tests` binary, run
// by tests/cli/pg_unit_tests.sh with a throwaway cluster
// (tests/servers/start_postgres.bash) in SLUICE_TEST_PG_URL. Each test gets
// a schema of its own, dropped afterwards.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace sluice::testing {

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("SLUICE_TEST_PG_URL");
    ASSERT_TRUE(url && *url) << "SLUICE_TEST_PG_URL is not set: run tests/cli/pg_unit_tests.sh";
    url_ = url;
    conn_.reset(PQconnectdb(url));
    ASSERT_EQ(PQstatus(conn_.get()), CONNECTION_OK) << PQerrorMessage(conn_.get());
    Exec("SET client_min_messages = warning");
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    schema_ = std::string("t_") + info->test_suite_name() + "_" + info->name();
    for (char& c : schema_) c = static_cast<char>(std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_');
    if (schema_.size() > 60) schema_.resize(60);
    Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    Exec("CREATE SCHEMA " + schema_);
  }
  void TearDown() override {
    if (conn_) Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  // Runs `sql`; its first value ("" when it returns no rows).
  std::string Exec(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn_.get(), sql.c_str()), &PQclear);
    ExecStatusType status = PQresultStatus(result.get());
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << sql << ": " << PQerrorMessage(conn_.get());
    if (status != PGRES_TUPLES_OK || PQntuples(result.get()) == 0) return "";
    return PQgetvalue(result.get(), 0, 0);
  }

  struct Closer {
    void operator()(PGconn* conn) const { PQfinish(conn); }
  };
  std::string url_;
  std::string schema_;
  std::unique_ptr<PGconn, Closer> conn_;
};

}  // namespace sluice::testing
