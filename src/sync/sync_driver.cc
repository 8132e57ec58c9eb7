#include "sync/sync_driver.h"

#include <algorithm>
#include <set>

#include "catalog/connector_options.h"
#include "core/time_util.h"

namespace sluice {

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

std::vector<std::vector<std::vector<const EntityDef*>>> FamilyRounds(
    const std::vector<const EntityDef*>& chosen, bool feed_children,
    const std::function<bool(const EntityDef&)>& full_run) {
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
  return rounds;
}

int64_t SyncConcurrency(const ConnectorDef& connector, bool own_connections) {
  int64_t concurrency = std::max<int64_t>(1, OptionInt(connector.options, "concurrency"));
  return own_connections ? concurrency : 1;
}

void SyncDriver::Note(Status status) {
  if (!status.ok() && first_failure_.ok()) first_failure_ = std::move(status);
}

Status SyncDriver::Run(const SyncRequest& request, Destination& destination, std::vector<SyncOutcome>& outcomes) {
  request_ = &request;
  destination_ = &destination;
  outcomes_ = &outcomes;
  first_failure_ = Status::Ok();
  // A table integration without WHERE: one resolution for every table, each
  // table's run with a connection of its own.
  if (request.resolver && !request.choices.has_where && (request.own_connections || request.chosen.size() == 1)) {
    return RunIntegrationPass();
  }
  return RunFamilies();
}

std::unique_ptr<EntityRun> SyncDriver::Prepare(const EntityDef& entity, bool own_connection) {
  std::unique_ptr<Destination> own;
  if (own_connection) {
    Result<std::unique_ptr<Destination>> opened = host_.OpenDestination(true);
    if (!opened.ok()) {
      Note(opened.TakeStatus());
      return nullptr;
    }
    own = std::move(opened).value();
  }
  Result<std::unique_ptr<EntityRun>> job = PrepareEntitySync(entity, own ? *own : *destination_);
  if (!job.ok()) {
    Note(job.TakeStatus());
    return nullptr;
  }
  (*job)->own_destination = std::move(own);
  return std::move(job).value();
}

Status SyncDriver::RunIntegrationPass() {
  const std::vector<const EntityDef*>& chosen = request_->chosen;
  IntegrationPass pass(*request_->resolver);
  std::vector<std::unique_ptr<EntityRun>> jobs;
  for (const EntityDef* entity : chosen) {
    std::unique_ptr<EntityRun> job = Prepare(*entity, chosen.size() > 1);
    if (!job) continue;
    job->pass = &pass;
    job->pass_table = pass.Add(entity->name);
    jobs.push_back(std::move(job));
  }
  std::vector<bool> active;
  for (auto& job : jobs) active.push_back(job->run->Start(OpenRows(*job)));
  // Rows that arrived for `table` go to its run; whether any run goes on.
  auto deliver = [&](size_t table) {
    bool any = false;
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (jobs[i]->pass_table == table) {
        while (active[i] && pass.HasQueued(table)) active[i] = jobs[i]->run->Step();
        if (!active[i]) pass.Drop(table);
      }
      any = any || active[i];
    }
    return any;
  };
  Status started = pass.Start();
  if (!started.ok()) pass.Fail(started);
  // Rows are handled as the resolvers write them (docs/sync.md, memory):
  // the runs' writers pace the resolution.
  if (started.ok()) {
    pass.PushTo([&deliver](size_t table) {
      if (deliver(table)) return Status::Ok();
      return Status(ErrorKind::kConnector, "no table of the resolution is syncing any more");
    });
  }
  while (started.ok()) {
    Result<std::optional<size_t>> table = pass.Pump();
    if (!table.ok()) {
      pass.Fail(table.status());
      break;
    }
    if (!*table) break;
    deliver(**table);
  }
  pass.End();
  for (size_t i = 0; i < jobs.size(); ++i) {
    while (active[i]) active[i] = jobs[i]->run->Step();
  }
  for (auto& job : jobs) Note(FinishEntitySync(*job));
  return first_failure_;
}

