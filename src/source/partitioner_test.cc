// Sources list their partitions (source.h Partitioner): a declared entity
// through its handler's optional partitions(config, {entity}), a table
// integration through its multiplexer's clients — and a scan given a
// partition reads only that part (options.partition; for an integration,
// one client's rows and the rows of their relations).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "js/js_runtime.h"
#include "net/mock_transport.h"
#include "source/declared_source.h"
#include "source/integration_source.h"
#include "sync/work_units.h"

namespace sluice {
namespace {

using Listed = Result<std::optional<std::vector<Partition>>>;

class PartitionerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<js::JsRuntime>> runtime = js::JsRuntime::Create();
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    runtime_ = std::move(runtime).value();
  }
  void TearDown() override {
    sources_.clear();
    runtime_.reset();
  }

  // A declared connector "svc" whose entity "items" has `code` as its
  // handler, and a child "lines" of it with the same code.
  Source& Declared(const std::string& code, Value config = Value::object(),
                   double timeout_seconds = 5) {
    ConnectorSpec spec;
    spec.connector.name = "svc";
    spec.connector.type = "svc_type";
    spec.connector.options = Value{{"timeout_seconds", timeout_seconds}};
    spec.type.name = "svc_type";
    spec.resolved_config = std::move(config);
    for (const char* name : {"items", "lines"}) {
      EntityDef entity;
      entity.type = "svc_type";
      entity.name = name;
      entity.parent = std::string(name) == "lines" ? "items" : "";
      entity.fields = Value{{"id", {{"type", "string"}, {"primary_key", true}}}};
      entity.handler.code = code;
      entity.handler.origin = std::string(name) + ".js:1:1";
      spec.entities.push_back(std::move(entity));
    }
    Result<std::unique_ptr<DeclaredSource>> source =
        DeclaredSource::Create(*runtime_, std::move(spec), Console(), NoRequests());
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    sources_.push_back(std::move(source).value());
    return *sources_.back();
  }

  // A forge connector (examples/integrations/forge) over a mock API with
  // accounts a (repo 1, issues 11 and 12) and b (repos 2 and 3, issue 21).
  Source* Forge(const Value& accounts) {
    Result<std::shared_ptr<MockApi>> api = MockApi::FromSpec(Value::parse(R"({
      "GET /forge/accounts/a/repos": {"body": {"repos": [{"id": 1, "full_name": "a/one", "name": "one", "account": "a"}]}},
      "GET /forge/accounts/b/repos": {"body": {"repos": [{"id": 2, "full_name": "b/two", "name": "two", "account": "b"},
                                                         {"id": 3, "full_name": "b/three", "name": "three", "account": "b"}]}},
      "GET /forge/repos/1/issues": {"body": {"issues": [{"id": 11, "number": 1, "title": "a1", "state": "open"},
                                                        {"id": 12, "number": 2, "title": "a2", "state": "open"}]}},
      "GET /forge/repos/2/issues": {"body": {"issues": [{"id": 21, "number": 1, "title": "b1", "state": "closed"}]}},
      "GET /forge/repos/3/issues": {"body": {"issues": []}}
    })"));
    EXPECT_TRUE(api.ok()) << api.status().ToString();
    api_ = *api;
    ConnectorSpec spec;
    spec.connector.name = "f";
    spec.connector.type = "forge";
    spec.connector.options = Value{{"timeout_seconds", 30}};
    spec.type.name = "forge";
    spec.type.kind = "integration";
    spec.type.integration = std::string(SLUICE_SOURCE_DIR) + "/examples/integrations/forge";
    spec.resolved_config = Value{{"base_url", "http://forge.test"}, {"accounts", accounts}};
    std::shared_ptr<MockApi> shared = api_;
    Result<std::unique_ptr<IntegrationSource>> source = IntegrationSource::Create(
        *runtime_, std::move(spec), Console(), [shared]() -> std::unique_ptr<HttpTransport> {
          return std::make_unique<MockTransport>(shared);
        });
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    if (!source.ok()) return nullptr;
    sources_.push_back(std::move(source).value());
    return sources_.back().get();
  }

  static const EntityDef& EntityOf(Source& source, const std::string& name) {
    for (const EntityDef& entity : source.spec().entities) {
      if (entity.name == name) return entity;
    }
    throw std::runtime_error("no entity " + name);
  }

