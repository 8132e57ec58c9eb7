// SYNC CONNECTOR …: choosing entities, destination, mode and write mode,
// reading each entity through its SQL table (so WHERE is pushed down and
// re-checked exactly as in a SELECT), handing the rows to the sync engine,
// and recording every run in _sluice_sync_runs.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <deque>
#include <set>

#include "core/secret_masker.h"
#include "core/time_util.h"
#include "dest/file_destination.h"
#include "dest/postgres_destination.h"
#include "dest/sqlite_destination.h"
#include "js/convert.h"
#include "lang/interpreter.h"
#include "lang/sql_binding.h"
#include "query/coerce.h"
#include "sync/cron.h"
#include "sync/sync_engine.h"

namespace sluice {
namespace {

// Rows of one entity from its virtual table, in TableSpec column order.
class TableRows : public SyncRowStream {
 public:
  TableRows(Stmt stmt, EntityModule& entities) : stmt_(std::move(stmt)), entities_(entities) {}

  Result<bool> Next(std::vector<Value>& row) override {
    Result<bool> has_row = stmt_.Step();
    if (!has_row.ok()) {
      // The handler's failure keeps its kind (auth_error, …), not "SQL error".
      return entities_.ErrorOf(has_row.TakeStatus());
    }
    if (!*has_row) return false;
    int columns = stmt_.ColumnCount();
    row.resize(columns);
    for (int i = 0; i < columns; ++i) row[i] = stmt_.ColumnValue(i);
    return true;
  }

 private:
  Stmt stmt_;
  EntityModule& entities_;
};

// Rows straight from the handler, coerced as the SQL table would: the path
// when there is no WHERE, which keeps SQLite (and its connection) out of
// reading, so the writer thread has the connection to itself.
class HandlerRows : public SyncRowStream {
 public:
  HandlerRows(std::unique_ptr<RowSource> source, EntitySchema schema)
      : source_(std::move(source)), schema_(std::move(schema)) {}

  Result<bool> Next(std::vector<Value>& row) override {
    ASSIGN_OR_RETURN(std::optional<Value> next, source_->Next());
    if (!next) return false;
    ASSIGN_OR_RETURN(row, CoerceRow(schema_, std::move(*next), ++count_));
    if (schema_.has_parent) row.push_back(Value(source_->Parent().dump()));
    return true;
  }

 private:
  std::unique_ptr<RowSource> source_;
  EntitySchema schema_;
  int64_t count_ = 0;
};

// One resolution of a table integration feeding several entities' syncs,
// as CloudQuery syncs a plugin: parents are resolved once, and each row goes
// to its own table's run. Rows wait in a queue per table only until the
// driver hands them to that table's run, right after they arrive.
class IntegrationPass {
 public:
  explicit IntegrationPass(MultiTableScan& instance) : instance_(instance) {}