Status SyncDriver::RunFamilies() {
  const SyncRequest& request = *request_;
  // Entities sync at once, up to OPTIONS.concurrency (default 4), each with
  // a destination connection of its own; a child waits for its parent.
  // With WHERE, rows are read through SQLite on the workspace connection,
  // which writers on other connections would contend with: one at a time.
  int64_t concurrency = SyncConcurrency(request.connector, request.own_connections);
  // A child whose parent is chosen too reads the parent's scan rather
  // than scanning the parent again: the two run together, as a family
  // (a root and the chosen entities below it), on connections of their own.
  bool feed_children = request.own_connections;
  // Only a full run's scan sees every parent row; a child of a parent
  // synced incrementally scans the parents itself, after the parent's run,
  // without its cursor (else a full child run deletes the children of
  // every parent that did not change).
  auto full_run = [&request](const EntityDef& entity) { return IsFullRun(request.choices, entity); };
  constexpr size_t kMaxLead = 1000;  // rows a parent may read ahead of its children
  for (const auto& families : FamilyRounds(request.chosen, feed_children, full_run)) {
    for (size_t from = 0; from < families.size(); from += static_cast<size_t>(concurrency)) {
      std::vector<std::unique_ptr<EntityRun>> jobs;
      for (size_t f = from; f < families.size() && f < from + static_cast<size_t>(concurrency); ++f) {
        bool together = concurrency > 1 || families[f].size() > 1;
        for (const EntityDef* entity : families[f]) {
          std::unique_ptr<EntityRun> job = Prepare(*entity, together);
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
      for (auto& job : jobs) active.push_back(job->run->Start(OpenRows(*job)));
      for (bool any = true; any;) {
        any = false;
        for (size_t i = 0; i < jobs.size(); ++i) {
          EntityRun& job = *jobs[i];
          // A parent far ahead of its children waits for them: the rows
          // between them are held in memory.
          bool wait = active[i] && job.feeds && job.feeds->Lead(0) > kMaxLead;
          if (active[i] && !wait) active[i] = job.run->Step();
          if (!active[i] && job.feeds) job.feeds->Drop(0);
          if (!active[i] && job.fed_by) job.fed_by->Drop(job.reader);
          any = any || active[i];
        }
      }
      for (auto& job : jobs) Note(FinishEntitySync(*job));
    }
  }
  return first_failure_;
}

bool SyncDriver::ParentSyncedToo(const std::string& entity) const {
  std::string parent;
  for (const EntityDef* chosen : request_->chosen) {
    if (chosen->name == entity) parent = chosen->parent;
  }
  if (parent.empty()) return false;
  for (const EntityDef* chosen : request_->chosen) {
    if (chosen->name == parent) return true;
  }
  return false;
}

OpenSyncRows SyncDriver::OpenRows(EntityRun& job) {
  EntityRun* self = &job;
  return [this, self](const std::optional<SyncState>& state) -> Result<std::unique_ptr<SyncRowStream>> {
    // Called once the run holds its table: a run still marked running
    // then is one that was killed, not one running in another process.
    RETURN_IF_ERROR(runs_.MarkInterrupted(self->plan.table.connector, self->entity, self->destination_name,
                                          self->run_id));
    const EntitySyncPlan& plan = self->plan;
    ScanRequest request;
    request.use_cache = false;  // a sync reads the API, never the query cache
    request.parents_use_cache = !ParentSyncedToo(self->entity);
    if (state && !state->cursor_value.is_null()) {
      request.cursor = ScanRequest::Cursor{plan.cursor_field, state->cursor_value};
    }
    if (plan.cursor_ordered) request.order_by.push_back({plan.cursor_field, false});
    if (request_->partition) request.partition = request_->partition->spec;
    if (self->pass) return self->pass->Open(self->pass_table, HandlerOptions(request), self->schema);
    return host_.OpenRows(*self, request);
  };
}

Result<std::unique_ptr<EntityRun>> SyncDriver::PrepareEntitySync(const EntityDef& entity, Destination& destination) {
  const ConnectorDef& connector = request_->connector;
  auto job = std::make_unique<EntityRun>();
  job->entity = entity.name;
  job->label = connector.name + "." + entity.name;
  job->destination_name = destination.Name();
  const std::string& where_label = job->label;
  std::string table_name = SyncTableName(connector, entity.name);
  auto fail_early = [&](Status status) {
    SyncOutcome outcome;
    outcome.entity = entity.name;
    outcome.table = table_name;
    outcome.status = "failed: " + status.message();
    outcomes_->push_back(std::move(outcome));
    return status.WithContext("sync " + where_label);
  };
  Result<std::string> checked = PlanSyncTable(connector, entity.name);
  if (!checked.ok()) return fail_early(checked.TakeStatus());
  ASSIGN_OR_RETURN(job->schema, host_.Schema(entity.name));
  for (const EntityField& field : job->schema.fields) job->field_names.push_back(field.name);
  std::string synced_at =
      request_->synced_at.empty() ? FormatTimestamp(NowMicros()) : request_->synced_at;
  Result<PlannedEntitySync> planned = PlanEntitySync(
      request_->choices, connector, entity, job->schema, destination.AbsorbsRepeats(), synced_at);
  if (!planned.ok()) return fail_early(planned.TakeStatus());
  job->plan = std::move(planned->plan);
  if (request_->partition) job->plan.table.partition = request_->partition->id;
  job->plan.fence = request_->fence;
  job->plan.defer_stale = request_->defer_stale;
  job->note = std::move(planned->note);
  job->mode_name = std::move(planned->mode_name);
  const EntitySyncPlan& plan = job->plan;
  job->direct = !request_->choices.has_where;
  RETURN_IF_ERROR(host_.PrepareRows(*job));

  // The run is on record before it starts, so a killed one shows as such.
  ASSIGN_OR_RETURN(job->run_id, runs_.Start({connector.name, entity.name, destination.Name(), plan.table.name,
                                             job->mode_name, WriteModeName(plan.write_mode), plan.synced_at, /*type_version=*/""}));

  EntityRun* self = job.get();
  job->started = job->last_shown = std::chrono::steady_clock::now();
  SyncProgress progress = [this, self](const EntitySyncReport& so_far, SyncEvent event) {
    if (!progress_) return;
    // Rows as they are read, which on a slow API come long before a batch
    // commits: at most one event every 100 ms; every committed batch.
    auto now = std::chrono::steady_clock::now();
    if (event == SyncEvent::kRowRead && now - self->last_shown < std::chrono::milliseconds(100)) return;
    self->last_shown = now;
    SyncProgressEvent happened;
    happened.kind = event;
    happened.label = self->label;
    happened.rows_read = so_far.rows_read;
    happened.rows_written = so_far.rows_written;
    happened.batches = so_far.batches;
    happened.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - self->started);
    progress_(happened);
  };
  job->run = std::make_unique<EntitySync>(destination, plan, std::move(progress));
  return job;
}

Status SyncDriver::FinishEntitySync(EntityRun& job) {
  EntitySyncReport report = job.run->Finish();
  const EntitySyncPlan& plan = job.plan;
  RETURN_IF_ERROR(runs_.Finish(job.run_id, {report.status, report.rows_read, report.rows_written, report.rows_deleted,
                                            report.elapsed.count() / 1000, FormatTimestamp(NowMicros())}));

  std::string status = report.status.ok() ? "ok" : "failed: " + report.status.ToString();
  if (report.status.ok() && !report.migration.empty()) status += " (table " + report.migration + ")";
  if (report.status.ok() && !job.note.empty()) status += " (" + job.note + ")";
  SyncOutcome outcome;
  outcome.entity = job.entity;
  outcome.table = plan.table.name;
  outcome.ran = true;
  outcome.mode = job.mode_name;
  outcome.write_mode = WriteModeName(plan.write_mode);
  outcome.rows_read = report.rows_read;
  outcome.rows_written = report.rows_written;
  outcome.rows_deleted = report.rows_deleted;
  outcome.seconds = SecondsText(report.elapsed);
  outcome.rows_per_s = RateText(report.rows_written, report.elapsed);
  outcome.status = std::move(status);
  outcomes_->push_back(std::move(outcome));
  if (report.status.ok()) return Status::Ok();
  return report.status.WithContext("sync " + job.label);
}

}  // namespace sluice
