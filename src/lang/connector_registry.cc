#include "lang/connector_registry.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>

#include "catalog/config_schema.h"
#include "core/identifier.h"
#include "core/secret_masker.h"
#include "net/curl_transport.h"

namespace sluice {

ConnectorRegistry::ConnectorRegistry(Workspace& workspace, OutputSink& output)
    : workspace_(workspace), output_(output) {}

// Instances hold realms of the runtime: they go first.
ConnectorRegistry::~ConnectorRegistry() { instances_.clear(); }

Result<js::JsRuntime*> ConnectorRegistry::Runtime() {
  if (!runtime_) {
    ASSIGN_OR_RETURN(runtime_, js::JsRuntime::Shared());
  }
  return runtime_.get();
}

namespace {

bool IsSecretKey(const ConnectorTypeDef& type, const std::string& key) {
  auto spec = type.config_schema.find(key);
  if (spec == type.config_schema.end() || !spec->is_object()) return false;
  auto secret = spec->find("secret");
  return secret != spec->end() && secret->is_boolean() && secret->get<bool>();
}

// Replaces each {{secrets.NAME}} / {{env.NAME}} in `text`.
Result<std::string> ResolveTemplates(const std::string& text, const std::string& key, SecretStore& secrets,
                                     bool secret_key) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = text.find("}}", open);
    if (close == std::string::npos) break;
    std::string inner = text.substr(open + 2, close - open - 2);
    inner.erase(0, inner.find_first_not_of(" \t"));
    inner.erase(inner.find_last_not_of(" \t") + 1);
    std::string value;
    if (inner.starts_with("secrets.")) {
      Result<std::string> secret = secrets.Get(inner.substr(8));
      if (!secret.ok()) return secret.TakeStatus().WithContext("config key '" + key + "'");
      value = std::move(secret).value();
    } else if (inner.starts_with("env.")) {
      const char* env = std::getenv(inner.substr(4).c_str());
      if (!env) {
        return Status(ErrorKind::kNotFound, "config key '" + key + "': environment variable '" +
                                                inner.substr(4) + "' is not set");
      }
      value = env;
      if (secret_key) SecretMasker::Global().Add(value);
    } else {
      out += text.substr(pos, close + 2 - pos);  // not ours: leave it
      pos = close + 2;
      continue;
    }
    out += text.substr(pos, open - pos) + value;
    pos = close + 2;
  }
  out += text.substr(pos);
  return out;
}

}  // namespace

Result<Value> ConnectorRegistry::ResolveConfig(const ConnectorDef& connector, const ConnectorTypeDef& type) {
  Value resolved = connector.config;
  for (auto& [key, value] : resolved.items()) {
    if (!value.is_string() || value.get_ref<const std::string&>().find("{{") == std::string::npos) continue;
    ASSIGN_OR_RETURN(std::string text, ResolveTemplates(value.get<std::string>(), key, workspace_.secrets(),
                                                        IsSecretKey(type, key)));
    value = std::move(text);
  }
  return resolved;
}

Result<Value> ConnectorRegistry::ResolveDestinationConfig(const Value& config, const std::string& owner) {
  Value resolved = config;
  for (auto& [key, value] : resolved.items()) {
    if (!value.is_string() || value.get_ref<const std::string&>().find("{{") == std::string::npos) continue;
    Result<std::string> text = ResolveTemplates(value.get<std::string>(), key, workspace_.secrets(), true);
    if (!text.ok()) return text.TakeStatus().WithContext(owner);
    value = std::move(text).value();
  }
  return resolved;
}

Result<ConnectorSpec> ConnectorRegistry::BuildSpec(const std::string& name) {
  Catalog& catalog = workspace_.catalog();
  ConnectorSpec spec;
  ASSIGN_OR_RETURN(spec.connector, catalog.GetConnector(name));
  if (!spec.connector.enabled) {
    return Status(ErrorKind::kInvalidArgument,
                  "connector '" + name + "' is disabled (ALTER CONNECTOR " + name + " ENABLE)");
  }
  ASSIGN_OR_RETURN(spec.type, catalog.GetConnectorType(spec.connector.type));
  ASSIGN_OR_RETURN(spec.entities, catalog.ListEntities(spec.type.name));
  ASSIGN_OR_RETURN(spec.actions, catalog.ListActions(spec.type.name));
  Result<Value> config = ResolveConfig(spec.connector, spec.type);
  if (!config.ok()) return config.TakeStatus().WithContext("connector '" + name + "'");
  spec.resolved_config = std::move(config).value();
  std::string identity = spec.connector.config.dump() + spec.connector.options.dump() +
                         spec.connector.updated_at + spec.type.updated_at + spec.resolved_config.dump();
  for (const EntityDef& entity : spec.entities) identity += entity.name + entity.handler.code + entity.fields.dump();
  for (const ActionDef& action : spec.actions) identity += action.name + action.handler.code;
  spec.fingerprint = std::to_string(std::hash<std::string>{}(identity));
  return spec;
}

