// Partitioned and fenced writes into PostgreSQL (dest/destination.h
// TableSpec::partition, OpenOptions::fence), against a real server.
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "dest/file_destination.h"
#include "dest/postgres_destination.h"
#include "dest/sqlite_destination.h"
#include "pg_fixture.h"

namespace sluice {
namespace {

using testing::PgTest;

constexpr char kRun1[] = "2026-01-01T00:00:00Z";
constexpr char kRun2[] = "2026-01-02T00:00:00Z";

class PartitionTest : public PgTest {
 protected:
  std::unique_ptr<PostgresDestination> Connect() {
    auto destination = PostgresDestination::Connect("warehouse", Value{{"connection_string", url_}, {"schema", schema_}});
    EXPECT_TRUE(destination.ok()) << destination.status().ToString();
    return destination.ok() ? std::move(destination).value() : nullptr;
  }

  static TableSpec Spec(const std::string& partition) {
    TableSpec spec;
    spec.name = "forge_repos";
    spec.connector = "forge";
    spec.entity = "repos";
    spec.columns = {{"id", "integer", true}, {"name", "string", false}};
    spec.partition = partition;
    return spec;
  }

  static OpenOptions Options(const char* synced_at = kRun1) {
    OpenOptions options;
    options.synced_at = synced_at;
    return options;
  }

  // Opens, writes rows `ids`, commits (with `state` if given).
  static Status WriteRows(Destination& destination, const TableSpec& spec, const OpenOptions& options,
                          const std::vector<int64_t>& ids, const SyncState* state = nullptr) {
    ASSIGN_OR_RETURN(std::unique_ptr<TableWriter> writer, destination.OpenTable(spec, options));
    for (int64_t id : ids) RETURN_IF_ERROR(writer->Write({Value(id), Value("repo " + std::to_string(id))}));
    return writer->Commit(state);
  }

  std::string Table() { return schema_ + ".forge_repos"; }

  static SyncState State(int64_t cursor) {
    SyncState state;
    state.cursor_field = "updated";
    state.cursor_value = Value(cursor);
    return state;
  }

  // The fence of a distributed unit, in miniature: a row the lease owns.
  CommitFence Fence(const std::string& epoch) {
    Exec("CREATE TABLE IF NOT EXISTS " + schema_ + ".fence (id int PRIMARY KEY, epoch bigint, rows bigint)");
    Exec("INSERT INTO " + schema_ + ".fence VALUES (1, 1, 0) ON CONFLICT DO NOTHING");
    CommitFence fence;
    fence.sql = "UPDATE " + schema_ + ".fence SET rows = rows + $2::bigint WHERE id = 1 AND epoch = $1::bigint";
    fence.params = {epoch};
    fence.lost = "unit 1 of distributed run 1: the lease moved to another worker (epoch " + epoch + " is stale)";
    return fence;
  }
};

TEST_F(PartitionTest, TwoPartitionsCreateOneNewTableAtOnce) {
  auto a = Connect(), b = Connect();
  ASSERT_TRUE(a && b);
  Status status_a, status_b;
  std::thread ta([&] { status_a = WriteRows(*a, Spec("forge:a"), Options(), {1, 2}); });
  std::thread tb([&] { status_b = WriteRows(*b, Spec("forge:b"), Options(), {3, 4}); });
  ta.join();
  tb.join();
  EXPECT_TRUE(status_a.ok()) << status_a.ToString();
  EXPECT_TRUE(status_b.ok()) << status_b.ToString();
  EXPECT_EQ(Exec("SELECT string_agg(id || '=' || _sluice_partition, ',' ORDER BY id) FROM " + Table()),
            "1=forge:a,2=forge:a,3=forge:b,4=forge:b");
}

TEST_F(PartitionTest, ManyPartitionsOpenOneNewTableAtOnce) {
  // Each thread connects too: the schema and the state tables are new as
  // well, and every one of them is a catalog race without the locks.
  Exec("DROP SCHEMA " + schema_ + " CASCADE");
  constexpr int kWriters = 6;
  std::vector<Status> statuses(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      auto connected = PostgresDestination::Connect("warehouse", Value{{"connection_string", url_}, {"schema", schema_}});
      if (!connected.ok()) {
        statuses[i] = connected.TakeStatus();
        return;
      }
      statuses[i] = WriteRows(**connected, Spec("p" + std::to_string(i)), Options(), {i}, nullptr);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kWriters; ++i) EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].ToString();
  EXPECT_EQ(Exec("SELECT count(DISTINCT _sluice_partition) FROM " + Table()), std::to_string(kWriters));
}

TEST_F(PartitionTest, MarksAreKeptPerPartition) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  SyncState a = State(10), b = State(20), whole = State(30);
  ASSERT_TRUE(WriteRows(*destination, Spec("a"), Options(), {1}, &a).ok());
  ASSERT_TRUE(WriteRows(*destination, Spec("b"), Options(), {2}, &b).ok());
  ASSERT_TRUE(WriteRows(*destination, Spec(""), Options(), {3}, &whole).ok());
  auto read = [&](const std::string& partition) -> Value {
    auto state = destination->ReadState(Spec(partition));
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() && state->has_value() ? (*state)->cursor_value : Value("none");
  };
  EXPECT_EQ(read("a"), Value(10));
  EXPECT_EQ(read("b"), Value(20));
  EXPECT_EQ(read(""), Value(30));
  EXPECT_EQ(read("c"), Value("none"));
  // The whole writer stamps its rows NULL: they are no partition's.
  EXPECT_EQ(Exec("SELECT count(*) FROM " + Table() + " WHERE _sluice_partition IS NULL"), "1");
}

