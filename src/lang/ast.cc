#include "lang/ast.h"

namespace sluice::ast {

const char* BinaryOpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "OR";
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kLike: return "LIKE";
    case BinaryOp::kNotLike: return "NOT LIKE";
    case BinaryOp::kContains: return "CONTAINS";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kConcat: return "||";
  }
  return "?";
}

const char* ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kConnectorType: return "connector type";
    case ObjectKind::kEntity: return "entity";
    case ObjectKind::kAction: return "action";
    case ObjectKind::kConnector: return "connector";
    case ObjectKind::kSecret: return "secret";
    case ObjectKind::kDestination: return "destination";
    case ObjectKind::kRegistry: return "registry";
  }
  return "object";
}

namespace {
struct StatementNamer {
  std::string operator()(const CreateConnectorTypeStmt&) const { return "CREATE CONNECTOR TYPE"; }
  std::string operator()(const CreateEntityStmt&) const { return "CREATE CONNECTOR ENTITY"; }
  std::string operator()(const CreateActionStmt&) const { return "CREATE CONNECTOR ACTION"; }
  std::string operator()(const CreateConnectorStmt&) const { return "CREATE CONNECTOR"; }
  std::string operator()(const AlterConnectorStmt&) const { return "ALTER CONNECTOR"; }
  std::string operator()(const RegisterTypeStmt&) const { return "REGISTER CONNECTOR TYPE"; }
  std::string operator()(const TestConnectionStmt&) const { return "TEST CONNECTOR"; }
  std::string operator()(const CreateSecretStmt&) const { return "CREATE SECRET"; }
  std::string operator()(const CreateDestinationStmt&) const { return "CREATE DESTINATION"; }
  std::string operator()(const DropStmt&) const { return "DROP"; }
  std::string operator()(const ShowStmt&) const { return "SHOW"; }
  std::string operator()(const DescribeStmt&) const { return "DESCRIBE"; }
  std::string operator()(const SqlStmt&) const { return "SQL"; }
  std::string operator()(const ExecStmt&) const { return "CONNECTOR_EXEC"; }
  std::string operator()(const SyncStmt&) const { return "SYNC"; }
  std::string operator()(const DeclareStmt&) const { return "DECLARE"; }
  std::string operator()(const SetStmt&) const { return "SET"; }
  std::string operator()(const PrintStmt&) const { return "PRINT"; }
  std::string operator()(const AssertStmt&) const { return "ASSERT"; }
  std::string operator()(const IfStmt&) const { return "IF"; }
  std::string operator()(const ForStmt&) const { return "FOR"; }
  std::string operator()(const TryStmt&) const { return "TRY"; }
  std::string operator()(const TestStmt&) const { return "TEST CONNECTOR TYPE"; }
  std::string operator()(const PackageStmt&) const { return "PACKAGE"; }
  std::string operator()(const PublishStmt&) const { return "PUBLISH"; }
  std::string operator()(const InstallStmt&) const { return "INSTALL"; }
  std::string operator()(const UpgradeStmt&) const { return "UPGRADE"; }
  std::string operator()(const RollbackStmt&) const { return "ROLLBACK"; }
  std::string operator()(const YankStmt&) const { return "YANK"; }
  std::string operator()(const CreateRegistryStmt&) const { return "CREATE REGISTRY"; }
};
}  // namespace

std::string StatementName(const Statement& statement) {
  return std::visit(StatementNamer{}, statement.node);
}

}  // namespace sluice::ast
