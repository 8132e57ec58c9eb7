#include "lang/catalog_snapshot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/source_text.h"
#include "lang/interpreter.h"
#include "lang/parser.h"
#include "package/archive.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class CaptureSink : public OutputSink {
 public:
  void Emit(const ResultSet& result) override { results.push_back(result); }
  void Print(const std::string& line) override { lines.push_back(line); }
  void Log(const std::string& line) override { lines.push_back(line); }
  std::vector<ResultSet> results;
  std::vector<std::string> lines;
};

Status Run(Workspace& workspace, OutputSink& sink, const std::string& sql) {
  Interpreter interpreter(workspace, sink);
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"<test>", sql}));
  if (!parsed.ok()) return Status(ErrorKind::kInvalidArgument, parsed.errors.front().message());
  for (const auto& statement : parsed.program.statements) RETURN_IF_ERROR(interpreter.Execute(statement));
  return Status::Ok();
}

// The handler returns a row made of its config, so running it in the
// restored workspace proves the secret opened (without printing it: the
// test compares its length).
constexpr const char* kDefinitions = R"sql(
CREATE CONNECTOR TYPE 'svc' DESCRIPTION 'Ünïcode ''svc''' VERSION '0.3.0'
  CONFIG_SCHEMA {"url": {"type": "string"}, "key": {"type": "string", "secret": true}};
CREATE CONNECTOR ENTITY 'svc.zeta' FIELDS {"id": {"type": "string", "primary_key": true}, "n": {"type": "integer"}}
  CURSOR 'id'
  QUERY_HANDLER '''async function query(config) { return [{id: config.url, n: config.key.length}]; }''';
CREATE CONNECTOR ENTITY 'svc.alpha' FIELDS {"zid": {"type": "string", "primary_key": true}}
  PARENT 'svc.zeta' PUSHDOWN OFFSET
  QUERY_HANDLER '''async function query() { return []; }''';
CREATE CONNECTOR ACTION 'svc.zeta.poke' PARAMETERS {"x": {"type": "integer"}}
  HANDLER '''async function handler() { return {}; }''';
CREATE SECRET svc_key VALUE 'k-0123456789';
CREATE SECRET unrelated VALUE 'never-travels';
CREATE CONNECTOR c TYPE 'svc' CONFIG {"url": "https://example.test/ü", "key": "{{secrets.svc_key}}"}
  OPTIONS {"batch_size": 7};
)sql";

// Sets an environment variable for one test, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    Set(value);
  }
  ~ScopedEnv() { Set(old_ ? old_->c_str() : nullptr); }
  void Set(const char* value) {
    if (value) {
      setenv(name_, value, 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class CatalogSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_snapshot_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    home_.emplace("HOME", (dir_ + "/home").c_str());
    xdg_.emplace("XDG_CONFIG_HOME", (dir_ + "/config").c_str());
    key_.emplace("SLUICE_SECRET_KEY", "submitter key");
  }
  void TearDown() override {
    key_.reset();
    xdg_.reset();
    home_.reset();
    fs::remove_all(dir_);
  }
  std::unique_ptr<Workspace> Fresh() {
    auto workspace = Workspace::Open(":memory:");
    EXPECT_TRUE(workspace.ok()) << workspace.status().ToString();
    return std::move(workspace).value();
  }

  std::string dir_;
  std::optional<ScopedEnv> home_, xdg_, key_;
};

TEST_F(CatalogSnapshotTest, DeclaredTypeRoundTripsAndRuns) {
  auto source = Fresh();
  CaptureSink sink;
  ASSERT_TRUE(Run(*source, sink, kDefinitions).ok());
  auto snapshot = SnapshotConnector(*source, "c");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_TRUE(snapshot->integration_archive.empty());
  std::string dumped = snapshot->catalog.dump();
  EXPECT_EQ(dumped.find("k-0123456789"), std::string::npos) << "secrets travel sealed";
  EXPECT_EQ(dumped.find("unrelated"), std::string::npos) << "only the secrets the connector names";

  auto restored = Fresh();
  Status status = RestoreSnapshot(*restored, *snapshot, dir_ + "/scratch");
  ASSERT_TRUE(status.ok()) << status.ToString();
  Catalog& a = source->catalog();
  Catalog& b = restored->catalog();
  auto type_a = a.GetConnectorType("svc").value(), type_b = b.GetConnectorType("svc").value();
  EXPECT_EQ(type_b.description, type_a.description);
  EXPECT_EQ(type_b.version, type_a.version);
  EXPECT_EQ(type_b.config_schema, type_a.config_schema);
  EXPECT_EQ(type_b.kind, "declared");
  EXPECT_EQ(type_b.registered, type_a.registered);
  auto entities_a = a.ListEntities("svc", Catalog::EntityOrder::kDefinition).value();
  auto entities_b = b.ListEntities("svc", Catalog::EntityOrder::kDefinition).value();
  ASSERT_EQ(entities_b.size(), entities_a.size());
  for (size_t i = 0; i < entities_a.size(); ++i) {
    EXPECT_EQ(entities_b[i].name, entities_a[i].name);
    EXPECT_EQ(entities_b[i].fields, entities_a[i].fields);
    EXPECT_EQ(entities_b[i].cursor, entities_a[i].cursor);
    EXPECT_EQ(entities_b[i].parent, entities_a[i].parent);
    EXPECT_EQ(entities_b[i].applies_offset, entities_a[i].applies_offset);
    EXPECT_EQ(entities_b[i].handler.code, entities_a[i].handler.code);
    EXPECT_EQ(entities_b[i].handler.origin, entities_a[i].handler.origin);
  }
  auto actions = b.ListActions("svc").value();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].name, "zeta.poke");
  auto connector = b.GetConnector("c").value();
  EXPECT_EQ(connector.config, a.GetConnector("c").value().config) << "templates stay unresolved";
  EXPECT_EQ(connector.options, Value::parse(R"({"batch_size": 7})"));
  EXPECT_FALSE(restored->secrets().Exists("unrelated").value());

  // The restored connector runs its handler, with its secret opened.
  CaptureSink out;
  status = Run(*restored, out, "SELECT id, n FROM c.zeta;");
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(out.results.size(), 1u);
  ASSERT_EQ(out.results[0].rows.size(), 1u);
  EXPECT_EQ(out.results[0].rows[0][0], Value("https://example.test/ü"));
  EXPECT_EQ(out.results[0].rows[0][1], Value(12));
}

