#include "source/source_registry.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "catalog/config_schema.h"
#include "core/identifier.h"
#include "source/declared_source.h"
#include "source/integration_source.h"
#include "source/plugin_source.h"
#include "source/vector_rows.h"

namespace sluice {

SourceRegistry::SourceRegistry(SourceDefinitions& definitions) : definitions_(definitions) {
  RegisterKind({"declared", false,
                [](ConnectorSpec spec, const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
                  ASSIGN_OR_RETURN(js::JsRuntime * runtime, env.runtime());
                  ASSIGN_OR_RETURN(std::unique_ptr<DeclaredSource> created,
                                   DeclaredSource::Create(*runtime, std::move(spec), env.console,
                                                          env.transport));
                  return std::unique_ptr<Source>(std::move(created));
                },
                nullptr});
  RegisterKind({"integration", true,
                [](ConnectorSpec spec, const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
                  ASSIGN_OR_RETURN(js::JsRuntime * runtime, env.runtime());
                  ASSIGN_OR_RETURN(std::unique_ptr<IntegrationSource> created,
                                   IntegrationSource::Create(*runtime, std::move(spec), env.console,
                                                             env.transport));
                  return std::unique_ptr<Source>(std::move(created));
                },
                [](const ConnectorTypeDef& type, const Value& resolved_config,
                   const SourceEnv& env) -> Status {
                  ASSIGN_OR_RETURN(js::JsRuntime * runtime, env.runtime());
                  return IntegrationSource::ValidateIntegrationConfig(
                      *runtime, type.integration, resolved_config, env.transport);
                }});
  RegisterKind(PluginSource::Kind());
}

// Sources hold realms of the runtime: they go first.
SourceRegistry::~SourceRegistry() { instances_.clear(); }

void SourceRegistry::RegisterKind(SourceKind kind) {
  std::string name = kind.name;
  kinds_[name] = std::move(kind);
}

const SourceKind* SourceRegistry::FindKind(const std::string& name) const {
  auto found = kinds_.find(name);
  return found == kinds_.end() ? nullptr : &found->second;
}

Result<const SourceKind*> SourceRegistry::KindOf(const ConnectorTypeDef& type) const {
  const SourceKind* kind = FindKind(type.kind);
  if (!kind) {
    return Status(ErrorKind::kInvalidArgument, "connector type '" + type.name + "' is of kind '" +
                                                   type.kind + "', which this build cannot run");
  }
  return kind;
}

Result<js::JsRuntime*> SourceRegistry::Runtime() {
  if (!runtime_) {
    ASSIGN_OR_RETURN(runtime_, js::JsRuntime::Shared());
  }
  return runtime_.get();
}

SourceEnv SourceRegistry::Env(const std::string& owner) {
  SourceEnv env;
  env.runtime = [this] { return Runtime(); };
  SourceDefinitions& definitions = definitions_;
  env.console = [&definitions, owner](std::string_view level, std::string_view text) {
    definitions.Log("[" + owner + "] console." + std::string(level) + ": " + std::string(text));
  };
  env.transport = transport_factory_;
  return env;
}

Result<Source*> SourceRegistry::Get(const std::string& connector) {
  auto found = instances_.find(connector);
  if (found != instances_.end() && checked_this_statement_.count(connector))
    return found->second.get();
  ASSIGN_OR_RETURN(ConnectorSpec spec, definitions_.Spec(connector));
  checked_this_statement_.insert(connector);
  if (found != instances_.end() && found->second->spec().fingerprint == spec.fingerprint) {
    return found->second.get();
  }
  if (found != instances_.end()) {
    instances_.erase(found);
    // Answers of the old definition must not stand in for the new one.
    std::erase_if(cache_, [&](const CachedScan& entry) { return entry.connector == connector; });
  }
  ASSIGN_OR_RETURN(const SourceKind* kind, KindOf(spec.type));
  ASSIGN_OR_RETURN(std::unique_ptr<Source> instance, kind->create(std::move(spec), Env(connector)));
  Source* pointer = instance.get();
  instances_[connector] = std::move(instance);
  return pointer;
}

Result<Value> SourceRegistry::Execute(const std::string& connector, const std::string& action,
                                      Value arguments) {
  ASSIGN_OR_RETURN(Source * instance, Get(connector));
  const ConnectorSpec& spec = instance->spec();
  const ActionDef* found = nullptr;
  std::string known;
  for (const ActionDef& candidate : spec.actions) {
    if (candidate.name == action) found = &candidate;
    known += (known.empty() ? "" : ", ") + candidate.name;
  }
  if (!found) {
    return Status(ErrorKind::kNotFound,
                  "connector '" + connector + "' (type '" + spec.type.name + "') has no action '" +
                      action + "' (actions: " + (known.empty() ? "none" : known) + ")");
  }
  Status valid = ValidateParameters(found->parameters, arguments);
  if (!valid.ok())
    return valid.WithContext("connector '" + connector + "', action '" + action + "'");
  return instance->Execute(*found, arguments);
}

std::vector<SourceStats> SourceRegistry::Stats(const std::string& connector) const {
  std::vector<SourceStats> stats;
  for (const auto& [name, instance] : instances_) {
    if (!connector.empty() && name != connector) continue;
    auto hits = cache_hits_.find(name);
    stats.push_back({name, instance->http_stats(), hits == cache_hits_.end() ? 0 : hits->second});
  }
  return stats;
}

Result<std::vector<EntityDef>> SourceRegistry::Entities(const std::string& connector) {
  ASSIGN_OR_RETURN(ConnectorTypeDef type, definitions_.TypeOf(connector));
  ASSIGN_OR_RETURN(const SourceKind* kind, KindOf(type));
  if (!kind->lists_own_entities) return definitions_.DeclaredEntities(type.name, false);
  ASSIGN_OR_RETURN(Source * instance, Get(connector));
  return instance->spec().entities;
}

Result<Value> SourceRegistry::InspectIntegration(const std::string& directory) {
  ASSIGN_OR_RETURN(js::JsRuntime * runtime, Runtime());
  SourceDefinitions& definitions = definitions_;
  js::ConsoleFunction console = [&definitions](std::string_view level, std::string_view text) {
    definitions.Log("[integration] console." + std::string(level) + ": " + std::string(text));
  };
  return IntegrationSource::InspectIntegration(*runtime, directory, console);
}

Result<Value> SourceRegistry::InspectPlugin(const std::string& location) {
  ASSIGN_OR_RETURN(PluginLocation parsed, PluginLocation::Parse(location));
  return PluginSource::Inspect(parsed, Env(parsed.Label()));
}

bool SourceRegistry::ListsOwnEntities(const ConnectorTypeDef& type) const {
  const SourceKind* kind = FindKind(type.kind);
  return kind && kind->lists_own_entities;
}

bool SourceRegistry::ChecksOwnConfig(const ConnectorTypeDef& type) const {
  const SourceKind* kind = FindKind(type.kind);
  return kind && kind->check_config;
}

Status SourceRegistry::CheckConfig(const ConnectorTypeDef& type, const Value& resolved_config) {
  ASSIGN_OR_RETURN(const SourceKind* kind, KindOf(type));
  if (!kind->check_config) return Status::Ok();
  return kind->check_config(type, resolved_config, Env("integration"));
}

Result<EntitySchema> SourceRegistry::Schema(const std::string& connector,
                                            const std::string& entity) {
  ASSIGN_OR_RETURN(ConnectorTypeDef type, definitions_.TypeOf(connector));
  // SQLite folds ASCII case in table and column names: two connectors,
  // entities (or an integration's tables) or fields whose names differ only
  // by case would share one live table, one synced table or one column, and
  // overwrite or delete each other's rows. CREATE refuses such pairs; these
  // checks cover a workspace made before it did, and integrations.
  auto twin_error = [](const std::string& what, const std::string& one, const std::string& other) {
    return Status(ErrorKind::kInvalidArgument,
                  what + " '" + one + "' and '" + other +
                      "' differ only in letter case, which SQLite does not tell apart: they would "
                      "share one table; drop or rename one of them");
  };
  ASSIGN_OR_RETURN(std::vector<std::string> connectors, definitions_.ConnectorNames());
  for (const std::string& other : connectors) {
    if (other != connector && FoldIdentifier(other) == FoldIdentifier(connector))
      return twin_error("connectors", connector, other);
  }
  ASSIGN_OR_RETURN(const SourceKind* kind, KindOf(type));
  EntityDef found;
  if (!kind->lists_own_entities) {
    ASSIGN_OR_RETURN(found, definitions_.DeclaredEntity(type.name, entity));
    ASSIGN_OR_RETURN(std::vector<EntityDef> siblings,
                     definitions_.DeclaredEntities(type.name, false));
    for (const EntityDef& other : siblings) {
      if (other.name != entity && FoldIdentifier(other.name) == FoldIdentifier(entity))
        return twin_error("entities", type.name + "." + entity, type.name + "." + other.name);
    }
  } else {
    ASSIGN_OR_RETURN(std::vector<EntityDef> tables, Entities(connector));
    std::string known;
    bool have = false;
    for (EntityDef& table : tables) {
      if (table.name != entity && FoldIdentifier(table.name) == FoldIdentifier(entity))
        return twin_error(type.kind + " '" + type.name + "' tables", entity, table.name);
    }
    for (EntityDef& table : tables) {
      known += (known.empty() ? "" : ", ") + table.name;
      if (table.name == entity) {
        found = std::move(table);
        have = true;
        break;
      }
    }
    if (!have) {
      return Status(ErrorKind::kNotFound, "connector '" + connector + "' (" + type.kind + " '" +
                                              type.name + "') has no table '" + entity +
                                              "' (tables: " + (known.empty() ? "none" : known) +
                                              ")");
    }
  }
  EntitySchema schema;
  schema.connector = connector;
  schema.entity = entity;
  schema.has_parent = !found.parent.empty();
  schema.applies_offset = found.applies_offset;
  if (const SourceKind* kind = FindKind(type.kind)) schema.takes_pushdown = kind->takes_pushdown;
  std::map<std::string, std::string> folded;
  for (const auto& [name, spec] : found.fields.items()) {
    auto [twin, fresh] = folded.emplace(FoldIdentifier(name), name);
    if (!fresh) return twin_error("fields of " + connector + "." + entity, twin->second, name);
    EntityField field;
    field.name = name;
    field.type = spec.value("type", "string");
    field.filterable = spec.value("filterable", false);
    field.sortable = spec.value("sortable", false);
    field.primary_key = spec.value("primary_key", false);
    field.required = spec.value("required", false);
    schema.fields.push_back(std::move(field));
  }
  return schema;
}


// Keeps the rows a complete, unlimited scan produced, for the cache; a scan
// that is stopped early (or fails) leaves nothing behind.
class RecordingRows : public RowSource {
 public:
  RecordingRows(std::unique_ptr<RowSource> inner, SourceRegistry& registry,
                SourceRegistry::CachedScan entry, std::chrono::seconds ttl)
      : inner_(std::move(inner)), registry_(registry), entry_(std::move(entry)), ttl_(ttl) {}