  static Listed PartitionsOf(Source& source, const std::string& entity) {
    Partitioner* partitioner = source.partitioner();
    if (!partitioner) return Status(ErrorKind::kInternal, "no partitioner");
    return partitioner->Partitions(EntityOf(source, entity));
  }

  // Every item of a resolution, or its error.
  static Result<std::vector<Value>> Drain(Result<std::unique_ptr<RowSource>> rows) {
    if (!rows.ok()) return rows.TakeStatus();
    std::vector<Value> items;
    while (true) {
      ASSIGN_OR_RETURN(std::optional<Value> item, (*rows)->Next());
      if (!item) return items;
      items.push_back(std::move(*item));
    }
  }

  js::ConsoleFunction Console() {
    return [this](std::string_view level, std::string_view text) {
      console_.push_back(std::string(level) + ": " + std::string(text));
    };
  }
  static TransportFactory NoRequests() {
    return []() -> std::unique_ptr<HttpTransport> {
      return std::move(MockTransport::FromSpec(Value::object())).value();
    };
  }

  std::unique_ptr<js::JsRuntime> runtime_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::shared_ptr<MockApi> api_;
  std::vector<std::string> console_;
};

constexpr const char* kQuery =
    "function query(config, filters, options) { return [{id: JSON.stringify(options.partition ?? "
    "null)}]; }\n";

TEST_F(PartitionerTest, ADeclaredEntityWithoutPartitionsIsWhole) {
  Source& source = Declared(kQuery);
  Listed listed = PartitionsOf(source, "items");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_FALSE(listed->has_value());
}

TEST_F(PartitionerTest, ADeclaredEntityListsItsPartitionsAsyncAndTheScanGetsOne) {
  Source& source = Declared(
      std::string(kQuery) +
          "async function partitions(config, context) {\n"
          "  await null;\n"
          "  return [context.entity, ...config.more, 7, 1.5, {id: 'x', from: 1}, {id: 9},\n"
          "          {to: 2, from: 1, 'ü': 'é'}];\n"
          "}\n",
      Value{{"more", {"2026-01"}}});
  Listed listed = PartitionsOf(source, "items");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_TRUE(listed->has_value());
  std::vector<std::string> ids;
  for (const Partition& partition : **listed) ids.push_back(partition.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"items", "2026-01", "7", "1.5", "x", "9",
                                           R"({"from":1,"to":2,"ü":"é"})"}));
  EXPECT_EQ((**listed)[4].spec, (Value{{"id", "x"}, {"from", 1}}))
      << "the spec is the element itself";
  EXPECT_EQ((**listed)[6].spec.begin().key(), "to") << "as the handler wrote it";

  // The scan of one partition: the handler sees it as options.partition.
  ScanRequest request;
  request.partition = (**listed)[4].spec;
  Result<std::unique_ptr<RowSource>> rows = source.Scan(EntityOf(source, "items"), request);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  Result<std::optional<Value>> row = (*rows)->Next();
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status().ToString();
  EXPECT_EQ((**row)["id"], Value(R"({"id":"x","from":1})"));
}

TEST_F(PartitionerTest, ADeclaredChildIsNeverPartitioned) {
  Source& source = Declared(std::string(kQuery) + "function partitions() { return ['a', 'b']; }\n");
  Listed child = PartitionsOf(source, "lines");
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->has_value()) << "it goes with its parent's unit";
  ASSERT_TRUE(PartitionsOf(source, "items")->has_value());
}

TEST_F(PartitionerTest, NoPartitionsMeansNothingToSync) {
  Source& source = Declared(std::string(kQuery) + "function partitions() { return []; }\n");
  Listed listed = PartitionsOf(source, "items");
  ASSERT_TRUE(listed.ok());
  ASSERT_TRUE(listed->has_value());
  EXPECT_TRUE((*listed)->empty());
}

TEST_F(PartitionerTest, AThrowingPartitionsNamesConnectorAndEntity) {
  Source& source = Declared(std::string(kQuery) +
                            "function partitions() { throw new Error('no listing today'); }\n");
  Listed listed = PartitionsOf(source, "items");
  ASSERT_FALSE(listed.ok());
  EXPECT_NE(listed.status().message().find("connector 'svc', entity 'items'"), std::string::npos)
      << listed.status().message();
  EXPECT_NE(listed.status().message().find("no listing today"), std::string::npos)
      << listed.status().message();
}

