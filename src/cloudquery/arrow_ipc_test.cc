#include "cloudquery/arrow_ipc.h"

#include <gtest/gtest.h>

#include <cstring>

#include "cloudquery/arrow_format_generated.h"

#include <cmath>
#include <limits>

namespace sluice::cq {
namespace {

ArrowField F(const std::string& name, const std::string& type, bool nullable = true) {
  Result<ArrowField> f = FieldOfTypeText(name, type);
  EXPECT_TRUE(f.ok()) << type << ": " << f.status().ToString();
  ArrowField out = f.ok() ? f.value() : ArrowField{};
  out.nullable = nullable;
  return out;
}

ArrowSchema S(std::vector<ArrowField> fields, Metadata metadata = {}) {
  ArrowSchema s;
  s.fields = std::move(fields);
  s.metadata = std::move(metadata);
  return s;
}

// Encodes `rows`, decodes them back, and returns the decoded rows.
std::vector<Row> RoundTrip(const ArrowSchema& schema, const std::vector<Row>& rows) {
  Result<std::string> bytes = EncodeRecord(schema, rows);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  Result<DecodedRecord> decoded = DecodeRecord(*bytes);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  if (!decoded.ok()) return {};
  EXPECT_EQ(decoded->schema.fields.size(), schema.fields.size());
  for (size_t i = 0; i < schema.fields.size() && i < decoded->schema.fields.size(); ++i) {
    EXPECT_EQ(TypeText(decoded->schema.fields[i]), TypeText(schema.fields[i]));
    EXPECT_EQ(decoded->schema.fields[i].name, schema.fields[i].name);
    EXPECT_EQ(decoded->schema.fields[i].nullable, schema.fields[i].nullable);
    EXPECT_EQ(decoded->schema.fields[i].metadata, schema.fields[i].metadata);
  }
  EXPECT_EQ(decoded->schema.metadata, schema.metadata);
  return decoded->rows;
}

// One column of `type`: values in, values expected out.
void ExpectColumn(const std::string& type, const std::vector<Value>& in,
                  const std::vector<Value>& want) {
  ArrowSchema schema = S({F("c", type)});
  std::vector<Row> rows;
  for (const Value& v : in) rows.push_back({v});
  std::vector<Row> got = RoundTrip(schema, rows);
  ASSERT_EQ(got.size(), want.size()) << type;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i][0], want[i]) << type << " row " << i;
}
void ExpectSame(const std::string& type, const std::vector<Value>& values) {
  ExpectColumn(type, values, values);
}

Status EncodeError(const std::string& type, const Value& v) {
  Result<std::string> r = EncodeRecord(S({F("c", type)}), {{v}});
  EXPECT_FALSE(r.ok()) << type << " accepted " << v.dump();
  return r.ok() ? Status() : r.status();
}

void ExpectRejected(const std::string& type, const Value& v) { (void)EncodeError(type, v); }

TEST(ArrowIpcTest, StreamFramingOfASchema) {
  std::string bytes = EncodeSchema(S({F("a", "int64")}, {{"cq:table_name", "t"}}));
  ASSERT_GE(bytes.size(), 16u);
  uint32_t cont, size;
  std::memcpy(&cont, bytes.data(), 4);
  std::memcpy(&size, bytes.data() + 4, 4);
  EXPECT_EQ(cont, 0xFFFFFFFFu);
  EXPECT_EQ((8 + size) % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + size + 8);
  EXPECT_EQ(bytes.substr(bytes.size() - 8), std::string("\xFF\xFF\xFF\xFF\0\0\0\0", 8));
  Result<ArrowSchema> schema = DecodeSchema(bytes);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ(schema->metadata, (Metadata{{"cq:table_name", "t"}}));
  ASSERT_EQ(schema->fields.size(), 1u);
  EXPECT_EQ(TypeText(schema->fields[0]), "int64");
}

TEST(ArrowIpcTest, RecordMessagesArePaddedToEight) {
  Result<std::string> bytes = EncodeRecord(S({F("s", "utf8")}), {{"abc"}, {nullptr}, {"defgh"}});
  ASSERT_TRUE(bytes.ok());
  // Walk: schema, batch, EOS; every boundary on 8.
  size_t pos = 0;
  int messages = 0;
  while (true) {
    ASSERT_EQ(pos % 8, 0u);
    uint32_t size;
    std::memcpy(&size, bytes->data() + pos + 4, 4);
    if (size == 0) break;
    ++messages;
    pos += 8 + size;
    if (messages == 2) pos = bytes->size() - 8;  // the body follows; skip to EOS
  }
  EXPECT_EQ(messages, 2);
  EXPECT_EQ(bytes->size() % 8, 0u);
}

TEST(ArrowIpcTest, Integers) {
  ExpectSame("int8", {-128, 127, 0, nullptr});
  ExpectSame("int16", {-32768, 32767, nullptr});
  ExpectSame("int32", {int64_t(-2147483648LL), 2147483647, nullptr});
  ExpectSame("int64",
             {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), nullptr});
  ExpectSame("uint8", {0, 255, nullptr});
  ExpectSame("uint16", {65535});
  ExpectSame("uint32", {int64_t(4294967295LL)});
  ExpectColumn("uint64", {uint64_t(18446744073709551615ULL), 5},
               {double(18446744073709551615ULL), 5});
  // Coercions: integral numbers and integer text.
  ExpectColumn("int64", {"42", 7.0, "-3"}, {42, 7, -3});
}

