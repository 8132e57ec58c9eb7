// The driver's ordering decisions as pure functions: parents before
// children (waves), children joining their parent's family (a shared
// scan) only when the parent runs full, and the concurrency option.
#include "sync/sync_driver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/workspace.h"
#include "core/sqlite.h"
#include "dest/sqlite_destination.h"
#include "source/vector_rows.h"
#include "sync/handler_rows.h"

namespace sluice {
namespace {

EntityDef Entity(const std::string& name, const std::string& parent = "", const std::string& cursor = "") {
  EntityDef entity;
  entity.name = name;
  entity.parent = parent;
  entity.cursor = cursor;
  return entity;
}

std::vector<std::vector<std::string>> Names(const std::vector<std::vector<const EntityDef*>>& waves) {
  std::vector<std::vector<std::string>> names;
  for (const auto& wave : waves) {
    names.emplace_back();
    for (const EntityDef* entity : wave) names.back().push_back(entity->name);
  }
  return names;
}

using Waves = std::vector<std::vector<std::string>>;

TEST(ParentsFirstTest, ChildrenAfterTheirParents) {
  EntityDef comments = Entity("comments", "issues"), issues = Entity("issues", "repos"), repos = Entity("repos"),
            users = Entity("users");
  EXPECT_EQ(Names(ParentsFirst({&comments, &issues, &repos, &users})),
            (Waves{{"repos", "users"}, {"issues"}, {"comments"}}));
}

TEST(ParentsFirstTest, ParentNotChosenDoesNotHold) {
  EntityDef issues = Entity("issues", "repos"), users = Entity("users");
  EXPECT_EQ(Names(ParentsFirst({&issues, &users})), (Waves{{"issues", "users"}}));
  EXPECT_TRUE(ParentsFirst({}).empty());
}

TEST(ParentsFirstTest, CycleStops) {
  EntityDef a = Entity("a", "b"), b = Entity("b", "a"), c = Entity("c");
  EXPECT_EQ(Names(ParentsFirst({&a, &b, &c})), (Waves{{"c"}}));
}

std::vector<Waves> FamilyNames(const std::vector<std::vector<std::vector<const EntityDef*>>>& rounds) {
  std::vector<Waves> names;
  for (const auto& round : rounds) names.push_back(Names(round));
  return names;
}

TEST(FamilyRoundsTest, ChildrenJoinTheirParentsFamily) {
  EntityDef repos = Entity("repos"), issues = Entity("issues", "repos"), comments = Entity("comments", "issues"),
            users = Entity("users");
  auto full = [](const EntityDef&) { return true; };
  EXPECT_EQ(FamilyNames(FamilyRounds({&repos, &issues, &comments, &users}, true, full)),
            (std::vector<Waves>{{{"repos", "issues", "comments"}, {"users"}}}));
}

TEST(FamilyRoundsTest, WithoutFeedingEachIsItsOwnFamily) {
  EntityDef repos = Entity("repos"), issues = Entity("issues", "repos");
  auto full = [](const EntityDef&) { return true; };
  EXPECT_EQ(FamilyNames(FamilyRounds({&repos, &issues}, false, full)),
            (std::vector<Waves>{{{"repos"}}, {{"issues"}}}));
}

TEST(FamilyRoundsTest, ParentRunIncrementallyIsNotShared) {
  EntityDef repos = Entity("repos", "", "updated"), issues = Entity("issues", "repos");
  auto full = [](const EntityDef& entity) { return entity.cursor.empty(); };
  EXPECT_EQ(FamilyNames(FamilyRounds({&repos, &issues}, true, full)),
            (std::vector<Waves>{{{"repos"}}, {{"issues"}}}));
}

TEST(SyncConcurrencyTest, OptionDefaultAndFloor) {
  ConnectorDef connector;
  EXPECT_EQ(SyncConcurrency(connector, true), 4);
  EXPECT_EQ(SyncConcurrency(connector, false), 1);
  connector.options = Value{{"concurrency", 9}};
  EXPECT_EQ(SyncConcurrency(connector, true), 9);
  EXPECT_EQ(SyncConcurrency(connector, false), 1);
  connector.options = Value{{"concurrency", -3}};
  EXPECT_EQ(SyncConcurrency(connector, true), 1);
  connector.options = Value{{"concurrency", "8"}};
  EXPECT_EQ(SyncConcurrency(connector, true), 4);
}

TEST(SyncProgressTest, LineFormat) {
  SyncProgressEvent event;
  event.label = "prod.items";
  event.rows_read = 25;
  event.rows_written = 20;
  event.batches = 2;
  event.elapsed = std::chrono::milliseconds(20);
  EXPECT_EQ(FormatProgressLine(event), "sync prod.items: 20 rows written, 2 batches, 25 rows read, 1250 rows/s, 0.02 s");
  EXPECT_EQ(RateText(5, std::chrono::microseconds(0)), "0");
  EXPECT_EQ(SecondsText(std::chrono::microseconds(1'234'567)), "1.23");
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

using ListRows = VectorRows;

class LiteralHost : public SyncHost, public TableResolver {
 public:
  explicit LiteralHost(std::string path) : path_(std::move(path)) {}

  Result<std::unique_ptr<Destination>> OpenDestination(bool) override {
    ++destinations_opened;
    ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(path_));
    return std::unique_ptr<Destination>(std::move(file));
  }
  Result<EntitySchema> Schema(const std::string& entity) override {
    EntitySchema schema;
    schema.connector = "lit";
    schema.entity = entity;
    schema.fields = {{"id", "integer", true, true, true, true}, {"name", "string", false, false, false, false}};
    return schema;
  }
  Status PrepareRows(EntityRun& run) override {
    prepared.push_back(run.entity);
    return Status::Ok();
  }
  Result<std::unique_ptr<SyncRowStream>> OpenRows(EntityRun& run, const ScanRequest& request) override {
    opened.push_back(run.entity + " " + HandlerOptions(request).dump());
    return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(
        std::make_unique<ListRows>(std::vector<Value>{{{"id", 1}, {"name", "a"}}, {{"id", 2}, {"name", "b"}}}),
        run.schema));
  }
  Result<std::unique_ptr<RowSource>> ResolveTables(const Value& asked) override {
    asked_ = asked;
    std::vector<Value> items = {{{"t", 0}, {"r", {{"id", 1}, {"name", "x"}}}},
                                {{"t", 1}, {"error", {{"name", "Error"}, {"message", "no access"}}}},
                                {{"t", 0}, {"r", {{"id", 2}, {"name", "y"}}}}};
    return std::unique_ptr<RowSource>(std::make_unique<ListRows>(std::move(items)));
  }
  Status TableError(const Value& error) override {
    return Status(ErrorKind::kConnector, error.value("message", ""));
  }

