// Fuzz target "arrow_ipc": the Arrow IPC reader that takes bytes from
// plugins Sluice does not control (hosted sources and destinations).
// Input: an IPC stream, seeded with valid streams from Sluice and Arrow JS.
//
// Properties: any bytes give a schema/record or an error, never a crash
// (under ASan/UBSan); DecodeSchema accepts whatever DecodeRecord accepts,
// with the same types; and a decoded record that encodes again decodes to
// exactly the same schema and cells (what Sluice reads, it writes back
// unchanged).
#include <string>
#include <string_view>

#include "cloudquery/arrow_ipc.h"
#include "fuzz_target.h"

namespace {

std::string Texts(const sluice::cq::DecodedRecord& record) {
  std::string out;
  for (const sluice::cq::ArrowField& f : record.schema.fields) {
    out += f.name + ":" + sluice::cq::TypeText(f) + (f.nullable ? "" : "!") + ";";
  }
  for (const auto& [k, v] : record.schema.metadata) out += k + "=" + v + ";";
  for (const sluice::cq::Row& row : record.rows) {
    for (const sluice::Value& v : row)
      out += v.dump(-1, ' ', false, sluice::Value::error_handler_t::replace) + ",";
    out += "\n";
  }
  return out;
}

}  // namespace

SLUICE_FUZZ_TARGET("arrow_ipc") {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sluice::Result<sluice::cq::ArrowSchema> schema = sluice::cq::DecodeSchema(input);
  sluice::Result<sluice::cq::DecodedRecord> record = sluice::cq::DecodeRecord(input);
  if (!record.ok()) {
    SLUICE_FUZZ_CHECK(!record.status().message().empty(), "an error without a message");
    return;
  }
  SLUICE_FUZZ_CHECK(schema.ok(),
                    "DecodeRecord accepted a stream whose schema DecodeSchema refused: " +
                        schema.status().ToString());
  SLUICE_FUZZ_CHECK(schema->fields.size() == record->schema.fields.size(),
                    "the two decoders disagree on fields");
  for (size_t i = 0; i < schema->fields.size(); ++i) {
    SLUICE_FUZZ_CHECK(
        sluice::cq::TypeText(schema->fields[i]) == sluice::cq::TypeText(record->schema.fields[i]),
        "the two decoders disagree on a type");
  }
  sluice::Result<std::string> again = sluice::cq::EncodeRecord(record->schema, record->rows);
  if (!again.ok()) return;  // e.g. nulls in a NOT NULL column of foreign data
  sluice::Result<sluice::cq::DecodedRecord> back = sluice::cq::DecodeRecord(*again);
  SLUICE_FUZZ_CHECK(back.ok(), "Sluice cannot read what it wrote: " + back.status().ToString());
  if (record->rows.empty()) back->rows.clear();  // schema-only in, an empty batch out
  SLUICE_FUZZ_CHECK(Texts(*back) == Texts(*record),
                    "a decoded record does not survive encoding again:\n" + Texts(*record) +
                        "--- became ---\n" + Texts(*back));
}
