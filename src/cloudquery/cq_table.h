// A CloudQuery table as Sluice sees it, and the mapping both ways between
// its Arrow schema (with CloudQuery's metadata keys) and Sluice's FIELDS.
//
// Schema metadata: cq:table_name (required when reading), cq:table_title,
// cq:table_description, cq:extension:constraint_name (always written),
// cq:extension:incremental = "true" (incremental tables only),
// cq:table_depends_on (child tables). Field metadata:
// cq:extension:primary_key / unique / incremental = "true" | "false"
// (always written); NOT NULL is Arrow's nullable = false. Only the text
// "true" reads as true.
//
// FIELDS types map to Arrow as DESIGN §3 says: string → utf8, integer →
// int64, number → float64, boolean → bool, timestamp → timestamp[us, UTC],
// date → date32, document → json extension, array → json extension (a
// Sluice array may mix element types, which an Arrow list cannot); a
// field may name its Arrow type exactly with "arrow": "<TypeText>"
// (integrations keep what they declared). Arrow maps back: ints →
// integer, floats/decimal → number, utf8/binary/uuid/inet/mac/time/
// interval → string, bool → boolean, timestamp → timestamp, date → date,
// json/struct/map → document, lists → array, duration → integer.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "cloudquery/arrow_ipc.h"
#include "core/status.h"
#include "core/value.h"

namespace sluice::cq {

struct CqColumn {
  ArrowField arrow;          // name, Arrow type, nullable, extension metadata
  bool primary_key = false;
  bool unique = false;
  bool incremental = false;  // a cursor column
  bool not_null() const { return !arrow.nullable; }
};

struct CqTable {
  std::string name;
  std::string title;
  std::string description;
  std::string parent;           // cq:table_depends_on; "" for a top-level table
  std::string constraint_name;  // cq:extension:constraint_name
  bool incremental = false;     // cq:extension:incremental
  std::vector<CqColumn> columns;
};

// The table's schema with every CloudQuery metadata key.
ArrowSchema SchemaOfTable(const CqTable& table);
// A table from a schema another plugin sent; an error without
// cq:table_name.
Result<CqTable> TableOfSchema(const ArrowSchema& schema);

// The FIELDS type of an Arrow field ("integer", "document", …).
std::string FieldsTypeOf(const ArrowField& field);
// The Arrow field for a FIELDS entry ({"type": …, "arrow": …, "required": …}).
Result<ArrowField> ArrowFieldOf(const std::string& name, const Value& field_def);

// The table as FIELDS ({"col": {"type", "primary_key", "required",
// "unique", "arrow"}}), in column order.
Value FieldsOfTable(const CqTable& table);
// A table named `name` from FIELDS; primary keys and "required" carry
// over; `cursor` names the incremental column ("" for none), `parent` the
// parent table.
Result<CqTable> TableOfFields(const std::string& name, const Value& fields, const std::string& cursor,
                              const std::string& parent);

}  // namespace sluice::cq
