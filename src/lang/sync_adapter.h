// What a SYNC statement gives the sync driver (sync/sync_driver.h): its
// destination, the entities' schemas, and their rows — straight from the
// handler, through a parent's shared scan, or through the entity's SQL
// table when the statement has a WHERE — and, for a table integration, one
// resolution of several tables.
//
// Ownership: borrows the interpreter and the statement for one SYNC.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lang/ast.h"
#include "sync/integration_pass.h"
#include "sync/sync_driver.h"

namespace sluice {

class Interpreter;
class Source;

class SyncAdapter : public SyncHost, public TableResolver {
 public:
  SyncAdapter(Interpreter& in, const ast::SyncStmt& sync, std::string connector, Source& source)
      : in_(in), sync_(sync), connector_(std::move(connector)), source_(source) {}

  Result<std::unique_ptr<Destination>> OpenDestination(bool own_connection) override;
  Result<EntitySchema> Schema(const std::string& entity) override;
  Status PrepareRows(EntityRun& run) override;
  Result<std::unique_ptr<SyncRowStream>> OpenRows(EntityRun& run, const ScanRequest& request) override;

  Result<std::unique_ptr<RowSource>> ResolveTables(const Value& asked) override;
  Status TableError(const Value& error) override;

 private:
  struct TableQuery {
    std::string scan_table;  // the sync's own table of the entity, which sql reads
    std::string sql;         // that table, with the statement's WHERE
    std::vector<Value> params;
  };
  Interpreter& in_;
  const ast::SyncStmt& sync_;
  std::string connector_;
  Source& source_;
  std::map<std::string, TableQuery> queries_;  // by entity
};

}  // namespace sluice
