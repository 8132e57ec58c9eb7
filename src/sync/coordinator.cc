#include "sync/coordinator.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <tuple>

#include "core/secret_masker.h"
#include "core/time_util.h"
#include "core/utf8.h"
#include "sync/coordinator_pg.h"

namespace sluice {
namespace {

constexpr size_t kMaxErrorBytes = 4096;

std::string TimeText(PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return "";
  return FormatTimestamp(PgInt(PQgetvalue(result, row, column)));
}

// Units leased with an expired lease and no attempts left become failed
// (of one run, or of any running run when `run_id` is 0). Units another
// session holds locked are left: that session still acts on them.
Status FailExpired(PgSession& pg, int64_t run_id) {
  return pg
      .Run(
          R"(UPDATE _sluice.units u SET state = 'failed', finished_at = now(), lease_expires_at = NULL,
  error = 'lease expired on attempt ' || u.attempt || ': its worker stopped or lost its connection'
WHERE u.unit_id IN (
  SELECT x.unit_id FROM _sluice.units x JOIN _sluice.runs r USING (run_id)
  WHERE r.state = 'running' AND ($1::bigint = 0 OR x.run_id = $1::bigint) AND x.state = 'leased'
    AND x.lease_expires_at < now() AND x.attempt >= r.max_attempts
  FOR UPDATE OF x SKIP LOCKED))",
          {run_id})
      .status();
}

// The columns UnitFromRow reads, from `u` (units).
constexpr const char* kUnitColumns = "u.entity, u.entities, u.partition_id, u.partition_spec";

WorkUnit UnitFromRow(PGresult* result, int row, int column, const std::string& connector) {
  WorkUnit unit;
  unit.connector = connector;
  unit.entity = PQgetvalue(result, row, column);
  Value entities = ParsePgJson(PQgetvalue(result, row, column + 1));
  if (entities.is_array()) {
    for (const Value& entity : entities) {
      if (entity.is_string()) unit.entities.push_back(entity.get<std::string>());
    }
  }
  if (!PQgetisnull(result, row, column + 2)) {
    Partition partition;
    partition.id = PQgetvalue(result, row, column + 2);
    if (!PQgetisnull(result, row, column + 3))
      partition.spec = ParsePgJson(PQgetvalue(result, row, column + 3));
    unit.partition = std::move(partition);
  }
  return unit;
}

Status CheckNoNul(const std::string& text, const std::string& what) {
  if (text.find('\0') == std::string::npos) return Status::Ok();
  return Status(ErrorKind::kInvalidArgument,
                what + " holds a NUL byte, which PostgreSQL cannot store");
}

}  // namespace

struct Coordinator::Connection {
  explicit Connection(const std::string& url) : pg(url, "coordinator") {}
  PgSession pg;
};

Coordinator::Coordinator(std::unique_ptr<Connection> connection)
    : connection_(std::move(connection)) {}
Coordinator::~Coordinator() = default;

Result<std::unique_ptr<Coordinator>> Coordinator::Connect(const std::string& url) {
  auto connection = std::make_unique<Connection>(url);
  RETURN_IF_ERROR(connection->pg.Connect());
  return std::unique_ptr<Coordinator>(new Coordinator(std::move(connection)));
}

