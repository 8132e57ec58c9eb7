#include "dest/postgres_destination.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include "core/sync_state_schema.h"
#include "core/time_util.h"
#include "dest/table_migration.h"

namespace sluice {
namespace {

struct PgResultFreer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFreer>;

std::string PgMessage(PGconn* conn) {
  std::string message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

// Runs one statement with text parameters; any result but success is kDestination.
Result<PgResult> Run(PGconn* conn, const std::string& sql, const std::vector<std::string>& params = {}) {
  std::vector<const char*> values;
  for (const std::string& param : params) values.push_back(param.c_str());
  PgResult result(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                               nullptr, 0));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = result ? PQresultErrorMessage(result.get()) : PgMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status(ErrorKind::kDestination, "PostgreSQL: " + message);
  }
  return result;
}

// The name information_schema.columns gives each type.
std::string DataTypeName(const std::string& field_type) {
  std::string type = PostgresDestination::ColumnType(field_type);
  return type == "timestamptz" ? "timestamp with time zone" : type;
}

// COPY's binary format: per row a 16-bit field count, per field a 32-bit
// length (-1 for NULL) and the type's send form, all big-endian.
enum class PgKind { kText, kInt8, kFloat8, kBool, kTimestamptz, kDate, kJsonb };

PgKind KindOf(const std::string& field_type) {
  if (field_type == "integer") return PgKind::kInt8;
  if (field_type == "number") return PgKind::kFloat8;
  if (field_type == "boolean") return PgKind::kBool;
  if (field_type == "timestamp") return PgKind::kTimestamptz;
  if (field_type == "date") return PgKind::kDate;
  if (field_type == "document" || field_type == "array") return PgKind::kJsonb;
  return PgKind::kText;
}

void PutBig(std::string& out, uint64_t value, int bytes) {
  char big[8];
  for (int i = 0; i < bytes; ++i) big[i] = static_cast<char>(value >> (8 * (bytes - 1 - i)));
  out.append(big, static_cast<size_t>(bytes));
}

void PutBytes(std::string& out, std::string_view bytes, bool jsonb = false) {
  PutBig(out, bytes.size() + (jsonb ? 1 : 0), 4);
  if (jsonb) out += '\1';  // jsonb's send form: a version byte, then the text
  out.append(bytes);
}

// PostgreSQL counts time from 2000-01-01 UTC.
constexpr int64_t kPgEpochMicros = 946684800LL * 1000000;

// False when `value` is not of the form coercion gives `kind`.
bool AppendBinaryField(std::string& out, const Value& value, PgKind kind) {
  if (value.is_null()) {
    PutBig(out, 0xffffffffu, 4);
    return true;
  }
  switch (kind) {
    case PgKind::kText:
    case PgKind::kJsonb:
      if (value.is_string()) {
        PutBytes(out, value.get_ref<const std::string&>(), kind == PgKind::kJsonb);
      } else {
        PutBytes(out, value.dump(), kind == PgKind::kJsonb);
      }
      return true;
    case PgKind::kInt8:
      if (!value.is_number_integer()) return false;
      if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
      PutBig(out, 8, 4);
      PutBig(out, static_cast<uint64_t>(value.get<int64_t>()), 8);
      return true;
    case PgKind::kFloat8: {
      if (!value.is_number()) return false;
      double number = value.get<double>();
      uint64_t bits;
      std::memcpy(&bits, &number, sizeof bits);
      PutBig(out, 8, 4);
      PutBig(out, bits, 8);
      return true;
    }
    case PgKind::kBool:
      if (!value.is_boolean() && !value.is_number()) return false;
      PutBig(out, 1, 4);
      out += static_cast<char>(value.is_boolean() ? value.get<bool>() : value.get<double>() != 0);
      return true;
    case PgKind::kTimestamptz:
    case PgKind::kDate: {
      std::optional<int64_t> micros;
      if (value.is_string()) micros = ParseTimestamp(value.get_ref<const std::string&>());
      if (!micros) return false;
      int64_t since = *micros - kPgEpochMicros;
      if (kind == PgKind::kTimestamptz) {
        PutBig(out, 8, 4);
        PutBig(out, static_cast<uint64_t>(since), 8);
      } else {
        constexpr int64_t kDay = 86400LL * 1000000;
        int64_t days = since / kDay - (since % kDay < 0 ? 1 : 0);
        PutBig(out, 4, 4);
        PutBig(out, static_cast<uint32_t>(static_cast<int32_t>(days)), 4);
      }
      return true;
    }
  }
  return false;
}

class PostgresTableWriter : public TableWriter {
 public:
  PostgresTableWriter(PostgresDestination& destination, const TableSpec& table, const OpenOptions& options)
      : destination_(destination), conn_(destination.conn()), table_(table), options_(options) {
    qualified_ = QuoteIdentifier(destination.schema()) + "." + QuoteIdentifier(table.name);
  }
  ~PostgresTableWriter() override {
    if (in_transaction_) (void)Run(conn_, "ROLLBACK");
    // The connection may serve the next entity: give the table back now.
    for (auto held = locks_.rbegin(); held != locks_.rend(); ++held) {
      (void)Run(conn_,
                std::string("SELECT ") + (held->shared ? "pg_advisory_unlock_shared" : "pg_advisory_unlock") +
                    "(hashtextextended($1, 0))",
                {held->key});
    }
  }

