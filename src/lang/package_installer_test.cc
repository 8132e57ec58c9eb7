#include "lang/package_installer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lang/parser.h"
#include "package/digest.h"
#include "package/minisign.h"

namespace sluice {
namespace {

IndexEntry Entry(std::string version, bool yanked = false, std::string engine = ">=0.1.0") {
  IndexEntry entry;
  entry.name = "shop";
  entry.version = std::move(version);
  entry.sha256 = Sha256Hex(entry.version);
  entry.engine = std::move(engine);
  entry.yanked = yanked;
  return entry;
}

std::vector<IndexEntry> Versions() {
  return {Entry("1.0.0"), Entry("1.1.0"), Entry("1.2.0", /*yanked=*/true), Entry("1.3.0-beta.1"),
          Entry("2.0.0", false, ">=9.0.0")};
}

Result<ResolvedVersion> Resolve(const std::string& range,
                                std::optional<LockedPackage> pin = std::nullopt) {
  return ResolveVersion("shop", Versions(), range, pin, "registry 'r'", "0.1.0");
}

TEST(ResolveVersionTest, HighestNonYankedNonPrereleaseWithinEngine) {
  auto resolved = Resolve("");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->entry.version, "1.1.0");  // 1.2.0 yanked, 2.0.0 needs sluice 9
  EXPECT_FALSE(resolved->from_lock);
  EXPECT_EQ(Resolve("^1.0")->entry.version, "1.1.0");
  EXPECT_EQ(Resolve("~1.0")->entry.version, "1.0.0");
}

TEST(ResolveVersionTest, PrereleaseOnlyWhenTheRangeNamesOne) {
  EXPECT_EQ(Resolve(">=1.3.0-beta.0")->entry.version, "1.3.0-beta.1");
  EXPECT_FALSE(Resolve(">=1.3.0").ok());
}

TEST(ResolveVersionTest, NothingMatchesListsWhy) {
  auto resolved = Resolve(">=1.2.0");
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().kind(), ErrorKind::kNotFound);
  const std::string& message = resolved.status().message();
  EXPECT_NE(message.find("2.0.0 (needs sluice >=9.0.0)"), std::string::npos) << message;
  EXPECT_NE(message.find("1.2.0 (yanked)"), std::string::npos) << message;
  EXPECT_NE(message.find("1.0.0 (outside the range)"), std::string::npos) << message;
  EXPECT_NE(message.find("1.3.0-beta.1 (a prerelease the range does not name)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("registry 'r'"), std::string::npos) << message;
  EXPECT_FALSE(Resolve("not a range !!").ok());
}

TEST(ResolveVersionTest, LockPinGetsExactlyThatVersionEvenYanked) {
  LockedPackage pin{"1.2.0", Sha256Hex("1.2.0"), "^1", "r", ""};
  auto resolved = Resolve("^1", pin);
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->entry.version, "1.2.0");
  EXPECT_TRUE(resolved->from_lock);
  // A pin outside the asked range is not used.
  EXPECT_EQ(Resolve("~1.0", pin)->entry.version, "1.0.0");
}

TEST(ResolveVersionTest, LockPinWithAnotherDigestIsRefused) {
  LockedPackage pin{"1.1.0", std::string(64, 'a'), "", "r", ""};
  auto resolved = Resolve("", pin);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(resolved.status().message().find(std::string(64, 'a')), std::string::npos);
  EXPECT_NE(resolved.status().message().find(Sha256Hex("1.1.0")), std::string::npos);
  LockedPackage gone{"1.0.9", std::string(64, 'b'), "", "r", ""};
  EXPECT_EQ(Resolve("", gone).status().kind(), ErrorKind::kNotFound);
}

// A package built by hand: the manifest lists `files` (path → content).
struct Built {
  IndexEntry entry;
  FetchedPackage fetched;
};

const char* kSql =
    "CREATE CONNECTOR TYPE 'shop' CONFIG_SCHEMA {};\n"
    "CREATE CONNECTOR ENTITY 'shop.items' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": "
    "true}}\n"
    "  QUERY_HANDLER '''async function query() { return []; }''';\n";

Built Build(const std::string& version, std::vector<ArchiveEntry> files,
            const MinisignSecretKey* key, const std::vector<ArchiveEntry>& unlisted = {},
            std::string signed_version = "") {
  Manifest manifest;
  manifest.name = "shop";
  manifest.version = version;
  manifest.license = "MIT";
  manifest.engine = ">=0.1.0";
  manifest.kind = "declared";
  for (const ArchiveEntry& file : files)
    manifest.files.push_back({file.path, Sha256Hex(file.data), file.data.size()});
  files.push_back({kManifestPath, manifest.ToJson(), false});
  for (const ArchiveEntry& extra : unlisted) files.push_back(extra);
  Built built;
  auto archive = WriteArchive(files);
  EXPECT_TRUE(archive.ok()) << archive.status().ToString();
  built.fetched.archive = *archive;
  built.entry.name = "shop";
  built.entry.version = version;
  built.entry.sha256 = Sha256Hex(built.fetched.archive);
  built.entry.size = built.fetched.archive.size();
  if (key) {
    if (signed_version.empty()) signed_version = version;
    auto signature =
        MinisignSign(*key, built.fetched.archive,
                     PackageSignatureComment("shop", signed_version, built.entry.sha256));
    EXPECT_TRUE(signature.ok());
    built.fetched.signature = *signature;
    built.entry.is_signed = true;
  }
  return built;
}

std::vector<ArchiveEntry> Files() {
  return {{"sql/shop.sql", kSql, false}, {"README.md", "# shop\n", false}};
}

class VerifyPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *MinisignSecretKey::Generate();
    other_ = *MinisignSecretKey::Generate();
    policy_.trusted_keys = {key_.PublicKey().Base64()};
    policy_.registry_label = "registry 'r'";
  }
  MinisignSecretKey key_;
  MinisignSecretKey other_;
  TrustPolicy policy_;
};

