// Statements that operate on connectors and packages: TEST, SYNC, PACKAGE,
// PUBLISH, INSTALL, UPGRADE, ROLLBACK, YANK, CREATE REGISTRY.
#include "lang/parser_internal.h"

#include "sync/work_units.h"

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
       schedule = false, force = false, distributed = false, shard = false;
  const Token* distributed_at = nullptr;
  const Token* shard_at = nullptr;
  const Token* schedule_at = nullptr;
  const Token* where_at = nullptr;
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
      where_at = &clause;
      statement.where = CaptureSql(
          {"ENTITIES", "TO", "FULL", "INCREMENTAL", "WRITE_MODE", "SCHEDULE", "FORCE", "DISTRIBUTED", "SHARD"}, false);
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
      schedule_at = &clause;
      statement.schedule = ParseStringLiteral("a cron schedule ('*/15 * * * *')");
    } else if (AcceptKeyword("FORCE")) {
      ClauseOnce(force, clause);
      statement.force = true;
    } else if (AcceptKeyword("DISTRIBUTED")) {
      ClauseOnce(distributed, clause);
      distributed_at = &clause;
      statement.distributed = true;
    } else if (AcceptKeyword("SHARD")) {
      ClauseOnce(shard, clause);
      shard_at = &clause;
      statement.shard = ParseShardClause(clause);
    } else {
      break;
    }
  }
  // Both split one run among processes: SHARD by a fixed hash of units
  // among processes started by hand, DISTRIBUTED by workers leasing units.
  if (distributed_at && shard_at) {
    Fail(*(shard_at->offset > distributed_at->offset ? shard_at : distributed_at),
         "give either DISTRIBUTED or SHARD i/N, not both");
  }
  if (schedule_at && (distributed_at || shard_at)) {
    Fail(*(distributed_at ? distributed_at : shard_at),
         std::string(distributed_at ? "DISTRIBUTED" : "SHARD") +
             " cannot be scheduled: a scheduled run is one process (leave SCHEDULE out, and start the run "
             "from cron or a scheduler of your own)");
  }
  if (where_at && (distributed_at || shard_at)) {
    Fail(*where_at, std::string(distributed_at ? "a distributed run" : "a sharded run") +
                        " syncs whole entities (or their partitions): leave WHERE out");
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

// SHARD i/N: i, '/' and N as three tokens, checked by ParseShard; every
// error points at SHARD.
std::string Parser::ParseShardClause(const Token& clause) {
  const Token& index = Peek();
  std::string text;
  if (index.kind == TokenKind::kInteger && Peek(1).kind == TokenKind::kSymbol && Peek(1).text == "/" &&
      Peek(2).kind == TokenKind::kInteger) {
    text = index.text + "/" + Peek(2).text;
    Next();
    Next();
    Next();
  } else {
    // Whatever is there, up to the next clause, for the message.
    for (size_t ahead = 0; ahead < 3; ++ahead) {
      const Token& token = Peek(ahead);
      if (token.kind == TokenKind::kEnd || (token.kind == TokenKind::kSymbol && token.text == ";")) break;
      if (ahead > 0 && token.kind == TokenKind::kIdentifier) break;
      text += token.text;
    }
  }
  Result<ShardSpec> spec = ParseShard(text);
  if (!spec.ok()) Fail(clause, "SHARD: " + spec.status().message());
  return text;
}

// A registry, a signing key or a publishing target may be written as a
// declared name (bare or quoted) or as a quoted path/URL; which one it is
// is decided when the statement runs (registry.h LooksLikeRegistryUrl).
std::string Parser::ParseNameOrString(std::string_view what) {
  const Token& token = Peek();
  if (IsStringToken(token)) {
    Next();
    if (token.text.empty()) Fail(token, std::string(what) + " must not be empty");
    return token.text;
  }
  if (token.kind != TokenKind::kIdentifier) FailExpected(what);
  Next();
  return token.text;
}

ast::Name Parser::ParsePackageVerbAndType() {
  Next();  // PACKAGE, PUBLISH, INSTALL, UPGRADE, ROLLBACK or YANK
  ExpectKeyword("CONNECTOR");
  ExpectKeyword("TYPE");
  return ParseStringName("a connector type name");
}

ast::Statement Parser::ParsePackage(const Token& first) {
  ast::PackageStmt statement;
  statement.type = ParsePackageVerbAndType();
  bool version = false, description = false, author = false, license = false, to = false;
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
      statement.license = ParseStringLiteral("an SPDX license expression ('MIT')");
    } else if (AcceptKeyword("TO")) {
      ClauseOnce(to, clause);
      statement.to_dir = ParseStringLiteral("an output directory ('packages')");
    } else {
      break;
    }
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParsePublish(const Token& first) {
  ast::PublishStmt statement;
  statement.type = ParsePackageVerbAndType();
  bool version = false, to = false, signed_by = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("VERSION")) {
      ClauseOnce(version, clause);
      statement.version = ParseStringLiteral("a version ('1.0.0')");
    } else if (AcceptKeyword("TO")) {
      ClauseOnce(to, clause);
      statement.target = ParseNameOrString("a registry name, directory or URL");
    } else if (AcceptKeyword("SIGNED")) {
      ClauseOnce(signed_by, clause);
      ExpectKeyword("BY");
      statement.signed_by = ParseNameOrString("the name of a secret holding a signing key");
    } else {
      break;
    }
  }
  if (!to) FailExpected("TO 'registry' (a registry name, directory or URL)");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseInstall(const Token& first) {
  ast::InstallStmt statement;
  statement.type = ParsePackageVerbAndType();
  bool version = false, from = false, allow = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("VERSION")) {
      ClauseOnce(version, clause);
      statement.version = ParseStringLiteral("a version range ('^1.0')");
    } else if (AcceptKeyword("FROM")) {
      ClauseOnce(from, clause);
      ExpectKeyword("REGISTRY");
      statement.registry = ParseNameOrString("a registry name, directory or URL");
    } else if (AcceptKeyword("ALLOW")) {
      ClauseOnce(allow, clause);
      ExpectKeyword("UNSIGNED");
      statement.allow_unsigned = true;
    } else {
      break;
    }
  }
  if (!from) FailExpected("FROM REGISTRY 'registry' (a registry name, directory or URL)");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseUpgrade(const Token& first) {
  ast::UpgradeStmt statement;
  statement.type = ParsePackageVerbAndType();
  bool version = false, force = false, allow = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("VERSION")) {
      ClauseOnce(version, clause);
      statement.version = ParseStringLiteral("a version range ('^2')");
    } else if (AcceptKeyword("FORCE")) {
      ClauseOnce(force, clause);
      statement.force = true;
    } else if (AcceptKeyword("ALLOW")) {
      ClauseOnce(allow, clause);
      ExpectKeyword("UNSIGNED");
      statement.allow_unsigned = true;
    } else {
      break;
    }
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseRollback(const Token& first) {
  ast::RollbackStmt statement{ParsePackageVerbAndType()};
  if (AcceptKeyword("ALLOW")) {
    ExpectKeyword("UNSIGNED");
    statement.allow_unsigned = true;
  }
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseYank(const Token& first) {
  ast::YankStmt statement;
  statement.type = ParsePackageVerbAndType();
  bool version = false, from = false, reason = false, undo = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("VERSION")) {
      ClauseOnce(version, clause);
      statement.version = ParseStringLiteral("an exact version ('1.0.1')");
    } else if (AcceptKeyword("FROM")) {
      ClauseOnce(from, clause);
      ExpectKeyword("REGISTRY");
      statement.registry = ParseNameOrString("a registry name, directory or URL");
    } else if (AcceptKeyword("REASON")) {
      ClauseOnce(reason, clause);
      statement.reason = ParseStringLiteral("a reason");
    } else if (AcceptKeyword("UNDO")) {
      ClauseOnce(undo, clause);
      statement.undo = true;
    } else {
      break;
    }
  }
  // Yanking is about one exact version; no default could be the right one.
  if (!version) FailExpected("VERSION '1.0.1' (the exact version to yank)");
  if (!from) FailExpected("FROM REGISTRY 'registry'");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

