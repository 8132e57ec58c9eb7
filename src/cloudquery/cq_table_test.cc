#include "cloudquery/cq_table.h"

#include <gtest/gtest.h>

namespace sluice::cq {
namespace {

CqTable SampleTable() {
  Value fields = Value::parse(R"({
    "id": {"type": "string", "primary_key": true, "required": true},
    "n": {"type": "integer"},
    "score": {"type": "number"},
    "ok": {"type": "boolean", "unique": true},
    "at": {"type": "timestamp"},
    "day": {"type": "date"},
    "doc": {"type": "document"},
    "tags": {"type": "array"},
    "small": {"type": "integer", "arrow": "int16"},
    "uid": {"type": "string", "arrow": "uuid"},
    "名前": {"type": "string"}
  })");
  Result<CqTable> table = TableOfFields("items", fields, "at", "parents");
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? *table : CqTable{};
}

TEST(CqTableTest, FieldsMapToArrowTypes) {
  CqTable t = SampleTable();
  ASSERT_EQ(t.columns.size(), 11u);
  std::vector<std::string> types;
  for (const CqColumn& c : t.columns) types.push_back(TypeText(c.arrow));
  EXPECT_EQ(types,
            (std::vector<std::string>{"utf8", "int64", "float64", "bool", "timestamp[us, UTC]",
                                      "date32", "json", "json", "int16", "uuid", "utf8"}));
  EXPECT_TRUE(t.columns[0].primary_key);
  EXPECT_TRUE(t.columns[0].not_null());
  EXPECT_FALSE(t.columns[1].not_null());
  EXPECT_TRUE(t.columns[3].unique);
  EXPECT_TRUE(t.columns[4].incremental);
  EXPECT_TRUE(t.incremental);
  EXPECT_EQ(t.parent, "parents");
}

TEST(CqTableTest, SchemaCarriesEveryCloudQueryKey) {
  CqTable t = SampleTable();
  t.title = "Items";
  t.description = "All items";
  t.constraint_name = "items_cqpk";
  ArrowSchema s = SchemaOfTable(t);
  EXPECT_EQ(s.metadata, (Metadata{{"cq:table_name", "items"},
                                  {"cq:table_title", "Items"},
                                  {"cq:table_description", "All items"},
                                  {"cq:extension:constraint_name", "items_cqpk"},
                                  {"cq:extension:incremental", "true"},
                                  {"cq:table_depends_on", "parents"}}));
  EXPECT_EQ(s.fields[0].metadata, (Metadata{{"cq:extension:primary_key", "true"},
                                            {"cq:extension:unique", "false"},
                                            {"cq:extension:incremental", "false"}}));
  // Extension keys stay first, CloudQuery's follow.
  const Metadata& uid = s.fields[9].metadata;
  ASSERT_EQ(uid.size(), 5u);
  EXPECT_EQ(uid[0].first, "ARROW:extension:name");
  EXPECT_EQ(MetadataValue(uid, "cq:extension:primary_key"), "false");
  // A top-level, non-incremental table writes neither optional key.
  CqTable plain;
  plain.name = "p";
  ArrowSchema ps = SchemaOfTable(plain);
  EXPECT_EQ(ps.metadata.size(), 4u);
  EXPECT_EQ(MetadataValue(ps.metadata, "cq:extension:constraint_name"), "");
}

TEST(CqTableTest, RoundTripThroughIpcBytes) {
  CqTable t = SampleTable();
  Result<ArrowSchema> decoded = DecodeSchema(EncodeSchema(SchemaOfTable(t)));
  ASSERT_TRUE(decoded.ok());
  Result<CqTable> back = TableOfSchema(*decoded);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, "items");
  EXPECT_EQ(back->parent, "parents");
  EXPECT_TRUE(back->incremental);
  ASSERT_EQ(back->columns.size(), t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i) {
    EXPECT_EQ(back->columns[i].arrow.name, t.columns[i].arrow.name);
    EXPECT_EQ(TypeText(back->columns[i].arrow), TypeText(t.columns[i].arrow));
    EXPECT_EQ(back->columns[i].arrow.metadata, t.columns[i].arrow.metadata);
    EXPECT_EQ(back->columns[i].primary_key, t.columns[i].primary_key);
    EXPECT_EQ(back->columns[i].unique, t.columns[i].unique);
    EXPECT_EQ(back->columns[i].incremental, t.columns[i].incremental);
    EXPECT_EQ(back->columns[i].not_null(), t.columns[i].not_null());
  }
  Value fields = FieldsOfTable(*back);
  EXPECT_EQ(fields["id"],
            Value::parse(R"({"type":"string","primary_key":true,"required":true,"arrow":"utf8"})"));
  EXPECT_EQ(fields["small"]["type"], "integer");
  EXPECT_EQ(fields["small"]["arrow"], "int16");
  EXPECT_EQ(fields["uid"]["type"], "string");
  EXPECT_EQ(fields["doc"]["type"], "document");
  // FIELDS → table → FIELDS is stable.
  Result<CqTable> again = TableOfFields("items", fields, "at", "parents");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(FieldsOfTable(*again), fields);
}

