// The coordinator against a real PostgreSQL server: leases under
// concurrency, fencing, retries, the finalizer's scoped deletes, and the
// shared rate limit's arithmetic (read in the database's time, never the
// test's wall clock).
#include "sync/coordinator.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "core/secret_masker.h"
#include "core/time_util.h"
#include "net/shared_rate_limit.h"
#include "pg_fixture.h"
#include "server/session.h"

namespace sluice {
namespace {

class CoordinatorTest : public testing::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    // `_sluice` is shared by the whole database, not the fixture's schema.
    Exec("DROP SCHEMA IF EXISTS _sluice CASCADE");
  }

  std::unique_ptr<Coordinator> Connect() {
    Result<std::unique_ptr<Coordinator>> made = Coordinator::Connect(url_);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? std::move(made).value() : nullptr;
  }

  // A run of `entity` whole (no partitions) or split into `partitions`.
  DistributedRunSpec Spec(const std::string& entity,
                          const std::vector<std::string>& partitions = {}, int units = 1) {
    DistributedRunSpec spec;
    spec.connector = "gh";
    spec.schema = schema_;
    spec.statement = "SYNC gh.* TO warehouse DISTRIBUTED";
    spec.synced_at = "2026-12-07T06:00:00Z";
    spec.max_attempts = 3;
    if (partitions.empty()) {
      for (int i = 0; i < units; ++i) {
        spec.units.push_back(WorkUnit{
            "gh", units == 1 ? entity : entity + std::to_string(i), {entity}, std::nullopt});
      }
    }
    for (const std::string& id : partitions) {
      spec.units.push_back(
          WorkUnit{"gh", entity, {entity, entity + "_child"}, Partition{id, {{"client", id}}}});
    }
    spec.tables.push_back(RunTable{entity, entity, true});
    return spec;
  }

  int64_t Create(Coordinator& coordinator, const DistributedRunSpec& spec) {
    Result<int64_t> run = coordinator.CreateRun(spec);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : 0;
  }

  UnitLease MustClaim(Coordinator& coordinator, const std::string& worker) {
    Result<std::optional<UnitLease>> lease = coordinator.Claim(worker);
    EXPECT_TRUE(lease.ok()) << lease.status().ToString();
    EXPECT_TRUE(lease.ok() && lease->has_value()) << "nothing to claim";
    return lease.ok() && lease->has_value() ? **lease : UnitLease{};
  }

  void Expire(int64_t unit_id) {
    Exec(
        "UPDATE _sluice.units SET lease_expires_at = now() - interval '1 second' WHERE unit_id = " +
        std::to_string(unit_id));
  }

  std::string UnitColumn(int64_t unit_id, const std::string& column) {
    return Exec("SELECT " + column +
                " FROM _sluice.units WHERE unit_id = " + std::to_string(unit_id));
  }