  size_t Add(const std::string& table) {
    Table entry;
    entry.name = table;
    tables_.push_back(std::move(entry));
    return tables_.size() - 1;
  }
  // A table's run opens its rows: `options` carries its cursor.
  std::unique_ptr<SyncRowStream> Open(size_t table, Value options, const EntitySchema& schema) {
    tables_[table].options = std::move(options);
    tables_[table].opened = true;
    return std::make_unique<HandlerRows>(std::make_unique<Queued>(*this, table), schema);
  }
  Status Start() {
    Value asked = Value::array();
    for (size_t i = 0; i < tables_.size(); ++i) {
      if (!tables_[i].opened) continue;
      index_.push_back(i);
      asked.push_back(Value{{"name", tables_[i].name}, {"options", tables_[i].options}});
    }
    if (asked.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(source_, instance_.ResolveTables(asked));
    return Status::Ok();
  }
  // The next row of the resolution, queued for its table; the table's
  // index, or nullopt once the resolution has ended.
  Result<std::optional<size_t>> Pump() {
    if (!source_) return std::optional<size_t>();
    ASSIGN_OR_RETURN(std::optional<Value> item, source_->Next());
    if (!item) return std::optional<size_t>();
    size_t at = item->value("t", static_cast<size_t>(0));
    if (at >= index_.size()) return Status(ErrorKind::kInternal, "a resolved row names no table");
    Table& table = tables_[index_[at]];
    if (item->contains("error")) {
      const Value& error = (*item)["error"];
      table.failure = js::StatusFromJsError(error.value("name", ""), error.value("message", "the table failed"),
                                            error.value("stack", ""));
    } else {
      table.rows.push_back(std::move((*item)["r"]));
    }
    return std::optional<size_t>(index_[at]);
  }
  bool HasQueued(size_t table) const { return !tables_[table].rows.empty() || !tables_[table].failure.ok(); }
  void Drop(size_t table) { tables_[table].rows.clear(); }
  void Fail(const Status& status) {
    for (Table& table : tables_) {
      if (table.failure.ok()) table.failure = status;
    }
  }
  void End() { ended_ = true; }

 private:
  struct Table {
    std::string name;
    Value options = Value::object();
    bool opened = false;
    std::deque<Value> rows;
    Status failure;
  };
  class Queued : public RowSource {
   public:
    Queued(IntegrationPass& pass, size_t table) : pass_(pass), table_(table) {}
    Result<std::optional<Value>> Next() override {
      Table& table = pass_.tables_[table_];
      if (!table.rows.empty()) {
        Value row = std::move(table.rows.front());
        table.rows.pop_front();
        return std::optional<Value>(std::move(row));
      }
      if (!table.failure.ok()) return table.failure;
      if (pass_.ended_) return std::optional<Value>();
      return Status(ErrorKind::kInternal, "table " + table.name + " was asked for a row before one arrived");
    }

   private:
    IntegrationPass& pass_;
    size_t table_;
  };
  MultiTableScan& instance_;
  std::vector<Table> tables_;
  std::vector<size_t> index_;  // pass index → table
  std::unique_ptr<RowSource> source_;
  bool ended_ = false;
};

// One scan of a parent entity read by its own sync and by its children's,
// so syncing both scans the parent once. Each reader has a position; rows
// wait in the buffer only until the slowest reader still reading has them,
// and whoever needs a row not yet read pulls it from the scan.
class RowTee {
 public:
  // Readers: 0 is the parent's own sync; Add() gives one per child.
  RowTee() : positions_(1, 0), reading_(1, true) {}
  size_t Add() {
    positions_.push_back(base_);
    reading_.push_back(true);
    return positions_.size() - 1;
  }
  void SetSource(std::unique_ptr<RowSource> source) { source_ = std::move(source); }
  // A reader that stopped (its run ended or failed) no longer holds rows.
  void Drop(size_t reader) {
    reading_[reader] = false;
    Trim();
  }
  // How many rows `reader` is ahead of the slowest other reader.
  size_t Lead(size_t reader) const {
    size_t slowest = positions_[reader];
    for (size_t i = 0; i < positions_.size(); ++i) {
      if (i != reader && reading_[i]) slowest = std::min(slowest, positions_[i]);
    }
    return positions_[reader] - slowest;
  }
  // The next row for `reader`, with its parent row (for a child entity).
  Result<std::optional<std::pair<Value, Value>>> Next(size_t reader) {
    while (positions_[reader] - base_ >= buffer_.size()) {
      if (!failure_.ok()) return failure_;
      if (ended_) return std::optional<std::pair<Value, Value>>();
      if (!source_) return Status(ErrorKind::kConnector, "the parent entity's sync did not start");
      Result<std::optional<Value>> next = source_->Next();
      if (!next.ok()) {
        failure_ = next.status();
        continue;
      }
      if (!*next) {
        ended_ = true;
        continue;
      }
      buffer_.emplace_back(std::move(**next), source_->Parent());
    }
    std::pair<Value, Value> row = buffer_[positions_[reader] - base_];
    ++positions_[reader];
    Trim();
    return std::optional<std::pair<Value, Value>>(std::move(row));
  }

  // One reader's view, as a scan.
  class Reader : public RowSource {
   public:
    Reader(std::shared_ptr<RowTee> tee, size_t reader) : tee_(std::move(tee)), reader_(reader) {}
    Result<std::optional<Value>> Next() override {
      ASSIGN_OR_RETURN(auto row, tee_->Next(reader_));
      if (!row) return std::optional<Value>();
      parent_ = std::move(row->second);
      return std::optional<Value>(std::move(row->first));
    }
    Value Parent() const override { return parent_; }

   private:
    std::shared_ptr<RowTee> tee_;
    size_t reader_;
    Value parent_;
  };

 private:
  void Trim() {
    while (!buffer_.empty()) {
      for (size_t i = 0; i < positions_.size(); ++i) {
        if (reading_[i] && positions_[i] <= base_) return;
      }
      buffer_.pop_front();
      ++base_;
    }
  }