TEST_F(VerifyPackageTest, SignedByTrustedKeyPasses) {
  Built built = Build("1.0.0", Files(), &key_);
  auto verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->key_id, key_.PublicKey().KeyIdHex());
  EXPECT_EQ(verified->manifest.version, "1.0.0");
}

TEST_F(VerifyPackageTest, FlippedByteIsRefused) {
  Built built = Build("1.0.0", Files(), &key_);
  built.fetched.archive[built.fetched.archive.size() / 2] ^= 1;
  auto verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
  // Even when the index were rewritten to the new digest, the signature fails.
  built.entry.sha256 = Sha256Hex(built.fetched.archive);
  verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
}

TEST_F(VerifyPackageTest, UnsignedNeedsAllowUnsigned) {
  Built built = Build("1.0.0", Files(), nullptr);
  auto verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(verified.status().message().find("ALLOW UNSIGNED"), std::string::npos);
  policy_.allow_unsigned = true;
  verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->key_id, "");
}

TEST_F(VerifyPackageTest, WrongKeyIsRefusedAndNamed) {
  Built built = Build("1.0.0", Files(), &other_);
  auto verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(verified.status().message().find(other_.PublicKey().KeyIdHex()), std::string::npos)
      << verified.status().message();
}

TEST_F(VerifyPackageTest, BareUrlTrustsNoKeySaysSo) {
  Built built = Build("1.0.0", Files(), &key_);
  policy_.trusted_keys.clear();
  auto verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.status().message().find("trusts no keys"), std::string::npos);
  policy_.allow_unsigned = true;
  EXPECT_TRUE(VerifyPackage(built.entry, built.fetched, policy_, "0.1.0").ok());
}

TEST_F(VerifyPackageTest, SignatureReplayedOnAnotherVersionIsRefusedEvenAllowingUnsigned) {
  // 1.0.1's bytes carrying a signature whose trusted comment says 1.0.0.
  Built built = Build("1.0.1", Files(), &key_, {}, "1.0.0");
  policy_.allow_unsigned = true;
  auto verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(verified.status().message().find("replayed"), std::string::npos)
      << verified.status().message();
  // And 1.0.0's whole signature file moved onto 1.0.1's bytes.
  Built old = Build("1.0.0", Files(), &key_);
  Built next = Build("1.0.1", Files(), nullptr);
  next.fetched.signature = old.fetched.signature;
  EXPECT_EQ(VerifyPackage(next.entry, next.fetched, policy_, "0.1.0").status().kind(),
            ErrorKind::kIntegrity);
}

