// The abstract syntax tree of the Sluice language (DESIGN.md §3).
//
// Every node carries the span of source text it was parsed from, so errors
// found while running a statement point at the right line and column, and so
// ASSERT can quote the expression that failed. Nodes own their children
// (unique_ptr); a Program owns its statements and keeps its SourceFile alive.
//
// Thread-safety: immutable after parsing; may be read from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/source_text.h"
#include "core/value.h"
#include "lang/token.h"

namespace sluice::ast {

// A range of source text: [begin.offset, end_offset).
struct Span {
  SourceLocation begin;
  uint32_t end_offset = 0;

  std::string_view Text() const {
    if (!begin.file) return {};
    return std::string_view(begin.file->text).substr(begin.offset, end_offset - begin.offset);
  }
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// A piece of SQLite SQL kept as written, with its tokens so the interpreter
// can find declared variables in it and bind them as parameters.
struct SqlText {
  Span span;
  std::vector<Token> tokens;
};

// --- Expressions -----------------------------------------------------------

struct LiteralExpr {
  Value value;
};
struct VariableExpr {
  std::string name;  // as written
};
struct MemberExpr {  // object.field
  ExprPtr object;
  std::string field;
};
struct IndexExpr {  // value[index]
  ExprPtr object;
  ExprPtr index;
};
enum class UnaryOp { kNot, kNegate, kPlus };
struct UnaryExpr {
  UnaryOp op;
  ExprPtr operand;
};
enum class BinaryOp {
  kOr, kAnd,
  kEq, kNe, kLt, kLe, kGt, kGe, kLike, kNotLike, kContains,
  kAdd, kSub, kMul, kDiv, kMod, kConcat,
};
const char* BinaryOpSymbol(BinaryOp op);
struct BinaryExpr {
  BinaryOp op;
  ExprPtr left;
  ExprPtr right;
};
struct IsNullExpr {
  ExprPtr operand;
  bool negated = false;  // IS NOT NULL
};
struct InExpr {  // x [NOT] IN (a, b, …) or x [NOT] IN array_expr
  ExprPtr operand;
  std::vector<ExprPtr> list;  // one element when array_operand
  bool negated = false;
  bool array_operand = false;  // `IN expr`: membership in the array it yields
};
struct CallExpr {
  std::string name;  // upper-cased
  std::vector<ExprPtr> args;
};
struct ObjectExpr {  // {"key": expr, …}
  std::vector<std::pair<std::string, ExprPtr>> entries;
};
struct ArrayExpr {
  std::vector<ExprPtr> elements;
};
struct QueryExpr {  // SELECT … as a value: an array of row objects
  SqlText sql;
};
struct IntervalExpr {  // INTERVAL '7d' — a duration in seconds
  double seconds = 0;
  std::string text;
};
struct NamedArg {
  std::string name;
  ExprPtr value;
  Span span;
};
// CONNECTOR_EXEC connector.entity.action(args) — also usable as a value.
struct ExecExpr {
  std::string connector;
  std::vector<std::string> path;  // ["items", "create"]
  ExprPtr argument;               // a single (object) argument, or null
  std::vector<NamedArg> named_args;
};

struct Expr {
  Span span;
  std::variant<LiteralExpr, VariableExpr, MemberExpr, IndexExpr, UnaryExpr, BinaryExpr,
               IsNullExpr, InExpr, CallExpr, ObjectExpr, ArrayExpr, QueryExpr, IntervalExpr,
               ExecExpr>
      node;
};

// --- Statements ------------------------------------------------------------

struct Statement;
using Block = std::vector<Statement>;

// A name as written and where, for error messages.
struct Name {
  std::string text;
  Span span;
};

// Handler code: inline ('''…''') or FILE 'path'. For inline code `origin` is
// where its first character sits in the script, so JavaScript line numbers
// can be mapped back to the script.
struct HandlerCode {
  std::string code;                // inline code; empty for FILE until loaded
  std::optional<std::string> file; // FILE 'path' as written
  SourceLocation origin;
};

struct CreateConnectorTypeStmt {
  bool or_replace = false;
  Name name;
  std::optional<std::string> description;
  std::optional<std::string> version;
  ExprPtr config_schema;                   // may be null
  std::optional<std::string> integration;  // FROM INTEGRATION 'dir'
  std::optional<std::string> plugin;       // FROM PLUGIN 'host:port' | 'unix:/path' | LOCAL 'exe'
  bool plugin_local = false;               // FROM PLUGIN LOCAL
};

struct CreateEntityStmt {
  bool or_replace = false;
  Name name;  // 'type.entity'
  std::optional<std::string> description;
  ExprPtr fields;
  std::optional<std::string> cursor;
  std::optional<Name> parent;
  bool applies_offset = false;  // PUSHDOWN OFFSET
  HandlerCode handler;
};

struct CreateActionStmt {
  bool or_replace = false;
  Name name;  // 'type.action' or 'type.entity.action'
  std::optional<std::string> description;
  ExprPtr parameters;  // may be null
  HandlerCode handler;
};

struct CreateConnectorStmt {
  bool or_replace = false;
  Name name;
  Name type;
  ExprPtr config;   // may be null (all defaults)
  ExprPtr options;  // may be null
};

enum class AlterAction { kSetOptions, kSetConfig, kEnable, kDisable };
struct AlterConnectorStmt {
  Name name;
  AlterAction action;
  ExprPtr value;  // for SET
};

struct RegisterTypeStmt {
  Name type;
};

struct TestConnectionStmt {  // TEST CONNECTOR name;
  Name connector;
};

struct CreateSecretStmt {
  bool or_replace = false;
  Name name;
  ExprPtr value;                    // VALUE expr
  std::optional<std::string> env;   // FROM ENV 'NAME'
};

struct CreateDestinationStmt {
  bool or_replace = false;
  Name name;
  Name type;
  ExprPtr config;  // may be null
};

enum class ObjectKind { kConnectorType, kEntity, kAction, kConnector, kSecret, kDestination, kRegistry };
const char* ObjectKindName(ObjectKind kind);  // "connector type", "entity", …

struct DropStmt {
  ObjectKind kind;
  Name name;
  bool if_exists = false;
};

enum class ShowWhat {
  kConnectorTypes, kConnectors, kEntities, kActions, kSecrets, kDestinations, kSyncRuns,
  kConnectorStats,  // HTTP diagnostics of the connectors this session ran
  kPackages,        // installed packages: version, constraint, registry, update available
  kRegistries,
  kSyncUnits        // SHOW SYNC UNITS [FOR RUN n]: a distributed run's units, from its coordinator
};
struct ShowStmt {
  ShowWhat what;
  std::optional<Name> for_name;  // ENTITIES/ACTIONS FOR name
  std::optional<int64_t> run;    // SHOW SYNC UNITS FOR RUN n (the distributed run's id)
};

struct DescribeStmt {
  ObjectKind kind;
  Name name;
};

struct SqlStmt {  // passed through to SQLite
  SqlText sql;
};

struct ExecStmt {
  ExprPtr exec;  // an ExecExpr
};

enum class SyncMode { kDefault, kFull, kIncremental };
enum class SyncTarget { kWorkspace, kFile, kDestination };
struct SyncStmt {
  Name connector;
  std::optional<Name> entity;          // SYNC CONNECTOR c.entity
  std::vector<Name> entities;          // ENTITIES (a, b)
  SyncTarget target = SyncTarget::kWorkspace;
  std::string target_name;             // file path or destination name
  std::optional<SqlText> where;
  SyncMode mode = SyncMode::kDefault;
  std::optional<std::string> incremental_field;  // INCREMENTAL ON field
  std::optional<std::string> write_mode;
  std::optional<std::string> schedule;
  bool force = false;
  // SYNC … DISTRIBUTED: stores the run's work units in the destination's
  // PostgreSQL database for `sluice worker` processes, and waits for them.
  bool distributed = false;
  // SYNC … SHARD i/N: only the units whose stable hash falls in shard i
  // (sync/work_units.h). As written ("2/4"), checked by the parser.
  std::optional<std::string> shard;
};

struct DeclareStmt {
  Name name;
  ExprPtr init;  // may be null
};

struct SetStmt {
  Name name;
  ExprPtr value;
};

struct PrintStmt {
  std::vector<ExprPtr> values;
};

struct AssertStmt {
  ExprPtr condition;
  ExprPtr message;  // may be null
};

struct IfBranch {
  ExprPtr condition;
  Block body;
};
struct IfStmt {
  std::vector<IfBranch> branches;  // IF and each ELSIF
  std::optional<Block> else_body;
};

struct ForStmt {
  Name variable;
  ExprPtr iterable;  // a QueryExpr for `IN (SELECT …)`, or any array value
  Block body;
};

struct CatchClause {
  std::vector<Name> kinds;  // empty: catches every error
  Block body;
  Span span;
};
struct TryStmt {
  Block body;
  std::vector<CatchClause> catches;
};

struct TestStmt {  // TEST CONNECTOR TYPE 'x' NAME '…' … BEGIN … END TEST
  Name type;
  Name test_name;
  ExprPtr tags;      // may be null
  ExprPtr mock_api;  // may be null
  Block body;
};

// PACKAGE CONNECTOR TYPE 'x' VERSION '1.0.0' [DESCRIPTION …] [AUTHOR …]
//   [LICENSE 'MIT'] [TO 'dir']
struct PackageStmt {
  Name type;
  std::optional<std::string> version;
  std::optional<std::string> description;
  std::optional<std::string> author;
  std::optional<std::string> license;
  std::optional<std::string> to_dir;  // default ./packages
};

// PUBLISH CONNECTOR TYPE 'x' [VERSION '1.0.0'] TO 'registry-or-url' [SIGNED BY 'key']
struct PublishStmt {
  Name type;
  std::optional<std::string> version;
  std::string target;                   // a registry's name, or a path/URL (registry.h)
  std::optional<std::string> signed_by; // a secret holding a key from `sluice keygen`
};

// INSTALL CONNECTOR TYPE 'x' [VERSION '^1.2'] FROM REGISTRY 'r-or-url' [ALLOW UNSIGNED]
struct InstallStmt {
  Name type;
  std::optional<std::string> version;  // a semver range, e.g. '^1.0'
  std::string registry;                // a registry's name, or a path/URL
  bool allow_unsigned = false;
};

// UPGRADE CONNECTOR TYPE 'x' [VERSION '^2'] [FORCE] [ALLOW UNSIGNED]
struct UpgradeStmt {
  Name type;
  std::optional<std::string> version;
  bool force = false;
  bool allow_unsigned = false;  // never inherited from the INSTALL
};

// ROLLBACK CONNECTOR TYPE 'x' [ALLOW UNSIGNED]
struct RollbackStmt {
  Name type;
  bool allow_unsigned = false;
};

// YANK CONNECTOR TYPE 'x' VERSION '1.0.1' FROM REGISTRY 'r' [REASON '…'] [UNDO]
struct YankStmt {
  Name type;
  std::string version;
  std::string registry;
  std::optional<std::string> reason;
  bool undo = false;  // un-yank
};

// CREATE [OR REPLACE] REGISTRY r URL '…' [TRUSTED_KEYS ('RW…', …)]
struct CreateRegistryStmt {
  bool or_replace = false;
  Name name;
  std::string url;
  std::vector<std::string> trusted_keys;
};

struct Statement {
  Span span;
  std::variant<CreateConnectorTypeStmt, CreateEntityStmt, CreateActionStmt, CreateConnectorStmt,
               AlterConnectorStmt, RegisterTypeStmt, TestConnectionStmt, CreateSecretStmt,
               CreateDestinationStmt, DropStmt, ShowStmt, DescribeStmt, SqlStmt, ExecStmt,
               SyncStmt, DeclareStmt, SetStmt, PrintStmt, AssertStmt, IfStmt, ForStmt, TryStmt,
               TestStmt, PackageStmt, PublishStmt, InstallStmt, UpgradeStmt, RollbackStmt, YankStmt,
               CreateRegistryStmt>
      node;
};

// The statement's name for messages, e.g. "CREATE CONNECTOR TYPE".
std::string StatementName(const Statement& statement);

struct Program {
  std::shared_ptr<const SourceFile> source;
  Block statements;
};

}  // namespace sluice::ast
