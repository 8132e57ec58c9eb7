// SYNC … DISTRIBUTED and SHOW SYNC UNITS: the submitting side of a
// distributed run (sync/coordinator.h, docs/distributed.md). The submitter
// plans the run's units and each entity's table here, where the statement
// is, so that a mistake (a schema, a missing secret, an option) is the
// statement's error before anything is stored; the workers only run units.
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "catalog/connector_options.h"
#include "catalog/sync_runs.h"
#include "core/interrupt.h"
#include "core/time_util.h"
#include "lang/catalog_snapshot.h"
#include "lang/interpreter.h"
#include "sync/coordinator.h"
#include "sync/sync_planner.h"
#include "sync/work_units.h"

namespace sluice {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(300);

// Where a coordinator is: the PostgreSQL destination's connection string
// (never shown: it may hold a password) and the schema its tables go to.
struct Coordinates {
  std::string destination;  // the DestinationDef's name
  std::string url;
  std::string schema;
};

Result<Coordinates> CoordinatesOf(const DestinationDef& def, const Value& config) {
  Coordinates out;
  out.destination = def.name;
  auto url = config.find("connection_string");
  if (url == config.end() || !url->is_string() || url->get_ref<const std::string&>().empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "destination '" + def.name + "' has no connection_string in its CONFIG");
  }
  out.url = url->get<std::string>();
  out.schema = "public";
  auto schema = config.find("schema");
  if (schema != config.end() && schema->is_string() && !schema->get_ref<const std::string&>().empty()) {
    out.schema = schema->get<std::string>();
  }
  return out;
}

const char* ModeChoiceName(SyncModeChoice mode) {
  switch (mode) {
    case SyncModeChoice::kFull:
      return "full";
    case SyncModeChoice::kIncremental:
      return "incremental";
    case SyncModeChoice::kDefault:
      break;
  }
  return "default";
}

// DistributedRunSpec::choices, as RunSyncUnit reads them back.
Value ChoicesValue(const SyncChoices& choices) {
  Value out = Value::object();
  out["mode"] = ModeChoiceName(choices.mode);
  out["incremental_field"] = choices.incremental_field ? Value(*choices.incremental_field) : Value();
  out["write_mode"] = choices.write_mode ? Value(WriteModeName(*choices.write_mode)) : Value();
  out["force"] = choices.force;
  return out;
}

// An OPTIONS integer of the run, checked again here: a connector stored
// before the option existed was never validated against its range.
Result<int64_t> RunOption(const ConnectorDef& connector, std::string_view name) {
  const ConnectorOption* option = FindConnectorOption(name);
  auto found = connector.options.find(std::string(name));
  if (found != connector.options.end() && !found->is_number_integer() && !found->is_number_unsigned()) {
    return Status(ErrorKind::kInvalidArgument, "connector '" + connector.name + "': option '" + std::string(name) +
                                                   "' must be a whole number, got " + found->dump());
  }
  int64_t value = OptionInt(connector.options, name);
  if (value < static_cast<int64_t>(option->min_number) || value > static_cast<int64_t>(option->max_number)) {
    return Status(ErrorKind::kInvalidArgument, "connector '" + connector.name + "': option '" + std::string(name) +
                                                   "' must be " + std::string(option->range) + ", got " +
                                                   std::to_string(value));
  }
  return value;
}

struct UnitCounts {
  int total = 0, pending = 0, leased = 0, done = 0, failed = 0, retried = 0;
};

UnitCounts Count(const std::vector<const UnitStatus*>& units) {
  UnitCounts counts;
  for (const UnitStatus* unit : units) {
    ++counts.total;
    if (unit->state == "pending") ++counts.pending;
    if (unit->state == "leased") ++counts.leased;
    if (unit->state == "done") ++counts.done;
    if (unit->state == "failed") ++counts.failed;
    if (unit->attempt > 1) ++counts.retried;
  }
  return counts;
}

