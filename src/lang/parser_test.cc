#include "lang/parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sluice {
namespace {

using Strings = std::vector<std::string>;

ParseResult ParseText(std::string text, bool require_final_semicolon = false) {
  ParseOptions options;
  options.require_final_semicolon = require_final_semicolon;
  return Parse(std::make_shared<const SourceFile>(SourceFile{"test.sl", std::move(text)}), options);
}

std::string Where(const SourceLocation& at) {
  return std::to_string(at.line) + ":" + std::to_string(at.column);
}

// "line:col: message" for each error, in order.
Strings Errors(const ParseResult& result) {
  Strings out;
  for (const Status& error : result.errors) {
    out.push_back((error.location() ? Where(*error.location()) : "?") + ": " + error.message());
  }
  return out;
}

// Parses `text`, which must hold exactly one statement of type T and no error.
// The result is kept in `holder` so the returned reference stays valid.
template <typename T>
const T& ParseOne(const std::string& text, ParseResult& holder) {
  holder = ParseText(text);
  EXPECT_TRUE(holder.ok()) << text << "\n" << (holder.ok() ? "" : Errors(holder)[0]);
  EXPECT_EQ(holder.program.statements.size(), 1u) << text;
  // std::get throws (and the test fails) when the statement is of another kind.
  return std::get<T>(holder.program.statements.at(0).node);
}

// Renders an expression as an S-expression, to check the tree's shape.
std::string Show(const ast::Expr& expr);

std::string ShowList(const std::vector<ast::ExprPtr>& list) {
  std::string out;
  for (const auto& item : list) out += " " + Show(*item);
  return out;
}

std::string Show(const ast::Expr& expr) {
  using namespace ast;
  if (auto* n = std::get_if<LiteralExpr>(&expr.node)) return n->value.dump();
  if (auto* n = std::get_if<VariableExpr>(&expr.node)) return n->name;
  if (auto* n = std::get_if<MemberExpr>(&expr.node)) return "(. " + Show(*n->object) + " " + n->field + ")";
  if (auto* n = std::get_if<IndexExpr>(&expr.node)) {
    return "([] " + Show(*n->object) + " " + Show(*n->index) + ")";
  }
  if (auto* n = std::get_if<UnaryExpr>(&expr.node)) {
    const char* op = n->op == UnaryOp::kNot ? "NOT" : n->op == UnaryOp::kNegate ? "-" : "+";
    return std::string("(") + op + " " + Show(*n->operand) + ")";
  }
  if (auto* n = std::get_if<BinaryExpr>(&expr.node)) {
    return std::string("(") + BinaryOpSymbol(n->op) + " " + Show(*n->left) + " " + Show(*n->right) + ")";
  }
  if (auto* n = std::get_if<IsNullExpr>(&expr.node)) {
    return std::string(n->negated ? "(IS-NOT-NULL " : "(IS-NULL ") + Show(*n->operand) + ")";
  }
  if (auto* n = std::get_if<InExpr>(&expr.node)) {
    std::string op = std::string(n->negated ? "NOT-" : "") + (n->array_operand ? "IN-ARRAY" : "IN");
    return "(" + op + " " + Show(*n->operand) + ShowList(n->list) + ")";
  }
  if (auto* n = std::get_if<CallExpr>(&expr.node)) return "(CALL " + n->name + ShowList(n->args) + ")";
  if (auto* n = std::get_if<ObjectExpr>(&expr.node)) {
    std::string out = "{";
    for (const auto& [key, value] : n->entries) out += " " + key + ":" + Show(*value);
    return out + " }";
  }
  if (auto* n = std::get_if<ArrayExpr>(&expr.node)) return "[" + ShowList(n->elements) + " ]";
  if (auto* n = std::get_if<QueryExpr>(&expr.node)) return "(QUERY " + std::string(n->sql.span.Text()) + ")";
  if (auto* n = std::get_if<IntervalExpr>(&expr.node)) {
    return "(INTERVAL " + std::to_string(static_cast<long long>(n->seconds)) + ")";
  }
  if (auto* n = std::get_if<ExecExpr>(&expr.node)) {
    std::string out = "(EXEC " + n->connector;
    for (const auto& part : n->path) out += "." + part;
    if (n->argument) out += " " + Show(*n->argument);
    for (const auto& arg : n->named_args) out += " " + arg.name + "=>" + Show(*arg.value);
    return out + ")";
  }
  return "?";
}

// The first value of `PRINT <expr>;` as an S-expression.
std::string ShowExpr(const std::string& expr) {
  ParseResult result = ParseText("PRINT " + expr + ";");
  if (!result.ok()) return "error: " + Errors(result)[0];
  return Show(*std::get<ast::PrintStmt>(result.program.statements.at(0).node).values.at(0));
}

// The errors of a script, which must fail.
Strings ErrorsOf(const std::string& text) {
  ParseResult result = ParseText(text);
  EXPECT_FALSE(result.ok()) << text;
  return Errors(result);
}

// --- definitions ------------------------------------------------------------

TEST(ParserTest, CreateConnectorTypeWithEveryClause) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateConnectorTypeStmt>(
      "CREATE CONNECTOR TYPE 'svc'\n"
      "  DESCRIPTION 'My service' VERSION '1.0.0'\n"
      "  CONFIG_SCHEMA {\"api_key\": {\"type\": \"string\", \"secret\": true}}\n"
      "  FROM INTEGRATION 'plugins/svc';",
      holder);
  EXPECT_FALSE(s.or_replace);
  EXPECT_EQ(s.name.text, "svc");
  EXPECT_EQ(Where(s.name.span.begin), "1:23");
  EXPECT_EQ(s.name.span.Text(), "'svc'");
  EXPECT_EQ(s.description, "My service");
  EXPECT_EQ(s.version, "1.0.0");
  ASSERT_NE(s.config_schema, nullptr);
  EXPECT_EQ(Show(*s.config_schema), R"({ api_key:{ type:"string" secret:true } })");
  EXPECT_EQ(Where(s.config_schema->span.begin), "3:17");
  EXPECT_EQ(s.integration, "plugins/svc");
  const ast::Statement& statement = holder.program.statements[0];
  EXPECT_EQ(Where(statement.span.begin), "1:1");
  EXPECT_TRUE(statement.span.Text().starts_with("CREATE CONNECTOR TYPE 'svc'"));
  EXPECT_TRUE(statement.span.Text().ends_with("'plugins/svc';"));
  EXPECT_EQ(ast::StatementName(statement), "CREATE CONNECTOR TYPE");
}

TEST(ParserTest, CreateConnectorTypeFromPlugin) {
  ParseResult holder;
  const auto& remote =
      ParseOne<ast::CreateConnectorTypeStmt>("CREATE CONNECTOR TYPE 'p' FROM PLUGIN 'unix:/tmp/p.sock';", holder);
  EXPECT_EQ(remote.plugin, "unix:/tmp/p.sock");
  EXPECT_FALSE(remote.plugin_local);
  EXPECT_FALSE(remote.integration.has_value());
  ParseResult holder2;
  const auto& local = ParseOne<ast::CreateConnectorTypeStmt>(
      "create or replace connector type 'p' from plugin local 'bin/plugin' version '2';", holder2);
  EXPECT_EQ(local.plugin, "bin/plugin");
  EXPECT_TRUE(local.plugin_local);
  EXPECT_EQ(local.version, "2");
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR TYPE 'p' FROM PLUGIN LOCAL;"),
            (Strings{"1:44: expected the path of a plugin executable, found ';'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR TYPE 'p' FROM PLUGIN 'a:1' FROM INTEGRATION 'd';"),
            (Strings{"1:45: clause FROM is given twice"}));
}

TEST(ParserTest, CreateOrReplaceConnectorTypeMinimalAndLowerCase) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateConnectorTypeStmt>("create or replace connector type \"svc\";", holder);
  EXPECT_TRUE(s.or_replace);
  EXPECT_EQ(s.name.text, "svc");
  EXPECT_FALSE(s.description.has_value());
  EXPECT_FALSE(s.version.has_value());
  EXPECT_EQ(s.config_schema, nullptr);
  EXPECT_FALSE(s.integration.has_value());
}

TEST(ParserTest, CreateEntityWithInlineHandler) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateEntityStmt>(
      "CREATE OR REPLACE CONNECTOR ENTITY 'svc.items'\n"
      "  DESCRIPTION 'Items'\n"
      "  FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}}\n"
      "  CURSOR 'updated_at'\n"
      "  PARENT 'svc.projects'\n"
      "  QUERY_HANDLER '''\n"
      "return [{id: 'a'}];\n"
      "''';",
      holder);
  EXPECT_TRUE(s.or_replace);
  EXPECT_EQ(s.name.text, "svc.items");
  EXPECT_EQ(Where(s.name.span.begin), "1:36");
  EXPECT_EQ(s.description, "Items");
  ASSERT_NE(s.fields, nullptr);
  EXPECT_EQ(Show(*s.fields), R"({ id:{ type:"string" primary_key:true } })");
  EXPECT_EQ(s.cursor, "updated_at");
  ASSERT_TRUE(s.parent.has_value());
  EXPECT_EQ(s.parent->text, "svc.projects");
  EXPECT_EQ(Where(s.parent->span.begin), "5:10");
  EXPECT_EQ(s.handler.code, "\nreturn [{id: 'a'}];\n");
  EXPECT_FALSE(s.handler.file.has_value());
  // The code's first character (the newline right after ''') is at 6:20.
  EXPECT_EQ(Where(s.handler.origin), "6:20");
  EXPECT_EQ(s.handler.origin.offset, holder.program.source->text.find("'''") + 3);
}

TEST(ParserTest, CreateEntityWithFileHandlerAndClausesInAnyOrder) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateEntityStmt>(
      "CREATE CONNECTOR ENTITY 'svc.items' QUERY_HANDLER FILE 'items.js' FIELDS {};", holder);
  EXPECT_FALSE(s.or_replace);
  EXPECT_EQ(s.handler.file, "items.js");
  EXPECT_EQ(s.handler.code, "");
  EXPECT_EQ(Where(s.handler.origin), "1:56");  // the path token
  EXPECT_FALSE(s.cursor.has_value());
  EXPECT_FALSE(s.parent.has_value());
}

TEST(ParserTest, HandlerInAPlainStringStartsAfterTheQuote) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateActionStmt>(
      "CREATE CONNECTOR ACTION 'svc.ping'\n  HANDLER 'return 1;';", holder);
  EXPECT_EQ(s.handler.code, "return 1;");
  EXPECT_EQ(Where(s.handler.origin), "2:12");
}

TEST(ParserTest, CreateActionWithEntityPath) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateActionStmt>(
      "CREATE CONNECTOR ACTION 'svc.items.create'\n"
      "  DESCRIPTION 'Create an item'\n"
      "  PARAMETERS {\"name\": {\"type\": \"string\", \"required\": true}}\n"
      "  HANDLER '''return {id: 1};''';",
      holder);
  EXPECT_FALSE(s.or_replace);
  EXPECT_EQ(s.name.text, "svc.items.create");
  EXPECT_EQ(s.description, "Create an item");
  ASSERT_NE(s.parameters, nullptr);
  EXPECT_EQ(Show(*s.parameters), R"({ name:{ type:"string" required:true } })");
  EXPECT_EQ(s.handler.code, "return {id: 1};");
  EXPECT_EQ(Where(s.handler.origin), "4:14");
}

TEST(ParserTest, CreateOrReplaceActionWithFileAndNoParameters) {
  ParseResult holder;
  const auto& s =
      ParseOne<ast::CreateActionStmt>("CREATE OR REPLACE CONNECTOR ACTION 'svc.ping' HANDLER FILE 'p.js';", holder);
  EXPECT_TRUE(s.or_replace);
  EXPECT_EQ(s.name.text, "svc.ping");
  EXPECT_EQ(s.parameters, nullptr);
  EXPECT_EQ(s.handler.file, "p.js");
}

TEST(ParserTest, CreateConnector) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateConnectorStmt>(
      "CREATE CONNECTOR prod TYPE 'svc'\n"
      "  CONFIG {\"api_url\": \"https://x\", \"api_key\": \"{{secrets.k}}\"}\n"
      "  OPTIONS {\"rate_limit\": 10};",
      holder);
  EXPECT_FALSE(s.or_replace);
  EXPECT_EQ(s.name.text, "prod");
  EXPECT_EQ(Where(s.name.span.begin), "1:18");
  EXPECT_EQ(s.type.text, "svc");
  EXPECT_EQ(Where(s.type.span.begin), "1:28");
  ASSERT_NE(s.config, nullptr);
  EXPECT_EQ(Show(*s.config), R"({ api_url:"https://x" api_key:"{{secrets.k}}" })");
  ASSERT_NE(s.options, nullptr);
  EXPECT_EQ(Show(*s.options), "{ rate_limit:10 }");
  EXPECT_EQ(ast::StatementName(holder.program.statements[0]), "CREATE CONNECTOR");
}