  Status Open() {
    RETURN_IF_ERROR(CheckNameLengths());
    RETURN_IF_ERROR(Lock());
    RETURN_IF_ERROR(Migrate());
    std::string keys, updates;
    for (const ColumnSpec& column : table_.columns) {
      std::string quoted = QuoteIdentifier(column.name);
      columns_ += quoted + ", ";
      if (column.primary_key) {
        keys += (keys.empty() ? "" : ", ") + quoted;
      } else {
        updates += quoted + " = EXCLUDED." + quoted + ", ";
      }
    }
    columns_ += "_sluice_source, _sluice_synced_at";
    updates += "_sluice_source = EXCLUDED._sluice_source, _sluice_synced_at = EXCLUDED._sluice_synced_at";
    for (const ColumnSpec& column : table_.columns) kinds_.push_back(KindOf(column.type));
    PutBytes(sluice_fields_, table_.connector);
    if (!AppendBinaryField(sluice_fields_, Value(options_.synced_at), PgKind::kTimestamptz)) {
      return Status(ErrorKind::kInternal, "the run's timestamp '" + options_.synced_at + "' does not parse");
    }
    if (has_partition_column_) {
      // A whole writer of a table partitioned writers once wrote stamps its
      // rows NULL: a row it rewrites is no partition's any more, so no
      // partition's run deletes it as stale.
      columns_ += ", _sluice_partition";
      updates += ", _sluice_partition = EXCLUDED._sluice_partition";
      AppendBinaryField(sluice_fields_, table_.partition.empty() ? Value() : Value(table_.partition), PgKind::kText);
      ++sluice_field_count_;
    }
    if (keys.empty()) return Status::Ok();
    // Into a table empty at the start, no batch can meet a row already
    // there: COPY straight into it, without the stage's second pass and
    // ON CONFLICT's index probes. The advisory lock keeps other syncs out;
    // a key repeated within the run (or a row another writer adds) makes
    // COPY fail with unique_violation, and that batch then goes through
    // the stage like any other.
    ASSIGN_OR_RETURN(PgResult empty, Run(conn_, "SELECT NOT EXISTS (SELECT FROM " + qualified_ + ")"));
    direct_ = std::string(PQgetvalue(empty.get(), 0, 0)) == "t";
    // A batch may name a key twice (a row at the boundary, a handler that
    // repeats itself); ON CONFLICT takes each key once, so the last wins.
    stage_ = QuoteIdentifier("_sluice_stage_" + table_.name);
    ASSIGN_OR_RETURN(PgResult dropped, Run(conn_, "DROP TABLE IF EXISTS pg_temp." + stage_));
    ASSIGN_OR_RETURN(PgResult staged, Run(conn_, "CREATE TEMP TABLE " + stage_ + " (LIKE " + qualified_ +
                                                     ", _sluice_seq bigserial)"));
    merge_ = "INSERT INTO " + qualified_ + " (" + columns_ + ") SELECT DISTINCT ON (" + keys + ") " + columns_ +
             " FROM " + stage_ + " ORDER BY " + keys + ", _sluice_seq DESC ON CONFLICT (" + keys + ") " +
             (options_.mode == WriteMode::kAppend ? std::string("DO NOTHING") : "DO UPDATE SET " + updates);
    return Status::Ok();
  }

