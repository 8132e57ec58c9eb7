#include "package/manifest.h"

#include <gtest/gtest.h>

#include <functional>

#include "package/digest.h"

namespace sluice {
namespace {

Manifest Sample() {
  Manifest m;
  m.name = "github";
  m.version = "1.2.0";
  m.description = "GitHub — issues and Übersicht";
  m.author = "Zoë <zoe@example.com>";
  m.license = "MIT";
  m.engine = ">=0.1.0";
  m.kind = "declared";
  ManifestEntity issues;
  issues.name = "issues";
  issues.fields = Value::parse(
      R"({"id": {"type": "integer", "primary_key": true}, "updated_at": {"type": "string"}})");
  issues.primary_key = {"id"};
  issues.cursor = "updated_at";
  ManifestEntity comments;
  comments.name = "comments";
  comments.fields = Value::parse(R"({"id": {"type": "integer"}})");
  comments.parent = "issues";
  m.entities = {issues, comments};
  m.actions = {ManifestAction{"issues.close", "Close an issue",
                              Value::parse(R"({"number": {"type": "integer"}})")}};
  m.config_schema =
      Value::parse(R"({"token": {"type": "string", "secret": true}, "org": {"type": "string"}})");
  m.secrets = {"token"};
  m.files = {ManifestFile{"js/issues.query.js", Sha256Hex("x"), 1},
             ManifestFile{"sql/github.sql", Sha256Hex("y"), 1}};
  m.breaking_changes = {
      BreakingChange{"2.0.0", "issues.id became a string", {"issues"}, true, "2027-01-01"}};
  return m;
}

TEST(ManifestTest, RoundTripsAndIsCanonical) {
  Manifest m = Sample();
  std::string json = m.ToJson();
  auto parsed = Manifest::Parse(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->ToJson(), json);
  EXPECT_EQ(parsed->description, m.description);
  EXPECT_EQ(parsed->author, m.author);
  ASSERT_EQ(parsed->entities.size(), 2u);
  EXPECT_EQ(parsed->entities[0].cursor, "updated_at");
  EXPECT_EQ(parsed->entities[1].parent, "issues");
  ASSERT_EQ(parsed->breaking_changes.size(), 1u);
  EXPECT_TRUE(parsed->breaking_changes[0].reset_state);
  EXPECT_EQ(parsed->engine, ">=0.1.0");
  // Canonical: sorted keys, two-space indent, UTF-8 kept, trailing newline.
  EXPECT_EQ(json.back(), '\n');
  EXPECT_LT(json.find("\"actions\""), json.find("\"author\""));
  EXPECT_NE(json.find("Übersicht"), std::string::npos);
  EXPECT_EQ(json.find("\"schema_version\": 1"), json.rfind("\"schema_version\": 1"));
}

TEST(ManifestTest, KeyOrderOfInputDoesNotMatter) {
  Manifest a = Sample();
  Manifest b = Sample();
  b.config_schema =
      Value::parse(R"({"org": {"type": "string"}, "token": {"secret": true, "type": "string"}})");
  EXPECT_EQ(a.ToJson(), b.ToJson());
}

// Edits the sample's JSON, then expects Parse to refuse with `needle` in the message.
void ExpectRefused(const std::function<void(Value&)>& edit, const std::string& needle) {
  Value v = Value::parse(Sample().ToJson());
  edit(v);
  auto parsed = Manifest::Parse(v.dump());
  ASSERT_FALSE(parsed.ok()) << "accepted after edit expecting '" << needle << "'";
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(needle), std::string::npos) << parsed.status().message();
}

TEST(ManifestTest, RefusesMalformedFields) {
  ExpectRefused([](Value& v) { v.erase("name"); }, "\"name\" is missing");
  ExpectRefused([](Value& v) { v["name"] = 7; }, "must be a string");
  ExpectRefused([](Value& v) { v["name"] = "bad name"; }, "bad name");
  ExpectRefused([](Value& v) { v["version"] = "1.0"; }, "1.0");
  ExpectRefused([](Value& v) { v["version"] = "v1.0.0"; }, "v1.0.0");
  ExpectRefused([](Value& v) { v["license"] = "Nope-1.0"; }, "Nope-1.0");
  ExpectRefused([](Value& v) { v.erase("license"); }, "\"license\" is missing");
  ExpectRefused([](Value& v) { v["engines"]["sluice"] = ">=>=1"; }, "engines.sluice");
  ExpectRefused([](Value& v) { v["engines"] = "x"; }, "must be an object");
  ExpectRefused([](Value& v) { v["kind"] = "plugin"; }, "'plugin'");
  ExpectRefused([](Value& v) { v["schema_version"] = "1"; }, "schema_version");
  ExpectRefused([](Value& v) { v["schema_version"] = 0; }, "schema_version");
  ExpectRefused([](Value& v) { v["description"] = std::string("a\x01z"); }, "control character");
  ExpectRefused([](Value& v) { v["description"] = std::string(70000, 'x'); }, "longer than");
}

TEST(ManifestTest, RefusesBadFiles) {
  ExpectRefused([](Value& v) { v["files"][0]["path"] = "../etc/passwd"; }, "../etc/passwd");
  ExpectRefused([](Value& v) { v["files"][0]["path"] = "/abs"; }, "/abs");
  ExpectRefused([](Value& v) { v["files"][0]["path"] = "sluice-package.json"; }, "manifest itself");
  ExpectRefused([](Value& v) { v["files"][0]["sha256"] = std::string(64, 'A'); }, "lower-case hex");
  ExpectRefused([](Value& v) { v["files"][0]["size"] = -1; }, "non-negative");
  ExpectRefused([](Value& v) { v["files"][0]["size"] = "1"; }, "non-negative");
  ExpectRefused([](Value& v) { v["files"][1]["path"] = v["files"][0]["path"]; }, "listed twice");
  ExpectRefused([](Value& v) { v["files"] = Value::object(); }, "must be an array");
}

TEST(ManifestTest, RefusesInconsistentEntities) {
  ExpectRefused([](Value& v) { v["entities"][0]["primary_key"] = {"nope"}; }, "not a field");
  ExpectRefused([](Value& v) { v["entities"][0]["cursor"] = "nope"; }, "not a field");
  ExpectRefused([](Value& v) { v["entities"][1]["parent"] = "ghost"; }, "ghost");
  ExpectRefused([](Value& v) { v["entities"][1]["name"] = "issues"; }, "listed twice");
  ExpectRefused([](Value& v) { v["entities"][0]["fields"]["id"] = 3; }, "must be an object");
  ExpectRefused([](Value& v) { v["actions"][0]["name"] = "a..b"; }, "action");
  ExpectRefused([](Value& v) { v["secrets"] = {"password"}; }, "not a config_schema field");
  ExpectRefused([](Value& v) { v["breaking_changes"] = {{"two", {{"message", "m"}}}}; }, "two");
  ExpectRefused([](Value& v) { v["breaking_changes"]["2.0.0"]["reset_state"] = "yes"; },
                "reset_state");
}

TEST(ManifestTest, RefusesHostileText) {
  EXPECT_FALSE(Manifest::Parse("").ok());
  EXPECT_FALSE(Manifest::Parse("[]").ok());
  EXPECT_FALSE(Manifest::Parse("{\"schema_version\": 1").ok());
  EXPECT_FALSE(Manifest::Parse(std::string(100000, '[')).ok());
  EXPECT_FALSE(Manifest::Parse("{\"name\": \"\xff\"}").ok());
  EXPECT_FALSE(Manifest::Parse(std::string(9u << 20, ' ')).ok());
}

TEST(ManifestTest, NewerSchemaWithUnknownKeysIsRefused) {
  Value v = Value::parse(Sample().ToJson());
  v["schema_version"] = 2;
  EXPECT_TRUE(Manifest::Parse(v.dump()).ok());
  v["capabilities"] = Value::array();
  auto parsed = Manifest::Parse(v.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("upgrade Sluice"), std::string::npos);
}

}  // namespace
}  // namespace sluice