std::vector<const UnitStatus*> All(const RunStatus& status) {
  std::vector<const UnitStatus*> out;
  for (const UnitStatus& unit : status.units) out.push_back(&unit);
  return out;
}

// "12 units: 11 done, 1 failed; 2 retried"
std::string UnitsText(const UnitCounts& counts) {
  std::string text = std::to_string(counts.total) + (counts.total == 1 ? " unit: " : " units: ") +
                     std::to_string(counts.done) + " done";
  if (counts.failed) text += ", " + std::to_string(counts.failed) + " failed";
  if (counts.pending) text += ", " + std::to_string(counts.pending) + " pending";
  if (counts.leased) text += ", " + std::to_string(counts.leased) + " leased";
  if (counts.retried) text += "; " + std::to_string(counts.retried) + " retried";
  return text;
}

Value TextOrNull(const std::string& text) { return text.empty() ? Value() : Value(text); }

std::string UnitLabel(const std::string& connector, const UnitStatus& unit) {
  return connector + "." + unit.entity + (unit.partition.empty() ? "" : "[" + unit.partition + "]");
}

// One entity's share of the run on record (SHOW SYNC RUNS).
struct EntityRecord {
  std::string entity;
  std::string root;  // the entity whose units carry it (itself, or its chosen ancestor's)
  int64_t record = 0;
};

}  // namespace