TEST_F(PartitionerTest, APartitionsThatNeverAnswersFailsAtTheCallsTimeLimit) {
  // A timer far beyond the connector's time limit (0.2 s).
  Source& slow =
      Declared(std::string(kQuery) +
                   "function partitions() {\n"
                   "  return new Promise((resolve) => setTimeout(() => resolve(['a']), 600000));\n"
                   "}\n",
               Value::object(), 0.2);
  Listed late = PartitionsOf(slow, "items");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().kind(), ErrorKind::kTimeout) << late.status().ToString();
  EXPECT_NE(late.status().message().find("connector 'svc', entity 'items'"), std::string::npos)
      << late.status().message();
  // A promise nothing can settle fails at once.
  Source& stuck =
      Declared(std::string(kQuery) + "function partitions() { return new Promise(() => {}); }\n");
  Listed never = PartitionsOf(stuck, "items");
  ASSERT_FALSE(never.ok());
  EXPECT_NE(never.status().message().find("connector 'svc', entity 'items', partitions(): "),
            std::string::npos)
      << never.status().message();
}

// A number's id is its text as JavaScript writes it.
TEST(PartitionsOfListTest, NumberIdsAreJavaScriptsText) {
  Value listed = Value::array({Value(1.5e-7), Value(-0.0), Value(9007199254740994.0), Value(7), Value(2.5),
                               Value{{"id", 1e21}}});
  Result<std::vector<Partition>> partitions = PartitionsOfList(listed, "c");
  ASSERT_TRUE(partitions.ok()) << partitions.status().ToString();
  std::vector<std::string> ids;
  for (const Partition& partition : *partitions) ids.push_back(partition.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1.5e-7", "0", "9007199254740994", "7", "2.5", "1e+21"}));
}

TEST_F(PartitionerTest, BadPartitionListsAreConnectorErrorsNamingTheIndex) {
  struct Case {
    const char* returned;
    const char* said;
  };
  for (const Case& bad :
       {Case{"[1, true]", "element 1 is boolean"}, Case{"['a', null]", "element 1 is null"},
        Case{"[NaN]", "element 0 is null"}, Case{"[['a']]", "element 0 is array"},
        Case{"'a'", "returned string, not an array"}, Case{"undefined", "returned null"},
        Case{"Array(100001).fill('x')", "100001 partitions; at most 100000"}}) {
    Source& source =
        Declared(std::string(kQuery) + "function partitions() { return " + bad.returned + "; }\n");
    Listed listed = PartitionsOf(source, "items");
    ASSERT_FALSE(listed.ok()) << bad.returned;
    EXPECT_EQ(listed.status().kind(), ErrorKind::kConnector) << bad.returned;
    EXPECT_NE(listed.status().message().find("connector 'svc', entity 'items'"), std::string::npos)
        << listed.status().message();
    EXPECT_NE(listed.status().message().find(bad.said), std::string::npos)
        << bad.returned << ": " << listed.status().message();
  }
}

TEST_F(PartitionerTest, RepeatedIdsAreCaughtWhenUnitsArePlanned) {
  Source& source =
      Declared(std::string(kQuery) + "function partitions() { return ['a', {id: 'a', to: 3}]; }\n");
  const EntityDef& items = EntityOf(source, "items");
  Result<std::vector<WorkUnit>> units = PlanWorkUnits(
      "svc", {&items},
      [&source](const EntityDef& root) { return source.partitioner()->Partitions(root); });
  ASSERT_FALSE(units.ok());
  EXPECT_NE(units.status().message().find("partition id 'a' is given twice"), std::string::npos)
      << units.status().message();
}

TEST_F(PartitionerTest, TheForgeMultiplexerGivesOnePartitionPerAccount) {
  Source* forge = Forge(Value{"a", "b"});
  ASSERT_NE(forge, nullptr);
  for (const char* table : {"forge_repos", "forge_issues"}) {
    Listed listed = PartitionsOf(*forge, table);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_TRUE(listed->has_value()) << table;
    ASSERT_EQ((*listed)->size(), 2u) << table;
    EXPECT_EQ((**listed)[0].id, "forge:a")
        << "a relation's rows come from its top-level table's clients";
    EXPECT_EQ((**listed)[1].id, "forge:b");
    EXPECT_EQ((**listed)[1].spec, (Value{{"client", "forge:b"}}));
  }
  EXPECT_TRUE(api_->requests().empty()) << "listing clients resolves nothing";
}

// "A child entity stays with its parent's unit": forge_issues hangs off
// forge_repos in the plugin's table tree, so each account's unit syncs both
// in one pass (each repo read once); chosen alone, issues are split by the
// same clients.
TEST_F(PartitionerTest, ARelationTableRidesWithItsTopLevelTablesUnit) {
  Source* forge = Forge(Value{"a", "b"});
  ASSERT_NE(forge, nullptr);
  const EntityDef& repos = EntityOf(*forge, "forge_repos");
  const EntityDef& issues = EntityOf(*forge, "forge_issues");
  Partitioner* partitioner = forge->partitioner();
  auto partitions = [&](const EntityDef& root) { return partitioner->Partitions(root); };
  auto unit_parent = [&](const EntityDef& entity) { return partitioner->UnitParent(entity); };
  EXPECT_EQ(partitioner->UnitParent(issues), "forge_repos");
  EXPECT_EQ(partitioner->UnitParent(repos), "");
  Result<std::vector<WorkUnit>> units = PlanWorkUnits("forge", {&issues, &repos}, partitions, unit_parent);
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  ASSERT_EQ(units->size(), 2u);
  for (const WorkUnit& unit : *units) {
    EXPECT_EQ(unit.entity, "forge_repos");
    EXPECT_EQ(unit.entities, (std::vector<std::string>{"forge_repos", "forge_issues"}));
  }
  EXPECT_EQ((*units)[0].partition->id, "forge:a");
  EXPECT_EQ((*units)[1].partition->id, "forge:b");
  units = PlanWorkUnits("forge", {&issues}, partitions, unit_parent);
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  ASSERT_EQ(units->size(), 2u);
  EXPECT_EQ((*units)[0].entity, "forge_issues");
}

TEST_F(PartitionerTest, OneAccountIsNotPartitioned) {
  Source* forge = Forge(Value{"a"});
  ASSERT_NE(forge, nullptr);
  Listed listed = PartitionsOf(*forge, "forge_repos");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_FALSE(listed->has_value());
}

TEST_F(PartitionerTest, AForgePassOfOneClientReadsOnlyThatAccount) {
  Source* forge = Forge(Value{"a", "b"});
  ASSERT_NE(forge, nullptr);
  Value partition = {{"client", "forge:b"}};
  Value asked =
      Value::array({Value{{"name", "forge_repos"}, {"options", {{"partition", partition}}}},
                    Value{{"name", "forge_issues"}, {"options", {{"partition", partition}}}}});
  Result<std::vector<Value>> items = Drain(forge->multi_table()->ResolveTables(asked));
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  std::vector<std::string> repos;
  std::vector<int64_t> issues;
  for (const Value& item : *items) {
    ASSERT_FALSE(item.contains("error")) << item.dump();
    if (item["t"] == 0) repos.push_back(item["r"]["full_name"].get<std::string>());
    if (item["t"] == 1) issues.push_back(item["r"]["id"].get<int64_t>());
  }
  std::sort(repos.begin(), repos.end());
  EXPECT_EQ(repos, (std::vector<std::string>{"b/three", "b/two"}));
  EXPECT_EQ(issues, (std::vector<int64_t>{21}));
  for (const RecordedRequest& request : api_->requests()) {
    EXPECT_EQ(request.path.find("/forge/accounts/a/"), std::string::npos)
        << "account a was read: " << request.path;
    EXPECT_EQ(request.path.find("/forge/repos/1/"), std::string::npos) << request.path;
  }

  // Only the relation asked: its ancestors are resolved for that client only.
  Value issues_only =
      Value::array({Value{{"name", "forge_issues"}, {"options", {{"partition", partition}}}}});
  Result<std::vector<Value>> only = Drain(forge->multi_table()->ResolveTables(issues_only));
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ((*only)[0]["r"]["id"], Value(21));

  // Without a partition, every account.
  Value whole = Value::array({Value{{"name", "forge_repos"}, {"options", Value::object()}}});
  Result<std::vector<Value>> all = Drain(forge->multi_table()->ResolveTables(whole));
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 3u);

  // A client no multiplexer gives: nothing.
  Value nobody = Value::array(
      {Value{{"name", "forge_repos"}, {"options", {{"partition", {{"client", "forge:z"}}}}}}});
  Result<std::vector<Value>> none = Drain(forge->multi_table()->ResolveTables(nobody));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
}

