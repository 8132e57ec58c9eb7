// xBestIndex's decisions, one rule at a time (entity_table.cc): which
// constraints reach the handler, and when LIMIT does — only when it cannot
// change the answer: every constraint an equality the handler promised to
// apply on a filterable field, no sorting left to SQLite, and for a child
// entity only per parent. Each decision is read twice: from the plan
// (DescribeIndex of what EXPLAIN QUERY PLAN shows) and from the ScanRequest
// the provider receives.
#include <gtest/gtest.h>

#include "core/sqlite.h"
#include "query/entity_table.h"
#include "query/scan_plan.h"
#include "source/vector_rows.h"

namespace sluice {
namespace {

using Rows = VectorRows;

// A test source: records each request, answers with fixed rows.
class TestSource : public EntityProvider {
 public:
  std::map<std::string, EntitySchema> schemas;
  std::vector<Value> rows;
  std::vector<ScanRequest> asked;

  Result<EntitySchema> Schema(const std::string&, const std::string& entity) override {
    return schemas[entity];
  }
  Result<std::unique_ptr<RowSource>> Scan(const std::string&, const std::string&,
                                          const ScanRequest& request) override {
    asked.push_back(request);
    return std::unique_ptr<RowSource>(std::make_unique<Rows>(rows));
  }
};

class BestIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Database> db = Database::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    EntitySchema items;
    items.connector = "c";
    items.entity = "items";
    // name, type, filterable, sortable, primary_key
    items.fields = {{"n", "integer", true, true, true},
                    {"status", "string", true, false},
                    {"label", "string", false, false},
                    {"score", "number", false, true}};
    source_.schemas["items"] = items;
    EntitySchema notes = items;
    notes.entity = "notes";
    notes.has_parent = true;
    source_.schemas["notes"] = notes;
    for (int i = 1; i <= 5; ++i)
      source_.rows.push_back({{"n", i}, {"status", "open"}, {"label", "x"}, {"score", i}});
    ASSERT_TRUE(RegisterEntityModule(db_.get(), &module_).ok());
    ASSERT_TRUE(
        db_.RunStatement("CREATE VIRTUAL TABLE temp.items USING sluice_entity('c', 'items')").ok());
    ASSERT_TRUE(
        db_.RunStatement("CREATE VIRTUAL TABLE temp.notes USING sluice_entity('c', 'notes')").ok());
  }