TEST(ArrowIpcTest, IntegersOutOfRangeNameColumnAndRow) {
  Result<std::string> r = EncodeRecord(S({F("small", "int8")}), {{1}, {2}, {300}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kType);
  EXPECT_NE(r.status().message().find("\"small\""), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("row 2"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("out of range for int8"), std::string::npos);
  ExpectRejected("uint8", -1);
  ExpectRejected("int64", "forty-two");
  ExpectRejected("int64", 1.5);
  ExpectRejected("int64", true);
  ExpectRejected("uint64", "-1");
  ExpectRejected("int32", int64_t(1) << 40);
}

TEST(ArrowIpcTest, Floats) {
  ExpectSame("float64", {1.5, -2.25, 0.0, nullptr, 1e300});
  ExpectSame("float32", {1.5, -2.25, nullptr});
  ExpectColumn("float64", {3, "2.5"}, {3.0, 2.5});
  ExpectRejected("float64", "abc");
  ExpectRejected("float16", 1.0);
}

// float64 holds NaN and ±Infinity: they travel as such, never as null.
TEST(ArrowIpcTest, FloatsKeepNanAndInfinity) {
  const double inf = std::numeric_limits<double>::infinity();
  for (const std::string type : {"float64", "float32"}) {
    std::vector<Row> rows = RoundTrip(S({F("x", type)}), {{Value(std::nan(""))}, {Value(inf)},
                                                          {Value(-inf)}, {Value("NaN")}});
    ASSERT_EQ(rows.size(), 4u) << type;
    ASSERT_TRUE(rows[0][0].is_number_float()) << type << ": " << rows[0][0].type_name();
    EXPECT_TRUE(std::isnan(rows[0][0].get<double>())) << type;
    EXPECT_EQ(rows[1][0].get<double>(), inf) << type;
    EXPECT_EQ(rows[2][0].get<double>(), -inf) << type;
    EXPECT_TRUE(rows[3][0].is_number_float() && std::isnan(rows[3][0].get<double>())) << type;
  }
}

TEST(ArrowIpcTest, StringsAndBinary) {
  ExpectSame("utf8", {"", "hello", nullptr, "ünïcødé ✓ 日本"});
  ExpectSame("large_utf8", {"a", nullptr, "bcd"});
  ExpectColumn("utf8", {12, true}, {"12", "true"});
  ExpectSame("binary", {"AAEC/w==", nullptr, ""});
  ExpectSame("large_binary", {"aGVsbG8=", nullptr});
  ExpectSame("fixed_size_binary[3]", {"AQID", nullptr});
  ExpectRejected("binary", "not base64!");
  ExpectRejected("fixed_size_binary[3]", "AQIDBA==");
  ExpectRejected("utf8", Value::array({1}));
  ExpectRejected("utf8", std::string("\xff\xfe"));
}

TEST(ArrowIpcTest, Bool) {
  ExpectSame("bool", {true, false, nullptr, true, true, false, true, false, true, false});
  ExpectColumn("bool", {"true", 0}, {true, false});
  ExpectRejected("bool", "yes");
}

TEST(ArrowIpcTest, DatesAndTimes) {
  ExpectSame("date32", {"2024-02-29", "1969-12-31", "1970-01-01", nullptr});
  ExpectSame("date64", {"2024-02-29", "1900-01-01"});
  ExpectColumn("date32", {"2024-01-02T10:00:00Z", 1}, {"2024-01-02", "1970-01-02"});
  ExpectRejected("date32", "2023-02-29");
  ExpectRejected("date32", "yesterday");
  ExpectSame("time32[s]", {"00:00:00", "23:59:59", nullptr});
  ExpectSame("time32[ms]", {"12:34:56.789"});
  ExpectSame("time64[us]", {"12:34:56.789012"});
  ExpectSame("time64[ns]", {"12:34:56.789012345"});
  ExpectColumn("time64[us]", {"01:02:03", 1000000}, {"01:02:03.000000", "00:00:01.000000"});
  ExpectRejected("time32[s]", "25:00:00");
}

TEST(ArrowIpcTest, Timestamps) {
  ExpectSame("timestamp[us, UTC]",
             {"2024-01-02T03:04:05.123456Z", "1969-12-31T23:59:59.999999Z", nullptr});
  ExpectSame("timestamp[s, UTC]", {"2024-01-02T03:04:05Z"});
  ExpectSame("timestamp[ms, UTC]", {"2024-01-02T03:04:05.123Z"});
  ExpectSame("timestamp[ns, UTC]", {"2024-01-02T03:04:05.123456789Z"});
  ExpectSame("timestamp[us]", {"2024-01-02T03:04:05.000000"});
  // Offsets, a space separator, a bare date, truncated extra digits, and an
  // integer epoch in the column's unit.
  ExpectColumn("timestamp[ms, UTC]",
               {"2024-01-02T05:04:05+02:00", "2024-01-02 03:04:05.9999Z", "2024-01-02",
                int64_t(1000), "2024-01-01T22:04:05-0500"},
               {"2024-01-02T03:04:05.000Z", "2024-01-02T03:04:05.999Z", "2024-01-02T00:00:00.000Z",
                "1970-01-01T00:00:01.000Z", "2024-01-02T03:04:05.000Z"});
  ExpectRejected("timestamp[us, UTC]", "2024-13-01T00:00:00Z");
  ExpectRejected("timestamp[us, UTC]", "now");
  ExpectRejected("timestamp[ns, UTC]", "9999-01-01T00:00:00Z");  // past int64 nanoseconds
}

TEST(ArrowIpcTest, DurationIntervalDecimal) {
  ExpectSame("duration[s]", {5, -3, nullptr});
  ExpectSame("duration[ns]", {int64_t(1) << 60});
  ExpectSame("interval[year_month]", {Value{{"months", 14}}, nullptr});
  ExpectSame("interval[day_time]", {Value{{"days", 3}, {"milliseconds", 500}}});
  ExpectSame("interval[month_day_nano]", {Value{{"months", 1}, {"days", 2}, {"nanoseconds", 3}}});
  ExpectColumn("interval[month_day_nano]", {Value{{"days", 2}}},
               {Value{{"months", 0}, {"days", 2}, {"nanoseconds", 0}}});
  ExpectRejected("interval[year_month]", Value{{"days", 1}});
  ExpectSame("decimal128(19, 10)", {"123.4500000000", "-0.0000000001", "0.0000000000", nullptr});
  ExpectColumn("decimal128(5, 2)", {"1.5", 2, 3.25, "-999.99"},
               {"1.50", "2.00", "3.25", "-999.99"});
  ExpectSame("decimal128(38, 0)",
             {"99999999999999999999999999999999999999", "-99999999999999999999999999999999999999"});
  ExpectRejected("decimal128(5, 2)", "1000.00");
  ExpectRejected("decimal128(5, 2)", "1.234");
  ExpectRejected("decimal128(5, 2)", "abc");
}

TEST(ArrowIpcTest, NullColumn) {
  ExpectSame("null", {nullptr, nullptr});
  ExpectRejected("null", 1);
}

TEST(ArrowIpcTest, Extensions) {
  ExpectSame("uuid", {"123e4567-e89b-12d3-a456-426614174000", nullptr});
  ExpectColumn("uuid", {"123E4567E89B12D3A456426614174000"},
               {"123e4567-e89b-12d3-a456-426614174000"});
  Status bad = EncodeError("uuid", "123e4567-e89b-12d3-a456-42661417400");
  EXPECT_NE(bad.message().find("is not a UUID"), std::string::npos);
  ExpectRejected("uuid", "123e4567+e89b-12d3-a456-426614174000");
  ExpectSame("json", {Value{{"a", 1}, {"b", Value::array({1, "x", nullptr})}}, Value::array(), 5,
                      "text", true, nullptr});
  ExpectColumn("json", {"{\"a\": [1, 2]}", "[1"}, {Value{{"a", Value::array({1, 2})}}, "[1"});
  Value deep = 1;
  for (int i = 0; i < 300; ++i) deep = Value::array({deep});
  ExpectRejected("json", deep);
  ExpectRejected("json", std::string(300, '[') + std::string(300, ']'));
  Value ok = 1;
  for (int i = 0; i < 200; ++i) ok = Value::array({ok});
  ExpectSame("json", {ok});
  ExpectSame("inet", {"192.168.0.1/24", "::1", nullptr});
  ExpectSame("mac", {"00:1a:2b:3c:4d:5e", nullptr});
  ExpectColumn("mac", {"00-1A-2B-3C-4D-5E"}, {"00:1a:2b:3c:4d:5e"});
  ExpectRejected("mac", "00:1a:zz");
  // Exact extension metadata and storage.
  ArrowField u = UuidField("id");
  EXPECT_EQ(u.type.id, TypeId::kFixedSizeBinary);
  EXPECT_EQ(u.type.byte_width, 16);
  EXPECT_EQ(MetadataValue(u.metadata, "ARROW:extension:name"), "uuid");
  EXPECT_EQ(MetadataValue(u.metadata, "ARROW:extension:metadata"), "uuid-serialized");
  for (auto [field, name] :
       {std::pair{JsonField("x"), "json"}, {InetField("x"), "inet"}, {MacField("x"), "mac"}}) {
    EXPECT_EQ(field.type.id, TypeId::kBinary);
    EXPECT_EQ(MetadataValue(field.metadata, "ARROW:extension:name"), name);
    EXPECT_EQ(MetadataValue(field.metadata, "ARROW:extension:metadata"),
              std::string(name) + "-serialized");
    EXPECT_EQ(field.Extension(), name);
  }
}

TEST(ArrowIpcTest, ListsStructsMaps) {
  ExpectSame("list<utf8>",
             {Value::array({"a", "b"}), Value::array(), nullptr, Value::array({nullptr, "c"})});
  ExpectSame("large_list<int64>", {Value::array({1, 2, 3}), nullptr});
  ExpectSame("fixed_size_list<int32>[2]",
             {Value::array({1, 2}), nullptr, Value::array({3, nullptr})});
  ExpectRejected("fixed_size_list<int32>[2]", Value::array({1}));
  ExpectSame("struct<a: int64, b: utf8>",
             {Value{{"a", 1}, {"b", "x"}}, nullptr, Value{{"a", nullptr}, {"b", nullptr}}});
  ExpectColumn("struct<a: int64, b: utf8>", {Value{{"b", "only"}}},
               {Value{{"a", nullptr}, {"b", "only"}}});
  ExpectRejected("struct<a: int64>", Value{{"zzz", 1}});
  ExpectSame("list<struct<name: utf8, tags: list<utf8>, n: int32 not null>>",
             {Value::array({Value{{"name", "x"}, {"tags", Value::array({"p", "q"})}, {"n", 1}},
                            Value{{"name", nullptr}, {"tags", nullptr}, {"n", 2}}}),
              nullptr, Value::array()});
  Value entries =
      Value::array({Value{{"key", "a"}, {"value", 1}}, Value{{"key", "b"}, {"value", nullptr}}});
  ExpectSame("map<utf8, int64>", {entries, nullptr, Value::array()});
  ExpectColumn(
      "map<utf8, int64>", {Value{{"x", 1}, {"y", 2}}},
      {Value::array({Value{{"key", "x"}, {"value", 1}}, Value{{"key", "y"}, {"value", 2}}})});
  ExpectSame("map<int64, list<utf8>>",
             {Value::array({Value{{"key", 7}, {"value", Value::array({"s"})}}})});
  ExpectRejected("list<int64>", Value::array({"x"}));
  Status nested =
      EncodeError("list<struct<a: int8>>", Value::array({Value{{"a", 1}}, Value{{"a", 1000}}}));
  EXPECT_NE(nested.message().find("c[].a"), std::string::npos) << nested.message();
}

TEST(ArrowIpcTest, TypeTextRoundTrips) {
  for (const char* text : {"null",
                           "bool",
                           "int8",
                           "uint64",
                           "float16",
                           "float32",
                           "float64",
                           "decimal128(19, 10)",
                           "utf8",
                           "large_utf8",
                           "binary",
                           "large_binary",
                           "fixed_size_binary[16]",
                           "date32",
                           "date64",
                           "time32[s]",
                           "time32[ms]",
                           "time64[us]",
                           "time64[ns]",
                           "timestamp[us]",
                           "timestamp[ns, UTC]",
                           "timestamp[ms, America/New_York]",
                           "duration[ms]",
                           "interval[year_month]",
                           "interval[day_time]",
                           "interval[month_day_nano]",
                           "list<utf8>",
                           "large_list<int64 not null>",
                           "fixed_size_list<float64>[3]",
                           "struct<a: int64, b: utf8>",
                           "struct<>",
                           "struct<\"odd name\": int8, \"ä\": utf8 not null>",
                           "map<utf8, int64>",
                           "map<utf8, list<utf8>>[sorted]",
                           "uuid",
                           "json",
                           "inet",
                           "mac",
                           "list<struct<x: json, y: uuid>>"}) {
    Result<ArrowField> f = FieldOfTypeText("c", text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    EXPECT_EQ(TypeText(*f), text);
  }
  for (const char* bad :
       {"", "int7", "list<", "time32[us]", "struct<a int64>", "timestamp[xs]", "utf8 junk",
        "decimal128(5, 1000000000)", "decimal128(0, 0)", "decimal128(39, 2)",
        "fixed_size_binary[2000000000]", "fixed_size_list<int8>[2000000000]"}) {
    EXPECT_FALSE(FieldOfTypeText("c", bad).ok()) << bad;
  }
}

TEST(ArrowIpcTest, EveryTypeAtOnceWithMetadataAndUnicodeNames) {
  ArrowSchema schema = S({F("id", "int64", false), F("naïve 名前", "utf8"),
                          F("ts", "timestamp[us, UTC]"), F("doc", "json"), F("u", "uuid"),
                          F("tags", "list<utf8>"), F("st", "struct<a: int64, b: bool>")},
                         {{"cq:table_name", "tbl"}, {"cq:table_title", "Tïtle"}});
  schema.fields[0].metadata = {{"cq:extension:primary_key", "true"}};
  std::vector<Row> rows;
  for (int i = 0; i < 100; ++i) {
    rows.push_back({i, i % 3 ? Value("s" + std::to_string(i)) : Value(nullptr),
                    "2024-01-02T03:04:05.000000Z", Value{{"i", i}},
                    "123e4567-e89b-12d3-a456-426614174000", Value::array({"a"}),
                    Value{{"a", i}, {"b", i % 2 == 0}}});
  }
  EXPECT_EQ(RoundTrip(schema, rows), rows);
}

TEST(ArrowIpcTest, EmptyBatchAndSchemaOnlyStream) {
  ArrowSchema schema = S({F("a", "int64"), F("b", "list<utf8>")}, {{"cq:table_name", "t"}});
  Result<std::string> empty = EncodeRecord(schema, {});
  ASSERT_TRUE(empty.ok());
  Result<DecodedRecord> decoded = DecodeRecord(*empty);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(decoded->rows.empty());
  Result<DecodedRecord> no_batch = DecodeRecord(EncodeSchema(schema));
  ASSERT_TRUE(no_batch.ok());
  EXPECT_TRUE(no_batch->rows.empty());
  EXPECT_EQ(no_batch->schema.fields.size(), 2u);
}

TEST(ArrowIpcTest, NotNullAndRowWidthAreChecked) {
  Result<std::string> r = EncodeRecord(S({F("id", "int64", false)}), {{1}, {nullptr}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("row 1: null in a NOT NULL column"), std::string::npos);
  EXPECT_FALSE(EncodeRecord(S({F("a", "int64")}), {{1, 2}}).ok());
}

TEST(ArrowIpcTest, LegacyFramingWithoutContinuationIsRead) {
  Result<std::string> bytes = EncodeRecord(S({F("a", "utf8")}), {{"x"}, {"y"}});
  ASSERT_TRUE(bytes.ok());
  // Drop every continuation marker: messages then start with the size.
  std::string legacy;
  size_t pos = 0;
  const std::string& b = *bytes;
  for (int m = 0; m < 2; ++m) {
    uint32_t size;
    std::memcpy(&size, b.data() + pos + 4, 4);
    legacy += b.substr(pos + 4, 4 + size);
    pos += 8 + size;
    if (m == 1) {
      legacy += b.substr(pos, b.size() - 8 - pos);
      pos = b.size() - 8;
    }
  }
  legacy += std::string(4, '\0');
  Result<DecodedRecord> decoded = DecodeRecord(legacy);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->rows, (std::vector<Row>{{"x"}, {"y"}}));
}

// --- hostile bytes ------------------------------------------------------------

std::string SampleRecord() {
  Result<std::string> bytes = EncodeRecord(S({F("a", "utf8"), F("b", "list<int64>")}),
                                           {{"hello", Value::array({1, 2})}, {"x", nullptr}});
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

TEST(ArrowIpcTest, TruncatedInputIsAnErrorAtEveryLength) {
  std::string bytes = SampleRecord();
  for (size_t n = 0; n + 8 < bytes.size(); ++n) {
    Result<DecodedRecord> r = DecodeRecord(std::string_view(bytes).substr(0, n));
    // Cut exactly after a complete message, the stream just ends early.
    if (r.ok()) {
      EXPECT_TRUE(r->rows.empty() || r->rows.size() == 2) << n;
    }
  }
  EXPECT_FALSE(DecodeRecord(std::string_view(bytes).substr(0, 5)).ok());
  EXPECT_FALSE(DecodeRecord("").ok());
}

TEST(ArrowIpcTest, WrongContinuationAndGarbageFailVerification) {
  std::string bytes = SampleRecord();
  std::string wrong = bytes;
  wrong[0] = '\x01';  // now a legacy size of 0x...01: past the end
  Result<DecodedRecord> r = DecodeRecord(wrong);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kParse);
  std::string garbage = bytes;
  for (size_t i = 8; i < 64; ++i) garbage[i] = char(0xA5);
  r = DecodeRecord(garbage);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("verification"), std::string::npos) << r.status().message();
}

TEST(ArrowIpcTest, FlippingAnyByteNeverCrashes) {
  std::string bytes = SampleRecord();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t x : {0x01, 0x80, 0xFF}) {
      std::string b = bytes;
      b[i] = char(uint8_t(b[i]) ^ x);
      (void)DecodeRecord(b);
      (void)DecodeSchema(b);
    }
  }
}