// An integration written here: table "things" whose multiplexer gives
// clients without ids (config.clients of them), or throws when config.boom.
class TinyIntegration {
 public:
  TinyIntegration() {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_tiny_integration_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "package.json")
        << R"({"name": "tiny", "version": "1.0.0", "type": "module", "main": "main.js"})";
    std::ofstream(dir_ / "main.js") << R"(
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin, newUnimplementedDestination } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { Int64 } from '@cloudquery/plugin-sdk-javascript/arrow';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
const things = createTable({
  name: 'things',
  multiplexer: (client) => {
    if (client.spec.boom) throw new Error('no clients today');
    return Array.from({ length: client.spec.clients }, (_, n) => ({ ...client, id: undefined, n }));
  },
  resolver: async (client, parent, stream) => { stream.write({ id: client.n }); },
  columns: [createColumn({ name: 'id', type: new Int64(), primaryKey: true })],
});
const newClient = (logger, spec) => {
  const client = { spec: spec ? JSON.parse(spec) : {} };
  return Promise.resolve({
    ...newUnimplementedDestination(),
    tables: () => Promise.resolve([things]),
    sync: (options) => sync({ logger, client, tables: [things], stream: options.stream, concurrency: 2 }),
    close: () => Promise.resolve(),
  });
};
createServeCommand(newPlugin('tiny', '1.0.0', newClient, { kind: 'source' })).parse();
)";
  }
  ~TinyIntegration() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string dir() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
};