  // The plan SQLite chose for the (first) scan of an entity table in `sql`.
  ScanPlan Plan(const std::string& sql) {
    Result<Stmt> stmt = db_.Prepare("EXPLAIN QUERY PLAN " + sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    while (stmt.ok() && stmt->Step().value()) {
      if (std::optional<ExplainedStep> step = DescribePlanStep(stmt->ColumnText(3)))
        return step->plan;
    }
    ADD_FAILURE() << "no entity scan in the plan of " << sql;
    return ScanPlan();
  }
  // Runs `sql`; the request of its last scan.
  ScanRequest Asked(const std::string& sql) {
    source_.asked.clear();
    Result<Stmt> stmt = db_.Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    while (stmt.ok() && stmt->Step().value()) {
    }
    EXPECT_FALSE(source_.asked.empty()) << sql;
    return source_.asked.empty() ? ScanRequest() : source_.asked.back();
  }

  Database db_;
  TestSource source_;
  EntityModule module_{source_};
};

TEST_F(BestIndexTest, EqualityOnAFilterableFieldIsAFilterAndLetsLimitThrough) {
  ScanPlan plan = Plan("SELECT n FROM items WHERE status = 'open' LIMIT 3");
  ASSERT_EQ(plan.where.size(), 1u);
  EXPECT_EQ(plan.where[0].field, "status");
  EXPECT_EQ(plan.where[0].op, "=");
  EXPECT_FALSE(plan.where[0].in_list);
  EXPECT_TRUE(plan.limit);
  ScanRequest request = Asked("SELECT n FROM items WHERE status = 'open' LIMIT 3");
  EXPECT_EQ(request.filters.dump(), R"({"status":"open"})");
  EXPECT_EQ(request.limit, 3);
}

TEST_F(BestIndexTest, ARangeIsPushedAsAConditionButKeepsTheLimit) {
  ScanPlan plan = Plan("SELECT n FROM items WHERE n > 2 LIMIT 3");
  ASSERT_EQ(plan.where.size(), 1u);
  EXPECT_EQ(plan.where[0].op, ">");
  EXPECT_FALSE(plan.limit);
  ScanRequest request = Asked("SELECT n FROM items WHERE n > 2 LIMIT 3");
  EXPECT_EQ(request.filters.dump(), "{}");
  EXPECT_EQ(request.conditions->dump(), R"([{"field":"n","op":">","value":2}])");
  EXPECT_FALSE(request.limit.has_value());
}

TEST_F(BestIndexTest, EqualityOnAFieldNotFilterableKeepsTheLimit) {
  ScanPlan plan = Plan("SELECT n FROM items WHERE label = 'x' LIMIT 3");
  ASSERT_EQ(plan.where.size(), 1u);
  EXPECT_EQ(plan.where[0].field, "label");
  EXPECT_FALSE(plan.limit);
  // It is still a filter the handler may use; SQLite re-checks every row.
  EXPECT_EQ(Asked("SELECT n FROM items WHERE label = 'x' LIMIT 3").filters.dump(),
            R"({"label":"x"})");
}

TEST_F(BestIndexTest, AnUnpushedTermKeepsTheLimit) {
  // A constraint on _raw is SQLite's alone: the handler never sees it.
  ScanPlan plan = Plan("SELECT n FROM items WHERE status = 'open' AND _raw = '{}' LIMIT 3");
  ASSERT_EQ(plan.where.size(), 1u);
  EXPECT_EQ(plan.where[0].field, "status");
  EXPECT_FALSE(plan.limit);
  // So is one under another collation.
  plan = Plan("SELECT n FROM items WHERE status = 'OPEN' COLLATE NOCASE LIMIT 3");
  EXPECT_TRUE(plan.where.empty());
  EXPECT_FALSE(plan.limit);
}

TEST_F(BestIndexTest, ALiteralNoValueOfTheTypeEqualsIsKept) {
  ScanPlan plan = Plan("SELECT n FROM items WHERE n = 'abc' LIMIT 3");
  EXPECT_TRUE(plan.where.empty());
  ASSERT_EQ(plan.kept.size(), 1u);
  EXPECT_EQ(plan.kept[0].field, "n");
  EXPECT_EQ(plan.kept[0].op, "=");
  EXPECT_FALSE(plan.limit);
}

TEST_F(BestIndexTest, AnInListIsOneFilterOfEveryValue) {
  ScanPlan plan = Plan("SELECT n FROM items WHERE n IN (1, 3) LIMIT 3");
  ASSERT_EQ(plan.where.size(), 1u);
  EXPECT_TRUE(plan.where[0].in_list);
  EXPECT_TRUE(plan.limit);
  ScanRequest request = Asked("SELECT n FROM items WHERE n IN (1, 3) LIMIT 3");
  EXPECT_EQ(request.filters.dump(), R"({"n":[1,3]})");
  EXPECT_EQ(request.conditions->dump(), R"([{"field":"n","op":"IN","value":[1,3]}])");
}

TEST_F(BestIndexTest, OrderByASortableFieldIsTheHandlersAndKeepsLimit) {
  ScanPlan plan = Plan("SELECT n FROM items ORDER BY score DESC LIMIT 2");
  ASSERT_EQ(plan.order_by.size(), 1u);
  EXPECT_EQ(plan.order_by[0].field, "score");
  EXPECT_TRUE(plan.order_by[0].desc);
  EXPECT_TRUE(plan.limit);
  ScanRequest request = Asked("SELECT n FROM items ORDER BY score DESC LIMIT 2");
  ASSERT_EQ(request.order_by.size(), 1u);
  EXPECT_EQ(request.limit, 2);
}

TEST_F(BestIndexTest, OrderByAFieldNotSortableLeavesSortingAndLimitToSqlite) {
  ScanPlan plan = Plan("SELECT n FROM items ORDER BY label LIMIT 2");
  ASSERT_EQ(plan.order_by.size(), 1u);  // still told, as advice
  EXPECT_FALSE(plan.limit);
  EXPECT_FALSE(Asked("SELECT n FROM items ORDER BY label LIMIT 2").limit.has_value());
}

TEST_F(BestIndexTest, OffsetIsCountedInTheLimitNeverHandedOn) {
  ScanPlan plan = Plan("SELECT n FROM items LIMIT 2 OFFSET 3");
  EXPECT_TRUE(plan.limit);
  EXPECT_TRUE(plan.offset);
  ScanRequest request = Asked("SELECT n FROM items LIMIT 2 OFFSET 3");
  EXPECT_EQ(request.limit, 5);
  EXPECT_EQ(HandlerOptions(request).dump(), R"({"fields":["n"],"conditions":[],"limit":5})");
}

TEST_F(BestIndexTest, OffsetIsNotHandedOnEvenWhenTheHandlerAppliesIt) {
  source_.schemas["items"].applies_offset = true;
  ASSERT_TRUE(db_.RunStatement("DROP TABLE temp.items").ok());
  ASSERT_TRUE(
      db_.RunStatement("CREATE VIRTUAL TABLE temp.items USING sluice_entity('c', 'items')").ok());
  ScanRequest request = Asked("SELECT n FROM items LIMIT 2 OFFSET 3");
  EXPECT_EQ(request.limit, 5);
  EXPECT_EQ(HandlerOptions(request).count("offset"), 0u);
}

TEST_F(BestIndexTest, AChildOverAllParentsGetsNoLimitOnePerParentDoes) {
  ScanPlan plan = Plan("SELECT n FROM notes LIMIT 2");
  EXPECT_FALSE(plan.parent);
  EXPECT_FALSE(plan.limit);
  plan = Plan("SELECT n FROM notes WHERE _parent = '{\"id\": 1}' LIMIT 2");
  EXPECT_TRUE(plan.parent);
  EXPECT_TRUE(plan.limit);
  ScanRequest request = Asked("SELECT n FROM notes WHERE _parent = '{\"id\": 1}' LIMIT 2");
  EXPECT_EQ(request.parent.dump(), R"({"id":1})");
  EXPECT_EQ(request.limit, 2);
}

TEST_F(BestIndexTest, FieldsAreWhatTheQueryReadsRawMeansWholeRows) {
  ScanPlan plan = Plan("SELECT label FROM items WHERE status = 'open'");
  EXPECT_EQ(plan.fields, (std::vector<std::string>{"status", "label"}));
  EXPECT_FALSE(plan.raw);
  ScanRequest request = Asked("SELECT label FROM items WHERE status = 'open'");
  // The key is read too: it makes the rowid.
  EXPECT_EQ(*request.only_fields, (std::vector<std::string>{"status", "label", "n"}));
  EXPECT_TRUE(Plan("SELECT _raw FROM items").raw);
  EXPECT_FALSE(Asked("SELECT _raw FROM items").only_fields.has_value());
}

TEST(ScanPlanTest, DescribesOnlyTheModulesPlans) {
  EXPECT_FALSE(DescribePlanStep("SCAN t").has_value());
  EXPECT_FALSE(DescribePlanStep("SCAN t VIRTUAL TABLE INDEX 0:not json").has_value());
  std::optional<ExplainedStep> step = DescribePlanStep(
      R"(SCAN nums VIRTUAL TABLE INDEX 0:{"where":[["n","=",false]],"fields":["n"]})");
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->step, "SCAN nums");
  ASSERT_EQ(step->plan.where.size(), 1u);
  EXPECT_EQ(step->plan.fields, (std::vector<std::string>{"n"}));
  EXPECT_FALSE(step->plan.limit);
  // The right side of a LEFT JOIN: SQLite writes LEFT-JOIN after the index
  // (the old JSON round trip threw on it and aborted EXPLAIN).
  std::optional<ExplainedStep> left = DescribePlanStep(
      R"(SCAN b VIRTUAL TABLE INDEX 0:{"where":[["id","=",false]],"fields":["id"]} LEFT-JOIN)");
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(left->step, "SCAN b LEFT-JOIN");
  ASSERT_EQ(left->plan.where.size(), 1u);
}

}  // namespace
}  // namespace sluice
