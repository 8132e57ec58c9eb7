#include "lang/package_builder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/source_text.h"
#include "lang/interpreter.h"
#include "lang/parser.h"
#include "package/archive.h"
#include "package/digest.h"

namespace sluice {
namespace {

class NullSink : public OutputSink {
 public:
  void Emit(const ResultSet&) override {}
  void Print(const std::string&) override {}
  void Log(const std::string& line) override { logs.push_back(line); }
  std::vector<std::string> logs;
};

constexpr const char* kDefinitions = R"sql(
CREATE CONNECTOR TYPE 'svc' DESCRIPTION 'Ünïcode ''svc''' VERSION '0.3.0'
  CONFIG_SCHEMA {"url": {"type": "string"}, "key": {"type": "string", "secret": true}};
CREATE CONNECTOR ENTITY 'svc.zeta' FIELDS {"id": {"type": "string", "primary_key": true}, "t": {"type": "timestamp"}}
  CURSOR 't'
  QUERY_HANDLER '''async function query() { return [{id: "a"}]; }''';
CREATE CONNECTOR ENTITY 'svc.alpha' FIELDS {"zid": {"type": "string", "primary_key": true}, "n": {"type": "integer", "primary_key": true}}
  PARENT 'svc.zeta' PUSHDOWN OFFSET
  QUERY_HANDLER '''async function query() { return []; }''';
CREATE CONNECTOR ACTION 'svc.zeta.poke' PARAMETERS {"x": {"type": "integer"}}
  HANDLER '''async function handler() { return {}; }''';
)sql";

constexpr const char* kPassingTest = R"sql(TEST CONNECTOR TYPE 'svc' NAME 'one row'
BEGIN
  CREATE CONNECTOR c TYPE 'svc' CONFIG {"url": "x", "key": "k"};
  DECLARE rows = SELECT * FROM c.zeta;
  ASSERT ARRAY_LENGTH(rows) = 1;
END TEST;)sql";

std::unique_ptr<Workspace> Define(const std::string& sql) {
  auto workspace = Workspace::Open(":memory:");
  EXPECT_TRUE(workspace.ok()) << workspace.status().message();
  NullSink sink;
  Interpreter interpreter(**workspace, sink);
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"<test>", sql}));
  EXPECT_TRUE(parsed.ok()) << parsed.errors.front().message();
  for (const auto& statement : parsed.program.statements) {
    Status status = interpreter.Execute(statement);
    EXPECT_TRUE(status.ok()) << status.message();
  }
  EXPECT_TRUE((*workspace)
                  ->packages()
                  .PutTest(RecordedTest{"svc", "one row", kPassingTest, "t.sql:1:1"})
                  .ok());
  return std::move(workspace).value();
}

PackageRequest Request() {
  PackageRequest request;
  request.type = "svc";
  request.version = "1.0.0";
  request.license = "MIT";
  request.author = "Zoë";
  return request;
}

std::map<std::string, std::string> Entries(const std::string& archive) {
  auto entries = ReadArchive(archive);
  EXPECT_TRUE(entries.ok()) << entries.status().message();
  std::map<std::string, std::string> out;
  for (auto& entry : *entries) out[entry.path] = entry.data;
  return out;
}

TEST(PackageBuilderTest, SameCatalogSameBytes) {
  NullSink sink;
  auto a = Define(kDefinitions);
  auto b = Define(kDefinitions);
  auto first = BuildPackage(*a, Request(), sink);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = BuildPackage(*b, Request(), sink);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(first->sha256, second->sha256);
  EXPECT_EQ(first->sha256, Sha256Hex(first->archive));
  EXPECT_EQ(first->file_name, "svc-1.0.0.sluicepkg");
}