TEST_F(CatalogSnapshotTest, AnotherKeyFailsAsWrongKeyWithoutTheSecret) {
  auto source = Fresh();
  CaptureSink sink;
  ASSERT_TRUE(Run(*source, sink, kDefinitions).ok());
  auto snapshot = SnapshotConnector(*source, "c");
  ASSERT_TRUE(snapshot.ok());
  key_->Set("a worker with another key");
  auto restored = Fresh();
  ASSERT_TRUE(RestoreSnapshot(*restored, *snapshot, dir_ + "/scratch").ok());
  CaptureSink out;
  Status status = Run(*restored, out, "SELECT id FROM c.zeta;");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.kind(), ErrorKind::kSecret) << status.ToString();
  EXPECT_NE(status.ToString().find("does not match"), std::string::npos) << status.ToString();
  EXPECT_EQ(status.ToString().find("k-0123456789"), std::string::npos);
  for (const std::string& line : out.lines) EXPECT_EQ(line.find("k-0123456789"), std::string::npos);
}

TEST_F(CatalogSnapshotTest, AMissingSecretIsNamed) {
  auto source = Fresh();
  CaptureSink sink;
  ASSERT_TRUE(Run(*source, sink, kDefinitions).ok());
  ASSERT_TRUE(Run(*source, sink, "DROP SECRET svc_key;").ok());
  auto snapshot = SnapshotConnector(*source, "c");
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(snapshot.status().ToString().find("secret 'svc_key' does not exist"), std::string::npos)
      << snapshot.status().ToString();
  EXPECT_NE(snapshot.status().ToString().find("connector 'c'"), std::string::npos);
}

