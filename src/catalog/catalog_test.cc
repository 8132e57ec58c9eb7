#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "catalog/workspace.h"

namespace sluice {
namespace {

// What schemas v6 (package records) and v7 (runs' error kind) added, taken
// away again to make an older workspace.
constexpr char kUndoV6[] =
    "ALTER TABLE _sluice_sync_runs DROP COLUMN error_kind;"
    "DROP TABLE _sluice_registries; DROP TABLE _sluice_packages; DROP TABLE _sluice_tests;"
    "ALTER TABLE _sluice_sync_runs DROP COLUMN type_version;";

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_catalog_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/workspace.db";
    Reopen();
  }
  void TearDown() override {
    ws_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    ws_.reset();
    auto opened = Workspace::Open(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ws_ = std::move(opened).value();
  }
  Catalog& catalog() { return ws_->catalog(); }

  static ConnectorTypeDef Type(const std::string& name) {
    ConnectorTypeDef def;
    def.name = name;
    def.description = "Custom connector for MyService API";
    def.version = "1.0.0";
    def.config_schema = Value::parse(
        R"({"api_url": {"type": "string", "required": true},
            "api_key": {"type": "string", "required": true, "secret": true}})");
    return def;
  }
  static EntityDef Entity(const std::string& type, const std::string& name,
                          const std::string& parent = "") {
    EntityDef def;
    def.type = type;
    def.name = name;
    def.fields = Value::parse(R"({"id": {"type": "string", "primary_key": true},
                                  "updated_at": {"type": "timestamp"}})");
    def.cursor = "updated_at";
    def.parent = parent;
    def.handler = {"async function query() { return []; }", "", "setup.sql:3:17", ""};
    return def;
  }
  static ActionDef Action(const std::string& type, const std::string& name) {
    ActionDef def;
    def.type = type;
    def.name = name;
    def.parameters = Value::parse(R"({"name": {"type": "string", "required": true}})");
    def.handler = {"async function execute() {}", "create.js", "create.js:1:1", "setup.sql:9:1"};
    return def;
  }
  static ConnectorDef Connector(const std::string& name, const std::string& type) {
    ConnectorDef def;
    def.name = name;
    def.type = type;
    def.config = Value::parse(
        R"({"api_url": "https://api.example.com", "api_key": "{{secrets.myservice_key}}"})");
    def.options = Value::parse(R"({"rate_limit": 10, "timeout_seconds": 30})");
    return def;
  }

  int64_t Count(const std::string& table) {
    auto stmt = ws_->db().Prepare("SELECT count(*) FROM " + table);
    EXPECT_TRUE(stmt.ok());
    EXPECT_TRUE(stmt->Step().value());
    return stmt->ColumnInt(0);
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<Workspace> ws_;
};

TEST_F(CatalogTest, DefinitionsSurviveReopen) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "projects"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items", "projects"), false).ok());
  ASSERT_TRUE(catalog().PutAction(Action("myservice", "items.create"), false).ok());
  ASSERT_TRUE(catalog().SetRegistered("myservice", true).ok());
  ConnectorDef connector = Connector("prod", "myservice");
  connector.enabled = false;
  ASSERT_TRUE(catalog().PutConnector(connector, false).ok());
  DestinationDef destination{"warehouse", "postgresql", Value::parse(R"({"dsn": "x"})"), ""};
  ASSERT_TRUE(catalog().PutDestination(destination, false).ok());

  Reopen();

  auto type = catalog().GetConnectorType("myservice");
  ASSERT_TRUE(type.ok()) << type.status().ToString();
  EXPECT_EQ(type->description, "Custom connector for MyService API");
  EXPECT_EQ(type->version, "1.0.0");
  EXPECT_TRUE(type->registered);
  // Key order is kept as written, not sorted.
  EXPECT_EQ(type->config_schema.dump(), Type("myservice").config_schema.dump());
  EXPECT_TRUE(std::regex_match(type->created_at,
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_FALSE(type->updated_at.empty());

  auto items = catalog().GetEntity("myservice", "items");
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  EXPECT_EQ(items->parent, "projects");
  EXPECT_EQ(items->cursor, "updated_at");
  EXPECT_EQ(items->fields.dump(), Entity("", "").fields.dump());
  EXPECT_EQ(items->handler.code, "async function query() { return []; }");
  EXPECT_EQ(items->handler.origin, "setup.sql:3:17");

  auto action = catalog().GetAction("myservice", "items.create");
  ASSERT_TRUE(action.ok()) << action.status().ToString();
  EXPECT_EQ(action->handler.file, "create.js");
  EXPECT_EQ(action->parameters["name"]["required"], true);

  auto prod = catalog().GetConnector("prod");
  ASSERT_TRUE(prod.ok()) << prod.status().ToString();
  EXPECT_EQ(prod->type, "myservice");
  EXPECT_FALSE(prod->enabled);
  EXPECT_EQ(prod->config["api_key"], "{{secrets.myservice_key}}");
  EXPECT_EQ(prod->options["rate_limit"], 10);

  auto warehouse = catalog().GetDestination("warehouse");
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  EXPECT_EQ(warehouse->type, "postgresql");
  EXPECT_EQ(warehouse->config["dsn"], "x");
  EXPECT_FALSE(warehouse->created_at.empty());
}

TEST_F(CatalogTest, FreshWorkspaceHasCurrentSchema) {
  EXPECT_EQ(Workspace::CurrentSchemaVersion(), 8);
  auto version = ws_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, Workspace::CurrentSchemaVersion());
  auto stmt = ws_->db().Prepare("SELECT value FROM _sluice_meta WHERE key = 'schema_version'");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(stmt->Step().value());
  EXPECT_EQ(stmt->ColumnText(0), "7");
  EXPECT_EQ(Count("_sluice_meta"), 1);  // the version only
  for (const char* table :
       {"_sluice_connector_types", "_sluice_entities", "_sluice_actions",
        "_sluice_connectors", "_sluice_secrets", "_sluice_destinations", "_sluice_sync_state",
        "_sluice_sync_runs", "_sluice_sync_schedules"}) {
    EXPECT_EQ(Count(table), 0) << table;
  }
  // Reopening an up-to-date workspace runs no migration a second time.
  Reopen();
  EXPECT_EQ(ws_->SchemaVersion().value(), Workspace::CurrentSchemaVersion());
}

// A workspace written by the first release (schema v1: no defined_at
// columns, no v3 sync columns) is migrated on open, and keeps its definitions.
TEST_F(CatalogTest, MigratesAVersionOneWorkspace) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("svc"), false).ok());
  EntityDef entity = Entity("svc", "items");
  entity.handler.defined_at = "setup.sql:3:1";
  ASSERT_TRUE(catalog().PutEntity(entity, false).ok());
  ASSERT_TRUE(ws_->db()
                  .Exec(std::string(kUndoV6) +
                        "ALTER TABLE _sluice_connector_types DROP COLUMN kind;"
                        "ALTER TABLE _sluice_entities DROP COLUMN position;"
                        "ALTER TABLE _sluice_entities DROP COLUMN applies_offset;"
                        "ALTER TABLE _sluice_entities DROP COLUMN defined_at;"
                        "ALTER TABLE _sluice_actions DROP COLUMN defined_at;"
                        "ALTER TABLE _sluice_sync_state DROP COLUMN boundary_keys;"
                        "ALTER TABLE _sluice_sync_runs DROP COLUMN rows_read;"
                        "ALTER TABLE _sluice_sync_runs DROP COLUMN rows_deleted;"
                        "ALTER TABLE _sluice_sync_runs DROP COLUMN duration_ms;"
                        "ALTER TABLE _sluice_sync_runs DROP COLUMN table_name;"
                        "DROP INDEX _sluice_sync_schedules_by_statement;"
                        "ALTER TABLE _sluice_sync_schedules DROP COLUMN last_run;"
                        "UPDATE _sluice_meta SET value = '1' WHERE key = 'schema_version';")
                  .ok());
  Reopen();
  EXPECT_EQ(ws_->SchemaVersion().value(), Workspace::CurrentSchemaVersion());
  auto migrated = catalog().GetEntity("svc", "items");
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  EXPECT_EQ(migrated->handler.code, entity.handler.code);
  EXPECT_EQ(migrated->handler.defined_at, "") << "unknown for definitions made before v2";
  entity.handler.defined_at = "setup.sql:9:1";
  ASSERT_TRUE(catalog().PutEntity(entity, true).ok());
  EXPECT_EQ(catalog().GetEntity("svc", "items")->handler.defined_at, "setup.sql:9:1");
}

