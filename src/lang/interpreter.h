// Interpreter: runs parsed statements against a workspace.
//
// It holds the session: variables, the workspace (catalog and SQLite
// connection for SELECT), and the sink that receives results. Definitions go
// to the catalog; SELECT and other SQL go to SQLite with declared variables
// bound as parameters; scripting statements run here. Statements whose
// execution arrives with a later part of Sluice fail with kNotImplemented and
// say so.
//
// Errors carry the position of the statement or expression that failed.
//
// Ownership: borrows the Workspace and OutputSink, which must outlive it.
// Thread-safety: one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/workspace.h"
#include "core/status.h"
#include "lang/ast.h"
#include "lang/connector_registry.h"
#include "query/entity_table.h"
#include "lang/test_block.h"
#include "lang/evaluator.h"
#include "lang/result.h"
#include "sync/sync_driver.h"

namespace sluice {

class MockApi;
class Destination;

// Rows of one SQL statement as SQLite produces them (Interpreter::StreamSql).
// Returning false from either call stops the statement at once: it is reset,
// which closes the live tables' cursors, so no handler fetches another page.
class SqlRowVisitor {
 public:
  virtual ~SqlRowVisitor() = default;
  virtual bool OnColumns(const std::vector<std::string>& columns) = 0;
  virtual bool OnRow(std::vector<Value> row) = 0;
};

struct SqlStreamOptions {
  // Asked for every action SQLite authorizes while preparing, after the
  // catalog's own guard (arguments as sqlite3_set_authorizer's): an error
  // refuses the statement, and is what StreamSql returns.
  std::function<std::optional<Status>(int action, const char* arg1, const char* arg2)> authorize;
  // Checked once the statement is prepared, before its first step.
  std::function<Status(sqlite3_stmt*)> check_prepared;
  // Answer with what each handler is asked (EXPLAIN's rows: step, handler
  // is asked) instead of running the statement, whether or not it starts
  // with EXPLAIN.
  bool plan_only = false;
};

class Interpreter {
 public:
  Interpreter(Workspace& workspace, OutputSink& output);
  ~Interpreter();

  // Runs one top-level statement.
  Status Execute(const ast::Statement& statement);
  // Runs a program's statements in order, stopping at the first error.
  Status ExecuteAll(const ast::Program& program);

  // `sluice scheduler` runs stored SYNC … SCHEDULE statements: then they
  // sync instead of storing their schedule again.
  void set_running_schedules(bool running) { running_schedules_ = running; }

  // Evaluates an expression in the current scope.
  Result<Value> Evaluate(const ast::Expr& expr) { return Eval(expr); }

  Variables& variables() { return variables_; }

  // Runs one SQL statement with variables bound and connector.entity
  // references as live tables, handing its rows to `visitor` as they come
  // (RunSql collects them). A handler's failure keeps its kind.
  Status StreamSql(const ast::SqlText& sql, SqlRowVisitor& visitor, const SqlStreamOptions& options = {});
  ConnectorRegistry& connectors() { return connectors_; }

  // One work unit of a distributed run, as `sluice worker` runs it
  // (cli/worker_command.h) in a workspace restored from the run's catalog
  // snapshot (lang/catalog_snapshot.h): the unit's entities of
  // `connector`, its partition, into `destination` with every batch
  // fenced; stale rows are left to the run's finalizer. `outcomes` gets a
  // row per entity, as SYNC's summary; the first failure is returned (a
  // lost lease: IsLeaseLost()).
  struct UnitSync {
    std::string connector;
    std::vector<std::string> entities;  // WorkUnit::entities
    std::optional<Partition> partition;
    Value choices = Value::object();    // DistributedRunSpec::choices
    std::string synced_at;
    Destination* destination = nullptr;
    std::optional<CommitFence> fence;
  };
  Status RunSyncUnit(const UnitSync& unit, std::vector<SyncOutcome>& outcomes);