TEST(ParserTest, ConnectorMayBeNamedLikeAKeyword) {
  // ENTITY is only the ENTITY clause when a quoted name follows it.
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateConnectorStmt>("CREATE OR REPLACE CONNECTOR entity TYPE 'svc';", holder);
  EXPECT_TRUE(s.or_replace);
  EXPECT_EQ(s.name.text, "entity");
  EXPECT_EQ(s.config, nullptr);
  EXPECT_EQ(s.options, nullptr);
}

TEST(ParserTest, CreateSecretValue) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateSecretStmt>("CREATE SECRET api_key VALUE 'not-a-real-key';", holder);
  EXPECT_FALSE(s.or_replace);
  EXPECT_EQ(s.name.text, "api_key");
  ASSERT_NE(s.value, nullptr);
  EXPECT_EQ(Show(*s.value), "\"not-a-real-key\"");
  EXPECT_FALSE(s.env.has_value());
}

TEST(ParserTest, CreateSecretFromEnv) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateSecretStmt>("CREATE OR REPLACE SECRET k FROM ENV 'SVC_KEY';", holder);
  EXPECT_TRUE(s.or_replace);
  EXPECT_EQ(s.name.text, "k");
  EXPECT_EQ(s.value, nullptr);
  EXPECT_EQ(s.env, "SVC_KEY");
}

TEST(ParserTest, CreateDestination) {
  ParseResult holder;
  const auto& s = ParseOne<ast::CreateDestinationStmt>(
      "CREATE OR REPLACE DESTINATION wh TYPE 'postgresql' CONFIG {\"dsn\": ENV('PG')};", holder);
  EXPECT_TRUE(s.or_replace);
  EXPECT_EQ(s.name.text, "wh");
  EXPECT_EQ(s.type.text, "postgresql");
  ASSERT_NE(s.config, nullptr);
  EXPECT_EQ(Show(*s.config), R"({ dsn:(CALL ENV "PG") })");
  const auto& bare = ParseOne<ast::CreateDestinationStmt>("CREATE DESTINATION out TYPE 'jsonl';", holder);
  EXPECT_FALSE(bare.or_replace);
  EXPECT_EQ(bare.config, nullptr);
}

TEST(ParserTest, AlterConnectorEachAction) {
  ParseResult holder;
  const auto& options = ParseOne<ast::AlterConnectorStmt>("ALTER CONNECTOR prod SET OPTIONS {\"rate_limit\": 5};", holder);
  EXPECT_EQ(options.name.text, "prod");
  EXPECT_EQ(options.action, ast::AlterAction::kSetOptions);
  ASSERT_NE(options.value, nullptr);
  EXPECT_EQ(Show(*options.value), "{ rate_limit:5 }");

  const auto& config = ParseOne<ast::AlterConnectorStmt>("ALTER CONNECTOR prod SET CONFIG {\"a\": 1};", holder);
  EXPECT_EQ(config.action, ast::AlterAction::kSetConfig);
  ASSERT_NE(config.value, nullptr);

  const auto& enable = ParseOne<ast::AlterConnectorStmt>("ALTER CONNECTOR prod ENABLE;", holder);
  EXPECT_EQ(enable.action, ast::AlterAction::kEnable);
  EXPECT_EQ(enable.value, nullptr);

  const auto& disable = ParseOne<ast::AlterConnectorStmt>("alter connector prod disable;", holder);
  EXPECT_EQ(disable.action, ast::AlterAction::kDisable);
}

TEST(ParserTest, RegisterConnectorType) {
  ParseResult holder;
  const auto& s = ParseOne<ast::RegisterTypeStmt>("REGISTER CONNECTOR TYPE 'svc';", holder);
  EXPECT_EQ(s.type.text, "svc");
  EXPECT_EQ(Where(s.type.span.begin), "1:25");
}

TEST(ParserTest, TestConnectorByName) {
  ParseResult holder;
  const auto& s = ParseOne<ast::TestConnectionStmt>("TEST CONNECTOR prod;", holder);
  EXPECT_EQ(s.connector.text, "prod");
  // A connector named `type` is still a connection test.
  const auto& named_type = ParseOne<ast::TestConnectionStmt>("TEST CONNECTOR type;", holder);
  EXPECT_EQ(named_type.connector.text, "type");
}

TEST(ParserTest, TestConnectorTypeBlock) {
  ParseResult holder;
  const auto& s = ParseOne<ast::TestStmt>(
      "TEST CONNECTOR TYPE 'svc'\n"
      "  NAME 'lists items'\n"
      "  TAGS ['integration', 'slow']\n"
      "  MOCK_API {\"GET /items\": {\"status\": 200, \"body\": []}}\n"
      "BEGIN\n"
      "  DECLARE rows = SELECT * FROM t.items;\n"
      "  ASSERT ARRAY_LENGTH(rows) = 0;\n"
      "END TEST;",
      holder);
  EXPECT_EQ(s.type.text, "svc");
  EXPECT_EQ(s.test_name.text, "lists items");
  EXPECT_EQ(Where(s.test_name.span.begin), "2:8");
  ASSERT_NE(s.tags, nullptr);
  EXPECT_EQ(Show(*s.tags), R"([ "integration" "slow" ])");
  ASSERT_NE(s.mock_api, nullptr);
  EXPECT_EQ(Show(*s.mock_api), R"({ GET /items:{ status:200 body:[ ] } })");
  ASSERT_EQ(s.body.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ast::DeclareStmt>(s.body[0].node));
  EXPECT_TRUE(std::holds_alternative<ast::AssertStmt>(s.body[1].node));
  EXPECT_EQ(Where(s.body[1].span.begin), "7:3");
  EXPECT_TRUE(holder.program.statements[0].span.Text().ends_with("END TEST;"));
}

TEST(ParserTest, TestConnectorTypeWithoutOptionalClauses) {
  ParseResult holder;
  const auto& s = ParseOne<ast::TestStmt>("TEST CONNECTOR TYPE 'svc' NAME 'n' BEGIN END TEST;", holder);
  EXPECT_EQ(s.tags, nullptr);
  EXPECT_EQ(s.mock_api, nullptr);
  EXPECT_TRUE(s.body.empty());
}

TEST(ParserTest, DropEveryKind) {
  struct Case {
    const char* text;
    ast::ObjectKind kind;
    const char* name;
    bool if_exists;
  };
  const Case cases[] = {
      {"DROP CONNECTOR TYPE 'svc';", ast::ObjectKind::kConnectorType, "svc", false},
      {"DROP CONNECTOR ENTITY 'svc.items';", ast::ObjectKind::kEntity, "svc.items", false},
      {"DROP CONNECTOR ACTION 'svc.items.create';", ast::ObjectKind::kAction, "svc.items.create", false},
      {"DROP ENTITY svc.items;", ast::ObjectKind::kEntity, "svc.items", false},
      {"DROP ACTION IF EXISTS 'svc.ping';", ast::ObjectKind::kAction, "svc.ping", true},
      {"DROP CONNECTOR prod;", ast::ObjectKind::kConnector, "prod", false},
      {"DROP CONNECTOR IF EXISTS prod;", ast::ObjectKind::kConnector, "prod", true},
      {"DROP SECRET k;", ast::ObjectKind::kSecret, "k", false},
      {"DROP SECRET IF EXISTS k;", ast::ObjectKind::kSecret, "k", true},
      {"DROP DESTINATION wh;", ast::ObjectKind::kDestination, "wh", false},
      {"drop connector type if exists 'svc';", ast::ObjectKind::kConnectorType, "svc", true},
  };
  for (const Case& c : cases) {
    ParseResult holder;
    const auto& s = ParseOne<ast::DropStmt>(c.text, holder);
    EXPECT_EQ(s.kind, c.kind) << c.text;
    EXPECT_EQ(s.name.text, c.name) << c.text;
    EXPECT_EQ(s.if_exists, c.if_exists) << c.text;
  }
  EXPECT_STREQ(ast::ObjectKindName(ast::ObjectKind::kConnectorType), "connector type");
  EXPECT_STREQ(ast::ObjectKindName(ast::ObjectKind::kDestination), "destination");
}

TEST(ParserTest, ShowEveryVariant) {
  struct Case {
    const char* text;
    ast::ShowWhat what;
    const char* for_name;  // null: no FOR
  };
  const Case cases[] = {
      {"SHOW CONNECTOR TYPES;", ast::ShowWhat::kConnectorTypes, nullptr},
      {"SHOW CONNECTORS;", ast::ShowWhat::kConnectors, nullptr},
      {"SHOW ENTITIES;", ast::ShowWhat::kEntities, nullptr},
      {"SHOW ENTITIES FOR prod;", ast::ShowWhat::kEntities, "prod"},
      {"SHOW ACTIONS;", ast::ShowWhat::kActions, nullptr},
      {"SHOW ACTIONS FOR 'svc';", ast::ShowWhat::kActions, "svc"},
      {"SHOW SECRETS;", ast::ShowWhat::kSecrets, nullptr},
      {"SHOW DESTINATIONS;", ast::ShowWhat::kDestinations, nullptr},
      {"SHOW SYNC RUNS;", ast::ShowWhat::kSyncRuns, nullptr},
      {"show sync runs for prod;", ast::ShowWhat::kSyncRuns, "prod"},
      {"SHOW SYNC UNITS;", ast::ShowWhat::kSyncUnits, nullptr},
  };
  for (const Case& c : cases) {
    ParseResult holder;
    const auto& s = ParseOne<ast::ShowStmt>(c.text, holder);
    EXPECT_EQ(s.what, c.what) << c.text;
    ASSERT_EQ(s.for_name.has_value(), c.for_name != nullptr) << c.text;
    if (c.for_name) {
      EXPECT_EQ(s.for_name->text, c.for_name) << c.text;
    }
  }
}

TEST(ParserTest, DescribeEveryKind) {
  struct Case {
    const char* text;
    ast::ObjectKind kind;
    const char* name;
  };
  const Case cases[] = {
      {"DESCRIBE CONNECTOR TYPE 'svc';", ast::ObjectKind::kConnectorType, "svc"},
      {"DESCRIBE CONNECTOR prod;", ast::ObjectKind::kConnector, "prod"},
      {"DESCRIBE ENTITY 'svc.items';", ast::ObjectKind::kEntity, "svc.items"},
      {"DESCRIBE CONNECTOR ENTITY 'svc.items';", ast::ObjectKind::kEntity, "svc.items"},
      {"DESCRIBE ACTION 'svc.items.create';", ast::ObjectKind::kAction, "svc.items.create"},
      {"DESCRIBE CONNECTOR ACTION svc.ping;", ast::ObjectKind::kAction, "svc.ping"},
      {"DESCRIBE DESTINATION wh;", ast::ObjectKind::kDestination, "wh"},
      {"DESC CONNECTOR prod;", ast::ObjectKind::kConnector, "prod"},
  };
  for (const Case& c : cases) {
    ParseResult holder;
    const auto& s = ParseOne<ast::DescribeStmt>(c.text, holder);
    EXPECT_EQ(s.kind, c.kind) << c.text;
    EXPECT_EQ(s.name.text, c.name) << c.text;
  }
}

// --- SQL pass-through -----------------------------------------------------------

TEST(ParserTest, SqlStatementsPassThroughAsWritten) {
  const char* statements[] = {
      "SELECT * FROM gh.issues WHERE state = 'open' ORDER BY id LIMIT 10",
      "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
      "INSERT INTO t (a, b) VALUES (1, 'x')",
      "UPDATE t SET a = 2 WHERE b = 'x'",
      "DELETE FROM t WHERE a = 2",
      "CREATE TABLE t (a INTEGER, b TEXT)",
      "CREATE UNIQUE INDEX i ON t (a)",
      "CREATE VIEW v AS SELECT a FROM t",
      "DROP TABLE IF EXISTS t",
      "ALTER TABLE t ADD COLUMN c TEXT",
      "PRAGMA journal_mode",
      "VALUES (1), (2)",
  };
  for (const char* sql : statements) {
    ParseResult holder;
    const auto& s = ParseOne<ast::SqlStmt>(std::string(sql) + ";", holder);
    EXPECT_EQ(s.sql.span.Text(), sql);
    EXPECT_EQ(Where(s.sql.span.begin), "1:1");
    ASSERT_FALSE(s.sql.tokens.empty());
    EXPECT_FALSE(s.sql.tokens.back().IsSymbol(";")) << sql;
    EXPECT_EQ(ast::StatementName(holder.program.statements[0]), "SQL");
  }
}