Result<int64_t> Coordinator::CreateRun(const DistributedRunSpec& spec) {
  RETURN_IF_ERROR(CheckNoNul(spec.connector, "the connector's name"));
  RETURN_IF_ERROR(CheckNoNul(spec.schema, "the schema's name"));
  Value units = Value::array();
  for (const WorkUnit& unit : spec.units) {
    RETURN_IF_ERROR(CheckNoNul(unit.entity, "entity '" + PgText(unit.entity) + "'"));
    if (unit.partition)
      RETURN_IF_ERROR(CheckNoNul(unit.partition->id, "a partition id of " + PgText(unit.Label())));
    Value row = {{"entity", unit.entity},
                 {"entities", unit.entities},
                 {"partition_id", nullptr},
                 {"partition_spec", nullptr}};
    if (unit.partition) {
      row["partition_id"] = unit.partition->id;
      row["partition_spec"] = unit.partition->spec;
    }
    units.push_back(std::move(row));
  }
  Value tables = Value::array();
  for (const RunTable& table : spec.tables) {
    tables.push_back(
        {{"entity", table.entity}, {"table", table.table}, {"delete_stale", table.delete_stale}});
  }
  PgSession& pg = connection_->pg;
  PgSession::Transaction transaction(pg);
  RETURN_IF_ERROR(transaction.Begin());
  // One run of a connector into a schema at a time, as one sync of a table
  // at a time locally: two full runs would each delete the rows the other
  // wrote as stale. Under a lock, so two submitters cannot both pass.
  RETURN_IF_ERROR(pg.Run("SELECT pg_advisory_xact_lock(hashtextextended('sluice run ' || $1 || '.' || $2, 0))",
                         {spec.connector, spec.schema})
                      .status());
  ASSIGN_OR_RETURN(PgResult active,
                   pg.Run("SELECT r.run_id, count(*) FROM _sluice.runs r JOIN _sluice.units u USING (run_id) "
                          "WHERE r.connector = $1 AND r.schema_name = $2 AND r.state = 'running' AND "
                          "u.state IN ('pending', 'leased') GROUP BY r.run_id ORDER BY r.run_id LIMIT 1",
                          {spec.connector, spec.schema}));
  if (PQntuples(active.get()) > 0) {
    std::string other = PQgetvalue(active.get(), 0, 0);
    return Status(ErrorKind::kAlreadyExists,
                  "distributed run " + other + " of connector '" + PgText(spec.connector) + "' into schema '" +
                      PgText(spec.schema) + "' is still running (" + PQgetvalue(active.get(), 0, 1) +
                      " units pending or leased): a second run would race it and delete its rows as stale; wait "
                      "for it (SHOW SYNC UNITS FOR RUN " + other + ")");
  }
  ASSIGN_OR_RETURN(
      PgResult run,
      pg.Run("INSERT INTO _sluice.runs (connector, schema_name, statement, choices, catalog, "
             "integration, synced_at, max_attempts, lease_ms, tables) VALUES ($1, $2, $3, "
             "$4::json, $5::json, $6, $7, $8::integer, $9::bigint, $10::jsonb) RETURNING run_id",
             {spec.connector, spec.schema, PgText(spec.statement), PgJson(spec.choices),
              PgJson(spec.catalog), PgParam::Bytes(spec.integration_archive), spec.synced_at,
              static_cast<int64_t>(std::max(1, spec.max_attempts)),
              static_cast<int64_t>(std::max<int64_t>(1, spec.lease.count())), PgJson(tables)}));
  int64_t run_id = PgInt(PQgetvalue(run.get(), 0, 0));
  RETURN_IF_ERROR(
      pg.Run(
            R"(INSERT INTO _sluice.units (run_id, position, entity, entities, partition_id, partition_spec)
SELECT $1::bigint, (e.ord - 1)::integer, e.u->>'entity', (e.u->'entities')::jsonb, e.u->>'partition_id',
       CASE WHEN e.u->>'partition_id' IS NULL THEN NULL ELSE e.u->'partition_spec' END
FROM json_array_elements($2::json) WITH ORDINALITY AS e(u, ord))",
            {run_id, PgJson(units)})
          .status());
  RETURN_IF_ERROR(transaction.Commit());
  return run_id;
}

