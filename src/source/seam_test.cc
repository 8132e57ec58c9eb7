// The Source seam, proved from outside: a kind of source that exists only
// in this test ("literal": rows from a table given in its CONFIG) is
// registered with the SourceRegistry, and SELECT (with pushdown and LIMIT),
// a JOIN, SYNC and EXPLAIN work over it through the Interpreter, with
// nothing in lang/, query/ or sync/ written for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "catalog/sync_runs.h"
#include "catalog/workspace.h"
#include "core/source_text.h"
#include "core/sqlite.h"
#include "dest/sqlite_destination.h"
#include "lang/interpreter.h"
#include "lang/parser.h"
#include "lang/sync_adapter.h"
#include "source/source.h"
#include "source/source_registry.h"
#include "source/vector_rows.h"
#include "sync/sync_driver.h"

namespace sluice {
namespace {

// What the literal source was asked, scan by scan.
struct Asked {
  std::string entity;
  ScanRequest request;
};

// CONFIG {"tables": {"name": {"fields": {…}, "rows": [{…}, …]}, …}}: its
// entities are those tables. Like a handler, it applies `filters` (the
// fields it declared filterable) and `limit`; SQLite re-checks every row.
class LiteralSource : public Source {
 public:
  LiteralSource(ConnectorSpec spec, std::vector<Asked>& asked)
      : spec_(std::move(spec)), asked_(asked) {
    for (const auto& [name, table] : spec_.resolved_config["tables"].items()) {
      EntityDef entity;
      entity.type = spec_.type.name;
      entity.name = name;
      entity.fields = table["fields"];
      entity.parent = table.value("parent", "");
      spec_.entities.push_back(std::move(entity));
    }
  }
  const ConnectorSpec& spec() const override { return spec_; }
  const ConnectorLimits& limits() const override { return limits_; }
  Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity,
                                          const ScanRequest& request) override {
    asked_.push_back({entity.name, request});
    std::vector<Value> rows;
    for (const Value& row : spec_.resolved_config["tables"][entity.name]["rows"]) {
      if (request.limit && static_cast<int64_t>(rows.size()) >= *request.limit) break;
      bool matches = true;
      for (const auto& [field, wanted] : request.filters.items()) {
        const Value& have = row.contains(field) ? row[field] : Value();
        bool in_list =
            wanted.is_array() && std::find(wanted.begin(), wanted.end(), have) != wanted.end();
        matches = matches && (have == wanted || in_list);
      }
      if (matches) rows.push_back(row);
    }
    return std::unique_ptr<RowSource>(std::make_unique<Rows>(std::move(rows)));
  }
  Result<Value> Execute(const ActionDef& action, const Value&) override {
    return Status(ErrorKind::kNotFound, "a literal source has no action '" + action.name + "'");
  }

 private:
  using Rows = VectorRows;

  ConnectorSpec spec_;
  ConnectorLimits limits_;
  std::vector<Asked>& asked_;
};

class Collect : public OutputSink {
 public:
  void Emit(const ResultSet& result) override { results.push_back(result); }
  void Print(const std::string& line) override { lines.push_back(line); }
  void Log(const std::string& line) override { lines.push_back(line); }
  std::vector<ResultSet> results;
  std::vector<std::string> lines;
};

const char* kConfig = R"({"tables": {
  "people": {"fields": {"id": {"type": "integer", "primary_key": true},
                        "name": {"type": "string"},
                        "city": {"type": "string", "filterable": true}},
             "rows": [{"id": 1, "name": "Ann", "city": "Oslo"},
                      {"id": 2, "name": "Bo", "city": "Lima"},
                      {"id": 3, "name": "Cy", "city": "Oslo"},
                      {"id": 4, "name": "Di", "city": "Oslo"}]},
  "cities": {"fields": {"city": {"type": "string", "primary_key": true}, "country": {"type": "string"}},
             "rows": [{"city": "Oslo", "country": "Norway"}, {"city": "Lima", "country": "Peru"}]}}})";

class SeamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Workspace>> opened = Workspace::Open(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    workspace_ = std::move(opened).value();
    interpreter_ = std::make_unique<Interpreter>(*workspace_, output_);
    // The kind: one registration, from here.
    std::vector<Asked>& asked = asked_;
    interpreter_->connectors().sources().RegisterKind(
        {"literal", true,
         [&asked](ConnectorSpec spec, const SourceEnv&) -> Result<std::unique_ptr<Source>> {
           return std::unique_ptr<Source>(std::make_unique<LiteralSource>(std::move(spec), asked));
         },
         nullptr});
    ConnectorTypeDef type;
    type.name = "lit";
    type.kind = "literal";
    ASSERT_TRUE(workspace_->catalog().PutConnectorType(type, false).ok());
    ConnectorDef connector;
    connector.name = "src";
    connector.type = "lit";
    connector.config = Value::parse(kConfig);
    ASSERT_TRUE(workspace_->catalog().PutConnector(connector, false).ok());
  }

  // Runs `text`; the results it emitted.
  std::vector<ResultSet> Run(const std::string& text) {
    output_.results.clear();
    ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"seam_test.sql", text}));
    EXPECT_TRUE(parsed.ok()) << (parsed.errors.empty() ? "" : parsed.errors.front().ToString());
    Status ran = interpreter_->ExecuteAll(parsed.program);
    EXPECT_TRUE(ran.ok()) << ran.ToString();
    return output_.results;
  }

  static std::string Rows(const ResultSet& result) {
    std::string out;
    for (const auto& row : result.rows) {
      std::string line;
      for (const Value& cell : row)
        line +=
            (line.empty() ? "" : "|") + (cell.is_string() ? cell.get<std::string>() : cell.dump());
      out += line + "\n";
    }
    return out;
  }

  Collect output_;
  std::unique_ptr<Workspace> workspace_;
  std::unique_ptr<Interpreter> interpreter_;
  std::vector<Asked> asked_;
};

TEST_F(SeamTest, SelectPushesTheFilterAndLimitToTheSource) {
  std::vector<ResultSet> results = Run("SELECT name FROM src.people WHERE city = 'Oslo' LIMIT 2;");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(Rows(results[0]), "Ann\nCy\n");
  ASSERT_EQ(asked_.size(), 1u);
  const ScanRequest& request = asked_[0].request;
  EXPECT_EQ(asked_[0].entity, "people");
  EXPECT_EQ(request.filters.dump(), R"({"city":"Oslo"})");
  ASSERT_TRUE(request.conditions.has_value());
  EXPECT_EQ(request.conditions->dump(), R"([{"field":"city","op":"=","value":"Oslo"}])");
  ASSERT_TRUE(request.limit.has_value());
  EXPECT_EQ(*request.limit, 2);
  ASSERT_TRUE(request.fields.has_value());
  EXPECT_EQ(*request.fields, (std::vector<std::string>{"name", "city"}));
  // The key makes the rowid: read even when not named.
  ASSERT_TRUE(request.only_fields.has_value());
  EXPECT_EQ(*request.only_fields, (std::vector<std::string>{"name", "city", "id"}));
  EXPECT_TRUE(request.order_by.empty());
  EXPECT_FALSE(request.cursor.has_value());
  EXPECT_TRUE(request.use_cache);
  EXPECT_EQ(
      HandlerOptions(request).dump(),
      R"({"fields":["name","city"],"conditions":[{"field":"city","op":"=","value":"Oslo"}],"limit":2})");
}

TEST_F(SeamTest, AnUnpushableFilterKeepsTheLimitFromTheSource) {
  std::vector<ResultSet> results = Run("SELECT name FROM src.people WHERE name > 'B' LIMIT 1;");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(Rows(results[0]), "Bo\n");
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_FALSE(asked_[0].request.limit.has_value());
  EXPECT_EQ(asked_[0].request.filters.dump(), "{}");
}

TEST_F(SeamTest, JoinsTwoEntitiesOfTheSource) {
  std::vector<ResultSet> results =
      Run("SELECT p.name, c.country FROM src.people p JOIN src.cities c ON c.city = p.city ORDER "
          "BY p.id;");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(Rows(results[0]), "Ann|Norway\nBo|Peru\nCy|Norway\nDi|Norway\n");
}

TEST_F(SeamTest, SyncsIntoASqliteFile) {
  std::string path = std::filesystem::temp_directory_path() /
                     ("sluice_seam_test_" + std::to_string(::getpid()) + ".db");
  std::remove(path.c_str());
  Run("SYNC CONNECTOR src ENTITIES (people) TO '" + path + "' FULL;");
  for (const Asked& scan : asked_) {
    EXPECT_EQ(scan.entity, "people");
    EXPECT_FALSE(scan.request.use_cache) << "a sync's scans never come from the query cache";
    EXPECT_FALSE(scan.request.limit.has_value());
  }
  EXPECT_EQ(asked_.size(), 1u);
  Result<Database> synced = Database::Open(path);
  ASSERT_TRUE(synced.ok()) << synced.status().ToString();
  Result<Stmt> stmt = synced->Prepare("SELECT id, name, city FROM src_people ORDER BY id");
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
  std::string rows;
  while (stmt->Step().value()) {
    rows += stmt->ColumnText(0) + "|" + stmt->ColumnText(1) + "|" + stmt->ColumnText(2) + "\n";
  }
  EXPECT_EQ(rows, "1|Ann|Oslo\n2|Bo|Lima\n3|Cy|Oslo\n4|Di|Oslo\n");
  std::remove(path.c_str());
}