TEST_F(PartitionTest, BoundaryKeysRoundTripPerPartition) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  SyncState state;
  state.cursor_field = "updated_at";
  state.cursor_value = Value("2026-03-01T10:00:00Z");
  state.boundary_keys = Value::array({Value::array({7}), Value::array({"ü'\"; --"})});
  ASSERT_TRUE(WriteRows(*destination, Spec("forge:a"), Options(), {7}, &state).ok());
  auto read = destination->ReadState(Spec("forge:a"));
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status().ToString();
  EXPECT_EQ((*read)->cursor_field, "updated_at");
  EXPECT_EQ((*read)->cursor_value, state.cursor_value);
  EXPECT_EQ((*read)->boundary_keys, state.boundary_keys);
  auto whole = destination->ReadState(Spec(""));
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->has_value());
}

TEST_F(PartitionTest, DeleteStaleKeepsToItsPartition) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  ASSERT_TRUE(WriteRows(*destination, Spec("a"), Options(kRun1), {1, 2}).ok());
  ASSERT_TRUE(WriteRows(*destination, Spec("b"), Options(kRun1), {3, 4}).ok());
  auto writer = destination->OpenTable(Spec("a"), Options(kRun2));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Write({Value(1), Value("again")}).ok());
  ASSERT_TRUE((*writer)->Commit(nullptr).ok());
  auto deleted = (*writer)->DeleteStale();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(Exec("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + Table()), "1,3,4");
}

TEST_F(PartitionTest, ExistingTableGainsThePartitionColumn) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  ASSERT_TRUE(WriteRows(*destination, Spec(""), Options(), {1}).ok());
  EXPECT_EQ(Exec("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + schema_ +
                 "' AND column_name = '_sluice_partition'"),
            "0");
  auto writer = destination->OpenTable(Spec("a"), Options(kRun2));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_NE((*writer)->Migration().find("_sluice_partition"), std::string::npos) << (*writer)->Migration();
  ASSERT_TRUE((*writer)->Write({Value(1), Value("mine now")}).ok());
  ASSERT_TRUE((*writer)->Write({Value(2), Value("new")}).ok());
  ASSERT_TRUE((*writer)->Commit(nullptr).ok());
  EXPECT_EQ(Exec("SELECT string_agg(id || '=' || _sluice_partition || '=' || name, ',' ORDER BY id) FROM " + Table()),
            "1=a=mine now,2=a=new");
}