  // Runs a CommitFence's statement as a destination would, with the batch's
  // row count as the last parameter: the rows it updated.
  int FenceRows(const CommitFence& fence, int64_t rows) {
    std::vector<std::string> params = fence.params;
    params.push_back(std::to_string(rows));
    std::vector<const char*> values;
    for (const std::string& param : params) values.push_back(param.c_str());
    std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexecParams(conn_.get(), fence.sql.c_str(), static_cast<int>(values.size()), nullptr,
                     values.data(), nullptr, nullptr, 0),
        &PQclear);
    EXPECT_EQ(PQresultStatus(result.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(result.get());
    return std::atoi(PQcmdTuples(result.get()));
  }

  int64_t Count(const std::string& where) {
    return std::stoll(Exec("SELECT count(*) FROM " + schema_ + ".items WHERE " + where));
  }

  // schema_.items with, per partition, a row of this run and a stale one,
  // a stale row without a partition, and a stale row of another source.
  void MakeItems(const std::vector<std::string>& partitions) {
    Exec("CREATE TABLE " + schema_ +
         ".items (id text, _sluice_source text, _sluice_synced_at timestamptz, _sluice_partition "
         "text)");
    for (const std::string& p : partitions) {
      Exec("INSERT INTO " + schema_ + ".items VALUES ('" + p +
           "-new', 'gh', '2026-12-07T06:00:00Z', '" + p + "'), ('" + p +
           "-old', 'gh', '2026-12-01T00:00:00Z', '" + p + "')");
    }
    Exec("INSERT INTO " + schema_ +
         ".items VALUES ('none-old', 'gh', '2026-12-01T00:00:00Z', NULL), ('other', 'gl', "
         "'2026-12-01T00:00:00Z', "
         "'a')");
  }

  int64_t DbMicros(const std::string& expression) {
    return std::stoll(Exec(
        "SELECT (extract(epoch from " + expression + ") * 1000000)::bigint" +
        (expression == "clock_timestamp()" ? "" : " FROM _sluice.rate_limits WHERE key = 'api'")));
  }
};

TEST_F(CoordinatorTest, ConcurrentWorkersNeverClaimTheSameUnit) {
  auto submitter = Connect();
  ASSERT_TRUE(submitter);
  int64_t run = Create(*submitter, Spec("e", {}, 120));
  std::vector<std::vector<int64_t>> claimed(4);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      auto coordinator = Coordinator::Connect(url_);
      ASSERT_TRUE(coordinator.ok()) << coordinator.status().ToString();
      while (true) {
        auto lease = (*coordinator)->Claim("w" + std::to_string(w));
        ASSERT_TRUE(lease.ok()) << lease.status().ToString();
        if (!lease->has_value()) break;
        claimed[w].push_back((*lease)->unit_id);
        auto completed = (*coordinator)->Complete(**lease, 1);
        ASSERT_TRUE(completed.ok() && *completed);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  std::multiset<int64_t> all;
  for (const auto& ids : claimed) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 120u);
  EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), 120u) << "a unit was leased twice";
  auto status = submitter->Progress(run);
  ASSERT_TRUE(status.ok());
  for (const UnitStatus& unit : status->units) {
    EXPECT_EQ(unit.state, "done");
    EXPECT_EQ(unit.attempt, 1) << unit.unit_id;
  }
  EXPECT_FALSE(*submitter->HasWork());
}

TEST_F(CoordinatorTest, ManyWorkersStartingAtOnceAllFindTheSchema) {
  for (int round = 0; round < 3; ++round) {
    Exec("DROP SCHEMA IF EXISTS _sluice CASCADE");
    std::atomic<int> ready{0}, connected{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < 6; ++i) {
      workers.emplace_back([&] {
        ++ready;
        while (ready < 6) std::this_thread::yield();
        auto coordinator = Coordinator::Connect(url_);
        EXPECT_TRUE(coordinator.ok()) << coordinator.status().ToString();
        if (coordinator.ok() && (*coordinator)->HasWork().ok()) ++connected;
      });
    }
    for (std::thread& worker : workers) worker.join();
    EXPECT_EQ(connected, 6) << "round " << round;
  }
}

TEST_F(CoordinatorTest, ClaimsTheOldestRunFirstThenByPosition) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  EXPECT_FALSE(*coordinator->HasWork());
  int64_t first = Create(*coordinator, Spec("issues", {"b", "a", "c"}));
  DistributedRunSpec pulls = Spec("pulls");  // another connector: one run per connector and schema at a time
  pulls.connector = "gl";
  for (WorkUnit& unit : pulls.units) unit.connector = "gl";
  int64_t second = Create(*coordinator, pulls);
  EXPECT_TRUE(*coordinator->HasWork());
  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    UnitLease lease = MustClaim(*coordinator, "w");
    order.push_back(std::to_string(lease.run_id == first    ? 1
                                   : lease.run_id == second ? 2
                                                            : 0) +
                    ":" + lease.unit.Label());
    EXPECT_EQ(lease.epoch, 1);
    EXPECT_EQ(lease.attempt, 1);
    EXPECT_EQ(lease.lease, std::chrono::milliseconds(30'000));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"1:gh.issues[b]", "1:gh.issues[a]", "1:gh.issues[c]",
                                             "2:gl.pulls"}));
  EXPECT_FALSE(coordinator->Claim("w")->has_value());
  EXPECT_TRUE(*coordinator->HasWork()) << "leased units are work in progress";
}