// v4: entities keep their definition order (TEST CONNECTOR probes the
// first defined), numbered from their insertion order in an older workspace.
TEST_F(CatalogTest, MigratesAVersionThreeWorkspaceKeepingDefinitionOrder) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("svc"), false).ok());
  for (const char* name : {"zeta", "alpha", "mid"})
    ASSERT_TRUE(catalog().PutEntity(Entity("svc", name), false).ok());
  ASSERT_TRUE(ws_->db()
                  .Exec(std::string(kUndoV6) +
                        "ALTER TABLE _sluice_connector_types DROP COLUMN kind;"
                        "ALTER TABLE _sluice_entities DROP COLUMN position;"
                        "ALTER TABLE _sluice_entities DROP COLUMN applies_offset;"
                        "UPDATE _sluice_meta SET value = '3' WHERE key = 'schema_version';")
                  .ok());
  Reopen();
  EXPECT_EQ(ws_->SchemaVersion().value(), Workspace::CurrentSchemaVersion());
  auto names = [&](Catalog::EntityOrder order) {
    std::string out;
    Result<std::vector<EntityDef>> listed = catalog().ListEntities("svc", order);
    EXPECT_TRUE(listed.ok());
    for (const EntityDef& e : listed.ok() ? *listed : std::vector<EntityDef>()) out += e.name + " ";
    return out;
  };
  EXPECT_EQ(names(Catalog::EntityOrder::kDefinition), "zeta alpha mid ");
  EXPECT_EQ(names(Catalog::EntityOrder::kName), "alpha mid zeta ");
  // Replacing keeps the place; a new entity comes last.
  EntityDef zeta = Entity("svc", "zeta");
  zeta.applies_offset = true;
  ASSERT_TRUE(catalog().PutEntity(zeta, true).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("svc", "beta"), false).ok());
  EXPECT_EQ(names(Catalog::EntityOrder::kDefinition), "zeta alpha mid beta ");
  EXPECT_TRUE(catalog().GetEntity("svc", "zeta")->applies_offset);
  EXPECT_FALSE(catalog().GetEntity("svc", "alpha")->applies_offset);
}