TEST_F(VerifyPackageTest, ManifestDigestThatDoesNotMatchAFile) {
  std::vector<ArchiveEntry> files = Files();
  Built built = Build("1.0.0", files, &key_);
  // Rebuild with README changed after the manifest listed it.
  Manifest manifest;
  manifest.name = "shop";
  manifest.version = "1.0.0";
  manifest.license = "MIT";
  manifest.engine = ">=0.1.0";
  manifest.kind = "declared";
  for (const ArchiveEntry& file : files)
    manifest.files.push_back({file.path, Sha256Hex(file.data), file.data.size()});
  files[1].data = "# evil\n";
  files.push_back({kManifestPath, manifest.ToJson(), false});
  FetchedPackage fetched;
  fetched.archive = *WriteArchive(files);
  IndexEntry entry = built.entry;
  entry.sha256 = Sha256Hex(fetched.archive);
  entry.size = fetched.archive.size();
  fetched.signature =
      *MinisignSign(key_, fetched.archive, PackageSignatureComment("shop", "1.0.0", entry.sha256));
  auto verified = VerifyPackage(entry, fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(verified.status().message().find("README.md"), std::string::npos)
      << verified.status().message();
}

TEST_F(VerifyPackageTest, UnlistedFileIsRefused) {
  Built built = Build("1.0.0", Files(), &key_, {{"js/extra.js", "evil()", false}});
  auto verified = VerifyPackage(built.entry, built.fetched, policy_, "0.1.0");
  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.status().message().find("js/extra.js"), std::string::npos)
      << verified.status().message();
}

TEST_F(VerifyPackageTest, IndexAndManifestMustAgree) {
  Built built = Build("1.0.0", Files(), nullptr);
  policy_.allow_unsigned = true;
  built.entry.version = "1.0.5";
  EXPECT_EQ(VerifyPackage(built.entry, built.fetched, policy_, "0.1.0").status().kind(),
            ErrorKind::kIntegrity);
  Built garbage;
  garbage.fetched.archive = "not a tar.gz at all";
  garbage.entry = built.entry;
  garbage.entry.sha256 = Sha256Hex(garbage.fetched.archive);
  garbage.entry.size = garbage.fetched.archive.size();
  EXPECT_FALSE(VerifyPackage(garbage.entry, garbage.fetched, policy_, "0.1.0").ok());
}

ast::Program ParseSql(const std::string& text) {
  ParseResult parsed = Parse(std::make_shared<const SourceFile>(SourceFile{"sql/shop.sql", text}));
  EXPECT_TRUE(parsed.ok());
  return std::move(parsed.program);
}

TEST(CheckPackageStatementsTest, OnlyTheTypesOwnDefinitions) {
  EXPECT_TRUE(CheckPackageStatements(ParseSql(kSql), "shop").ok());
  Status other = CheckPackageStatements(
      ParseSql(std::string(kSql) + "CREATE CONNECTOR TYPE 'bank';\n"), "shop");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.message().find("line 4"), std::string::npos) << other.message();
  EXPECT_NE(other.message().find("'bank'"), std::string::npos) << other.message();
  Status sql = CheckPackageStatements(
      ParseSql(std::string(kSql) + "\nDELETE FROM _sluice_secrets;\n"), "shop");
  ASSERT_FALSE(sql.ok());
  EXPECT_NE(sql.message().find("line 5"), std::string::npos) << sql.message();
  Status secret = CheckPackageStatements(ParseSql("CREATE SECRET s VALUE 'x';"), "shop");
  EXPECT_FALSE(secret.ok());
  Status entity = CheckPackageStatements(
      ParseSql("CREATE CONNECTOR ENTITY 'shopx.items' FIELDS {\"id\": {\"type\": \"string\"}} "
               "QUERY_HANDLER '''async function query() { return []; }''';"),
      "shop");
  EXPECT_FALSE(entity.ok());
}