TEST_F(CoordinatorTest, AnExpiredLeaseIsTakenOverAndTheOldHolderIsFencedOut) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  Create(*coordinator, Spec("issues"));
  UnitLease old = MustClaim(*coordinator, "w1");
  EXPECT_FALSE(coordinator->Claim("w2")->has_value()) << "a live lease is not taken";
  EXPECT_EQ(FenceRows(coordinator->Fence(old), 5), 1);
  Expire(old.unit_id);
  UnitLease taken = MustClaim(*coordinator, "w2");
  EXPECT_EQ(taken.unit_id, old.unit_id);
  EXPECT_EQ(taken.epoch, old.epoch + 1);
  EXPECT_EQ(taken.attempt, 2);
  // The old holder: every fenced action refuses, and changes nothing.
  Exec("BEGIN");
  EXPECT_EQ(FenceRows(coordinator->Fence(old), 7), 0);
  EXPECT_EQ(FenceRows(coordinator->Fence(taken), 3), 1);
  Exec("COMMIT");
  EXPECT_FALSE(*coordinator->Renew(old));
  EXPECT_FALSE(*coordinator->Complete(old, 99));
  EXPECT_FALSE(*coordinator->Fail(old, "late"));
  EXPECT_EQ(UnitColumn(old.unit_id,
                       "state || ' ' || lease_owner || ' ' || rows_written || ' ' || rows_read || "
                       "' ' || coalesce(error, '-')"),
            "leased w2 8 0 -");
  EXPECT_TRUE(*coordinator->Renew(taken));
  EXPECT_TRUE(*coordinator->Complete(taken, 8));
  EXPECT_EQ(UnitColumn(old.unit_id, "state || ' ' || rows_read"), "done 8");
  EXPECT_FALSE(*coordinator->Renew(taken)) << "a done unit has no lease";
  auto progress = coordinator->Progress(old.run_id);
  ASSERT_TRUE(progress.ok()) << progress.status().ToString();
  EXPECT_EQ(progress->state, "running");
  EXPECT_EQ(progress->connector, "gh");
  EXPECT_EQ(progress->schema, schema_);
  ASSERT_EQ(progress->units.size(), 1u);
  const UnitStatus& unit = progress->units[0];
  EXPECT_EQ(unit.unit_id, old.unit_id);
  EXPECT_EQ(unit.entity, "issues");
  EXPECT_EQ(unit.partition, "");
  EXPECT_EQ(unit.state, "done");
  EXPECT_EQ(unit.attempt, 2);
  EXPECT_EQ(unit.worker, "w2");
  EXPECT_EQ(unit.rows_read, 8);
  EXPECT_EQ(unit.rows_written, 8);
  ASSERT_TRUE(ParseTimestamp(unit.started_at).has_value()) << unit.started_at;
  ASSERT_TRUE(ParseTimestamp(unit.finished_at).has_value()) << unit.finished_at;
  EXPECT_LE(*ParseTimestamp(unit.started_at), *ParseTimestamp(unit.finished_at));
  EXPECT_TRUE(ParseTimestamp(progress->created_at).has_value()) << progress->created_at;
  EXPECT_EQ(progress->finished_at, "");
  CommitFence fence = coordinator->Fence(old);
  EXPECT_NE(fence.lost.find("gh.issues"), std::string::npos) << fence.lost;
  EXPECT_NE(fence.lost.find("epoch 1 is stale"), std::string::npos) << fence.lost;
}

TEST_F(CoordinatorTest, TheFenceRenewsTheLeaseInsideTheBatchTransaction) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  Create(*coordinator, Spec("issues"));
  UnitLease lease = MustClaim(*coordinator, "w1");
  Expire(lease.unit_id);
  Exec("BEGIN");
  EXPECT_EQ(FenceRows(coordinator->Fence(lease), 4), 1);
  Exec("ROLLBACK");
  EXPECT_EQ(UnitColumn(lease.unit_id, "rows_written"), "0") << "a rolled-back batch adds nothing";
  EXPECT_EQ(UnitColumn(lease.unit_id, "lease_expires_at < now()"), "t");
  Exec("BEGIN");
  EXPECT_EQ(FenceRows(coordinator->Fence(lease), 4), 1);
  Exec("COMMIT");
  EXPECT_EQ(UnitColumn(lease.unit_id, "rows_written"), "4");
  EXPECT_EQ(UnitColumn(lease.unit_id, "lease_expires_at > now() + interval '20 seconds'"), "t");
  EXPECT_FALSE(coordinator->Claim("w2")->has_value()) << "the renewed lease holds";
}