// The record batch message of a stream (schema first), for surgery.
struct Parts {
  std::string schema_msg, batch_meta, body;
};

TEST(ArrowIpcTest, BufferOutOfBoundsIsRejected) {
  std::string bytes = SampleRecord();
  uint32_t schema_size;
  std::memcpy(&schema_size, bytes.data() + 4, 4);
  size_t batch_at = 8 + schema_size;
  uint32_t batch_size;
  std::memcpy(&batch_size, bytes.data() + batch_at + 4, 4);
  // Shrink the stream's view of the body: the last buffer then lies outside.
  // Find body length inside the flatbuffer and patch every int64 equal to it.
  size_t body_at = batch_at + 8 + batch_size;
  int64_t body_len = int64_t(bytes.size() - 8 - body_at);
  std::string patched = bytes;
  int patched_count = 0;
  for (size_t i = batch_at + 8; i + 8 <= body_at; ++i) {
    int64_t v;
    std::memcpy(&v, patched.data() + i, 8);
    if (v == body_len) {
      int64_t smaller = 8;
      std::memcpy(patched.data() + i, &smaller, 8);
      ++patched_count;
    }
  }
  ASSERT_GE(patched_count, 1);
  Result<DecodedRecord> r = DecodeRecord(patched);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("outside"), std::string::npos) << r.status().message();
}