Result<ConnectorInstance*> ConnectorRegistry::Get(const std::string& connector) {
  auto found = instances_.find(connector);
  if (found != instances_.end() && checked_this_statement_.count(connector)) return found->second.get();
  ASSIGN_OR_RETURN(ConnectorSpec spec, BuildSpec(connector));
  checked_this_statement_.insert(connector);
  if (found != instances_.end() && found->second->spec().fingerprint == spec.fingerprint) {
    return found->second.get();
  }
  if (found != instances_.end()) {
    instances_.erase(found);
    // Answers of the old definition must not stand in for the new one.
    std::erase_if(cache_, [&](const CachedScan& entry) { return entry.connector == connector; });
  }
  ASSIGN_OR_RETURN(js::JsRuntime * runtime, Runtime());
  OutputSink& output = output_;
  js::ConsoleFunction console = [&output, connector](std::string_view level, std::string_view text) {
    output.Log("[" + connector + "] console." + std::string(level) + ": " + std::string(text));
  };
  ASSIGN_OR_RETURN(std::unique_ptr<ConnectorInstance> instance,
                   ConnectorInstance::Create(*runtime, std::move(spec), console, transport_factory_));
  ConnectorInstance* pointer = instance.get();
  instances_[connector] = std::move(instance);
  return pointer;
}

Result<Value> ConnectorRegistry::Execute(const std::string& connector, const std::string& action,
                                         Value arguments) {
  ASSIGN_OR_RETURN(ConnectorInstance * instance, Get(connector));
  const ConnectorSpec& spec = instance->spec();
  const ActionDef* found = nullptr;
  std::string known;
  for (const ActionDef& candidate : spec.actions) {
    if (candidate.name == action) found = &candidate;
    known += (known.empty() ? "" : ", ") + candidate.name;
  }
  if (!found) {
    return Status(ErrorKind::kNotFound, "connector '" + connector + "' (type '" + spec.type.name +
                                            "') has no action '" + action + "' (actions: " +
                                            (known.empty() ? "none" : known) + ")");
  }
  Status valid = ValidateParameters(found->parameters, arguments);
  if (!valid.ok()) return valid.WithContext("connector '" + connector + "', action '" + action + "'");
  return instance->Execute(*found, arguments);
}

ResultSet ConnectorRegistry::Stats(const std::string& connector) const {
  ResultSet result;
  result.columns = {"connector", "requests", "retries", "rate_limit_waits", "failures", "bytes_received",
                    "cache_hits"};
  for (const auto& [name, instance] : instances_) {
    if (!connector.empty() && name != connector) continue;
    const HttpStats& stats = instance->http_stats();
    auto n = [](uint64_t v) { return Value(static_cast<int64_t>(v)); };
    auto hits = cache_hits_.find(name);
    result.rows.push_back({Value(name), n(stats.requests), n(stats.retries), n(stats.rate_limit_waits),
                           n(stats.failures), n(stats.bytes_received),
                           n(hits == cache_hits_.end() ? 0 : hits->second)});
  }
  return result;
}

Result<std::vector<EntityDef>> ConnectorRegistry::Entities(const std::string& connector) {
  Catalog& catalog = workspace_.catalog();
  ASSIGN_OR_RETURN(ConnectorDef def, catalog.GetConnector(connector));
  ASSIGN_OR_RETURN(ConnectorTypeDef type, catalog.GetConnectorType(def.type));
  if (type.integration.empty()) return catalog.ListEntities(def.type);
  ASSIGN_OR_RETURN(ConnectorInstance * instance, Get(connector));
  return instance->spec().entities;
}

Result<Value> ConnectorRegistry::InspectIntegration(const std::string& directory) {
  ASSIGN_OR_RETURN(js::JsRuntime * runtime, Runtime());
  OutputSink& output = output_;
  js::ConsoleFunction console = [&output](std::string_view level, std::string_view text) {
    output.Log("[integration] console." + std::string(level) + ": " + std::string(text));
  };
  return ConnectorInstance::InspectIntegration(*runtime, directory, console);
}