TEST(CqTableTest, ArrowTypesMapBackToFieldsTypes) {
  auto type_of = [](const char* text) {
    Result<ArrowField> f = FieldOfTypeText("c", text);
    EXPECT_TRUE(f.ok()) << text;
    return FieldsTypeOf(*f);
  };
  EXPECT_EQ(type_of("uint8"), "integer");
  EXPECT_EQ(type_of("duration[s]"), "integer");
  EXPECT_EQ(type_of("decimal128(10, 2)"), "number");
  EXPECT_EQ(type_of("float32"), "number");
  EXPECT_EQ(type_of("binary"), "string");
  EXPECT_EQ(type_of("inet"), "string");
  EXPECT_EQ(type_of("mac"), "string");
  EXPECT_EQ(type_of("time64[us]"), "string");
  EXPECT_EQ(type_of("interval[day_time]"), "string");
  EXPECT_EQ(type_of("timestamp[ms]"), "timestamp");
  EXPECT_EQ(type_of("date64"), "date");
  EXPECT_EQ(type_of("struct<a: int64>"), "document");
  EXPECT_EQ(type_of("map<utf8, utf8>"), "document");
  EXPECT_EQ(type_of("json"), "document");
  EXPECT_EQ(type_of("large_list<utf8>"), "array");
}

TEST(CqTableTest, Errors) {
  ArrowSchema no_name;
  Result<CqTable> t = TableOfSchema(no_name);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("cq:table_name"), std::string::npos);
  EXPECT_FALSE(TableOfFields("t", Value::parse(R"({"a": {"type": "blob"}})"), "", "").ok());
  EXPECT_FALSE(
      TableOfFields("t", Value::parse(R"({"a": {"type": "string", "arrow": "int7"}})"), "", "")
          .ok());
  EXPECT_FALSE(
      TableOfFields("t", Value::parse(R"({"a": {"type": "string"}})"), "missing", "").ok());
  EXPECT_FALSE(TableOfFields("t", Value::array(), "", "").ok());
  // Only "true" reads as true.
  ArrowSchema s;
  s.metadata = {{"cq:table_name", "x"}, {"cq:extension:incremental", "TRUE"}};
  ArrowField f;
  f.name = "a";
  f.type.id = TypeId::kUtf8;
  f.metadata = {{"cq:extension:primary_key", "1"}};
  s.fields.push_back(f);
  Result<CqTable> loose = TableOfSchema(s);
  ASSERT_TRUE(loose.ok());
  EXPECT_FALSE(loose->incremental);
  EXPECT_FALSE(loose->columns[0].primary_key);
}

}  // namespace
}  // namespace sluice::cq
