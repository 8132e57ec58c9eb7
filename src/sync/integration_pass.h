// One resolution of a table integration feeding several entities' syncs,
// as CloudQuery syncs a plugin: parents are resolved once, and each row goes
// to its own table's run. Rows wait in a queue per table only until the
// driver hands them to that table's run, right after they arrive.
//
// Thread-safety: one thread (the driver's).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "source/entity_provider.h"
#include "sync/sync_engine.h"

namespace sluice {

// A source that resolves several tables in one pass (a table integration).
class TableResolver {
 public:
  virtual ~TableResolver() = default;
  // `asked`: [{"name": table, "options": {…}}, …]. Items of the stream:
  // {"t": index in asked, "r": row}, or {"t": index, "error": {name,
  // message, stack}} when that table failed.
  virtual Result<std::unique_ptr<RowSource>> ResolveTables(const Value& asked) = 0;
  // The status a table's "error" item stands for.
  virtual Status TableError(const Value& error) = 0;
};

class IntegrationPass {
 public:
  explicit IntegrationPass(TableResolver& resolver) : resolver_(resolver) {}

  size_t Add(const std::string& table);
  // A table's run opens its rows: `options` carries its cursor.
  std::unique_ptr<SyncRowStream> Open(size_t table, Value options, const EntitySchema& schema);
  Status Start();
  // The next row of the resolution, queued for its table; the table's
  // index, or nullopt once the resolution has ended.
  Result<std::optional<size_t>> Pump();
  // After Start(): rows queued for their table as the handler makes them,
  // from inside Pump(), each followed by `arrived(table)`, which takes
  // them (RowSource::PushTo); an error from it stops the resolution. True
  // when the resolution pushes.
  bool PushTo(std::function<Status(size_t table)> arrived);
  bool HasQueued(size_t table) const { return !tables_[table].rows.empty() || !tables_[table].failure.ok(); }
  void Drop(size_t table) { tables_[table].rows.clear(); }
  void Fail(const Status& status);
  void End() { ended_ = true; }

 private:
  struct Table {
    std::string name;
    Value options = Value::object();
    bool opened = false;
    std::deque<Value> rows;
    Status failure;
  };
  class Queued;
  // Queues a resolved item for its table; the table's index.
  Result<size_t> Route(Value item);
  TableResolver& resolver_;
  std::vector<Table> tables_;
  std::vector<size_t> index_;  // pass index → table
  std::unique_ptr<RowSource> source_;
  bool ended_ = false;
};

}  // namespace sluice