Status ConnectorRegistry::ValidateIntegrationConfig(const ConnectorDef& connector, const ConnectorTypeDef& type) {
  Result<Value> config = ResolveConfig(connector, type);
  if (!config.ok()) return Status::Ok();  // e.g. ENV not set here: checked when the connector starts
  ConnectorSpec spec;
  spec.connector = connector;
  spec.type = type;
  spec.resolved_config = std::move(config).value();
  ASSIGN_OR_RETURN(js::JsRuntime * runtime, Runtime());
  js::RealmOptions options;
  options.transport = transport_factory_ ? transport_factory_() : nullptr;
  if (!options.transport) options.transport = std::make_unique<CurlTransport>();
  ASSIGN_OR_RETURN(std::unique_ptr<js::JsRealm> realm, js::JsRealm::Create(*runtime, std::move(options)));
  // The caller names the connector.
  ASSIGN_OR_RETURN(js::JsRealm::HandlerId host, realm->LoadIntegration(type.integration, std::chrono::seconds(60)));
  ASSIGN_OR_RETURN(Value about, realm->Call(host, "schema", {}, std::chrono::seconds(60)));
  if (!about.contains("json_schema") || !about["json_schema"].is_object()) return Status::Ok();
  return ConnectorInstance::ValidateJsonSchema(*realm, about["json_schema"], spec.resolved_config);
}

Result<EntitySchema> ConnectorRegistry::Schema(const std::string& connector, const std::string& entity) {
  Catalog& catalog = workspace_.catalog();
  ASSIGN_OR_RETURN(ConnectorDef def, catalog.GetConnector(connector));
  ASSIGN_OR_RETURN(ConnectorTypeDef type, catalog.GetConnectorType(def.type));
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
  ASSIGN_OR_RETURN(std::vector<ConnectorDef> connectors, catalog.ListConnectors());
  for (const ConnectorDef& other : connectors) {
    if (other.name != connector && FoldIdentifier(other.name) == FoldIdentifier(connector))
      return twin_error("connectors", connector, other.name);
  }
  EntityDef found;
  if (type.integration.empty()) {
    ASSIGN_OR_RETURN(found, catalog.GetEntity(def.type, entity));
    ASSIGN_OR_RETURN(std::vector<EntityDef> siblings, catalog.ListEntities(def.type));
    for (const EntityDef& other : siblings) {
      if (other.name != entity && FoldIdentifier(other.name) == FoldIdentifier(entity))
        return twin_error("entities", def.type + "." + entity, def.type + "." + other.name);
    }
  } else {
    ASSIGN_OR_RETURN(std::vector<EntityDef> tables, Entities(connector));
    std::string known;
    bool have = false;
    for (EntityDef& table : tables) {
      if (table.name != entity && FoldIdentifier(table.name) == FoldIdentifier(entity))
        return twin_error("integration '" + def.type + "' tables", entity, table.name);
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
      return Status(ErrorKind::kNotFound, "connector '" + connector + "' (integration '" + def.type +
                                              "') has no table '" + entity + "' (tables: " +
                                              (known.empty() ? "none" : known) + ")");
    }
  }
  EntitySchema schema;
  schema.connector = connector;
  schema.entity = entity;
  schema.has_parent = !found.parent.empty();
  schema.applies_offset = found.applies_offset;
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

namespace {

// Cached rows, with the LIMIT/OFFSET the handler would have applied (SQLite
// leaves a pushed LIMIT to the scan).
class CachedRows : public RowSource {
 public:
  CachedRows(const std::vector<Value>& rows, const Value& options) : rows_(rows) {
    next_ = options.contains("offset") && options["offset"].is_number_integer()
                ? static_cast<size_t>(std::max<int64_t>(0, options["offset"].get<int64_t>()))
                : 0;
    end_ = rows_.size();
    if (options.contains("limit") && options["limit"].is_number_integer()) {
      end_ = std::min(end_, next_ + static_cast<size_t>(std::max<int64_t>(0, options["limit"].get<int64_t>())));
    }
  }
  Result<std::optional<Value>> Next() override {
    if (next_ >= end_) return std::optional<Value>();
    return std::optional<Value>(rows_[next_++]);
  }

 private:
  std::vector<Value> rows_;
  size_t next_ = 0;
  size_t end_ = 0;
};

}  // namespace

// Keeps the rows a complete, unlimited scan produced, for the cache; a scan
// that is stopped early (or fails) leaves nothing behind.
class RecordingRows : public RowSource {
 public:
  RecordingRows(std::unique_ptr<RowSource> inner, ConnectorRegistry& registry, ConnectorRegistry::CachedScan entry,
                std::chrono::seconds ttl)
      : inner_(std::move(inner)), registry_(registry), entry_(std::move(entry)), ttl_(ttl) {}

  Result<std::optional<Value>> Next() override {
    Result<std::optional<Value>> row = inner_->Next();
    if (!row.ok()) return row;
    // A scan too big to keep is simply not cached.
    constexpr size_t kMaxCachedRows = 100'000;
    if (*row) {
      if (entry_.rows.size() < kMaxCachedRows) entry_.rows.push_back(**row);
      else stored_ = true;
    } else if (!stored_) {
      stored_ = true;
      entry_.expires = std::chrono::steady_clock::now() + ttl_;
      registry_.cache_.push_back(std::move(entry_));
    }
    return row;
  }

 private:
  std::unique_ptr<RowSource> inner_;
  ConnectorRegistry& registry_;
  ConnectorRegistry::CachedScan entry_;
  std::chrono::seconds ttl_;
  bool stored_ = false;
};

const ConnectorRegistry::CachedScan* ConnectorRegistry::FindCached(const std::string& connector,
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

// A child entity scanned on its own: its handler runs once per row of the
// parent entity, with that row as `parent`.
class EachParentRows : public RowSource {
 public:
  EachParentRows(ConnectorRegistry& registry, std::string connector, std::string entity, Value filters,
                 Value options, std::unique_ptr<RowSource> parents)
      : registry_(registry),
        connector_(std::move(connector)),
        entity_(std::move(entity)),
        filters_(std::move(filters)),
        options_(std::move(options)),
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
      parent_ = std::move(*parent);
      ASSIGN_OR_RETURN(children_, registry_.Scan(connector_, entity_, filters_, options_, parent_));
    }
  }
  Value Parent() const override { return parent_; }

 private:
  ConnectorRegistry& registry_;
  std::string connector_, entity_;
  Value filters_, options_;
  std::unique_ptr<RowSource> parents_;
  std::unique_ptr<RowSource> children_;
  Value parent_;
};

