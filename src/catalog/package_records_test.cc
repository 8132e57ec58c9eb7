// Package records on an in-memory workspace: registries declared, replaced,
// listed and dropped; installed packages with what ROLLBACK restores;
// recorded TEST blocks replaced by name; the migration's sync-run column;
// and core's nested transactions, which installing relies on.
#include "catalog/package_records.h"

#include <gtest/gtest.h>

#include "catalog/workspace.h"

namespace sluice {
namespace {

class PackageRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Workspace::Open(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ws_ = std::move(opened).value();
  }
  int64_t Count(const std::string& sql) {
    auto stmt = ws_->db().Prepare(sql);
    EXPECT_TRUE(stmt.ok());
    auto row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row);
    return stmt->ColumnInt(0);
  }
  std::unique_ptr<Workspace> ws_;
};

TEST_F(PackageRecordsTest, RegistriesDeclaredReplacedAndDropped) {
  PackageRecords& records = ws_->packages();
  ASSERT_TRUE(records.PutRegistry({"team", "https://example.com/reg", {"RWa", "RWb"}, ""}, false).ok());
  auto team = records.GetRegistry("team");
  ASSERT_TRUE(team.ok()) << team.status().ToString();
  EXPECT_EQ(team->url, "https://example.com/reg");
  EXPECT_EQ(team->trusted_keys, (std::vector<std::string>{"RWa", "RWb"}));
  EXPECT_FALSE(team->created_at.empty());

  Status again = records.PutRegistry({"team", "/elsewhere", {}, ""}, false);
  EXPECT_EQ(again.kind(), ErrorKind::kAlreadyExists);
  EXPECT_NE(again.message().find("registry 'team' already exists"), std::string::npos) << again.message();
  EXPECT_EQ(records.GetRegistry("team")->url, "https://example.com/reg");  // untouched

  ASSERT_TRUE(records.PutRegistry({"team", "/elsewhere", {}, "2000-01-01T00:00:00Z"}, true).ok());
  team = records.GetRegistry("team");
  EXPECT_EQ(team->url, "/elsewhere");
  EXPECT_TRUE(team->trusted_keys.empty());
  EXPECT_NE(team->created_at, "2000-01-01T00:00:00Z");  // first declaration's time kept

  ASSERT_TRUE(records.PutRegistry({"équipe", "/a", {"RW\"quoted\""}, ""}, false).ok());
  auto list = records.ListRegistries();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "team");
  EXPECT_EQ((*list)[1].name, "équipe");
  EXPECT_EQ((*list)[1].trusted_keys, (std::vector<std::string>{"RW\"quoted\""}));

  ASSERT_TRUE(records.DropRegistry("team").ok());
  EXPECT_EQ(records.GetRegistry("team").status().kind(), ErrorKind::kNotFound);
  Status gone = records.DropRegistry("team");
  EXPECT_EQ(gone.kind(), ErrorKind::kNotFound);
  EXPECT_EQ(gone.message(), "no registry named 'team'");
  EXPECT_EQ(records.PutRegistry({"", "/a", {}, ""}, false).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(records.PutRegistry({"x", "", {}, ""}, false).kind(), ErrorKind::kInvalidArgument);
}