  std::unique_ptr<RowSource> source_;
  std::deque<std::pair<Value, Value>> buffer_;  // rows from index base_ on
  size_t base_ = 0;
  std::vector<size_t> positions_;
  std::vector<bool> reading_;
  bool ended_ = false;
  Status failure_;
};

// `<connector>_<entity>`, or OPTIONS.sync_table with {connector} and {entity} filled in.
std::string SyncTableName(const ConnectorDef& connector, const std::string& entity) {
  std::string name = connector.options.value("sync_table", "{connector}_{entity}");
  for (auto [marker, value] : {std::pair<std::string, std::string>{"{connector}", connector.name},
                               std::pair<std::string, std::string>{"{entity}", entity}}) {
    for (size_t at = name.find(marker); at != std::string::npos; at = name.find(marker, at + value.size())) {
      name.replace(at, marker.size(), value);
    }
  }
  return name;
}

std::string Rate(int64_t rows, std::chrono::microseconds elapsed) {
  double seconds = static_cast<double>(elapsed.count()) / 1e6;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", seconds > 0 ? static_cast<double>(rows) / seconds : 0.0);
  return buffer;
}

std::string SecondsText(std::chrono::microseconds elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", static_cast<double>(elapsed.count()) / 1e6);
  return buffer;
}

// Waves of entities: the first has no parent among those chosen, each next
// one the children of the wave before, so a child syncs after its parent.
std::vector<std::vector<const EntityDef*>> ParentsFirst(const std::vector<const EntityDef*>& chosen) {
  std::vector<std::vector<const EntityDef*>> waves;
  std::set<std::string> placed, names;
  for (const EntityDef* entity : chosen) names.insert(entity->name);
  while (placed.size() < chosen.size()) {
    std::vector<const EntityDef*> wave;
    for (const EntityDef* entity : chosen) {
      if (placed.count(entity->name)) continue;
      if (!entity->parent.empty() && names.count(entity->parent) && !placed.count(entity->parent)) continue;
      wave.push_back(entity);
    }
    if (wave.empty()) break;  // a cycle: cannot happen for valid definitions
    for (const EntityDef* entity : wave) placed.insert(entity->name);
    waves.push_back(std::move(wave));
  }
  return waves;
}

// The live lines of a statement's entities on a terminal, one per entity
// in the order they started, redrawn together so runs at once do not
// overwrite each other's line.
class ProgressBoard {
 public:
  explicit ProgressBoard(OutputSink& output) : output_(output) {}
  ~ProgressBoard() {
    if (shown_) output_.Progress("");
  }
  // `line` empty: the entity is done, its line goes.
  void Set(const std::string& label, std::string line, bool now) {
    auto found = std::find_if(lines_.begin(), lines_.end(), [&](const auto& entry) { return entry.first == label; });
    if (line.empty()) {
      if (found != lines_.end()) lines_.erase(found);
      now = true;
    } else if (found == lines_.end()) {
      lines_.emplace_back(label, std::move(line));
      now = true;
    } else {
      found->second = std::move(line);
    }
    auto at = std::chrono::steady_clock::now();
    if (!now && at - last_shown_ < std::chrono::milliseconds(100)) return;
    last_shown_ = at;
    std::string text;
    for (const auto& [name, shown] : lines_) text += (text.empty() ? "" : "\n") + shown;
    output_.Progress(text);
    shown_ = !text.empty();
  }

 private:
  OutputSink& output_;
  std::vector<std::pair<std::string, std::string>> lines_;
  std::chrono::steady_clock::time_point last_shown_;
  bool shown_ = false;
};

}  // namespace

// One entity's part of a SYNC statement, from its run record to its summary row.
struct EntitySyncJob {
  std::string entity;
  std::string label;  // "connector.entity", for messages
  EntitySyncPlan plan;
  EntitySchema schema;
  std::string mode_name;
  bool direct = true;  // rows straight from the handler (no WHERE)
  std::string sql;     // else: through its SQL table
  std::string scan_table;  // the sync's own table of the entity, which sql reads
  std::vector<Value> params;
  std::unique_ptr<Destination> own_destination;  // a connection of its own, when entities run at once
  int64_t run_id = 0;
  std::chrono::steady_clock::time_point started, last_shown;
  OpenSyncRows open_rows;
  std::unique_ptr<EntitySync> run;
  IntegrationPass* pass = nullptr;  // rows from a shared resolution of an integration
  std::vector<std::string> field_names;  // what the table holds of each row
  size_t pass_table = 0;
  std::shared_ptr<ProgressBoard> board;  // the statement's live lines, on a terminal
  std::string note;                      // said in its summary status
  std::shared_ptr<RowTee> feeds;         // its scan, shared with its chosen children
  std::shared_ptr<RowTee> fed_by;        // its parent's scan, which it reads
  size_t reader = 0;                     // its reader of fed_by
};

Result<std::unique_ptr<Destination>> Interpreter::SyncDestination(const ast::SyncStmt& sync, bool own_connection) {
  switch (sync.target) {
    case ast::SyncTarget::kWorkspace:
      if (own_connection) {
        ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(workspace_.path(), "workspace"));
        return std::unique_ptr<Destination>(std::move(file));
      }
      return std::unique_ptr<Destination>(SqliteDestination::ForWorkspace(workspace_.db()));
    case ast::SyncTarget::kFile: {
      ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(sync.target_name));
      return std::unique_ptr<Destination>(std::move(file));
    }
    case ast::SyncTarget::kDestination:
      break;
  }
  ASSIGN_OR_RETURN(DestinationDef def, workspace_.catalog().GetDestination(sync.target_name));
  ASSIGN_OR_RETURN(Value config, connectors_.ResolveDestinationConfig(def.config, "destination '" + def.name + "'"));
  auto text = [&](const char* key) -> Result<std::string> {
    if (!config.contains(key) || !config[key].is_string()) {
      return Status(ErrorKind::kInvalidArgument,
                    "destination '" + def.name + "' (" + def.type + ") needs CONFIG {\"" + key + "\": \"…\"}");
    }
    return config[key].get<std::string>();
  };
  if (def.type == "sqlite") {
    ASSIGN_OR_RETURN(std::string path, text("path"));
    ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(path));
    return std::unique_ptr<Destination>(std::move(file));
  }
  if (def.type == "jsonl" || def.type == "csv") {
    ASSIGN_OR_RETURN(std::string path, text("path"));
    ASSIGN_OR_RETURN(auto files, FileDestination::Open(def.name, path, def.type == "csv" ? FileFormat::kCsv
                                                                                        : FileFormat::kJsonl));
    return std::unique_ptr<Destination>(std::move(files));
  }
  ASSIGN_OR_RETURN(auto postgres, PostgresDestination::Connect(def.name, config));
  return std::unique_ptr<Destination>(std::move(postgres));
}