namespace {

// Keeps a child call's complete answer for the rest of the statement.
class StatementRecording : public RowSource {
 public:
  StatementRecording(std::unique_ptr<RowSource> inner, std::map<std::string, std::vector<Value>>& cache,
                     std::string key)
      : inner_(std::move(inner)), cache_(cache), key_(std::move(key)) {}
  Result<std::optional<Value>> Next() override {
    ASSIGN_OR_RETURN(std::optional<Value> row, inner_->Next());
    if (row) {
      rows_.push_back(*row);
    } else if (!done_) {
      done_ = true;
      cache_[key_] = std::move(rows_);
    }
    return row;
  }

 private:
  std::unique_ptr<RowSource> inner_;
  std::map<std::string, std::vector<Value>>& cache_;
  std::string key_;
  std::vector<Value> rows_;
  bool done_ = false;
};

// A child's rows for one given parent.
class WithParent : public RowSource {
 public:
  WithParent(std::unique_ptr<RowSource> rows, Value parent) : rows_(std::move(rows)), parent_(std::move(parent)) {}
  Result<std::optional<Value>> Next() override { return rows_->Next(); }
  Value Parent() const override { return parent_; }

 private:
  std::unique_ptr<RowSource> rows_;
  Value parent_;
};

}  // namespace

std::unique_ptr<RowSource> ConnectorRegistry::ScanEachParent(const std::string& connector,
                                                             const std::string& entity, const Value& filters,
                                                             const Value& options,
                                                             std::unique_ptr<RowSource> parents) {
  return std::make_unique<EachParentRows>(*this, connector, entity, filters, options, std::move(parents));
}

