// PluginClient and PluginProcess against a real peer: the JavaScript SDK's
// own memdb plugin (tests/compat/node_modules, @cloudquery/plugin-sdk-
// javascript 0.1.25), started the JS SDK's way (js_style: --address
// unix:PATH), driven through discovery, Init, GetTables, Sync, a cancel,
// and its known crash (a skipped parent of a selected child kills the Node
// process mid-call).
#include "cloudquery/plugin_client.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace sluice::cq {
namespace {

namespace fs = std::filesystem;

const fs::path kMemdb = fs::path(SLUICE_SOURCE_DIR) /
                        "tests/compat/node_modules/@cloudquery/plugin-sdk-javascript/dist/main.js";

class MemdbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kMemdb) || std::system("node --version >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "node or tests/compat/node_modules missing (scripts/setup)";
    }
    directory_ = fs::temp_directory_path() / ("sluice-memdb-" + std::to_string(::getpid()));
    fs::create_directories(directory_);
    wrapper_ = (directory_ / "memdb").string();
    std::ofstream(wrapper_) << "#!/bin/sh\nexec node '" << kMemdb.string() << "' \"$@\"\n";
    fs::permissions(wrapper_, fs::perms::owner_all);
    LaunchOptions options;
    options.executable = wrapper_;
    options.js_style = true;
    options.start_timeout = std::chrono::seconds(60);
    options.log = [this](const std::string& level, const std::string& message) {
      std::lock_guard<std::mutex> lock(mutex_);
      logs_.push_back(level + " " + message);
    };
    Result<std::unique_ptr<PluginProcess>> process = PluginProcess::Launch(options);
    ASSERT_TRUE(process.ok()) << process.status().message();
    process_ = std::move(process).value();
    Result<std::unique_ptr<PluginClient>> client =
        PluginClient::Connect(process_->target(), "plugin 'memdb'");
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = std::move(client).value();
  }
  void TearDown() override {
    client_.reset();
    process_.reset();
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
  std::vector<std::string> Logs() {
    std::lock_guard<std::mutex> lock(mutex_);
    return logs_;
  }

  fs::path directory_;
  std::string wrapper_;
  std::unique_ptr<PluginProcess> process_;
  std::unique_ptr<PluginClient> client_;
  std::mutex mutex_;
  std::vector<std::string> logs_;
};

TEST_F(MemdbTest, SpeaksVersion3AndSyncsEveryTable) {
  ASSERT_TRUE(client_->CheckVersion().ok());
  EXPECT_EQ(*client_->GetName(), "memdb");
  EXPECT_FALSE(client_->GetVersion()->empty());
  Result<std::optional<std::string>> schema = client_->GetSpecSchema();
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->has_value());
  // The CLI's `null` for an empty spec: memdb refuses it, and the error
  // names the plugin and the call.
  Status null_spec = client_->Init("null", false, "");
  EXPECT_FALSE(null_spec.ok());
  EXPECT_NE(null_spec.message().find("plugin 'memdb': Init failed"), std::string::npos)
      << null_spec.message();
  ASSERT_TRUE(client_->Init("{}", false, "0b0c6c36-4b1f-4c55-9a55-7f9e1c1f7a10").ok());

  Result<std::vector<ArrowSchema>> tables = client_->GetTables({"*"}, {}, false);
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  std::vector<std::string> names;
  for (const ArrowSchema& table : *tables)
    names.push_back(MetadataValue(table.metadata, "cq:table_name"));
  EXPECT_EQ(names, (std::vector<std::string>{"table1", "table2", "table3", "table3_child1"}));

  Result<std::unique_ptr<SyncStream>> stream = client_->Sync(SyncOptions());
  ASSERT_TRUE(stream.ok());
  std::map<std::string, size_t> migrated, rows;
  while (true) {
    Result<std::optional<SyncMessage>> message = (*stream)->Next();
    ASSERT_TRUE(message.ok()) << message.status().message();
    if (!*message) break;
    if ((*message)->kind == SyncMessage::Kind::kMigrateTable) ++migrated[(*message)->table_name];
    if ((*message)->kind == SyncMessage::Kind::kInsert) {
      EXPECT_TRUE(migrated.count((*message)->table_name)) << "an insert before its migrate_table";
      rows[(*message)->table_name] += (*message)->record.rows.size();
    }
  }
  EXPECT_EQ(migrated.size(), 4u);
  EXPECT_EQ(rows["table1"], 3u);
  EXPECT_GT(rows["table3_child1"], 0u);

  // Its JSON log lines arrived with their level.
  bool info = false;
  for (const std::string& line : Logs()) info = info || line.rfind("info ", 0) == 0;
  EXPECT_TRUE(info);
  std::string socket = process_->target().substr(5);
  EXPECT_TRUE(fs::exists(socket));
  // SIGINT: a Node plugin exits 130, which is a clean stop; the socket it
  // leaves behind is removed.
  Status stopped = process_->Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.message();
  EXPECT_FALSE(fs::exists(socket));
}

