// SourceRegistry without SQLite or JavaScript: definitions from a map, a
// source kind that counts what it is asked.
#include "source/source_registry.h"
#include "source/vector_rows.h"

#include <gtest/gtest.h>

#include <map>

namespace sluice {
namespace {

using Rows = VectorRows;

struct Log {
  int created = 0;
  std::vector<std::pair<std::string, ScanRequest>> scans;
};

// items: two rows; notes (a child of items): one row per parent.
class CountingSource : public Source {
 public:
  CountingSource(ConnectorSpec spec, Log& log) : spec_(std::move(spec)), log_(log) {
    limits_.cache_ttl = std::chrono::seconds(60);
  }
  const ConnectorSpec& spec() const override { return spec_; }
  const ConnectorLimits& limits() const override { return limits_; }
  Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity,
                                          const ScanRequest& request) override {
    log_.scans.push_back({entity.name, request});
    if (entity.name == "items") {
      return std::unique_ptr<RowSource>(
          std::make_unique<Rows>(std::vector<Value>{{{"id", 1}}, {{"id", 2}}}));
    }
    return std::unique_ptr<RowSource>(std::make_unique<Rows>(
        std::vector<Value>{{{"note", "of " + std::to_string(request.parent["id"].get<int>())}}}));
  }
  Result<Value> Execute(const ActionDef&, const Value&) override { return Value("done"); }

 private:
  ConnectorSpec spec_;
  ConnectorLimits limits_;
  Log& log_;
};

// A kind with a connection test of its own (as a CloudQuery plugin has).
class SelfTestingSource : public CountingSource, public ConnectionTest {
 public:
  SelfTestingSource(ConnectorSpec spec, Log& log, Status verdict)
      : CountingSource(std::move(spec), log), verdict_(std::move(verdict)) {}
  ConnectionTest* connection_test() override { return this; }
  Status TestConnection() override { return verdict_; }

 private:
  Status verdict_;
};

class MapDefinitions : public SourceDefinitions {
 public:
  ConnectorSpec spec;
  Result<ConnectorSpec> Spec(const std::string& connector) override {
    if (connector != spec.connector.name)
      return Status(ErrorKind::kNotFound, "no connector '" + connector + "'");
    return spec;
  }
  Result<ConnectorTypeDef> TypeOf(const std::string&) override { return spec.type; }
  Result<std::vector<EntityDef>> DeclaredEntities(const std::string&, bool) override {
    return spec.entities;
  }
  Result<EntityDef> DeclaredEntity(const std::string&, const std::string& entity) override {
    for (const EntityDef& candidate : spec.entities) {
      if (candidate.name == entity) return candidate;
    }
    return Status(ErrorKind::kNotFound, "no entity '" + entity + "'");
  }
  Result<std::vector<std::string>> ConnectorNames() override {
    return std::vector<std::string>{spec.connector.name};
  }
  void Log(const std::string&) override {}
};

class SourceRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    definitions_.spec.connector.name = "c";
    definitions_.spec.type.name = "t";
    definitions_.spec.type.kind = "counting";
    EntityDef items;
    items.name = "items";
    items.fields = {{"id", {{"type", "integer"}, {"primary_key", true}}}};
    EntityDef notes;
    notes.name = "notes";
    notes.parent = "items";
    notes.fields = {{"note", {{"type", "string"}}}};
    definitions_.spec.entities = {items, notes};
    definitions_.spec.fingerprint = "1";
    Log& log = log_;
    registry_.RegisterKind(
        {"counting", false,
         [&log](ConnectorSpec spec, const SourceEnv&) -> Result<std::unique_ptr<Source>> {
           ++log.created;
           return std::unique_ptr<Source>(std::make_unique<CountingSource>(std::move(spec), log));
         },
         nullptr});
  }

  // Every row of a scan, as "row" or "row<parent" for a child.
  std::string Drain(Result<std::unique_ptr<RowSource>> rows) {
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return "";
    std::string out;
    while (true) {
      Result<std::optional<Value>> row = (*rows)->Next();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) return out;
      Value parent = (*rows)->Parent();
      out += (**row).dump() + (parent.is_null() ? "" : "<" + parent.dump()) + " ";
    }
  }

  MapDefinitions definitions_;
  Log log_;
  SourceRegistry registry_{definitions_};
};

