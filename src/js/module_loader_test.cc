#include "js/module_loader.h"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::js {
namespace {

namespace fs = std::filesystem;

// A package tree in a temporary directory, removed afterwards.
class ModuleLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("sluice-loader-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    Write("package.json", R"({"name": "p", "type": "module", "main": "src/main.js"})");
    Write("src/main.js", "");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& path, const std::string& text) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path) << text;
  }
  std::unique_ptr<ModuleLoader> Loader() {
    auto loader = ModuleLoader::Create(root_);
    EXPECT_TRUE(loader.ok()) << loader.status().ToString();
    return std::move(loader).value();
  }
  std::string Key(const std::string& path) { return fs::canonical(root_ / path).string(); }

  fs::path root_;
};

TEST_F(ModuleLoaderTest, MainComesFromPackageJson) {
  auto loader = Loader();
  auto main = loader->MainModule();
  ASSERT_TRUE(main.ok()) << main.status().ToString();
  EXPECT_EQ(main->key, Key("src/main.js"));
  EXPECT_EQ(main->kind, ModuleLoader::Kind::kEsm);
}

TEST_F(ModuleLoaderTest, RelativePathsTryExtensionsAndKindFollowsType) {
  Write("src/util.cjs", "");
  Write("src/data.json", "{}");
  Write("src/legacy/package.json", R"({"type": "commonjs"})");
  Write("src/legacy/old.js", "");
  auto loader = Loader();
  std::string main = Key("src/main.js");
  auto util = loader->Resolve(main, "./util", false);
  ASSERT_TRUE(util.ok()) << util.status().ToString();
  EXPECT_EQ(util->kind, ModuleLoader::Kind::kCommonJs);
  EXPECT_EQ(loader->Resolve(main, "./data.json", false)->kind, ModuleLoader::Kind::kJson);
  EXPECT_EQ(loader->Resolve(main, "./legacy/old.js", false)->kind, ModuleLoader::Kind::kCommonJs);
  auto missing = loader->Resolve(main, "./nope.js", false);
  EXPECT_FALSE(missing.ok());
  // Files are named from the integration's directory, as the user knows them.
  EXPECT_NE(missing.status().message().find("imported by " + root_.filename().string() + "/src/main.js"),
            std::string::npos)
      << missing.status().message();
}

TEST_F(ModuleLoaderTest, PackageExportsHonourConditionsAndPatterns) {
  Write("node_modules/@s/pkg/package.json",
        R"({"exports": {".": {"require": "./r.cjs", "import": "./i.mjs"}, "./feature/*": "./lib/*.js",
            "./private": null}})");
  Write("node_modules/@s/pkg/r.cjs", "");
  Write("node_modules/@s/pkg/i.mjs", "");
  Write("node_modules/@s/pkg/lib/x.js", "");
  auto loader = Loader();
  std::string main = Key("src/main.js");
  EXPECT_EQ(loader->Resolve(main, "@s/pkg", false)->key, Key("node_modules/@s/pkg/i.mjs"));
  EXPECT_EQ(loader->Resolve(main, "@s/pkg", true)->key, Key("node_modules/@s/pkg/r.cjs"));
  EXPECT_EQ(loader->Resolve(main, "@s/pkg/feature/x", false)->key, Key("node_modules/@s/pkg/lib/x.js"));
  auto hidden = loader->Resolve(main, "@s/pkg/private", false);
  ASSERT_FALSE(hidden.ok());
  EXPECT_NE(hidden.status().message().find("does not export './private'"), std::string::npos);
  EXPECT_FALSE(loader->Resolve(main, "@s/pkg/lib/x.js", false).ok()) << "outside exports";
}

TEST_F(ModuleLoaderTest, PackagesWithoutExportsUseMainThenIndex) {
  Write("node_modules/a/package.json", R"({"main": "lib/entry"})");
  Write("node_modules/a/lib/entry.js", "");
  Write("node_modules/b/index.js", "");
  Write("src/deep/er/file.js", "");
  auto loader = Loader();
  std::string from = Key("src/deep/er/file.js");
  EXPECT_EQ(loader->Resolve(from, "a", false)->key, Key("node_modules/a/lib/entry.js"));
  EXPECT_EQ(loader->Resolve(from, "b", false)->key, Key("node_modules/b/index.js"));
  // A package's own node_modules is searched before the integration's.
  Write("node_modules/a/node_modules/b/index.js", "");
  EXPECT_EQ(loader->Resolve(Key("node_modules/a/lib/entry.js"), "b", true)->key,
            Key("node_modules/a/node_modules/b/index.js"));
}

TEST_F(ModuleLoaderTest, SdkPathsAreBuiltInAndNodeBuiltinsAreRefused) {
  auto loader = Loader();
  std::string main = Key("src/main.js");
  auto serve = loader->Resolve(main, "@cloudquery/plugin-sdk-javascript/plugin/serve", false);
  ASSERT_TRUE(serve.ok());
  EXPECT_EQ(serve->key, "sluice:sdk/plugin/serve.js");
  EXPECT_EQ(serve->kind, ModuleLoader::Kind::kBuiltin);
  EXPECT_TRUE(loader->Source(*serve).ok());
  EXPECT_EQ(loader->Resolve(main, "@apache-arrow/esnext-esm", false)->key, "sluice:sdk/arrow.js");
  auto internal = loader->Resolve(main, "@cloudquery/plugin-sdk-javascript/grpc/server", false);
  ASSERT_FALSE(internal.ok());
  EXPECT_NE(internal.status().message().find("plugin/serve"), std::string::npos) << "lists the provided paths";
  for (const char* builtin : {"fs", "node:fs", "path", "child_process", "node:stream"}) {
    auto refused = loader->Resolve(main, builtin, false);
    ASSERT_FALSE(refused.ok()) << builtin;
    EXPECT_NE(refused.status().message().find("Node.js built-in"), std::string::npos) << builtin;
  }
  // Sluice's internal modules are reachable from built-ins only.
  EXPECT_FALSE(loader->Resolve(main, "sluice:sdk/host.js", false).ok());
  auto relative = loader->Resolve("sluice:sdk/schema/table.js", "../arrow.js", false);
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->key, "sluice:sdk/arrow.js");
}

TEST_F(ModuleLoaderTest, NothingOutsideTheDirectoryIsRead) {
  fs::path outside = root_.parent_path() / (root_.filename().string() + "-outside");
  fs::create_directories(outside);
  std::ofstream(outside / "secret.js") << "export default 1;";
  fs::create_directories(root_ / "node_modules");
  fs::create_symlink(outside, root_ / "node_modules" / "escape");
  auto loader = Loader();
  std::string main = Key("src/main.js");
  auto through_link = loader->Resolve(main, "escape/secret.js", false);
  EXPECT_FALSE(through_link.ok());
  EXPECT_NE(through_link.status().message().find("outside the integration directory"), std::string::npos)
      << through_link.status().message();
  EXPECT_FALSE(loader->Resolve(main, "../../" + root_.filename().string() + "-outside/secret.js", false).ok());
  EXPECT_FALSE(loader->Resolve(main, (outside / "secret.js").string(), false).ok());
  EXPECT_FALSE(loader->Source({(outside / "secret.js").string(), ModuleLoader::Kind::kCommonJs}).ok());
  fs::remove_all(outside);
}

}  // namespace
}  // namespace sluice::js