  Result<std::optional<Value>> Next() override {
    Result<std::optional<Value>> row = inner_->Next();
    if (!row.ok()) return row;
    // A scan too big to keep is simply not cached.
    constexpr size_t kMaxCachedRows = 100'000;
    if (*row) {
      if (entry_.rows.size() < kMaxCachedRows)
        entry_.rows.push_back(**row);
      else
        stored_ = true;
    } else if (!stored_) {
      stored_ = true;
      entry_.expires = std::chrono::steady_clock::now() + ttl_;
      registry_.cache_.push_back(std::move(entry_));
    }
    return row;
  }

 private:
  std::unique_ptr<RowSource> inner_;
  SourceRegistry& registry_;
  SourceRegistry::CachedScan entry_;
  std::chrono::seconds ttl_;
  bool stored_ = false;
};

const SourceRegistry::CachedScan* SourceRegistry::FindCached(const std::string& connector,
                                                             const std::string& entity,
                                                             const Value& filters) {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(cache_, [now](const CachedScan& entry) { return entry.expires <= now; });
  for (const CachedScan& entry : cache_) {
    if (entry.connector != connector || entry.entity != entity) continue;
    bool covers = true;  // every filter the cached scan applied, this one applies too
    for (const auto& [field, value] : entry.filters.items()) {
      covers = covers && filters.contains(field) && filters[field] == value;
    }
    if (covers) return &entry;
  }
  return nullptr;
}

namespace {

// A child entity scanned on its own: its handler runs once per row of the
// parent entity, with that row as `parent`.
class EachParentRows : public RowSource {
 public:
  EachParentRows(SourceRegistry& registry, std::string connector, std::string entity,
                 ScanRequest request, std::unique_ptr<RowSource> parents)
      : registry_(registry),
        connector_(std::move(connector)),
        entity_(std::move(entity)),
        request_(std::move(request)),
        parents_(std::move(parents)) {}