TEST_F(PackageRecordsTest, DamagedTrustedKeysAreAnErrorNotACrash) {
  ASSERT_TRUE(ws_->db().Exec("INSERT INTO _sluice_registries VALUES ('bad', '/r', '{not json', 'now'), "
                             "('mixed', '/r', '[\"RWa\", 3]', 'now')").ok());
  Status bad = ws_->packages().GetRegistry("bad").status();
  EXPECT_EQ(bad.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(bad.message().find("registry 'bad'"), std::string::npos);
  EXPECT_FALSE(ws_->packages().GetRegistry("mixed").ok());
  EXPECT_FALSE(ws_->packages().ListRegistries().ok());
}

TEST_F(PackageRecordsTest, InstalledPackages) {
  PackageRecords& records = ws_->packages();
  auto none = records.GetPackage("svc");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  InstalledPackage package;
  package.type = "svc";
  package.version = "1.2.0";
  package.sha256 = std::string(64, 'a');
  package.constraint = "^1.0";
  package.registry = "team";
  package.registry_url = "/reg";
  package.key_id = "0123456789ABCDEF";
  ASSERT_TRUE(records.PutPackage(package).ok());
  package.previous_version = package.version;
  package.previous_sha256 = package.sha256;
  package.previous_key_id = package.key_id;
  package.previous_constraint = "~1.2";
  package.version = "1.3.0";
  package.sha256 = std::string(64, 'b');
  package.key_id = "";
  package.allow_unsigned = true;
  ASSERT_TRUE(records.PutPackage(package).ok());

  auto got = records.GetPackage("svc");
  ASSERT_TRUE(got.ok() && got->has_value());
  const InstalledPackage& svc = **got;
  EXPECT_EQ(svc.version, "1.3.0");
  EXPECT_EQ(svc.sha256, std::string(64, 'b'));
  EXPECT_EQ(svc.constraint, "^1.0");
  EXPECT_EQ(svc.registry, "team");
  EXPECT_EQ(svc.registry_url, "/reg");
  EXPECT_EQ(svc.key_id, "");
  EXPECT_TRUE(svc.allow_unsigned);
  EXPECT_FALSE(svc.installed_at.empty());
  EXPECT_EQ(svc.previous_version, "1.2.0");
  EXPECT_EQ(svc.previous_sha256, std::string(64, 'a'));
  EXPECT_EQ(svc.previous_key_id, "0123456789ABCDEF");
  EXPECT_EQ(svc.previous_constraint, "~1.2");

  package.type = "alpha";
  ASSERT_TRUE(records.PutPackage(package).ok());
  auto list = records.ListPackages();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].type, "alpha");
  EXPECT_EQ((*list)[1].type, "svc");

  ASSERT_TRUE(records.DropPackage("alpha").ok());
  EXPECT_EQ(records.DropPackage("alpha").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(records.ListPackages()->size(), 1u);
  package.version = "";
  EXPECT_EQ(records.PutPackage(package).kind(), ErrorKind::kInvalidArgument);
}

TEST_F(PackageRecordsTest, RecordedTestsReplacedByName) {
  PackageRecords& records = ws_->packages();
  ASSERT_TRUE(records.PutTest({"svc", "lists", "TEST CONNECTOR TYPE 'svc' NAME 'lists' BEGIN END TEST;", "a.sql:1:1"})
                  .ok());
  ASSERT_TRUE(records.PutTest({"svc", "auth", "TEST … 'auth' …", "a.sql:9:1"}).ok());
  ASSERT_TRUE(records.PutTest({"other", "x", "TEST … 'x' …", "b.sql:1:1"}).ok());
  ASSERT_TRUE(records.PutTest({"svc", "lists", "TEST … 'lists' v2", "c.sql:3:1"}).ok());
  auto tests = records.ListTests("svc");
  ASSERT_TRUE(tests.ok());
  ASSERT_EQ(tests->size(), 2u);
  EXPECT_EQ((*tests)[0].name, "auth");
  EXPECT_EQ((*tests)[1].name, "lists");
  EXPECT_EQ((*tests)[1].text, "TEST … 'lists' v2");
  EXPECT_EQ((*tests)[1].origin, "c.sql:3:1");
  EXPECT_TRUE(records.ListTests("nothing")->empty());
  EXPECT_EQ(records.PutTest({"svc", "", "t", ""}).kind(), ErrorKind::kInvalidArgument);
}

TEST_F(PackageRecordsTest, SyncRunsHaveATypeVersionColumn) {
  EXPECT_EQ(Count("SELECT count(*) FROM pragma_table_info('_sluice_sync_runs') WHERE name = 'type_version'"), 1);
}

// Installing writes a type, its entities and actions and the package row,
// each with its own Transaction, inside one outer Transaction.
TEST_F(PackageRecordsTest, NestedTransactionsAreSavepoints) {
  Database& db = ws_->db();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (v INTEGER)").ok());
  {
    auto outer = Transaction::Begin(db);
    ASSERT_TRUE(outer.ok()) << outer.status().ToString();
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (1)").ok());
    {
      auto inner = Transaction::Begin(db);
      ASSERT_TRUE(inner.ok()) << inner.status().ToString();
      ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (2)").ok());
    }  // inner rolled back: only its own work goes
    EXPECT_EQ(Count("SELECT count(*) FROM t"), 1);
    ASSERT_TRUE(outer->Commit().ok());
  }
  {
    auto outer = Transaction::Begin(db);
    ASSERT_TRUE(outer.ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (3)").ok());
    {
      auto inner = Transaction::Begin(db);
      ASSERT_TRUE(inner.ok());
      ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (4)").ok());
      ASSERT_TRUE(inner->Commit().ok());
    }
    EXPECT_EQ(Count("SELECT count(*) FROM t"), 3);
  }  // outer rolled back: the inner committed work goes with it
  EXPECT_EQ(Count("SELECT count(*) FROM t"), 1);
  EXPECT_EQ(Count("SELECT sum(v) FROM t"), 1);
}

}  // namespace
}  // namespace sluice
