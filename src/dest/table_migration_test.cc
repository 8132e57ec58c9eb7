#include "dest/table_migration.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string Type(const std::string& field_type) {
  return field_type == "integer" ? "INTEGER" : "TEXT";
}

TableSpec Items() {
  TableSpec table;
  table.name = "prod_items";
  table.columns = {{"id", "integer", true}, {"name", "string", false}, {"price", "integer", false}};
  return table;
}

std::map<std::string, std::string> Synced(std::map<std::string, std::string> columns) {
  columns["_sluice_source"] = "TEXT";
  columns["_sluice_synced_at"] = "TEXT";
  return columns;
}

auto Keys(std::vector<std::string> keys, int* calls = nullptr) {
  return [keys, calls]() -> Result<std::vector<std::string>> {
    if (calls) ++*calls;
    return keys;
  };
}

TEST(TableMigrationTest, NoTableIsCreated) {
  int calls = 0;
  Result<TableMigration> plan =
      PlanTableMigration(Items(), {}, Type, Keys({}, &calls), false, "prod_items");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->kind, TableMigration::Kind::kCreate);
  EXPECT_EQ(plan->Describe(), "created");
  EXPECT_EQ(calls, 0);
}

TEST(TableMigrationTest, SameTableChangesNothing) {
  Result<TableMigration> plan = PlanTableMigration(
      Items(), Synced({{"id", "INTEGER"}, {"name", "TEXT"}, {"price", "INTEGER"}}), Type,
      Keys({"id"}), false, "t");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->kind, TableMigration::Kind::kAlter);
  EXPECT_TRUE(plan->added.empty());
  EXPECT_EQ(plan->Describe(), "");
}

TEST(TableMigrationTest, MissingColumnsAreAddedInFieldOrder) {
  Result<TableMigration> plan = PlanTableMigration(
      Items(), Synced({{"id", "INTEGER"}, {"extra", "TEXT"}}), Type, Keys({"id"}), false, "t");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->kind, TableMigration::Kind::kAlter);
  ASSERT_EQ(plan->added.size(), 2u);
  EXPECT_EQ(plan->added[0].name, "name");
  EXPECT_EQ(plan->added[1].name, "price");
  EXPECT_EQ(plan->Describe(), "added columns name, price");
}

TEST(TableMigrationTest, ATableNotMadeByASyncIsRefused) {
  int calls = 0;
  Result<TableMigration> plan = PlanTableMigration(Items(), {{"id", "INTEGER"}}, Type,
                                                   Keys({"id"}, &calls), false, "prod_items");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().kind(), ErrorKind::kDestination);
  EXPECT_EQ(plan.status().message(),
            "table 'prod_items': it exists and was not made by a sync; add FORCE to drop and "
            "recreate it (its "
            "rows are lost)");
  EXPECT_EQ(calls, 0) << "keys are read only when the columns agree";
}

TEST(TableMigrationTest, AColumnOfAnotherTypeIsRefusedNamingTheFirst) {
  Result<TableMigration> plan =
      PlanTableMigration(Items(), Synced({{"id", "TEXT"}, {"price", "TEXT"}}), Type, Keys({"id"}),
                         false, "public.prod_items");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "table 'public.prod_items': column 'id' is TEXT but field 'id' (integer) needs "
            "INTEGER; add FORCE to "
            "drop and recreate it (its rows are lost)");
}

TEST(TableMigrationTest, AnotherPrimaryKeyIsRefused) {
  Result<TableMigration> plan = PlanTableMigration(Items(), Synced({{"id", "INTEGER"}}), Type,
                                                   Keys({"id", "name"}), false, "t");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "table 't': its primary key differs from the entity's; add FORCE to drop and recreate "
            "it (its rows "
            "are lost)");
  Result<TableMigration> none =
      PlanTableMigration(Items(), Synced({{"id", "INTEGER"}}), Type, Keys({}), false, "t");
  EXPECT_FALSE(none.ok());
}

TEST(TableMigrationTest, ForceRecreates) {
  Result<TableMigration> plan =
      PlanTableMigration(Items(), Synced({{"id", "TEXT"}}), Type, Keys({"id"}), true, "t");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->kind, TableMigration::Kind::kRecreate);
  EXPECT_EQ(plan->Describe(),
            "recreated (column 'id' is TEXT but field 'id' (integer) needs INTEGER)");
  EXPECT_TRUE(plan->added.empty());
}

TEST(TableMigrationTest, AnErrorReadingKeysIsReturned) {
  auto failing = []() -> Result<std::vector<std::string>> {
    return Status(ErrorKind::kDestination, "no keys");
  };
  Result<TableMigration> plan =
      PlanTableMigration(Items(), Synced({{"id", "INTEGER"}}), Type, failing, true, "t");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(), "no keys");
}

TEST(TableMigrationTest, CreateTableSqlWithAndWithoutAKey) {
  EXPECT_EQ(CreateTableSql(Items(), "\"prod_items\"", Type, "_sluice_source TEXT NOT NULL"),
            "CREATE TABLE \"prod_items\" (\"id\" INTEGER, \"name\" TEXT, \"price\" INTEGER, "
            "_sluice_source TEXT "
            "NOT NULL, PRIMARY KEY (\"id\"))");
  TableSpec keyless;
  keyless.columns = {{"a", "string", false}};
  EXPECT_EQ(CreateTableSql(keyless, "s.\"t\"", Type, "x text"),
            "CREATE TABLE s.\"t\" (\"a\" TEXT, x text)");
}

}  // namespace
}  // namespace sluice
