// Every sqlite3_module callback of Sluice lives here (the osquery way): the
// decisions of xBestIndex are encoded in idxStr, which is also what
// EXPLAIN QUERY PLAN shows, so a user can see what each handler was told.
#include "query/entity_table.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "core/identifier.h"
#include "core/secret_masker.h"
#include "query/coerce.h"

namespace sluice {
namespace {

struct EntityTable {
  sqlite3_vtab base;  // first: SQLite casts between the two
  EntityModule* module;
  EntitySchema schema;
  // What every scan of this table starts from (a table made for one sync:
  // its cursor, its order, no query cache).
  ScanRequest scan_base;
  bool has_scan_base = false;
};

struct EntityCursor {
  sqlite3_vtab_cursor base;
  std::unique_ptr<RowSource> source;
  std::vector<Value> cells;
  Value row;     // the row as the handler gave it: _raw is made from it only when read
  std::vector<bool> used;  // fields the query reads: only those are coerced
  Value parent;  // JSON text of the current row's parent, for _parent
  int64_t row_number = 0;
  bool eof = true;
};

const char* SqlType(const std::string& type) {
  if (type == "integer" || type == "boolean") return "INTEGER";
  if (type == "number") return "REAL";
  return "TEXT";
}

// Module arguments arrive as written: 'gh' or "gh" or gh, a quote inside a
// quoted one doubled.
std::string Unquote(const char* arg) {
  std::string text(arg);
  if (text.size() < 2 || (text.front() != '\'' && text.front() != '"') ||
      text.back() != text.front())
    return text;
  char quote = text.front();
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    out += text[i];
    if (text[i] == quote && text[i + 1] == quote) ++i;
  }
  return out;
}

int Fail(sqlite3_vtab* vtab, EntityModule* module, Status status) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", status.message().c_str());
  module->RecordError(std::move(status));
  return SQLITE_ERROR;
}

// A scan table's base request, as its third module argument carries it:
// {"cursor": {field, value}, "order_by": [[field, desc], …], "cache": bool,
// "parents_cache": bool, "partition": spec (a unit's, when it has one)}.
std::string EncodeScanBase(const ScanRequest& base) {
  Value encoded = Value::object();
  if (base.cursor) encoded["cursor"] = Value{{"field", base.cursor->field}, {"value", base.cursor->value}};
  Value order_by = Value::array();
  for (const ScanOrder& term : base.order_by) order_by.push_back(Value::array({term.field, term.desc}));
  encoded["order_by"] = std::move(order_by);
  encoded["cache"] = base.use_cache;
  encoded["parents_cache"] = base.parents_use_cache;
  if (base.partition) encoded["partition"] = *base.partition;
  return encoded.dump(-1, ' ', false, Value::error_handler_t::replace);
}

std::optional<ScanRequest> DecodeScanBase(const std::string& text) {
  Value encoded = Value::parse(text, nullptr, false);
  if (encoded.is_discarded() || !encoded.is_object()) return std::nullopt;
  ScanRequest base;
  if (encoded.contains("cursor")) {
    const Value& cursor = encoded["cursor"];
    base.cursor = ScanRequest::Cursor{cursor.value("field", ""), cursor.value("value", Value())};
  }
  for (const Value& term : encoded.value("order_by", Value::array())) {
    base.order_by.push_back({term[0].get<std::string>(), term[1].get<bool>()});
  }
  base.use_cache = encoded.value("cache", true);
  base.parents_use_cache = encoded.value("parents_cache", true);
  if (encoded.contains("partition")) base.partition = encoded["partition"];
  return base;
}

int Connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out, char** error) {
  auto* module = static_cast<EntityModule*>(aux);
  EntityProvider* provider = &module->provider();
  if (argc < 5) {
    *error = sqlite3_mprintf("usage: CREATE VIRTUAL TABLE t USING sluice_entity(connector, entity)");
    return SQLITE_ERROR;
  }
  Result<EntitySchema> schema = provider->Schema(Unquote(argv[3]), Unquote(argv[4]));
  if (!schema.ok()) {
    *error = sqlite3_mprintf("%s", schema.status().message().c_str());
    return SQLITE_ERROR;
  }
  // Two fields whose names differ only in ASCII case are one column to
  // SQLite: say so rather than let sqlite3_declare_vtab fail without a word.
  for (size_t i = 0; i < schema->fields.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (FoldIdentifier(schema->fields[i].name) == FoldIdentifier(schema->fields[j].name)) {
        *error = sqlite3_mprintf("fields '%s' and '%s' of %s.%s differ only in letter case, which "
                                 "SQLite does not tell apart; rename one",
                                 schema->fields[j].name.c_str(), schema->fields[i].name.c_str(),
                                 schema->connector.c_str(), schema->entity.c_str());
        return SQLITE_ERROR;
      }
    }
  }
  std::string create = "CREATE TABLE x(";
  for (const EntityField& field : schema->fields)
    create += QuoteIdentifier(field.name) + " " + SqlType(field.type) + ", ";
  create += "_raw TEXT HIDDEN";
  if (schema->has_parent) create += ", _parent TEXT HIDDEN";  // the parent row, as JSON
  create += ")";
  int rc = sqlite3_declare_vtab(db, create.c_str());
  if (rc != SQLITE_OK) return rc;
  auto table = std::make_unique<EntityTable>();
  table->module = module;
  table->schema = std::move(schema).value();
  if (argc >= 6) {
    std::optional<ScanRequest> base = DecodeScanBase(Unquote(argv[5]));
    if (!base) {
      *error = sqlite3_mprintf("sluice_entity: the third argument is not a scan request");
      return SQLITE_ERROR;
    }
    table->scan_base = std::move(*base);
    table->has_scan_base = true;
  }
  *out = &table.release()->base;  // SQLite owns it until Disconnect
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* vtab) {
  std::unique_ptr<EntityTable> owned(reinterpret_cast<EntityTable*>(vtab));
  return SQLITE_OK;
}

const char* OpName(unsigned char op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ: return "=";
    case SQLITE_INDEX_CONSTRAINT_GT: return ">";
    case SQLITE_INDEX_CONSTRAINT_LE: return "<=";
    case SQLITE_INDEX_CONSTRAINT_LT: return "<";
    case SQLITE_INDEX_CONSTRAINT_GE: return ">=";
    case SQLITE_INDEX_CONSTRAINT_LIKE: return "LIKE";
    case SQLITE_INDEX_CONSTRAINT_GLOB: return "GLOB";
    case SQLITE_INDEX_CONSTRAINT_NE: return "!=";
    case SQLITE_INDEX_CONSTRAINT_ISNOT: return "IS NOT";
    case SQLITE_INDEX_CONSTRAINT_ISNOTNULL: return "IS NOT NULL";
    case SQLITE_INDEX_CONSTRAINT_ISNULL: return "IS NULL";
    case SQLITE_INDEX_CONSTRAINT_IS: return "IS";
    case SQLITE_INDEX_CONSTRAINT_MATCH: return "CONTAINS";  // x CONTAINS y is written x MATCH y
    default: return nullptr;
  }
}

Value FromSqlite(sqlite3_value* value) {
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER: return Value(static_cast<int64_t>(sqlite3_value_int64(value)));
    case SQLITE_FLOAT: return Value(sqlite3_value_double(value));
    case SQLITE_NULL: return Value();
    default: return Value(std::string(reinterpret_cast<const char*>(sqlite3_value_text(value)),
                                      static_cast<size_t>(sqlite3_value_bytes(value))));
  }
}

// Comparisons apply the column's affinity to the value compared (SQLite's
// "type affinity" rules); LIKE, GLOB and MATCH are functions and do not.
bool ComparesWithAffinity(unsigned char op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
    case SQLITE_INDEX_CONSTRAINT_GT:
    case SQLITE_INDEX_CONSTRAINT_LE:
    case SQLITE_INDEX_CONSTRAINT_LT:
    case SQLITE_INDEX_CONSTRAINT_GE:
    case SQLITE_INDEX_CONSTRAINT_NE:
    case SQLITE_INDEX_CONSTRAINT_IS:
    case SQLITE_INDEX_CONSTRAINT_ISNOT:
      return true;
    default:
      return false;
  }
}