TEST(ArrowIpcTest, OffsetsDecreasingAreRejected) {
  Result<std::string> bytes = EncodeRecord(S({F("a", "utf8")}), {{"aaaa"}, {"bbbb"}});
  ASSERT_TRUE(bytes.ok());
  std::string b = *bytes;
  // offsets 0,4,8 as int32 in the body: make the middle one 9.
  std::string needle("\0\0\0\0\4\0\0\0\x08\0\0\0", 12);
  size_t at = b.rfind(needle);
  ASSERT_NE(at, std::string::npos);
  b[at + 4] = 9;
  Result<DecodedRecord> r = DecodeRecord(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"a\""), std::string::npos) << r.status().message();
}

TEST(ArrowIpcTest, InvalidJsonInAJsonColumnIsAnError) {
  ArrowSchema schema = S({F("doc", "binary")});
  Result<std::string> bytes = EncodeRecord(schema, {{"e2E6"}});  // "{a:" base64
  ASSERT_TRUE(bytes.ok());
  ArrowSchema as_json = S({F("doc", "json")});
  // Same body, schema with the json extension: re-encode schema message only.
  std::string schema_msg = EncodeSchema(as_json);
  uint32_t old_size;
  std::memcpy(&old_size, bytes->data() + 4, 4);
  std::string spliced = schema_msg.substr(0, schema_msg.size() - 8) + bytes->substr(8 + old_size);
  Result<DecodedRecord> r = DecodeRecord(spliced);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid JSON"), std::string::npos) << r.status().message();
}

