// The virtual table's pushdown decisions, against a provider that records
// what each scan was told and answers with fixed rows, ignoring it all (as
// most handlers do): whatever is pushed, SQLite's answer must not change.
#include "query/entity_table.h"

#include <gtest/gtest.h>

#include "core/identifier.h"
#include "core/sqlite.h"
#include "query/coerce.h"
#include "source/vector_rows.h"

namespace sluice {
namespace {


class FakeProvider : public EntityProvider {
 public:
  EntitySchema schema;
  std::vector<Value> rows;
  std::vector<Value> asked;  // {filters, options} per scan

  Result<EntitySchema> Schema(const std::string&, const std::string&) override { return schema; }
  Result<std::unique_ptr<RowSource>> Scan(const std::string&, const std::string&,
                                          const ScanRequest& request) override {
    asked.push_back({{"filters", request.filters}, {"options", HandlerOptions(request)}});
    return std::unique_ptr<RowSource>(std::make_unique<VectorRows>(rows));
  }
};

class EntityTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Database> db = Database::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    provider_.schema.connector = "c";
    provider_.schema.entity = "t";
    provider_.schema.fields = {{"n", "integer", true, false, true, false},
                               {"status", "string", true}};
    for (int i = 1; i <= 10; ++i)
      provider_.rows.push_back({{"n", i}, {"status", i % 2 ? "open" : "closed"}});
    ASSERT_TRUE(RegisterEntityModule(db_.get(), &module_).ok());
    Create();
  }
  void Create() {
    ASSERT_TRUE(db_.RunStatement("DROP TABLE IF EXISTS temp.t").ok());
    ASSERT_TRUE(db_.RunStatement("CREATE VIRTUAL TABLE temp.t USING sluice_entity('c', 't')").ok());
  }
  // The first column of every row, as text joined by spaces.
  std::string Column(const std::string& sql) {
    Result<Stmt> stmt = db_.Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return "";
    std::string out;
    while (true) {
      Result<bool> row = stmt->Step();
      if (!row.ok()) return "error: " + row.status().message();
      if (!*row) return out;
      out += (out.empty() ? "" : " ") + stmt->ColumnText(0);
    }
  }
  const Value& LastOptions() { return provider_.asked.back()["options"]; }

  Database db_;
  FakeProvider provider_;
  EntityModule module_{provider_};
};

TEST_F(EntityTableTest, OffsetNotDeclaredIsSkippedByTheEngine) {
  EXPECT_EQ(Column("SELECT n FROM t LIMIT 3 OFFSET 5"), "6 7 8");
  EXPECT_FALSE(LastOptions().contains("offset"));
  EXPECT_EQ(LastOptions()["limit"], 8);
  EXPECT_EQ(Column("SELECT n FROM t LIMIT 3 OFFSET 50"), "");
}

TEST_F(EntityTableTest, OffsetIsNeverHandedOnEvenWhenDeclared) {
  provider_.schema.applies_offset = true;
  Create();
  // SQLite 3.40 offers a compound SELECT's OFFSET to each arm, which a
  // table cannot tell from a plain one: SQLite applies it, the handler's
  // limit counts the rows it will skip.
  EXPECT_EQ(Column("SELECT n FROM t LIMIT 3 OFFSET 5"), "6 7 8");
  EXPECT_FALSE(LastOptions().contains("offset"));
  EXPECT_EQ(LastOptions()["limit"], 8);
  EXPECT_EQ(Column("SELECT n FROM t UNION ALL SELECT n FROM t LIMIT 3 OFFSET 8"), "9 10 1");
}

TEST_F(EntityTableTest, NegativeLimitIsNoLimit) {
  EXPECT_EQ(Column("SELECT n FROM t LIMIT -1 OFFSET 8"), "9 10");
  EXPECT_FALSE(LastOptions().contains("limit"));
  EXPECT_EQ(Column("SELECT n FROM t LIMIT -3"), "1 2 3 4 5 6 7 8 9 10");
  EXPECT_FALSE(LastOptions().contains("limit"));
}

TEST_F(EntityTableTest, NonBinaryCollationIsNeverPushed) {
  EXPECT_EQ(Column("SELECT count(*) FROM t WHERE status = 'OPEN' COLLATE NOCASE"), "5");
  EXPECT_TRUE(LastOptions()["conditions"].empty());
  EXPECT_TRUE(provider_.asked.back()["filters"].empty());
  // And LIMIT then stays with SQLite, since a constraint is not the handler's.
  (void)Column("SELECT n FROM t WHERE status = 'OPEN' COLLATE NOCASE LIMIT 1");
  EXPECT_FALSE(LastOptions().contains("limit"));
  EXPECT_EQ(Column("SELECT count(*) FROM t WHERE status = 'open'"), "5");
  EXPECT_EQ(provider_.asked.back()["filters"]["status"], "open");
}