  Result<std::optional<Value>> Next() override {
    while (true) {
      if (children_) {
        ASSIGN_OR_RETURN(std::optional<Value> row, children_->Next());
        if (row) return row;
        children_.reset();
      }
      ASSIGN_OR_RETURN(std::optional<Value> parent, parents_->Next());
      if (!parent) return std::optional<Value>();
      request_.parent = std::move(*parent);
      ASSIGN_OR_RETURN(children_, registry_.Scan(connector_, entity_, request_));
    }
  }
  Value Parent() const override { return request_.parent; }

 private:
  SourceRegistry& registry_;
  std::string connector_, entity_;
  ScanRequest request_;  // its parent: the current parent row
  std::unique_ptr<RowSource> parents_;
  std::unique_ptr<RowSource> children_;
};

// Keeps a child call's complete answer for the rest of the statement.
class StatementRecording : public RowSource {
 public:
  // Stops recording (and keeps nothing) past `max_rows` rows.
  StatementRecording(std::unique_ptr<RowSource> inner,
                     std::map<std::string, std::vector<Value>>& cache, std::string key,
                     size_t max_rows = SIZE_MAX)
      : inner_(std::move(inner)), cache_(cache), key_(std::move(key)), max_rows_(max_rows) {}
  Result<std::optional<Value>> Next() override {
    ASSIGN_OR_RETURN(std::optional<Value> row, inner_->Next());
    if (row) {
      if (rows_.size() < max_rows_) {
        rows_.push_back(*row);
      } else {
        abandoned_ = true;
        rows_ = {};
      }
    } else if (!done_) {
      done_ = true;
      if (!abandoned_) cache_[key_] = std::move(rows_);
    }
    return row;
  }