// A value from the SQL as the handler must see it to compare it with its
// rows exactly: the value SQLite compares after applying the field's column
// affinity, in the field's type (coerce.h: booleans are 0/1 in SQLite, true
// and false to handlers; timestamps, documents and arrays are text). nullopt
// when no value of the field's type equals it ('abc' for an integer, 2 for a
// boolean): such a constraint is not the handler's to apply.
std::optional<Value> ToFieldType(const EntityField& field, sqlite3_value* given) {
  if (sqlite3_value_type(given) == SQLITE_NULL) return Value();  // equals nothing either way
  // Converted on a copy, so the value SQLite re-checks with keeps its type.
  std::unique_ptr<sqlite3_value, decltype(&sqlite3_value_free)> copy(sqlite3_value_dup(given),
                                                                     sqlite3_value_free);
  if (!copy) return std::nullopt;
  const std::string& type = field.type;
  if (type != "integer" && type != "number" && type != "boolean") {
    // TEXT affinity: a number becomes its text, as SQLite writes it.
    if (sqlite3_value_type(copy.get()) == SQLITE_BLOB) return std::nullopt;
    const unsigned char* text = sqlite3_value_text(copy.get());
    if (!text) return std::nullopt;
    return Value(std::string(reinterpret_cast<const char*>(text),
                             static_cast<size_t>(sqlite3_value_bytes(copy.get()))));
  }
  // INTEGER/REAL affinity: text that is a well-formed number becomes that
  // number.
  int kind = sqlite3_value_numeric_type(copy.get());
  std::optional<int64_t> whole;
  if (kind == SQLITE_INTEGER) {
    whole = sqlite3_value_int64(copy.get());
  } else if (kind == SQLITE_FLOAT) {
    double d = sqlite3_value_double(copy.get());
    if (type == "number") return Value(d);
    // Only a whole number in range can equal an integer cell.
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == static_cast<double>(static_cast<int64_t>(d)))
      whole = static_cast<int64_t>(d);
  }
  if (!whole) return std::nullopt;
  if (type == "integer") return Value(*whole);
  if (type == "number") {
    double d = static_cast<double>(*whole);
    // Beyond 2^53 the double is another number: no exact equivalent.
    if (d >= 9223372036854775808.0 || static_cast<int64_t>(d) != *whole) return std::nullopt;
    return Value(d);
  }
  if (*whole == 0 || *whole == 1) return Value(*whole == 1);  // boolean
  return std::nullopt;
}