  int destinations_opened = 0;
  std::vector<std::string> prepared, opened;
  Value asked_;

 private:
  std::string path_;
};

// A destination that takes partitions and fences, records what each table
// was opened with, and writes through a SQLite file without them.
class RecordingDestination : public Destination {
 public:
  explicit RecordingDestination(std::unique_ptr<Destination> inner) : inner_(std::move(inner)) {}
  std::string Name() const override { return inner_->Name(); }
  Result<std::unique_ptr<TableWriter>> OpenTable(const TableSpec& table,
                                                 const OpenOptions& options) override {
    tables.push_back(table);
    opened.push_back(options);
    TableSpec whole = table;
    whole.partition.clear();
    OpenOptions unfenced = options;
    unfenced.fence.reset();
    return inner_->OpenTable(whole, unfenced);
  }
  Result<std::optional<SyncState>> ReadState(const TableSpec& table) override {
    TableSpec whole = table;
    whole.partition.clear();
    return inner_->ReadState(whole);
  }
  bool AbsorbsRepeats() const override { return inner_->AbsorbsRepeats(); }
  bool TakesPartitions() const override { return true; }

  std::vector<TableSpec> tables;
  std::vector<OpenOptions> opened;

 private:
  std::unique_ptr<Destination> inner_;
};

class SyncDriverRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("sluice_sync_driver_" + std::to_string(::getpid()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    ws_ = std::move(Workspace::Open(":memory:")).value();
    host_ = std::make_unique<LiteralHost>(path_);
    destination_ = std::move(SqliteDestination::OpenFile(path_)).value();
    request_.connector.name = "lit";
    for (EntityDef* entity : {&a_, &b_}) {
      entity->fields = Value{{"id", {{"type", "integer"}, {"primary_key", true}}}, {"name", {{"type", "string"}}}};
    }
    a_.name = "a";
    b_.name = "b";
    request_.chosen = {&a_, &b_};
  }
  void TearDown() override {
    destination_.reset();
    std::filesystem::remove(path_);
  }
  Status Run() {
    SyncRuns runs(ws_->db());
    SyncDriver driver(*host_, runs, [this](const SyncProgressEvent& event) {
      if (event.kind != SyncEvent::kRowRead) events_.push_back(event.label + " " + std::to_string(event.rows_written));
    });
    return driver.Run(request_, *destination_, outcomes_);
  }

  std::string path_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<LiteralHost> host_;
  std::unique_ptr<Destination> destination_;
  SyncRequest request_;
  EntityDef a_, b_;
  std::vector<SyncOutcome> outcomes_;
  std::vector<std::string> events_;
};

TEST_F(SyncDriverRunTest, RunsEveryEntityAndRecordsIt) {
  ASSERT_TRUE(Run().ok());
  ASSERT_EQ(outcomes_.size(), 2u);
  for (const SyncOutcome& outcome : outcomes_) {
    EXPECT_TRUE(outcome.ran);
    EXPECT_EQ(outcome.mode, "full");
    EXPECT_EQ(outcome.write_mode, "overwrite-delete-stale");
    EXPECT_EQ(outcome.rows_read, 2);
    EXPECT_EQ(outcome.rows_written, 2);
    EXPECT_EQ(outcome.status, "ok (table created)");
  }
  EXPECT_EQ(outcomes_[0].table, "lit_a");
  // Concurrency 4: each entity on a connection of its own.
  EXPECT_EQ(host_->destinations_opened, 2);
  EXPECT_EQ(host_->prepared, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(host_->opened, (std::vector<std::string>{"a {}", "b {}"}));
  // Each run's last batch commits as it finishes: its commit, then its end.
  EXPECT_EQ(events_, (std::vector<std::string>{"lit.a 2", "lit.a 2", "lit.b 2", "lit.b 2"}));
  Result<SyncRunRows> runs = SyncRuns(ws_->db()).List("lit");
  ASSERT_EQ(runs->rows.size(), 2u);
  EXPECT_EQ(runs->rows[0][12], Value("ok"));
}

TEST_F(SyncDriverRunTest, PlanningFailureIsItsOwnOutcome) {
  b_.cursor = "missing";
  request_.own_connections = false;
  Status status = Run();
  EXPECT_EQ(status.message(), "sync lit.b: cursor field 'missing' is not a field of entity 'b'");
  ASSERT_EQ(outcomes_.size(), 2u);
  // One at a time: a ran first; b failed before a run, without figures.
  EXPECT_EQ(outcomes_[0].entity, "a");
  EXPECT_TRUE(outcomes_[0].ran);
  EXPECT_EQ(outcomes_[1].entity, "b");
  EXPECT_FALSE(outcomes_[1].ran);
  EXPECT_EQ(outcomes_[1].table, "lit_b");
  EXPECT_EQ(outcomes_[1].status, "failed: cursor field 'missing' is not a field of entity 'b'");
  EXPECT_EQ(host_->destinations_opened, 0);  // one at a time, on the statement's connection
  EXPECT_EQ(SyncRuns(ws_->db()).List("lit")->rows.size(), 1u);
}

TEST_F(SyncDriverRunTest, IntegrationPassFeedsEachTable) {
  request_.resolver = host_.get();
  Status status = Run();
  EXPECT_EQ(host_->asked_.dump(), R"([{"name":"a","options":{}},{"name":"b","options":{}}])");
  EXPECT_TRUE(host_->opened.empty());  // rows came from the pass, not OpenRows
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_EQ(outcomes_[0].rows_written, 2);
  EXPECT_EQ(outcomes_[0].status, "ok (table created)");
  EXPECT_EQ(outcomes_[1].status, "failed: no access");
  EXPECT_EQ(status.message(), "sync lit.b: no access");
}

TEST_F(SyncDriverRunTest, AUnitsPartitionFenceAndTimestampReachThePlanAndTheHandler) {
  // A row of a, written by an earlier run: stale for the unit's run.
  request_.chosen = {&a_};
  ASSERT_TRUE(Run().ok());
  {
    Database db = Database::Open(path_).value();
    ASSERT_TRUE(db.Exec("UPDATE lit_a SET id = 3 WHERE id = 2").ok());
  }
  outcomes_.clear();
  auto recording = std::make_unique<RecordingDestination>(std::move(destination_));
  RecordingDestination* seen = recording.get();
  destination_ = std::move(recording);
  request_.chosen = {&a_, &b_};
  request_.own_connections = false;  // every table on the recording destination
  request_.partition = Partition{"2026-11", Value{{"from", "2026-11-01"}, {"to", "2026-12-01"}}};
  request_.fence =
      CommitFence{"UPDATE units SET rows = rows + $2 WHERE unit = $1", {"7"}, "unit 7: lease lost"};
  request_.defer_stale = true;
  request_.synced_at = "2026-11-30T12:00:00.000000Z";
  host_->opened.clear();
  Status status = Run();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(host_->opened, (std::vector<std::string>{
                               R"(a {"partition":{"from":"2026-11-01","to":"2026-12-01"}})",
                               R"(b {"partition":{"from":"2026-11-01","to":"2026-12-01"}})"}));
  ASSERT_EQ(seen->tables.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(seen->tables[i].partition, "2026-11");
    EXPECT_EQ(seen->opened[i].synced_at, "2026-11-30T12:00:00.000000Z");
    ASSERT_TRUE(seen->opened[i].fence.has_value());
    EXPECT_EQ(seen->opened[i].fence->params, (std::vector<std::string>{"7"}));
    EXPECT_EQ(seen->opened[i].fence->lost, "unit 7: lease lost");
  }
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_EQ(outcomes_[0].rows_written, 2);
  EXPECT_EQ(outcomes_[0].rows_deleted, 0) << "stale rows wait for the run's finalizer";
  Database db = Database::Open(path_).value();
  Stmt ids = db.Prepare("SELECT group_concat(id) FROM (SELECT id FROM lit_a ORDER BY id)").value();
  ASSERT_TRUE(ids.Step().value());
  EXPECT_EQ(ids.ColumnText(0), "1,2,3");
}

TEST_F(SyncDriverRunTest, WithoutAUnitNothingChanges) {
  auto recording = std::make_unique<RecordingDestination>(std::move(destination_));
  RecordingDestination* seen = recording.get();
  destination_ = std::move(recording);
  request_.own_connections = false;
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(host_->opened, (std::vector<std::string>{"a {}", "b {}"}));
  ASSERT_EQ(seen->tables.size(), 2u);
  EXPECT_EQ(seen->tables[0].partition, "");
  EXPECT_FALSE(seen->opened[0].fence.has_value());
  EXPECT_NE(seen->opened[0].synced_at, "") << "now, as ever";
}

TEST_F(SyncDriverRunTest, AnIntegrationUnitAsksItsTablesForItsClient) {
  request_.resolver = host_.get();
  request_.partition = Partition{"forge:b", Value{{"client", "forge:b"}}};
  (void)Run();  // b fails by design (the host reports it has no access)
  EXPECT_EQ(host_->asked_.dump(), R"([{"name":"a","options":{"partition":{"client":"forge:b"}}},)"
                                  R"({"name":"b","options":{"partition":{"client":"forge:b"}}}])");
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_EQ(outcomes_[0].rows_written, 2);
}

}  // namespace
}  // namespace sluice
