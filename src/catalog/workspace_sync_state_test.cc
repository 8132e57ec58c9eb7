#include <gtest/gtest.h>

#include <string>

#include "catalog/workspace.h"
#include "core/sync_state_schema.h"

namespace sluice {
namespace {

// Every column's name, type, NOT NULL, default and key position, in order.
std::string Columns(Database& db) {
  Result<Stmt> stmt = db.Prepare(
      "SELECT group_concat(name || ' ' || type || ' ' || \"notnull\" || ' ' || ifnull(dflt_value, "
      "'-') || ' ' || "
      "pk, ', ') FROM (SELECT * FROM pragma_table_info('_sluice_sync_state') ORDER BY cid)");
  return stmt.ok() && *stmt->Step() ? stmt->ColumnText(0) : "";
}

// The workspace reaches `_sluice_sync_state` through its versioned
// migrations, which must never be edited; core/sync_state_schema.h declares
// the same table for destination files. They must agree column for column.
TEST(WorkspaceSyncStateTest, MigratedWorkspaceHasTheDeclaredTable) {
  Result<std::unique_ptr<Workspace>> workspace = Workspace::Open(":memory:");
  ASSERT_TRUE(workspace.ok());
  Result<Database> declared = Database::Open(":memory:");
  ASSERT_TRUE(declared.ok());
  ASSERT_TRUE(EnsureSqliteSyncState(*declared).ok());
  const std::string columns = Columns(*declared);
  EXPECT_FALSE(columns.empty());
  EXPECT_EQ(Columns((*workspace)->db()), columns);
  // And Ensure finds nothing to add to it.
  ASSERT_TRUE(EnsureSqliteSyncState((*workspace)->db()).ok());
  EXPECT_EQ(Columns((*workspace)->db()), columns);
}

}  // namespace
}  // namespace sluice
