// Every rule of the sync planner, with its exact error: the table name and
// its guard, columns and keys, cursor choice, write-mode defaults per
// destination, and the combinations refused.
#include "sync/sync_planner.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

class SyncPlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    connector_.name = "prod";
    connector_.type = "svc";
    entity_.type = "svc";
    entity_.name = "items";
    entity_.fields = Value{{"id", {{"type", "string"}, {"primary_key", true}}},
                           {"updated", {{"type", "timestamp"}}},
                           {"n", {{"type", "integer"}}}};
    schema_.connector = "prod";
    schema_.entity = "items";
    schema_.fields = {{"id", "string", true, false, true, false},
                      {"updated", "timestamp", false, true, false, false},
                      {"n", "integer", false, false, false, false}};
  }
  Result<PlannedEntitySync> Plan(bool absorbs_repeats = true) {
    return PlanEntitySync(choices_, connector_, entity_, schema_, absorbs_repeats, "2026-12-01T00:00:00Z");
  }
  static std::string Error(const Result<PlannedEntitySync>& planned) {
    return planned.ok() ? "ok" : planned.status().message();
  }

  SyncChoices choices_;
  ConnectorDef connector_;
  EntityDef entity_;
  EntitySchema schema_;
};

TEST_F(SyncPlannerTest, FullRunByDefaultWithoutCursor) {
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  const EntitySyncPlan& plan = planned->plan;
  EXPECT_EQ(plan.table.name, "prod_items");
  EXPECT_EQ(plan.table.connector, "prod");
  EXPECT_EQ(plan.table.entity, "items");
  ASSERT_EQ(plan.table.columns.size(), 3u);
  EXPECT_EQ(plan.table.columns[0].name, "id");
  EXPECT_TRUE(plan.table.columns[0].primary_key);
  EXPECT_EQ(plan.table.columns[1].type, "timestamp");
  EXPECT_FALSE(plan.table.columns[1].primary_key);
  EXPECT_FALSE(plan.incremental);
  EXPECT_EQ(plan.cursor_field, "");
  EXPECT_EQ(plan.write_mode, WriteMode::kOverwriteDeleteStale);
  EXPECT_EQ(plan.batch_rows, 10'000u);
  EXPECT_EQ(plan.synced_at, "2026-12-01T00:00:00Z");
  EXPECT_FALSE(plan.force);
  EXPECT_EQ(planned->mode_name, "full");
  EXPECT_EQ(planned->note, "");
}

TEST_F(SyncPlannerTest, ChildEntityGetsParentColumn) {
  schema_.has_parent = true;
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok());
  ASSERT_EQ(planned->plan.table.columns.size(), 4u);
  EXPECT_EQ(planned->plan.table.columns[3].name, "_parent");
  EXPECT_EQ(planned->plan.table.columns[3].type, "document");
}

TEST_F(SyncPlannerTest, SyncTableOptionAndBatchSize) {
  connector_.options = Value{{"sync_table", "raw_{connector}_{entity}_{entity}"}, {"batch_size", 7}};
  choices_.force = true;
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ(planned->plan.table.name, "raw_prod_items_items");
  EXPECT_EQ(planned->plan.batch_rows, 7u);
  EXPECT_TRUE(planned->plan.force);
}