TEST(ParserTest, SqlTokensAreKeptForVariableBinding) {
  ParseResult holder;
  const auto& s = ParseOne<ast::SqlStmt>("SELECT name FROM t WHERE id = created.id;", holder);
  ASSERT_EQ(s.sql.tokens.size(), 10u);
  EXPECT_EQ(s.sql.tokens[7].text, "created");
  EXPECT_TRUE(s.sql.tokens[8].IsSymbol("."));
}

TEST(ParserTest, CreateTriggerKeepsSemicolonsBetweenBeginAndEnd) {
  const std::string trigger =
      "CREATE TRIGGER log_insert AFTER INSERT ON t BEGIN\n"
      "  INSERT INTO log VALUES (new.a, CASE WHEN new.b THEN 1 ELSE 0 END);\n"
      "  UPDATE counts SET n = n + 1;\n"
      "END";
  ParseResult result = ParseText(trigger + ";\nPRINT 1;");
  ASSERT_TRUE(result.ok()) << Errors(result)[0];
  ASSERT_EQ(result.program.statements.size(), 2u);
  const auto& sql = std::get<ast::SqlStmt>(result.program.statements[0].node);
  EXPECT_EQ(sql.sql.span.Text(), trigger);
  EXPECT_TRUE(std::holds_alternative<ast::PrintStmt>(result.program.statements[1].node));
  EXPECT_EQ(Where(result.program.statements[1].span.begin), "5:1");
}

TEST(ParserTest, CreateTempTriggerIsSqlToo) {
  ParseResult holder;
  const auto& s = ParseOne<ast::SqlStmt>(
      "CREATE TEMP TRIGGER x AFTER DELETE ON t BEGIN DELETE FROM u; END;", holder);
  EXPECT_TRUE(s.sql.span.Text().ends_with("DELETE FROM u; END"));
}

TEST(ParserTest, StrayCloseParenStaysInsideItsSqlStatement) {
  // SQLite reports the stray ')'; the parser must not swallow the rest.
  ParseResult result = ParseText("SELECT 1);\nPRINT 2;");
  ASSERT_TRUE(result.ok()) << Errors(result)[0];
  ASSERT_EQ(result.program.statements.size(), 2u);
  EXPECT_EQ(std::get<ast::SqlStmt>(result.program.statements[0].node).sql.span.Text(), "SELECT 1)");
  EXPECT_TRUE(std::holds_alternative<ast::PrintStmt>(result.program.statements[1].node));
}

// --- using connectors -------------------------------------------------------------

TEST(ParserTest, ConnectorExecWithAnObject) {
  ParseResult holder;
  const auto& s = ParseOne<ast::ExecStmt>("CONNECTOR_EXEC prod.items.create({\"name\": 'X ' || n});", holder);
  ASSERT_NE(s.exec, nullptr);
  const auto& exec = std::get<ast::ExecExpr>(s.exec->node);
  EXPECT_EQ(exec.connector, "prod");
  EXPECT_EQ(exec.path, (Strings{"items", "create"}));
  ASSERT_NE(exec.argument, nullptr);
  EXPECT_EQ(Show(*exec.argument), R"({ name:(|| "X " n) })");
  EXPECT_TRUE(exec.named_args.empty());
  EXPECT_EQ(s.exec->span.Text(), "CONNECTOR_EXEC prod.items.create({\"name\": 'X ' || n})");
  EXPECT_EQ(ast::StatementName(holder.program.statements[0]), "CONNECTOR_EXEC");
}

TEST(ParserTest, ConnectorExecWithNamedArguments) {
  ParseResult holder;
  const auto& s = ParseOne<ast::ExecStmt>("CONNECTOR_EXEC prod.items.delete(id => created.id, force => TRUE);", holder);
  const auto& exec = std::get<ast::ExecExpr>(s.exec->node);
  EXPECT_EQ(exec.path, (Strings{"items", "delete"}));
  EXPECT_EQ(exec.argument, nullptr);
  ASSERT_EQ(exec.named_args.size(), 2u);
  EXPECT_EQ(exec.named_args[0].name, "id");
  EXPECT_EQ(Show(*exec.named_args[0].value), "(. created id)");
  EXPECT_EQ(exec.named_args[0].span.Text(), "id => created.id");
  EXPECT_EQ(Where(exec.named_args[0].span.begin), "1:34");
  EXPECT_EQ(exec.named_args[1].name, "force");
  EXPECT_EQ(Show(*exec.named_args[1].value), "true");
}

TEST(ParserTest, ConnectorExecWithoutArgumentsOnATypeLevelAction) {
  ParseResult holder;
  const auto& s = ParseOne<ast::ExecStmt>("CONNECTOR_EXEC prod.ping();", holder);
  const auto& exec = std::get<ast::ExecExpr>(s.exec->node);
  EXPECT_EQ(exec.path, (Strings{"ping"}));
  EXPECT_EQ(exec.argument, nullptr);
  EXPECT_TRUE(exec.named_args.empty());
}

TEST(ParserTest, SyncDefaults) {
  ParseResult holder;
  const auto& s = ParseOne<ast::SyncStmt>("SYNC CONNECTOR prod;", holder);
  EXPECT_EQ(s.connector.text, "prod");
  EXPECT_FALSE(s.entity.has_value());
  EXPECT_TRUE(s.entities.empty());
  EXPECT_EQ(s.target, ast::SyncTarget::kWorkspace);
  EXPECT_EQ(s.target_name, "");
  EXPECT_FALSE(s.where.has_value());
  EXPECT_EQ(s.mode, ast::SyncMode::kDefault);
  EXPECT_FALSE(s.incremental_field.has_value());
  EXPECT_FALSE(s.write_mode.has_value());
  EXPECT_FALSE(s.schedule.has_value());
  EXPECT_FALSE(s.force);
}

TEST(ParserTest, SyncEntityToFileWithWhereIncrementalWriteModeScheduleForce) {
  ParseResult holder;
  const auto& s = ParseOne<ast::SyncStmt>(
      "SYNC CONNECTOR prod.items TO 'out.db'\n"
      "  WHERE status = 'open' AND (n > 1)\n"
      "  INCREMENTAL ON updated_at WRITE_MODE 'append'\n"
      "  SCHEDULE '*/15 * * * *' FORCE;",
      holder);
  EXPECT_EQ(s.connector.text, "prod");
  ASSERT_TRUE(s.entity.has_value());
  EXPECT_EQ(s.entity->text, "items");
  EXPECT_EQ(s.target, ast::SyncTarget::kFile);
  EXPECT_EQ(s.target_name, "out.db");
  ASSERT_TRUE(s.where.has_value());
  EXPECT_EQ(s.where->span.Text(), "status = 'open' AND (n > 1)");
  EXPECT_EQ(Where(s.where->span.begin), "2:9");
  EXPECT_EQ(s.mode, ast::SyncMode::kIncremental);
  EXPECT_EQ(s.incremental_field, "updated_at");
  EXPECT_EQ(s.write_mode, "append");
  EXPECT_EQ(s.schedule, "*/15 * * * *");
  EXPECT_TRUE(s.force);
}

TEST(ParserTest, SyncEntitiesToDestinationFull) {
  ParseResult holder;
  const auto& s = ParseOne<ast::SyncStmt>(
      "SYNC CONNECTOR prod ENTITIES (items, users) FULL TO DESTINATION wh WRITE_MODE 'overwrite';", holder);
  EXPECT_FALSE(s.entity.has_value());
  ASSERT_EQ(s.entities.size(), 2u);
  EXPECT_EQ(s.entities[0].text, "items");
  EXPECT_EQ(s.entities[1].text, "users");
  EXPECT_EQ(s.target, ast::SyncTarget::kDestination);
  EXPECT_EQ(s.target_name, "wh");
  EXPECT_EQ(s.mode, ast::SyncMode::kFull);
  EXPECT_EQ(s.write_mode, "overwrite");
  const auto& plain_incremental =
      ParseOne<ast::SyncStmt>("SYNC CONNECTOR prod INCREMENTAL WRITE_MODE 'overwrite-delete-stale';", holder);
  EXPECT_EQ(plain_incremental.mode, ast::SyncMode::kIncremental);
  EXPECT_FALSE(plain_incremental.incremental_field.has_value());
  EXPECT_EQ(plain_incremental.write_mode, "overwrite-delete-stale");
}

TEST(ParserTest, SyncDistributedAndShard) {
  ParseResult holder;
  const auto& plain = ParseOne<ast::SyncStmt>("SYNC CONNECTOR prod;", holder);
  EXPECT_FALSE(plain.distributed);
  EXPECT_FALSE(plain.shard.has_value());
  const auto& distributed =
      ParseOne<ast::SyncStmt>("SYNC CONNECTOR prod TO DESTINATION wh FULL DISTRIBUTED;", holder);
  EXPECT_TRUE(distributed.distributed);
  EXPECT_EQ(distributed.mode, ast::SyncMode::kFull);
  EXPECT_EQ(distributed.target_name, "wh");
  const auto& shard = ParseOne<ast::SyncStmt>("sync connector prod shard 2/4 to destination wh force;", holder);
  EXPECT_FALSE(shard.distributed);
  EXPECT_EQ(shard.shard, "2/4");
  EXPECT_TRUE(shard.force);
  EXPECT_EQ(shard.target_name, "wh");
  const auto& spaced = ParseOne<ast::SyncStmt>("SYNC CONNECTOR prod.items SHARD 1 / 1;", holder);
  EXPECT_EQ(spaced.shard, "1/1");
}

TEST(ParserTest, ShowSyncUnitsForRun) {
  ParseResult holder;
  const auto& all = ParseOne<ast::ShowStmt>("SHOW SYNC UNITS;", holder);
  EXPECT_EQ(all.what, ast::ShowWhat::kSyncUnits);
  EXPECT_FALSE(all.run.has_value());
  const auto& one = ParseOne<ast::ShowStmt>("show sync units for run 42;", holder);
  EXPECT_EQ(one.what, ast::ShowWhat::kSyncUnits);
  EXPECT_EQ(one.run, 42);
  EXPECT_FALSE(one.for_name.has_value());
}

// --- scripts --------------------------------------------------------------------

TEST(ParserTest, DeclarePlain) {
  ParseResult holder;
  const auto& s = ParseOne<ast::DeclareStmt>("DECLARE total;", holder);
  EXPECT_EQ(s.name.text, "total");
  EXPECT_EQ(Where(s.name.span.begin), "1:9");
  EXPECT_EQ(s.init, nullptr);
}

TEST(ParserTest, DeclareWithExpression) {
  ParseResult holder;
  const auto& s = ParseOne<ast::DeclareStmt>("DECLARE n = 1 + 2 * 3;", holder);
  ASSERT_NE(s.init, nullptr);
  EXPECT_EQ(Show(*s.init), "(+ 1 (* 2 3))");
  EXPECT_EQ(s.init->span.Text(), "1 + 2 * 3");
  const auto& pascal = ParseOne<ast::DeclareStmt>("DECLARE n := 4;", holder);
  ASSERT_NE(pascal.init, nullptr);
  EXPECT_EQ(Show(*pascal.init), "4");
}

TEST(ParserTest, DeclareWithUnparenthesizedSelect) {
  ParseResult holder;
  const auto& s = ParseOne<ast::DeclareStmt>("DECLARE rows = SELECT * FROM t.items WHERE a = 1;", holder);
  ASSERT_NE(s.init, nullptr);
  const auto& query = std::get<ast::QueryExpr>(s.init->node);
  EXPECT_EQ(query.sql.span.Text(), "SELECT * FROM t.items WHERE a = 1");
  EXPECT_EQ(Where(s.init->span.begin), "1:16");
  EXPECT_EQ(s.init->span.Text(), "SELECT * FROM t.items WHERE a = 1");
}

TEST(ParserTest, DeclareWithConnectorExec) {
  ParseResult holder;
  const auto& s =
      ParseOne<ast::DeclareStmt>("DECLARE created = CONNECTOR_EXEC t.items.create({\"name\": 'X'});", holder);
  ASSERT_NE(s.init, nullptr);
  EXPECT_EQ(Show(*s.init), R"((EXEC t.items.create { name:"X" }))");
}