Result<DistributedRunSpec> Coordinator::LoadRun(int64_t run_id) {
  PgSession& pg = connection_->pg;
  ASSIGN_OR_RETURN(
      PgResult run,
      pg.Run("SELECT connector, schema_name, statement, choices, catalog, synced_at, "
             "max_attempts, lease_ms, tables FROM _sluice.runs WHERE run_id = $1::bigint",
             {run_id}));
  if (PQntuples(run.get()) == 0) {
    return Status(ErrorKind::kNotFound,
                  "distributed run " + std::to_string(run_id) + " does not exist");
  }
  DistributedRunSpec spec;
  spec.run_id = run_id;
  spec.connector = PQgetvalue(run.get(), 0, 0);
  spec.schema = PQgetvalue(run.get(), 0, 1);
  spec.statement = PQgetvalue(run.get(), 0, 2);
  spec.choices = ParsePgJson(PQgetvalue(run.get(), 0, 3));
  spec.catalog = ParsePgJson(PQgetvalue(run.get(), 0, 4));
  spec.synced_at = PQgetvalue(run.get(), 0, 5);
  spec.max_attempts = static_cast<int>(PgInt(PQgetvalue(run.get(), 0, 6)));
  spec.lease = std::chrono::milliseconds(PgInt(PQgetvalue(run.get(), 0, 7)));
  Value tables = ParsePgJson(PQgetvalue(run.get(), 0, 8));
  for (const Value& table : tables.is_array() ? tables : Value::array()) {
    if (!table.is_object()) continue;
    spec.tables.push_back(RunTable{table.value("entity", ""), table.value("table", ""),
                                   table.value("delete_stale", false)});
  }
  // bytea in binary: the archive's bytes as they are, NULs included.
  ASSIGN_OR_RETURN(
      PgResult archive,
      pg.Run("SELECT integration FROM _sluice.runs WHERE run_id = $1::bigint", {run_id}, true));
  if (PQntuples(archive.get()) == 1) {
    spec.integration_archive.assign(PQgetvalue(archive.get(), 0, 0),
                                    PQgetlength(archive.get(), 0, 0));
  }
  ASSIGN_OR_RETURN(
      PgResult units,
      pg.Run(std::string("SELECT ") + kUnitColumns +
                 " FROM _sluice.units u WHERE u.run_id = $1::bigint ORDER BY u.position",
             {run_id}));
  for (int row = 0; row < PQntuples(units.get()); ++row) {
    spec.units.push_back(UnitFromRow(units.get(), row, 0, spec.connector));
  }
  return spec;
}

Result<std::optional<UnitLease>> Coordinator::Claim(const std::string& worker) {
  PgSession& pg = connection_->pg;
  RETURN_IF_ERROR(FailExpired(pg, 0));
  ASSIGN_OR_RETURN(PgResult claimed,
                   pg.Run(std::string(R"(UPDATE _sluice.units u SET state = 'leased',
  lease_epoch = u.lease_epoch + 1, attempt = u.attempt + 1, lease_owner = $1,
  lease_expires_at = now() + r.lease_ms * interval '1 millisecond', heartbeat_at = now(),
  started_at = coalesce(u.started_at, now()), finished_at = NULL
FROM _sluice.runs r
WHERE r.run_id = u.run_id AND u.unit_id = (
  SELECT x.unit_id FROM _sluice.units x JOIN _sluice.runs y USING (run_id)
  WHERE y.state = 'running' AND (x.state = 'pending' OR (x.state = 'leased' AND x.lease_expires_at < now()))
    AND x.attempt < y.max_attempts
  ORDER BY x.run_id, x.position
  FOR UPDATE OF x SKIP LOCKED LIMIT 1)
RETURNING u.unit_id, u.run_id, u.lease_epoch, u.attempt, r.lease_ms, r.connector, )") +
                              kUnitColumns,
                          {PgText(worker)}));
  if (PQntuples(claimed.get()) == 0) return std::optional<UnitLease>();
  PGresult* row = claimed.get();
  UnitLease lease;
  lease.unit_id = PgInt(PQgetvalue(row, 0, 0));
  lease.run_id = PgInt(PQgetvalue(row, 0, 1));
  lease.epoch = PgInt(PQgetvalue(row, 0, 2));
  lease.attempt = static_cast<int>(PgInt(PQgetvalue(row, 0, 3)));
  lease.lease = std::chrono::milliseconds(PgInt(PQgetvalue(row, 0, 4)));
  lease.worker = worker;
  lease.unit = UnitFromRow(row, 0, 6, PQgetvalue(row, 0, 5));
  return std::optional<UnitLease>(std::move(lease));
}