// v5: a type's kind of source is stored; a v4 workspace's types get the
// kind that was inferred before (a directory: 'integration').
TEST_F(CatalogTest, MigratesAVersionFourWorkspaceStoringTheKind) {
  ASSERT_TRUE(ws_->db()
                  .Exec(std::string(kUndoV6) +
                        "ALTER TABLE _sluice_connector_types DROP COLUMN kind;"
                        "INSERT INTO _sluice_connector_types (name, description, version, config_schema, "
                        "registered, integration, created_at, updated_at) VALUES "
                        "('svc', '', '1.0.0', '{}', 1, '', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'), "
                        "('sheets', '', '', '{}', 0, '/opt/integrations/sheets', '2024-01-01T00:00:00Z', "
                        "'2024-01-01T00:00:00Z');"
                        "UPDATE _sluice_meta SET value = '4' WHERE key = 'schema_version';")
                  .ok());
  Reopen();
  EXPECT_EQ(ws_->SchemaVersion().value(), Workspace::CurrentSchemaVersion());
  Result<ConnectorTypeDef> declared = catalog().GetConnectorType("svc");
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  EXPECT_EQ(declared->kind, "declared");
  Result<ConnectorTypeDef> integration = catalog().GetConnectorType("sheets");
  ASSERT_TRUE(integration.ok());
  EXPECT_EQ(integration->kind, "integration");
  EXPECT_EQ(integration->integration, "/opt/integrations/sheets");
  // A kind the catalog does not know of is stored as given.
  ConnectorTypeDef literal = Type("lit");
  literal.kind = "literal";
  ASSERT_TRUE(catalog().PutConnectorType(literal, false).ok());
  EXPECT_EQ(catalog().GetConnectorType("lit")->kind, "literal");
}