TEST_F(CoordinatorTest, AFailedUnitIsRetriedThenFailsAtMaxAttemptsWithItsErrorMasked) {
  SecretMasker::Global().Add("hunter2-coordinator-secret");
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  DistributedRunSpec spec = Spec("issues");
  spec.max_attempts = 2;
  Create(*coordinator, spec);
  UnitLease first = MustClaim(*coordinator, "w1");
  EXPECT_TRUE(*coordinator->Fail(first, "HTTP 500 with token hunter2-coordinator-secret"));
  EXPECT_EQ(UnitColumn(first.unit_id, "state || ' ' || attempt"), "pending 1");
  EXPECT_EQ(UnitColumn(first.unit_id, "error"), "HTTP 500 with token ***");
  UnitLease second = MustClaim(*coordinator, "w2");
  EXPECT_EQ(second.attempt, 2);
  std::string hostile(10'000, 'x');
  hostile += std::string("\0\xff\xfe", 3);
  EXPECT_TRUE(*coordinator->Fail(second, hostile));
  EXPECT_EQ(
      UnitColumn(first.unit_id, "state || ' ' || attempt || ' ' || (finished_at IS NOT NULL)"),
      "failed 2 true");
  EXPECT_LE(std::stoi(UnitColumn(first.unit_id, "octet_length(error)")), 4200);
  EXPECT_FALSE(coordinator->Claim("w3")->has_value());
  EXPECT_FALSE(*coordinator->HasWork());
}

TEST_F(CoordinatorTest, AnExpiredLeaseWithNoAttemptsLeftFails) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  DistributedRunSpec spec = Spec("issues");
  spec.max_attempts = 1;
  int64_t run = Create(*coordinator, spec);
  UnitLease lease = MustClaim(*coordinator, "w1");
  Expire(lease.unit_id);
  EXPECT_FALSE(coordinator->Claim("w2")->has_value());
  EXPECT_EQ(UnitColumn(lease.unit_id, "state"), "failed");
  EXPECT_EQ(UnitColumn(lease.unit_id, "error"),
            "lease expired on attempt 1: its worker stopped or lost its connection");
  EXPECT_EQ(FenceRows(coordinator->Fence(lease), 1), 0) << "a failed unit takes no more batches";
  auto status = coordinator->Finalize(run);
  ASSERT_TRUE(status.ok() && status->has_value());
  EXPECT_EQ((*status)->state, "failed");
}

TEST_F(CoordinatorTest, FinalizeWaitsForEveryUnit) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  int64_t run = Create(*coordinator, Spec("issues", {"a", "b"}));
  EXPECT_FALSE(coordinator->Finalize(run)->has_value()) << "pending units";
  UnitLease a = MustClaim(*coordinator, "w");
  UnitLease b = MustClaim(*coordinator, "w");
  ASSERT_TRUE(*coordinator->Complete(a, 1));
  EXPECT_FALSE(coordinator->Finalize(run)->has_value()) << "a leased unit";
  Expire(b.unit_id);
  EXPECT_FALSE(coordinator->Finalize(run)->has_value())
      << "an expired lease with attempts left is unfinished";
  EXPECT_EQ(UnitColumn(b.unit_id, "state"), "leased");
  ASSERT_TRUE(*coordinator->Complete(b, 1));
  auto status = coordinator->Finalize(run);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_TRUE(status->has_value());
  EXPECT_EQ((*status)->state, "done");
  EXPECT_FALSE((*status)->finished_at.empty());
  EXPECT_FALSE(coordinator->Finalize(run)->has_value()) << "an ended run is not finalized again";
}