// The plan, as JSON in idxStr:
//   {"where": [[field, op, in_list], …],  one per argv value, in order
//    "limit": argv#, "offset": argv#, "order_by": [[field, desc]], "sorted": bool,
//    "fields": [names the query reads]}
int BestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  auto* table = reinterpret_cast<EntityTable*>(vtab);
  const std::vector<EntityField>& fields = table->schema.fields;
  Value plan = {{"where", Value::array()}};
  int argv = 0;
  bool limit_safe = true;  // every constraint is an equality the handler applies
  int limit_index = -1, offset_index = -1;
  int equalities_on_filterable = 0;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& constraint = info->aConstraint[i];
    if (!constraint.usable) continue;
    if (constraint.op == SQLITE_INDEX_CONSTRAINT_LIMIT) {
      limit_index = i;
      continue;
    }
    if (constraint.op == SQLITE_INDEX_CONSTRAINT_OFFSET) {
      offset_index = i;
      continue;
    }
    const int parent_column = static_cast<int>(fields.size()) + 1;
    if (table->schema.has_parent && constraint.iColumn == parent_column &&
        constraint.op == SQLITE_INDEX_CONSTRAINT_EQ) {
      // A join on the parent row: one handler call for that parent.
      info->aConstraintUsage[i].argvIndex = ++argv;
      info->aConstraintUsage[i].omit = 0;
      plan["parent"] = argv;
      ++equalities_on_filterable;
      continue;
    }
    if (!table->schema.takes_pushdown) {
      limit_safe = false;  // nothing reaches the source: SQLite applies it
      continue;
    }
    const char* op = OpName(constraint.op);
    if (!op || constraint.iColumn < 0 || constraint.iColumn >= static_cast<int>(fields.size())) {
      limit_safe = false;  // SQLite checks it; the handler never sees it
      continue;
    }
    // Handlers compare as JSON does, byte for byte: a constraint under
    // another collation (COLLATE NOCASE) would be narrowed wrongly, so it
    // stays SQLite's alone.
    const char* collation = sqlite3_vtab_collation(info, i);
    if (collation && sqlite3_stricmp(collation, "BINARY") != 0) {
      limit_safe = false;
      continue;
    }
    const EntityField& field = fields[constraint.iColumn];
    // A literal is known now: one no value of the field's type equals would
    // reach the handler as something its rows never hold, so SQLite keeps it
    // (and with it LIMIT and OFFSET). Values known only in Filter (variables,
    // joins, IN lists) are converted there.
    sqlite3_value* literal = nullptr;
    if (ComparesWithAffinity(constraint.op) &&
        sqlite3_vtab_rhs_value(info, i, &literal) == SQLITE_OK && literal &&
        !ToFieldType(field, literal)) {
      limit_safe = false;
      plan["kept"].push_back(Value::array({field.name, op}));
      continue;
    }
    bool in_list = constraint.op == SQLITE_INDEX_CONSTRAINT_EQ && sqlite3_vtab_in(info, i, -1);
    if (in_list) sqlite3_vtab_in(info, i, 1);
    info->aConstraintUsage[i].argvIndex = ++argv;
    info->aConstraintUsage[i].omit = 0;  // pushdown is advice: SQLite re-checks every row
    plan["where"].push_back(Value::array({field.name, op, in_list}));
    bool equality = constraint.op == SQLITE_INDEX_CONSTRAINT_EQ;
    if (equality && field.filterable) ++equalities_on_filterable;
    if (!equality || !field.filterable) limit_safe = false;
  }
  // ORDER BY is the handler's to do only on fields it declared sortable.
  bool sorted = info->nOrderBy > 0;
  Value order_by = Value::array();
  for (int i = 0; i < info->nOrderBy; ++i) {
    int column = info->aOrderBy[i].iColumn;
    if (column < 0 || column >= static_cast<int>(fields.size())) {
      sorted = false;
      continue;
    }
    sorted = sorted && fields[column].sortable && table->schema.takes_pushdown;
    order_by.push_back(Value::array({fields[column].name, info->aOrderBy[i].desc != 0}));
  }
  if (sorted) info->orderByConsumed = 1;
  if (!order_by.empty() && table->schema.takes_pushdown) plan["order_by"] = order_by;
  if (!table->schema.takes_pushdown) plan["pushdown"] = false;
  // LIMIT and OFFSET go to the handler only when they cannot change the
  // result: every constraint is one it promised to apply, and SQLite need
  // not sort afterwards. A child scanned over all parents runs many calls,
  // which no one call's LIMIT describes.
  if (table->schema.has_parent && !plan.contains("parent")) limit_safe = false;
  if (limit_safe && (info->nOrderBy == 0 || sorted)) {
    if (limit_index >= 0) {
      info->aConstraintUsage[limit_index].argvIndex = ++argv;
      info->aConstraintUsage[limit_index].omit = 1;
      plan["limit"] = argv;
    }
    if (offset_index >= 0) {
      // SQLite keeps applying the OFFSET (omit = 0); its value is read
      // only so the handler's limit can count the rows SQLite will skip.
      // Consuming it would be wrong in a compound SELECT: SQLite 3.40
      // offers a UNION ALL's OFFSET to each arm's table, and an arm that
      // applied it skipped rows of its own. So no handler is handed an
      // OFFSET, even one declared PUSHDOWN OFFSET.
      info->aConstraintUsage[offset_index].argvIndex = ++argv;
      info->aConstraintUsage[offset_index].omit = 0;
      plan["offset"] = argv;
    }
  }
  Value used = Value::array();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i >= 63 || (info->colUsed & (sqlite3_uint64{1} << i))) used.push_back(fields[i].name);
  }
  plan["fields"] = used;
  // _raw is the column after the fields (bit 63 stands for all beyond 63).
  size_t raw = fields.size();
  if (raw >= 63 || (info->colUsed & (sqlite3_uint64{1} << raw)) != 0) plan["raw"] = true;
  std::string text = plan.dump();
  info->idxStr = sqlite3_mprintf("%s", text.c_str());
  info->needToFreeIdxStr = 1;
  // Fewer rows (and cheaper plans) when the API filters for us.
  info->estimatedRows = equalities_on_filterable > 0 ? 10 : 100000;
  info->estimatedCost = equalities_on_filterable > 0 ? 10.0 : 1e6;
  return SQLITE_OK;
}