CommitFence Coordinator::Fence(const UnitLease& lease) const {
  CommitFence fence;
  fence.sql =
      "UPDATE _sluice.units SET heartbeat_at = now(), "
      "lease_expires_at = now() + $3::bigint * interval '1 millisecond', "
      "rows_written = rows_written + $4::bigint "
      "WHERE unit_id = $1::bigint AND lease_epoch = $2::bigint AND state = 'leased'";
  fence.params = {std::to_string(lease.unit_id), std::to_string(lease.epoch),
                  std::to_string(lease.lease.count())};
  fence.lost = "unit " + std::to_string(lease.unit_id) + " (" + lease.unit.Label() +
               ") of distributed run " + std::to_string(lease.run_id) +
               ": the lease moved to another worker (epoch " + std::to_string(lease.epoch) +
               " is stale); nothing of this batch was committed";
  return fence;
}

Result<bool> Coordinator::Renew(const UnitLease& lease) {
  CommitFence fence = Fence(lease);
  ASSIGN_OR_RETURN(
      PgResult renewed,
      connection_->pg.Run(fence.sql, {fence.params[0], fence.params[1], fence.params[2], "0"}));
  return PgInt(PQcmdTuples(renewed.get())) == 1;
}

Result<bool> Coordinator::Complete(const UnitLease& lease, int64_t rows_read) {
  ASSIGN_OR_RETURN(PgResult completed,
                   connection_->pg.Run(
                       "UPDATE _sluice.units SET state = 'done', rows_read = $3::bigint, "
                       "finished_at = now(), heartbeat_at = now(), lease_expires_at = NULL, "
                       "error = NULL WHERE unit_id = $1::bigint AND lease_epoch = $2::bigint AND "
                       "state = 'leased'",
                       {lease.unit_id, lease.epoch, rows_read}));
  return PgInt(PQcmdTuples(completed.get())) == 1;
}

Result<bool> Coordinator::Fail(const UnitLease& lease, const std::string& error) {
  std::string masked = PgText(SecretMasker::Global().Mask(error));
  if (masked.size() > kMaxErrorBytes) {
    size_t cut = kMaxErrorBytes;
    while (cut > 0 && IsUtf8Continuation(masked[cut])) --cut;
    masked = masked.substr(0, cut) + "…";
  }
  ASSIGN_OR_RETURN(PgResult failed, connection_->pg.Run(R"(UPDATE _sluice.units u
SET state = CASE WHEN u.attempt < r.max_attempts THEN 'pending' ELSE 'failed' END,
  finished_at = CASE WHEN u.attempt < r.max_attempts THEN NULL ELSE now() END,
  error = $3, heartbeat_at = now(), lease_expires_at = NULL
FROM _sluice.runs r
WHERE r.run_id = u.run_id AND u.unit_id = $1::bigint AND u.lease_epoch = $2::bigint AND u.state = 'leased')",
                                                        {lease.unit_id, lease.epoch, masked}));
  return PgInt(PQcmdTuples(failed.get())) == 1;
}

Result<bool> Coordinator::Release(const UnitLease& lease, const std::string& why) {
  ASSIGN_OR_RETURN(PgResult released, connection_->pg.Run(R"(UPDATE _sluice.units
SET state = 'pending', attempt = greatest(attempt - 1, 0), error = $3, lease_owner = NULL,
  lease_expires_at = NULL, heartbeat_at = now()
WHERE unit_id = $1::bigint AND lease_epoch = $2::bigint AND state = 'leased')",
                                                          {lease.unit_id, lease.epoch,
                                                           PgText(SecretMasker::Global().Mask(why))}));
  return PgInt(PQcmdTuples(released.get())) == 1;
}

