// The definition statements: CREATE/ALTER/DROP/REGISTER of connector types,
// entities, actions, connectors, secrets and destinations, and SHOW and
// DESCRIBE. Split from interpreter.cc to keep each file about one concern.
//
// Ownership: borrows the Interpreter for one statement.
#pragma once

#include "lang/interpreter.h"

namespace sluice {

class CatalogStatements {
 public:
  explicit CatalogStatements(Interpreter& interpreter) : in_(interpreter) {}

  // One executor per definition statement; Interpreter::Execute dispatches
  // to them with std::visit.
  Status CreateConnectorType(const ast::CreateConnectorTypeStmt& s);
  Status CreateEntity(const ast::CreateEntityStmt& s, const ast::Statement& statement);
  Status CreateAction(const ast::CreateActionStmt& s, const ast::Statement& statement);
  Status CreateConnector(const ast::CreateConnectorStmt& s);
  Status AlterConnector(const ast::AlterConnectorStmt& s);
  Status Register(const ast::RegisterTypeStmt& s);
  Status CreateSecret(const ast::CreateSecretStmt& s);
  Status CreateDestination(const ast::CreateDestinationStmt& s);
  Status Drop(const ast::DropStmt& s);
  Status Show(const ast::ShowStmt& s);
  Status Describe(const ast::DescribeStmt& s);

 private:
  Status CreateIntegrationType(const ast::CreateConnectorTypeStmt& s);
  Status CreatePluginType(const ast::CreateConnectorTypeStmt& s);
  Status ValidateIntegrationConfig(const ConnectorTypeDef& type, const ConnectorDef& connector);

  Status DescribeType(const std::string& name);
  Result<EntityDef> FindEntity(const std::string& type, const std::string& name);
  Status AddDynamicTables(const std::string& type_filter, std::vector<EntityDef>& entities);
  Status DescribeEntity(const std::string& name);
  Status DescribeAction(const std::string& name);
  Status DescribeConnector(const std::string& name);
  Status DescribeDestination(const std::string& name);

  // Evaluates an optional object-valued clause ({} when absent).
  Result<Value> EvalObject(const ast::ExprPtr& expr, const char* clause);
  Result<HandlerDef> LoadHandler(const ast::HandlerCode& code, const ast::Statement& statement);
  Status CheckSecretFieldsNotLiteral(const ConnectorTypeDef& type, const ast::ExprPtr& config,
                                     Value& evaluated);

  Interpreter& in_;
};

}  // namespace sluice