TEST_F(SyncPlannerTest, BatchSizeIgnoredUnlessPositiveInteger) {
  connector_.options = Value{{"batch_size", 0}};
  EXPECT_EQ(Plan()->plan.batch_rows, 10'000u);
  connector_.options = Value{{"batch_size", "5"}};
  EXPECT_EQ(Plan()->plan.batch_rows, 10'000u);
}

TEST_F(SyncPlannerTest, RefusesSluicePrefixInAnyCase) {
  connector_.options = Value{{"sync_table", "_SLUICE_{entity}"}};
  Result<PlannedEntitySync> planned = Plan();
  EXPECT_EQ(planned.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(Error(planned),
            "table '_SLUICE_items': names starting with '_sluice' are Sluice's own; choose another "
            "OPTIONS.sync_table or connector name");
  connector_.options = Value::object();
  connector_.name = "_sluice";
  EXPECT_FALSE(PlanSyncTable(connector_, "items").ok());
  connector_.name = "_sluic";
  EXPECT_EQ(*PlanSyncTable(connector_, "items"), "_sluic_items");
}

TEST_F(SyncPlannerTest, CursorMakesDefaultRunIncremental) {
  entity_.cursor = "updated";
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok());
  EXPECT_TRUE(planned->plan.incremental);
  EXPECT_EQ(planned->plan.cursor_field, "updated");
  EXPECT_EQ(planned->plan.cursor_type, "timestamp");
  EXPECT_TRUE(planned->plan.cursor_ordered);
  EXPECT_EQ(planned->plan.write_mode, WriteMode::kOverwrite);
  EXPECT_EQ(planned->mode_name, "incremental");
  EXPECT_FALSE(IsFullRun(choices_, entity_));
}

TEST_F(SyncPlannerTest, IncrementalDefaultsPerDestination) {
  entity_.cursor = "updated";
  // A file destination cannot absorb a repeated row: append.
  EXPECT_EQ(Plan(false)->plan.write_mode, WriteMode::kAppend);
  // Without a key nothing can be upserted: append too.
  entity_.fields["id"]["primary_key"] = false;
  EXPECT_EQ(Plan(true)->plan.write_mode, WriteMode::kAppend);
}

TEST_F(SyncPlannerTest, FullOverridesCursor) {
  entity_.cursor = "updated";
  choices_.mode = SyncModeChoice::kFull;
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok());
  EXPECT_FALSE(planned->plan.incremental);
  // The cursor still orders the read (and its state is kept).
  EXPECT_EQ(planned->plan.cursor_field, "updated");
  EXPECT_EQ(planned->plan.write_mode, WriteMode::kOverwriteDeleteStale);
  EXPECT_TRUE(IsFullRun(choices_, entity_));
}

TEST_F(SyncPlannerTest, IncrementalOnField) {
  choices_.mode = SyncModeChoice::kIncremental;
  choices_.incremental_field = "n";
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ(planned->plan.cursor_field, "n");
  EXPECT_EQ(planned->plan.cursor_type, "integer");
  EXPECT_FALSE(planned->plan.cursor_ordered);
}

TEST_F(SyncPlannerTest, IncrementalWithoutCursorIsRefused) {
  choices_.mode = SyncModeChoice::kIncremental;
  Result<PlannedEntitySync> planned = Plan();
  EXPECT_EQ(planned.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(Error(planned), "entity 'items' has no CURSOR: write INCREMENTAL ON field, or FULL");
}

TEST_F(SyncPlannerTest, CursorThatIsNotAField) {
  entity_.cursor = "modified";
  Result<PlannedEntitySync> planned = Plan();
  EXPECT_EQ(planned.status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(Error(planned), "cursor field 'modified' is not a field of entity 'items'");
}

TEST_F(SyncPlannerTest, WhereKeepsStaleRowsAndSaysSo) {
  choices_.has_where = true;
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ(planned->plan.write_mode, WriteMode::kOverwrite);
  EXPECT_EQ(planned->note, "WHERE: write mode 'overwrite', stale rows kept");
  planned = Plan(false);
  EXPECT_EQ(planned->plan.write_mode, WriteMode::kAppend);
  EXPECT_EQ(planned->note, "WHERE: write mode 'append', stale rows kept");
  // Incremental with WHERE: no note.
  entity_.cursor = "updated";
  EXPECT_EQ(Plan()->note, "");
}

TEST_F(SyncPlannerTest, DeleteStaleWithWhereIsRefused) {
  choices_.has_where = true;
  choices_.write_mode = WriteMode::kOverwriteDeleteStale;
  Result<PlannedEntitySync> planned = Plan();
  EXPECT_EQ(planned.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(Error(planned),
            "'overwrite-delete-stale' cannot go with WHERE: the rows WHERE leaves out would all be deleted as "
            "stale; use 'overwrite' (the default with WHERE) or 'append'");
}

TEST_F(SyncPlannerTest, OverwriteWithoutKeyIsRefused) {
  entity_.fields["id"]["primary_key"] = false;
  choices_.write_mode = WriteMode::kOverwrite;
  Result<PlannedEntitySync> planned = Plan();
  EXPECT_EQ(planned.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(Error(planned),
            "entity 'items' has no primary key, so 'overwrite' cannot upsert: use 'append' or "
            "'overwrite-delete-stale' (full replacement)");
}

TEST_F(SyncPlannerTest, DeleteStaleWithIncrementalIsRefused) {
  entity_.cursor = "updated";
  choices_.write_mode = WriteMode::kOverwriteDeleteStale;
  Result<PlannedEntitySync> planned = Plan();
  EXPECT_EQ(planned.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(Error(planned),
            "'overwrite-delete-stale' needs a FULL sync: an incremental run does not see every row, so it cannot "
            "tell which are stale");
}

TEST_F(SyncPlannerTest, ExplicitWriteModeWins) {
  choices_.write_mode = WriteMode::kAppend;
  Result<PlannedEntitySync> planned = Plan();
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ(planned->plan.write_mode, WriteMode::kAppend);
  EXPECT_EQ(planned->note, "");
}

}  // namespace
}  // namespace sluice