TEST(CheckPackageStatementsTest, DefinitionsMustBePlainJson) {
  EXPECT_TRUE(CheckPackageStatements(ParseSql("CREATE CONNECTOR TYPE 'shop' CONFIG_SCHEMA {\"n\": {\"type\": "
                                              "\"integer\", \"default\": -1, \"enum\": [1, 2]}};"),
                                     "shop")
                  .ok());
  const char* kHandler = " QUERY_HANDLER '''async function query() { return []; }''';";
  for (std::string sql :
       {std::string("CREATE CONNECTOR TYPE 'shop' CONFIG_SCHEMA {\"k\": {\"type\": \"string\", "
                    "\"default\": ENV('HOME')}};"),
        std::string("CREATE CONNECTOR TYPE 'shop';\nCREATE CONNECTOR ENTITY 'shop.items' FIELDS {\"id\": "
                    "{\"type\": (SELECT value FROM _sluice_meta)}}") + kHandler,
        std::string("CREATE CONNECTOR TYPE 'shop';\nCREATE CONNECTOR ACTION 'shop.ping' PARAMETERS {\"x\": "
                    "{\"default\": 1 + 1}} HANDLER '''async function run() {}''';")}) {
    Status status = CheckPackageStatements(ParseSql(sql), "shop");
    ASSERT_FALSE(status.ok()) << sql;
    EXPECT_NE(status.message().find("must be plain JSON"), std::string::npos) << status.message();
  }
}

TEST(CheckPackageStatementsTest, FromPluginIsRefusedInBothForms) {
  for (const char* sql : {"CREATE CONNECTOR TYPE 'shop' FROM PLUGIN LOCAL '../js/evil';",
                          "CREATE CONNECTOR TYPE 'shop' FROM PLUGIN 'localhost:7777';"}) {
    Status status = CheckPackageStatements(ParseSql(sql), "shop", "declared");
    ASSERT_FALSE(status.ok()) << sql;
    EXPECT_NE(status.message().find("FROM PLUGIN"), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("line 1"), std::string::npos) << status.message();
    EXPECT_FALSE(CheckPackageStatements(ParseSql(sql), "shop", "integration").ok()) << sql;
    EXPECT_FALSE(CheckPackageStatements(ParseSql(sql), "shop").ok()) << sql;
  }
}

TEST(CheckPackageStatementsTest, IntegrationMustMatchTheManifestKind) {
  const char* integration = "CREATE CONNECTOR TYPE 'shop' FROM INTEGRATION '../integration';";
  EXPECT_TRUE(CheckPackageStatements(ParseSql(integration), "shop", "integration").ok());
  Status declared = CheckPackageStatements(ParseSql(integration), "shop", "declared");
  ASSERT_FALSE(declared.ok());
  EXPECT_NE(declared.message().find("declared"), std::string::npos) << declared.message();
  Status missing = CheckPackageStatements(ParseSql(kSql), "shop", "integration");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("FROM INTEGRATION"), std::string::npos) << missing.message();
}

TEST(CheckPackageStatementsTest, PathsMustStayInsideThePackage) {
  const std::string handler =
      "CREATE CONNECTOR TYPE 'shop';\n"
      "CREATE CONNECTOR ACTION 'shop.leak' HANDLER FILE '";
  for (const char* path : {"/etc/passwd", "../../../../../../etc/passwd", "../../x.js"}) {
    Status status = CheckPackageStatements(ParseSql(handler + path + "';"), "shop", "declared");
    ASSERT_FALSE(status.ok()) << path;
    EXPECT_NE(status.message().find("line 2"), std::string::npos) << status.message();
    EXPECT_NE(status.message().find(path), std::string::npos) << status.message();
  }
  EXPECT_TRUE(
      CheckPackageStatements(ParseSql(handler + "../js/leak.action.js';"), "shop", "declared")
          .ok());
  for (const char* path : {"/work/main/examples/integrations/forge", "../../integration"}) {
    std::string sql = std::string("CREATE CONNECTOR TYPE 'shop' FROM INTEGRATION '") + path + "';";
    EXPECT_FALSE(CheckPackageStatements(ParseSql(sql), "shop", "integration").ok()) << path;
  }

  // A symbolic link inside the package that points out of it.
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sluice-pkgcheck-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sql");
  fs::create_directories(dir / "js");
  fs::create_symlink("/etc", dir / "js" / "out");
  fs::create_symlink("/tmp", dir / "integration");
  Status link = CheckPackageStatements(ParseSql(handler + "../js/out/passwd';"), "shop", "declared",
                                       dir.string());
  ASSERT_FALSE(link.ok());
  EXPECT_NE(link.message().find("outside the package folder"), std::string::npos) << link.message();
  Status integration = CheckPackageStatements(
      ParseSql("CREATE CONNECTOR TYPE 'shop' FROM INTEGRATION '../integration';"), "shop",
      "integration", dir.string());
  EXPECT_FALSE(integration.ok());
  EXPECT_TRUE(CheckPackageStatements(ParseSql(handler + "../js/leak.action.js';"), "shop",
                                     "declared", dir.string())
                  .ok());
  fs::remove_all(dir);
}