ast::Statement Parser::ParseCreateRegistry(const Token& first, bool or_replace) {
  ast::CreateRegistryStmt statement;
  statement.or_replace = or_replace;
  const Token& name = Peek();
  if (IsStringToken(name)) {
    statement.name = ParseStringName("a registry name");
  } else {
    statement.name = ParseIdentifierName("a registry name");
  }
  bool url = false, keys = false;
  while (true) {
    const Token& clause = Peek();
    if (AcceptKeyword("URL")) {
      ClauseOnce(url, clause);
      const Token& value = Peek();
      statement.url = ParseStringLiteral("a registry URL or directory ('https://…', 'oci://…', '/path')");
      if (statement.url.empty()) Fail(value, "the registry URL must not be empty");
    } else if (AcceptKeyword("TRUSTED_KEYS")) {
      ClauseOnce(keys, clause);
      // ('RW…', …) as elsewhere in the language's lists, or a JSON-style
      // ['RW…', …]; an empty list trusts no key (only ALLOW UNSIGNED installs).
      std::string close;
      if (AcceptSymbol("(")) {
        close = ")";
      } else if (AcceptSymbol("[")) {
        close = "]";
      } else {
        FailExpected("'(' starting a list of public keys ('RW…', …)");
      }
      if (!AcceptSymbol(close)) {
        do {
          const Token& key = Peek();
          statement.trusted_keys.push_back(ParseStringLiteral("a public key in quotes ('RW…')"));
          if (statement.trusted_keys.back().empty()) Fail(key, "a trusted key must not be empty");
        } while (AcceptSymbol(","));
        ExpectSymbol(close);
      }
    } else {
      break;
    }
  }
  if (!url) FailExpected("URL 'path-or-url' (every registry has a location)");
  ExpectStatementEnd();
  return Make(first, std::move(statement));
}

}  // namespace sluice::parser_detail