TEST(ArrowIpcTest, EstimateIsNeverBelowTheRealSize) {
  ArrowSchema schema = S({F("a", "utf8"), F("b", "json"), F("c", "list<struct<x: int64, y: utf8>>"),
                          F("d", "map<utf8, utf8>"), F("e", "uuid"), F("f", "bool")});
  std::vector<Row> rows;
  size_t estimate = 0;
  for (int i = 0; i < 50; ++i) {
    Row row = {std::string(size_t(i), 'x'),
               Value{{"k\n\"", std::string(size_t(i), '\x01')}},
               Value::array({Value{{"x", i}, {"y", "yy"}}}),
               Value{{"a", "b"}},
               "123e4567-e89b-12d3-a456-426614174000",
               true};
    estimate += EstimateRowBytes(schema, row);
    rows.push_back(row);
  }
  Result<std::string> bytes = EncodeRecord(schema, rows);
  ASSERT_TRUE(bytes.ok());
  size_t schema_only = EncodeSchema(schema).size();
  EXPECT_GE(estimate + schema_only + 1024, bytes->size());
}

TEST(ArrowIpcTest, EncodeRecordsSplitsUnderTheCapAndKeepsOrder) {
  ArrowSchema schema =
      S({F("id", "int64"), F("text", "utf8"), F("doc", "json")}, {{"cq:table_name", "t"}});
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i) {
    rows.push_back({i, std::string(size_t(i % 200), 'x'), Value{{"n", i}, {"s", "ünï"}}});
  }
  const size_t cap = 64 * 1024;
  Result<std::vector<std::string>> records = EncodeRecords(schema, rows, cap);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_GT(records->size(), 3u);
  std::vector<Row> back;
  for (const std::string& record : *records) {
    EXPECT_LE(record.size(), cap);
    Result<DecodedRecord> decoded = DecodeRecord(record);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->schema.metadata, schema.metadata);
    back.insert(back.end(), decoded->rows.begin(), decoded->rows.end());
  }
  EXPECT_EQ(back, rows);
  // No rows, no records.
  Result<std::vector<std::string>> none = EncodeRecords(schema, {}, cap);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // A row too big alone is named.
  rows[2500][1] = std::string(cap, 'y');
  Result<std::vector<std::string>> big = EncodeRecords(schema, rows, cap);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("row 2500 alone"), std::string::npos)
      << big.status().message();
  // Errors in a later batch name the row by its index in the whole list.
  rows[2500][1] = "fine";
  rows[2900][0] = "not a number";
  Result<std::vector<std::string>> bad = EncodeRecords(schema, rows, cap);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("row 2900"), std::string::npos) << bad.status().message();
}