  Status Write(const std::vector<Value>& row) override {
    PutBig(buffer_, row.size() + sluice_field_count_, 2);
    for (size_t i = 0; i < row.size(); ++i) {
      PgKind kind = i < kinds_.size() ? kinds_[i] : PgKind::kText;
      if (!AppendBinaryField(buffer_, row[i], kind)) {
        return Status(ErrorKind::kDestination, "PostgreSQL: field '" + table_.columns[i].name + "' (" +
                                                   table_.columns[i].type + "): cannot write " + row[i].dump());
      }
    }
    buffer_ += sluice_fields_;
    ++batch_rows_;
    return Status::Ok();
  }

  Status Commit(const SyncState* state) override {
    Status status = CommitBatch(state);
    EndFailedTransaction(status);
    return status;
  }

  Result<int64_t> DeleteStale() override {
    Result<int64_t> deleted = DeleteStaleRows();
    EndFailedTransaction(deleted.status());
    return deleted;
  }

  std::string Migration() const override { return migration_; }

 private:
  // A failed statement leaves the transaction aborted: end it now, so that
  // nothing of the batch is kept and the connection can serve the next
  // entity.
  void EndFailedTransaction(const Status& status) {
    if (status.ok() || !in_transaction_) return;
    (void)Run(conn_, "ROLLBACK");
    in_transaction_ = false;
  }

  Status CommitBatch(const SyncState* state) {
    if (buffer_.empty() && !state) return Status::Ok();
    ASSIGN_OR_RETURN(PgResult begun, Run(conn_, "BEGIN"));
    in_transaction_ = true;
    if (!buffer_.empty()) {
      if (direct_) {
        Status copied = Copy(qualified_);
        if (!copied.ok() && copy_state_ != kUniqueViolation) return copied;
        if (!copied.ok()) {
          // The batch's transaction is aborted: this batch, and the rest
          // of the run, go through the stage and its upsert.
          direct_ = false;
          ASSIGN_OR_RETURN(PgResult rolled, Run(conn_, "ROLLBACK"));
          ASSIGN_OR_RETURN(PgResult again, Run(conn_, "BEGIN"));
        }
      }
      if (!direct_) {
        RETURN_IF_ERROR(Copy(stage_.empty() ? qualified_ : stage_));
        if (!stage_.empty()) {
          ASSIGN_OR_RETURN(PgResult merged, Run(conn_, merge_));
          ASSIGN_OR_RETURN(PgResult emptied, Run(conn_, "TRUNCATE " + stage_));
        }
      }
      buffer_.clear();
    }
    int64_t rows = std::exchange(batch_rows_, 0);
    if (state) {
      std::string schema = QuoteIdentifier(destination_.schema());
      std::vector<std::string> params = {table_.connector,   table_.entity, table_.name, state->cursor_field,
                                         state->cursor_value.dump(), state->boundary_keys.dump()};
      std::string sql;
      if (table_.partition.empty()) {
        sql = "INSERT INTO " + schema + "." + kSyncStateTable +
              " (connector, entity, destination, cursor_field, cursor_value, boundary_keys, updated_at) VALUES ($1, "
              "$2, $3, $4, $5, $6, now()) ON CONFLICT (connector, entity, destination) DO UPDATE SET ";
      } else {
        sql = "INSERT INTO " + schema + "." + kPartitionStateTable +
              " (connector, entity, destination, cursor_field, cursor_value, boundary_keys, updated_at, partition) "
              "VALUES ($1, $2, $3, $4, $5, $6, now(), $7) ON CONFLICT (connector, entity, destination, partition) DO "
              "UPDATE SET ";
        params.push_back(table_.partition);
      }
      sql += "cursor_field = EXCLUDED.cursor_field, cursor_value = EXCLUDED.cursor_value, boundary_keys = "
             "EXCLUDED.boundary_keys, updated_at = now()";
      ASSIGN_OR_RETURN(PgResult saved, Run(conn_, sql, params));
    }
    RETURN_IF_ERROR(CheckFence(rows));
    ASSIGN_OR_RETURN(PgResult committed, Run(conn_, "COMMIT"));
    in_transaction_ = false;
    return Status::Ok();
  }