int Open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &std::make_unique<EntityCursor>().release()->base;  // SQLite owns it until Close
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* base) {
  // Destroying the source stops the handler (its iterator is closed).
  std::unique_ptr<EntityCursor> owned(reinterpret_cast<EntityCursor*>(base));
  return SQLITE_OK;
}

int Advance(EntityCursor* cursor) {
  auto* table = reinterpret_cast<EntityTable*>(cursor->base.pVtab);
  Result<std::optional<Value>> row = cursor->source->Next();
  if (!row.ok()) return Fail(&table->base, table->module, row.TakeStatus());
  if (!*row) {
    cursor->eof = true;
    cursor->source.reset();  // done: let the handler finish now
    return SQLITE_OK;
  }
  ++cursor->row_number;
  Result<std::vector<Value>> cells = CoerceRow(table->schema, **row, cursor->row_number, cursor->used);
  if (!cells.ok()) return Fail(&table->base, table->module, cells.TakeStatus());
  cursor->cells = std::move(cells).value();
  cursor->row = std::move(**row);
  if (table->schema.has_parent) {
    cursor->parent = Value(cursor->source->Parent().dump(-1, ' ', false, Value::error_handler_t::replace));
  }
  cursor->eof = false;
  return SQLITE_OK;
}

int Filter(sqlite3_vtab_cursor* base, int, const char* idx_str, int argc, sqlite3_value** argv) {
  auto* cursor = reinterpret_cast<EntityCursor*>(base);
  auto* table = reinterpret_cast<EntityTable*>(base->pVtab);
  Value plan = Value::parse(idx_str ? idx_str : "{}", nullptr, false);
  Value filters = Value::object();
  Value conditions = Value::array();
  int arg = 0;
  bool matches_nothing = false;
  for (const Value& where : plan["where"]) {
    if (arg >= argc) break;
    const std::string field = where[0].get<std::string>();
    const std::string op = where[1].get<std::string>();
    // Handlers get values in the field's type, as SQLite compares them
    // (BestIndex pushes only fields, whose names are distinct).
    const EntityField* spec = nullptr;
    for (const EntityField& candidate : table->schema.fields) {
      if (candidate.name == field) spec = &candidate;
    }
    const bool affinity = spec && op != "LIKE" && op != "GLOB" && op != "CONTAINS";
    auto convert = [&](sqlite3_value* given) {
      return affinity ? ToFieldType(*spec, given) : std::optional<Value>(FromSqlite(given));
    };
    Value value;
    bool convertible = true;
    if (where[2].get<bool>()) {
      value = Value::array();
      sqlite3_value* item = nullptr;
      for (int rc = sqlite3_vtab_in_first(argv[arg], &item); rc == SQLITE_OK && item;
           rc = sqlite3_vtab_in_next(argv[arg], &item)) {
        // An item no value of the field's type equals matches no row.
        if (std::optional<Value> converted = convert(item)) value.push_back(std::move(*converted));
      }
      if (value.empty()) matches_nothing = true;
    } else if (std::optional<Value> converted = convert(argv[arg])) {
      value = std::move(*converted);
    } else {
      convertible = false;
    }
    ++arg;
    if (!convertible) {
      // An equality no value of the field's type meets matches no row (the
      // cells hold only that type, coerce.h); any other comparison is left
      // to SQLite, which then gets no LIMIT pushed (BestIndex pushes it
      // only over equalities).
      if (op == "=" || op == "IS") matches_nothing = true;
      continue;
    }
    conditions.push_back({{"field", field}, {"op", where[2].get<bool>() ? "IN" : op}, {"value", value}});
    // Equalities (and IN lists) are the filters; when a field has several,
    // the last one given wins, and SQLite still checks them all.
    if (op == "=") filters[field] = value;
  }
  ScanRequest request;
  request.filters = std::move(filters);
  request.conditions = std::move(conditions);
  request.fields.emplace();
  for (const Value& name : plan.value("fields", Value::array())) request.fields->push_back(name.get<std::string>());
  if (plan.contains("order_by")) {
    for (const Value& term : plan["order_by"]) request.order_by.push_back({term[0].get<std::string>(), term[1].get<bool>()});
  }
  // SQLite's LIMIT -1 (or any negative) is no limit, a negative OFFSET none.
  std::optional<int64_t> limit;
  int64_t offset = 0;
  if (plan.contains("limit")) {
    int64_t given = sqlite3_value_int64(argv[plan["limit"].get<int>() - 1]);
    if (given >= 0) limit = given;
  }
  if (plan.contains("offset"))
    offset = std::max<int64_t>(0, sqlite3_value_int64(argv[plan["offset"].get<int>() - 1]));
  if (limit) limit = *limit > INT64_MAX - offset ? INT64_MAX : *limit + offset;
  request.limit = limit;
  if (table->has_scan_base) {
    // A sync's cursor and order stand over what the statement pushed.
    const ScanRequest& base = table->scan_base;
    request.cursor = base.cursor;
    if (!base.order_by.empty()) request.order_by = base.order_by;
    request.use_cache = base.use_cache;
    request.parents_use_cache = base.parents_use_cache;
    request.partition = base.partition;
  }
  cursor->source.reset();
  cursor->row_number = 0;
  cursor->used.assign(table->schema.fields.size(), false);
  for (const std::string& name : *request.fields) {
    for (size_t i = 0; i < table->schema.fields.size(); ++i) {
      if (table->schema.fields[i].name == name) cursor->used[i] = true;
    }
  }
  if (matches_nothing) {
    cursor->eof = true;
    return SQLITE_OK;
  }
  Value& parent = request.parent;
  if (plan.contains("parent")) {
    sqlite3_value* given = argv[plan["parent"].get<int>() - 1];
    Value text = FromSqlite(given);
    parent = text.is_string() ? Value::parse(text.get<std::string>(), nullptr, false) : Value();
    if (parent.is_discarded() || !parent.is_object()) {
      // Not a parent row: nothing joins to it.
      cursor->eof = true;
      return SQLITE_OK;
    }
  }
  // Unless _raw is read, rows need only the fields the query reads.
  std::vector<std::string> read = *request.fields;
  // The key makes the rowid, which the query may read without naming a field.
  for (const EntityField& field : table->schema.fields) {
    if (field.primary_key && std::find(read.begin(), read.end(), field.name) == read.end())
      read.push_back(field.name);
  }
  if (!plan.value("raw", false)) request.only_fields = std::move(read);
  Result<std::unique_ptr<RowSource>> source =
      table->module->provider().Scan(table->schema.connector, table->schema.entity, request);
  if (!source.ok()) return Fail(&table->base, table->module, source.TakeStatus());
  cursor->source = std::move(source).value();
  return Advance(cursor);
}

