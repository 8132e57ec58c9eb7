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
  TableRows(Stmt stmt, EntityModule& entities) : stmt_(std::move(stmt)), entities_(entities) {}

  Result<bool> Next(std::vector<Value>& row) override {
    Result<bool> has_row = stmt_.Step();
    if (!has_row.ok()) {
      // The handler's failure keeps its kind (auth_error, …), not "SQL error".
      return entities_.ErrorOf(has_row.TakeStatus());
    }
    if (!*has_row) return false;
    int columns = stmt_.ColumnCount();
    row.resize(columns);
    for (int i = 0; i < columns; ++i) row[i] = stmt_.ColumnValue(i);
    return true;
  }

 private:
  Stmt stmt_;
  EntityModule& entities_;
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
  // Read from a table of the sync's own, named as the entity's, so its
  // scans carry the run's cursor and order (CreateScanTable in OpenRows).
  query.scan_table = *table + "#sync";
  query.sql = "SELECT " + columns + " FROM temp." + QuoteIdentifier(query.scan_table) + " AS " +
              QuoteIdentifier(*table);
  if (sync_.where) {
    ASSIGN_OR_RETURN(BoundSql bound, BindVariables(*sync_.where, in_.variables_));
    query.sql += " WHERE (" + bound.text + ")";
    query.params = std::move(bound.params);
  }
  return Status::Ok();
}

Result<std::unique_ptr<SyncRowStream>> SyncAdapter::OpenRows(EntityRun& run, const ScanRequest& sync_request) {
  EntityRun* self = &run;
  const std::string& connector_name = connector_;
  ConnectorRegistry& connectors_ = in_.connectors_;
  ScanRequest request = sync_request;
  if (self->fed_by) {
    auto parents = std::make_unique<RowTee::Reader>(self->fed_by, self->reader);
    std::unique_ptr<RowSource> source =
        connectors_.ScanEachParent(connector_name, self->entity, request, std::move(parents));
    if (self->feeds) {
      self->feeds->SetSource(std::move(source));
      source = std::make_unique<RowTee::Reader>(self->feeds, 0);
    }
    return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(std::move(source), self->schema));
  }
  if (self->direct) {
    // Children read the parent's rows whole, as their handlers get them.
    if (!self->feeds) request.only_fields = self->field_names;
    ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source, connectors_.Scan(connector_name, self->entity, request));
    if (self->feeds) {
      self->feeds->SetSource(std::move(source));
      source = std::make_unique<RowTee::Reader>(self->feeds, 0);
    }
    return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(std::move(source), self->schema));
  }
  const TableQuery& query = queries_[self->entity];
  RETURN_IF_ERROR(in_.CreateScanTable(query.scan_table, connector_name, self->entity, request));
  ASSIGN_OR_RETURN(Stmt stmt, in_.workspace_.db().Prepare(query.sql));
  for (size_t i = 0; i < query.params.size(); ++i) {
    RETURN_IF_ERROR(stmt.Bind(static_cast<int>(i + 1), query.params[i]));
  }
  in_.entity_module_.ClearError();
  return std::unique_ptr<SyncRowStream>(std::make_unique<TableRows>(std::move(stmt), in_.entity_module_));
}

Result<std::unique_ptr<RowSource>> SyncAdapter::ResolveTables(const Value& asked) {
  MultiTableScan* multi_table = source_.multi_table();
  if (!multi_table) return Status(ErrorKind::kInternal, "connector '" + connector_ + "' resolves one table at a time");
  return multi_table->ResolveTables(asked);
}

Status SyncAdapter::TableError(const Value& error) {
  return js::StatusFromJsError(error.value("name", ""), error.value("message", "the table failed"),
                               error.value("stack", ""));
}

}  // namespace sluice