TEST_F(PartitionTest, OnlyAWholeRunRecreatesTheTable) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  SyncState mark = State(1);
  ASSERT_TRUE(WriteRows(*destination, Spec("a"), Options(), {1}, &mark).ok());
  TableSpec retyped = Spec("a");
  retyped.columns[1].type = "integer";
  OpenOptions forced = Options(kRun2);
  forced.force = true;
  auto refused = destination->OpenTable(retyped, forced);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("sync the entity whole with FORCE first"), std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(Exec("SELECT count(*) FROM " + Table()), "1");
  retyped.partition.clear();
  auto whole = destination->OpenTable(retyped, forced);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  whole->reset();
  auto forgotten = destination->ReadState(Spec("a"));
  ASSERT_TRUE(forgotten.ok());
  EXPECT_FALSE(forgotten->has_value()) << "a recreated table's partition marks go with it";
}

TEST_F(PartitionTest, WholeAndPartitionedWritersExcludeEachOther) {
  auto one = Connect(), two = Connect();
  ASSERT_TRUE(one && two);
  {
    auto partitioned = one->OpenTable(Spec("a"), Options());
    ASSERT_TRUE(partitioned.ok()) << partitioned.status().ToString();
    auto whole = two->OpenTable(Spec(""), Options());
    ASSERT_FALSE(whole.ok());
    EXPECT_NE(whole.status().message().find("being written by another sync"), std::string::npos)
        << whole.status().ToString();
    auto other = two->OpenTable(Spec("b"), Options());
    EXPECT_TRUE(other.ok()) << other.status().ToString();
  }
  auto whole = one->OpenTable(Spec(""), Options());
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  auto partitioned = two->OpenTable(Spec("a"), Options());
  ASSERT_FALSE(partitioned.ok());
  EXPECT_NE(partitioned.status().message().find("being written by another sync"), std::string::npos);
  OpenOptions fenced = Options();
  fenced.fence = Fence("1");
  auto unit = two->OpenTable(Spec("a"), fenced);
  EXPECT_FALSE(unit.ok()) << "a fenced writer shares the table with partitions, not with a whole run";
}

TEST_F(PartitionTest, OnePartitionOneWriterWithoutFence) {
  auto one = Connect(), two = Connect();
  ASSERT_TRUE(one && two);
  auto first = one->OpenTable(Spec("konto-ü"), Options());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = two->OpenTable(Spec("konto-ü"), Options());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("partition 'konto-ü' of table 'forge_repos'"), std::string::npos)
      << second.status().ToString();
  first->reset();
  auto third = two->OpenTable(Spec("konto-ü"), Options());
  EXPECT_TRUE(third.ok()) << "the lock goes with the writer: " << third.status().ToString();
}

TEST_F(PartitionTest, FencedCommitsCountRowsAndStopWhenTheLeaseMoves) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  OpenOptions options = Options();
  options.fence = Fence("1");
  auto writer = destination->OpenTable(Spec("forge:a"), options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  SyncState first = State(10);
  for (int64_t id : {1, 2, 3}) ASSERT_TRUE((*writer)->Write({Value(id), Value("x")}).ok());
  ASSERT_TRUE((*writer)->Commit(&first).ok());
  EXPECT_EQ(Exec("SELECT rows FROM " + schema_ + ".fence"), "3");
  EXPECT_TRUE((*writer)->Commit(nullptr).ok()) << "nothing to commit is nothing to refuse";

  Exec("UPDATE " + schema_ + ".fence SET epoch = 2");  // another worker took the lease
  SyncState second = State(20);
  for (int64_t id : {4, 5}) ASSERT_TRUE((*writer)->Write({Value(id), Value("x")}).ok());
  Status lost = (*writer)->Commit(&second);
  EXPECT_TRUE(IsLeaseLost(lost)) << lost.ToString();
  EXPECT_NE(lost.message().find("epoch 1 is stale"), std::string::npos) << lost.ToString();
  EXPECT_EQ(Exec("SELECT count(*) FROM " + Table()), "3");
  EXPECT_EQ(Exec("SELECT rows FROM " + schema_ + ".fence"), "3");
  auto mark = destination->ReadState(Spec("forge:a"));
  ASSERT_TRUE(mark.ok() && mark->has_value());
  EXPECT_EQ((*mark)->cursor_value, Value(10));
  // Nor may the stale holder delete anything as stale.
  auto deleted = (*writer)->DeleteStale();
  EXPECT_TRUE(IsLeaseLost(deleted.status())) << deleted.status().ToString();
  // The connection is usable afterwards (no transaction left open).
  writer->reset();
  EXPECT_TRUE(WriteRows(*destination, Spec("forge:b"), Options(), {9}).ok());
}