TEST(ParserTest, SetWithExpressionAndQuery) {
  ParseResult holder;
  const auto& s = ParseOne<ast::SetStmt>("SET n = n + 1;", holder);
  EXPECT_EQ(s.name.text, "n");
  EXPECT_EQ(Show(*s.value), "(+ n 1)");
  const auto& query = ParseOne<ast::SetStmt>("SET rows = WITH a AS (SELECT 1) SELECT * FROM a;", holder);
  EXPECT_EQ(Show(*query.value), "(QUERY WITH a AS (SELECT 1) SELECT * FROM a)");
  const auto& pascal = ParseOne<ast::SetStmt>("SET n := (SELECT 2);", holder);
  EXPECT_EQ(Show(*pascal.value), "(QUERY SELECT 2)");
}

TEST(ParserTest, PrintSeveralValues) {
  ParseResult holder;
  const auto& s = ParseOne<ast::PrintStmt>("PRINT results[0].name, 'x', 1;", holder);
  ASSERT_EQ(s.values.size(), 3u);
  EXPECT_EQ(Show(*s.values[0]), "(. ([] results 0) name)");
  EXPECT_EQ(Show(*s.values[1]), "\"x\"");
  EXPECT_EQ(Show(*s.values[2]), "1");
  EXPECT_EQ(holder.program.statements[0].span.Text(), "PRINT results[0].name, 'x', 1;");
}

TEST(ParserTest, AssertWithAndWithoutMessage) {
  ParseResult holder;
  const auto& s = ParseOne<ast::AssertStmt>("ASSERT ARRAY_LENGTH(rows) = 1, 'one row';", holder);
  EXPECT_EQ(Show(*s.condition), "(= (CALL ARRAY_LENGTH rows) 1)");
  EXPECT_EQ(s.condition->span.Text(), "ARRAY_LENGTH(rows) = 1");
  ASSERT_NE(s.message, nullptr);
  EXPECT_EQ(Show(*s.message), "\"one row\"");
  const auto& bare = ParseOne<ast::AssertStmt>("ASSERT created.id IS NOT NULL;", holder);
  EXPECT_EQ(Show(*bare.condition), "(IS-NOT-NULL (. created id))");
  EXPECT_EQ(bare.message, nullptr);
}

TEST(ParserTest, IfElsifElse) {
  ParseResult holder;
  const auto& s = ParseOne<ast::IfStmt>(
      "IF a THEN\n"
      "  PRINT 1;\n"
      "ELSIF b THEN\n"
      "  PRINT 2;\n"
      "ELSEIF c THEN\n"
      "ELSE\n"
      "  PRINT 4;\n"
      "  PRINT 5;\n"
      "END IF;",
      holder);
  ASSERT_EQ(s.branches.size(), 3u);
  EXPECT_EQ(Show(*s.branches[0].condition), "a");
  EXPECT_EQ(s.branches[0].body.size(), 1u);
  EXPECT_EQ(Show(*s.branches[1].condition), "b");
  ASSERT_EQ(s.branches[1].body.size(), 1u);
  EXPECT_EQ(Where(s.branches[1].body[0].span.begin), "4:3");
  EXPECT_EQ(Show(*s.branches[2].condition), "c");
  EXPECT_TRUE(s.branches[2].body.empty());
  ASSERT_TRUE(s.else_body.has_value());
  EXPECT_EQ(s.else_body->size(), 2u);
}

TEST(ParserTest, IfWithoutElse) {
  ParseResult holder;
  const auto& s = ParseOne<ast::IfStmt>("IF x > 1 THEN PRINT x; END IF;", holder);
  ASSERT_EQ(s.branches.size(), 1u);
  EXPECT_EQ(Show(*s.branches[0].condition), "(> x 1)");
  EXPECT_FALSE(s.else_body.has_value());
}

TEST(ParserTest, NestedBlocks) {
  ParseResult holder;
  const auto& s = ParseOne<ast::ForStmt>(
      "FOR r IN rows LOOP IF r.ok THEN TRY PRINT r; CATCH PRINT 0; END TRY; END IF; END LOOP;", holder);
  ASSERT_EQ(s.body.size(), 1u);
  const auto& inner_if = std::get<ast::IfStmt>(s.body[0].node);
  ASSERT_EQ(inner_if.branches[0].body.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ast::TryStmt>(inner_if.branches[0].body[0].node));
}

TEST(ParserTest, ForOverAQuery) {
  ParseResult holder;
  const auto& s = ParseOne<ast::ForStmt>(
      "FOR row IN (SELECT id FROM t WHERE (a) > 1) LOOP\n  PRINT row.id;\nEND LOOP;", holder);
  EXPECT_EQ(s.variable.text, "row");
  EXPECT_EQ(Where(s.variable.span.begin), "1:5");
  const auto& query = std::get<ast::QueryExpr>(s.iterable->node);
  EXPECT_EQ(query.sql.span.Text(), "SELECT id FROM t WHERE (a) > 1");
  ASSERT_EQ(s.body.size(), 1u);
  EXPECT_EQ(Where(s.body[0].span.begin), "2:3");
}

TEST(ParserTest, ForOverAnArray) {
  ParseResult holder;
  const auto& s = ParseOne<ast::ForStmt>("FOR x IN [1, 2, 3] LOOP PRINT x; END LOOP;", holder);
  EXPECT_EQ(Show(*s.iterable), "[ 1 2 3 ]");
  const auto& variable = ParseOne<ast::ForStmt>("FOR x IN items.list LOOP END LOOP;", holder);
  EXPECT_EQ(Show(*variable.iterable), "(. items list)");
  EXPECT_TRUE(variable.body.empty());
}

TEST(ParserTest, TryCatchWithKinds) {
  ParseResult holder;
  const auto& s = ParseOne<ast::TryStmt>(
      "TRY\n"
      "  SELECT * FROM gh.issues;\n"
      "CATCH auth_error, rate_limit_error\n"
      "  PRINT 'auth or rate';\n"
      "CATCH timeout_error OR connection_error\n"
      "  PRINT 'net';\n"
      "CATCH\n"
      "  PRINT 'other';\n"
      "END TRY;",
      holder);
  ASSERT_EQ(s.body.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ast::SqlStmt>(s.body[0].node));
  ASSERT_EQ(s.catches.size(), 3u);
  ASSERT_EQ(s.catches[0].kinds.size(), 2u);
  EXPECT_EQ(s.catches[0].kinds[0].text, "auth_error");
  EXPECT_EQ(Where(s.catches[0].kinds[0].span.begin), "3:7");
  EXPECT_EQ(s.catches[0].kinds[1].text, "rate_limit_error");
  EXPECT_EQ(s.catches[0].body.size(), 1u);
  EXPECT_EQ(Where(s.catches[0].span.begin), "3:1");
  ASSERT_EQ(s.catches[1].kinds.size(), 2u);
  EXPECT_EQ(s.catches[1].kinds[0].text, "timeout_error");
  EXPECT_EQ(s.catches[1].kinds[1].text, "connection_error");
  EXPECT_TRUE(s.catches[2].kinds.empty());
  EXPECT_EQ(s.catches[2].body.size(), 1u);
}

TEST(ParserTest, TryCatchWithoutKinds) {
  ParseResult holder;
  const auto& s = ParseOne<ast::TryStmt>("TRY PRINT 1; CATCH PRINT 2; PRINT 3; END TRY;", holder);
  ASSERT_EQ(s.catches.size(), 1u);
  EXPECT_TRUE(s.catches[0].kinds.empty());
  EXPECT_EQ(s.catches[0].body.size(), 2u);
  EXPECT_EQ(s.catches[0].span.Text(), "CATCH PRINT 2; PRINT 3;");
}

TEST(ParserTest, PackagePublishInstall) {
  ParseResult holder;
  const auto& package = ParseOne<ast::PackageStmt>(
      "PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' DESCRIPTION 'd' AUTHOR 'me' LICENSE 'MIT';", holder);
  EXPECT_EQ(package.type.text, "svc");
  EXPECT_EQ(package.version, "1.0.0");
  EXPECT_EQ(package.description, "d");
  EXPECT_EQ(package.author, "me");
  EXPECT_EQ(package.license, "MIT");
  const auto& bare_package = ParseOne<ast::PackageStmt>("PACKAGE CONNECTOR TYPE 'svc';", holder);
  EXPECT_FALSE(bare_package.version.has_value());
  EXPECT_FALSE(bare_package.license.has_value());

  const auto& publish = ParseOne<ast::PublishStmt>("PUBLISH CONNECTOR TYPE 'svc' VERSION '1.0.0' TO '/reg';", holder);
  EXPECT_EQ(publish.type.text, "svc");
  EXPECT_EQ(publish.version, "1.0.0");
  EXPECT_EQ(publish.target, "/reg");
  const auto& bare_publish = ParseOne<ast::PublishStmt>("PUBLISH CONNECTOR TYPE 'svc' TO 'https://r';", holder);
  EXPECT_FALSE(bare_publish.version.has_value());
  EXPECT_EQ(bare_publish.target, "https://r");

  const auto& install =
      ParseOne<ast::InstallStmt>("INSTALL CONNECTOR TYPE 'svc' VERSION '^1.0' FROM REGISTRY '/reg';", holder);
  EXPECT_EQ(install.type.text, "svc");
  EXPECT_EQ(install.version, "^1.0");
  EXPECT_EQ(install.registry, "/reg");
  const auto& bare_install = ParseOne<ast::InstallStmt>("INSTALL CONNECTOR TYPE 'svc' FROM REGISTRY '/reg';", holder);
  EXPECT_FALSE(bare_install.version.has_value());
}

TEST(ParserTest, PackageClausesInAnyOrder) {
  ParseResult holder;
  const auto& package = ParseOne<ast::PackageStmt>(
      "package connector type 'svc' TO 'out' license 'MIT OR Apache-2.0' version '2.0.0-rc.1';", holder);
  EXPECT_EQ(package.to_dir, "out");
  EXPECT_EQ(package.license, "MIT OR Apache-2.0");
  EXPECT_EQ(package.version, "2.0.0-rc.1");
  EXPECT_FALSE(package.author.has_value());
  const auto& bare = ParseOne<ast::PackageStmt>("PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0';", holder);
  EXPECT_FALSE(bare.to_dir.has_value());
}

TEST(ParserTest, PublishTargetsAndSigning) {
  ParseResult holder;
  const auto& named = ParseOne<ast::PublishStmt>(
      "PUBLISH CONNECTOR TYPE 'svc' VERSION '1.0.0' TO team SIGNED BY release_key;", holder);
  EXPECT_EQ(named.target, "team");
  EXPECT_EQ(named.signed_by, "release_key");
  const auto& quoted = ParseOne<ast::PublishStmt>(
      "Publish Connector Type 'svc' SIGNED BY 'k' TO 'oci://127.0.0.1:5000/sluice';", holder);
  EXPECT_EQ(quoted.target, "oci://127.0.0.1:5000/sluice");
  EXPECT_EQ(quoted.signed_by, "k");
  EXPECT_FALSE(quoted.version.has_value());
  const auto& unsigned_publish = ParseOne<ast::PublishStmt>("PUBLISH CONNECTOR TYPE 'svc' TO '/reg';", holder);
  EXPECT_FALSE(unsigned_publish.signed_by.has_value());
}

