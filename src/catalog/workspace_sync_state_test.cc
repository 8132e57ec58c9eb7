#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/workspace.h"
#include "core/sync_state_schema.h"

namespace sluice {
namespace {

std::vector<std::string> Shape(Database& db) {
  Result<Stmt> stmt = db.Prepare(
      "SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || ifnull(dflt_value, '-') || ' ' || pk "
      "FROM pragma_table_info('_sluice_sync_state') ORDER BY cid");
  EXPECT_TRUE(stmt.ok());
  std::vector<std::string> columns;
  while (*stmt->Step()) columns.push_back(stmt->ColumnText(0));
  return columns;
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
  EXPECT_EQ(Shape((*workspace)->db()), Shape(*declared));
  EXPECT_EQ(Shape(*declared).size(), SyncStateColumns().size());
  // And Ensure finds nothing to add to it.
  ASSERT_TRUE(EnsureSqliteSyncState((*workspace)->db()).ok());
  EXPECT_EQ(Shape((*workspace)->db()), Shape(*declared));
}

}  // namespace
}  // namespace sluice
