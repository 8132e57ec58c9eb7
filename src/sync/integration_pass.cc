#include "sync/integration_pass.h"

#include "sync/handler_rows.h"

namespace sluice {

class IntegrationPass::Queued : public RowSource {
 public:
  Queued(IntegrationPass& pass, size_t table) : pass_(pass), table_(table) {}
  Result<std::optional<Value>> Next() override {
    Table& table = pass_.tables_[table_];
    if (!table.rows.empty()) {
      Value row = std::move(table.rows.front());
      table.rows.pop_front();
      return std::optional<Value>(std::move(row));
    }
    if (!table.failure.ok()) return table.failure;
    if (pass_.ended_) return std::optional<Value>();
    return Status(ErrorKind::kInternal, "table " + table.name + " was asked for a row before one arrived");
  }

 private:
  IntegrationPass& pass_;
  size_t table_;
};

size_t IntegrationPass::Add(const std::string& table) {
  Table entry;
  entry.name = table;
  tables_.push_back(std::move(entry));
  return tables_.size() - 1;
}

std::unique_ptr<SyncRowStream> IntegrationPass::Open(size_t table, Value options, const EntitySchema& schema) {
  tables_[table].options = std::move(options);
  tables_[table].opened = true;
  return std::make_unique<HandlerRows>(std::make_unique<Queued>(*this, table), schema);
}

Status IntegrationPass::Start() {
  Value asked = Value::array();
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (!tables_[i].opened) continue;
    index_.push_back(i);
    asked.push_back(Value{{"name", tables_[i].name}, {"options", tables_[i].options}});
  }
  if (asked.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(source_, resolver_.ResolveTables(asked));
  return Status::Ok();
}

Result<size_t> IntegrationPass::Route(Value item) {
  size_t at = item.value("t", static_cast<size_t>(0));
  if (at >= index_.size()) return Status(ErrorKind::kInternal, "a resolved row names no table");
  Table& table = tables_[index_[at]];
  if (item.contains("error")) {
    table.failure = resolver_.TableError(item["error"]);
  } else {
    table.rows.push_back(std::move(item["r"]));
  }
  return index_[at];
}

Result<std::optional<size_t>> IntegrationPass::Pump() {
  if (!source_) return std::optional<size_t>();
  ASSIGN_OR_RETURN(std::optional<Value> item, source_->Next());
  if (!item) return std::optional<size_t>();
  ASSIGN_OR_RETURN(size_t table, Route(std::move(*item)));
  return std::optional<size_t>(table);
}

bool IntegrationPass::PushTo(std::function<Status(size_t table)> arrived) {
  if (!source_) return false;
  return source_->PushTo([this, arrived = std::move(arrived)](Value item) -> Status {
    ASSIGN_OR_RETURN(size_t table, Route(std::move(item)));
    return arrived(table);
  });
}

void IntegrationPass::Fail(const Status& status) {
  for (Table& table : tables_) {
    if (table.failure.ok()) table.failure = status;
  }
}

}  // namespace sluice
