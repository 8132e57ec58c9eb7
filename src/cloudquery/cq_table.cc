// CloudQuery table ⇄ Arrow schema ⇄ FIELDS (cq_table.h).
#include "cloudquery/cq_table.h"

namespace sluice::cq {
namespace {

constexpr const char* kTableName = "cq:table_name";
constexpr const char* kTableTitle = "cq:table_title";
constexpr const char* kTableDescription = "cq:table_description";
constexpr const char* kConstraintName = "cq:extension:constraint_name";
constexpr const char* kTableIncremental = "cq:extension:incremental";
constexpr const char* kDependsOn = "cq:table_depends_on";
constexpr const char* kPrimaryKey = "cq:extension:primary_key";
constexpr const char* kUnique = "cq:extension:unique";
constexpr const char* kIncremental = "cq:extension:incremental";

const char* Bool(bool b) { return b ? "true" : "false"; }

bool IsCqKey(const std::string& key) {
  return key == kPrimaryKey || key == kUnique || key == kIncremental;
}

bool TrueAt(const Value& def, const char* key) {
  auto it = def.find(key);
  return it != def.end() && it->is_boolean() && it->get<bool>();
}

ArrowType Type(TypeId id) {
  ArrowType t;
  t.id = id;
  return t;
}

}  // namespace

ArrowSchema SchemaOfTable(const CqTable& table) {
  ArrowSchema schema;
  schema.metadata = {{kTableName, table.name},
                     {kTableTitle, table.title},
                     {kTableDescription, table.description},
                     {kConstraintName, table.constraint_name}};
  if (table.incremental) schema.metadata.emplace_back(kTableIncremental, "true");
  if (!table.parent.empty()) schema.metadata.emplace_back(kDependsOn, table.parent);
  schema.fields.reserve(table.columns.size());
  for (const CqColumn& column : table.columns) {
    ArrowField field = column.arrow;
    // Our own keys replace any that came in with the field.
    Metadata kept;
    for (auto& kv : field.metadata) {
      if (!IsCqKey(kv.first)) kept.push_back(std::move(kv));
    }
    kept.emplace_back(kPrimaryKey, Bool(column.primary_key));
    kept.emplace_back(kUnique, Bool(column.unique));
    kept.emplace_back(kIncremental, Bool(column.incremental));
    field.metadata = std::move(kept);
    schema.fields.push_back(std::move(field));
  }
  return schema;
}

Result<CqTable> TableOfSchema(const ArrowSchema& schema) {
  CqTable table;
  table.name = MetadataValue(schema.metadata, kTableName);
  if (table.name.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "CloudQuery table schema without cq:table_name (missing table name)");
  }
  table.title = MetadataValue(schema.metadata, kTableTitle);
  table.description = MetadataValue(schema.metadata, kTableDescription);
  table.constraint_name = MetadataValue(schema.metadata, kConstraintName);
  table.incremental = MetadataValue(schema.metadata, kTableIncremental) == "true";
  table.parent = MetadataValue(schema.metadata, kDependsOn);
  table.columns.reserve(schema.fields.size());
  for (const ArrowField& field : schema.fields) {
    CqColumn column;
    column.arrow = field;
    column.primary_key = MetadataValue(field.metadata, kPrimaryKey) == "true";
    column.unique = MetadataValue(field.metadata, kUnique) == "true";
    column.incremental = MetadataValue(field.metadata, kIncremental) == "true";
    Metadata kept;
    for (const auto& kv : field.metadata) {
      if (!IsCqKey(kv.first)) kept.push_back(kv);
    }
    column.arrow.metadata = std::move(kept);
    table.columns.push_back(std::move(column));
  }
  return table;
}

std::string FieldsTypeOf(const ArrowField& field) {
  std::string ext = field.Extension();
  if (ext == "json") return "document";
  if (!ext.empty()) return "string";  // uuid, inet, mac
  switch (field.type.id) {
    case TypeId::kInt:
    case TypeId::kDuration:
      return "integer";
    case TypeId::kFloat:
    case TypeId::kDecimal:
      return "number";
    case TypeId::kBool:
      return "boolean";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kDate:
      return "date";
    case TypeId::kStruct:
    case TypeId::kMap:
      return "document";
    case TypeId::kList:
    case TypeId::kLargeList:
    case TypeId::kFixedSizeList:
      return "array";
    case TypeId::kNull:
    case TypeId::kUtf8:
    case TypeId::kLargeUtf8:
    case TypeId::kBinary:
    case TypeId::kLargeBinary:
    case TypeId::kFixedSizeBinary:
    case TypeId::kTime:
    case TypeId::kInterval:
      return "string";
  }
  return "string";
}