TEST_F(SourceRegistryTest, KeepsTheSourceWhileTheFingerprintHolds) {
  ASSERT_TRUE(registry_.Get("c").ok());
  registry_.BeginStatement();
  ASSERT_TRUE(registry_.Get("c").ok());
  EXPECT_EQ(log_.created, 1);
  definitions_.spec.fingerprint = "2";
  ASSERT_TRUE(registry_.Get("c").ok());
  EXPECT_EQ(log_.created, 1) << "definitions are read once per statement";
  registry_.BeginStatement();
  ASSERT_TRUE(registry_.Get("c").ok());
  EXPECT_EQ(log_.created, 2);
}

TEST_F(SourceRegistryTest, AnUnknownKindIsAnError) {
  definitions_.spec.type.kind = "grpc";
  Result<Source*> source = registry_.Get("c");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().message(),
            "connector type 't' is of kind 'grpc', which this build cannot run");
  EXPECT_FALSE(registry_.ListsOwnEntities(definitions_.spec.type));
  auto of_kind = [](const char* kind) {
    ConnectorTypeDef type;
    type.kind = kind;
    return type;
  };
  EXPECT_TRUE(registry_.ListsOwnEntities(of_kind("integration")));
  EXPECT_TRUE(registry_.ChecksOwnConfig(of_kind("integration")));
  EXPECT_FALSE(registry_.ChecksOwnConfig(of_kind("declared")));
  EXPECT_FALSE(registry_.ListsOwnEntities(of_kind("declared")));
}

TEST_F(SourceRegistryTest, TheQueryCacheAnswersAWholeScanAgain) {
  EXPECT_EQ(Drain(registry_.Scan("c", "items", ScanRequest())), R"({"id":1} {"id":2} )");
  EXPECT_EQ(Drain(registry_.Scan("c", "items", ScanRequest())), R"({"id":1} {"id":2} )");
  EXPECT_EQ(log_.scans.size(), 1u);
  ASSERT_EQ(registry_.Stats("c").size(), 1u);
  EXPECT_EQ(registry_.Stats("c")[0].cache_hits, 1u);
  // A cached answer still honours the limit.
  ScanRequest one;
  one.limit = 1;
  EXPECT_EQ(Drain(registry_.Scan("c", "items", one)), R"({"id":1} )");
  // A sync's scan never comes from the cache.
  ScanRequest sync;
  sync.use_cache = false;
  Drain(registry_.Scan("c", "items", sync));
  EXPECT_EQ(log_.scans.size(), 2u);
  registry_.ClearCache();
  Drain(registry_.Scan("c", "items", ScanRequest()));
  EXPECT_EQ(log_.scans.size(), 3u);
}

TEST_F(SourceRegistryTest, ALimitedScanIsNotCached) {
  ScanRequest one;
  one.limit = 1;
  Drain(registry_.Scan("c", "items", one));
  Drain(registry_.Scan("c", "items", ScanRequest()));
  EXPECT_EQ(log_.scans.size(), 2u);
}