TEST_F(CoordinatorTest, FinalizeDeletesStaleRowsOnlyOfCompletedPartitions) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  MakeItems({"a", "b", "c"});
  DistributedRunSpec spec = Spec("items", {"a", "b", "c"});
  spec.max_attempts = 1;
  spec.tables.push_back(RunTable{"items", "missing_table", true});
  int64_t run = Create(*coordinator, spec);
  for (int i = 0; i < 3; ++i) {
    UnitLease lease = MustClaim(*coordinator, "w");
    if (lease.unit.partition->id == "b") {
      ASSERT_TRUE(*coordinator->Fail(lease, "boom"));
    } else {
      ASSERT_TRUE(*coordinator->Complete(lease, 1));
    }
  }
  auto status = coordinator->Finalize(run);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_TRUE(status->has_value());
  EXPECT_EQ((*status)->state, "partial");
  EXPECT_EQ((*status)->rows_deleted, 2);
  EXPECT_NE((*status)->error.find("gh.items[b]: boom"), std::string::npos) << (*status)->error;
  EXPECT_EQ(Count("id IN ('a-old', 'c-old')"), 0);
  EXPECT_EQ(Count("id IN ('a-new', 'b-new', 'c-new', 'b-old', 'none-old', 'other')"), 6);
}

// Two full runs of one connector into one schema would each delete what
// the other wrote: the second is refused while the first has units to go,
// and taken once it has none.
TEST_F(CoordinatorTest, ASecondRunOfAConnectorIntoASchemaWaitsForTheFirst) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  int64_t first = Create(*coordinator, Spec("items", {"a"}));
  Result<int64_t> second = coordinator->CreateRun(Spec("items", {"a"}));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().kind(), ErrorKind::kAlreadyExists);
  EXPECT_NE(second.status().message().find("distributed run " + std::to_string(first) + " of connector 'gh'"),
            std::string::npos)
      << second.status().message();
  DistributedRunSpec elsewhere = Spec("items", {"a"});
  elsewhere.schema = schema_ + "_other";
  EXPECT_TRUE(coordinator->CreateRun(elsewhere).ok()) << "another schema is another table";
  UnitLease lease = MustClaim(*coordinator, "w");
  ASSERT_TRUE(*coordinator->Complete(lease, 0));
  ASSERT_TRUE(coordinator->Finalize(first).ok());
  EXPECT_TRUE(coordinator->CreateRun(Spec("items", {"a"})).ok()) << "the first run has ended";
}

// Rows newer than the run (a later run's, a shard's) are not its stale rows.
TEST_F(CoordinatorTest, FinalizeKeepsRowsNewerThanTheRun) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  MakeItems({"a"});
  Exec("INSERT INTO " + schema_ + ".items VALUES ('a-newer', 'gh', '2026-12-08T00:00:00Z', 'a')");
  DistributedRunSpec spec = Spec("items", {"a"});
  int64_t run = Create(*coordinator, spec);
  UnitLease lease = MustClaim(*coordinator, "w");
  ASSERT_TRUE(*coordinator->Complete(lease, 1));
  auto status = coordinator->Finalize(run);
  ASSERT_TRUE(status.ok() && status->has_value());
  EXPECT_EQ(Count("id = 'a-newer'"), 1);
  EXPECT_EQ(Count("id = 'a-old'"), 0);
}

TEST_F(CoordinatorTest, FinalizeDeletesEveryStaleRowWhenAllUnitsCompleted) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  MakeItems({"a", "b", "c", "gone"});
  int64_t run = Create(*coordinator, Spec("items", {"a", "b", "c"}));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(*coordinator->Complete(MustClaim(*coordinator, "w"), 1));
  auto status = coordinator->Finalize(run);
  ASSERT_TRUE(status.ok() && status->has_value()) << status.status().ToString();
  EXPECT_EQ((*status)->state, "done");
  EXPECT_EQ((*status)->rows_deleted, 5) << "a, b, c, a vanished partition and the row without one";
  EXPECT_EQ(Count("true"), 5);
  EXPECT_EQ(Count("id = 'other'"), 1);
}

