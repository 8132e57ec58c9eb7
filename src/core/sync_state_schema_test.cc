#include "core/sync_state_schema.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

// "name type notnull default pk" per column, in order.
std::vector<std::string> Shape(Database& db) {
  Result<Stmt> stmt = db.Prepare(
      "SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || ifnull(dflt_value, '-') || ' ' "
      "|| pk "
      "FROM pragma_table_info('_sluice_sync_state') ORDER BY cid");
  EXPECT_TRUE(stmt.ok());
  std::vector<std::string> columns;
  while (*stmt->Step()) columns.push_back(stmt->ColumnText(0));
  return columns;
}

const std::vector<std::string> kCurrent = {"connector TEXT 1 - 1",       "entity TEXT 1 - 2",
                                           "destination TEXT 1 - 3",     "cursor_field TEXT 0 - 0",
                                           "cursor_value TEXT 0 - 0",    "updated_at TEXT 0 - 0",
                                           "boundary_keys TEXT 1 '[]' 0"};

TEST(SyncStateSchemaTest, CreateSqlInBothDialects) {
  EXPECT_EQ(SyncStateCreateSql("_sluice_sync_state", false),
            "CREATE TABLE IF NOT EXISTS _sluice_sync_state (connector TEXT NOT NULL, entity TEXT "
            "NOT NULL, "
            "destination TEXT NOT NULL, cursor_field TEXT, cursor_value TEXT, updated_at TEXT, "
            "boundary_keys TEXT "
            "NOT NULL DEFAULT '[]', PRIMARY KEY (connector, entity, destination))");
  EXPECT_EQ(
      SyncStateCreateSql("\"raw\"._sluice_sync_state", true),
      "CREATE TABLE IF NOT EXISTS \"raw\"._sluice_sync_state (connector text NOT NULL, entity text "
      "NOT NULL, "
      "destination text NOT NULL, cursor_field text, cursor_value text, updated_at timestamptz, "
      "boundary_keys text NOT NULL DEFAULT '[]', PRIMARY KEY (connector, entity, destination))");
}

TEST(SyncStateSchemaTest, EnsureCreatesTheTable) {
  Result<Database> db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(EnsureSqliteSyncState(*db).ok());
  EXPECT_EQ(Shape(*db), kCurrent);
  // Again: nothing to do.
  ASSERT_TRUE(EnsureSqliteSyncState(*db).ok());
  EXPECT_EQ(Shape(*db), kCurrent);
}

TEST(SyncStateSchemaTest, EnsureMigratesATableFromBeforeBoundaryKeys) {
  Result<Database> db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  // The shape before schema v3 (catalog/workspace.cc), as a destination
  // file synced to by an older Sluice has it, with a cursor in it.
  ASSERT_TRUE(EnsureSqliteSyncState(*db).ok());
  ASSERT_TRUE(db->Exec("ALTER TABLE _sluice_sync_state DROP COLUMN boundary_keys").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO _sluice_sync_state VALUES ('c', 'e', 'd', 'updated', "
                       "'\"2024\"', '2024-01-01')")
                  .ok());
  ASSERT_EQ(Shape(*db).size(), kCurrent.size() - 1);
  ASSERT_TRUE(EnsureSqliteSyncState(*db).ok());
  EXPECT_EQ(Shape(*db), kCurrent);
  Result<Stmt> row = db->Prepare("SELECT cursor_value, boundary_keys FROM _sluice_sync_state");
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(*row->Step());
  EXPECT_EQ(row->ColumnText(0), "\"2024\"");
  EXPECT_EQ(row->ColumnText(1), "[]");
}

TEST(SyncStateSchemaTest, EnsureRefusesATableThatIsNotSluices) {
  Result<Database> db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE _sluice_sync_state (x TEXT)").ok());
  Status ensured = EnsureSqliteSyncState(*db);
  ASSERT_FALSE(ensured.ok());
  EXPECT_EQ(ensured.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ensured.message(),
            "the table _sluice_sync_state here is not Sluice's sync state (it has no column connector); rename or "
            "drop it, or sync to another file");
  EXPECT_EQ(Shape(*db), (std::vector<std::string>{"x TEXT 0 - 0"})) << "left as it was";
}

}  // namespace
}  // namespace sluice
