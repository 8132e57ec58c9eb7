// Arrow IPC streams as CloudQuery plugins exchange them: a table is a
// stream holding one Schema message and EOS; a record is Schema + one
// RecordBatch + EOS (docs/cloudquery.md, "On the wire"). Our own codec on
// flatbuffers, generated from arrow_format.fbs (written from the Arrow
// format specification): Arrow C++ is not in Debian 12.
//
// Cells are Values, one per column, in schema order:
//   null → null; bool → boolean; int*/uint* → integer (a uint64 above
//   INT64_MAX → number); float* → number; utf8 → string;
//   binary / large_binary / fixed_size_binary → base64 string;
//   decimal128 → string ("123.4500"); date → "YYYY-MM-DD";
//   timestamp → ISO-8601 UTC "2024-01-02T03:04:05.123456Z" (digits as the
//   unit has them; no "Z" when the type has no time zone);
//   time → "HH:MM:SS[.fraction]"; duration → integer in its unit;
//   interval → {"months"} (year_month), {"days", "milliseconds"}
//   (day_time), {"months", "days", "nanoseconds"} (month_day_nano);
//   list / large_list / fixed_size_list → array; struct → object;
//   map → array of {"key", "value"};
//   extension uuid → "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
//   json → the JSON value itself; inet → its text; mac → "aa:bb:…".
// Encoding takes the same forms back, and coerces where the meaning is
// unambiguous: integral numbers and integer text for ints; integers and
// numeric text for floats and decimals; numbers and booleans for utf8;
// timestamps as ISO-8601 with any offset (converted to UTC; a bare date is
// midnight UTC; digits past the unit truncate toward the past) or an
// integer epoch in the column's unit (likewise integers for date, time);
// a string holding a JSON object or array text for json (any other value,
// strings included, is the document itself); an object for a map with
// string keys. Anything else is an error naming column (a.b[] inside
// nested types) and row. Writing float16 is not supported.
//
// Reading foreign bytes is safe: every flatbuffer goes through the
// flatbuffers Verifier, every buffer and offset is bounds-checked, nesting
// and the number of values a batch may claim are capped, and dictionaries,
// compression, unions, view and run-end types are errors (kNotImplemented)
// saying "unsupported". The writer refuses what the reader would.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace sluice::cq {

// Key/value pairs in the order written (Arrow custom_metadata).
using Metadata = std::vector<std::pair<std::string, std::string>>;
// The value of `key`, or "" when absent.
std::string MetadataValue(const Metadata& metadata, std::string_view key);

enum class TypeId {
  kNull,
  kBool,
  kInt,
  kFloat,
  kDecimal,
  kUtf8,
  kLargeUtf8,
  kBinary,
  kLargeBinary,
  kFixedSizeBinary,
  kDate,
  kTime,
  kTimestamp,
  kDuration,
  kInterval,
  kList,
  kLargeList,
  kFixedSizeList,
  kStruct,
  kMap,
};
enum class TimeUnit { kSecond, kMillisecond, kMicrosecond, kNanosecond };
enum class DateUnit { kDay, kMillisecond };
enum class IntervalUnit { kYearMonth, kDayTime, kMonthDayNano };

struct ArrowType {
  TypeId id = TypeId::kNull;
  int bit_width = 0;                       // Int 8..64; Float 16/32/64; Time 32/64; Decimal 128
  bool is_signed = true;                   // Int
  TimeUnit unit = TimeUnit::kMicrosecond;  // Time, Timestamp, Duration
  DateUnit date_unit = DateUnit::kDay;
  IntervalUnit interval_unit = IntervalUnit::kMonthDayNano;
  std::string timezone;      // Timestamp; "" = naive
  int precision = 0;         // Decimal
  int scale = 0;             // Decimal
  int byte_width = 0;        // FixedSizeBinary
  int list_size = 0;         // FixedSizeList
  bool keys_sorted = false;  // Map
};

struct ArrowField {
  std::string name;
  ArrowType type;
  bool nullable = true;
  Metadata metadata;                 // incl. ARROW:extension:name / ARROW:extension:metadata
  std::vector<ArrowField> children;  // List: 1; Map: 1 struct<key, value>; Struct: n
  // "uuid", "json", "inet", "mac" (ARROW:extension:name), or "".
  std::string Extension() const;
};

struct ArrowSchema {
  std::vector<ArrowField> fields;
  Metadata metadata;
};

// Readable type text, e.g. "utf8", "int64", "timestamp[us, UTC]",
// "list<utf8>", "struct<a: int64, b: utf8>", "uuid", "json".
std::string TypeText(const ArrowField& field);

// The field TypeText describes, named `name`: TypeText's inverse. Children
// get Arrow's conventional names ("item", "entries", "key", "value");
// " not null" after a child's type makes it non-nullable.
Result<ArrowField> FieldOfTypeText(std::string name, std::string_view text);

// The extension types CloudQuery defines, with their exact storage and
// metadata; a field named `name`.
ArrowField UuidField(std::string name);
ArrowField JsonField(std::string name);
ArrowField InetField(std::string name);
ArrowField MacField(std::string name);

// A record of at most this many values (rows × top-level columns) is
// never refused for its count; beyond it the reader wants about a byte of
// body per value (a million bools in a few kB would be an allocation bomb).
inline constexpr size_t kRecordValuesAlwaysAccepted = size_t{1} << 16;

// Schema-only stream (Schema message + EOS).
std::string EncodeSchema(const ArrowSchema& schema);
Result<ArrowSchema> DecodeSchema(std::string_view ipc);

using Row = std::vector<Value>;

// Schema + exactly one record batch holding `rows` + EOS.
Result<std::string> EncodeRecord(const ArrowSchema& schema, const std::vector<Row>& rows);

// The rows as consecutive records of at most `max_bytes` each (a message
// cap such as grpc-js's 4 MiB default), in order, one batch each; no
// records for no rows. A row too big alone is an error naming it.
Result<std::vector<std::string>> EncodeRecords(const ArrowSchema& schema,
                                               const std::vector<Row>& rows, size_t max_bytes);

struct DecodedRecord {
  ArrowSchema schema;
  std::vector<Row> rows;  // empty when the stream had no batch
  size_t batches = 0;     // record batches in the stream (only the first is decoded)
};
// The first record batch of the stream (as CloudQuery's readers take it).
Result<DecodedRecord> DecodeRecord(std::string_view ipc);

// About how many bytes `row` adds to an encoded record (for splitting
// batches under a message-size cap; never less than the real size).
size_t EstimateRowBytes(const ArrowSchema& schema, const Row& row);

}  // namespace sluice::cq