TEST_F(MemdbTest, CancelEndsTheStreamWithoutAnError) {
  ASSERT_TRUE(client_->Init("{}", false, "").ok());
  Result<std::unique_ptr<SyncStream>> stream = client_->Sync(SyncOptions());
  ASSERT_TRUE(stream.ok());
  Result<std::optional<SyncMessage>> first = (*stream)->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  (*stream)->Cancel();
  for (int i = 0; i < 1000; ++i) {
    Result<std::optional<SyncMessage>> next = (*stream)->Next();
    ASSERT_TRUE(next.ok()) << next.status().message();
    if (!*next) break;
  }
  // The plugin goes on serving.
  EXPECT_EQ(*client_->GetName(), "memdb");
}

TEST_F(MemdbTest, APluginThatDiesMidCallIsAnErrorNamingIt) {
  ASSERT_TRUE(client_->Init("{}", false, "").ok());
  SyncOptions options;
  options.tables = {"table3_child1"};
  options.skip_tables = {"table3"};
  Result<std::unique_ptr<SyncStream>> stream = client_->Sync(options);
  ASSERT_TRUE(stream.ok());
  Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    Result<std::optional<SyncMessage>> next = (*stream)->Next();
    if (!next.ok())
      failure = next.status();
    else if (!*next)
      break;
  }
  ASSERT_FALSE(failure.ok()) << "the SDK's unhandled rejection kills Node";
  EXPECT_EQ(failure.kind(), ErrorKind::kConnection);
  EXPECT_NE(failure.message().find("plugin 'memdb': Sync"), std::string::npos) << failure.message();
  EXPECT_NE(failure.message().find("UNAVAILABLE"), std::string::npos) << failure.message();
  std::string how;
  for (int i = 0; i < 600 && !process_->Exited(&how); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(how, "exited with status 1");
  Status stopped = process_->Stop();
  EXPECT_FALSE(stopped.ok());
  EXPECT_NE(stopped.message().find("exited with status 1 while in use"), std::string::npos)
      << stopped.message();
}

TEST(PluginClientTest, AddressesAreCheckedAndNobodyListeningFailsAtOnce) {
  EXPECT_EQ(PluginClient::Connect("plugin.sock", "p").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(PluginClient::Connect("unix:relative.sock", "p").status().kind(),
            ErrorKind::kInvalidArgument);
  Result<std::unique_ptr<PluginClient>> none =
      PluginClient::Connect("unix:/nonexistent-dir/cq.sock", "plugin 'x'", std::chrono::minutes(5));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().kind(), ErrorKind::kConnection);
  EXPECT_NE(
      none.status().message().find("plugin 'x': cannot connect to unix:/nonexistent-dir/cq.sock"),
      std::string::npos);
}

TEST(PluginProcessTest, AnExecutableThatNeverListensFailsAfterThreeAttempts) {
  fs::path script = fs::temp_directory_path() / ("sluice-noplugin-" + std::to_string(::getpid()));
  std::ofstream(script)
      << "#!/bin/sh\necho '{\"level\":\"error\",\"message\":\"no such flag\"}'\nexit 3\n";
  fs::permissions(script, fs::perms::owner_all);
  LaunchOptions options;
  options.executable = script.string();
  Result<std::unique_ptr<PluginProcess>> process = PluginProcess::Launch(options);
  fs::remove(script);
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.status().message().find("did not start after 3 attempts"), std::string::npos);
  EXPECT_NE(process.status().message().find("exited with status 3"), std::string::npos);
  EXPECT_NE(process.status().message().find("error: no such flag"), std::string::npos)
      << process.status().message();
  options.executable = "/";
  EXPECT_EQ(PluginProcess::Launch(options).status().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::cq