TEST_F(SourceRegistryTest, AChildIsScannedOncePerParentRowWithoutTheLimit) {
  ScanRequest request;
  request.limit = 5;
  request.cursor = ScanRequest::Cursor{"note", "a"};
  EXPECT_EQ(Drain(registry_.Scan("c", "notes", request)),
            R"({"note":"of 1"}<{"id":1} {"note":"of 2"}<{"id":2} )");
  ASSERT_EQ(log_.scans.size(), 3u);
  EXPECT_EQ(log_.scans[0].first, "items");
  EXPECT_FALSE(log_.scans[0].second.cursor.has_value()) << "the parents are read whole";
  EXPECT_EQ(log_.scans[1].first, "notes");
  EXPECT_EQ(log_.scans[1].second.parent.dump(), R"({"id":1})");
  EXPECT_FALSE(log_.scans[1].second.limit.has_value()) << "LIMIT counts the whole child scan";
  EXPECT_TRUE(log_.scans[1].second.cursor.has_value());
}

TEST_F(SourceRegistryTest, TheSameParentInOneStatementIsOneCall) {
  ScanRequest request;
  request.parent = {{"id", 7}};
  EXPECT_EQ(Drain(registry_.Scan("c", "notes", request)), R"({"note":"of 7"}<{"id":7} )");
  EXPECT_EQ(Drain(registry_.Scan("c", "notes", request)), R"({"note":"of 7"}<{"id":7} )");
  EXPECT_EQ(log_.scans.size(), 1u);
  registry_.BeginStatement();
  Drain(registry_.Scan("c", "notes", request));
  EXPECT_EQ(log_.scans.size(), 2u);
}

TEST_F(SourceRegistryTest, SchemaOfADeclaredEntity) {
  Result<EntitySchema> schema = registry_.Schema("c", "notes");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_TRUE(schema->has_parent);
  ASSERT_EQ(schema->fields.size(), 1u);
  EXPECT_EQ(schema->fields[0].name, "note");
  Result<EntitySchema> missing = registry_.Schema("c", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "no entity 'nope'");
}

TEST_F(SourceRegistryTest, ExecuteNamesTheKnownActions) {
  Result<Value> result = registry_.Execute("c", "close", Value::object());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "connector 'c' (type 't') has no action 'close' (actions: none)");
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST_F(SourceRegistryTest, TestConnectionProbesOneRowOfTheFirstTopLevelEntity) {
  Result<std::vector<ConnectionCheck>> checks = registry_.TestConnection("c");
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_EQ((*checks)[1].result, "ok");
  EXPECT_NE((*checks)[1].detail.find("query of entity 'items' answered in "), std::string::npos);
  ASSERT_EQ(log_.scans.size(), 1u);
  EXPECT_EQ(log_.scans[0].first, "items");
  EXPECT_EQ(log_.scans[0].second.limit, std::optional<int64_t>(1));
}

TEST_F(SourceRegistryTest, ASourceWithItsOwnConnectionTestIsAskedInsteadOfScanned) {
  for (Status verdict : {Status::Ok(), Status(ErrorKind::kAuth, "token revoked")}) {
    Log log;
    MapDefinitions definitions = definitions_;
    definitions.spec.type.kind = "self-testing";
    SourceRegistry registry(definitions);
    registry.RegisterKind({"self-testing", false,
                           [&log, verdict](ConnectorSpec spec, const SourceEnv&) -> Result<std::unique_ptr<Source>> {
                             return std::unique_ptr<Source>(
                                 std::make_unique<SelfTestingSource>(std::move(spec), log, verdict));
                           },
                           nullptr});
    Result<std::vector<ConnectionCheck>> checks = registry.TestConnection("c");
    EXPECT_TRUE(log.scans.empty()) << "no scan when the source tests itself";
    if (verdict.ok()) {
      ASSERT_TRUE(checks.ok()) << checks.status().ToString();
      ASSERT_EQ(checks->size(), 2u);
      EXPECT_NE((*checks)[1].detail.find("the source's own connection test passed in "), std::string::npos);
    } else {
      ASSERT_FALSE(checks.ok());
      EXPECT_EQ(checks.status().kind(), ErrorKind::kAuth);
      EXPECT_EQ(checks.status().message(), "connection check failed (auth rejected): token revoked");
    }
  }
}

}  // namespace
}  // namespace sluice
