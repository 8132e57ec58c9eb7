// Statements of the Sluice language (DESIGN.md §3).
#include "core/secret_masker.h"
#include "lang/parser_internal.h"

#include <charconv>

namespace sluice::parser_detail {

namespace {

bool IsSqlStatementKeyword(const Token& token) {
  static constexpr std::string_view kKeywords[] = {
      "SELECT",  "WITH",  "VALUES",  "INSERT",   "UPDATE",  "DELETE",    "REPLACE",
      "EXPLAIN", "PRAGMA", "ANALYZE", "REINDEX", "BEGIN",   "COMMIT",    "ROLLBACK",
      "SAVEPOINT", "RELEASE", "VACUUM"};
  for (std::string_view keyword : kKeywords) {
    if (token.IsKeyword(keyword)) return true;
  }
  return false;
}

bool IsSqlObjectKeyword(const Token& token) {
  static constexpr std::string_view kKeywords[] = {"TABLE", "VIEW",      "INDEX",    "UNIQUE",
                                                   "TRIGGER", "TEMP", "TEMPORARY", "VIRTUAL"};
  for (std::string_view keyword : kKeywords) {
    if (token.IsKeyword(keyword)) return true;
  }
  return false;
}

}  // namespace

ast::Statement Parser::ParseStatement() {
  const Token& first = Peek();
  if (first.kind != TokenKind::kIdentifier || first.quoted) FailExpected("a statement");
  if (first.IsKeyword("CREATE")) {
    if (IsSqlObjectKeyword(Peek(1))) return ParseSql(first);
    return ParseCreate(first);
  }
  if (first.IsKeyword("DROP")) {
    if (IsSqlObjectKeyword(Peek(1))) return ParseSql(first);
    return ParseDrop(first);
  }
  if (first.IsKeyword("ALTER")) {
    if (PeekKeyword("TABLE", 1)) return ParseSql(first);
    return ParseAlter(first);
  }
  // Only `ROLLBACK CONNECTOR …` is ours; ROLLBACK, ROLLBACK TRANSACTION and
  // ROLLBACK TO SAVEPOINT stay SQL.
  if (first.IsKeyword("ROLLBACK") && PeekKeyword("CONNECTOR", 1)) return ParseRollback(first);
  if (IsSqlStatementKeyword(first)) return ParseSql(first);
  if (first.IsKeyword("SHOW")) return ParseShow(first);
  if (first.IsKeyword("DESCRIBE") || first.IsKeyword("DESC")) return ParseDescribe(first);
  if (first.IsKeyword("REGISTER")) return ParseRegister(first);
  if (first.IsKeyword("TEST")) return ParseTest(first);
  if (first.IsKeyword("SYNC")) return ParseSync(first);
  if (first.IsKeyword("PACKAGE")) return ParsePackage(first);
  if (first.IsKeyword("PUBLISH")) return ParsePublish(first);
  if (first.IsKeyword("INSTALL")) return ParseInstall(first);
  if (first.IsKeyword("UPGRADE")) return ParseUpgrade(first);
  if (first.IsKeyword("YANK")) return ParseYank(first);
  if (first.IsKeyword("DECLARE")) return ParseDeclare(first);
  if (first.IsKeyword("SET")) return ParseSet(first);
  if (first.IsKeyword("PRINT")) return ParsePrint(first);
  if (first.IsKeyword("ASSERT")) return ParseAssert(first);
  if (first.IsKeyword("IF")) return ParseIf(first);
  if (first.IsKeyword("FOR")) return ParseFor(first);
  if (first.IsKeyword("TRY")) return ParseTry(first);
  if (first.IsKeyword("CONNECTOR_EXEC")) {
    ast::ExecStmt exec{ParseExecCall(Next())};
    ExpectStatementEnd();
    return Make(first, std::move(exec));
  }
  for (std::string_view stray : {"END", "ELSE", "ELSIF", "ELSEIF", "CATCH", "LOOP", "THEN"}) {
    if (first.IsKeyword(stray)) Fail(first, "'" + first.text + "' without a block it belongs to");
  }
  Fail(first, "unknown statement '" + first.text + "'");
}

ast::Statement Parser::ParseSql(const Token& first) {
  ast::SqlStmt statement{CaptureSql({}, /*stop_at_close_paren=*/false)};
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::HandlerCode Parser::ParseHandlerCode() {
  ast::HandlerCode handler;
  if (AcceptKeyword("FILE")) {
    const Token& path = Peek();
    handler.file = ParseStringLiteral("a file path after FILE");
    handler.origin = LocationOf(path);
    return handler;
  }
  const Token& code = Peek();
  if (code.kind == TokenKind::kCode) {
    handler.origin = LocationAtOffset(code.offset + 3);
  } else if (IsStringToken(code)) {
    handler.origin = LocationAtOffset(code.offset + 1);
  } else {
    FailExpected("handler code ('''…''') or FILE 'path'");
  }
  Next();
  handler.code = code.text;
  return handler;
}

ast::Statement Parser::ParseCreate(const Token& first) {
  Next();  // CREATE
  bool or_replace = false;
  if (AcceptKeyword("OR")) {
    ExpectKeyword("REPLACE");
    or_replace = true;
  }
  if (AcceptKeyword("CONNECTOR")) {
    // `CREATE CONNECTOR type TYPE 'x'` names a connector "type"; otherwise
    // TYPE/ENTITY/ACTION here introduce those definitions.
    if (!PeekKeyword("TYPE", 1)) {
      if (AcceptKeyword("TYPE")) return ParseCreateConnectorType(first, or_replace);
      if (AcceptKeyword("ENTITY")) return ParseCreateEntity(first, or_replace);
      if (AcceptKeyword("ACTION")) return ParseCreateAction(first, or_replace);
    }
    return ParseCreateConnector(first, or_replace);
  }
  if (AcceptKeyword("SECRET")) return ParseCreateSecret(first, or_replace);
  if (AcceptKeyword("DESTINATION")) return ParseCreateDestination(first, or_replace);
  if (AcceptKeyword("REGISTRY")) return ParseCreateRegistry(first, or_replace);
  FailExpected("CONNECTOR, SECRET, DESTINATION or REGISTRY (or an SQL TABLE, VIEW, INDEX or TRIGGER)");
}


ast::Statement Parser::ParseCreateConnectorType(const Token& first, bool or_replace) {
  ast::CreateConnectorTypeStmt statement;
  statement.or_replace = or_replace;
  statement.name = ParseStringName("a connector type name");
  if (statement.name.text.find('.') != std::string::npos) {
    Fail(first, "connector type name '" + statement.name.text + "' must not contain '.'");
  }
  bool description = false, version = false, schema = false, integration = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("DESCRIPTION")) {
      ClauseOnce(description, clause);
      statement.description = ParseStringLiteral("a description");
    } else if (AcceptKeyword("VERSION")) {
      ClauseOnce(version, clause);
      statement.version = ParseStringLiteral("a version");
    } else if (AcceptKeyword("CONFIG_SCHEMA")) {
      ClauseOnce(schema, clause);
      statement.config_schema = ParseExpr();
    } else if (AcceptKeyword("FROM")) {
      ClauseOnce(integration, clause);
      if (AcceptKeyword("PLUGIN")) {
        statement.plugin_local = AcceptKeyword("LOCAL");
        statement.plugin = ParseStringLiteral(
            statement.plugin_local ? "the path of a plugin executable"
                                   : "a plugin address ('host:port' or 'unix:/path')");
      } else {
        ExpectKeyword("INTEGRATION");
        statement.integration = ParseStringLiteral("an integration directory");
      }
    } else {
      break;
    }
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseCreateEntity(const Token& first, bool or_replace) {
  ast::CreateEntityStmt statement;
  statement.or_replace = or_replace;
  statement.name = ParseStringName("an entity name ('type.entity')");
  size_t dot = statement.name.text.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == statement.name.text.size() ||
      statement.name.text.find('.', dot + 1) != std::string::npos) {
    Fail(first, "entity name '" + statement.name.text + "' must be 'type.entity'");
  }
  bool description = false, fields = false, cursor = false, parent = false, handler = false,
       pushdown = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("DESCRIPTION")) {
      ClauseOnce(description, clause);
      statement.description = ParseStringLiteral("a description");
    } else if (AcceptKeyword("FIELDS")) {
      ClauseOnce(fields, clause);
      statement.fields = ParseExpr();
    } else if (AcceptKeyword("CURSOR")) {
      ClauseOnce(cursor, clause);
      statement.cursor = ParseStringLiteral("a cursor field name");
    } else if (AcceptKeyword("PARENT")) {
      ClauseOnce(parent, clause);
      statement.parent = ParseStringName("a parent entity ('type.entity')");
    } else if (AcceptKeyword("PUSHDOWN")) {
      ClauseOnce(pushdown, clause);
      ExpectKeyword("OFFSET");  // the one thing a handler can promise beyond FIELDS' flags
      statement.applies_offset = true;
    } else if (AcceptKeyword("QUERY_HANDLER")) {
      ClauseOnce(handler, clause);
      statement.handler = ParseHandlerCode();
    } else {
      break;
    }
  }
  if (!fields) FailExpected("FIELDS {…} (every entity declares its fields)");
  if (!handler) FailExpected("QUERY_HANDLER '''…''' or QUERY_HANDLER FILE 'path'");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseCreateAction(const Token& first, bool or_replace) {
  ast::CreateActionStmt statement;
  statement.or_replace = or_replace;
  statement.name = ParseStringName("an action name ('type.entity.action')");
  const std::string& name = statement.name.text;
  size_t dots = std::count(name.begin(), name.end(), '.');
  if (dots < 1 || dots > 2 || name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string::npos) {
    Fail(first, "action name '" + name + "' must be 'type.entity.action' or 'type.action'");
  }
  bool description = false, parameters = false, handler = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("DESCRIPTION")) {
      ClauseOnce(description, clause);
      statement.description = ParseStringLiteral("a description");
    } else if (AcceptKeyword("PARAMETERS")) {
      ClauseOnce(parameters, clause);
      statement.parameters = ParseExpr();
    } else if (AcceptKeyword("HANDLER")) {
      ClauseOnce(handler, clause);
      statement.handler = ParseHandlerCode();
    } else {
      break;
    }
  }
  if (!handler) FailExpected("HANDLER '''…''' or HANDLER FILE 'path'");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseCreateConnector(const Token& first, bool or_replace) {
  ast::CreateConnectorStmt statement;
  statement.or_replace = or_replace;
  statement.name = ParseIdentifierName("a connector name");
  ExpectKeyword("TYPE");
  statement.type = ParseStringName("a connector type name");
  bool config = false, options = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("CONFIG")) {
      ClauseOnce(config, clause);
      statement.config = ParseExpr();
    } else if (AcceptKeyword("OPTIONS")) {
      ClauseOnce(options, clause);
      statement.options = ParseExpr();
    } else {
      break;
    }
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseCreateSecret(const Token& first, bool or_replace) {
  ast::CreateSecretStmt statement;
  statement.or_replace = or_replace;
  statement.name = ParseIdentifierName("a secret name");
  if (AcceptKeyword("VALUE")) {
    // Known to the masker before any error below can quote this line.
    if (IsStringToken(Peek()) || Peek().kind == TokenKind::kCode) {
      SecretMasker::Global().Add(Peek().text);
    }
    statement.value = ParseExpr();
  } else if (AcceptKeyword("FROM")) {
    ExpectKeyword("ENV");
    statement.env = ParseStringLiteral("an environment variable name");
  } else {
    FailExpected("VALUE '…' or FROM ENV 'NAME'");
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseCreateDestination(const Token& first, bool or_replace) {
  ast::CreateDestinationStmt statement;
  statement.or_replace = or_replace;
  statement.name = ParseIdentifierName("a destination name");
  ExpectKeyword("TYPE");
  statement.type = ParseStringName("a destination type ('sqlite', 'postgresql', 'jsonl', 'csv')");
  if (AcceptKeyword("CONFIG")) statement.config = ParseExpr();
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseAlter(const Token& first) {
  Next();  // ALTER
  ExpectKeyword("CONNECTOR");
  ast::AlterConnectorStmt statement;
  statement.name = ParseIdentifierName("a connector name");
  if (AcceptKeyword("SET")) {
    if (AcceptKeyword("OPTIONS")) {
      statement.action = ast::AlterAction::kSetOptions;
    } else if (AcceptKeyword("CONFIG")) {
      statement.action = ast::AlterAction::kSetConfig;
    } else {
      FailExpected("OPTIONS or CONFIG after SET");
    }
    statement.value = ParseExpr();
  } else if (AcceptKeyword("ENABLE")) {
    statement.action = ast::AlterAction::kEnable;
  } else if (AcceptKeyword("DISABLE")) {
    statement.action = ast::AlterAction::kDisable;
  } else {
    FailExpected("SET OPTIONS {…}, SET CONFIG {…}, ENABLE or DISABLE");
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::ObjectKind Parser::ParseObjectKind() {
  if (AcceptKeyword("CONNECTOR")) {
    if (AcceptKeyword("TYPE")) return ast::ObjectKind::kConnectorType;
    if (AcceptKeyword("ENTITY")) return ast::ObjectKind::kEntity;
    if (AcceptKeyword("ACTION")) return ast::ObjectKind::kAction;
    return ast::ObjectKind::kConnector;
  }
  if (AcceptKeyword("ENTITY")) return ast::ObjectKind::kEntity;
  if (AcceptKeyword("ACTION")) return ast::ObjectKind::kAction;
  if (AcceptKeyword("SECRET")) return ast::ObjectKind::kSecret;
  if (AcceptKeyword("DESTINATION")) return ast::ObjectKind::kDestination;
  if (AcceptKeyword("REGISTRY")) return ast::ObjectKind::kRegistry;
  FailExpected("CONNECTOR TYPE, CONNECTOR ENTITY, CONNECTOR ACTION, CONNECTOR, SECRET, DESTINATION or REGISTRY");
}

// Names of types, entities and actions are written quoted ('myservice.items');
// connectors, secrets and destinations bare. Either form is accepted anywhere.
static ast::Name ParseAnyName(Parser& parser, std::string_view what) {
  if (parser.Peek().kind == TokenKind::kString || parser.Peek().kind == TokenKind::kDoubleString) {
    return parser.ParseStringName(what);
  }
  return parser.ParseDottedName(what);
}

ast::Statement Parser::ParseDrop(const Token& first) {
  Next();  // DROP
  ast::DropStmt statement;
  statement.kind = ParseObjectKind();
  if (AcceptKeyword("IF")) {
    ExpectKeyword("EXISTS");
    statement.if_exists = true;
  }
  statement.name = ParseAnyName(*this, "a name");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseShow(const Token& first) {
  Next();  // SHOW
  ast::ShowStmt statement;
  if (AcceptKeyword("CONNECTOR")) {
    if (AcceptKeyword("STATS")) {
      statement.what = ast::ShowWhat::kConnectorStats;
    } else {
      ExpectKeyword("TYPES");
      statement.what = ast::ShowWhat::kConnectorTypes;
    }
  } else if (AcceptKeyword("CONNECTORS")) {
    statement.what = ast::ShowWhat::kConnectors;
  } else if (AcceptKeyword("ENTITIES")) {
    statement.what = ast::ShowWhat::kEntities;
  } else if (AcceptKeyword("ACTIONS")) {
    statement.what = ast::ShowWhat::kActions;
  } else if (AcceptKeyword("SECRETS")) {
    statement.what = ast::ShowWhat::kSecrets;
  } else if (AcceptKeyword("DESTINATIONS")) {
    statement.what = ast::ShowWhat::kDestinations;
  } else if (AcceptKeyword("SYNC")) {
    if (AcceptKeyword("UNITS")) {
      statement.what = ast::ShowWhat::kSyncUnits;
      if (AcceptKeyword("FOR")) {
        ExpectKeyword("RUN");
        const Token& run = Peek();
        if (run.kind != TokenKind::kInteger) FailExpected("a run id (SHOW SYNC RUNS lists them)");
        int64_t id = 0;
        auto [end, error] = std::from_chars(run.text.data(), run.text.data() + run.text.size(), id);
        if (error != std::errc() || end != run.text.data() + run.text.size() || id < 1) {
          Fail(run, "a run id is a positive integer; got '" + run.text + "'");
        }
        Next();
        statement.run = id;
      }
    } else {
      if (!PeekKeyword("RUNS")) FailExpected("RUNS or UNITS");
      Next();
      statement.what = ast::ShowWhat::kSyncRuns;
    }
  } else if (AcceptKeyword("PACKAGES")) {
    statement.what = ast::ShowWhat::kPackages;
  } else if (AcceptKeyword("REGISTRIES")) {
    statement.what = ast::ShowWhat::kRegistries;
  } else {
    FailExpected("CONNECTOR TYPES, CONNECTORS, ENTITIES, ACTIONS, SECRETS, DESTINATIONS, SYNC RUNS, SYNC UNITS, CONNECTOR STATS, PACKAGES or REGISTRIES");
  }
  if ((statement.what == ast::ShowWhat::kEntities || statement.what == ast::ShowWhat::kActions ||
       statement.what == ast::ShowWhat::kSyncRuns || statement.what == ast::ShowWhat::kConnectorStats) &&
      AcceptKeyword("FOR")) {
    statement.for_name = ParseAnyName(*this, "a connector or connector type");
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseDescribe(const Token& first) {
  Next();  // DESCRIBE
  ast::DescribeStmt statement;
  statement.kind = ParseObjectKind();
  if (statement.kind == ast::ObjectKind::kSecret) {
    Fail(first, "secrets cannot be described; SHOW SECRETS lists their names");
  }
  statement.name = ParseAnyName(*this, "a name");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseRegister(const Token& first) {
  Next();  // REGISTER
  ExpectKeyword("CONNECTOR");
  ExpectKeyword("TYPE");
  ast::RegisterTypeStmt statement{ParseStringName("a connector type name")};
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

}  // namespace sluice::parser_detail