// --- streams no Sluice writer makes, built from the flatbuffers directly ----

namespace fb = ::sluice::arrow_fb;
using flatbuffers::FlatBufferBuilder;

std::string Frame(FlatBufferBuilder& fbb, const std::string& body = "") {
  std::string out("\xFF\xFF\xFF\xFF", 4);
  uint32_t padded = (fbb.GetSize() + 7) & ~7u;
  out.append(reinterpret_cast<const char*>(&padded), 4);
  out.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  out.append(padded - fbb.GetSize(), '\0');
  return out + body;
}
const std::string kEos("\xFF\xFF\xFF\xFF\0\0\0\0", 8);

// A schema message of one field "col" whose type the callback builds.
template <typename BuildType>
std::string SchemaWith(BuildType build, bool dictionary = false,
                       fb::MetadataVersion version = fb::MetadataVersion::V5) {
  FlatBufferBuilder fbb;
  auto [type_type, type] = build(fbb);
  flatbuffers::Offset<fb::DictionaryEncoding> dict = 0;
  if (dictionary) dict = fb::CreateDictionaryEncoding(fbb, 0, fb::CreateInt(fbb, 32, true));
  auto field = fb::CreateField(fbb, fbb.CreateString("col"), true, type_type, type, dict);
  auto schema = fb::CreateSchema(fbb, fb::Endianness::Little, fbb.CreateVector(&field, 1));
  fbb.Finish(fb::CreateMessage(fbb, version, fb::MessageHeader::Schema, schema.Union()));
  return Frame(fbb);
}
std::pair<fb::Type, flatbuffers::Offset<void>> Utf8Type(FlatBufferBuilder& fbb) {
  return {fb::Type::Utf8, fb::CreateUtf8(fbb).Union()};
}

