#include "lang/interpreter.h"

#include <cstring>
#include <variant>

#include "core/identifier.h"
#include "core/interrupt.h"
#include "lang/interpreter_catalog.h"
#include "lang/interpreter_package.h"
#include "lang/sql_binding.h"
#include "query/entity_table.h"
#include "query/scan_plan.h"
#include "query/sql_functions.h"

namespace sluice {

Value RowsToValue(const ResultSet& result) {
  Value rows = Value::array();
  for (const auto& row : result.rows) {
    Value object = Value::object();
    for (size_t i = 0; i < result.columns.size(); ++i) object[result.columns[i]] = row[i];
    rows.push_back(std::move(object));
  }
  return rows;
}

Interpreter::Interpreter(Workspace& workspace, OutputSink& output)
    : workspace_(workspace),
      output_(output),
      evaluator_(variables_,
                 EvalHooks{[this](const ast::QueryExpr& query) { return RunQueryValue(query); },
                           [this](const ast::ExecExpr& exec, const ast::Expr&) { return RunExec(exec); },
                           [this](const std::string& name, std::vector<Value>& args) {
                             return SessionFunction(name, args);
                           }}),
      connectors_(workspace, output) {
  Status registered = RegisterEntityModule(workspace_.db().get(), &entity_module_);
  if (registered.ok()) registered = RegisterSqlFunctions(workspace_.db().get());
  if (!registered.ok()) output_.Log(registered.ToString());
}

// The entity tables point at this interpreter's connectors: they go with it.
Interpreter::~Interpreter() {
  for (const auto& [table, shape] : entity_tables_) {
    if (!shape.empty())
      (void)workspace_.db().RunStatement("DROP TABLE IF EXISTS temp." + QuoteIdentifier(table));
  }
}

Result<Value> Interpreter::Eval(const ast::Expr& expr) { return evaluator_.Eval(expr); }

Result<Value> Interpreter::RunExec(const ast::ExecExpr& exec) {
  Value arguments = Value::object();
  if (exec.argument) {
    ASSIGN_OR_RETURN(arguments, Eval(*exec.argument));
    if (arguments.is_null()) arguments = Value::object();
    if (!arguments.is_object()) {
      return Status(ErrorKind::kType, std::string("CONNECTOR_EXEC takes an object of arguments, got ") +
                                          ValueTypeName(arguments))
          .At(exec.argument->span.begin);
    }
  }
  for (const ast::NamedArg& arg : exec.named_args) {
    ASSIGN_OR_RETURN(arguments[arg.name], Eval(*arg.value));
  }
  std::string action;
  for (const std::string& part : exec.path) action += (action.empty() ? "" : ".") + part;
  return connectors_.Execute(exec.connector, action, std::move(arguments));
}

Status Interpreter::ExecuteAll(const ast::Program& program) {
  for (const ast::Statement& statement : program.statements) {
    RETURN_IF_ERROR(Execute(statement));
  }
  return Status::Ok();
}

Status Interpreter::ExecuteBlock(const ast::Block& block) {
  variables_.PushScope();
  Status status;
  for (const ast::Statement& statement : block) {
    status = Execute(statement);
    if (!status.ok()) break;
  }
  variables_.PopScope();
  return status;
}

namespace {

// An overload set of lambdas for std::visit.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

Status Interpreter::Execute(const ast::Statement& statement) {
  // Definitions may have changed since the last statement.
  connectors_.BeginStatement();
  CatalogStatements catalog(*this);
  PackageStatements packages(*this);
  // One executor per alternative of ast::Statement, and no catch-all: a
  // statement type added without an executor fails to compile here.
  Status status = std::visit(
      Overloaded{
          [&](const ast::CreateConnectorTypeStmt& s) { return catalog.CreateConnectorType(s); },
          [&](const ast::CreateEntityStmt& s) { return catalog.CreateEntity(s, statement); },
          [&](const ast::CreateActionStmt& s) { return catalog.CreateAction(s, statement); },
          [&](const ast::CreateConnectorStmt& s) { return catalog.CreateConnector(s); },
          [&](const ast::AlterConnectorStmt& s) { return catalog.AlterConnector(s); },
          [&](const ast::RegisterTypeStmt& s) { return catalog.Register(s); },
          [&](const ast::TestConnectionStmt& s) { return ExecuteTestConnection(s); },
          [&](const ast::CreateSecretStmt& s) { return catalog.CreateSecret(s); },
          [&](const ast::CreateDestinationStmt& s) { return catalog.CreateDestination(s); },
          [&](const ast::DropStmt& s) { return catalog.Drop(s); },
          [&](const ast::ShowStmt& s) { return catalog.Show(s); },
          [&](const ast::DescribeStmt& s) { return catalog.Describe(s); },
          [&](const ast::SqlStmt& s) { return ExecuteSql(s, statement); },
          [&](const ast::ExecStmt& s) { return ExecuteExec(s); },
          [&](const ast::SyncStmt& s) { return ExecuteSync(s, statement); },
          [&](const ast::DeclareStmt& s) { return ExecuteDeclare(s); },
          [&](const ast::SetStmt& s) { return ExecuteSet(s); },
          [&](const ast::PrintStmt& s) { return ExecutePrint(s); },
          [&](const ast::AssertStmt& s) { return ExecuteAssert(s); },
          [&](const ast::IfStmt& s) { return ExecuteIf(s); },
          [&](const ast::ForStmt& s) { return ExecuteFor(s); },
          [&](const ast::TryStmt& s) { return ExecuteTry(s); },
          [&](const ast::TestStmt& s) { return ExecuteTest(s, statement); },
          [&](const ast::PackageStmt& s) { return packages.Package(s, statement); },
          [&](const ast::PublishStmt& s) { return packages.Publish(s); },
          [&](const ast::InstallStmt& s) { return packages.Install(s); },
          [&](const ast::UpgradeStmt& s) { return packages.Upgrade(s); },
          [&](const ast::RollbackStmt& s) { return packages.Rollback(s); },
          [&](const ast::YankStmt& s) { return packages.Yank(s); },
          [&](const ast::CreateRegistryStmt& s) { return packages.CreateRegistry(s); },
      },
      statement.node);
  if (!status.ok()) status.At(statement.span.begin);
  return status;
}

Status Interpreter::ExecuteExec(const ast::ExecStmt& exec) {
  ASSIGN_OR_RETURN(Value result, Eval(*exec.exec));
  // A bare CONNECTOR_EXEC shows what the action returned.
  if (!result.is_null()) output_.Print(result.dump(-1, ' ', false, Value::error_handler_t::replace));
  return Status::Ok();
}

Status Interpreter::ExecuteTestConnection(const ast::TestConnectionStmt& test) {
  ASSIGN_OR_RETURN(ResultSet checks, connectors_.TestConnection(test.connector.text));
  checks.title = "connector '" + test.connector.text + "': OK";
  output_.Emit(checks);
  return Status::Ok();
}

Status Interpreter::ExecuteDeclare(const ast::DeclareStmt& declare) {
  Value value;
  if (declare.init) {
    ASSIGN_OR_RETURN(value, Eval(*declare.init));
  }
  variables_.Declare(declare.name.text, std::move(value));
  return Status::Ok();
}

Status Interpreter::ExecuteSet(const ast::SetStmt& set) {
  ASSIGN_OR_RETURN(Value value, Eval(*set.value));
  if (!variables_.Assign(set.name.text, std::move(value))) {
    return Status(ErrorKind::kNotFound, "variable '" + set.name.text +
                                            "' is not declared (DECLARE " + set.name.text +
                                            " = …)")
        .At(set.name.span.begin);
  }
  return Status::Ok();
}

Status Interpreter::ExecutePrint(const ast::PrintStmt& print) {
  std::string line;
  for (const ast::ExprPtr& expr : print.values) {
    ASSIGN_OR_RETURN(Value value, Eval(*expr));
    if (!line.empty()) line += ' ';
    line += ValueToDisplayString(value);
  }
  output_.Print(line);
  return Status::Ok();
}

namespace {

std::string Show(const Value& value) {
  return value.is_string() ? "'" + value.get<std::string>() + "'" : ValueToDisplayString(value);
}

}  // namespace

Status Interpreter::ExecuteAssert(const ast::AssertStmt& assert_stmt) {
  ASSIGN_OR_RETURN(Value outcome, Eval(*assert_stmt.condition));
  if (ValueIsTrue(outcome)) return Status::Ok();

  const ast::Expr& condition = *assert_stmt.condition;
  std::string detail;
  if (auto* binary = std::get_if<ast::BinaryExpr>(&condition.node)) {
    Result<Value> left = Eval(*binary->left);
    Result<Value> right = Eval(*binary->right);
    if (left.ok() && right.ok()) {
      if (binary->op == ast::BinaryOp::kEq) {
        detail = "expected " + Show(*right) + ", found " + Show(*left);
      } else if (binary->op == ast::BinaryOp::kNe) {
        detail = "both are " + Show(*left);
      } else {
        detail = "left is " + Show(*left) + ", right is " + Show(*right);
      }
    }
  } else if (auto* is_null = std::get_if<ast::IsNullExpr>(&condition.node)) {
    Result<Value> operand = Eval(*is_null->operand);
    if (operand.ok()) detail = "found " + Show(*operand);
  }
  if (detail.empty()) detail = std::string("the condition is ") + (outcome.is_null() ? "NULL" : "false");

  std::string message = "assertion failed: ";
  if (assert_stmt.message) {
    ASSIGN_OR_RETURN(Value text, Eval(*assert_stmt.message));
    message += ValueToDisplayString(text) + ": ";
  }
  message += std::string(condition.span.Text()) + " (" + detail + ")";
  return Status(ErrorKind::kAssertion, message).At(condition.span.begin);
}

Status Interpreter::ExecuteIf(const ast::IfStmt& if_stmt) {
  for (const ast::IfBranch& branch : if_stmt.branches) {
    ASSIGN_OR_RETURN(Value condition, Eval(*branch.condition));
    if (ValueIsTrue(condition)) return ExecuteBlock(branch.body);
  }
  if (if_stmt.else_body) return ExecuteBlock(*if_stmt.else_body);
  return Status::Ok();
}

Status Interpreter::ExecuteFor(const ast::ForStmt& for_stmt) {
  ASSIGN_OR_RETURN(Value items, Eval(*for_stmt.iterable));
  if (items.is_null()) return Status::Ok();
  if (!items.is_array()) {
    return Status(ErrorKind::kType, std::string("FOR … IN needs a query or an array, got ") +
                                        ValueTypeName(items))
        .At(for_stmt.iterable->span.begin);
  }
  for (Value& item : items) {
    variables_.PushScope();
    variables_.Declare(for_stmt.variable.text, std::move(item));
    Status status = ExecuteBlock(for_stmt.body);
    variables_.PopScope();
    RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

Status Interpreter::ExecuteTry(const ast::TryStmt& try_stmt) {
  Status status = ExecuteBlock(try_stmt.body);
  if (status.ok()) return status;
  // A skipped test is not a failure to recover from: it ends the test. Nor
  // is Ctrl-C: the user asked for the whole statement to stop.
  if (status.kind() == ErrorKind::kSkipped || InterruptRequested()) return status;
  for (const ast::CatchClause& clause : try_stmt.catches) {
    bool matches = clause.kinds.empty();
    for (const ast::Name& kind : clause.kinds) {
      matches = matches || ErrorKindFromName(kind.text) == status.kind();
    }
    if (!matches) continue;
    variables_.PushScope();
    variables_.Declare("error", Value{{"kind", ErrorKindName(status.kind())},
                                      {"message", status.message()}});
    Status handler = ExecuteBlock(clause.body);
    variables_.PopScope();
    return handler;
  }
  return status;
}

namespace {

// User SQL may read the catalog but never change it: the catalog is only
// written through Sluice statements, which keep it consistent.
int GuardCatalog(void*, int action, const char* arg1, const char* arg2, const char*, const char*) {
  auto is_catalog = [](const char* table) {
    return table != nullptr && std::strncmp(table, "_sluice_", 8) == 0;
  };
  switch (action) {
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
    case SQLITE_DROP_TABLE:
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_INDEX:
    case SQLITE_DROP_INDEX:
    case SQLITE_CREATE_TRIGGER:
      return is_catalog(arg1) ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_ALTER_TABLE:
      return is_catalog(arg2) ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      // Pragmas that can corrupt the file or the catalog's invariants.
      if (arg1 && (std::strcmp(arg1, "writable_schema") == 0 ||
                   (std::strcmp(arg1, "user_version") == 0 && arg2 != nullptr))) {
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    default:
      return SQLITE_OK;
  }
}

}  // namespace

// EXPLAIN's rows: per step of SQLite's plan, what a handler is asked.
ResultSet DescribePlan(const ResultSet& query_plan);

Result<std::optional<std::string>> Interpreter::EntityTable(const std::string& connector,
                                                             const std::string& entity) {
  Result<ConnectorDef> def = workspace_.catalog().GetConnector(connector);
  if (!def.ok()) return std::optional<std::string>();  // not a connector: plain SQL
  Result<EntitySchema> schema = connectors_.Schema(connector, entity);
  if (!schema.ok()) return schema.TakeStatus();
  std::string table = connector + "." + entity;
  // The table's columns follow FIELDS: a redefined entity gets a new table.
  std::string shape;
  for (const EntityField& field : schema->fields) shape += field.name + ":" + field.type + ",";
  std::string& known = entity_tables_[table];
  if (known == shape) return std::optional<std::string>(table);
  // Names are quoted, never pasted, and each statement runs alone: a name
  // (an integration's table, or one from an older workspace) is data.
  std::string quoted = QuoteIdentifier(table);
  if (!known.empty()) RETURN_IF_ERROR(workspace_.db().RunStatement("DROP TABLE temp." + quoted));
  Status created = workspace_.db().RunStatement(
      "CREATE VIRTUAL TABLE temp." + quoted + " USING " + kEntityModuleName + "(" +
      EntityModuleArgument(connector) + ", " + EntityModuleArgument(entity) + ")");
  if (!created.ok()) {
    known.clear();
    return created;
  }
  known = shape;
  return std::optional<std::string>(table);
}

Status Interpreter::CreateScanTable(const std::string& table, const std::string& connector,
                                    const std::string& entity, const ScanRequest& base) {
  // Recorded so the destructor drops it: it points at these connectors too.
  entity_tables_[table] = "scan";
  return CreateEntityScanTable(workspace_.db(), table, connector, entity, base);
}

namespace {

// The caller's own rule, then the catalog's guard; the caller's first
// refusal is kept to be returned instead of SQLite's "not authorized".
struct Authorization {
  const SqlStreamOptions* options;
  Status refusal;
};

int Authorize(void* data, int action, const char* arg1, const char* arg2, const char* database,
              const char* trigger) {
  auto* state = static_cast<Authorization*>(data);
  if (state->options->authorize) {
    std::optional<Status> refused = state->options->authorize(action, arg1, arg2);
    if (refused) {
      if (state->refusal.ok()) state->refusal = std::move(*refused);
      return SQLITE_DENY;
    }
  }
  return GuardCatalog(nullptr, action, arg1, arg2, database, trigger);
}

// RunSql's visitor: every row, kept.
class CollectRows : public SqlRowVisitor {
 public:
  bool OnColumns(const std::vector<std::string>& columns) override {
    result.columns = columns;
    return true;
  }
  bool OnRow(std::vector<Value> row) override {
    result.rows.push_back(std::move(row));
    return true;
  }
  ResultSet result;
};

}  // namespace

Result<ResultSet> Interpreter::RunSql(const ast::SqlText& sql) {
  CollectRows rows;
  RETURN_IF_ERROR(StreamSql(sql, rows));
  return std::move(rows.result);
}

Status Interpreter::StreamSql(const ast::SqlText& sql, SqlRowVisitor& visitor, const SqlStreamOptions& options) {
  // connector.entity references become their virtual tables.
  Status lookup_error;
  bool uses_entities = false;
  EntityTableResolver resolve = [&](const std::string& connector, const std::string& entity) {
    Result<std::optional<std::string>> table = EntityTable(connector, entity);
    if (!table.ok()) {
      if (lookup_error.ok()) lookup_error = table.TakeStatus();
      return std::optional<std::string>();
    }
    uses_entities = uses_entities || table->has_value();
    return *table;
  };
  ASSIGN_OR_RETURN(BoundSql bound, BindVariables(sql, variables_, resolve));
  RETURN_IF_ERROR(lookup_error);
  // EXPLAIN over connectors shows what each handler is asked, read from the
  // plan SQLite chose (the virtual table's idxStr); VM bytecode helps nobody.
  const bool starts_explain = sql.tokens.size() > 1 && sql.tokens[0].IsKeyword("EXPLAIN");
  bool explain = starts_explain && !sql.tokens[1].IsKeyword("QUERY") && uses_entities;
  if (explain) {
    bound.text = "EXPLAIN QUERY PLAN " + bound.text.substr(sql.tokens[1].offset - sql.tokens[0].offset);
  } else if (options.plan_only) {
    explain = true;
    if (!starts_explain) {
      bound.text = "EXPLAIN QUERY PLAN " + bound.text;
    } else if (!sql.tokens[1].IsKeyword("QUERY")) {
      bound.text = "EXPLAIN QUERY PLAN " + bound.text.substr(sql.tokens[1].offset - sql.tokens[0].offset);
    }
  }
  sqlite3* db = workspace_.db().get();
  Authorization authorization{&options, Status::Ok()};
  sqlite3_set_authorizer(db, Authorize, &authorization);
  Result<Stmt> prepared = workspace_.db().Prepare(bound.text);
  sqlite3_set_authorizer(db, nullptr, nullptr);
  if (!prepared.ok()) {
    if (!authorization.refusal.ok()) return authorization.refusal;
    Status status = prepared.TakeStatus();
    if (status.message().find("not authorized") != std::string::npos) {
      return Status(ErrorKind::kSql,
                    "not allowed: SQL may read the _sluice_* catalog tables but not change them, "
                    "and may not ATTACH databases; use Sluice statements instead");
    }
    return status;
  }
  Stmt stmt = std::move(prepared).value();
  if (options.check_prepared) RETURN_IF_ERROR(options.check_prepared(stmt.get()));
  for (size_t i = 0; i < bound.params.size(); ++i) {
    RETURN_IF_ERROR(stmt.Bind(static_cast<int>(i + 1), bound.params[i]));
  }
  ResultSet plan;  // EXPLAIN: SQLite's plan rows, described once all are in
  int columns = stmt.ColumnCount();
  if (!explain) {
    std::vector<std::string> names;
    for (int i = 0; i < columns; ++i) names.push_back(stmt.ColumnName(i));
    if (!visitor.OnColumns(names)) return Status::Ok();
  }
  entity_module_.ClearError();
  while (true) {
    Result<bool> has_row = stmt.Step();
    if (!has_row.ok()) {
      // A handler's failure keeps its kind (auth_error, …), not "SQL error".
      return entity_module_.ErrorOf(has_row.TakeStatus());
    }
    if (!*has_row) break;
    std::vector<Value> row;
    row.reserve(columns);
    for (int i = 0; i < columns; ++i) row.push_back(stmt.ColumnValue(i));
    if (explain) {
      plan.rows.push_back(std::move(row));
    } else if (!visitor.OnRow(std::move(row))) {
      // Reset now, not when `stmt` goes: the live tables' cursors close
      // before the caller does anything else.
      stmt.Reset();
      return Status::Ok();
    }
  }
  if (!explain) return Status::Ok();
  ResultSet described = DescribePlan(plan);
  if (!visitor.OnColumns(described.columns)) return Status::Ok();
  for (std::vector<Value>& row : described.rows) {
    if (!visitor.OnRow(std::move(row))) break;
  }
  return Status::Ok();
}

ResultSet DescribePlan(const ResultSet& query_plan) {
  ResultSet plan;
  plan.columns = {"step", "handler is asked"};
  for (const auto& row : query_plan.rows) {
    std::string detail = row.size() > 3 ? ValueToDisplayString(row[3]) : "";
    std::optional<ExplainedStep> explained = DescribePlanStep(detail);
    if (!explained) {
      plan.rows.push_back({Value(detail), Value()});
      continue;
    }
    const ScanPlan& decided = explained->plan;
    std::string asked;
    auto add = [&asked](const std::string& part) { asked += (asked.empty() ? "" : "; ") + part; };
    std::string filters, conditions;
    for (const ScanPlan::Term& where : decided.where) {
      std::string op = where.in_list ? "IN" : where.op;
      if (op == "=" || op == "IN") filters += (filters.empty() ? "" : ", ") + where.field + (op == "IN" ? " (list)" : "");
      conditions += (conditions.empty() ? "" : ", ") + where.field + " " + op;
    }
    if (decided.parent) add("parent: the joined parent row (one call each)");
    // Constraints whose value no value of the field's type equals: the
    // engine applies them, the handler never sees them.
    std::string kept;
    for (const ScanPlan::Term& term : decided.kept) kept += (kept.empty() ? "" : ", ") + term.field + " " + term.op;
    if (!decided.pushdown) {
      add("nothing pushed down: the source (a CloudQuery plugin) takes no filters, limit or order; "
          "SQLite applies the WHERE, LIMIT and ORDER BY to every row it streams");
    }
    add("filters: " + (filters.empty() ? std::string("none") : filters));
    if (!conditions.empty()) add("conditions: " + conditions);
    if (!kept.empty()) add("not passed (value not of the field's type): " + kept);
    add(std::string("limit: ") + (decided.limit ? "passed" : "not passed"));
    if (decided.offset) {
      add("offset: applied by SQLite (the handler's limit counts the skipped rows)");
    }
    if (!decided.order_by.empty()) {
      std::string order;
      for (const ScanPlan::Order& term : decided.order_by) {
        order += (order.empty() ? "" : ", ") + term.field + (term.desc ? " desc" : "");
      }
      add("order_by: " + order);
    }
    std::string fields;
    for (const std::string& field : decided.fields) fields += (fields.empty() ? "" : ", ") + field;
    add("fields: " + (fields.empty() ? std::string("none") : fields));
    plan.rows.push_back({Value(explained->step), Value(asked)});
  }
  return plan;
}

Result<Value> Interpreter::RunQueryValue(const ast::QueryExpr& query) {
  ASSIGN_OR_RETURN(ResultSet result, RunSql(query.sql));
  return RowsToValue(result);
}

Status Interpreter::ExecuteSql(const ast::SqlStmt& sql, const ast::Statement&) {
  ASSIGN_OR_RETURN(ResultSet result, RunSql(sql.sql));
  if (!result.columns.empty()) output_.Emit(result);
  return Status::Ok();
}

}  // namespace sluice