Result<std::unique_ptr<RowSource>> ConnectorRegistry::Scan(const std::string& connector, const std::string& entity,
                                                           const Value& filters, const Value& given_options,
                                                           const Value& parent,
                                                           const std::vector<std::string>* only_fields) {
  Value options = given_options;
  auto sync = sync_options_.find(connector + "." + entity);
  if (sync != sync_options_.end()) options.update(sync->second);
  ASSIGN_OR_RETURN(ConnectorInstance * instance, Get(connector));
  const EntityDef* found = nullptr;
  for (const EntityDef& candidate : instance->spec().entities) {
    if (candidate.name == entity) found = &candidate;
  }
  if (!found) return Status(ErrorKind::kNotFound, "connector '" + connector + "' has no entity '" + entity + "'");
  if (!found->parent.empty()) {
    if (parent.is_null()) {
      // LIMIT and OFFSET count rows of the whole child scan, not of each call.
      Value per_parent = options;
      per_parent.erase("limit");
      per_parent.erase("offset");
      ASSIGN_OR_RETURN(std::unique_ptr<RowSource> parents,
                       Scan(connector, found->parent, Value::object(), Value::object(), Value()));
      return ScanEachParent(connector, entity, filters, per_parent, std::move(parents));
    }
    // The same parent met again in this statement: no second call.
    std::string key = connector + "\n" + entity + "\n" + parent.dump() + "\n" + filters.dump() + "\n" +
                      options.dump();
    if (auto cached = statement_cache_.find(key); cached != statement_cache_.end()) {
      ++cache_hits_[connector];
      return std::unique_ptr<RowSource>(std::make_unique<WithParent>(
          std::make_unique<CachedRows>(cached->second, Value::object()), parent));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<RowSource> rows, instance->Query(*found, filters, options, parent));
    return std::unique_ptr<RowSource>(std::make_unique<WithParent>(
        std::make_unique<StatementRecording>(std::move(rows), statement_cache_, std::move(key)), parent));
  }
  std::chrono::seconds ttl = instance->limits().cache_ttl;
  bool cacheable = cache_enabled_ && ttl.count() > 0 && sync == sync_options_.end();
  if (cacheable) {
    if (const CachedScan* hit = FindCached(connector, entity, filters)) {
      ++cache_hits_[connector];
      return std::unique_ptr<RowSource>(std::make_unique<CachedRows>(hit->rows, options));
    }
  }
  // Cached rows stand in for later queries that may read other fields:
  // those are kept whole.
  bool recorded = cacheable && !options.contains("limit") && !options.contains("offset");
  ASSIGN_OR_RETURN(std::unique_ptr<RowSource> rows,
                   instance->Query(*found, filters, options, Value(), recorded ? nullptr : only_fields));
  // Only a whole answer can stand in for later queries.
  if (!recorded) return rows;
  return std::unique_ptr<RowSource>(
      std::make_unique<RecordingRows>(std::move(rows), *this, CachedScan{connector, entity, filters, {}, {}}, ttl));
}

Result<ResultSet> ConnectorRegistry::TestConnection(const std::string& connector) {
  ResultSet checks;
  checks.columns = {"check", "result", "detail"};
  Result<ConnectorInstance*> instance = Get(connector);
  if (!instance.ok()) return instance.TakeStatus().WithContext("connection check failed");
  const ConnectorSpec& spec = (*instance)->spec();
  checks.rows.push_back({Value("config"), Value("ok"),
                         Value("resolved " + std::to_string(spec.resolved_config.size()) + " keys")});
  // The first top-level entity defined: the one an author writes first and
  // expects probed (an integration lists its tables in its own order).
  std::vector<std::string> order;
  for (const EntityDef& candidate : spec.entities) order.push_back(candidate.name);
  if (spec.type.integration.empty()) {
    ASSIGN_OR_RETURN(
        std::vector<EntityDef> defined,
        workspace_.catalog().ListEntities(spec.type.name, Catalog::EntityOrder::kDefinition));
    order.clear();
    for (const EntityDef& candidate : defined) order.push_back(candidate.name);
  }
  const EntityDef* entity = nullptr;
  for (const std::string& name : order) {
    for (const EntityDef& candidate : spec.entities) {
      if (!entity && candidate.name == name && candidate.parent.empty()) entity = &candidate;
    }
  }
  if (!entity) {
    checks.rows.push_back({Value("request"), Value("skipped"), Value("the type has no top-level entity to query")});
    return checks;
  }
  int64_t rows = 0;
  auto start = std::chrono::steady_clock::now();
  // One row proves the connection; the stream is dropped after it.
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source,
                     (*instance)->Query(*entity, Value::object(), Value{{"limit", 1}}, Value()));
    ASSIGN_OR_RETURN(std::optional<Value> row, source->Next());
    rows = row ? 1 : 0;
    return Status::Ok();
  }();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (!status.ok()) {
    const char* verdict = status.kind() == ErrorKind::kAuth         ? "auth rejected"
                          : status.kind() == ErrorKind::kConnection ? "API unreachable"
                          : status.kind() == ErrorKind::kTimeout    ? "timed out"
                          : status.kind() == ErrorKind::kRateLimit  ? "rate limited"
                                                                     : "request failed";
    return status.WithContext(std::string("connection check failed (") + verdict + ")");
  }
  checks.rows.push_back({Value("request"), Value("ok"),
                         Value("query of entity '" + entity->name + "' answered in " +
                               std::to_string(ms.count()) + " ms (" + std::to_string(rows) + " row" +
                               (rows == 1 ? "" : "s") + ")")});
  return checks;
}

}  // namespace sluice