TEST(ParserTest, InstallUpgradeRollbackYank) {
  ParseResult holder;
  const auto& install = ParseOne<ast::InstallStmt>(
      "INSTALL CONNECTOR TYPE 'svc' FROM REGISTRY team ALLOW UNSIGNED VERSION '~1.2';", holder);
  EXPECT_EQ(install.registry, "team");
  EXPECT_TRUE(install.allow_unsigned);
  EXPECT_EQ(install.version, "~1.2");
  const auto& signed_install =
      ParseOne<ast::InstallStmt>("install connector type 'svc' from registry 'http://127.0.0.1:8080/r';", holder);
  EXPECT_EQ(signed_install.registry, "http://127.0.0.1:8080/r");
  EXPECT_FALSE(signed_install.allow_unsigned);

  const auto& upgrade = ParseOne<ast::UpgradeStmt>("UPGRADE CONNECTOR TYPE 'svc' FORCE VERSION '^2';", holder);
  EXPECT_EQ(upgrade.type.text, "svc");
  EXPECT_EQ(upgrade.version, "^2");
  EXPECT_TRUE(upgrade.force);
  const auto& bare_upgrade = ParseOne<ast::UpgradeStmt>("upgrade connector type 'svc';", holder);
  EXPECT_FALSE(bare_upgrade.version.has_value());
  EXPECT_FALSE(bare_upgrade.force);

  EXPECT_FALSE(bare_upgrade.allow_unsigned);
  const auto& unsigned_upgrade =
      ParseOne<ast::UpgradeStmt>("UPGRADE CONNECTOR TYPE 'svc' ALLOW UNSIGNED VERSION '^3' FORCE;", holder);
  EXPECT_TRUE(unsigned_upgrade.allow_unsigned);
  EXPECT_TRUE(unsigned_upgrade.force);
  EXPECT_EQ(unsigned_upgrade.version, "^3");

  const auto& rollback = ParseOne<ast::RollbackStmt>("ROLLBACK CONNECTOR TYPE 'svc';", holder);
  EXPECT_EQ(rollback.type.text, "svc");
  EXPECT_FALSE(rollback.allow_unsigned);
  const auto& unsigned_rollback =
      ParseOne<ast::RollbackStmt>("rollback connector type 'svc' allow unsigned;", holder);
  EXPECT_TRUE(unsigned_rollback.allow_unsigned);

  const auto& yank = ParseOne<ast::YankStmt>(
      "YANK CONNECTOR TYPE 'svc' VERSION '1.0.1' FROM REGISTRY 'team' REASON 'leaks a token';", holder);
  EXPECT_EQ(yank.version, "1.0.1");
  EXPECT_EQ(yank.registry, "team");
  EXPECT_EQ(yank.reason, "leaks a token");
  EXPECT_FALSE(yank.undo);
  const auto& unyank =
      ParseOne<ast::YankStmt>("YANK CONNECTOR TYPE 'svc' VERSION '1.0.1' FROM REGISTRY team UNDO;", holder);
  EXPECT_TRUE(unyank.undo);
  EXPECT_FALSE(unyank.reason.has_value());
}

// Only ROLLBACK CONNECTOR … is a package statement; SQLite's ROLLBACK forms
// still pass through.
TEST(ParserTest, SqlRollbackStillPassesThrough) {
  ParseResult holder;
  for (const char* text : {"ROLLBACK;", "rollback transaction;", "ROLLBACK TO SAVEPOINT s;", "ROLLBACK TO s;"}) {
    const auto& sql = ParseOne<ast::SqlStmt>(text, holder);
    (void)sql;
  }
}

TEST(ParserTest, Registries) {
  ParseResult holder;
  const auto& create = ParseOne<ast::CreateRegistryStmt>(
      "CREATE REGISTRY team URL 'https://example.com/reg' TRUSTED_KEYS ('RWa', 'RWb');", holder);
  EXPECT_FALSE(create.or_replace);
  EXPECT_EQ(create.name.text, "team");
  EXPECT_EQ(create.url, "https://example.com/reg");
  EXPECT_EQ(create.trusted_keys, (Strings{"RWa", "RWb"}));
  const auto& replace = ParseOne<ast::CreateRegistryStmt>(
      "create or replace registry 'équipe' trusted_keys ['RWa'] url '/srv/reg';", holder);
  EXPECT_TRUE(replace.or_replace);
  EXPECT_EQ(replace.name.text, "équipe");
  EXPECT_EQ(replace.url, "/srv/reg");
  EXPECT_EQ(replace.trusted_keys, (Strings{"RWa"}));
  const auto& no_keys = ParseOne<ast::CreateRegistryStmt>("CREATE REGISTRY r URL '/r' TRUSTED_KEYS ();", holder);
  EXPECT_TRUE(no_keys.trusted_keys.empty());
  const auto& bare = ParseOne<ast::CreateRegistryStmt>("CREATE REGISTRY r URL '/r';", holder);
  EXPECT_TRUE(bare.trusted_keys.empty());

  const auto& drop = ParseOne<ast::DropStmt>("DROP REGISTRY IF EXISTS team;", holder);
  EXPECT_EQ(drop.kind, ast::ObjectKind::kRegistry);
  EXPECT_TRUE(drop.if_exists);
  EXPECT_EQ(drop.name.text, "team");
  const auto& drop_quoted = ParseOne<ast::DropStmt>("drop registry 'team';", holder);
  EXPECT_FALSE(drop_quoted.if_exists);
  EXPECT_EQ(drop_quoted.name.text, "team");
  const auto& describe = ParseOne<ast::DescribeStmt>("DESCRIBE REGISTRY team;", holder);
  EXPECT_EQ(describe.kind, ast::ObjectKind::kRegistry);
  EXPECT_EQ(describe.name.text, "team");
  EXPECT_EQ(ParseOne<ast::ShowStmt>("SHOW PACKAGES;", holder).what, ast::ShowWhat::kPackages);
  EXPECT_EQ(ParseOne<ast::ShowStmt>("show registries;", holder).what, ast::ShowWhat::kRegistries);
}

