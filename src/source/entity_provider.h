// What the virtual-table glue needs from the rest of the engine, and no
// more: an entity's fields, and a way to run its query handler. The
// interpreter implements it over the catalog and the running connectors;
// src/query itself knows nothing of either, nor of JavaScript.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "source/scan_request.h"

namespace sluice {

struct EntityField {
  std::string name;
  std::string type;  // string, integer, number, boolean, timestamp, date, document, array
  bool filterable = false;
  bool sortable = false;
  bool primary_key = false;  // part of the row's key: the live table's rowid comes from it
  bool required = false;     // a row without it (missing or null) is an error
};

struct EntitySchema {
  std::string connector;
  std::string entity;
  std::vector<EntityField> fields;
  bool has_parent = false;  // a child entity: rows come per parent row
  // The handler declared that it skips options.offset rows itself (PUSHDOWN
  // OFFSET; an integration table's `appliesOffset`). Otherwise the engine
  // skips them, and the handler's options.limit counts them in.
  bool applies_offset = false;
  // False when the source can apply no filter, limit or order at all (a
  // CloudQuery plugin: its Sync carries none): SQLite does all of it, and
  // EXPLAIN says so.
  bool takes_pushdown = true;
};

// Takes a row a source pushes (RowSource::PushTo); an error stops the source.
using RowConsumer = std::function<Status(Value row)>;

// Rows of one handler call, pulled one at a time.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual Result<std::optional<Value>> Next() = 0;
  // For a child entity: the parent row of the row Next() returned last
  // (while a row is pushed, that row's).
  virtual Value Parent() const { return Value(); }
  // Asks the source to hand each row to `consume` as the handler makes it,
  // from inside Next() — which then returns only the end or an error —
  // rather than keep rows until they are pulled; true when it will. A
  // handler that writes rows faster than they are read (a loop that never
  // awaits) then holds none of them, and a consumer that blocks (a sync
  // waiting for its writer) slows the handler down. `consume` must not use
  // this source nor run JavaScript; its error stops the handler, and Next()
  // returns an error then. Sources that cannot keep the rows' order or a
  // bound this way (a scan shared by several readers) say false.
  virtual bool PushTo(RowConsumer /*consume*/) { return false; }
};

class EntityProvider {
 public:
  virtual ~EntityProvider() = default;
  virtual Result<EntitySchema> Schema(const std::string& connector, const std::string& entity) = 0;
  // Runs the entity's query for `request` (HandlerOptions makes the
  // handler's options). For a child entity with no parent row in the
  // request, runs it once per row of its parent entity.
  virtual Result<std::unique_ptr<RowSource>> Scan(const std::string& connector, const std::string& entity,
                                                  const ScanRequest& request) = 0;
};

}  // namespace sluice