TEST_F(CatalogTest, RefusesWorkspaceFromNewerSluice) {
  ASSERT_TRUE(ws_->db().Exec("UPDATE _sluice_meta SET value = '8' WHERE key = 'schema_version'").ok());
  ws_.reset();
  auto opened = Workspace::Open(path_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().kind(), ErrorKind::kInvalidArgument);
  const std::string& message = opened.status().message();
  EXPECT_NE(message.find("schema version 8"), std::string::npos) << message;
  EXPECT_NE(message.find("up to version 7"), std::string::npos) << message;
  EXPECT_NE(message.find(path_), std::string::npos) << message;
}

TEST_F(CatalogTest, OpenErrorsNameThePath) {
  std::string missing = dir_ + "/no/such/dir/ws.db";
  auto opened = Workspace::Open(missing);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().kind(), ErrorKind::kIo);
  EXPECT_NE(opened.status().message().find(missing), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/no"));

  std::string garbage = dir_ + "/garbage.db";
  std::ofstream(garbage) << "this is not an SQLite database, not even close to one.........";
  auto bad = Workspace::Open(garbage);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(garbage), std::string::npos);

  auto memory = Workspace::Open(":memory:");
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  EXPECT_EQ((*memory)->SchemaVersion().value(), Workspace::CurrentSchemaVersion());
}

TEST_F(CatalogTest, CreateWithoutReplaceRefusesExistingNames) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  Status again = catalog().PutConnectorType(Type("myservice"), false);
  EXPECT_EQ(again.kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(again.message(), "connector type 'myservice' already exists (use CREATE OR REPLACE)");

  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items"), false).ok());
  EXPECT_EQ(catalog().PutEntity(Entity("myservice", "items"), false).message(),
            "entity 'myservice.items' already exists (use CREATE OR REPLACE)");
  ASSERT_TRUE(catalog().PutAction(Action("myservice", "ping"), false).ok());
  EXPECT_EQ(catalog().PutAction(Action("myservice", "ping"), false).kind(),
            ErrorKind::kAlreadyExists);
  ASSERT_TRUE(catalog().PutConnector(Connector("prod", "myservice"), false).ok());
  EXPECT_EQ(catalog().PutConnector(Connector("prod", "myservice"), false).message(),
            "connector 'prod' already exists (use CREATE OR REPLACE)");
  DestinationDef destination{"out", "jsonl", Value::object(), ""};
  ASSERT_TRUE(catalog().PutDestination(destination, false).ok());
  EXPECT_EQ(catalog().PutDestination(destination, false).kind(), ErrorKind::kAlreadyExists);

  // Names are case-sensitive: a different spelling is a different type.
  EXPECT_TRUE(catalog().PutConnectorType(Type("MyService"), false).ok());
}

// SQLite folds ASCII case in table and column names: two names of one kind
// in one scope that differ only by case would share a table.
TEST_F(CatalogTest, RefusesNamesDifferingOnlyInCase) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("cs"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("cs", "items"), false).ok());
  for (bool or_replace : {false, true}) {
    Status twin = catalog().PutEntity(Entity("cs", "Items"), or_replace);
    EXPECT_EQ(twin.kind(), ErrorKind::kAlreadyExists);
    EXPECT_NE(twin.message().find("entity 'cs.Items' differs only in letter case from entity "
                                  "'cs.items'"),
              std::string::npos)
        << twin.message();
  }
  EXPECT_TRUE(catalog().PutEntity(Entity("cs", "items"), true).ok()) << "the same name is replaced";
  // Only ASCII folds, as in SQLite: É and é are two letters.
  EXPECT_TRUE(catalog().PutEntity(Entity("cs", "caf\u00e9"), false).ok());
  EXPECT_TRUE(catalog().PutEntity(Entity("cs", "caf\u00c9"), false).ok());
  ASSERT_TRUE(catalog().PutAction(Action("cs", "items.create"), false).ok());
  EXPECT_EQ(catalog().PutAction(Action("cs", "Items.create"), true).kind(),
            ErrorKind::kAlreadyExists);
  ASSERT_TRUE(catalog().PutConnector(Connector("c", "cs"), false).ok());
  EXPECT_EQ(catalog().PutConnector(Connector("C", "cs"), true).message(),
            "connector 'C' differs only in letter case from connector 'c', which exists; SQLite "
            "does not tell such names apart (the tables and columns named after them would be "
            "one): choose another name or drop connector 'c' first");
  DestinationDef lake{"lake", "jsonl", Value::object(), ""};
  ASSERT_TRUE(catalog().PutDestination(lake, false).ok());
  lake.name = "Lake";
  EXPECT_EQ(catalog().PutDestination(lake, true).kind(), ErrorKind::kAlreadyExists);
}