// Values known only when the query runs (bound variables) are converted in
// Filter: handlers see them in the field's type, as SQLite compares them.
TEST_F(EntityTableTest, BoundValuesReachTheHandlerInTheFieldsType) {
  auto count = [&](const std::string& sql, const Value& value) {
    Result<Stmt> stmt = db_.Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    EXPECT_TRUE(stmt->Bind(1, value).ok());
    Result<bool> row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row);
    return stmt->ColumnText(0);
  };
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE n = ?", Value("7")), "1");
  EXPECT_EQ(provider_.asked.back()["filters"]["n"], 7);
  EXPECT_TRUE(provider_.asked.back()["filters"]["n"].is_number_integer());
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE status = ?", Value(5)), "0");
  EXPECT_EQ(provider_.asked.back()["filters"]["status"], "5");
  // No integer equals 'abc': the handler is not asked at all.
  size_t scans = provider_.asked.size();
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE n = ?", Value("abc")), "0");
  EXPECT_EQ(provider_.asked.size(), scans);
  // Any other comparison with it is SQLite's alone (every integer is less
  // than any text).
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE n < ?", Value("abc")), "10");
  EXPECT_TRUE(LastOptions()["conditions"].empty());
}

TEST_F(EntityTableTest, RowidComesFromTheKeyNotThePosition) {
  EXPECT_EQ(Column("SELECT rowid FROM t WHERE n = 7"), "7");
  EXPECT_EQ(Column("SELECT rowid FROM t LIMIT 1 OFFSET 6"), "7");
  provider_.schema.fields[0].primary_key = false;
  Create();
  EXPECT_NE(Column("SELECT rowid FROM t LIMIT 1").find("has no primary key"), std::string::npos);
}

TEST(RowidOfTest, TextKeysHashTheSameEveryTime) {
  EntitySchema schema{"c", "e", {{"id", "string", false, false, true}}};
  Result<int64_t> a = RowidOf(schema, Value{{"id", "t7"}}, 1);
  Result<int64_t> b = RowidOf(schema, Value{{"id", "t7"}, {"other", 1}}, 9);
  Result<int64_t> c = RowidOf(schema, Value{{"id", "t8"}}, 1);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_GE(*a, 0);
  Result<int64_t> missing = RowidOf(schema, Value{{"x", 1}}, 3);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "connector 'c', entity 'e', row 3, field 'id': the primary key is missing, so the row "
            "has no rowid");
}

TEST(CoerceRowTest, RequiredFieldsAreEnforced) {
  EntitySchema schema{
      "c", "e", {{"id", "integer"}, {"owner", "string", false, false, false, true}}};
  Result<std::vector<Value>> missing = CoerceRow(schema, Value{{"id", 1}}, 4);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "connector 'c', entity 'e', row 4, field 'owner': required, but missing");
  Result<std::vector<Value>> null = CoerceRow(schema, Value{{"id", 1}, {"owner", nullptr}}, 5);
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(null.status().message(),
            "connector 'c', entity 'e', row 5, field 'owner': required, but null");
  EXPECT_TRUE(CoerceRow(schema, Value{{"id", 1}, {"owner", "ann"}}, 6).ok());
}

TEST(IdentifierTest, QuotesAndNames) {
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_TRUE(CheckName("café", "entity").ok());
  EXPECT_TRUE(CheckName("名前_2", "entity").ok());
  EXPECT_TRUE(CheckName("_x", "entity").ok());
  Status quote = CheckName("x');DROP", "entity");
  EXPECT_EQ(quote.message(),
            "entity name 'x');DROP' contains ''' (U+0027) at byte 2; a name holds letters, digits "
            "and '_', "
            "and does not start with a digit");
  EXPECT_FALSE(CheckName("a b", "entity").ok());
  EXPECT_FALSE(CheckName("a\tb", "entity").ok());
  EXPECT_FALSE(CheckName("a\xC2\xA0"
                         "b",
                         "entity")
                   .ok());  // U+00A0
  EXPECT_FALSE(CheckName("1st", "entity").ok());
  EXPECT_FALSE(CheckName("a-b", "entity").ok());
  EXPECT_FALSE(CheckName("a.b", "entity").ok());
  EXPECT_FALSE(CheckName("\xFF", "entity").ok());
  EXPECT_FALSE(CheckName("", "entity").ok());
}

}  // namespace
}  // namespace sluice