Result<std::optional<RunStatus>> Coordinator::Finalize(int64_t run_id) {
  PgSession& pg = connection_->pg;
  {
    PgSession::Transaction transaction(pg);
    RETURN_IF_ERROR(transaction.Begin());
    // The run's row lock makes finalizers take turns; the second finds the
    // run no longer running.
    ASSIGN_OR_RETURN(PgResult run,
                     pg.Run("SELECT connector, schema_name, synced_at, tables FROM _sluice.runs "
                            "WHERE run_id = $1::bigint AND state = 'running' FOR UPDATE",
                            {run_id}));
    if (PQntuples(run.get()) == 0) return std::optional<RunStatus>();
    std::string connector = PQgetvalue(run.get(), 0, 0);
    std::string schema = PQgetvalue(run.get(), 0, 1);
    std::string synced_at = PQgetvalue(run.get(), 0, 2);
    Value tables = ParsePgJson(PQgetvalue(run.get(), 0, 3));
    RETURN_IF_ERROR(FailExpired(pg, run_id));
    ASSIGN_OR_RETURN(
        PgResult units,
        pg.Run("SELECT state, entities, partition_id, entity, error FROM _sluice.units "
               "WHERE run_id = $1::bigint ORDER BY position",
               {run_id}));
    struct Ended {
      bool done;
      std::vector<std::string> entities;
      std::optional<std::string> partition;
    };
    std::vector<Ended> ended;
    int failed = 0;
    std::string first_error;
    for (int row = 0; row < PQntuples(units.get()); ++row) {
      std::string state = PQgetvalue(units.get(), row, 0);
      if (state == "pending" || state == "leased") return std::optional<RunStatus>();
      Ended unit{state == "done", {}, std::nullopt};
      Value entities = ParsePgJson(PQgetvalue(units.get(), row, 1));
      for (const Value& entity : entities.is_array() ? entities : Value::array()) {
        if (entity.is_string()) unit.entities.push_back(entity.get<std::string>());
      }
      if (!PQgetisnull(units.get(), row, 2)) unit.partition = PQgetvalue(units.get(), row, 2);
      if (!unit.done && failed++ == 0) {
        WorkUnit label{connector, PQgetvalue(units.get(), row, 3), {}, std::nullopt};
        if (unit.partition) label.partition = Partition{*unit.partition, Value()};
        first_error = label.Label() + ": " + PQgetvalue(units.get(), row, 4);
      }
      ended.push_back(std::move(unit));
    }
    int64_t rows_deleted = 0;
    for (const Value& table : tables.is_array() ? tables : Value::array()) {
      if (!table.is_object() || !table.value("delete_stale", false)) continue;
      std::string entity = table.value("entity", "");
      std::string qualified =
          QuoteIdentifier(schema) + "." + QuoteIdentifier(table.value("table", ""));
      ASSIGN_OR_RETURN(PgResult exists, pg.Run("SELECT to_regclass($1) IS NOT NULL", {qualified}));
      if (std::string_view(PQgetvalue(exists.get(), 0, 0)) != "t") continue;
      size_t total = 0;
      bool partitioned = false;
      Value completed = Value::array();
      for (const Ended& unit : ended) {
        if (std::find(unit.entities.begin(), unit.entities.end(), entity) == unit.entities.end())
          continue;
        ++total;
        partitioned = partitioned || unit.partition.has_value();
        if (unit.done) completed.push_back(unit.partition.value_or(""));
      }
      if (completed.empty()) continue;
      // Older than the run, not merely other: a row a later run (or a
      // shard) wrote since is newer than anything this run read.
      std::string sql = "DELETE FROM " + qualified +
                        " WHERE _sluice_source = $1 AND _sluice_synced_at < $2::timestamptz";
      std::vector<PgParam> params = {connector, synced_at};
      if (completed.size() < total) {
        // Only the partitions that completed: a failed partition's rows are
        // not known to be stale (its unit never read them all).
        if (!partitioned) continue;
        // Without the column no row says its partition: none is known stale.
        ASSIGN_OR_RETURN(PgResult column,
                         pg.Run("SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = "
                                "to_regclass($1) AND attname = '_sluice_partition' AND NOT "
                                "attisdropped)",
                                {qualified}));
        if (std::string_view(PQgetvalue(column.get(), 0, 0)) != "t") continue;
        sql += " AND _sluice_partition = ANY (ARRAY(SELECT json_array_elements_text($3::json)))";
        params.push_back(PgJson(completed));
      }
      ASSIGN_OR_RETURN(PgResult deleted, pg.Run(sql, params));
      rows_deleted += PgInt(PQcmdTuples(deleted.get()));
    }
    int done = static_cast<int>(ended.size()) - failed;
    std::string state = failed == 0 ? "done" : done == 0 ? "failed" : "partial";
    std::optional<std::string> error;
    if (failed > 0) {
      error = std::to_string(failed) + " of " + std::to_string(ended.size()) +
              " units failed; the first, " + first_error;
      if (error->size() > kMaxErrorBytes) error = PgText(error->substr(0, kMaxErrorBytes));
    }
    RETURN_IF_ERROR(
        pg.Run("UPDATE _sluice.runs SET state = $2, rows_deleted = $3::bigint, error = $4, "
               "finished_at = now() WHERE run_id = $1::bigint",
               {run_id, state, rows_deleted, error ? PgParam(*error) : PgParam(std::nullopt)})
            .status());
    RETURN_IF_ERROR(transaction.Commit());
  }
  ASSIGN_OR_RETURN(RunStatus status, Progress(run_id));
  return std::optional<RunStatus>(std::move(status));
}