int Next(sqlite3_vtab_cursor* base) { return Advance(reinterpret_cast<EntityCursor*>(base)); }

int Eof(sqlite3_vtab_cursor* base) { return reinterpret_cast<EntityCursor*>(base)->eof ? 1 : 0; }

// Text a handler returned enters SQLite masked of secrets. Masking the
// output alone is not enough once a secret is in SQL: an API that echoes the
// key puts it in a row, and hex(), substr() or replace() would carry it past
// every masked output in a form the masker does not know.
void ResultMaskedText(sqlite3_context* context, const std::string& text) {
  const SecretMasker& masker = SecretMasker::Global();
  if (masker.empty()) {
    sqlite3_result_text(context, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return;
  }
  std::string masked = masker.Mask(text);
  sqlite3_result_text(context, masked.data(), static_cast<int>(masked.size()), SQLITE_TRANSIENT);
}

int Column(sqlite3_vtab_cursor* base, sqlite3_context* context, int column) {
  auto* cursor = reinterpret_cast<EntityCursor*>(base);
  if (static_cast<size_t>(column) == cursor->cells.size()) {  // _raw
    ResultMaskedText(context, cursor->row.dump(-1, ' ', false, Value::error_handler_t::replace));
    return SQLITE_OK;
  }
  if (static_cast<size_t>(column) == cursor->cells.size() + 1 && cursor->parent.is_string()) {  // _parent
    ResultMaskedText(context, cursor->parent.get_ref<const std::string&>());
    return SQLITE_OK;
  }
  if (column < 0 || static_cast<size_t>(column) >= cursor->cells.size()) {
    sqlite3_result_null(context);
    return SQLITE_OK;
  }
  const Value& cell = cursor->cells[column];
  if (cell.is_null()) {
    sqlite3_result_null(context);
  } else if (cell.is_number_integer()) {
    sqlite3_result_int64(context, cell.get<int64_t>());
  } else if (cell.is_number()) {
    sqlite3_result_double(context, cell.get<double>());
  } else {
    ResultMaskedText(context, cell.get_ref<const std::string&>());
  }
  return SQLITE_OK;
}

// From the row's primary key (coerce.h), never from its position: what was
// pushed down changes positions, not keys.
int Rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
  auto* cursor = reinterpret_cast<EntityCursor*>(base);
  auto* table = reinterpret_cast<EntityTable*>(base->pVtab);
  Result<int64_t> id = RowidOf(table->schema, cursor->row, cursor->row_number);
  if (!id.ok()) return Fail(&table->base, table->module, id.TakeStatus());
  *rowid = *id;
  return SQLITE_OK;
}

