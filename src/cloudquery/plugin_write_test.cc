// Inserts cut under a byte budget: each one record (schema + one batch),
// all rows once and in order, and a row too big alone an error naming the
// table and the row.
#include "cloudquery/plugin_write.h"

#include <gtest/gtest.h>

namespace sluice::cq {
namespace {

ArrowSchema Items() {
  ArrowSchema schema;
  ArrowField id;
  id.name = "id";
  id.type.id = TypeId::kInt;
  id.type.bit_width = 64;
  ArrowField label;
  label.name = "label";
  label.type.id = TypeId::kUtf8;
  schema.fields = {id, label};
  schema.metadata = {{"cq:table_name", "items"}};
  return schema;
}

std::vector<Row> Rows(int count, size_t label_bytes) {
  std::vector<Row> rows;
  for (int i = 0; i < count; ++i) rows.push_back({Value(i), Value(std::string(label_bytes, 'a' + i % 26))});
  return rows;
}

TEST(EncodeInsertsTest, SplitsUnderTheBudgetKeepingEveryRowInOrder) {
  std::vector<Row> rows = Rows(1000, 1000);  // ~1 MB
  Result<std::vector<std::string>> records = EncodeInserts(Items(), rows, 64 * 1024, "items");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_GT(records->size(), 10u);
  int64_t next = 0;
  for (const std::string& record : *records) {
    EXPECT_LE(record.size(), 64u * 1024);
    Result<DecodedRecord> decoded = DecodeRecord(record);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(MetadataValue(decoded->schema.metadata, "cq:table_name"), "items");
    for (const Row& row : decoded->rows) EXPECT_EQ(row[0], Value(next++));
  }
  EXPECT_EQ(next, 1000);
}

TEST(EncodeInsertsTest, FewRowsAreOneRecord) {
  Result<std::vector<std::string>> records = EncodeInserts(Items(), Rows(3, 10), kInsertBudgetBytes, "items");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(DecodeRecord(records->front())->rows.size(), 3u);
  EXPECT_TRUE(EncodeInserts(Items(), {}, kInsertBudgetBytes, "items")->empty());
}

TEST(EncodeInsertsTest, ARowOverTheBudgetIsAnErrorNamingTableAndRow) {
  std::vector<Row> rows = Rows(5, 10);
  rows[3][1] = Value(std::string(70 * 1024, 'z'));
  Result<std::vector<std::string>> records = EncodeInserts(Items(), rows, 64 * 1024, "items", 100);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().kind(), ErrorKind::kDestination);
  EXPECT_NE(records.status().message().find("table 'items': row 104 of the batch is "), std::string::npos)
      << records.status().message();
  EXPECT_NE(records.status().message().find("more than the 65536-byte limit"), std::string::npos);
}

TEST(EncodeInsertsTest, ManyCellsInFewBytesAreSplitToWhatAReaderTakes) {
  // 300k booleans are 37 KB of values, but more cells than one record may
  // hold: split, every row kept in order, each record decodable.
  ArrowSchema flags;
  ArrowField flag;
  flag.name = "flag";
  flag.type.id = TypeId::kBool;
  flags.fields = {flag};
  flags.metadata = {{"cq:table_name", "flags"}};
  std::vector<Row> rows;
  for (int i = 0; i < 300'000; ++i) rows.push_back({Value(i % 3 == 0)});
  Result<std::vector<std::string>> records =
      EncodeInserts(flags, rows, kInsertBudgetBytes, "flags");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_GT(records->size(), 1u);
  size_t next = 0;
  for (const std::string& record : *records) {
    Result<DecodedRecord> decoded = DecodeRecord(record);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    for (const Row& row : decoded->rows) EXPECT_EQ(row[0], Value(next++ % 3 == 0));
  }
  EXPECT_EQ(next, rows.size());
}

TEST(EncodeInsertsTest, ACellTheCodecRefusesNamesTheRows) {
  std::vector<Row> rows = Rows(2, 1);
  rows[1][0] = Value::object();  // not an integer
  Result<std::vector<std::string>> records = EncodeInserts(Items(), rows, kInsertBudgetBytes, "items");
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("table 'items', rows 1..2 of the batch"), std::string::npos)
      << records.status().message();
}

}  // namespace
}  // namespace sluice::cq