// SYNC … WHERE reads through SQL: the filter is pushed as in a SELECT, and
// the sync's own request (no query cache) still reaches the source.
TEST_F(SeamTest, SyncWithWhereReadsThroughSqlWithTheSyncsRequest) {
  std::string path = std::filesystem::temp_directory_path() /
                     ("sluice_seam_where_test_" + std::to_string(::getpid()) + ".db");
  std::remove(path.c_str());
  Run("SYNC CONNECTOR src ENTITIES (people) TO '" + path + "' WHERE city = 'Lima' FULL;");
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(asked_[0].request.filters.dump(), R"({"city":"Lima"})");
  EXPECT_FALSE(asked_[0].request.use_cache);
  Result<Database> synced = Database::Open(path);
  ASSERT_TRUE(synced.ok());
  Result<Stmt> stmt = synced->Prepare("SELECT group_concat(name) FROM src_people");
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
  ASSERT_TRUE(stmt->Step().value());
  EXPECT_EQ(stmt->ColumnText(0), "Bo");
  std::remove(path.c_str());
}

TEST_F(SeamTest, ExplainSaysWhatTheSourceIsAsked) {
  std::vector<ResultSet> results =
      Run("EXPLAIN SELECT name FROM src.people WHERE city = 'Oslo' LIMIT 2;");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].columns, (std::vector<std::string>{"step", "handler is asked"}));
  EXPECT_EQ(Rows(results[0]),
            "SCAN people|filters: city; conditions: city =; limit: passed; fields: name, city\n");
  EXPECT_TRUE(asked_.empty()) << "EXPLAIN runs nothing";
}

// A unit of a distributed run syncs one partition: every scan its sync
// makes carries it — through the SQL table a WHERE reads, and the parent
// scan a child makes when it does not read its parent's (the partition's
// parents only).
TEST_F(SeamTest, AUnitsPartitionReachesEveryScanOfItsSync) {
  ConnectorDef family;
  family.name = "fam";
  family.type = "lit";
  family.config = Value::parse(R"({"tables": {
    "owners": {"fields": {"id": {"type": "integer", "primary_key": true}, "name": {"type": "string"}},
               "rows": [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}]},
    "pets": {"parent": "owners", "fields": {"id": {"type": "integer", "primary_key": true}, "kind": {"type": "string"}},
             "rows": [{"id": 10, "kind": "cat"}]}}})");
  ASSERT_TRUE(workspace_->catalog().PutConnector(family, false).ok());
  std::string path = std::filesystem::temp_directory_path() /
                     ("sluice_seam_partition_test_" + std::to_string(::getpid()) + ".db");
  std::remove(path.c_str());
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{
      "seam_test.sql",
      "SYNC CONNECTOR fam ENTITIES (owners, pets) TO '" + path + "' WHERE id > 0 FULL;"}));
  ASSERT_TRUE(parsed.ok());
  const auto& sync = std::get<ast::SyncStmt>(parsed.program.statements.at(0).node);
  Result<Source*> source = interpreter_->connectors().Get("fam");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  Result<std::vector<EntityDef>> entities = interpreter_->connectors().Entities("fam");
  ASSERT_TRUE(entities.ok());
  std::sort(entities->begin(), entities->end(), [](const EntityDef& a, const EntityDef& b) {
    return a.parent.size() < b.parent.size();
  });

  SyncRequest request;
  request.connector = family;
  for (const EntityDef& entity : *entities) request.chosen.push_back(&entity);
  request.choices.mode = SyncModeChoice::kFull;
  request.choices.has_where = true;
  request.own_connections = false;
  request.partition = Partition{"east", Value{{"region", "east"}}};
  SyncAdapter adapter(*interpreter_, sync, "fam", **source);
  SyncRuns runs(workspace_->db());
  SyncDriver driver(adapter, runs, nullptr);
  std::unique_ptr<SqliteDestination> destination = SqliteDestination::OpenFile(path).value();
  std::vector<SyncOutcome> outcomes;
  Status ran = driver.Run(request, *destination, outcomes);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  ASSERT_EQ(outcomes.size(), 2u);
  // Its pet once per owner: the literal source ignores the parent.
  EXPECT_EQ(outcomes[1].rows_written, 2) << outcomes[1].status;
  // owners through SQL; pets' own scan of owners; pets per owner.
  std::vector<std::string> scans;
  for (const Asked& scan : asked_) {
    scans.push_back(scan.entity + (scan.request.parent.is_null() ? "" : " of an owner"));
    ASSERT_TRUE(scan.request.partition.has_value()) << scans.back();
    EXPECT_EQ(*scan.request.partition, (Value{{"region", "east"}})) << scans.back();
    EXPECT_FALSE(scan.request.use_cache) << scans.back();
  }
  EXPECT_EQ(scans,
            (std::vector<std::string>{"owners", "owners", "pets of an owner", "pets of an owner"}));
  destination.reset();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace sluice
