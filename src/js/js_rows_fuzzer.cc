// Fuzz target "js_rows": a JavaScript value, as a handler would return it,
// made into rows and coerced to a fixed FIELDS schema (convert.cc, the
// realm's row stream, coerce.cc). Input: a JavaScript expression.
//
// Properties: evaluation and streaming end in values or errors, never a
// crash; an array of objects that converts whole also streams; a row read with its fields pinned
// (the engine's path, which reads only those properties) holds the same values as the whole row
// converted (so no field name, ASCII or not, is lost); coercion gives each field's storage type or
// an error naming connector, entity, row and field; coercing a moved row gives what coercing a copy
// gives.
#include <chrono>
#include <string>

#include "js_harness.h"
#include "query/coerce.h"

namespace {

sluice::EntitySchema Schema() {
  sluice::EntitySchema schema{"fuzz", "things", {}, false};
  for (auto [name, type] :
       std::initializer_list<std::pair<const char*, const char*>>{{"id", "integer"},
                                                                  {"name", "string"},
                                                                  {"名前", "string"},
                                                                  {"café", "string"},
                                                                  {"score", "number"},
                                                                  {"active", "boolean"},
                                                                  {"at", "timestamp"},
                                                                  {"day", "date"},
                                                                  {"doc", "document"},
                                                                  {"tags", "array"}}) {
    schema.fields.push_back(sluice::EntityField{name, type, false, false});
  }
  return schema;
}

// A pinned row carries documents and arrays as their JSON text (binary), for
// coerce.cc to store without re-serializing; as a value it is that JSON.
//
// Known difference, left out of the comparison (reported in issue 13's
// notes): a Date inside a document is "…T00:00:00.000Z" read pinned
// (JSON.stringify's form) and "…T00:00:00Z" read whole (convert.cc's).
sluice::Value Normalized(const sluice::Value& value) {
  if (value.is_binary()) {
    const auto& bytes = value.get_binary();
    return Normalized(
        sluice::Value::parse(std::string(bytes.begin(), bytes.end()), nullptr, false));
  }
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() == 24 && text[10] == 'T' && text.ends_with(".000Z"))
      return text.substr(0, 19) + "Z";
    return value;
  }
  if (value.is_structured()) {
    sluice::Value copy = value;
    for (auto& item : copy) item = Normalized(item);
    return copy;
  }
  return value;
}

bool StoredAs(const std::string& type, const sluice::Value& cell) {
  if (cell.is_null()) return true;
  if (type == "integer" || type == "boolean") return cell.is_number_integer();
  if (type == "number") return cell.is_number_float();
  return cell.is_string();  // string, timestamp, date, and JSON text for document and array
}

}  // namespace

SLUICE_FUZZ_TARGET("js_rows") {
  using namespace std::chrono_literals;
  static const sluice::EntitySchema schema = Schema();
  std::vector<std::string> field_names;
  for (const auto& field : schema.fields) field_names.push_back(field.name);

  auto api = sluice::MockApi::FromSpec(sluice::Value::object());
  SLUICE_FUZZ_CHECK(api.ok(), "an empty MOCK_API table is refused");
  sluice::fuzz::JsHarness js(*api);
  std::string input(reinterpret_cast<const char*>(data), size);

  // One value, read both ways: the handler returns what the script stored.
  auto whole = js.realm->Evaluate("globalThis.fuzzRows = (\n" + input + "\n);", 200ms);
  if (!whole.ok()) {
    SLUICE_FUZZ_CHECK(!whole.status().message().empty(), "an evaluation error without a message");
    return;
  }
  auto handler =
      js.realm->LoadHandler({"function query() { return globalThis.fuzzRows; }", "fuzz.js", 1, 1});
  SLUICE_FUZZ_CHECK(handler.ok(),
                    "the fixed handler does not load: " + handler.status().ToString());
  auto stream = js.realm->StartRows(*handler, "query", {}, 200ms, &field_names);
  // Rows that convert whole also stream: an array of plain objects is the
  // plainest result a handler gives.
  bool plain_rows = whole->is_array();
  if (plain_rows) {
    for (const sluice::Value& row : *whole) plain_rows = plain_rows && row.is_object();
  }
  if (!stream.ok()) {
    SLUICE_FUZZ_CHECK(!plain_rows,
                      "rows that convert whole fail to stream: " + stream.status().ToString());
    SLUICE_FUZZ_CHECK(!stream.status().message().empty(), "a stream error without a message");
    return;
  }
  std::vector<sluice::Value> pinned;
  while (pinned.size() < 1000) {
    auto row = (*stream)->Next();
    if (!row.ok()) {
      SLUICE_FUZZ_CHECK(!plain_rows,
                        "rows that convert whole fail to stream: " + row.status().ToString());
      SLUICE_FUZZ_CHECK(!row.status().message().empty(), "a row error without a message");
      return;
    }
    if (!row->has_value()) break;
    pinned.push_back(std::move(**row));
  }
  (*stream)->Close();

  // A returned array is its rows; compare field by field where both ways
  // saw the same rows.
  if (whole->is_array() && whole->size() == pinned.size()) {
    for (size_t i = 0; i < pinned.size(); ++i) {
      const sluice::Value& full = (*whole)[i];
      if (!full.is_object() || !pinned[i].is_object()) continue;
      for (const std::string& name : field_names) {
        auto in_full = full.find(name);
        if (in_full == full.end() || in_full->is_null()) continue;
        auto in_pinned = pinned[i].find(name);
        auto shown = [](const sluice::Value& v) {
          return v.dump(-1, ' ', false, sluice::Value::error_handler_t::replace);
        };
        SLUICE_FUZZ_CHECK(
            in_pinned != pinned[i].end() && Normalized(*in_pinned) == Normalized(*in_full),
            "row " + std::to_string(i + 1) + ", field '" + name + "': pinned " +
                (in_pinned == pinned[i].end() ? "missing" : shown(Normalized(*in_pinned))) +
                ", whole " + shown(*in_full));
      }
    }
  }

  for (size_t i = 0; i < pinned.size(); ++i) {
    int64_t number = static_cast<int64_t>(i) + 1;
    auto cells = sluice::CoerceRow(schema, pinned[i], number);
    sluice::Value copy = pinned[i];
    auto moved = sluice::CoerceRow(schema, std::move(copy), number);
    SLUICE_FUZZ_CHECK(cells.ok() == moved.ok(), "coercing a copy and a moved row disagree");
    if (!cells.ok()) {
      const std::string where = "connector 'fuzz', entity 'things', row " + std::to_string(number);
      SLUICE_FUZZ_CHECK(cells.status().ToString().find(where) != std::string::npos,
                        "a coercion error that does not say where: " + cells.status().ToString());
      continue;
    }
    SLUICE_FUZZ_CHECK(cells->size() == schema.fields.size(),
                      "a row with the wrong number of cells");
    for (size_t f = 0; f < cells->size(); ++f) {
      SLUICE_FUZZ_CHECK(
          StoredAs(schema.fields[f].type, (*cells)[f]),
          "field '" + schema.fields[f].name + "' stored as " + (*cells)[f].type_name());
      SLUICE_FUZZ_CHECK((*cells)[f] == (*moved)[f],
                        "field '" + schema.fields[f].name + "' differs when moved");
    }
  }
}