TEST_F(CatalogSnapshotTest, IntegrationFolderTravelsAsAnArchive) {
  fs::path folder = fs::path(dir_) / "integ";
  fs::create_directories(folder / "tables" / "deep");
  std::ofstream(folder / "package.json") << R"({"name": "x", "main": "main.js"})";
  std::ofstream(folder / "main.js") << "export default 1;\n";
  std::ofstream(folder / "tables" / "deep" / "t.js") << "// ü\n";
  std::ofstream(folder / "run.sh") << "#!/bin/sh\n";
  ASSERT_EQ(chmod((folder / "run.sh").c_str(), 0755), 0);
  fs::create_symlink(folder / "main.js", folder / "linked.js");
  auto source = Fresh();
  ConnectorTypeDef type;
  type.name = "integ";
  type.kind = "integration";
  type.integration = folder.string();
  ASSERT_TRUE(source->catalog().PutConnectorType(type, false).ok());
  ConnectorDef connector;
  connector.name = "ic";
  connector.type = "integ";
  ASSERT_TRUE(source->catalog().PutConnector(connector, false).ok());

  auto snapshot = SnapshotConnector(*source, "ic");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_FALSE(snapshot->integration_archive.empty());
  auto restored = Fresh();
  std::string scratch = dir_ + "/scratch";
  Status status = RestoreSnapshot(*restored, *snapshot, scratch);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto restored_type = restored->catalog().GetConnectorType("integ").value();
  EXPECT_EQ(restored_type.kind, "integration");
  fs::path unpacked = restored_type.integration;
  EXPECT_TRUE(unpacked.string().starts_with(scratch)) << unpacked;
  auto read = [](const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(read(unpacked / "tables" / "deep" / "t.js"), "// ü\n");
  EXPECT_EQ(read(unpacked / "linked.js"), "export default 1;\n") << "a link travels as its file";
  EXPECT_NE(fs::status(unpacked / "run.sh").permissions() & fs::perms::owner_exec, fs::perms::none);

  // A damaged archive is refused, not unpacked half.
  CatalogSnapshot damaged = *snapshot;
  damaged.integration_archive = damaged.integration_archive.substr(0, damaged.integration_archive.size() / 2);
  auto again = Fresh();
  EXPECT_FALSE(RestoreSnapshot(*again, damaged, dir_ + "/scratch2").ok());
}

TEST_F(CatalogSnapshotTest, AnIntegrationOver64MiBIsRefused) {
  fs::path folder = fs::path(dir_) / "big";
  fs::create_directories(folder);
  {
    std::ofstream out(folder / "data.bin", std::ios::binary);
    out.seekp((65ll << 20) - 1);
    out.put('\0');
  }
  auto source = Fresh();
  ConnectorTypeDef type;
  type.name = "big";
  type.kind = "integration";
  type.integration = folder.string();
  ASSERT_TRUE(source->catalog().PutConnectorType(type, false).ok());
  ASSERT_TRUE(source->catalog().PutConnector({"bc", "big"}, false).ok());
  auto snapshot = SnapshotConnector(*source, "bc");
  ASSERT_FALSE(snapshot.ok());
  EXPECT_NE(snapshot.status().message().find("over 64 MiB"), std::string::npos) << snapshot.status().ToString();
  EXPECT_NE(snapshot.status().message().find("connector 'bc'"), std::string::npos);
}

TEST_F(CatalogSnapshotTest, OtherKindsAreRefusedNamingTheConnector) {
  auto source = Fresh();
  ConnectorTypeDef type;
  type.name = "cq";
  type.kind = "cloudquery";
  type.integration = "grpc://localhost:7777";
  ASSERT_TRUE(source->catalog().PutConnectorType(type, false).ok());
  ASSERT_TRUE(source->catalog().PutConnector({"aws", "cq"}, false).ok());
  auto snapshot = SnapshotConnector(*source, "aws");
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(snapshot.status().message().find("connector 'aws'"), std::string::npos);
}

TEST_F(CatalogSnapshotTest, MalformedSnapshotsAreRefused) {
  auto source = Fresh();
  CaptureSink sink;
  ASSERT_TRUE(Run(*source, sink, kDefinitions).ok());
  auto snapshot = SnapshotConnector(*source, "c");
  ASSERT_TRUE(snapshot.ok());
  std::vector<std::function<void(Value&)>> breakages = {
      [](Value& v) { v = Value::array(); },
      [](Value& v) { v["format"] = 99; },
      [](Value& v) { v.erase("type"); },
      [](Value& v) { v["type"]["name"] = 3; },
      [](Value& v) { v["type"]["kind"] = "cloudquery"; },
      [](Value& v) { v["type"]["kind"] = "integration"; },  // no archive
      [](Value& v) { v["entities"] = Value::object(); },
      [](Value& v) { v["entities"][0]["handler"] = "x"; },
      [](Value& v) { v["entities"][0]["parent"] = "nowhere"; },
      [](Value& v) { v["actions"][0] = 1; },
      [](Value& v) { v["connector"]["type"] = "other"; },
      [](Value& v) { v["connector"]["config"] = "{}"; },
      [](Value& v) { v["secrets"] = Value::array(); },
  };
  for (size_t i = 0; i < breakages.size(); ++i) {
    CatalogSnapshot broken = *snapshot;
    breakages[i](broken.catalog);
    auto restored = Fresh();
    Status status = RestoreSnapshot(*restored, broken, dir_ + "/s" + std::to_string(i));
    EXPECT_FALSE(status.ok()) << "breakage " << i;
  }
}

}  // namespace
}  // namespace sluice