TEST_F(PartitionTest, FencedWholeWriterRollsBackToo) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  OpenOptions options = Options();
  options.fence = Fence("1");
  Exec("UPDATE " + schema_ + ".fence SET epoch = 5");
  SyncState state = State(1);
  Status lost = WriteRows(*destination, Spec(""), options, {1, 2}, &state);
  EXPECT_TRUE(IsLeaseLost(lost)) << lost.ToString();
  EXPECT_EQ(Exec("SELECT count(*) FROM " + Table()), "0");
  auto mark = destination->ReadState(Spec(""));
  ASSERT_TRUE(mark.ok());
  EXPECT_FALSE(mark->has_value());
}

TEST_F(PartitionTest, AFenceThatFailsCommitsNothingAndFreesTheConnection) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  OpenOptions options = Options();
  options.fence = CommitFence{"UPDATE " + schema_ + ".no_such_table SET rows = $2::bigint WHERE epoch = $1::bigint",
                              {"1"}, "lost"};
  {
    SyncState state = State(1);
    Status failed = WriteRows(*destination, Spec("a"), options, {1, 2}, &state);
    EXPECT_FALSE(failed.ok());
    EXPECT_FALSE(IsLeaseLost(failed)) << "an error is not a lost lease: " << failed.ToString();
    EXPECT_NE(failed.message().find("no_such_table"), std::string::npos) << failed.ToString();
  }
  EXPECT_EQ(Exec("SELECT count(*) FROM " + Table()), "0");
  SyncState state = State(2);
  Status next = WriteRows(*destination, Spec("b"), Options(), {3}, &state);
  EXPECT_TRUE(next.ok()) << next.ToString();
  EXPECT_EQ(Exec("SELECT count(*) FROM " + Table()), "1");
}

TEST_F(PartitionTest, ZombieAndNewHolderBothOpenAndOnlyTheHolderCommits) {
  auto zombie_conn = Connect(), holder_conn = Connect();
  ASSERT_TRUE(zombie_conn && holder_conn);
  OpenOptions zombie_options = Options();
  zombie_options.fence = Fence("1");
  auto zombie = zombie_conn->OpenTable(Spec("a"), zombie_options);
  ASSERT_TRUE(zombie.ok()) << zombie.status().ToString();
  Exec("UPDATE " + schema_ + ".fence SET epoch = 2");
  OpenOptions holder_options = Options();
  holder_options.fence = Fence("2");
  auto holder = holder_conn->OpenTable(Spec("a"), holder_options);
  ASSERT_TRUE(holder.ok()) << "the paused worker's locks must not stop the new holder: "
                           << holder.status().ToString();
  ASSERT_TRUE((*holder)->Write({Value(1), Value("holder")}).ok());
  ASSERT_TRUE((*holder)->Commit(nullptr).ok());
  ASSERT_TRUE((*zombie)->Write({Value(1), Value("zombie")}).ok());
  ASSERT_TRUE((*zombie)->Write({Value(2), Value("zombie")}).ok());
  EXPECT_TRUE(IsLeaseLost((*zombie)->Commit(nullptr)));
  EXPECT_EQ(Exec("SELECT string_agg(id || '=' || name, ',' ORDER BY id) FROM " + Table()), "1=holder");
}