EntityDef Installed(std::string name, Value fields, std::string cursor = "") {
  EntityDef def;
  def.type = "shop";
  def.name = std::move(name);
  def.fields = std::move(fields);
  def.cursor = std::move(cursor);
  return def;
}

ManifestEntity Next(std::string name, Value fields, std::string cursor = "") {
  ManifestEntity entity;
  entity.name = std::move(name);
  entity.fields = std::move(fields);
  entity.cursor = std::move(cursor);
  return entity;
}

TEST(DiffEntitiesTest, AdditionsAreFineBreakingChangesAreListed) {
  Value v1 =
      Value::parse(R"({"id": {"type": "string", "primary_key": true}, "n": {"type": "integer"},
                              "at": {"type": "timestamp"}})");
  Value added = v1;
  added["color"] = Value::parse(R"({"type": "string"})");
  SchemaDiff diff = DiffEntities("shop", {Installed("items", v1, "at")},
                                 {Next("items", added, "at"), Next("tags", v1)});
  EXPECT_TRUE(diff.breaking.empty());
  ASSERT_EQ(diff.additions.size(), 2u);
  EXPECT_EQ(diff.additions[0], "field 'shop.items.color' is new");
  EXPECT_EQ(diff.additions[1], "entity 'shop.tags' is new");

  Value changed = v1;
  changed["n"]["type"] = "string";
  changed.erase("at");
  changed["id"].erase("primary_key");
  diff = DiffEntities("shop", {Installed("items", v1, "at"), Installed("gone", v1)},
                      {Next("items", changed, "")});
  std::vector<std::string> what;
  for (const auto& change : diff.breaking) what.push_back(change.what);
  auto has = [&](const std::string& text) {
    return std::find(what.begin(), what.end(), text) != what.end();
  };
  EXPECT_TRUE(has("field 'shop.items.at' is removed"));
  EXPECT_TRUE(has("field 'shop.items.n' changes type from integer to string"));
  EXPECT_TRUE(has("field 'shop.items.id' leaves the primary key"));
  EXPECT_TRUE(has("entity 'shop.items' changes its CURSOR from 'at' to (none)"));
  EXPECT_TRUE(has("entity 'shop.gone' is removed"));
  EXPECT_EQ(what.size(), 5u);
}

TEST(DiffEntitiesTest, DeclaredBreakingChangesCoverTheCrossedVersions) {
  Manifest next;
  next.version = "3.0.0";
  next.breaking_changes = {{"2.0.0", "ids are numbers", {"items"}, true, ""},
                           {"3.0.0", "tags go", {"tags"}, false, ""},
                           {"4.0.0", "future", {}, false, ""}};
  auto declared = DeclaredBreakingChanges(next, "1.5.0");
  ASSERT_EQ(declared.size(), 2u);
  EXPECT_EQ(DeclaredBreakingChanges(next, "2.0.0").size(), 1u);
  SchemaDiff diff;
  diff.breaking = {{"items", "a"}, {"tags", "b"}, {"users", "c"}};
  auto undeclared = UndeclaredBreaking(diff, declared);
  ASSERT_EQ(undeclared.size(), 1u);
  EXPECT_EQ(undeclared[0].entity, "users");
  declared.push_back({"2.5.0", "everything", {}, false, ""});
  EXPECT_TRUE(UndeclaredBreaking(diff, declared).empty());
}

}  // namespace
}  // namespace sluice