  Result<int64_t> DeleteStaleRows() {
    std::string sql = "DELETE FROM " + qualified_ + " WHERE _sluice_source = $1 AND _sluice_synced_at <> $2::timestamptz";
    std::vector<std::string> params = {table_.connector, options_.synced_at};
    if (!table_.partition.empty()) {
      sql += " AND _sluice_partition = $3";
      params.push_back(table_.partition);
    }
    // A fenced writer deletes only while it holds the lease: a paused
    // worker must not delete what the unit's new holder has not yet
    // rewritten.
    ASSIGN_OR_RETURN(PgResult begun, Run(conn_, "BEGIN"));
    in_transaction_ = true;
    ASSIGN_OR_RETURN(PgResult deleted, Run(conn_, sql, params));
    int64_t count = static_cast<int64_t>(std::strtoll(PQcmdTuples(deleted.get()), nullptr, 10));
    RETURN_IF_ERROR(CheckFence(0));
    ASSIGN_OR_RETURN(PgResult committed, Run(conn_, "COMMIT"));
    in_transaction_ = false;
    return count;
  }

  // Keyed by schema and table, so every sluice writing that table, from
  // any machine, takes the same lock.
  std::string LockKey() const { return "sluice sync " + qualified_; }
  std::string PartitionLockKey() const { return LockKey() + " partition " + table_.partition; }
  std::string Where() const { return "schema '" + destination_.schema() + "' of '" + destination_.Name() + "'"; }

  // Session locks: the server drops them when the connection ends, so a
  // killed sync never leaves one behind. A whole writer holds the table
  // alone. Writers that share it (partitions, fenced units) hold it shared,
  // which still keeps a whole run out and them out of a whole run's way. A
  // partition of a static shard is kept to one writer by a lock of its
  // own; a fenced one by its lease alone, since a paused worker's session
  // may still hold its locks and must not stop the lease's new holder.
  Status Lock() {
    bool shares_table = !table_.partition.empty() || options_.fence;
    ASSIGN_OR_RETURN(bool table_locked, TryLock(LockKey(), shares_table));
    if (!table_locked) return TableBusy(table_.name, Where());
    if (table_.partition.empty() || options_.fence) return Status::Ok();
    ASSIGN_OR_RETURN(bool partition_locked, TryLock(PartitionLockKey(), false));
    if (!partition_locked) {
      return Status(ErrorKind::kDestination, "partition '" + table_.partition + "' of table '" + table_.name +
                                                 "' in " + Where() +
                                                 " is being written by another sync; run again when it has ended");
    }
    return Status::Ok();
  }