TEST(ArrowIpcTest, DictionaryEncodingIsRefusedNamingTheColumn) {
  Result<ArrowSchema> r = DecodeSchema(SchemaWith(Utf8Type, true) + kEos);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kNotImplemented);
  EXPECT_NE(r.status().message().find("\"col\""), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("unsupported dictionary"), std::string::npos)
      << r.status().message();
  // A dictionary batch after a plain schema, too.
  FlatBufferBuilder fbb;
  auto batch = fb::CreateRecordBatch(fbb, 0);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::DictionaryBatch,
                               fb::CreateDictionaryBatch(fbb, 0, batch).Union()));
  Result<DecodedRecord> d = DecodeRecord(SchemaWith(Utf8Type) + Frame(fbb) + kEos);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().kind(), ErrorKind::kNotImplemented);
  EXPECT_NE(d.status().message().find("dictionary"), std::string::npos);
}

TEST(ArrowIpcTest, UnionsViewsAndRunEndEncodingAreUnsupported) {
  auto expect_unsupported = [](const std::string& stream, const std::string& name) {
    Result<ArrowSchema> r = DecodeSchema(stream + kEos);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().kind(), ErrorKind::kNotImplemented) << name;
    EXPECT_NE(r.status().message().find("unsupported Arrow type " + name), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("\"col\""), std::string::npos);
  };
  expect_unsupported(SchemaWith([](FlatBufferBuilder& fbb) {
                       return std::pair{fb::Type::Union, fb::CreateUnion(fbb).Union()};
                     }),
                     "Union");
  expect_unsupported(SchemaWith([](FlatBufferBuilder& fbb) {
                       return std::pair{fb::Type::Utf8View, fb::CreateUtf8View(fbb).Union()};
                     }),
                     "Utf8View");
  expect_unsupported(SchemaWith([](FlatBufferBuilder& fbb) {
                       return std::pair{fb::Type::BinaryView, fb::CreateBinaryView(fbb).Union()};
                     }),
                     "BinaryView");
  expect_unsupported(
      SchemaWith([](FlatBufferBuilder& fbb) {
        return std::pair{fb::Type::RunEndEncoded, fb::CreateRunEndEncoded(fbb).Union()};
      }),
      "RunEndEncoded");
  expect_unsupported(SchemaWith([](FlatBufferBuilder& fbb) {
                       return std::pair{fb::Type::ListView, fb::CreateListView(fbb).Union()};
                     }),
                     "ListView");
  // An old metadata version.
  Result<ArrowSchema> v3 =
      DecodeSchema(SchemaWith(Utf8Type, false, fb::MetadataVersion::V3) + kEos);
  ASSERT_FALSE(v3.ok());
  EXPECT_NE(v3.status().message().find("metadata version"), std::string::npos);
}

TEST(ArrowIpcTest, CompressedBatchesAreRefused) {
  FlatBufferBuilder fbb;
  auto compression = fb::CreateBodyCompression(fbb, fb::CompressionType::ZSTD);
  auto batch = fb::CreateRecordBatch(fbb, 0, 0, 0, compression);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                               batch.Union()));
  Result<DecodedRecord> r = DecodeRecord(SchemaWith(Utf8Type) + Frame(fbb) + kEos);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kNotImplemented);
  EXPECT_NE(r.status().message().find("compress"), std::string::npos) << r.status().message();
}

TEST(ArrowIpcTest, AStreamMustStartWithItsSchema) {
  FlatBufferBuilder fbb;
  auto batch = fb::CreateRecordBatch(fbb, 0);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                               batch.Union()));
  Result<DecodedRecord> r = DecodeRecord(Frame(fbb) + kEos);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a Schema"), std::string::npos) << r.status().message();
}

TEST(ArrowIpcTest, DeepNestingIsAnErrorNotARecursionCrash) {
  FlatBufferBuilder fbb;
  auto field = fb::CreateField(fbb, fbb.CreateString("leaf"), true, fb::Type::Utf8,
                               fb::CreateUtf8(fbb).Union());
  for (int i = 0; i < 200; ++i) {
    field = fb::CreateField(fbb, fbb.CreateString("l"), true, fb::Type::List,
                            fb::CreateList(fbb).Union(), 0, fbb.CreateVector(&field, 1));
  }
  auto schema = fb::CreateSchema(fbb, fb::Endianness::Little, fbb.CreateVector(&field, 1));
  fbb.Finish(
      fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::Schema, schema.Union()));
  Result<ArrowSchema> r = DecodeSchema(Frame(fbb) + kEos);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kParse);
}