Status Interpreter::ScheduleSync(const ast::SyncStmt& sync, const ast::Statement& statement) {
  Result<CronSchedule> cron = CronSchedule::Parse(*sync.schedule);
  if (!cron.ok()) return cron.TakeStatus();
  if (!workspace_.catalog().GetConnector(sync.connector.text).ok()) {
    return Status(ErrorKind::kNotFound, "connector '" + sync.connector.text + "' does not exist")
        .At(sync.connector.span.begin);
  }
  ASSIGN_OR_RETURN(Stmt put, workspace_.db().Prepare(
                                 "INSERT INTO _sluice_sync_schedules (connector, statement, cron, created_at) "
                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (connector, statement) DO UPDATE SET "
                                 "cron = excluded.cron"));
  RETURN_IF_ERROR(put.BindText(1, sync.connector.text));
  RETURN_IF_ERROR(put.BindText(2, std::string(statement.span.Text())));
  RETURN_IF_ERROR(put.BindText(3, *sync.schedule));
  RETURN_IF_ERROR(put.BindText(4, FormatTimestamp(NowMicros())));
  RETURN_IF_ERROR(put.Run());
  output_.Print("scheduled '" + *sync.schedule + "' (UTC): `sluice scheduler` runs it when due");
  return Status::Ok();
}