TEST_F(PartitionerTest, ClientsWithoutIdsArePartitionedByTheirPlace) {
  TinyIntegration tiny;
  ConnectorSpec spec;
  spec.connector.name = "t";
  spec.connector.type = "tiny";
  spec.type.name = "tiny";
  spec.type.kind = "integration";
  spec.type.integration = tiny.dir();
  spec.resolved_config = Value{{"clients", 3}};
  Result<std::unique_ptr<IntegrationSource>> source =
      IntegrationSource::Create(*runtime_, spec, Console(), NoRequests());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  Listed listed = PartitionsOf(**source, "things");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_TRUE(listed->has_value());
  std::vector<std::string> ids;
  for (const Partition& partition : **listed) ids.push_back(partition.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"0", "1", "2"}));
  Value asked =
      Value::array({Value{{"name", "things"}, {"options", {{"partition", {{"client", "1"}}}}}}});
  Result<std::vector<Value>> items = Drain((*source)->ResolveTables(asked));
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0]["r"]["id"], Value(1));

  spec.resolved_config = Value{{"clients", 3}, {"boom", true}};
  Result<std::unique_ptr<IntegrationSource>> broken =
      IntegrationSource::Create(*runtime_, spec, Console(), NoRequests());
  ASSERT_TRUE(broken.ok()) << broken.status().ToString();
  Listed failed = PartitionsOf(**broken, "things");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find(
                "connector 't', table 'things': listing its multiplexer's clients"),
            std::string::npos)
      << failed.status().message();
  EXPECT_NE(failed.status().message().find("no clients today"), std::string::npos)
      << failed.status().message();
}

TEST_F(PartitionerTest, AMalformedIntegrationPartitionIsAnError) {
  Source* forge = Forge(Value{"a", "b"});
  ASSERT_NE(forge, nullptr);
  Value asked =
      Value::array({Value{{"name", "forge_repos"}, {"options", {{"partition", "forge:b"}}}}});
  Result<std::vector<Value>> items = Drain(forge->multi_table()->ResolveTables(asked));
  ASSERT_FALSE(items.ok());
  EXPECT_NE(
      items.status().message().find("options.partition of an integration table is {client: id}"),
      std::string::npos)
      << items.status().message();
}

}  // namespace
}  // namespace sluice