sqlite3_module MakeModule() {
  sqlite3_module module{};
  module.iVersion = 0;
  module.xCreate = Connect;  // temp tables: creating and connecting are the same
  module.xConnect = Connect;
  module.xBestIndex = BestIndex;
  module.xDisconnect = Disconnect;
  module.xDestroy = Disconnect;
  module.xOpen = Open;
  module.xClose = Close;
  module.xFilter = Filter;
  module.xNext = Next;
  module.xEof = Eof;
  module.xColumn = Column;
  module.xRowid = Rowid;
  return module;
}

const sqlite3_module kModule = MakeModule();

}  // namespace

std::string EntityModuleArgument(std::string_view name) {
  std::string out = "'";
  for (char c : name) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Status EntityModule::ErrorOf(Status step_error) {
  Status engine = TakeError();
  return engine.ok() ? step_error : engine;
}

Status EntityModule::TakeError() {
  Status error = std::move(last_error_);
  last_error_ = Status::Ok();
  return error;
}

Status RegisterEntityModule(sqlite3* db, EntityModule* module) {
  int rc = sqlite3_create_module_v2(db, kEntityModuleName, &kModule, module, nullptr);
  if (rc != SQLITE_OK) return Status(ErrorKind::kInternal, std::string("cannot register ") + kEntityModuleName);
  return Status::Ok();
}

Status CreateEntityScanTable(Database& db, const std::string& table, const std::string& connector,
                             const std::string& entity, const ScanRequest& base) {
  std::string quoted = "temp." + QuoteIdentifier(table);
  RETURN_IF_ERROR(db.RunStatement("DROP TABLE IF EXISTS " + quoted));
  return db.RunStatement("CREATE VIRTUAL TABLE " + quoted + " USING " + kEntityModuleName + "(" +
                         EntityModuleArgument(connector) + ", " + EntityModuleArgument(entity) + ", " +
                         EntityModuleArgument(EncodeScanBase(base)) + ")");
}

}  // namespace sluice
