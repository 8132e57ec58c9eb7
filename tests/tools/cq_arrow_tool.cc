// A test tool for the Arrow IPC codec against real Arrow peers
// (tests/compat/arrow_roundtrip.mjs, tests/cli/cq_arrow_roundtrip.sh):
//
//   cq_arrow_tool encode-samples DIR   one stream per sample column in DIR
//                                      (NAME.arrow) plus samples.json with
//                                      each sample's type and values
//   cq_arrow_tool decode FILE          the stream's schema and rows as JSON
//   cq_arrow_tool encode FILE.json OUT a stream from {"fields": [{"name",
//                                      "type", "nullable", "metadata"}],
//                                      "metadata": [[k, v]…], "rows": […]}
#include <fstream>
#include <iostream>
#include <sstream>

#include "cloudquery/arrow_ipc.h"
#include "cloudquery/cq_table.h"

using namespace sluice;
using namespace sluice::cq;

namespace {

struct Sample {
  const char* name;
  const char* type;
  const char* values;  // JSON array, one cell per row
};

// Values in the codec's own forms (arrow_ipc.h), so a peer that decodes
// the stream must produce exactly these.
const Sample kSamples[] = {
    {"int8", "int8", R"([-128, 127, 0, null])"},
    {"int16", "int16", R"([-32768, 32767, null])"},
    {"int32", "int32", R"([-2147483648, 2147483647, null])"},
    {"int64", "int64", R"([-9223372036854775808, 9223372036854775807, 0, null])"},
    {"uint8", "uint8", R"([0, 255, null])"},
    {"uint16", "uint16", R"([0, 65535, null])"},
    {"uint32", "uint32", R"([0, 4294967295, null])"},
    {"uint64", "uint64", R"([0, 9223372036854775807, null])"},
    {"float32", "float32", R"([1.5, -2.25, null])"},
    {"float64", "float64", R"([1.5, -2.25e300, 0.1, null])"},
    {"utf8", "utf8", R"(["", "hello", null, "ünïcødé ✓ 日本 🚀"])"},
    {"large_utf8", "large_utf8", R"(["a", null, "bcd"])"},
    {"binary", "binary", R"(["AAEC/w==", "", null])"},
    {"large_binary", "large_binary", R"(["aGVsbG8=", null])"},
    {"fixed_size_binary", "fixed_size_binary[3]", R"(["AQID", null])"},
    {"bool", "bool", R"([true, false, null, true, true, false, true, false, true])"},
    {"date32", "date32", R"(["2024-02-29", "1969-12-31", null])"},
    {"date64", "date64", R"(["2024-02-29", "1900-01-01", null])"},
    {"timestamp_s", "timestamp[s, UTC]", R"(["2024-01-02T03:04:05Z", null])"},
    {"timestamp_ms", "timestamp[ms, UTC]",
     R"(["2024-01-02T03:04:05.123Z", "1969-12-31T23:59:59.999Z", null])"},
    {"timestamp_us", "timestamp[us, UTC]", R"(["2024-01-02T03:04:05.123456Z", null])"},
    {"timestamp_ns", "timestamp[ns, UTC]", R"(["2024-01-02T03:04:05.123456789Z", null])"},
    {"timestamp_naive", "timestamp[us]", R"(["2024-01-02T03:04:05.000001", null])"},
    {"time32_s", "time32[s]", R"(["00:00:00", "23:59:59", null])"},
    {"time32_ms", "time32[ms]", R"(["12:34:56.789", null])"},
    {"time64_us", "time64[us]", R"(["12:34:56.789012", null])"},
    {"time64_ns", "time64[ns]", R"(["12:34:56.789012345", null])"},
    {"duration_s", "duration[s]", R"([5, -3, null])"},
    {"duration_ms", "duration[ms]", R"([5000, null])"},
    {"duration_us", "duration[us]", R"([5000000, null])"},
    {"duration_ns", "duration[ns]", R"([5000000000, null])"},
    {"interval_year_month", "interval[year_month]", R"([{"months": 14}, null])"},
    {"interval_day_time", "interval[day_time]", R"([{"days": 3, "milliseconds": 500}, null])"},
    {"interval_month_day_nano", "interval[month_day_nano]",
     R"([{"months": 1, "days": 2, "nanoseconds": 3}, null])"},
    {"decimal", "decimal128(19, 10)", R"(["123.4500000000", "-0.0000000001", null])"},
    {"list_utf8", "list<utf8>", R"([["a", "b"], [], null, [null, "c"]])"},
    {"list_int64", "list<int64>", R"([[1, 2, 3], null])"},
    {"large_list", "large_list<int64>", R"([[1, 2], null, []])"},
    {"fixed_size_list", "fixed_size_list<int32>[2]", R"([[1, 2], null, [3, null]])"},
    {"struct", "struct<a: int64, b: utf8>",
     R"([{"a": 1, "b": "x"}, null, {"a": null, "b": null}])"},
    {"list_struct", "list<struct<name: utf8, tags: list<utf8>>>",
     R"([[{"name": "x", "tags": ["p", "q"]}, {"name": null, "tags": null}], null, []])"},
    {"map", "map<utf8, int64>",
     R"([[{"key": "a", "value": 1}, {"key": "b", "value": null}], null, []])"},
    {"null", "null", R"([null, null])"},
    {"uuid", "uuid", R"(["123e4567-e89b-12d3-a456-426614174000", null])"},
    {"json", "json", R"([{"a": 1, "b": [1, "x", null]}, [], 5, "text", null])"},
    {"inet", "inet", R"(["192.168.0.1/24", "::1", null])"},
    {"mac", "mac", R"(["00:1a:2b:3c:4d:5e", null])"},
};

Value MetadataJson(const Metadata& metadata) {
  Value out = Value::array();
  for (const auto& [k, v] : metadata) out.push_back(Value::array({k, v}));
  return out;
}

Value FieldJson(const ArrowField& f) {
  return Value{{"name", f.name},
               {"type", TypeText(f)},
               {"nullable", f.nullable},
               {"metadata", MetadataJson(f.metadata)}};
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  return bool(out);
}

int EncodeSamples(const std::string& dir) {
  Value index = Value::array();
  ArrowSchema all;
  all.metadata = {{"cq:table_name", "samples"},
                  {"cq:table_title", ""},
                  {"cq:table_description", "every type"},
                  {"cq:extension:constraint_name", ""}};
  for (const Sample& s : kSamples) {
    Result<ArrowField> field = FieldOfTypeText(s.name, s.type);
    if (!field.ok()) {
      std::cerr << field.status().ToString() << "\n";
      return 1;
    }
    ArrowSchema schema;
    schema.metadata = {{"cq:table_name", std::string("sample_") + s.name}};
    field->metadata.emplace_back("cq:extension:primary_key", "false");
    schema.fields.push_back(*field);
    Value values = Value::parse(s.values);
    std::vector<Row> rows;
    for (const Value& v : values) rows.push_back({v});
    Result<std::string> bytes = EncodeRecord(schema, rows);
    if (!bytes.ok()) {
      std::cerr << s.name << ": " << bytes.status().ToString() << "\n";
      return 1;
    }
    WriteFile(dir + "/" + s.name + ".arrow", *bytes);
    Value texts = Value::array();
    for (const Value& v : values) texts.push_back(v.dump());
    index.push_back(Value{{"name", s.name},
                          {"file", std::string(s.name) + ".arrow"},
                          {"field", FieldJson(*field)},
                          {"metadata", MetadataJson(schema.metadata)},
                          {"values", values},
                          {"cells", texts}});
  }
  // One CloudQuery table with a NOT NULL uuid primary key, as a plugin
  // would send it.
  CqTable table;
  table.name = "items";
  table.title = "Items";
  table.description = "Ïtems";
  table.constraint_name = "items_cqpk";
  for (auto [name, type, pk] : {std::tuple{"_cq_id", "uuid", true},
                                {"名前", "utf8", false},
                                {"doc", "json", false},
                                {"at", "timestamp[us, UTC]", false}}) {
    CqColumn c;
    c.arrow = *FieldOfTypeText(name, type);
    c.primary_key = pk;
    c.unique = pk;
    c.arrow.nullable = !pk;
    table.columns.push_back(c);
  }
  ArrowSchema schema = SchemaOfTable(table);
  std::vector<Row> rows = {
      {"123e4567-e89b-12d3-a456-426614174000", "a", Value{{"k", 1}}, "2024-01-02T03:04:05.000000Z"},
      {"00000000-0000-0000-0000-000000000001", nullptr, nullptr, nullptr}};
  Result<std::string> bytes = EncodeRecord(schema, rows);
  if (!bytes.ok()) return 1;
  WriteFile(dir + "/cq_table.arrow", *bytes);
  WriteFile(dir + "/cq_table_schema.arrow", EncodeSchema(schema));
  Value fields = Value::array();
  for (const ArrowField& f : schema.fields) fields.push_back(FieldJson(f));
  Value cq = {{"file", "cq_table.arrow"},
              {"schema_file", "cq_table_schema.arrow"},
              {"fields", fields},
              {"metadata", MetadataJson(schema.metadata)},
              {"rows", Value::array()}};
  cq["cells"] = Value::array();
  for (const Row& r : rows) {
    cq["rows"].push_back(Value(r));
    Value texts = Value::array();
    for (const Value& v : r) texts.push_back(v.dump());
    cq["cells"].push_back(std::move(texts));
  }
  WriteFile(dir + "/samples.json", Value{{"samples", index}, {"cq_table", cq}}.dump(2));
  return 0;
}

int Decode(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  Result<DecodedRecord> record = DecodeRecord(ss.str());
  if (!record.ok()) {
    std::cerr << record.status().ToString() << "\n";
    return 1;
  }
  Value fields = Value::array();
  for (const ArrowField& f : record->schema.fields) fields.push_back(FieldJson(f));
  // Cells also as their JSON texts, so a JavaScript reader compares 64-bit
  // integers exactly.
  Value rows = Value::array(), cells = Value::array();
  for (const Row& r : record->rows) {
    rows.push_back(Value(r));
    Value texts = Value::array();
    for (const Value& v : r)
      texts.push_back(v.dump(-1, ' ', false, Value::error_handler_t::replace));
    cells.push_back(std::move(texts));
  }
  std::cout << Value{{"fields", fields},
                     {"metadata", MetadataJson(record->schema.metadata)},
                     {"rows", rows},
                     {"cells", cells}}
                   .dump(-1, ' ', false, Value::error_handler_t::replace)
            << "\n";
  return 0;
}

int Encode(const std::string& json_path, const std::string& out_path) {
  std::ifstream in(json_path);
  Value spec = Value::parse(in, nullptr, false);
  if (spec.is_discarded()) {
    std::cerr << "bad JSON in " << json_path << "\n";
    return 2;
  }
  ArrowSchema schema;
  for (const Value& kv : spec.value("metadata", Value::array()))
    schema.metadata.emplace_back(kv[0], kv[1]);
  for (const Value& f : spec.value("fields", Value::array())) {
    Result<ArrowField> field = FieldOfTypeText(f.value("name", ""), f.value("type", ""));
    if (!field.ok()) {
      std::cerr << field.status().ToString() << "\n";
      return 1;
    }
    field->nullable = f.value("nullable", true);
    for (const Value& kv : f.value("metadata", Value::array()))
      field->metadata.emplace_back(kv[0], kv[1]);
    schema.fields.push_back(*field);
  }
  std::vector<Row> rows;
  for (const Value& r : spec.value("rows", Value::array())) rows.push_back(r.get<Row>());
  Result<std::string> bytes = EncodeRecord(schema, rows);
  if (!bytes.ok()) {
    std::cerr << bytes.status().ToString() << "\n";
    return 1;
  }
  return WriteFile(out_path, *bytes) ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "encode-samples" && argc == 3) return EncodeSamples(argv[2]);
  if (command == "decode" && argc == 3) return Decode(argv[2]);
  if (command == "encode" && argc == 4) return Encode(argv[2], argv[3]);
  std::cerr << "usage: cq_arrow_tool encode-samples DIR | decode FILE | encode SPEC.json OUT\n";
  return 2;
}