Result<RunStatus> Coordinator::Progress(int64_t run_id) {
  PgSession& pg = connection_->pg;
  // Times as microseconds since the epoch: FormatTimestamp's, whatever the
  // session's TimeZone and DateStyle.
  auto micros = [](const char* column) {
    return "(extract(epoch from " + std::string(column) + ") * 1000000)::bigint";
  };
  ASSIGN_OR_RETURN(
      PgResult run,
      pg.Run("SELECT connector, schema_name, state, synced_at, " + micros("created_at") + ", " +
                 micros("finished_at") +
                 ", rows_deleted, coalesce(error, '') FROM _sluice.runs WHERE run_id = $1::bigint",
             {run_id}));
  if (PQntuples(run.get()) == 0) {
    return Status(ErrorKind::kNotFound,
                  "distributed run " + std::to_string(run_id) + " does not exist");
  }
  RunStatus status;
  status.run_id = run_id;
  status.connector = PQgetvalue(run.get(), 0, 0);
  status.schema = PQgetvalue(run.get(), 0, 1);
  status.state = PQgetvalue(run.get(), 0, 2);
  status.synced_at = PQgetvalue(run.get(), 0, 3);
  status.created_at = TimeText(run.get(), 0, 4);
  status.finished_at = TimeText(run.get(), 0, 5);
  status.rows_deleted = PgInt(PQgetvalue(run.get(), 0, 6));
  status.error = PQgetvalue(run.get(), 0, 7);
  ASSIGN_OR_RETURN(PgResult units,
                   pg.Run("SELECT unit_id, entity, coalesce(partition_id, ''), state, attempt, "
                          "coalesce(lease_owner, ''), rows_read, rows_written, "
                          "coalesce(error, ''), " +
                              micros("started_at") + ", " + micros("finished_at") +
                              " FROM _sluice.units WHERE run_id = $1::bigint ORDER BY position",
                          {run_id}));
  for (int row = 0; row < PQntuples(units.get()); ++row) {
    UnitStatus unit;
    unit.unit_id = PgInt(PQgetvalue(units.get(), row, 0));
    unit.entity = PQgetvalue(units.get(), row, 1);
    unit.partition = PQgetvalue(units.get(), row, 2);
    unit.state = PQgetvalue(units.get(), row, 3);
    unit.attempt = static_cast<int>(PgInt(PQgetvalue(units.get(), row, 4)));
    unit.worker = PQgetvalue(units.get(), row, 5);
    unit.rows_read = PgInt(PQgetvalue(units.get(), row, 6));
    unit.rows_written = PgInt(PQgetvalue(units.get(), row, 7));
    unit.error = PQgetvalue(units.get(), row, 8);
    unit.started_at = TimeText(units.get(), row, 9);
    unit.finished_at = TimeText(units.get(), row, 10);
    status.units.push_back(std::move(unit));
  }
  return status;
}