TEST(ParserErrorTest, PackageStatementErrors) {
  EXPECT_EQ(ErrorsOf("PACKAGE CONNECTOR TYPE 'svc' TO 'a' TO 'b';"),
            (Strings{"1:37: clause TO is given twice"}));
  EXPECT_EQ(ErrorsOf("PACKAGE CONNECTOR TYPE 'svc' VERSION 1;"),
            (Strings{"1:38: expected a version ('1.0.0'), found '1'"}));
  EXPECT_EQ(ErrorsOf("PACKAGE CONNECTOR TYPE svc;"),
            (Strings{"1:24: expected a connector type name in quotes, found 'svc'"}));
  EXPECT_EQ(ErrorsOf("PUBLISH CONNECTOR TYPE 'svc' TO 'r' SIGNED 'k';"),
            (Strings{"1:44: expected BY, found string 'k'"}));
  EXPECT_EQ(ErrorsOf("PUBLISH CONNECTOR TYPE 'svc' TO '';"),
            (Strings{"1:33: a registry name, directory or URL must not be empty"}));
  EXPECT_EQ(ErrorsOf("PUBLISH CONNECTOR TYPE 'svc' TO 'r' TO 's';"),
            (Strings{"1:37: clause TO is given twice"}));
  EXPECT_EQ(ErrorsOf("INSTALL CONNECTOR TYPE 'svc' ALLOW UNSIGNED;"),
            (Strings{"1:44: expected FROM REGISTRY 'registry' (a registry name, directory or URL), found ';'"}));
  EXPECT_EQ(ErrorsOf("INSTALL CONNECTOR TYPE 'svc' FROM REGISTRY r ALLOW;"),
            (Strings{"1:51: expected UNSIGNED, found ';'"}));
  EXPECT_EQ(ErrorsOf("INSTALL CONNECTOR TYPE 'svc' FROM REGISTRY 42;"),
            (Strings{"1:44: expected a registry name, directory or URL, found '42'"}));
  EXPECT_EQ(ErrorsOf("UPGRADE CONNECTOR TYPE 'svc' FORCE FORCE;"),
            (Strings{"1:36: clause FORCE is given twice"}));
  EXPECT_EQ(ErrorsOf("UPGRADE CONNECTOR TYPE 'svc' ALLOW UNSIGNED ALLOW UNSIGNED;"),
            (Strings{"1:45: clause ALLOW is given twice"}));
  EXPECT_EQ(ErrorsOf("ROLLBACK CONNECTOR TYPE 'svc' ALLOW;"),
            (Strings{"1:36: expected UNSIGNED, found ';'"}));
  EXPECT_EQ(ErrorsOf("UPGRADE 'svc';"), (Strings{"1:9: expected CONNECTOR, found string 'svc'"}));
  EXPECT_EQ(ErrorsOf("ROLLBACK CONNECTOR 'svc';"), (Strings{"1:20: expected TYPE, found string 'svc'"}));
  EXPECT_EQ(ErrorsOf("ROLLBACK CONNECTOR TYPE 'svc' FORCE;"),
            (Strings{"1:31: expected ';' at the end of the statement, found 'FORCE'"}));
  EXPECT_EQ(ErrorsOf("YANK CONNECTOR TYPE 'svc' FROM REGISTRY r;"),
            (Strings{"1:42: expected VERSION '1.0.1' (the exact version to yank), found ';'"}));
  EXPECT_EQ(ErrorsOf("YANK CONNECTOR TYPE 'svc' VERSION '1.0.1';"),
            (Strings{"1:42: expected FROM REGISTRY 'registry', found ';'"}));
  EXPECT_EQ(ErrorsOf("YANK CONNECTOR TYPE 'svc' VERSION '1.0.1' FROM r;"),
            (Strings{"1:48: expected REGISTRY, found 'r'"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY r;"),
            (Strings{"1:18: expected URL 'path-or-url' (every registry has a location), found ';'"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY r URL '';"), (Strings{"1:23: the registry URL must not be empty"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY r URL '/r' TRUSTED_KEYS 'RWa';"),
            (Strings{"1:41: expected '(' starting a list of public keys ('RW…', …), found string 'RWa'"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY r URL '/r' TRUSTED_KEYS ('RWa' 'RWb');"),
            (Strings{"1:48: expected ')', found string 'RWb'"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY r URL '/r' TRUSTED_KEYS ('RWa', );"),
            (Strings{"1:49: expected a public key in quotes ('RW…'), found ')'"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY r URL '/r' TRUSTED_KEYS ['RWa');"),
            (Strings{"1:47: expected ']', found ')'"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY 42 URL '/r';"), (Strings{"1:17: expected a registry name, found '42'"}));
  EXPECT_EQ(ErrorsOf("CREATE REGISTRY r URL '/a' URL '/b';"), (Strings{"1:28: clause URL is given twice"}));
  EXPECT_EQ(ErrorsOf("SHOW REGISTRY;"),
            (Strings{"1:6: expected CONNECTOR TYPES, CONNECTORS, ENTITIES, ACTIONS, SECRETS, "
                     "DESTINATIONS, SYNC RUNS, SYNC UNITS, CONNECTOR STATS, PACKAGES or REGISTRIES, found 'REGISTRY'"}));
  EXPECT_EQ(ErrorsOf("DROP REGISTRY;"), (Strings{"1:14: expected a name, found ';'"}));
}

TEST(ParserTest, StatementSpansAndEmptyStatements) {
  ParseResult result = ParseText(";;PRINT 1;\n  ;\n  PRINT 'two' ;");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.program.statements.size(), 2u);
  EXPECT_EQ(result.program.statements[0].span.Text(), "PRINT 1;");
  EXPECT_EQ(Where(result.program.statements[0].span.begin), "1:3");
  EXPECT_EQ(result.program.statements[1].span.Text(), "PRINT 'two' ;");
  EXPECT_EQ(Where(result.program.statements[1].span.begin), "3:3");
  EXPECT_EQ(result.program.source->name, "test.sl");
}

TEST(ParserTest, FinalSemicolonIsOptionalByDefault) {
  ParseResult result = ParseText("PRINT 1;\nSELECT 2");
  ASSERT_TRUE(result.ok()) << Errors(result)[0];
  EXPECT_FALSE(result.incomplete);
  ASSERT_EQ(result.program.statements.size(), 2u);
  EXPECT_EQ(std::get<ast::SqlStmt>(result.program.statements[1].node).sql.span.Text(), "SELECT 2");
  EXPECT_TRUE(ParseText("IF x THEN PRINT 1; END IF").ok());
}

// --- expressions ----------------------------------------------------------------

TEST(ParserTest, BooleanPrecedence) {
  EXPECT_EQ(ShowExpr("a OR b AND c"), "(OR a (AND b c))");
  EXPECT_EQ(ShowExpr("a AND b OR c"), "(OR (AND a b) c)");
  EXPECT_EQ(ShowExpr("NOT a AND b"), "(AND (NOT a) b)");
  EXPECT_EQ(ShowExpr("NOT a = b"), "(NOT (= a b))");
  EXPECT_EQ(ShowExpr("NOT NOT a"), "(NOT (NOT a))");
  EXPECT_EQ(ShowExpr("a OR b OR c"), "(OR (OR a b) c)");
  EXPECT_EQ(ShowExpr("a = 1 AND b <> 2 OR NOT c"), "(OR (AND (= a 1) (!= b 2)) (NOT c))");
}

TEST(ParserTest, ArithmeticPrecedence) {
  EXPECT_EQ(ShowExpr("1 + 2 = 3"), "(= (+ 1 2) 3)");
  EXPECT_EQ(ShowExpr("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(ShowExpr("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(ShowExpr("8 / 4 % 3 * 2"), "(* (% (/ 8 4) 3) 2)");
  EXPECT_EQ(ShowExpr("(1 + 2) * 3"), "(* (+ 1 2) 3)");
  // `||` binds tightest of the binary operators, as in SQLite.
  EXPECT_EQ(ShowExpr("2 * 3 || 4"), "(* 2 (|| 3 4))");
  EXPECT_EQ(ShowExpr("a || b + c"), "(+ (|| a b) c)");
  EXPECT_EQ(ShowExpr("-2 * 3"), "(* (- 2) 3)");
  EXPECT_EQ(ShowExpr("- -x"), "(- (- x))");
  EXPECT_EQ(ShowExpr("+x || y"), "(|| (+ x) y)");
}

TEST(ParserTest, ComparisonOperators) {
  EXPECT_EQ(ShowExpr("a = b"), "(= a b)");
  EXPECT_EQ(ShowExpr("a == b"), "(= a b)");
  EXPECT_EQ(ShowExpr("a != b"), "(!= a b)");
  EXPECT_EQ(ShowExpr("a <> b"), "(!= a b)");
  EXPECT_EQ(ShowExpr("a < b"), "(< a b)");
  EXPECT_EQ(ShowExpr("a <= b"), "(<= a b)");
  EXPECT_EQ(ShowExpr("a > b"), "(> a b)");
  EXPECT_EQ(ShowExpr("a >= b"), "(>= a b)");
  EXPECT_EQ(ShowExpr("a + 1 >= b * 2"), "(>= (+ a 1) (* b 2))");
}

TEST(ParserTest, IsNullInLikeContains) {
  EXPECT_EQ(ShowExpr("x IS NULL"), "(IS-NULL x)");
  EXPECT_EQ(ShowExpr("x.y IS NOT NULL AND z"), "(AND (IS-NOT-NULL (. x y)) z)");
  EXPECT_EQ(ShowExpr("x IN (1, 'a', y + 1)"), R"((IN x 1 "a" (+ y 1)))");
  EXPECT_EQ(ShowExpr("x NOT IN (1, 2)"), "(NOT-IN x 1 2)");
  EXPECT_EQ(ShowExpr("x IN ()"), "(IN x)");
  EXPECT_EQ(ShowExpr("x IN tags"), "(IN-ARRAY x tags)");
  EXPECT_EQ(ShowExpr("x NOT IN [1, 2]"), "(NOT-IN-ARRAY x [ 1 2 ])");
  EXPECT_EQ(ShowExpr("x IN row.tags[0]"), "(IN-ARRAY x ([] (. row tags) 0))");
  EXPECT_EQ(ShowExpr("x IN (SELECT id FROM t)"), "(IN-ARRAY x (QUERY SELECT id FROM t))");
  EXPECT_EQ(ShowExpr("name LIKE 'a%'"), R"((LIKE name "a%"))");
  EXPECT_EQ(ShowExpr("name NOT LIKE 'a' || '%'"), R"((NOT LIKE name (|| "a" "%")))");
  EXPECT_EQ(ShowExpr("labels CONTAINS 'bug'"), R"((CONTAINS labels "bug"))");
  EXPECT_EQ(ShowExpr("NOT x IN (1)"), "(NOT (IN x 1))");
}

TEST(ParserTest, Intervals) {
  EXPECT_EQ(ShowExpr("INTERVAL '7d'"), "(INTERVAL 604800)");
  EXPECT_EQ(ShowExpr("INTERVAL '1 day 2 hours'"), "(INTERVAL 93600)");
  EXPECT_EQ(ShowExpr("INTERVAL '7' DAY"), "(INTERVAL 604800)");
  EXPECT_EQ(ShowExpr("INTERVAL '90 minutes'"), "(INTERVAL 5400)");
  EXPECT_EQ(ShowExpr("INTERVAL '1.5h'"), "(INTERVAL 5400)");
  EXPECT_EQ(ShowExpr("INTERVAL '2 weeks 30s'"), "(INTERVAL 1209630)");
  EXPECT_EQ(ShowExpr("INTERVAL \"3 secs\""), "(INTERVAL 3)");
  EXPECT_EQ(ShowExpr("ts - INTERVAL '1d'"), "(- ts (INTERVAL 86400))");
  ParseResult holder;
  const auto& print = ParseOne<ast::PrintStmt>("PRINT INTERVAL '7' days;", holder);
  const auto& interval = std::get<ast::IntervalExpr>(print.values[0]->node);
  EXPECT_EQ(interval.seconds, 604800);
  EXPECT_EQ(interval.text, "7 days");
  EXPECT_EQ(print.values[0]->span.Text(), "INTERVAL '7' days");
}

TEST(ParserTest, MemberAndIndexChains) {
  EXPECT_EQ(ShowExpr("a.b[0].c['d']"), R"(([] (. ([] (. a b) 0) c) "d"))");
  EXPECT_EQ(ShowExpr("f(x)[1 + 1].y"), "(. ([] (CALL F x) (+ 1 1)) y)");
  EXPECT_EQ(ShowExpr("{\"a\": 1}.a"), "(. { a:1 } a)");
  EXPECT_EQ(ShowExpr("[1, 2][0]"), "([] [ 1 2 ] 0)");
}

TEST(ParserTest, Literals) {
  EXPECT_EQ(ShowExpr("42"), "42");
  EXPECT_EQ(ShowExpr("0x1F"), "31");
  EXPECT_EQ(ShowExpr("007"), "7");
  EXPECT_EQ(ShowExpr("2.5"), "2.5");
  EXPECT_EQ(ShowExpr("1e3"), "1000.0");
  EXPECT_EQ(ShowExpr("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(ShowExpr("'it''s'"), "\"it's\"");
  EXPECT_EQ(ShowExpr("\"caf\\u00e9\""), "\"café\"");
  EXPECT_EQ(ShowExpr("'''raw'''"), "\"raw\"");
  EXPECT_EQ(ShowExpr("TRUE"), "true");
  EXPECT_EQ(ShowExpr("false"), "false");
  EXPECT_EQ(ShowExpr("NULL"), "null");
}

TEST(ParserTest, QuotedNamesAreVariablesNotKeywords) {
  ParseResult holder;
  const auto& print = ParseOne<ast::PrintStmt>("PRINT `null`, `my var`;", holder);
  ASSERT_EQ(print.values.size(), 2u);
  EXPECT_EQ(std::get<ast::VariableExpr>(print.values[0]->node).name, "null");
  EXPECT_EQ(std::get<ast::VariableExpr>(print.values[1]->node).name, "my var");
  // A quoted name before '(' is not a function call.
  EXPECT_EQ(ErrorsOf("PRINT `lower`(1);"),
            (Strings{"1:14: expected ';' at the end of the statement, found '('"}));
}

TEST(ParserTest, FunctionCalls) {
  EXPECT_EQ(ShowExpr("lower(x)"), "(CALL LOWER x)");
  EXPECT_EQ(ShowExpr("Coalesce(a, b, 1)"), "(CALL COALESCE a b 1)");
  EXPECT_EQ(ShowExpr("NOW()"), "(CALL NOW)");
  EXPECT_EQ(ShowExpr("CURRENT_TIMESTAMP"), "(CALL CURRENT_TIMESTAMP)");
  EXPECT_EQ(ShowExpr("current_date"), "(CALL CURRENT_DATE)");
  EXPECT_EQ(ShowExpr("CURRENT_TIME"), "(CALL CURRENT_TIME)");
  EXPECT_EQ(ShowExpr("CURRENT_TIMESTAMP()"), "(CALL CURRENT_TIMESTAMP)");
}

TEST(ParserTest, JsonObjectsWithExpressionValues) {
  EXPECT_EQ(ShowExpr("{\"a\": 1 + 2, b: x.y, 'c': [1, z], \"d\": {\"e\": NULL},}"),
            "{ a:(+ 1 2) b:(. x y) c:[ 1 z ] d:{ e:null } }");
  EXPECT_EQ(ShowExpr("{}"), "{ }");
  EXPECT_EQ(ShowExpr("[]"), "[ ]");
  EXPECT_EQ(ShowExpr("[1, 2,]"), "[ 1 2 ]");
  EXPECT_EQ(ShowExpr("{\"n\": CONNECTOR_EXEC c.a.b(x => 1)}"), "{ n:(EXEC c.a.b x=>1) }");
}

TEST(ParserTest, ExpressionSpans) {
  ParseResult holder;
  const auto& print = ParseOne<ast::PrintStmt>("PRINT  a + b * c, (x + y) * z, f(1).g;", holder);
  ASSERT_EQ(print.values.size(), 3u);
  EXPECT_EQ(print.values[0]->span.Text(), "a + b * c");
  EXPECT_EQ(Where(print.values[0]->span.begin), "1:8");
  const auto& add = std::get<ast::BinaryExpr>(print.values[0]->node);
  EXPECT_EQ(add.right->span.Text(), "b * c");
  EXPECT_EQ(Where(add.right->span.begin), "1:12");
  // A parenthesized operand's span includes its parentheses, so ASSERT can
  // quote the expression as written.
  EXPECT_EQ(print.values[1]->span.Text(), "(x + y) * z");
  EXPECT_EQ(print.values[2]->span.Text(), "f(1).g");
}

// --- errors ---------------------------------------------------------------------

TEST(ParserErrorTest, UnknownStatement) {
  EXPECT_EQ(ErrorsOf("FROB x;"), (Strings{"1:1: unknown statement 'FROB'"}));
  EXPECT_EQ(ErrorsOf("PRINT 1;\n  42;"), (Strings{"2:3: expected a statement, found '42'"}));
  EXPECT_EQ(ErrorsOf("'abc';"), (Strings{"1:1: expected a statement, found string 'abc'"}));
  EXPECT_EQ(ErrorsOf("`select` 1;"), (Strings{"1:1: expected a statement, found 'select'"}));
}

TEST(ParserErrorTest, MissingSemicolon) {
  EXPECT_EQ(ErrorsOf("PRINT 1\nPRINT 2;"),
            (Strings{"2:1: expected ';' at the end of the statement, found 'PRINT'"}));
  EXPECT_EQ(ErrorsOf("SHOW CONNECTORS FOR x;"),
            (Strings{"1:17: expected ';' at the end of the statement, found 'FOR'"}));
}

TEST(ParserErrorTest, StrayBlockKeywords) {
  EXPECT_EQ(ErrorsOf("END;"), (Strings{"1:1: 'END' without a block it belongs to"}));
  EXPECT_EQ(ErrorsOf("PRINT 1;\nelse PRINT 2;"), (Strings{"2:1: 'else' without a block it belongs to"}));
  EXPECT_EQ(ErrorsOf("CATCH auth_error;"), (Strings{"1:1: 'CATCH' without a block it belongs to"}));
  EXPECT_EQ(ErrorsOf("END LOOP;"), (Strings{"1:1: 'END' without a block it belongs to"}));
}

TEST(ParserErrorTest, CreateErrors) {
  EXPECT_EQ(ErrorsOf("CREATE FUNCTION f;"),
            (Strings{"1:8: expected CONNECTOR, SECRET, DESTINATION or REGISTRY (or an SQL TABLE, VIEW, "
                     "INDEX or TRIGGER), found 'FUNCTION'"}));
  EXPECT_EQ(ErrorsOf("CREATE OR KEEP CONNECTOR TYPE 'x';"), (Strings{"1:11: expected REPLACE, found 'KEEP'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR TYPE 'a.b';"),
            (Strings{"1:1: connector type name 'a.b' must not contain '.'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR TYPE '';"), (Strings{"1:23: a connector type name must not be empty"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR TYPE 'svc' VERSION 1;"),
            (Strings{"1:37: expected a version, found '1'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR TYPE 'svc' FROM 'dir';"),
            (Strings{"1:34: expected INTEGRATION, found string 'dir'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR prod 'svc';"), (Strings{"1:23: expected TYPE, found string 'svc'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR 'prod' TYPE 'svc';"),
            (Strings{"1:18: expected a connector name, found string 'prod'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR prod TYPE svc;"),
            (Strings{"1:28: expected a connector type name in quotes, found 'svc'"}));
  EXPECT_EQ(ErrorsOf("CREATE SECRET k;"), (Strings{"1:16: expected VALUE '…' or FROM ENV 'NAME', found ';'"}));
  EXPECT_EQ(ErrorsOf("CREATE SECRET k FROM 'X';"), (Strings{"1:22: expected ENV, found string 'X'"}));
  EXPECT_EQ(ErrorsOf("CREATE DESTINATION wh CONFIG {};"), (Strings{"1:23: expected TYPE, found 'CONFIG'"}));
}

TEST(ParserErrorTest, EntityErrors) {
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ENTITY 'svc.items'\n  QUERY_HANDLER '''return [];''';"),
            (Strings{"2:33: expected FIELDS {…} (every entity declares its fields), found ';'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ENTITY 'svc.items' FIELDS {};"),
            (Strings{"1:46: expected QUERY_HANDLER '''…''' or QUERY_HANDLER FILE 'path', found ';'"}));
  for (const char* name : {"items", "svc.", ".items", "a.b.c"}) {
    std::string text = std::string("CREATE CONNECTOR ENTITY '") + name + "' FIELDS {} QUERY_HANDLER 'x';";
    EXPECT_EQ(ErrorsOf(text), (Strings{std::string("1:1: entity name '") + name + "' must be 'type.entity'"}));
  }
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ENTITY 'svc.items' FIELDS {} FIELDS {} QUERY_HANDLER 'x';"),
            (Strings{"1:47: clause FIELDS is given twice"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ENTITY 'svc.items' FIELDS {} QUERY_HANDLER 42;"),
            (Strings{"1:61: expected handler code ('''…''') or FILE 'path', found '42'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ENTITY 'svc.items' FIELDS {} QUERY_HANDLER FILE x;"),
            (Strings{"1:66: expected a file path after FILE, found 'x'"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ENTITY 'svc.items' PARENT 'svc' PARENT 'x' FIELDS {} QUERY_HANDLER 'x';"),
            (Strings{"1:50: clause PARENT is given twice"}));
}

TEST(ParserErrorTest, ActionErrors) {
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ACTION 'svc.ping' PARAMETERS {};"),
            (Strings{"1:49: expected HANDLER '''…''' or HANDLER FILE 'path', found ';'"}));
  for (const char* name : {"svc", "a.b.c.d", "a..b", ".a", "a.b."}) {
    std::string text = std::string("CREATE CONNECTOR ACTION '") + name + "' HANDLER 'x';";
    EXPECT_EQ(ErrorsOf(text), (Strings{std::string("1:1: action name '") + name +
                                       "' must be 'type.entity.action' or 'type.action'"}));
  }
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR ACTION 'svc.ping' HANDLER 'x' description 'a' description 'b';"),
            (Strings{"1:64: clause description is given twice"}));
}

TEST(ParserErrorTest, DuplicateClauses) {
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR TYPE 'svc' VERSION '1' DESCRIPTION 'd'\n  VERSION '2';"),
            (Strings{"2:3: clause VERSION is given twice"}));
  EXPECT_EQ(ErrorsOf("CREATE CONNECTOR prod TYPE 'svc' CONFIG {} CONFIG {};"),
            (Strings{"1:44: clause CONFIG is given twice"}));
  EXPECT_EQ(ErrorsOf("TEST CONNECTOR TYPE 'svc' NAME 'n' TAGS [] TAGS [] BEGIN END TEST;"),
            (Strings{"1:44: clause TAGS is given twice"}));
  EXPECT_EQ(ErrorsOf("PACKAGE CONNECTOR TYPE 'svc' LICENSE 'MIT' LICENSE 'BSD';"),
            (Strings{"1:44: clause LICENSE is given twice"}));
}

TEST(ParserErrorTest, AlterDropShowDescribeErrors) {
  EXPECT_EQ(ErrorsOf("ALTER CONNECTOR prod RENAME TO x;"),
            (Strings{"1:22: expected SET OPTIONS {…}, SET CONFIG {…}, ENABLE or DISABLE, found 'RENAME'"}));
  EXPECT_EQ(ErrorsOf("ALTER CONNECTOR prod SET NAME {};"),
            (Strings{"1:26: expected OPTIONS or CONFIG after SET, found 'NAME'"}));
  EXPECT_EQ(ErrorsOf("ALTER SECRET k;"), (Strings{"1:7: expected CONNECTOR, found 'SECRET'"}));
  EXPECT_EQ(ErrorsOf("DROP FUNCTION f;"),
            (Strings{"1:6: expected CONNECTOR TYPE, CONNECTOR ENTITY, CONNECTOR ACTION, CONNECTOR, "
                     "SECRET, DESTINATION or REGISTRY, found 'FUNCTION'"}));
  EXPECT_EQ(ErrorsOf("DROP SECRET IF k;"), (Strings{"1:16: expected EXISTS, found 'k'"}));
  EXPECT_EQ(ErrorsOf("DROP SECRET;"), (Strings{"1:12: expected a name, found ';'"}));
  EXPECT_EQ(ErrorsOf("SHOW TABLES;"),
            (Strings{"1:6: expected CONNECTOR TYPES, CONNECTORS, ENTITIES, ACTIONS, SECRETS, "
                     "DESTINATIONS, SYNC RUNS, SYNC UNITS, CONNECTOR STATS, PACKAGES or REGISTRIES, found 'TABLES'"}));
  EXPECT_EQ(ErrorsOf("SHOW CONNECTOR prod;"), (Strings{"1:16: expected TYPES, found 'prod'"}));
  EXPECT_EQ(ErrorsOf("SHOW SYNC;"), (Strings{"1:10: expected RUNS or UNITS, found ';'"}));
  EXPECT_EQ(ErrorsOf("DESCRIBE SECRET k;"),
            (Strings{"1:1: secrets cannot be described; SHOW SECRETS lists their names"}));
  EXPECT_EQ(ErrorsOf("REGISTER TYPE 'svc';"), (Strings{"1:10: expected CONNECTOR, found 'TYPE'"}));
}

TEST(ParserErrorTest, TestBlockErrors) {
  EXPECT_EQ(ErrorsOf("TEST CONNECTOR TYPE 'svc' NAME 'n' BEGIN PRINT 1;\nEND;"),
            (Strings{"2:4: expected TEST, found ';'"}));
  EXPECT_EQ(ErrorsOf("TEST CONNECTOR TYPE 'svc' NAME 'n' BEGIN PRINT 1;"),
            (Strings{"1:50: expected END, found end of input"}));
  EXPECT_EQ(ErrorsOf("TEST CONNECTOR TYPE 'svc' BEGIN END TEST;"),
            (Strings{"1:27: expected NAME, found 'BEGIN'"}));
  EXPECT_EQ(ErrorsOf("TEST CONNECTOR TYPE 'svc' NAME 'n' PRINT 1; END TEST;"),
            (Strings{"1:36: expected BEGIN, found 'PRINT'", "1:45: 'END' without a block it belongs to"}));
  EXPECT_EQ(ErrorsOf("TEST CONNECTOR 'svc';"),
            (Strings{"1:16: expected a connector name, found string 'svc'"}));
}

TEST(ParserErrorTest, SyncErrors) {
  EXPECT_EQ(ErrorsOf("SYNC prod;"), (Strings{"1:6: expected CONNECTOR, found 'prod'"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod WRITE_MODE 'upsert';"),
            (Strings{"1:32: unknown write mode 'upsert' (expected 'overwrite-delete-stale', "
                     "'overwrite' or 'append')"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod FULL INCREMENTAL;"),
            (Strings{"1:26: clause INCREMENTAL is given twice"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod FORCE FORCE;"), (Strings{"1:27: clause FORCE is given twice"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod.items ENTITIES (users);"),
            (Strings{"1:27: give either connector.entity or ENTITIES (…), not both"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod ENTITIES items;"), (Strings{"1:30: expected '(', found 'items'"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod TO 42;"),
            (Strings{"1:24: expected a database file ('file.db') or DESTINATION name, found '42'"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod WHERE;"), (Strings{"1:26: expected an SQL statement, found ';'"}));
}

TEST(ParserErrorTest, SyncShardErrors) {
  const std::string range = ": i must be from 1 to N, and N from 1 to 100000";
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 0/4;"), (Strings{"1:21: SHARD: shard 0/4" + range}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 5/4;"), (Strings{"1:21: SHARD: shard 5/4" + range}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 1/0;"), (Strings{"1:21: SHARD: shard 1/0" + range}));
  const std::string form = "1:21: SHARD: a shard is written i/N (the i-th of N, from 1), e.g. 1/4; got ";
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD x/4;"), (Strings{form + "'x/4'"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 1/;"), (Strings{form + "'1/'"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 2 TO 'x.db';"), (Strings{form + "'2'"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD;"), (Strings{form + "''"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 1.5/4;"), (Strings{form + "'1.5/4'"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 1/4 SHARD 2/4;"), (Strings{"1:31: clause SHARD is given twice"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod DISTRIBUTED SHARD 1/4;"),
            (Strings{"1:33: give either DISTRIBUTED or SHARD i/N, not both"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 1/4 DISTRIBUTED;"),
            (Strings{"1:31: give either DISTRIBUTED or SHARD i/N, not both"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SCHEDULE '* * * * *' DISTRIBUTED;"),
            (Strings{"1:42: DISTRIBUTED cannot be scheduled: a scheduled run is one process (leave SCHEDULE out, "
                     "and start the run from cron or a scheduler of your own)"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod SHARD 1/2 SCHEDULE '* * * * *';"),
            (Strings{"1:21: SHARD cannot be scheduled: a scheduled run is one process (leave SCHEDULE out, "
                     "and start the run from cron or a scheduler of your own)"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod WHERE id > 1 SHARD 1/2;"),
            (Strings{"1:21: a sharded run syncs whole entities (or their partitions): leave WHERE out"}));
  EXPECT_EQ(ErrorsOf("SYNC CONNECTOR prod DISTRIBUTED WHERE id > 1;"),
            (Strings{"1:33: a distributed run syncs whole entities (or their partitions): leave WHERE out"}));
  EXPECT_EQ(ErrorsOf("SHOW SYNC UNITS FOR prod;"), (Strings{"1:21: expected RUN, found 'prod'"}));
  EXPECT_EQ(ErrorsOf("SHOW SYNC UNITS FOR RUN x;"),
            (Strings{"1:25: expected a run id (SHOW SYNC RUNS lists them), found 'x'"}));
  EXPECT_EQ(ErrorsOf("SHOW SYNC UNITS FOR RUN 0;"), (Strings{"1:25: a run id is a positive integer; got '0'"}));
}

TEST(ParserErrorTest, UnknownCatchKind) {
  EXPECT_EQ(ErrorsOf("TRY\n  PRINT 1;\nCATCH auth_error, oops_error\n  PRINT 2;\nEND TRY;"),
            (Strings{"3:19: unknown error kind 'oops_error' (connector_error, auth_error, "
                     "rate_limit_error, connection_error, timeout_error, …)",
                     // Recovery resumes after `PRINT 2;`, so END TRY is then stray.
                     "5:1: 'END' without a block it belongs to"}));
}

TEST(ParserErrorTest, MissingBlockEnds) {
  EXPECT_EQ(ErrorsOf("IF x THEN PRINT 1;"), (Strings{"1:19: expected END, found end of input"}));
  EXPECT_EQ(ErrorsOf("IF x THEN PRINT 1; END;"), (Strings{"1:23: expected IF, found ';'"}));
  EXPECT_EQ(ErrorsOf("IF x PRINT 1; END IF;"),
            (Strings{"1:6: expected THEN, found 'PRINT'", "1:15: 'END' without a block it belongs to"}));
  EXPECT_EQ(ErrorsOf("IF x THEN PRINT 1; ELSIF y PRINT 2; END IF;"),
            (Strings{"1:28: expected THEN, found 'PRINT'", "1:37: 'END' without a block it belongs to"}));
  EXPECT_EQ(ErrorsOf("FOR r IN [1] LOOP PRINT r; END;"), (Strings{"1:31: expected LOOP, found ';'"}));
  EXPECT_EQ(ErrorsOf("FOR r IN [1] LOOP\n  PRINT r;\n"), (Strings{"3:1: expected END, found end of input"}));
  // Recovery skips to the next ';', which here ends the whole FOR.
  EXPECT_EQ(ErrorsOf("FOR r [1] LOOP END LOOP;"), (Strings{"1:7: expected IN, found '['"}));
  EXPECT_EQ(ErrorsOf("TRY PRINT 1; CATCH PRINT 2; END;"), (Strings{"1:32: expected TRY, found ';'"}));
  EXPECT_EQ(ErrorsOf("TRY PRINT 1; END TRY;"), (Strings{"1:14: expected CATCH, found 'END'"}));
  EXPECT_EQ(ErrorsOf("TRY PRINT 1; CATCH PRINT 2;"), (Strings{"1:28: expected END, found end of input"}));
}

TEST(ParserErrorTest, ConnectorExecErrors) {
  EXPECT_EQ(ErrorsOf("CONNECTOR_EXEC prod.items.create({}, 2);"),
            (Strings{"1:36: CONNECTOR_EXEC takes one object argument or named arguments (name => value)"}));
  EXPECT_EQ(ErrorsOf("CONNECTOR_EXEC prod({});"),
            (Strings{"1:20: expected '.' and an action (connector.entity.action), found '('"}));
  EXPECT_EQ(ErrorsOf("CONNECTOR_EXEC prod.items.delete(id => 1, id => 2);"),
            (Strings{"1:43: argument 'id' is given twice"}));
  EXPECT_EQ(ErrorsOf("CONNECTOR_EXEC prod.items.delete(id => 1, 2);"),
            (Strings{"1:43: expected an argument name, found '2'"}));
  EXPECT_EQ(ErrorsOf("CONNECTOR_EXEC 'prod'.a();"),
            (Strings{"1:16: expected a connector name after CONNECTOR_EXEC, found string 'prod'"}));
  EXPECT_EQ(ErrorsOf("CONNECTOR_EXEC prod.a;"), (Strings{"1:22: expected '(', found ';'"}));
}

TEST(ParserErrorTest, ExpressionErrors) {
  EXPECT_EQ(ErrorsOf("PRINT 99999999999999999999;"),
            (Strings{"1:7: integer 99999999999999999999 is out of range (64-bit)"}));
  EXPECT_EQ(ErrorsOf("PRINT 0x10000000000000000;"),
            (Strings{"1:7: integer 0x10000000000000000 is out of range (64-bit)"}));
  EXPECT_EQ(ErrorsOf("PRINT 1e999;"), (Strings{"1:7: number 1e999 is out of range"}));
  EXPECT_EQ(ErrorsOf("PRINT 1 +\n  INTERVAL 'soon';"),
            (Strings{"2:3: malformed interval 'soon': expected amounts with units, e.g. '7d', "
                     "'12 hours', '1 day 30 minutes'"}));
  for (const char* bad : {"7", "", "d", "7 fortnights", "1.2.3h", "500ms"}) {
    std::string text = std::string("PRINT INTERVAL '") + bad + "';";
    EXPECT_EQ(ErrorsOf(text), (Strings{std::string("1:7: malformed interval '") + bad +
                                       "': expected amounts with units, e.g. '7d', '12 hours', "
                                       "'1 day 30 minutes'"}));
  }
  EXPECT_EQ(ErrorsOf("PRINT SELECT 1;"), (Strings{"1:7: a query used as a value needs parentheses: (SELECT …)"}));
  EXPECT_EQ(ErrorsOf("DECLARE x = 1 + SELECT 2;"),
            (Strings{"1:17: a query used as a value needs parentheses: (SELECT …)"}));
  EXPECT_EQ(ErrorsOf("IF WITH a AS (SELECT 1) SELECT 1 THEN END IF;"),
            (Strings{"1:4: a query used as a value needs parentheses: (SELECT …)"}));
  EXPECT_EQ(ErrorsOf("PRINT {\"a\": 1,\n       \"a\": 2};"), (Strings{"2:8: duplicate key \"a\" in object"}));
  EXPECT_EQ(ErrorsOf("PRINT {a: 1, 'a': 2};"), (Strings{"1:14: duplicate key \"a\" in object"}));
  EXPECT_EQ(ErrorsOf("PRINT {1: 2};"), (Strings{"1:8: expected an object key (\"name\"), found '1'"}));
  EXPECT_EQ(ErrorsOf("PRINT {\"a\" 2};"), (Strings{"1:12: expected ':', found '2'"}));
  EXPECT_EQ(ErrorsOf("PRINT [1, 2;"), (Strings{"1:12: expected ']', found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT (1 + 2;"), (Strings{"1:13: expected ')', found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT a[1;"), (Strings{"1:10: expected ']', found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT f(1, 2;"), (Strings{"1:13: expected ')', found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT ;"), (Strings{"1:7: expected an expression, found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT 1 +;"), (Strings{"1:10: expected an expression, found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT x IS 5;"), (Strings{"1:12: expected NULL, found '5'"}));
  EXPECT_EQ(ErrorsOf("PRINT x IN (1, 2;"), (Strings{"1:17: expected ')', found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT 1 < 2 < 3;"),
            (Strings{"1:13: expected ';' at the end of the statement, found '<'"}));
  EXPECT_EQ(ErrorsOf("PRINT (SELECT 1;"), (Strings{"1:16: expected ')', found ';'"}));
  EXPECT_EQ(ErrorsOf("PRINT ();"), (Strings{"1:8: expected an expression, found ')'"}));
}

TEST(ParserErrorTest, StatementNameAndValueErrors) {
  EXPECT_EQ(ErrorsOf("DECLARE 1;"), (Strings{"1:9: expected a variable name, found '1'"}));
  EXPECT_EQ(ErrorsOf("DECLARE x = ;"), (Strings{"1:13: expected an expression, found ';'"}));
  EXPECT_EQ(ErrorsOf("SET x 1;"), (Strings{"1:7: expected '=', found '1'"}));
  EXPECT_EQ(ErrorsOf("SET = 1;"), (Strings{"1:5: expected a variable name, found '='"}));
  EXPECT_EQ(ErrorsOf("FOR 'r' IN x LOOP END LOOP;"),
            (Strings{"1:5: expected a loop variable, found string 'r'"}));
  EXPECT_EQ(ErrorsOf("PUBLISH CONNECTOR TYPE 'svc';"),
            (Strings{"1:29: expected TO 'registry' (a registry name, directory or URL), found ';'"}));
  EXPECT_EQ(ErrorsOf("INSTALL CONNECTOR TYPE 'svc' FROM '/r';"),
            (Strings{"1:35: expected REGISTRY, found string '/r'"}));
  EXPECT_EQ(ErrorsOf("PACKAGE CONNECTOR 'svc';"), (Strings{"1:19: expected TYPE, found string 'svc'"}));
}

TEST(ParserErrorTest, UnbalancedParenInSql) {
  EXPECT_EQ(ErrorsOf("SELECT (1;\n"), (Strings{"2:1: unbalanced '(' in SQL"}));
}

TEST(ParserErrorTest, LexicalErrorsComeThroughInSourceOrder) {
  // The lexer reports `#` first, but errors are sorted by position.
  ParseResult result = ParseText("PRINT 1;\nFROB;\nPRINT 'a' # 'b';");
  EXPECT_EQ(Errors(result), (Strings{"2:1: unknown statement 'FROB'", "3:11: unexpected character '#'",
                                     "3:13: expected ';' at the end of the statement, found string 'b'"}));
  ParseResult lex_first = ParseText("PRINT \"\\q\";\nFROB;");
  EXPECT_EQ(Errors(lex_first), (Strings{"1:8: unknown escape \\q in string", "2:1: unknown statement 'FROB'"}));
  ASSERT_EQ(lex_first.program.statements.size(), 1u);
  for (const Status& error : result.errors) EXPECT_EQ(error.kind(), ErrorKind::kParse);
}

// --- recovery -------------------------------------------------------------------

TEST(ParserRecoveryTest, ThreeBadStatementsReportThreeErrorsInOrder) {
  ParseResult result = ParseText(
      "FROB;\n"
      "PRINT 1 2;\n"
      "PRINT 'ok';\n"
      "DROP WIDGET w;\n"
      "PRINT 'also ok';\n");
  EXPECT_EQ(Errors(result),
            (Strings{"1:1: unknown statement 'FROB'", "2:9: expected ';' at the end of the statement, found '2'",
                     "4:6: expected CONNECTOR TYPE, CONNECTOR ENTITY, CONNECTOR ACTION, CONNECTOR, SECRET, "
                     "DESTINATION or REGISTRY, found 'WIDGET'"}));
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.incomplete);
  // The good statements are parsed (the caller runs nothing, since errors exist).
  ASSERT_EQ(result.program.statements.size(), 2u);
  EXPECT_EQ(result.program.statements[0].span.Text(), "PRINT 'ok';");
  EXPECT_EQ(result.program.statements[1].span.Text(), "PRINT 'also ok';");
}

TEST(ParserRecoveryTest, SkipsOverBracketsThatHoldSemicolons) {
  // After the error, skipping stops at the ';' that ends the statement, not
  // at one inside brackets.
  ParseResult result = ParseText("PRINT 1 {\"a\": 'x;y', \"b\": [1; 2]};\nPRINT 2;");
  EXPECT_EQ(Errors(result), (Strings{"1:9: expected ';' at the end of the statement, found '{'"}));
  ASSERT_EQ(result.program.statements.size(), 1u);
  EXPECT_EQ(Where(result.program.statements[0].span.begin), "2:1");
}

TEST(ParserRecoveryTest, ErrorsInsideBlocksKeepTheBlock) {
  ParseResult result = ParseText(
      "IF x THEN\n"
      "  FROB;\n"
      "  PRINT 1;\n"
      "  PRINT 2 3;\n"
      "END IF;\n"
      "PRINT 4;");
  EXPECT_EQ(Errors(result), (Strings{"2:3: unknown statement 'FROB'",
                                     "4:11: expected ';' at the end of the statement, found '3'"}));
  ASSERT_EQ(result.program.statements.size(), 2u);
  const auto& if_stmt = std::get<ast::IfStmt>(result.program.statements[0].node);
  EXPECT_EQ(if_stmt.branches[0].body.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ast::PrintStmt>(result.program.statements[1].node));
}

TEST(ParserRecoveryTest, ErrorAtTheLastTokenDoesNotLoop) {
  ParseResult result = ParseText("PRINT 1;\n)");
  EXPECT_EQ(Errors(result), (Strings{"2:1: expected a statement, found ')'"}));
  EXPECT_EQ(result.program.statements.size(), 1u);
}

// --- incomplete input (the REPL) --------------------------------------------------

TEST(ParserIncompleteTest, UnfinishedStatementsAreIncompleteWhenTheSemicolonIsRequired) {
  for (const char* text : {"SELECT 1", "PRINT 1 +", "IF x THEN PRINT 1;", "IF x THEN\n  PRINT 1;\nEND IF",
                           "PRINT 'abc", "PRINT '''code", "/* comment", "CREATE CONNECTOR TYPE 'svc'\n  DESCRIPTION 'x'",
                           "TRY PRINT 1; CATCH", "DECLARE rows = SELECT (1,", "PRINT {\"a\": 1,"}) {
    ParseResult result = ParseText(text, /*require_final_semicolon=*/true);
    EXPECT_TRUE(result.incomplete) << text;
    EXPECT_FALSE(result.ok()) << text;
  }
}

TEST(ParserIncompleteTest, CompleteInputIsNotIncomplete) {
  for (const char* text : {"PRINT 1;", "SELECT 1; -- done", "IF x THEN PRINT 1; END IF;", "", "  ;"}) {
    ParseResult result = ParseText(text, /*require_final_semicolon=*/true);
    EXPECT_FALSE(result.incomplete) << text;
    EXPECT_TRUE(result.ok()) << text;
  }
}

TEST(ParserIncompleteTest, SyntaxErrorMidInputIsNotIncomplete) {
  for (const char* text : {"PRINT 1 2;", "PRINT 1 2", "FROB;", "PRINT 1 # 2;", "END IF;\nPRINT 1;"}) {
    ParseResult result = ParseText(text, /*require_final_semicolon=*/true);
    EXPECT_FALSE(result.incomplete) << text;
    EXPECT_FALSE(result.ok()) << text;
  }
}

TEST(ParserIncompleteTest, WithoutTheRequirementAFinalStatementNeedsNoSemicolon) {
  ParseResult result = ParseText("PRINT 1; PRINT 2", /*require_final_semicolon=*/false);
  EXPECT_TRUE(result.ok());
  EXPECT_FALSE(result.incomplete);
  EXPECT_EQ(result.program.statements.size(), 2u);
  ParseResult required = ParseText("PRINT 1; PRINT 2", /*require_final_semicolon=*/true);
  EXPECT_EQ(Errors(required), (Strings{"1:17: expected ';' at the end of the statement, found end of input"}));
  EXPECT_TRUE(required.incomplete);
}

}  // namespace
}  // namespace sluice
