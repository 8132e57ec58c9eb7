// The one list of destination types: its names and the errors built from
// them, the CONFIG checks before a destination opens, and the CloudQuery
// plugins that map to each type.
#include "dest/destination_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sluice {
namespace {

TEST(DestinationRegistryTest, BuiltinTypesInOrder) {
  const DestinationRegistry& registry = DestinationRegistry::Builtin();
  std::vector<std::string> names;
  for (const DestinationType& type : registry.types()) names.push_back(type.name);
  EXPECT_EQ(names, (std::vector<std::string>{"sqlite", "postgresql", "jsonl", "csv", "cloudquery"}));
  EXPECT_EQ(registry.QuotedNames(), "'sqlite', 'postgresql', 'jsonl', 'csv' or 'cloudquery'");
  EXPECT_NE(registry.Find("csv"), nullptr);
  EXPECT_EQ(registry.Find("CSV"), nullptr);
  EXPECT_EQ(registry.Find("file"), nullptr);
  for (const DestinationType& type : registry.types()) EXPECT_FALSE(type.doc.empty()) << type.name;
}

TEST(DestinationRegistryTest, CloudQueryPlugins) {
  const DestinationRegistry& registry = DestinationRegistry::Builtin();
  EXPECT_EQ(registry.CloudQueryPlugins(), (std::vector<std::string>{"sqlite", "postgresql", "file"}));
  EXPECT_EQ(JoinWithOr(registry.CloudQueryPlugins()), "sqlite, postgresql or file");
  std::vector<const DestinationType*> files = registry.ForPlugin("file");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]->name, "jsonl");
  EXPECT_EQ(files[0]->cloudquery_format, "json");
  EXPECT_EQ(files[1]->name, "csv");
  EXPECT_EQ(files[1]->cloudquery_format, "csv");
  // Types one plugin stands for read the same spec keys.
  ASSERT_EQ(files[0]->cloudquery_keys.size(), files[1]->cloudquery_keys.size());
  EXPECT_EQ(registry.ForPlugin("sqlite").front()->cloudquery_keys.front().spec, "connection_string");
  EXPECT_EQ(registry.ForPlugin("sqlite").front()->cloudquery_keys.front().config, "path");
  EXPECT_TRUE(registry.ForPlugin("s3").empty());
}

TEST(DestinationRegistryTest, JoinWithOr) {
  EXPECT_EQ(JoinWithOr({}), "");
  EXPECT_EQ(JoinWithOr({"a"}), "a");
  EXPECT_EQ(JoinWithOr({"a", "b"}), "a or b");
  EXPECT_EQ(JoinWithOr({"a", "b", "c"}), "a, b or c");
}

TEST(DestinationRegistryTest, OpenChecksTypeAndConfig) {
  const DestinationRegistry& registry = DestinationRegistry::Builtin();
  Result<std::unique_ptr<Destination>> opened = registry.Open("w", "oracle", Value::object());
  EXPECT_EQ(opened.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(opened.status().message(),
            "unknown destination type 'oracle' (expected 'sqlite', 'postgresql', 'jsonl', 'csv' or 'cloudquery')");
  opened = registry.Open("w", "sqlite", Value{{"path", 3}});
  EXPECT_EQ(opened.status().message(), "destination 'w' (sqlite) needs CONFIG {\"path\": \"…\"}");
  opened = registry.Open("w", "csv", Value::object());
  EXPECT_EQ(opened.status().message(), "destination 'w' (csv) needs CONFIG {\"path\": \"…\"}");
  opened = registry.Open("w", "postgresql", Value::object());
  EXPECT_EQ(opened.status().message(),
            "destination 'w' (postgresql) needs CONFIG {\"connection_string\": \"postgresql://user@host:5432/db\"}");
}

TEST(DestinationRegistryTest, OpensSqliteAndFiles) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sluice_destination_registry_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const DestinationRegistry& registry = DestinationRegistry::Builtin();
  Result<std::unique_ptr<Destination>> sqlite = registry.Open("w", "sqlite", Value{{"path", (dir / "x.db").string()}});
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  EXPECT_TRUE((*sqlite)->AbsorbsRepeats());
  Result<std::unique_ptr<Destination>> csv = registry.Open("exports", "csv", Value{{"path", (dir / "out").string()}});
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_FALSE((*csv)->AbsorbsRepeats());
  sqlite->reset();
  csv->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