Status Interpreter::ExecuteSync(const ast::SyncStmt& sync, const ast::Statement& statement) {
  if (sync.schedule && !running_schedules_) return ScheduleSync(sync, statement);
  Catalog& catalog = workspace_.catalog();
  Result<ConnectorDef> connector = catalog.GetConnector(sync.connector.text);
  if (!connector.ok()) return connector.TakeStatus().At(sync.connector.span.begin);
  Result<std::vector<EntityDef>> listed = connectors_.Entities(connector->name);
  if (!listed.ok()) return listed.TakeStatus().At(sync.connector.span.begin);
  std::vector<EntityDef> entities = std::move(listed).value();
  std::vector<const EntityDef*> chosen;
  std::vector<ast::Name> asked = sync.entities;
  if (sync.entity) asked.push_back(*sync.entity);
  for (const ast::Name& name : asked) {
    const EntityDef* found = nullptr;
    for (const EntityDef& entity : entities) {
      if (entity.name == name.text) found = &entity;
    }
    if (!found) {
      return Status(ErrorKind::kNotFound, "connector '" + connector->name + "' (type '" + connector->type +
                                              "') has no entity '" + name.text + "'")
          .At(name.span.begin);
    }
    chosen.push_back(found);
  }
  if (asked.empty()) {
    for (const EntityDef& entity : entities) chosen.push_back(&entity);
  }
  if (chosen.empty()) {
    return Status(ErrorKind::kNotFound, "connector type '" + connector->type + "' has no entities to sync");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Destination> destination, SyncDestination(sync, false));

  // Entities sync at once, up to OPTIONS.concurrency (default 4), each with
  // a destination connection of its own; a child waits for its parent.
  // With WHERE, rows are read through SQLite on the workspace connection,
  // which writers on other connections would contend with: one at a time.
  int64_t concurrency = 4;
  if (connector->options.contains("concurrency") && connector->options["concurrency"].is_number_integer()) {
    concurrency = std::max<int64_t>(1, connector->options["concurrency"].get<int64_t>());
  }
  bool own_connections = !sync.where && !(sync.target == ast::SyncTarget::kWorkspace && workspace_.path() == ":memory:");
  if (!own_connections) concurrency = 1;

  auto board = output_.ShowsProgress() ? std::make_shared<ProgressBoard>(output_) : nullptr;
  ResultSet summary;
  summary.title = "sync " + connector->name + " → " + destination->Name();
  summary.columns = {"entity", "table", "mode", "write_mode", "rows_read", "rows_written", "rows_deleted",
                     "seconds", "rows_per_s", "status"};
  Status first_failure;
  auto note = [&first_failure](Status status) {
    if (!status.ok() && first_failure.ok()) first_failure = std::move(status);
  };
  // An entity's run, on a destination connection of its own when runs go
  // at once; null (its failure noted) if it cannot start.
  auto prepare = [&](const EntityDef& entity, bool own_connection) -> std::unique_ptr<EntitySyncJob> {
    std::unique_ptr<Destination> own;
    if (own_connection) {
      Result<std::unique_ptr<Destination>> opened = SyncDestination(sync, true);
      if (!opened.ok()) {
        note(opened.TakeStatus());
        return nullptr;
      }
      own = std::move(opened).value();
    }
    Result<std::unique_ptr<EntitySyncJob>> job =
        PrepareEntitySync(sync, *connector, entity, own ? *own : *destination, summary);
    if (!job.ok()) {
      note(job.TakeStatus());
      return nullptr;
    }
    (*job)->own_destination = std::move(own);
    (*job)->board = board;
    return std::move(job).value();
  };

  // A table integration without WHERE: one resolution for every table, each
  // table's run with a connection of its own.
  ASSIGN_OR_RETURN(Source * instance, connectors_.Get(connector->name));
  MultiTableScan* multi_table = instance->multi_table();
  if (multi_table && !sync.where && (own_connections || chosen.size() == 1)) {
    IntegrationPass pass(*multi_table);
    std::vector<std::unique_ptr<EntitySyncJob>> jobs;
    for (const EntityDef* entity : chosen) {
      std::unique_ptr<EntitySyncJob> job = prepare(*entity, chosen.size() > 1);
      if (!job) continue;
      job->pass = &pass;
      job->pass_table = pass.Add(entity->name);
      jobs.push_back(std::move(job));
    }
    std::vector<bool> active;
    for (auto& job : jobs) active.push_back(job->run->Start(job->open_rows));
    Status started = pass.Start();
    if (!started.ok()) pass.Fail(started);
    while (started.ok()) {
      Result<std::optional<size_t>> table = pass.Pump();
      if (!table.ok()) {
        pass.Fail(table.status());
        break;
      }
      if (!*table) break;
      for (size_t i = 0; i < jobs.size(); ++i) {
        if (jobs[i]->pass_table != **table) continue;
        while (active[i] && pass.HasQueued(**table)) active[i] = jobs[i]->run->Step();
        if (!active[i]) pass.Drop(**table);
      }
    }
    pass.End();
    for (size_t i = 0; i < jobs.size(); ++i) {
      while (active[i]) active[i] = jobs[i]->run->Step();
    }
    for (auto& job : jobs) note(FinishEntitySync(*job, summary));
    output_.Emit(summary);
    return first_failure;
  }

  // A child whose parent is chosen too reads the parent's scan rather
  // than scanning the parent again: the two run together, as a family
  // (a root and the chosen entities below it), on connections of their own.
  bool feed_children = own_connections;
  // Only a full run's scan sees every parent row; a child of a parent
  // synced incrementally scans the parents itself, after the parent's run,
  // without its cursor (else a full child run deletes the children of
  // every parent that did not change).
  auto full_run = [&sync](const EntityDef& entity) {
    return sync.mode == ast::SyncMode::kFull || (sync.mode == ast::SyncMode::kDefault && entity.cursor.empty());
  };
  std::vector<std::vector<std::vector<const EntityDef*>>> rounds;  // waves of families
  for (const std::vector<const EntityDef*>& wave : ParentsFirst(chosen)) {
    std::vector<std::vector<const EntityDef*>> families;
    for (const EntityDef* entity : wave) {
      bool placed = false;
      const EntityDef* parent = nullptr;
      for (const EntityDef* candidate : chosen) {
        if (candidate->name == entity->parent) parent = candidate;
      }
      if (feed_children && parent && full_run(*parent)) {
        for (auto& round : rounds) {
          for (auto& family : round) {
            if (std::find(family.begin(), family.end(), parent) == family.end()) continue;
            family.push_back(entity);
            placed = true;
          }
        }
      }
      if (!placed) families.push_back({entity});
    }
    if (!families.empty()) rounds.push_back(std::move(families));
  }
  constexpr size_t kMaxLead = 1000;  // rows a parent may read ahead of its children
  for (const auto& families : rounds) {
    for (size_t from = 0; from < families.size(); from += static_cast<size_t>(concurrency)) {
      std::vector<std::unique_ptr<EntitySyncJob>> jobs;
      for (size_t f = from; f < families.size() && f < from + static_cast<size_t>(concurrency); ++f) {
        bool together = concurrency > 1 || families[f].size() > 1;
        for (const EntityDef* entity : families[f]) {
          std::unique_ptr<EntitySyncJob> job = prepare(*entity, together);
          if (!job) continue;
          // A parent in the same chunk is one whose family the child joined.
          for (auto& parent : jobs) {
            if (!feed_children || parent->entity != entity->parent) continue;
            if (!parent->feeds) parent->feeds = std::make_shared<RowTee>();
            job->fed_by = parent->feeds;
            job->reader = parent->feeds->Add();
          }
          jobs.push_back(std::move(job));
        }
      }
      // By turns on this thread: while one handler waits for its next page,
      // the others' requests are in flight on the same event loop.
      std::vector<bool> active;
      for (auto& job : jobs) active.push_back(job->run->Start(job->open_rows));
      for (bool any = true; any;) {
        any = false;
        for (size_t i = 0; i < jobs.size(); ++i) {
          EntitySyncJob& job = *jobs[i];
          // A parent far ahead of its children waits for them: the rows
          // between them are held in memory.
          bool wait = active[i] && job.feeds && job.feeds->Lead(0) > kMaxLead;
          if (active[i] && !wait) active[i] = job.run->Step();
          if (!active[i] && job.feeds) job.feeds->Drop(0);
          if (!active[i] && job.fed_by) job.fed_by->Drop(job.reader);
          any = any || active[i];
        }
      }
      for (auto& job : jobs) note(FinishEntitySync(*job, summary));
    }
  }
  output_.Emit(summary);
  return first_failure;
}