TEST_F(CatalogTest, OrReplaceUpdatesAndKeepsChildren) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items"), false).ok());
  ASSERT_TRUE(catalog().PutConnector(Connector("prod", "myservice"), false).ok());
  ConnectorTypeDef changed = Type("myservice");
  changed.description = "second version";
  changed.version = "2.0.0";
  ASSERT_TRUE(catalog().PutConnectorType(changed, true).ok());
  auto type = catalog().GetConnectorType("myservice");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->description, "second version");
  EXPECT_EQ(type->version, "2.0.0");
  EXPECT_TRUE(catalog().GetEntity("myservice", "items").ok());
  EXPECT_TRUE(catalog().GetConnector("prod").ok());

  EntityDef entity = Entity("myservice", "items");
  entity.cursor = "";
  ASSERT_TRUE(catalog().PutEntity(entity, true).ok());
  EXPECT_EQ(catalog().GetEntity("myservice", "items")->cursor, "");
  ConnectorDef connector = Connector("prod", "myservice");
  connector.config["api_url"] = "https://other.example.com";
  ASSERT_TRUE(catalog().PutConnector(connector, true).ok());
  EXPECT_EQ(catalog().GetConnector("prod")->config["api_url"], "https://other.example.com");
  EXPECT_EQ(catalog().ListConnectors()->size(), 1u);
}

TEST_F(CatalogTest, ChangingEntitiesOrActionsUnregistersTheType) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  auto registered = [&] { return catalog().GetConnectorType("myservice")->registered; };
  ASSERT_TRUE(catalog().SetRegistered("myservice", true).ok());
  EXPECT_TRUE(registered());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items"), false).ok());
  EXPECT_FALSE(registered());

  ASSERT_TRUE(catalog().SetRegistered("myservice", true).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items"), true).ok());
  EXPECT_FALSE(registered());

  ASSERT_TRUE(catalog().SetRegistered("myservice", true).ok());
  ASSERT_TRUE(catalog().PutAction(Action("myservice", "items.create"), true).ok());
  EXPECT_FALSE(registered());

  ASSERT_TRUE(catalog().SetRegistered("myservice", true).ok());
  ASSERT_TRUE(catalog().DropAction("myservice", "items.create").ok());
  EXPECT_FALSE(registered());

  EXPECT_EQ(catalog().SetRegistered("nope", true).kind(), ErrorKind::kNotFound);
}

TEST_F(CatalogTest, MissingObjectsAreNamed) {
  EXPECT_EQ(catalog().GetConnectorType("x").status().message(),
            "connector type 'x' does not exist");
  EXPECT_EQ(catalog().GetConnector("prod").status().message(), "connector 'prod' does not exist");
  EXPECT_EQ(catalog().GetDestination("w").status().kind(), ErrorKind::kNotFound);
  // A missing type is named before its missing entity.
  EXPECT_EQ(catalog().GetEntity("x", "items").status().message(),
            "connector type 'x' does not exist");
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  EXPECT_EQ(catalog().GetEntity("myservice", "nope").status().message(),
            "entity 'myservice.nope' does not exist");
  EXPECT_EQ(catalog().GetAction("myservice", "nope").status().message(),
            "action 'myservice.nope' does not exist");
  EXPECT_EQ(catalog().ListEntities("x").status().kind(), ErrorKind::kNotFound);

  for (Status status : {catalog().PutEntity(Entity("x", "items"), false),
                        catalog().PutAction(Action("x", "ping"), false),
                        catalog().PutConnector(Connector("prod", "x"), false)}) {
    EXPECT_EQ(status.kind(), ErrorKind::kNotFound);
    EXPECT_EQ(status.message(), "connector type 'x' does not exist");
  }
  EXPECT_EQ(Count("_sluice_connectors"), 0);

  EXPECT_EQ(catalog().DropConnectorType("x").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog().DropEntity("myservice", "nope").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog().DropAction("myservice", "nope").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog().DropConnector("nope").message(), "connector 'nope' does not exist");
  EXPECT_EQ(catalog().DropDestination("nope").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog().UpdateConnector(Connector("nope", "myservice")).kind(),
            ErrorKind::kNotFound);
}