Status Interpreter::SubmitDistributedSync(const ast::SyncStmt& sync, const ast::Statement& statement,
                                          const SyncRequest& request, Source& source) {
  const ConnectorDef& connector = request.connector;
  const SourceLocation& at = sync.connector.span.begin;
  // The coordinator is the destination's database: only PostgreSQL has one
  // that workers on other machines reach, with SKIP LOCKED and the fence
  // in the rows' own transactions.
  std::string target = sync.target_name, kind = "sqlite";
  std::optional<DestinationDef> def;
  if (sync.target == ast::SyncTarget::kWorkspace) target = "workspace";
  if (sync.target == ast::SyncTarget::kDestination) {
    Result<DestinationDef> found = workspace_.catalog().GetDestination(sync.target_name);
    if (!found.ok()) return found.TakeStatus().At(at);
    def = std::move(found).value();
    kind = def->type;
  }
  if (kind != "postgresql") {
    return Status(ErrorKind::kInvalidArgument,
                  "SYNC … DISTRIBUTED needs a PostgreSQL destination (its database coordinates the workers): '" +
                      target + "' is " + kind)
        .At(at);
  }
  if (sync.where) {
    return Status(ErrorKind::kInvalidArgument,
                  "SYNC … DISTRIBUTED cannot take a WHERE: workers sync whole entities and partitions (sync "
                  "without DISTRIBUTED to filter rows)")
        .At(sync.where->span.begin);
  }
  if (sync.shard) {
    return Status(ErrorKind::kInvalidArgument,
                  "SYNC … DISTRIBUTED cannot take a SHARD: the run's workers share its units among themselves")
        .At(at);
  }
  Result<int64_t> max_attempts = RunOption(connector, "max_attempts");
  if (!max_attempts.ok()) return max_attempts.TakeStatus().At(at);
  Result<int64_t> lease_seconds = RunOption(connector, "lease_seconds");
  if (!lease_seconds.ok()) return lease_seconds.TakeStatus().At(at);
  Result<Value> config = connectors_.ResolveDestinationConfig(def->config, "destination '" + def->name + "'");
  if (!config.ok()) return config.TakeStatus().At(at);
  ASSIGN_OR_RETURN(Coordinates coordinates, CoordinatesOf(*def, *config));

  DistributedRunSpec spec;
  spec.connector = connector.name;
  spec.schema = coordinates.schema;
  spec.statement = std::string(statement.span.Text());
  spec.choices = ChoicesValue(request.choices);
  spec.synced_at = FormatTimestamp(NowMicros());
  spec.max_attempts = static_cast<int>(*max_attempts);
  spec.lease = std::chrono::milliseconds(*lease_seconds * 1000);

  Partitioner* partitioner = source.partitioner();
  Result<std::vector<WorkUnit>> units = PlanWorkUnits(
      connector.name, request.chosen,
      [partitioner](const EntityDef& root) -> Result<std::optional<std::vector<Partition>>> {
        if (!partitioner) return std::optional<std::vector<Partition>>();
        return partitioner->Partitions(root);
      },
      [partitioner](const EntityDef& entity) { return partitioner ? partitioner->UnitParent(entity) : entity.parent; });
  if (!units.ok()) return units.TakeStatus().At(at);
  spec.units = std::move(units).value();
  if (spec.units.empty()) {
    return Status(ErrorKind::kNotFound, "connector '" + connector.name + "' has no units to sync").At(at);
  }

  // Each entity's plan, as every worker will make it, so that what would
  // fail there fails here, before anything is stored.
  std::vector<SyncRunStart> starts;
  for (const EntityDef* entity : request.chosen) {
    std::string label = "sync " + connector.name + "." + entity->name;
    Result<std::string> table = PlanSyncTable(connector, entity->name);
    if (!table.ok()) return table.TakeStatus().WithContext(label).At(at);
    Result<EntitySchema> schema = connectors_.Schema(connector.name, entity->name);
    if (!schema.ok()) return schema.TakeStatus().WithContext(label).At(at);
    Result<PlannedEntitySync> planned = PlanEntitySync(request.choices, connector, *entity, *schema,
                                                       /*absorbs_repeats=*/true, spec.synced_at);
    if (!planned.ok()) return planned.TakeStatus().WithContext(label).At(at);
    const EntitySyncPlan& plan = planned->plan;
    spec.tables.push_back({entity->name, plan.table.name,
                           !plan.incremental && plan.write_mode == WriteMode::kOverwriteDeleteStale});
    starts.push_back({connector.name, entity->name, def->name, plan.table.name, planned->mode_name,
                      WriteModeName(plan.write_mode), spec.synced_at, /*type_version=*/""});
  }

  Result<CatalogSnapshot> snapshot = SnapshotConnector(workspace_, connector.name);
  if (!snapshot.ok()) return snapshot.TakeStatus().At(at);
  spec.catalog = std::move(snapshot->catalog);
  spec.integration_archive = std::move(snapshot->integration_archive);

  Result<std::unique_ptr<Coordinator>> connected = Coordinator::Connect(coordinates.url);
  if (!connected.ok()) {
    return connected.TakeStatus().WithContext("the coordinator (destination '" + def->name + "')").At(at);
  }
  std::unique_ptr<Coordinator> coordinator = std::move(connected).value();
  Result<int64_t> created = coordinator->CreateRun(spec);
  if (!created.ok()) {
    return created.TakeStatus().WithContext("storing the distributed run (destination '" + def->name + "')").At(at);
  }
  const int64_t run_id = *created;
  const std::string run_label = "distributed run " + std::to_string(run_id);

  // On record at once: SHOW SYNC UNITS finds the run's destination here,
  // even when this process stops waiting.
  SyncRuns runs(workspace_.db());
  std::vector<EntityRecord> records;
  for (size_t i = 0; i < starts.size(); ++i) {
    ASSIGN_OR_RETURN(int64_t record, runs.Start(starts[i], run_id));
    EntityRecord entry{starts[i].entity, starts[i].entity, record};
    for (const WorkUnit& unit : spec.units) {
      for (const std::string& member : unit.entities) {
        if (member == entry.entity) entry.root = unit.entity;
      }
    }
    records.push_back(std::move(entry));
  }
  output_.Print(run_label + ": " + std::to_string(spec.units.size()) +
                (spec.units.size() == 1 ? " unit" : " units") +
                " stored; waiting for workers (sluice worker --coordinator <the connection string of destination '" +
                def->name + "'>)");

  const auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&started] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  };
  auto record_all = [&](const RunStatus* status, const std::string& outcome_for_all, const Status& error) -> Status {
    for (const EntityRecord& entry : records) {
      SyncRunEnd end;
      end.duration_ms = elapsed_ms();
      if (!status) {
        RETURN_IF_ERROR(runs.Finish(entry.record, end, outcome_for_all,
                                    std::to_string(spec.units.size()) + " units stored; not waited for"));
        continue;
      }
      std::vector<const UnitStatus*> own;
      for (const UnitStatus& unit : status->units) {
        if (unit.entity == entry.root) own.push_back(&unit);
      }
      UnitCounts counts = Count(own);
      end.finished_at = FormatTimestamp(NowMicros());
      std::string outcome = counts.failed == 0 ? "ok" : counts.done == 0 ? "failed" : "partial";
      std::string units = UnitsText(counts);
      if (entry.root != entry.entity) units += " (with its parent " + entry.root + ")";
      if (entry.root == entry.entity) {
        for (const UnitStatus* unit : own) {
          end.rows_read += unit->rows_read;
          end.rows_written += unit->rows_written;
        }
      }
      if (&entry == &records.front()) end.rows_deleted = status->rows_deleted;
      if (counts.failed) {
        for (const UnitStatus* unit : own) {
          if (unit->state == "failed") {
            end.status = Status(error.ok() ? ErrorKind::kConnector : error.kind(),
                                UnitLabel(connector.name, *unit) + ": " + unit->error);
            break;
          }
        }
      }
      RETURN_IF_ERROR(runs.Finish(entry.record, end, outcome, units));
    }
    return Status::Ok();
  };

  // Wait: poll the units, say when their counts change, until none is
  // pending or leased; then end the run (unless the worker that ended the
  // last unit already did).
  std::string shown;
  auto show = [&](const std::string& line) {
    if (line == shown) return;
    shown = line;
    if (output_.ShowsProgress()) {
      output_.Progress(line);
    } else {
      output_.Log(line);
    }
  };
  auto end_progress = [&] {
    if (output_.ShowsProgress() && !shown.empty()) output_.Progress("");
  };
  std::optional<RunStatus> final_status;
  while (!final_status) {
    Result<RunStatus> progress = coordinator->Progress(run_id);
    if (!progress.ok()) {
      end_progress();
      return progress.TakeStatus().WithContext(run_label).At(at);
    }
    UnitCounts counts = Count(All(*progress));
    show("run " + std::to_string(run_id) + ": " + std::to_string(counts.done) + "/" + std::to_string(counts.total) +
         " units done, " + std::to_string(counts.leased) + " leased, " + std::to_string(counts.failed) + " failed");
    if (progress->state != "running") {
      final_status = std::move(progress).value();
      break;
    }
    if (counts.pending == 0 && counts.leased == 0) {
      Result<std::optional<RunStatus>> finalized = coordinator->Finalize(run_id);
      if (!finalized.ok()) {
        end_progress();
        return finalized.TakeStatus().WithContext(run_label).At(at);
      }
      if (*finalized) {
        final_status = std::move(**finalized);
        break;
      }
      // A unit went back to pending, or a worker ended the run: look again.
    }
    for (auto slept = std::chrono::milliseconds(0); slept < kPollInterval; slept += std::chrono::milliseconds(50)) {
      if (InterruptRequested()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (InterruptRequested()) {
      end_progress();
      RETURN_IF_ERROR(record_all(nullptr, "submitted", Status::Ok()));
      output_.Print("stopped waiting: " + run_label + " goes on as workers take its units; SHOW SYNC UNITS FOR RUN " +
                    std::to_string(run_id) + " shows them");
      return Status(ErrorKind::kTimeout, "cancelled (Ctrl-C) while waiting for " + run_label).At(at);
    }
  }
  end_progress();

  ResultSet summary;
  summary.title = run_label + " (" + final_status->state + "): " + connector.name + " → " + def->name;
  summary.columns = {"unit", "entity", "partition", "state", "attempts", "rows_written", "worker", "error"};
  const UnitStatus* first_failed = nullptr;
  for (const UnitStatus& unit : final_status->units) {
    summary.rows.push_back({Value(unit.unit_id), Value(unit.entity), TextOrNull(unit.partition), Value(unit.state),
                            Value(unit.attempt), Value(unit.rows_written), TextOrNull(unit.worker),
                            TextOrNull(unit.error)});
    if (unit.state == "failed" && !first_failed) first_failed = &unit;
  }
  output_.Emit(summary);
  UnitCounts counts = Count(All(*final_status));
  Status ended = Status::Ok();
  if (final_status->state != "done") {
    std::string message = run_label + " ended " + final_status->state + ": " + std::to_string(counts.failed) +
                          " of " + std::to_string(counts.total) + " units failed";
    if (first_failed) message += " (first: " + UnitLabel(connector.name, *first_failed) + ": " + first_failed->error + ")";
    if (!first_failed && !final_status->error.empty()) message += " (" + final_status->error + ")";
    ended = Status(ErrorKind::kConnector, message);
  }
  RETURN_IF_ERROR(record_all(&*final_status, "", ended));
  if (!ended.ok()) return ended.At(at);
  return Status::Ok();
}

Result<ResultSet> Interpreter::ShowSyncUnits(const ast::ShowStmt& show) {
  SyncRuns runs(workspace_.db());
  ASSIGN_OR_RETURN(std::optional<DistributedRunRecord> record, runs.FindDistributed(show.run));
  if (!record) {
    if (show.run) {
      return Status(ErrorKind::kNotFound, "distributed run " + std::to_string(*show.run) +
                                              " is not on record in this workspace (SHOW SYNC RUNS lists runs and "
                                              "their distributed_run)");
    }
    return Status(ErrorKind::kNotFound, "no distributed run is on record in this workspace (SYNC … DISTRIBUTED "
                                        "makes one)");
  }
  const std::string run_label = "distributed run " + std::to_string(record->run);
  Result<DestinationDef> def = workspace_.catalog().GetDestination(record->destination);
  if (!def.ok()) return def.TakeStatus().WithContext(run_label + " ran against it");
  if (def->type != "postgresql") {
    return Status(ErrorKind::kInvalidArgument, run_label + " ran against destination '" + def->name +
                                                   "', which is now " + def->type + ", not its coordinator");
  }
  ASSIGN_OR_RETURN(Value config, connectors_.ResolveDestinationConfig(def->config, "destination '" + def->name + "'"));
  ASSIGN_OR_RETURN(Coordinates coordinates, CoordinatesOf(*def, config));
  Result<std::unique_ptr<Coordinator>> coordinator = Coordinator::Connect(coordinates.url);
  if (!coordinator.ok()) {
    return coordinator.TakeStatus().WithContext("the coordinator of " + run_label + " (destination '" + def->name +
                                                "')");
  }
  Result<RunStatus> status = (*coordinator)->Progress(record->run);
  if (!status.ok()) return status.TakeStatus().WithContext(run_label + " (destination '" + def->name + "')");
  ResultSet result;
  result.title = run_label + " (" + status->state + ")";
  result.columns = {"unit",         "entity", "partition",  "state",       "attempt",    "worker",
                    "rows_read",    "rows_written", "error", "started_at", "finished_at"};
  for (const UnitStatus& unit : status->units) {
    result.rows.push_back({Value(unit.unit_id), Value(unit.entity), TextOrNull(unit.partition), Value(unit.state),
                           Value(unit.attempt), TextOrNull(unit.worker), Value(unit.rows_read),
                           Value(unit.rows_written), TextOrNull(unit.error), TextOrNull(unit.started_at),
                           TextOrNull(unit.finished_at)});
  }
  return result;
}

}  // namespace sluice