Result<std::unique_ptr<EntitySyncJob>> Interpreter::PrepareEntitySync(const ast::SyncStmt& sync,
                                                                     const ConnectorDef& connector,
                                                                     const EntityDef& entity, Destination& destination,
                                                                     ResultSet& summary) {
  auto job = std::make_unique<EntitySyncJob>();
  job->entity = entity.name;
  EntitySyncPlan& plan = job->plan;
  plan.table.connector = connector.name;
  plan.table.entity = entity.name;
  plan.table.name = SyncTableName(connector, entity.name);
  plan.synced_at = FormatTimestamp(NowMicros());
  plan.force = sync.force;
  // OPTIONS.batch_size: rows per destination transaction.
  if (connector.options.contains("batch_size") && connector.options["batch_size"].is_number_integer() &&
      connector.options["batch_size"].get<int64_t>() > 0) {
    plan.batch_rows = static_cast<size_t>(connector.options["batch_size"].get<int64_t>());
  }
  job->label = connector.name + "." + entity.name;
  const std::string& where_label = job->label;
  auto fail_early = [&](Status status) {
    summary.rows.push_back({Value(entity.name), Value(plan.table.name), Value(), Value(), Value(0), Value(0),
                            Value(0), Value(), Value(), Value("failed: " + status.message())});
    return status.WithContext("sync " + where_label);
  };

  // Sluice's own tables (secrets, runs, marks) share the workspace with
  // synced ones: a connector named `_sluice`, or a sync_table of
  // `_sluice_{entity}`, would otherwise let a FORCE run replace them.
  std::string prefix = plan.table.name.substr(0, 7);
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return std::tolower(c); });
  if (prefix == "_sluice") {
    return fail_early(Status(ErrorKind::kInvalidArgument,
                             "table '" + plan.table.name +
                                 "': names starting with '_sluice' are Sluice's own; choose another OPTIONS.sync_table "
                                 "or connector name"));
  }
  ASSIGN_OR_RETURN(job->schema, connectors_.Schema(connector.name, entity.name));
  const EntitySchema& schema = job->schema;
  for (const EntityField& field : schema.fields) job->field_names.push_back(field.name);
  for (const EntityField& field : schema.fields) {
    const Value& spec = entity.fields.contains(field.name) ? entity.fields[field.name] : Value::object();
    bool key = spec.is_object() && spec.value("primary_key", false);
    plan.table.columns.push_back({field.name, field.type, key});
  }
  if (schema.has_parent) plan.table.columns.push_back({"_parent", "document", false});

  plan.cursor_field = sync.incremental_field.value_or(entity.cursor);
  bool incremental = sync.mode == ast::SyncMode::kIncremental ||
                     (sync.mode == ast::SyncMode::kDefault && !entity.cursor.empty());
  if (incremental && plan.cursor_field.empty()) {
    return fail_early(Status(ErrorKind::kInvalidArgument,
                             "entity '" + entity.name + "' has no CURSOR: write INCREMENTAL ON field, or FULL"));
  }
  if (!plan.cursor_field.empty()) {
    const EntityField* cursor = nullptr;
    for (const EntityField& field : schema.fields) {
      if (field.name == plan.cursor_field) cursor = &field;
    }
    if (!cursor) {
      return fail_early(Status(ErrorKind::kNotFound, "cursor field '" + plan.cursor_field +
                                                         "' is not a field of entity '" + entity.name + "'"));
    }
    plan.cursor_type = cursor->type;
    plan.cursor_ordered = cursor->sortable;
  }
  plan.incremental = incremental;
  bool keyed = plan.table.HasPrimaryKey();
  if (sync.write_mode) {
    plan.write_mode = *WriteModeFromName(*sync.write_mode);
    // Rows outside the filter are not read, so they would all look stale.
    if (sync.where && plan.write_mode == WriteMode::kOverwriteDeleteStale) {
      return fail_early(Status(ErrorKind::kInvalidArgument,
                               "'overwrite-delete-stale' cannot go with WHERE: the rows WHERE leaves out would all "
                               "be deleted as stale; use 'overwrite' (the default with WHERE) or 'append'"));
    }
  } else {
    // An incremental or filtered run does not see every row: it upserts
    // where the destination can, else appends, and never deletes.
    plan.write_mode = !incremental && !sync.where ? WriteMode::kOverwriteDeleteStale
                      : keyed && destination.AbsorbsRepeats() ? WriteMode::kOverwrite
                                                              : WriteMode::kAppend;
    if (sync.where && !incremental) {
      job->note = std::string("WHERE: write mode '") + WriteModeName(plan.write_mode) + "', stale rows kept";
    }
  }
  if (plan.write_mode == WriteMode::kOverwrite && !keyed) {
    return fail_early(Status(ErrorKind::kInvalidArgument,
                             "entity '" + entity.name + "' has no primary key, so 'overwrite' cannot upsert: "
                             "use 'append' or 'overwrite-delete-stale' (full replacement)"));
  }
  if (plan.write_mode == WriteMode::kOverwriteDeleteStale && incremental) {
    return fail_early(Status(ErrorKind::kInvalidArgument,
                             "'overwrite-delete-stale' needs a FULL sync: an incremental run does not see every "
                             "row, so it cannot tell which are stale"));
  }

  // The entity's table, with the statement's WHERE bound like a SELECT's.
  ASSIGN_OR_RETURN(std::optional<std::string> table, EntityTable(connector.name, entity.name));
  std::string columns;
  for (const ColumnSpec& column : plan.table.columns) {
    columns += (columns.empty() ? "" : ", ") + QuoteIdentifier(column.name);
  }
  // Read from a table of the sync's own, named as the entity's, so its
  // scans carry the run's cursor and order (CreateScanTable in open_rows).
  job->scan_table = *table + "#sync";
  job->sql = "SELECT " + columns + " FROM temp." + QuoteIdentifier(job->scan_table) + " AS " + QuoteIdentifier(*table);
  job->direct = !sync.where;
  if (sync.where) {
    ASSIGN_OR_RETURN(BoundSql bound, BindVariables(*sync.where, variables_));
    job->sql += " WHERE (" + bound.text + ")";
    job->params = std::move(bound.params);
  }

  // The run is on record before it starts, so a killed one shows as such.
  job->mode_name = incremental ? "incremental" : "full";
  const std::string& mode_name = job->mode_name;
  ASSIGN_OR_RETURN(Stmt record, workspace_.db().Prepare(
                                    "INSERT INTO _sluice_sync_runs (connector, entity, destination, table_name, "
                                    "mode, write_mode, status, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                    "'running', ?7)"));
  RETURN_IF_ERROR(record.BindText(1, connector.name));
  RETURN_IF_ERROR(record.BindText(2, entity.name));
  RETURN_IF_ERROR(record.BindText(3, destination.Name()));
  RETURN_IF_ERROR(record.BindText(4, plan.table.name));
  RETURN_IF_ERROR(record.BindText(5, mode_name));
  RETURN_IF_ERROR(record.BindText(6, WriteModeName(plan.write_mode)));
  RETURN_IF_ERROR(record.BindText(7, plan.synced_at));
  RETURN_IF_ERROR(record.Run());
  job->run_id = workspace_.db().LastInsertRowid();

  EntitySyncJob* self = job.get();
  std::string connector_name = connector.name;
  std::string destination_name = destination.Name();
  job->open_rows = [this, self, connector_name, destination_name](
                       const std::optional<SyncState>& state) -> Result<std::unique_ptr<SyncRowStream>> {
    // Called once the run holds its table: a run still marked running
    // then is one that was killed, not one running in another process.
    ASSIGN_OR_RETURN(Stmt interrupted, workspace_.db().Prepare(
                                           "UPDATE _sluice_sync_runs SET status = 'interrupted' WHERE status = "
                                           "'running' AND connector = ?1 AND entity = ?2 AND destination = ?3 "
                                           "AND id != ?4"));
    RETURN_IF_ERROR(interrupted.BindText(1, connector_name));
    RETURN_IF_ERROR(interrupted.BindText(2, self->entity));
    RETURN_IF_ERROR(interrupted.BindText(3, destination_name));
    RETURN_IF_ERROR(interrupted.BindInt(4, self->run_id));
    RETURN_IF_ERROR(interrupted.Run());
    const EntitySyncPlan& plan = self->plan;
    Value extra = Value::object();
    if (state && !state->cursor_value.is_null()) {
      extra["cursor"] = Value{{"field", plan.cursor_field}, {"value", state->cursor_value}};
    }
    if (plan.cursor_ordered) extra["order_by"] = Value::array({Value{{"field", plan.cursor_field}, {"desc", false}}});
    if (self->pass) return self->pass->Open(self->pass_table, std::move(extra), self->schema);
    // A sync's scans never come from the query cache.
    ScanRequest request;
    request.use_cache = false;
    if (state && !state->cursor_value.is_null()) request.cursor = ScanRequest::Cursor{plan.cursor_field, state->cursor_value};
    if (plan.cursor_ordered) request.order_by.push_back({plan.cursor_field, false});
    if (self->fed_by) {
      auto parents = std::make_unique<RowTee::Reader>(self->fed_by, self->reader);
      std::unique_ptr<RowSource> source =
          connectors_.ScanEachParent(connector_name, self->entity, request, std::move(parents));
      if (self->feeds) {
        self->feeds->SetSource(std::move(source));
        source = std::make_unique<RowTee::Reader>(self->feeds, 0);
      }
      return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(std::move(source), self->schema));
    }
    if (self->direct) {
      // Children read the parent's rows whole, as their handlers get them.
      if (!self->feeds) request.only_fields = self->field_names;
      ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source, connectors_.Scan(connector_name, self->entity, request));
      if (self->feeds) {
        self->feeds->SetSource(std::move(source));
        source = std::make_unique<RowTee::Reader>(self->feeds, 0);
      }
      return std::unique_ptr<SyncRowStream>(std::make_unique<HandlerRows>(std::move(source), self->schema));
    }
    RETURN_IF_ERROR(CreateScanTable(self->scan_table, connector_name, self->entity, request));
    ASSIGN_OR_RETURN(Stmt stmt, workspace_.db().Prepare(self->sql));
    for (size_t i = 0; i < self->params.size(); ++i) {
      RETURN_IF_ERROR(stmt.Bind(static_cast<int>(i + 1), self->params[i]));
    }
    entity_module_.ClearError();
    return std::unique_ptr<SyncRowStream>(std::make_unique<TableRows>(std::move(stmt), entity_module_));
  };
  job->started = job->last_shown = std::chrono::steady_clock::now();
  SyncProgress progress = [this, self](const EntitySyncReport& so_far, SyncEvent event) {
    // Off a terminal (no board): a line per committed batch. On one: rows
    // as they are read, which on a slow API come long before a batch commits.
    if (!self->board && event != SyncEvent::kBatchCommitted) return;
    auto now = std::chrono::steady_clock::now();
    if (self->board && event == SyncEvent::kRowRead && now - self->last_shown < std::chrono::milliseconds(100)) {
      return;
    }
    self->last_shown = now;
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - self->started);
    std::string line = "sync " + self->label + ": " + std::to_string(so_far.rows_written) + " rows written, " +
                       std::to_string(so_far.batches) + " batches, " + std::to_string(so_far.rows_read) +
                       " rows read, " + Rate(so_far.rows_read, elapsed) + " rows/s, " + SecondsText(elapsed) + " s";
    if (!self->board) {
      output_.Log(line);
      return;
    }
    self->board->Set(self->label, event == SyncEvent::kDone ? "" : line, false);
  };
  job->run = std::make_unique<EntitySync>(destination, plan, std::move(progress));
  return job;
}