TEST_F(CatalogTest, ParentMustExistInTheSameTypeWithoutLoops) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  ASSERT_TRUE(catalog().PutConnectorType(Type("other"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("other", "projects"), false).ok());

  Status orphan = catalog().PutEntity(Entity("myservice", "items", "projects"), false);
  EXPECT_EQ(orphan.kind(), ErrorKind::kNotFound);
  EXPECT_NE(orphan.message().find("'myservice.projects'"), std::string::npos) << orphan.message();
  EXPECT_EQ(Count("_sluice_entities"), 1);

  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "projects"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items", "projects"), false).ok());
  EXPECT_EQ(catalog().PutEntity(Entity("myservice", "self", "self"), false).kind(),
            ErrorKind::kInvalidArgument);
  // projects → items → projects would loop.
  Status loop = catalog().PutEntity(Entity("myservice", "projects", "items"), true);
  EXPECT_EQ(loop.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(catalog().GetEntity("myservice", "projects")->parent, "");
}

TEST_F(CatalogTest, DropConnectorTypeRefusedWhileConnectorsUseIt) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items"), false).ok());
  ASSERT_TRUE(catalog().PutAction(Action("myservice", "items.create"), false).ok());
  ASSERT_TRUE(catalog().PutConnector(Connector("b", "myservice"), false).ok());
  ASSERT_TRUE(catalog().PutConnector(Connector("a", "myservice"), false).ok());

  Status refused = catalog().DropConnectorType("myservice");
  EXPECT_EQ(refused.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(refused.message(),
            "connector type 'myservice' is used by connectors: a, b; drop them first");
  EXPECT_TRUE(catalog().GetEntity("myservice", "items").ok());

  ASSERT_TRUE(catalog().DropConnector("a").ok());
  ASSERT_TRUE(catalog().DropConnector("b").ok());
  ASSERT_TRUE(catalog().DropConnectorType("myservice").ok());
  EXPECT_EQ(catalog().GetConnectorType("myservice").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(Count("_sluice_entities"), 0);
  EXPECT_EQ(Count("_sluice_actions"), 0);
}

TEST_F(CatalogTest, DropEntityRefusedWhileItIsAParent) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "projects"), false).ok());
  ASSERT_TRUE(catalog().PutEntity(Entity("myservice", "items", "projects"), false).ok());
  Status refused = catalog().DropEntity("myservice", "projects");
  EXPECT_EQ(refused.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(refused.message().find("myservice.items"), std::string::npos) << refused.message();
  ASSERT_TRUE(catalog().DropEntity("myservice", "items").ok());
  ASSERT_TRUE(catalog().DropEntity("myservice", "projects").ok());
  EXPECT_TRUE(catalog().ListEntities("myservice")->empty());
}

TEST_F(CatalogTest, ListsAreOrderedByName) {
  for (std::string name : {"zeta", "alpha", "mid"}) {
    ASSERT_TRUE(catalog().PutConnectorType(Type(name), false).ok());
    ASSERT_TRUE(catalog().PutConnector(Connector("c_" + name, name), false).ok());
    ASSERT_TRUE(catalog().PutDestination({name, "csv", Value::object(), ""}, false).ok());
  }
  for (std::string name : {"zeta", "alpha", "mid"}) {
    ASSERT_TRUE(catalog().PutEntity(Entity("mid", name), false).ok());
  }
  ASSERT_TRUE(catalog().PutEntity(Entity("alpha", "only"), false).ok());
  ASSERT_TRUE(catalog().PutAction(Action("zeta", "b"), false).ok());
  ASSERT_TRUE(catalog().PutAction(Action("alpha", "z"), false).ok());

  auto names = [](const auto& defs) {
    std::vector<std::string> out;
    for (const auto& def : defs) out.push_back(def.name);
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names(catalog().ListConnectorTypes().value()), (Names{"alpha", "mid", "zeta"}));
  EXPECT_EQ(names(catalog().ListConnectors().value()), (Names{"c_alpha", "c_mid", "c_zeta"}));
  EXPECT_EQ(names(catalog().ListDestinations().value()), (Names{"alpha", "mid", "zeta"}));
  EXPECT_EQ(names(catalog().ListEntities("mid").value()), (Names{"alpha", "mid", "zeta"}));
  // All types: by type, then name.
  EXPECT_EQ(names(catalog().ListEntities("").value()), (Names{"only", "alpha", "mid", "zeta"}));
  EXPECT_EQ(names(catalog().ListActions("").value()), (Names{"z", "b"}));
  EXPECT_EQ(names(catalog().ListActions("zeta").value()), (Names{"b"}));
}