 private:
  friend class CatalogStatements;
  friend class PackageStatements;
  friend class SyncAdapter;
  friend TestOutcome RunConnectorTest(std::unique_ptr<Workspace>, const ast::Statement&,
                                      std::vector<std::string>, OutputSink&);

  Status ExecuteBlock(const ast::Block& block);
  Status ExecuteExec(const ast::ExecStmt& exec);
  Status ExecuteTestConnection(const ast::TestConnectionStmt& test);
  Status ExecuteDeclare(const ast::DeclareStmt& declare);
  Status ExecuteSet(const ast::SetStmt& set);
  Status ExecutePrint(const ast::PrintStmt& print);
  Status ExecuteSql(const ast::SqlStmt& sql, const ast::Statement& statement);
  Status ExecuteAssert(const ast::AssertStmt& assert_stmt);
  Status ExecuteIf(const ast::IfStmt& if_stmt);
  Status ExecuteFor(const ast::ForStmt& for_stmt);
  Status ExecuteTry(const ast::TryStmt& try_stmt);
  // A TEST statement in a script: runs it isolated and reports its verdict.
  Status ExecuteTest(const ast::TestStmt& test, const ast::Statement& statement);
  // Inside a connector test: the body, with HTTP answered by MOCK_API.
  Status RunTestBody(const ast::TestStmt& test);
  // SYNC CONNECTOR … (interpreter_sync.cc).
  Status ExecuteSync(const ast::SyncStmt& sync, const ast::Statement& statement);
  Status ScheduleSync(const ast::SyncStmt& sync, const ast::Statement& statement);
  // SYNC … DISTRIBUTED (interpreter_distributed.cc): plans the units,
  // stores the run with the connector's catalog snapshot in the
  // destination's database (sync/coordinator.h), then waits, showing
  // progress, until workers have ended every unit; finalizes the run,
  // prints the summary and records it for SHOW SYNC RUNS. `request` is the
  // statement's SyncRequest as ExecuteSync built it (its chosen entities
  // and choices); `destination` its PostgreSQL destination's name.
  Status SubmitDistributedSync(const ast::SyncStmt& sync, const ast::Statement& statement,
                               const SyncRequest& request, Source& source);
  // SHOW SYNC UNITS [FOR RUN n] (interpreter_distributed.cc).
  Result<ResultSet> ShowSyncUnits(const ast::ShowStmt& show);
  // The statement's destination; with `own_connection`, one that shares
  // nothing with another entity's (entities syncing at once).
  Result<std::unique_ptr<Destination>> SyncDestination(const ast::SyncStmt& sync, bool own_connection);
  std::optional<Result<Value>> SessionFunction(const std::string& name, std::vector<Value>& args);

  // Runs SQL with variables bound; rows as a ResultSet.
  Result<ResultSet> RunSql(const ast::SqlText& sql);
  // The virtual table for connector.entity (created or refreshed), or
  // nullopt when `connector` names no connector.
  Result<std::optional<std::string>> EntityTable(const std::string& connector, const std::string& entity);
  // A live table of connector.entity of its own, `table`, whose every scan
  // starts from `base` (a sync's cursor and order); dropped with the rest.
  Status CreateScanTable(const std::string& table, const std::string& connector, const std::string& entity,
                         const ScanRequest& base);
  Result<Value> RunQueryValue(const ast::QueryExpr& query);
  Result<Value> Eval(const ast::Expr& expr);
  Result<Value> RunExec(const ast::ExecExpr& exec);

  Workspace& workspace_;
  OutputSink& output_;
  Variables variables_;
  Evaluator evaluator_;
  ConnectorRegistry connectors_;
  EntityModule entity_module_{connectors_.sources()};  // the live tables' module on the workspace connection
  bool in_test_ = false;              // this session is a connector test's
  bool running_schedules_ = false;
  std::shared_ptr<MockApi> test_mock_;  // its MOCK_API, if it has one
  std::map<std::string, std::string> entity_tables_;  // "c.e" → the FIELDS shape it was made with
};

// Rows of a ResultSet as an array of row objects (column → value).
Value RowsToValue(const ResultSet& result);

}  // namespace sluice