TEST_F(CoordinatorTest, AFailedWholeEntityDeletesNothing) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  MakeItems({"a"});
  DistributedRunSpec spec = Spec("items");
  spec.max_attempts = 1;
  spec.units.push_back(WorkUnit{"gh", "other", {"other"}, std::nullopt});
  int64_t run = Create(*coordinator, spec);
  UnitLease items = MustClaim(*coordinator, "w");
  ASSERT_EQ(items.unit.entity, "items");
  ASSERT_TRUE(*coordinator->Fail(items, "boom"));
  ASSERT_TRUE(*coordinator->Complete(MustClaim(*coordinator, "w"), 1));
  auto status = coordinator->Finalize(run);
  ASSERT_TRUE(status.ok() && status->has_value()) << status.status().ToString();
  EXPECT_EQ((*status)->state, "partial");
  EXPECT_EQ((*status)->rows_deleted, 0);
  EXPECT_EQ(Count("true"), 4);
}

TEST_F(CoordinatorTest, APartitionedTableWithoutItsPartitionColumnKeepsItsRowsWhenAUnitFailed) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  MakeItems({"a", "b"});
  Exec("ALTER TABLE " + schema_ + ".items DROP COLUMN _sluice_partition");
  DistributedRunSpec spec = Spec("items", {"a", "b"});
  spec.max_attempts = 1;
  int64_t run = Create(*coordinator, spec);
  ASSERT_TRUE(*coordinator->Complete(MustClaim(*coordinator, "w"), 1));
  ASSERT_TRUE(*coordinator->Fail(MustClaim(*coordinator, "w"), "boom"));
  auto status = coordinator->Finalize(run);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_TRUE(status->has_value());
  EXPECT_EQ((*status)->state, "partial");
  EXPECT_EQ(Count("true"), 6);
}

TEST_F(CoordinatorTest, OneOfTwoConcurrentFinalizersFinalizes) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  for (int round = 0; round < 5; ++round) {
    int64_t run = Create(*coordinator, Spec("items"));
    ASSERT_TRUE(*coordinator->Complete(MustClaim(*coordinator, "w"), 1));
    std::atomic<int> finalized{0}, ready{0};
    std::vector<std::thread> finalizers;
    for (int i = 0; i < 2; ++i) {
      finalizers.emplace_back([&] {
        auto own = Coordinator::Connect(url_);
        ASSERT_TRUE(own.ok());
        ++ready;
        while (ready < 2) std::this_thread::yield();
        auto status = (*own)->Finalize(run);
        ASSERT_TRUE(status.ok()) << status.status().ToString();
        if (status->has_value()) ++finalized;
      });
    }
    for (std::thread& finalizer : finalizers) finalizer.join();
    EXPECT_EQ(finalized, 1) << "round " << round;
  }
}

TEST_F(CoordinatorTest, LoadRunReturnsWhatCreateRunStored) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  DistributedRunSpec spec = Spec("issues", {"zürich", "東京"});
  spec.units.push_back(WorkUnit{"gh", "users", {"users"}, std::nullopt});
  spec.catalog = Value::parse(R"({"z": 1, "a": {"nested": [1, 2.5, "é", null]}, "m": "\u0000x"})");
  spec.choices = {
      {"mode", "full"}, {"incremental_field", nullptr}, {"write_mode", nullptr}, {"force", true}};
  spec.integration_archive = std::string("PK\0\x03\xff\x00tail", 10);
  spec.lease = std::chrono::milliseconds(1500);
  spec.max_attempts = 4;
  int64_t run = Create(*coordinator, spec);
  auto loaded = coordinator->LoadRun(run);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->run_id, run);
  EXPECT_EQ(loaded->connector, "gh");
  EXPECT_EQ(loaded->schema, schema_);
  EXPECT_EQ(loaded->statement, spec.statement);
  EXPECT_EQ(loaded->catalog.dump(), spec.catalog.dump()) << "key order and values kept";
  EXPECT_EQ(loaded->choices, spec.choices);
  EXPECT_EQ(loaded->integration_archive, spec.integration_archive);
  EXPECT_EQ(loaded->synced_at, spec.synced_at);
  EXPECT_EQ(loaded->lease, std::chrono::milliseconds(1500));
  EXPECT_EQ(loaded->max_attempts, 4);
  ASSERT_EQ(loaded->units.size(), 3u);
  EXPECT_EQ(loaded->units[0].Label(), "gh.issues[zürich]");
  EXPECT_EQ(loaded->units[0].entities, (std::vector<std::string>{"issues", "issues_child"}));
  EXPECT_EQ(loaded->units[1].partition->spec, (Value{{"client", "東京"}}));
  EXPECT_FALSE(loaded->units[2].partition.has_value());
  ASSERT_EQ(loaded->tables.size(), 1u);
  EXPECT_EQ(loaded->tables[0].table, "issues");
  EXPECT_TRUE(loaded->tables[0].delete_stale);
  EXPECT_EQ(coordinator->LoadRun(run + 1000).status().kind(), ErrorKind::kNotFound);
}