TEST_F(PartitionTest, RepeatedKeyFallsBackToTheStageUnderAFence) {
  // Both writers open the table empty, so both COPY straight into it; the
  // second meets the first's key (unique_violation) and retries through
  // the stage, and its fence still runs after the retry.
  auto one = Connect(), two = Connect();
  ASSERT_TRUE(one && two);
  OpenOptions options = Options();
  options.fence = Fence("1");
  auto a = one->OpenTable(Spec("a"), options);
  auto b = two->OpenTable(Spec("b"), options);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Write({Value(1), Value("from a")}).ok());
  ASSERT_TRUE((*a)->Commit(nullptr).ok());
  ASSERT_TRUE((*b)->Write({Value(1), Value("from b")}).ok());
  ASSERT_TRUE((*b)->Write({Value(2), Value("from b")}).ok());
  Status committed = (*b)->Commit(nullptr);
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  EXPECT_EQ(Exec("SELECT string_agg(id || '=' || _sluice_partition, ',' ORDER BY id) FROM " + Table()), "1=b,2=b");
  EXPECT_EQ(Exec("SELECT rows FROM " + schema_ + ".fence"), "3");
  Exec("UPDATE " + schema_ + ".fence SET epoch = 2");
  ASSERT_TRUE((*a)->Write({Value(2), Value("late")}).ok());
  EXPECT_TRUE(IsLeaseLost((*a)->Commit(nullptr)));
  EXPECT_EQ(Exec("SELECT name FROM " + Table() + " WHERE id = 2"), "from b");
}

TEST_F(PartitionTest, HostilePartitionIdsStayData) {
  auto destination = Connect();
  ASSERT_TRUE(destination);
  const std::string hostile = "a'; DROP TABLE x; --";
  Exec("CREATE TABLE " + schema_ + ".x (y int)");
  SyncState state = State(5);
  ASSERT_TRUE(WriteRows(*destination, Spec(hostile), Options(kRun1), {1, 2}, &state).ok());
  ASSERT_TRUE(WriteRows(*destination, Spec("konto-ü"), Options(kRun1), {3}, &state).ok());
  auto writer = destination->OpenTable(Spec(hostile), Options(kRun2));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Write({Value(2), Value("kept")}).ok());
  ASSERT_TRUE((*writer)->Commit(nullptr).ok());
  auto deleted = (*writer)->DeleteStale();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(Exec("SELECT string_agg(id || '=' || _sluice_partition, ',' ORDER BY id) FROM " + Table()),
            "2=" + hostile + ",3=konto-ü");
  EXPECT_EQ(Exec("SELECT count(*) FROM " + schema_ + ".x"), "0");  // still there
  auto mark = destination->ReadState(Spec("konto-ü"));
  ASSERT_TRUE(mark.ok() && mark->has_value());
  EXPECT_EQ(Exec("SELECT string_agg(partition, ',' ORDER BY partition) FROM " + schema_ + "._sluice_partition_state"),
            hostile + ",konto-ü");
}

// Destinations without partitions refuse them by name (no server needed).
TEST(PartitionRefusal, SqliteAndFilesRefusePartitionsAndFences) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("sluice_partition_refusal_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  TableSpec spec;
  spec.name = "forge_forge_repos";
  spec.connector = "forge";
  spec.entity = "repos";
  spec.columns = {{"id", "integer", true}};
  spec.partition = "forge:a";
  OpenOptions options;
  options.synced_at = kRun1;
  auto sqlite = SqliteDestination::OpenFile((dir / "out.db").string(), "out.db");
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  EXPECT_FALSE((*sqlite)->TakesPartitions());
  auto refused = (*sqlite)->OpenTable(spec, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("destination 'out.db' (sqlite) cannot take partitioned writes (table "
                                            "'forge_forge_repos', partition 'forge:a')"),
            std::string::npos)
      << refused.status().ToString();
  auto files = FileDestination::Open("lake", (dir / "lake").string(), FileFormat::kJsonl);
  ASSERT_TRUE(files.ok());
  spec.partition.clear();
  options.fence = CommitFence{"UPDATE x SET y = 1", {}, "lost"};
  auto fenced = (*files)->OpenTable(spec, options);
  ASSERT_FALSE(fenced.ok());
  EXPECT_NE(fenced.status().message().find("destination 'lake' (files) cannot take fenced writes"), std::string::npos)
      << fenced.status().ToString();
  options.fence.reset();
  EXPECT_TRUE((*sqlite)->OpenTable(spec, options).ok()) << "a whole, unfenced write still works";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