TEST(PackageBuilderTest, ContentsAndManifest) {
  NullSink sink;
  auto workspace = Define(kDefinitions);
  auto built = BuildPackage(*workspace, Request(), sink);
  ASSERT_TRUE(built.ok()) << built.status().message();
  auto entries = Entries(built->archive);
  ASSERT_TRUE(entries.count("sql/svc.sql"));
  ASSERT_TRUE(entries.count("js/zeta.query.js"));
  ASSERT_TRUE(entries.count("js/alpha.query.js"));
  ASSERT_TRUE(entries.count("js/zeta.poke.action.js"));
  ASSERT_TRUE(entries.count("tests/svc.sql"));
  const std::string& sql = entries["sql/svc.sql"];
  // The parent comes first although it sorts later by name.
  EXPECT_LT(sql.find("'svc.zeta'"), sql.find("'svc.alpha'"));
  EXPECT_NE(sql.find("PUSHDOWN OFFSET"), std::string::npos);
  EXPECT_NE(sql.find("'Ünïcode ''svc'''"), std::string::npos);
  EXPECT_NE(sql.find("VERSION '1.0.0'"), std::string::npos);
  EXPECT_NE(entries["tests/svc.sql"].find("NAME 'one row'"), std::string::npos);

  auto manifest = Manifest::Parse(entries["sluice-package.json"]);
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  EXPECT_EQ(manifest->description, "Ünïcode 'svc'");
  EXPECT_EQ(manifest->author, "Zoë");
  EXPECT_EQ(manifest->secrets, std::vector<std::string>{"key"});
  ASSERT_EQ(manifest->entities.size(), 2u);
  EXPECT_EQ(manifest->entities[1].primary_key, (std::vector<std::string>{"zid", "n"}));
  EXPECT_EQ(manifest->entities[1].parent, "zeta");
  EXPECT_EQ(manifest->entities[0].cursor, "t");
  EXPECT_EQ(manifest->files.size(), entries.size() - 1);
  for (const auto& file : manifest->files)
    EXPECT_EQ(file.sha256, Sha256Hex(entries[file.path])) << file.path;

  // The regenerated SQL and tests, run into a fresh workspace, build the same package.
  auto again = Workspace::Open(":memory:");
  ASSERT_TRUE(again.ok());
  {
    Interpreter interpreter(**again, sink);
    std::string script = sql;
    for (const char* name : {"zeta.query.js", "alpha.query.js", "zeta.poke.action.js"}) {
      // FILE paths resolve beside the script; inline them for this in-memory check.
      std::string file = "FILE '../js/" + std::string(name) + "'";
      size_t at = script.find(file);
      ASSERT_NE(at, std::string::npos) << name;
      script.replace(at, file.size(), "'''" + entries["js/" + std::string(name)] + "'''");
    }
    ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"<again>", script}));
    ASSERT_TRUE(parsed.ok()) << parsed.errors.front().message();
    for (const auto& statement : parsed.program.statements)
      ASSERT_TRUE(interpreter.Execute(statement).ok());
  }
  ASSERT_TRUE(
      (*again)->packages().PutTest(RecordedTest{"svc", "one row", kPassingTest, "t.sql:1:1"}).ok());
  auto rebuilt = BuildPackage(**again, Request(), sink);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().message();
  EXPECT_EQ(rebuilt->sha256, built->sha256);
}

void ExpectRefused(Workspace& workspace, const PackageRequest& request, const std::string& needle) {
  NullSink sink;
  auto built = BuildPackage(workspace, request, sink);
  ASSERT_FALSE(built.ok()) << "packaged, expecting: " << needle;
  EXPECT_NE(built.status().message().find(needle), std::string::npos) << built.status().message();
}