  Result<bool> TryLock(const std::string& key, bool shared) {
    ASSIGN_OR_RETURN(PgResult locked,
                     Run(conn_,
                         std::string("SELECT ") + (shared ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock") +
                             "(hashtextextended($1, 0))",
                         {key}));
    if (std::string(PQgetvalue(locked.get(), 0, 0)) != "t") return false;
    locks_.push_back({key, shared});
    return true;
  }

  // Inside the batch's transaction, last: a fence that moved rolls the
  // whole batch back.
  Status CheckFence(int64_t rows) {
    if (!options_.fence) return Status::Ok();
    std::vector<std::string> params = options_.fence->params;
    params.push_back(std::to_string(rows));
    ASSIGN_OR_RETURN(PgResult fenced, Run(conn_, options_.fence->sql, params));
    if (std::string(PQcmdTuples(fenced.get())) != "0") return Status::Ok();
    ASSIGN_OR_RETURN(PgResult rolled, Run(conn_, "ROLLBACK"));
    in_transaction_ = false;
    return LeaseLost(options_.fence->lost);
  }

  // PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN) and drops
  // the rest without a word: two fields would become one column, two
  // tables one table under two locks, and a migration would look for a
  // column under a name PostgreSQL never kept.
  Status CheckNameLengths() const {
    constexpr size_t kMaxName = 63;
    auto check = [&](const char* what, const std::string& name) {
      if (name.size() <= kMaxName) return Status::Ok();
      return Status(ErrorKind::kDestination,
                    "PostgreSQL keeps only the first " + std::to_string(kMaxName) + " bytes of a name, and " + what +
                        " '" + name + "' has " + std::to_string(name.size()) + " (table '" + table_.name +
                        "'): give it a shorter name");
    };
    RETURN_IF_ERROR(check("the schema", destination_.schema()));
    RETURN_IF_ERROR(check("the table", table_.name));
    for (const ColumnSpec& column : table_.columns) RETURN_IF_ERROR(check("the field", column.name));
    return Status::Ok();
  }

  Status Copy(const std::string& target) {
    std::string copy = "COPY " + target + " (" + columns_ + ") FROM STDIN (FORMAT binary)";
    PgResult started(PQexec(conn_, copy.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
      return Status(ErrorKind::kDestination, "PostgreSQL: " + PgMessage(conn_));
    }
    // The binary format's signature, flags and header extension length.
    static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
    static constexpr char kTrailer[] = "\377\377";
    // In pieces: PQputCopyData takes an int, and a batch past 2 GiB would
    // wrap it — to nothing sent at all, which libpq reports as success.
    constexpr size_t kPiece = 1u << 20;
    bool sent = PQputCopyData(conn_, kHeader, sizeof kHeader - 1) == 1;
    for (size_t at = 0; sent && at < buffer_.size(); at += kPiece) {
      size_t piece = std::min(kPiece, buffer_.size() - at);
      sent = PQputCopyData(conn_, buffer_.data() + at, static_cast<int>(piece)) == 1;
    }
    sent = sent && PQputCopyData(conn_, kTrailer, 2) == 1;
    if (PQputCopyEnd(conn_, sent ? nullptr : "sending rows failed") != 1) {
      return Status(ErrorKind::kDestination, "PostgreSQL: " + PgMessage(conn_));
    }
    Status status;
    copy_state_.clear();
    while (PGresult* raw = PQgetResult(conn_)) {
      PgResult result(raw);
      if (PQresultStatus(raw) != PGRES_COMMAND_OK && status.ok()) {
        const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
        copy_state_ = state ? state : "";
        std::string message = PQresultErrorMessage(raw);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        status = Status(ErrorKind::kDestination, "PostgreSQL: " + message);
      }
    }
    return status;
  }

  // In a transaction holding the table's migration lock: writers of
  // several partitions open one new table at once, and two concurrent
  // CREATE TABLE IF NOT EXISTS still collide in PostgreSQL's catalog.
  Status Migrate() {
    ASSIGN_OR_RETURN(PgResult begun, Run(conn_, "BEGIN"));
    in_transaction_ = true;
    ASSIGN_OR_RETURN(PgResult locked, Run(conn_, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                                          {"sluice migrate " + qualified_}));
    RETURN_IF_ERROR(MigrateLocked());
    ASSIGN_OR_RETURN(PgResult committed, Run(conn_, "COMMIT"));
    in_transaction_ = false;
    return Status::Ok();
  }

  Status MigrateLocked() {
    ASSIGN_OR_RETURN(PgResult columns,
                     Run(conn_,
                         "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND "
                         "table_name = $2",
                         {destination_.schema(), table_.name}));
    std::map<std::string, std::string> existing;
    for (int i = 0; i < PQntuples(columns.get()); ++i) {
      existing[PQgetvalue(columns.get(), i, 0)] = PQgetvalue(columns.get(), i, 1);
    }
    auto keys = [&]() -> Result<std::vector<std::string>> {
      ASSIGN_OR_RETURN(PgResult keys,
                       Run(conn_,
                           "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
                           "a.attnum = ANY(i.indkey) WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass "
                           "AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
                           {destination_.schema(), table_.name}));
      std::vector<std::string> names;
      for (int i = 0; i < PQntuples(keys.get()); ++i) names.push_back(PQgetvalue(keys.get(), i, 0));
      return names;
    };
    ASSIGN_OR_RETURN(TableMigration migration,
                     PlanTableMigration(table_, existing, DataTypeName, keys, options_.force,
                                        destination_.schema() + "." + table_.name));
    migration_ = migration.Describe();
    bool partitioned = !table_.partition.empty();
    if (migration.kind == TableMigration::Kind::kRecreate) {
      if (partitioned || options_.fence) {
        // Other partitions' writers may be writing it right now.
        return Status(ErrorKind::kDestination,
                      "table '" + table_.name + "' in " + Where() + " must be recreated (" + migration.problem +
                          "), which a partitioned or distributed run cannot do while other partitions write it: "
                          "sync the entity whole with FORCE first");
      }
      ASSIGN_OR_RETURN(PgResult dropped, Run(conn_, "DROP TABLE " + qualified_));
      for (const char* state_table : {kSyncStateTable, kPartitionStateTable}) {
        ASSIGN_OR_RETURN(PgResult forgot, Run(conn_,
                                              "DELETE FROM " + QuoteIdentifier(destination_.schema()) + "." +
                                                  state_table + " WHERE destination = $1",
                                              {table_.name}));
      }
    }
    if (migration.kind != TableMigration::Kind::kAlter) {
      has_partition_column_ = partitioned;
      ASSIGN_OR_RETURN(PgResult created,
                       Run(conn_, CreateTableSql(table_, qualified_, PostgresDestination::ColumnType,
                                                 std::string("_sluice_source text NOT NULL, _sluice_synced_at "
                                                             "timestamptz NOT NULL") +
                                                     (partitioned ? ", _sluice_partition text" : ""))));
      return Status::Ok();
    }
    for (const ColumnSpec& column : migration.added) {
      ASSIGN_OR_RETURN(PgResult altered, Run(conn_, "ALTER TABLE " + qualified_ + " ADD COLUMN " +
                                                        QuoteIdentifier(column.name) + " " +
                                                        PostgresDestination::ColumnType(column.type)));
    }
    has_partition_column_ = existing.count("_sluice_partition") > 0;
    if (partitioned && !has_partition_column_) {
      ASSIGN_OR_RETURN(PgResult altered,
                       Run(conn_, "ALTER TABLE " + qualified_ + " ADD COLUMN IF NOT EXISTS _sluice_partition text"));
      has_partition_column_ = true;
      if (!migration_.empty()) migration_ += ", ";
      migration_ += "added column _sluice_partition";
    }
    return Status::Ok();
  }

  PostgresDestination& destination_;
  PGconn* conn_;
  TableSpec table_;
  OpenOptions options_;
  std::string qualified_;  // "schema"."table"
  std::string columns_;    // the COPY and INSERT column list
  std::string stage_;      // the staging table; empty for a table without a key
  std::string merge_;
  bool direct_ = false;    // COPY into the table itself: it was empty, no key has repeated
  std::string copy_state_;  // the SQLSTATE of the last COPY's failure
  static constexpr const char* kUniqueViolation = "23505";
  std::vector<PgKind> kinds_;  // the binary form of each column
  std::string sluice_fields_;  // the _sluice_ fields that end every binary row
  int sluice_field_count_ = 2;  // _sluice_source, _sluice_synced_at, maybe _sluice_partition
  bool has_partition_column_ = false;  // the table has _sluice_partition
  std::string buffer_;     // COPY data of the rows since the last commit
  int64_t batch_rows_ = 0;  // the rows in buffer_
  bool in_transaction_ = false;
  struct HeldLock {
    std::string key;
    bool shared;
  };
  std::vector<HeldLock> locks_;  // the advisory locks held, in order taken
  std::string migration_;
};

}  // namespace

const char* PostgresDestination::ColumnType(const std::string& field_type) {
  if (field_type == "integer") return "bigint";
  if (field_type == "number") return "double precision";
  if (field_type == "boolean") return "boolean";
  if (field_type == "timestamp") return "timestamptz";
  if (field_type == "date") return "date";
  if (field_type == "document" || field_type == "array") return "jsonb";
  return "text";
}

Result<std::unique_ptr<PostgresDestination>> PostgresDestination::Connect(const std::string& name,
                                                                          const Value& config) {
  if (!config.contains("connection_string") || !config["connection_string"].is_string()) {
    return Status(ErrorKind::kInvalidArgument, "destination '" + name +
                                                   "' (postgresql) needs CONFIG {\"connection_string\": "
                                                   "\"postgresql://user@host:5432/db\"}");
  }
  std::string schema = config.value("schema", "public");
  std::unique_ptr<PostgresDestination> destination(new PostgresDestination(name, schema));
  destination->conn_.reset(PQconnectdb(config["connection_string"].get<std::string>().c_str()));
  if (!destination->conn_ || PQstatus(destination->conn_.get()) != CONNECTION_OK) {
    std::string message = destination->conn_ ? PgMessage(destination->conn_.get()) : "out of memory";
    return Status(ErrorKind::kConnection, "destination '" + name + "': cannot connect to PostgreSQL: " + message);
  }
  PGconn* conn = destination->conn();
  // Under a lock, in one transaction: workers connecting at once would
  // otherwise collide creating the same schema or table.
  std::string quoted = QuoteIdentifier(schema);
  std::vector<std::pair<std::string, std::vector<std::string>>> statements = {
      {"SET client_min_messages = warning", {}},
      {"BEGIN", {}},
      {"SELECT pg_advisory_xact_lock(hashtextextended('sluice schema ' || $1, 0))", {schema}},
      {"CREATE SCHEMA IF NOT EXISTS " + quoted, {}},
      {SyncStateCreateSql(quoted + "." + kSyncStateTable, true), {}},
      {PartitionStateCreateSql(quoted + "." + kPartitionStateTable, true), {}},
      {"COMMIT", {}}};
  for (const auto& [sql, params] : statements) {
    Result<PgResult> done = Run(conn, sql, params);
    if (!done.ok()) return done.TakeStatus().WithContext("destination '" + name + "'");
  }
  return destination;
}

Result<std::unique_ptr<TableWriter>> PostgresDestination::OpenTable(const TableSpec& table,
                                                                    const OpenOptions& options) {
  auto writer = std::make_unique<PostgresTableWriter>(*this, table, options);
  RETURN_IF_ERROR(writer->Open());
  return std::unique_ptr<TableWriter>(std::move(writer));
}

Result<std::optional<SyncState>> PostgresDestination::ReadState(const TableSpec& table) {
  std::string sql = "SELECT cursor_field, cursor_value, boundary_keys FROM " + QuoteIdentifier(schema_) + ".";
  std::vector<std::string> params = {table.connector, table.entity, table.name};
  if (table.partition.empty()) {
    sql += std::string(kSyncStateTable) + " WHERE connector = $1 AND entity = $2 AND destination = $3";
  } else {
    sql += std::string(kPartitionStateTable) +
           " WHERE connector = $1 AND entity = $2 AND destination = $3 AND partition = $4";
    params.push_back(table.partition);
  }
  ASSIGN_OR_RETURN(PgResult found, Run(conn(), sql, params));
  if (PQntuples(found.get()) == 0) return std::optional<SyncState>();
  SyncState state;
  state.cursor_field = PQgetvalue(found.get(), 0, 0);
  state.cursor_value = Value::parse(PQgetvalue(found.get(), 0, 1), nullptr, false);
  state.boundary_keys = Value::parse(PQgetvalue(found.get(), 0, 2), nullptr, false);
  if (state.cursor_value.is_discarded()) state.cursor_value = Value();
  if (!state.boundary_keys.is_array()) state.boundary_keys = Value::array();
  return std::optional<SyncState>(std::move(state));
}

}  // namespace sluice