Result<ArrowField> ArrowFieldOf(const std::string& name, const Value& field_def) {
  auto error = [&](const std::string& what) {
    return Status(ErrorKind::kInvalidArgument, "field " + name + ": " + what);
  };
  std::string type = "string";
  bool required = false;
  std::string arrow;
  if (field_def.is_string()) {
    type = field_def.get<std::string>();
  } else if (field_def.is_object()) {
    if (auto it = field_def.find("type"); it != field_def.end()) {
      if (!it->is_string()) return error("\"type\" must be a string");
      type = it->get<std::string>();
    }
    if (auto it = field_def.find("required"); it != field_def.end() && it->is_boolean())
      required = it->get<bool>();
    if (auto it = field_def.find("arrow"); it != field_def.end() && !it->is_null()) {
      if (!it->is_string()) return error("\"arrow\" must be a type text such as \"int32\"");
      arrow = it->get<std::string>();
    }
  } else if (!field_def.is_null()) {
    return error("a field definition is an object");
  }
  ArrowField field;
  if (!arrow.empty()) {
    Result<ArrowField> parsed = FieldOfTypeText(name, arrow);
    if (!parsed.ok()) return error(parsed.status().message());
    field = std::move(parsed).value();
  } else if (type == "string") {
    field.name = name;
    field.type = Type(TypeId::kUtf8);
  } else if (type == "integer") {
    field.name = name;
    field.type = Type(TypeId::kInt);
    field.type.bit_width = 64;
  } else if (type == "number") {
    field.name = name;
    field.type = Type(TypeId::kFloat);
    field.type.bit_width = 64;
  } else if (type == "boolean") {
    field.name = name;
    field.type = Type(TypeId::kBool);
  } else if (type == "timestamp") {
    field.name = name;
    field.type = Type(TypeId::kTimestamp);
    field.type.unit = TimeUnit::kMicrosecond;
    field.type.timezone = "UTC";
  } else if (type == "date") {
    field.name = name;
    field.type = Type(TypeId::kDate);
    field.type.date_unit = DateUnit::kDay;
  } else if (type == "document" || type == "array") {
    // An array may mix element types, which an Arrow list cannot hold.
    field = JsonField(name);
  } else {
    return error("unknown type \"" + type + "\"");
  }
  field.nullable = !required;
  return field;
}

Value FieldsOfTable(const CqTable& table) {
  Value fields = Value::object();
  for (const CqColumn& column : table.columns) {
    Value def = Value::object();
    def["type"] = FieldsTypeOf(column.arrow);
    if (column.primary_key) def["primary_key"] = true;
    if (column.not_null()) def["required"] = true;
    if (column.unique) def["unique"] = true;
    def["arrow"] = TypeText(column.arrow);
    fields[column.arrow.name] = std::move(def);
  }
  return fields;
}

Result<CqTable> TableOfFields(const std::string& name, const Value& fields,
                              const std::string& cursor, const std::string& parent) {
  CqTable table;
  table.name = name;
  table.parent = parent;
  if (!fields.is_object()) {
    return Status(ErrorKind::kInvalidArgument, "table " + name + ": FIELDS must be an object");
  }
  bool cursor_found = cursor.empty();
  for (const auto& item : fields.items()) {
    Result<ArrowField> field = ArrowFieldOf(item.key(), item.value());
    if (!field.ok()) {
      Status status = field.TakeStatus();
      status.WithContext("table " + name);
      return status;
    }
    CqColumn column;
    column.arrow = std::move(field).value();
    const Value& def = item.value();
    if (def.is_object()) {
      column.primary_key = TrueAt(def, "primary_key");
      column.unique = TrueAt(def, "unique");
    }
    column.incremental = !cursor.empty() && item.key() == cursor;
    cursor_found = cursor_found || column.incremental;
    table.columns.push_back(std::move(column));
  }
  if (!cursor_found) {
    return Status(ErrorKind::kInvalidArgument,
                  "table " + name + ": cursor " + cursor + " is not one of its fields");
  }
  table.incremental = !cursor.empty();
  return table;
}

}  // namespace sluice::cq