 private:
  std::unique_ptr<RowSource> inner_;
  std::map<std::string, std::vector<Value>>& cache_;
  std::string key_;
  size_t max_rows_;
  std::vector<Value> rows_;
  bool done_ = false;
  bool abandoned_ = false;
};

// A child's rows for one given parent.
class WithParent : public RowSource {
 public:
  WithParent(std::unique_ptr<RowSource> rows, Value parent)
      : rows_(std::move(rows)), parent_(std::move(parent)) {}
  Result<std::optional<Value>> Next() override { return rows_->Next(); }
  Value Parent() const override { return parent_; }
  bool PushTo(RowConsumer consume) override { return rows_->PushTo(std::move(consume)); }

 private:
  std::unique_ptr<RowSource> rows_;
  Value parent_;
};

}  // namespace

std::unique_ptr<RowSource> SourceRegistry::ScanEachParent(const std::string& connector,
                                                          const std::string& entity,
                                                          const ScanRequest& request,
                                                          std::unique_ptr<RowSource> parents) {
  return std::make_unique<EachParentRows>(*this, connector, entity, request, std::move(parents));
}

Result<std::unique_ptr<RowSource>> SourceRegistry::Scan(const std::string& connector,
                                                        const std::string& entity,
                                                        const ScanRequest& request) {
  ASSIGN_OR_RETURN(Source * instance, Get(connector));
  const EntityDef* found = nullptr;
  for (const EntityDef& candidate : instance->spec().entities) {
    if (candidate.name == entity) found = &candidate;
  }
  if (!found)
    return Status(ErrorKind::kNotFound,
                  "connector '" + connector + "' has no entity '" + entity + "'");
  if (!found->parent.empty()) {
    if (request.parent.is_null()) {
      // LIMIT and OFFSET count rows of the whole child scan, not of each call.
      ScanRequest per_parent = request;
      per_parent.limit.reset();
      per_parent.offset = 0;
      // The parents are read whole, from the cache when the request allows.
      ScanRequest parents_request;
      parents_request.use_cache = request.parents_use_cache;
      // A unit's child reads only the parents of its partition.
      parents_request.partition = request.partition;
      ASSIGN_OR_RETURN(std::unique_ptr<RowSource> parents,
                       Scan(connector, found->parent, parents_request));
      return ScanEachParent(connector, entity, per_parent, std::move(parents));
    }
    // The same parent met again in this statement: no second call.
    std::string key = connector + "\n" + entity + "\n" + request.parent.dump() + "\n" +
                      request.filters.dump() + "\n" + HandlerOptions(request).dump();
    if (auto cached = statement_cache_.find(key); cached != statement_cache_.end()) {
      ++cache_hits_[connector];
      return std::unique_ptr<RowSource>(std::make_unique<WithParent>(
          std::make_unique<VectorRows>(cached->second, std::nullopt), request.parent));
    }
    ScanRequest whole = request;
    whole.only_fields.reset();
    ASSIGN_OR_RETURN(std::unique_ptr<RowSource> rows, instance->Scan(*found, whole));
    return std::unique_ptr<RowSource>(std::make_unique<WithParent>(
        std::make_unique<StatementRecording>(std::move(rows), statement_cache_, std::move(key)),
        request.parent));
  }
  // A source that takes nothing pushed down (a CloudQuery plugin) gives
  // the same rows to every scan of an entity: a statement that scans it
  // again — the inner side of a join, a self-join — reads the rows kept
  // from the first complete scan instead of making the source produce
  // them all again (for a plugin, one whole Sync per outer row). Kept for
  // tables of up to kStatementRowsKept rows; larger ones are read again.
  Result<const SourceKind*> kind = KindOf(instance->spec().type);
  if (kind.ok() && !(*kind)->takes_pushdown && !request.partition) {
    std::string key = connector + "\n" + entity + "\n(every row)";
    if (auto cached = statement_cache_.find(key); cached != statement_cache_.end()) {
      ++cache_hits_[connector];
      return std::unique_ptr<RowSource>(std::make_unique<VectorRows>(cached->second, std::nullopt));
    }
    ScanRequest whole = request;
    whole.parent = Value();
    whole.only_fields.reset();
    ASSIGN_OR_RETURN(std::unique_ptr<RowSource> rows, instance->Scan(*found, whole));
    return std::unique_ptr<RowSource>(
        std::make_unique<StatementRecording>(std::move(rows), statement_cache_, std::move(key), kStatementRowsKept));
  }
  std::chrono::seconds ttl = instance->limits().cache_ttl;
  // Cached rows are a whole entity's: never a partition's answer.
  bool cacheable = cache_enabled_ && ttl.count() > 0 && request.use_cache && !request.partition;
  if (cacheable) {
    if (const CachedScan* hit = FindCached(connector, entity, request.filters)) {
      ++cache_hits_[connector];
      return std::unique_ptr<RowSource>(std::make_unique<VectorRows>(hit->rows, request.limit));
    }
  }
  // Cached rows stand in for later queries that may read other fields:
  // those are kept whole.
  bool recorded = cacheable && !request.limit && request.offset == 0;
  ScanRequest asked = request;
  asked.parent = Value();
  if (recorded) asked.only_fields.reset();
  ASSIGN_OR_RETURN(std::unique_ptr<RowSource> rows, instance->Scan(*found, asked));
  // Only a whole answer can stand in for later queries.
  if (!recorded) return rows;
  return std::unique_ptr<RowSource>(std::make_unique<RecordingRows>(
      std::move(rows), *this, CachedScan{connector, entity, request.filters, {}, {}}, ttl));
}

Result<std::vector<ConnectionCheck>> SourceRegistry::TestConnection(const std::string& connector) {
  std::vector<ConnectionCheck> checks;
  Result<Source*> instance = Get(connector);
  if (!instance.ok()) return instance.TakeStatus().WithContext("connection check failed");
  const ConnectorSpec& spec = (*instance)->spec();
  checks.push_back(
      {"config", "ok", "resolved " + std::to_string(spec.resolved_config.size()) + " keys"});
  // The first top-level entity defined: the one an author writes first and
  // expects probed (a source that lists its own entities, in its own order).
  std::vector<std::string> order;
  for (const EntityDef& candidate : spec.entities) order.push_back(candidate.name);
  ASSIGN_OR_RETURN(const SourceKind* kind, KindOf(spec.type));
  if (!kind->lists_own_entities) {
    ASSIGN_OR_RETURN(std::vector<EntityDef> defined,
                     definitions_.DeclaredEntities(spec.type.name, true));
    order.clear();
    for (const EntityDef& candidate : defined) order.push_back(candidate.name);
  }
  const EntityDef* entity = nullptr;
  ConnectionTest* own_test = (*instance)->connection_test();
  for (const std::string& name : order) {
    for (const EntityDef& candidate : spec.entities) {
      if (!entity && candidate.name == name && candidate.parent.empty()) entity = &candidate;
    }
  }
  if (!entity && !own_test) {
    checks.push_back({"request", "skipped", "the type has no top-level entity to query"});
    return checks;
  }
  int64_t rows = 0;
  auto start = std::chrono::steady_clock::now();
  // One row proves the connection; the stream is dropped after it.
  Status status = [&]() -> Status {
    if (own_test) return own_test->TestConnection();
    ScanRequest one;
    one.limit = 1;
    ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source, (*instance)->Scan(*entity, one));
    ASSIGN_OR_RETURN(std::optional<Value> row, source->Next());
    rows = row ? 1 : 0;
    return Status::Ok();
  }();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  if (!status.ok()) {
    const char* verdict = status.kind() == ErrorKind::kAuth         ? "auth rejected"
                          : status.kind() == ErrorKind::kConnection ? "API unreachable"
                          : status.kind() == ErrorKind::kTimeout    ? "timed out"
                          : status.kind() == ErrorKind::kRateLimit  ? "rate limited"
                                                                    : "request failed";
    return status.WithContext(std::string("connection check failed (") + verdict + ")");
  }
  if (own_test) {
    checks.push_back({"request", "ok",
                      "the source's own connection test passed in " + std::to_string(ms.count()) + " ms"});
    return checks;
  }
  checks.push_back({"request", "ok",
                    "query of entity '" + entity->name + "' answered in " +
                        std::to_string(ms.count()) + " ms (" + std::to_string(rows) + " row" +
                        (rows == 1 ? "" : "s") + ")"});
  return checks;
}

}  // namespace sluice