TEST(ArrowIpcTest, HugeLengthsWithoutBytesAreCapped) {
  // A null column claims 2^40 values: no buffer backs them, so only the cap
  // stands between the stream and terabytes of cells.
  std::string schema = SchemaWith([](FlatBufferBuilder& fbb) {
    return std::pair{fb::Type::Null, fb::CreateNull(fbb).Union()};
  });
  FlatBufferBuilder fbb;
  int64_t huge = int64_t(1) << 40;
  fb::FieldNode node(huge, huge);
  auto nodes = fbb.CreateVectorOfStructs(&node, 1);
  auto batch = fb::CreateRecordBatch(fbb, huge, nodes);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                               batch.Union()));
  Result<DecodedRecord> r = DecodeRecord(schema + Frame(fbb) + kEos);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("out of range"), std::string::npos) << r.status().message();
}

// A null-type record of a few hundred bytes claiming a million rows: no
// buffer backs them, and decoding them would cost tens of MB. Cells are
// capped at 2^16 plus one per body byte.
std::string NullRecord(int64_t rows) {
  std::string schema = SchemaWith([](FlatBufferBuilder& fbb) {
    return std::pair{fb::Type::Null, fb::CreateNull(fbb).Union()};
  });
  FlatBufferBuilder fbb;
  fb::FieldNode node(rows, rows);
  auto nodes = fbb.CreateVectorOfStructs(&node, 1);
  auto batch = fb::CreateRecordBatch(fbb, rows, nodes);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                               batch.Union()));
  return schema + Frame(fbb) + kEos;
}

TEST(ArrowIpcTest, ASmallNullRecordCannotClaimAMillionRows) {
  std::string bytes = NullRecord(1'000'000);
  ASSERT_LT(bytes.size(), 512u);
  Result<DecodedRecord> r = DecodeRecord(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kParse);
  EXPECT_NE(r.status().message().find("record batch length 1000000 out of range"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("more cells than a record with a 0-byte body may hold"),
            std::string::npos)
      << r.status().message();
  // Within the base allowance, null rows still decode.
  Result<DecodedRecord> fine = DecodeRecord(NullRecord(60'000));
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ(fine->rows.size(), 60'000u);
}

TEST(ArrowIpcTest, BoolsCountAsAByteEachButRealRecordsStillDecode) {
  // 1M bools in 125 KB of values: over 2^16 + one cell per body byte. The
  // writer will not make it; a foreign one is refused.
  std::vector<Row> bools(1'000'000, Row{Value(true)});
  Result<std::string> only_bools = EncodeRecord(S({F("b", "bool")}), bools);
  ASSERT_FALSE(only_bools.ok());
  EXPECT_NE(only_bools.status().message().find("more than a reader accepts"), std::string::npos);
  std::string schema_bytes = SchemaWith([](FlatBufferBuilder& fbb) {
    return std::pair{fb::Type::Bool, fb::CreateBool(fbb).Union()};
  });
  FlatBufferBuilder fbb;
  fb::FieldNode node(1'000'000, 0);
  fb::Buffer buffers[] = {fb::Buffer(0, 0), fb::Buffer(0, 125'000)};
  auto batch = fb::CreateRecordBatch(fbb, 1'000'000, fbb.CreateVectorOfStructs(&node, 1),
                                     fbb.CreateVectorOfStructs(buffers, 2));
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                               batch.Union(), 125'000));
  Result<DecodedRecord> refused =
      DecodeRecord(schema_bytes + Frame(fbb, std::string(125'000, '\xff')) + kEos);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("record batch length 1000000 out of range"),
            std::string::npos)
      << refused.status().message();
  // A record as a plugin sends it — an id, a name, flags — decodes whole,
  // however many rows.
  std::vector<Row> rows;
  for (int i = 0; i < 200'000; ++i)
    rows.push_back(Row{Value(i), Value("n"), Value(i % 2 == 0), Value(nullptr)});
  ArrowSchema schema =
      S({F("id", "int64"), F("name", "utf8"), F("flag", "bool"), F("none", "null")});
  Result<std::string> bytes = EncodeRecord(schema, rows);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  Result<DecodedRecord> back = DecodeRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->rows.size(), 200'000u);
  EXPECT_EQ(back->rows[199'999][0], Value(199'999));
}

TEST(ArrowIpcTest, MissingNodesAndBuffersNameTheColumn) {
  FlatBufferBuilder fbb;
  auto batch = fb::CreateRecordBatch(fbb, 1);
  fbb.Finish(fb::CreateMessage(fbb, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                               batch.Union()));
  Result<DecodedRecord> r = DecodeRecord(SchemaWith(Utf8Type) + Frame(fbb) + kEos);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"col\""), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace sluice::cq