TEST_F(CoordinatorTest, TwoLimitersOnOneKeySpaceTheirSlotsByTheRate) {
  auto limits_a = PostgresRateLimits(url_), limits_b = PostgresRateLimits(url_);
  auto a = limits_a("api", 10, 1), b = limits_b("api", 10, 1);
  ASSERT_TRUE(a && b);
  ASSERT_NE(a, b);
  EXPECT_EQ(limits_a("api", 10, 1), a) << "one limit per key in a process";
  constexpr int64_t kT = 100'000;  // µs at 10 requests per second
  int64_t previous_tat = 0;
  for (int i = 0; i < 20; ++i) {
    int64_t before = DbMicros("clock_timestamp()");
    auto wait = (i % 2 ? b : a)->Reserve();
    int64_t after = DbMicros("clock_timestamp()");
    ASSERT_TRUE(wait.ok()) << wait.status().ToString();
    int64_t tat = DbMicros("tat");
    // The slot reserved is tat - T; the wait is that slot less the
    // database's clock when the reservation ran, which lies in [before, after].
    EXPECT_GE(wait->count(), std::max<int64_t>(0, tat - kT - after) - 2) << i;
    EXPECT_LE(wait->count(), std::max<int64_t>(0, tat - kT - before) + 2) << i;
    if (i > 0) {
      EXPECT_GE(tat - previous_tat, kT) << "slots " << i - 1 << " and " << i;
    }
    previous_tat = tat;
  }
  // From two threads at once: every reservation still moves the one row.
  int64_t start = DbMicros("clock_timestamp()");
  std::thread other([&] {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(b->Reserve().ok());
  });
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(a->Reserve().ok());
  other.join();
  EXPECT_GE(DbMicros("tat") - std::max(start, previous_tat), 20 * kT - 2);
}

TEST_F(CoordinatorTest, ABurstGoesAtOnceAfterAnIdlePeriod) {
  auto limit = PostgresRateLimits(url_)("api", 0.01, 5);  // T = 100 s
  ASSERT_TRUE(limit);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 5; ++i) {
      auto wait = limit->Reserve();
      ASSERT_TRUE(wait.ok()) << wait.status().ToString();
      EXPECT_EQ(wait->count(), 0) << "round " << round << ", request " << i;
    }
    auto sixth = limit->Reserve();
    ASSERT_TRUE(sixth.ok());
    EXPECT_GT(sixth->count(), 50'000'000) << "the sixth waits for about T";
    // Idle: the bucket fills again.
    Exec("UPDATE _sluice.rate_limits SET tat = clock_timestamp() - interval '1 hour'");
  }
}