Result<bool> Coordinator::HasWork() {
  ASSIGN_OR_RETURN(
      PgResult found,
      connection_->pg.Run(
          "SELECT EXISTS (SELECT FROM _sluice.units u JOIN _sluice.runs r USING (run_id) "
          "WHERE r.state = 'running' AND u.state IN ('pending', 'leased'))"));
  return std::string_view(PQgetvalue(found.get(), 0, 0)) == "t";
}

namespace {

// GCRA (the generic cell rate algorithm) over one row per key: `tat`, the
// theoretical arrival time, moves on by T = 1/rate with each reservation;
// a request may go once the clock has reached tat - T - tau, tau =
// (burst - 1) * T, so after an idle period `burst` requests go at once.
// One statement: the row lock orders reservations of all processes.
class PostgresRateLimit : public SharedRateLimit {
 public:
  // A day: whatever rate or burst a connector declares, the interval
  // arithmetic stays within PostgreSQL's and int64's range.
  static constexpr double kMaxMicros = 86'400e6;

  PostgresRateLimit(const std::string& url, std::string key, double rate, double burst)
      : pg_(url, "shared rate limit '" + PgText(key) + "'"),
        key_(PgText(key)),
        interval_us_(static_cast<int64_t>(std::clamp(1e6 / rate, 1.0, kMaxMicros))),
        tolerance_us_(static_cast<int64_t>(
            std::clamp((burst - 1) * static_cast<double>(interval_us_), 0.0, kMaxMicros))) {}

  Result<std::chrono::microseconds> Reserve() override {
    std::lock_guard<std::mutex> lock(mutex_);
    // After a failure, the next attempt waits: a coordinator that is down
    // must not cost every request a connection attempt.
    auto now = std::chrono::steady_clock::now();
    if (now < retry_at_) return last_error_;
    Result<PgResult> reserved = pg_.Run(R"(WITH c AS (SELECT clock_timestamp() AS t)
INSERT INTO _sluice.rate_limits AS l (key, tat) SELECT $1, c.t + $2::bigint * interval '1 microsecond' FROM c
ON CONFLICT (key) DO UPDATE SET tat = greatest(l.tat + $2::bigint * interval '1 microsecond', excluded.tat)
RETURNING greatest(0, extract(epoch from l.tat - ($2::bigint + $3::bigint) * interval '1 microsecond'
                                           - (SELECT t FROM c)) * 1000000)::bigint)",
                                        {key_, interval_us_, tolerance_us_});
    if (!reserved.ok()) {
      last_error_ = reserved.TakeStatus();
      retry_at_ = now + std::chrono::seconds(5);
      return last_error_;
    }
    return std::chrono::microseconds(PgInt(PQgetvalue(reserved->get(), 0, 0)));
  }

 private:
  std::mutex mutex_;
  PgSession pg_;
  std::string key_;
  int64_t interval_us_;   // T
  int64_t tolerance_us_;  // tau
  std::chrono::steady_clock::time_point retry_at_;
  Status last_error_;
};

}  // namespace

SharedRateLimitFactory PostgresRateLimits(const std::string& url) {
  // One limit (and connection) per key and rate in this process, shared by
  // the connector instances that ask for it while it lives.
  struct Limits {
    std::mutex mutex;
    std::map<std::tuple<std::string, double, double>, std::weak_ptr<SharedRateLimit>> made;
  };
  auto limits = std::make_shared<Limits>();
  return [url, limits](const std::string& key, double rate,
                       double burst) -> std::shared_ptr<SharedRateLimit> {
    if (rate <= 0) return nullptr;
    std::lock_guard<std::mutex> lock(limits->mutex);
    std::weak_ptr<SharedRateLimit>& slot = limits->made[{key, rate, burst}];
    std::shared_ptr<SharedRateLimit> limit = slot.lock();
    if (!limit) {
      limit = std::make_shared<PostgresRateLimit>(url, key, rate, burst);
      slot = limit;
    }
    return limit;
  };
}

}  // namespace sluice
