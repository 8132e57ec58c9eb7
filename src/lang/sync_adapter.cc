#include "lang/sync_adapter.h"

#include "js/convert.h"
#include "lang/interpreter.h"
#include "lang/sql_binding.h"
#include "sync/handler_rows.h"
#include "sync/row_tee.h"

namespace sluice {
namespace {

// Rows of one entity from its virtual table, in TableSpec column order.
class TableRows : public SyncRowStream {
 public:
  TableRows(Stmt stmt, ConnectorRegistry& connectors) : stmt_(std::move(stmt)), connectors_(connectors) {}

  Result<bool> Next(std::vector<Value>& row) override {
    Result<bool> has_row = stmt_.Step();
    if (!has_row.ok()) {
      // The handler's failure keeps its kind (auth_error, …), not "SQL error".
      Status engine = connectors_.TakeLastError();
      return engine.ok() ? has_row.TakeStatus() : engine;
    }
    if (!*has_row) return false;
    int columns = stmt_.ColumnCount();
    row.resize(columns);
    for (int i = 0; i < columns; ++i) row[i] = stmt_.ColumnValue(i);
    return true;
  }

 private:
  Stmt stmt_;
  ConnectorRegistry& connectors_;
};

}  // namespace

Result<std::unique_ptr<Destination>> SyncAdapter::OpenDestination(bool own_connection) {
  return in_.SyncDestination(sync_, own_connection);
}

Result<EntitySchema> SyncAdapter::Schema(const std::string& entity) {
  return in_.connectors_.Schema(connector_, entity);
}

Status SyncAdapter::PrepareRows(EntityRun& run) {
  // The entity's table, with the statement's WHERE bound like a SELECT's.
  ASSIGN_OR_RETURN(std::optional<std::string> table, in_.EntityTable(connector_, run.entity));
  std::string columns;
  for (const ColumnSpec& column : run.plan.table.columns) {
    columns += (columns.empty() ? "" : ", ") + QuoteIdentifier(column.name);
  }
  TableQuery& query = queries_[run.entity];
  query.sql = "SELECT " + columns + " FROM temp." + QuoteIdentifier(*table);
  if (sync_.where) {
    ASSIGN_OR_RETURN(BoundSql bound, BindVariables(*sync_.where, in_.variables_));
    query.sql += " WHERE (" + bound.text + ")";
    query.params = std::move(bound.params);
  }
  return Status::Ok();
}

Result<std::unique_ptr<SyncRowStream>> SyncAdapter::OpenRows(EntityRun& run, Value options) {
  EntityRun* self = &run;
  const std::string& connector_name = connector_;
  ConnectorRegistry& connectors_ = in_.connectors_;
  Value extra = std::move(options);
  // Set for the scan either way: it also keeps a sync away from the query cache.
  connectors_.SetSyncOptions(connector_name, self->entity, std::move(extra));
  if (self->fed_by) {
    auto parents = std::make_unique<RowTee::Reader>(self->fed_by, self->reader);
    std::unique_ptr<RowSource> source = connectors_.ScanEachParent(connector_name, self->entity, Value::object(),
                                                                   Value::object(), std::move(parents));
    if (self->feeds) {
      self->feeds->SetSource(std::move(source));
      source = std::make_unique<RowTee::Reader>(self->feeds, 0);
    }
    return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(std::move(source), self->schema));
  }
  if (self->direct) {
    // Children read the parent's rows whole, as their handlers get them.
    ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source,
                     connectors_.Scan(connector_name, self->entity, Value::object(), Value::object(), Value(),
                                      self->feeds ? nullptr : &self->field_names));
    if (self->feeds) {
      self->feeds->SetSource(std::move(source));
      source = std::make_unique<RowTee::Reader>(self->feeds, 0);
    }
    return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(std::move(source), self->schema));
  }
  const TableQuery& query = queries_[self->entity];
  ASSIGN_OR_RETURN(Stmt stmt, in_.workspace_.db().Prepare(query.sql));
  for (size_t i = 0; i < query.params.size(); ++i) {
    RETURN_IF_ERROR(stmt.Bind(static_cast<int>(i + 1), query.params[i]));
  }
  (void)connectors_.TakeLastError();
  return std::unique_ptr<SyncRowStream>(std::make_unique<TableRows>(std::move(stmt), connectors_));
}

void SyncAdapter::RunEnded(EntityRun& run) {
  // Its cursor was for its own run: a child scanning it later sees every row.
  in_.connectors_.SetSyncOptions(connector_, run.entity, Value::object());
}

Result<std::unique_ptr<RowSource>> SyncAdapter::ResolveTables(const Value& asked) {
  return instance_.ResolveTables(asked);
}

Status SyncAdapter::TableError(const Value& error) {
  return js::StatusFromJsError(error.value("name", ""), error.value("message", "the table failed"),
                               error.value("stack", ""));
}

}  // namespace sluice