Status Interpreter::FinishEntitySync(EntitySyncJob& job, ResultSet& summary) {
  EntitySyncReport report = job.run->Finish();
  const EntitySyncPlan& plan = job.plan;
  const std::string& mode_name = job.mode_name;
  const std::string& entity_name = job.entity;

  ASSIGN_OR_RETURN(Stmt finish, workspace_.db().Prepare(
                                    "UPDATE _sluice_sync_runs SET status = ?2, rows_read = ?3, rows_written = ?4, "
                                    "rows_deleted = ?5, duration_ms = ?6, finished_at = ?7, error = ?8 WHERE id = ?1"));
  RETURN_IF_ERROR(finish.BindInt(1, job.run_id));
  RETURN_IF_ERROR(finish.BindText(2, report.status.ok() ? "ok" : "failed"));
  RETURN_IF_ERROR(finish.BindInt(3, report.rows_read));
  RETURN_IF_ERROR(finish.BindInt(4, report.rows_written));
  RETURN_IF_ERROR(finish.BindInt(5, report.rows_deleted));
  RETURN_IF_ERROR(finish.BindInt(6, report.elapsed.count() / 1000));
  RETURN_IF_ERROR(finish.BindText(7, FormatTimestamp(NowMicros())));
  if (report.status.ok()) {
    RETURN_IF_ERROR(finish.BindNull(8));
  } else {
    // The workspace file is not an output, but it must not hold a secret
    // a handler put in its error message either.
    RETURN_IF_ERROR(finish.BindText(8, SecretMasker::Global().Mask(report.status.ToString())));
  }
  RETURN_IF_ERROR(finish.Run());

  std::string status = report.status.ok() ? "ok" : "failed: " + report.status.ToString();
  if (report.status.ok() && !report.migration.empty()) status += " (table " + report.migration + ")";
  if (report.status.ok() && !job.note.empty()) status += " (" + job.note + ")";
  summary.rows.push_back({Value(entity_name), Value(plan.table.name), Value(mode_name),
                          Value(WriteModeName(plan.write_mode)), Value(report.rows_read),
                          Value(report.rows_written), Value(report.rows_deleted), Value(SecondsText(report.elapsed)),
                          Value(Rate(report.rows_written, report.elapsed)), Value(status)});
  if (report.status.ok()) return Status::Ok();
  return report.status.WithContext("sync " + job.label);
}

}  // namespace sluice