TEST(PackageBuilderTest, Refusals) {
  auto workspace = Define(kDefinitions);
  PackageRequest request = Request();
  request.version = "1.0";
  ExpectRefused(*workspace, request, "1.0");
  request = Request();
  request.license = "";
  ExpectRefused(*workspace, request, "names its license");
  request.license = "Not-A-License";
  ExpectRefused(*workspace, request, "Not-A-License");
  request = Request();
  request.type = "ghost";
  ExpectRefused(*workspace, request, "ghost");
  request = Request();
  request.version = "";  // the type's own VERSION is used
  NullSink sink;
  auto built = BuildPackage(*workspace, request, sink);
  ASSERT_TRUE(built.ok()) << built.status().message();
  EXPECT_EQ(built->manifest.version, "0.3.0");
}

TEST(PackageBuilderTest, FailingRecordedTestRefuses) {
  auto workspace = Define(kDefinitions);
  ASSERT_TRUE(
      workspace->packages()
          .PutTest(RecordedTest{
              "svc", "always fails",
              "TEST CONNECTOR TYPE 'svc' NAME 'always fails'\nBEGIN\n  ASSERT 1 = 2;\nEND TEST;",
              "t.sql:9:1"})
          .ok());
  ExpectRefused(*workspace, Request(), "test 'always fails' failed");
}

TEST(PackageBuilderTest, RecordedTestRunningPackageDoesNotRecurse) {
  auto workspace = Define(kDefinitions);
  ASSERT_TRUE(
      workspace->packages()
          .PutTest(RecordedTest{
              "svc", "packages itself",
              "TEST CONNECTOR TYPE 'svc' NAME 'packages itself'\nBEGIN\n"
              "  PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' LICENSE 'MIT' TO '/nonexistent/x';\n"
              "END TEST;",
              "t.sql:9:1"})
          .ok());
  ExpectRefused(*workspace, Request(), "from inside a connector test");
}

TEST(PackageBuilderTest, FolderFilesAndBreakingChanges) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sluice_pkg_files_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "migrations");
  auto write = [&](const std::string& path, const std::string& text) {
    std::ofstream(dir / path) << text;
  };
  write("README.md", "# svc\n");
  write("LICENSE", "MIT License\n");
  write("migrations/2.0.0.sql", "-- nothing\n");
  write(
      "breaking.json",
      R"({"2.0.0": {"message": "zeta.id is a string", "entities": ["zeta"], "reset_state": true}})");
  auto workspace = Define(kDefinitions);
  PackageRequest request = Request();
  request.version = "2.0.0";
  request.files_dir = dir.string();
  NullSink sink;
  auto built = BuildPackage(*workspace, request, sink);
  ASSERT_TRUE(built.ok()) << built.status().message();
  auto entries = Entries(built->archive);
  EXPECT_EQ(entries["README.md"], "# svc\n");
  EXPECT_EQ(entries["LICENSE"], "MIT License\n");
  EXPECT_TRUE(entries.count("migrations/2.0.0.sql"));
  ASSERT_EQ(built->manifest.breaking_changes.size(), 1u);
  EXPECT_EQ(built->manifest.breaking_changes[0].version, "2.0.0");
  EXPECT_TRUE(built->manifest.breaking_changes[0].reset_state);
  EXPECT_EQ(built->manifest.breaking_changes[0].entities, std::vector<std::string>{"zeta"});

  write("breaking.json", R"({"two": {"message": "m"}})");
  ExpectRefused(*workspace, request, "breaking.json");
  write("breaking.json", "{}");
  write("migrations/next.sql", "");
  ExpectRefused(*workspace, request, "must be named <version>.sql");
  fs::remove_all(dir);
}

TEST(PackageBuilderTest, PluginTypeRefused) {
  auto workspace = Define(kDefinitions);
  ConnectorTypeDef plugin;
  plugin.name = "remote";
  plugin.kind = "plugin";
  plugin.integration = "127.0.0.1:7777";
  plugin.version = "1.0.0";
  ASSERT_TRUE(workspace->catalog().PutConnectorType(plugin, false).ok());
  PackageRequest request = Request();
  request.type = "remote";
  ExpectRefused(*workspace, request, "a package cannot carry");
}

}  // namespace
}  // namespace sluice