// The wiring: a connector with a rate_limit, in a process with the factory
// installed, reserves each request under its own name. Its requests go to a
// closed port: they fail, but only after their slots were reserved.
TEST_F(CoordinatorTest, AConnectorsRequestsReserveUnderItsName) {
  namespace fs = std::filesystem;
  fs::path directory = fs::temp_directory_path() / ("sluice-coord-" + std::to_string(::getpid()));
  fs::remove_all(directory);
  fs::create_directories(directory);
  ServeOptions options;
  options.workspace_path = (directory / "ws.db").string();
  auto session = WorkspaceSession::Open(options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  SetSharedRateLimitFactory(PostgresRateLimits(url_));
  auto ran = (*session)->Run(R"(CREATE CONNECTOR TYPE 'probe' CONFIG_SCHEMA {};
CREATE CONNECTOR ACTION 'probe.run' HANDLER '''
async function execute() {
  let failed = 0;
  for (let i = 0; i < 3; i++) { try { await fetch('http://127.0.0.1:1/x'); } catch (e) { failed++; } }
  return failed;
}''';
CREATE CONNECTOR limited TYPE 'probe' CONFIG {} OPTIONS {"rate_limit": 1000, "rate_limit_burst": 2};
CREATE CONNECTOR free TYPE 'probe' CONFIG {};
CONNECTOR_EXEC limited.run();
CONNECTOR_EXEC free.run();)");
  SetSharedRateLimitFactory(nullptr);
  session.value().reset();
  fs::remove_all(directory);
  ASSERT_TRUE(ran.ok()) << ran.status().ToString();
  EXPECT_EQ(Exec("SELECT string_agg(key, ',' ORDER BY key) FROM _sluice.rate_limits"), "limited");
}

TEST_F(CoordinatorTest, ExtremeRatesAndBurstsStayInRange) {
  auto limits = PostgresRateLimits(url_);
  for (auto [rate, burst] :
       {std::pair{1e-300, 1.0}, std::pair{1e300, 1e300}, std::pair{5.0, 1e18}}) {
    auto limit = limits("extreme" + std::to_string(rate), rate, burst);
    ASSERT_TRUE(limit);
    for (int i = 0; i < 2; ++i) {
      auto wait = limit->Reserve();
      ASSERT_TRUE(wait.ok()) << rate << " " << burst << ": " << wait.status().ToString();
      EXPECT_LE(wait->count(), 86'400'000'000LL * 2);
    }
  }
}

TEST_F(CoordinatorTest, ErrorsNeverShowTheConnectionPassword) {
  for (const std::string& url :
       {std::string("postgresql://sluice:s3cretPassw0rd@127.0.0.1:1/postgres?connect_timeout=5"),
        std::string("postgresql://sluice:s3cretPassw0rd@127.0.0.1:notaport/postgres"),
        std::string("host=127.0.0.1 port=1 user=sluice password=s3cretPassw0rd connect_timeout=5"),
        std::string("postgresql://sluice:s3cretPassw0rd@127.0.0.1:1/postgres?bogus=s3cretPassw0rd"),
        // libpq splits at the first '@': the password's tail becomes the host.
        std::string("postgresql://sluice:s3cretP@ssw0rd99@127.0.0.1:1/postgres")}) {
    auto connected = Coordinator::Connect(url);
    ASSERT_FALSE(connected.ok()) << url;
    EXPECT_EQ(connected.status().kind(), ErrorKind::kConnection);
    for (const char* part : {"s3cretP", "ssw0rd99"}) {
      EXPECT_EQ(connected.status().ToString().find(part), std::string::npos)
          << connected.status().ToString();
    }
    auto limit = PostgresRateLimits(url)("api", 10, 1);
    ASSERT_TRUE(limit);
    for (int i = 0; i < 2; ++i) {
      auto wait = limit->Reserve();
      ASSERT_FALSE(wait.ok());
      for (const char* part : {"s3cretP", "ssw0rd99"}) {
        EXPECT_EQ(wait.status().ToString().find(part), std::string::npos)
            << wait.status().ToString();
      }
    }
  }
}

TEST_F(CoordinatorTest, ACoordinatorReconnectsAfterItsSessionIsTerminated) {
  auto coordinator = Connect();
  ASSERT_TRUE(coordinator);
  Create(*coordinator, Spec("issues"));
  Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
      "datname = "
      "current_database() AND backend_type = 'client backend'");
  auto failed = coordinator->HasWork();
  if (!failed.ok()) {
    EXPECT_EQ(failed.status().kind(), ErrorKind::kConnection) << failed.status().ToString();
  }
  auto again = coordinator->HasWork();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(*again);
}

}  // namespace
}  // namespace sluice
