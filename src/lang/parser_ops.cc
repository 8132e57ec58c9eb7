// Statements that operate on connectors and packages: TEST, SYNC, PACKAGE,
// PUBLISH, INSTALL.
#include "lang/parser_internal.h"

namespace sluice::parser_detail {

ast::Statement Parser::ParseTest(const Token& first) {
  Next();  // TEST
  ExpectKeyword("CONNECTOR");
  if (!(PeekKeyword("TYPE") && IsStringToken(Peek(1)))) {
    ast::TestConnectionStmt statement{ParseIdentifierName("a connector name")};
    ExpectStatementEnd();
    return Make(first, std::move(statement));
  }
  Next();  // TYPE
  ast::TestStmt statement;
  statement.type = ParseStringName("a connector type name");
  ExpectKeyword("NAME");
  statement.test_name = ParseStringName("a test name");
  bool tags = false, mock = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("TAGS")) {
      ClauseOnce(tags, clause);
      statement.tags = ParseExpr();
    } else if (AcceptKeyword("MOCK_API")) {
      ClauseOnce(mock, clause);
      statement.mock_api = ParseExpr();
    } else {
      break;
    }
  }
  ExpectKeyword("BEGIN");
  statement.body = ParseBlock({"END"});
  ExpectKeyword("END");
  ExpectKeyword("TEST");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseSync(const Token& first) {
  Next();  // SYNC
  ExpectKeyword("CONNECTOR");
  ast::SyncStmt statement;
  statement.connector = ParseIdentifierName("a connector name");
  if (AcceptSymbol(".")) statement.entity = ParseIdentifierName("an entity name");
  bool entities = false, to = false, where = false, mode = false, write_mode = false,
       schedule = false, force = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("ENTITIES")) {
      ClauseOnce(entities, clause);
      if (statement.entity) Fail(clause, "give either connector.entity or ENTITIES (…), not both");
      ExpectSymbol("(");
      do {
        statement.entities.push_back(ParseIdentifierName("an entity name"));
      } while (AcceptSymbol(","));
      ExpectSymbol(")");
    } else if (AcceptKeyword("TO")) {
      ClauseOnce(to, clause);
      if (AcceptKeyword("DESTINATION")) {
        statement.target = ast::SyncTarget::kDestination;
        statement.target_name = ParseIdentifierName("a destination name").text;
      } else {
        statement.target = ast::SyncTarget::kFile;
        statement.target_name = ParseStringLiteral("a database file ('file.db') or DESTINATION name");
      }
    } else if (AcceptKeyword("WHERE")) {
      ClauseOnce(where, clause);
      statement.where = CaptureSql(
          {"ENTITIES", "TO", "FULL", "INCREMENTAL", "WRITE_MODE", "SCHEDULE", "FORCE"}, false);
    } else if (AcceptKeyword("FULL")) {
      ClauseOnce(mode, clause);
      statement.mode = ast::SyncMode::kFull;
    } else if (AcceptKeyword("INCREMENTAL")) {
      ClauseOnce(mode, clause);
      statement.mode = ast::SyncMode::kIncremental;
      if (AcceptKeyword("ON")) statement.incremental_field = ParseIdentifierName("a cursor field").text;
    } else if (AcceptKeyword("WRITE_MODE")) {
      ClauseOnce(write_mode, clause);
      const Token& value = Peek();
      statement.write_mode = ParseStringLiteral("a write mode");
      if (*statement.write_mode != "overwrite-delete-stale" && *statement.write_mode != "overwrite" &&
          *statement.write_mode != "append") {
        Fail(value, "unknown write mode '" + *statement.write_mode +
                        "' (expected 'overwrite-delete-stale', 'overwrite' or 'append')");
      }
    } else if (AcceptKeyword("SCHEDULE")) {
      ClauseOnce(schedule, clause);
      statement.schedule = ParseStringLiteral("a cron schedule ('*/15 * * * *')");
    } else if (AcceptKeyword("FORCE")) {
      ClauseOnce(force, clause);
      statement.force = true;
    } else {
      break;
    }
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParsePackage(const Token& first) {
  Next();  // PACKAGE
  ExpectKeyword("CONNECTOR");
  ExpectKeyword("TYPE");
  ast::PackageStmt statement;
  statement.type = ParseStringName("a connector type name");
  bool version = false, description = false, author = false, license = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("VERSION")) {
      ClauseOnce(version, clause);
      statement.version = ParseStringLiteral("a version ('1.0.0')");
    } else if (AcceptKeyword("DESCRIPTION")) {
      ClauseOnce(description, clause);
      statement.description = ParseStringLiteral("a description");
    } else if (AcceptKeyword("AUTHOR")) {
      ClauseOnce(author, clause);
      statement.author = ParseStringLiteral("an author");
    } else if (AcceptKeyword("LICENSE")) {
      ClauseOnce(license, clause);
      statement.license = ParseStringLiteral("a license");
    } else {
      break;
    }
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParsePublish(const Token& first) {
  Next();  // PUBLISH
  ExpectKeyword("CONNECTOR");
  ExpectKeyword("TYPE");
  ast::PublishStmt statement;
  statement.type = ParseStringName("a connector type name");
  if (AcceptKeyword("VERSION")) statement.version = ParseStringLiteral("a version");
  ExpectKeyword("TO");
  statement.target = ParseStringLiteral("a registry (directory or URL)");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseInstall(const Token& first) {
  Next();  // INSTALL
  ExpectKeyword("CONNECTOR");
  ExpectKeyword("TYPE");
  ast::InstallStmt statement;
  statement.type = ParseStringName("a connector type name");
  if (AcceptKeyword("VERSION")) statement.version = ParseStringLiteral("a version range ('^1.0')");
  ExpectKeyword("FROM");
  ExpectKeyword("REGISTRY");
  statement.registry = ParseStringLiteral("a registry (directory or URL)");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

}  // namespace sluice::parser_detail