TEST_F(CatalogTest, UpdateConnectorChangesConfigOptionsAndEnabled) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  ASSERT_TRUE(catalog().PutConnector(Connector("prod", "myservice"), false).ok());
  ConnectorDef def = catalog().GetConnector("prod").value();
  def.enabled = false;
  def.options = Value::parse(R"({"batch_size": 500})");
  def.config["api_url"] = "https://changed.example.com";
  ASSERT_TRUE(catalog().UpdateConnector(def).ok());
  Reopen();
  ConnectorDef after = catalog().GetConnector("prod").value();
  EXPECT_FALSE(after.enabled);
  EXPECT_EQ(after.options.dump(), R"({"batch_size":500})");
  EXPECT_EQ(after.config["api_url"], "https://changed.example.com");
  EXPECT_EQ(after.created_at, def.created_at);
}

TEST_F(CatalogTest, DropConnectorForgetsSyncStateButKeepsHistory) {
  ASSERT_TRUE(catalog().PutConnectorType(Type("myservice"), false).ok());
  ASSERT_TRUE(catalog().PutConnector(Connector("prod", "myservice"), false).ok());
  ASSERT_TRUE(ws_->db().Exec(R"sql(
      INSERT INTO _sluice_sync_state VALUES ('prod', 'items', '', 'updated_at', '2026-01-01', '', '[]');
      INSERT INTO _sluice_sync_state VALUES ('other', 'items', '', 'updated_at', '2026-01-01', '', '[]');
      INSERT INTO _sluice_sync_schedules (connector, statement, cron, created_at)
        VALUES ('prod', 'SYNC CONNECTOR prod;', '*/15 * * * *', '');
      INSERT INTO _sluice_sync_runs (connector, entity, destination, mode, write_mode, status,
        started_at) VALUES ('prod', 'items', '', 'full', 'append', 'ok', '');
  )sql").ok());
  ASSERT_TRUE(catalog().DropConnector("prod").ok());
  EXPECT_EQ(Count("_sluice_sync_state"), 1);  // only 'other'
  EXPECT_EQ(Count("_sluice_sync_schedules"), 0);
  EXPECT_EQ(Count("_sluice_sync_runs"), 1);
}

TEST_F(CatalogTest, JsonThatIsNotUtf8IsRefusedNotThrown) {
  ConnectorTypeDef def = Type("myservice");
  def.config_schema["bad"] = std::string("\xff\xfe");
  Status status = catalog().PutConnectorType(def, false);
  EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(Count("_sluice_connector_types"), 0);
}

TEST(NowIso8601Test, IsUtcWithSeconds) {
  EXPECT_TRUE(std::regex_match(NowIso8601(), std::regex(R"(20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

// The RAII SQLite wrappers the catalog is built on.
TEST(SqliteTest, BindAndColumnValuesRoundTrip) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (v)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(insert.ok());
  Value inputs = Value::parse(R"([null, true, 42, 2.5, "text", {"b": 1, "a": 2}, [1, 2]])");
  for (const Value& input : inputs) {
    ASSERT_TRUE(insert->Bind(1, input).ok());
    ASSERT_TRUE(insert->Run().ok());
    insert->Reset();
  }
  auto select = db->Prepare("SELECT v, typeof(v) FROM t ORDER BY rowid");
  ASSERT_TRUE(select.ok());
  EXPECT_EQ(select->ColumnCount(), 2);
  EXPECT_EQ(select->ColumnName(1), "typeof(v)");
  Value outputs = Value::array();
  std::vector<std::string> types;
  while (select->Step().value()) {
    outputs.push_back(select->ColumnValue(0));
    types.push_back(select->ColumnText(1));
  }
  EXPECT_EQ(outputs.dump(), R"([null,1,42,2.5,"text","{\"b\":1,\"a\":2}","[1,2]"])");
  EXPECT_EQ(types, (std::vector<std::string>{"null", "integer", "integer", "real", "text", "text",
                                             "text"}));

  auto blob = db->Prepare("SELECT x'00ff41', NULL");
  ASSERT_TRUE(blob.ok());
  ASSERT_TRUE(blob->Step().value());
  EXPECT_EQ(blob->ColumnValue(0).get<std::string>(), std::string("\x00\xff" "A", 3));
  EXPECT_TRUE(blob->ColumnIsNull(1));
  EXPECT_EQ(blob->ColumnText(1), "");
}

TEST(SqliteTest, ErrorsCarrySqliteMessage) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  auto bad = db->Prepare("SELEC 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), ErrorKind::kSql);
  EXPECT_NE(bad.status().message().find("syntax error"), std::string::npos);
  Status exec = db->Exec("INSERT INTO missing VALUES (1)");
  EXPECT_EQ(exec.kind(), ErrorKind::kSql);
  EXPECT_NE(exec.message().find("no such table: missing"), std::string::npos);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  auto dup = db->Prepare("INSERT INTO t VALUES (1)");
  ASSERT_TRUE(dup.ok());
  Status step = dup->Run();
  EXPECT_EQ(step.kind(), ErrorKind::kSql);
  EXPECT_NE(step.message().find("UNIQUE"), std::string::npos) << step.message();
}

TEST(SqliteTest, ForeignKeysAreEnforced) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE p (id PRIMARY KEY); "
                       "CREATE TABLE c (p REFERENCES p(id));").ok());
  EXPECT_EQ(db->Exec("INSERT INTO c VALUES (1)").kind(), ErrorKind::kSql);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (v)").ok());
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto count = db->Prepare("SELECT group_concat(v) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(count->Step().value());
  EXPECT_EQ(count->ColumnText(0), "2");
  // The rolled-back row left no trace, so the committed one got rowid 1.
  EXPECT_EQ(db->LastInsertRowid(), 1);
}

// v6: package records; a v5 workspace's sync runs get an empty type_version.
TEST_F(CatalogTest, MigratesAVersionFiveWorkspaceAddingPackageRecords) {
  ASSERT_TRUE(ws_->db()
                  .Exec(std::string(kUndoV6) +
                        "INSERT INTO _sluice_sync_runs (connector, entity, destination, mode, write_mode, status, "
                        "started_at) VALUES ('prod', 'items', 'workspace', 'full', 'append', 'ok', "
                        "'2024-01-01T00:00:00Z');"
                        "UPDATE _sluice_meta SET value = '5' WHERE key = 'schema_version';")
                  .ok());
  Reopen();
  EXPECT_EQ(ws_->SchemaVersion().value(), Workspace::CurrentSchemaVersion());
  auto stmt = ws_->db().Prepare("SELECT type_version FROM _sluice_sync_runs");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(stmt->Step().value());
  EXPECT_EQ(stmt->ColumnText(0), "");
  EXPECT_TRUE(ws_->packages().ListRegistries()->empty());
  EXPECT_TRUE(ws_->packages().ListPackages()->empty());
  EXPECT_TRUE(ws_->packages().PutRegistry({"r", "/r", {}, ""}, false).ok());
}

// v7: a run's error kind; runs recorded before have none.
TEST_F(CatalogTest, MigratesAVersionSixWorkspaceAddingTheRunsErrorKind) {
  ASSERT_TRUE(ws_->db()
                  .Exec("ALTER TABLE _sluice_sync_runs DROP COLUMN error_kind;"
                        "INSERT INTO _sluice_sync_runs (connector, entity, destination, mode, write_mode, status, "
                        "started_at, error) VALUES ('prod', 'items', 'workspace', 'full', 'append', 'failed', "
                        "'2024-01-01T00:00:00Z', 'boom');"
                        "UPDATE _sluice_meta SET value = '6' WHERE key = 'schema_version';")
                  .ok());
  Reopen();
  EXPECT_EQ(ws_->SchemaVersion().value(), Workspace::CurrentSchemaVersion());
  auto stmt = ws_->db().Prepare("SELECT error, error_kind FROM _sluice_sync_runs");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(stmt->Step().value());
  EXPECT_EQ(stmt->ColumnText(0), "boom");
  EXPECT_TRUE(stmt->ColumnIsNull(1));
}

}  // namespace
}  // namespace sluice
