#include "cli/sync_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "dest/destination_registry.h"
#include "sync/cloudquery_config.h"
#include "sync/work_units.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool IsIdentifier(const std::string& name) {
  static const std::regex identifier("[A-Za-z_][A-Za-z0-9_]*");
  return std::regex_match(name, identifier);
}

Status Unknown(const DestinationConfig& destination, const std::set<std::string>& known) {
  for (const auto& [key, value] : destination.spec.items()) {
    if (known.count(key)) continue;
    std::string list;
    for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
    return Status(ErrorKind::kInvalidArgument, destination.file + ": destination '" + destination.name +
                                                   "' (" + destination.plugin + "): unknown spec key '" + key +
                                                   "' (known: " + list + ")");
  }
  return Status::Ok();
}

// CREATE OR REPLACE DESTINATION for a CloudQuery destination spec.
Result<std::string> DestinationStatement(const DestinationConfig& destination) {
  if (!IsIdentifier(destination.name)) {
    return Status(ErrorKind::kInvalidArgument, destination.file + ": destination name '" + destination.name +
                                                   "' must be an identifier (letters, digits, _)");
  }
  // A CloudQuery destination plugin Sluice writes to over gRPC (running,
  // or launched from an executable): its spec is the plugin's, passed whole.
  if (destination.plugin == "cloudquery") {
    Value config = {{"path", destination.address}, {"registry", destination.registry}, {"spec", destination.spec}};
    return "CREATE OR REPLACE DESTINATION " + destination.name + " TYPE 'cloudquery' CONFIG " + config.dump() +
           ";\n";
  }
  // The types the plugin stands for share its spec keys; `format` chooses
  // among them ("file": jsonl or csv).
  std::vector<const DestinationType*> types = DestinationRegistry::Builtin().ForPlugin(destination.plugin);
  if (types.empty()) {
    return Status(ErrorKind::kInvalidArgument, destination.file + ": destination '" + destination.name +
                                                   "': plugin '" + destination.plugin + "' is not supported");
  }
  std::set<std::string> known;
  for (const DestinationType::SpecKey& key : types.front()->cloudquery_keys) known.insert(key.spec);
  if (!types.front()->cloudquery_format.empty()) known.insert("format");
  RETURN_IF_ERROR(Unknown(destination, known));
  Value config = Value::object();
  for (const DestinationType::SpecKey& key : types.front()->cloudquery_keys) {
    if (key.required) {
      if (!destination.spec.contains(key.spec) || !destination.spec[key.spec].is_string()) {
        return Status(ErrorKind::kInvalidArgument, destination.file + ": destination '" + destination.name +
                                                       "' needs spec." + key.spec);
      }
      config[key.config] = destination.spec[key.spec];
    } else if (destination.spec.contains(key.spec)) {
      config[key.config] = destination.spec[key.spec];
    }
  }
  const DestinationType* type = types.front();
  if (!type->cloudquery_format.empty()) {
    std::string format = destination.spec.value("format", types.front()->cloudquery_format);
    std::vector<std::string> formats;
    type = nullptr;
    for (const DestinationType* candidate : types) {
      formats.push_back(candidate->cloudquery_format);
      if (candidate->cloudquery_format == format) type = candidate;
    }
    if (!type) {
      return Status(ErrorKind::kInvalidArgument, destination.file + ": destination '" + destination.name +
                                                     "': format '" + format + "' is not supported (" +
                                                     JoinWithOr(formats) + ")");
    }
  }
  return "CREATE OR REPLACE DESTINATION " + destination.name + " TYPE '" + type->name + "' CONFIG " +
         config.dump() + ";\n";
}

// Runs one statement of the plan's making (a CREATE of the source's type).
Status RunCreated(const SourceConfig& source, const std::string& create, Interpreter& interpreter) {
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{source.file, create}));
  if (!parsed.ok()) return parsed.errors.front();
  for (const ast::Statement& statement : parsed.program.statements) {
    Status ran = interpreter.Execute(statement);
    if (!ran.ok()) return ran.WithContext(source.file + ": source '" + source.name + "'");
  }
  return Status::Ok();
}

// Whether `program` is on PATH and answers `program info` (a container
// runtime that works here, not merely one installed).
bool ContainerRuntimeWorks(const std::string& program) {
  const char* path = std::getenv("PATH");
  bool found = false;
  std::stringstream directories(path ? path : "");
  for (std::string directory; std::getline(directories, directory, ':') && !found;) {
    if (!directory.empty() && ::access((directory + "/" + program).c_str(), X_OK) == 0)
      found = true;
  }
  if (!found) return false;
  // A daemon that does not answer must not hang the sync.
  return std::system(("timeout 20 " + program + " info >/dev/null 2>&1").c_str()) == 0;
}

// A source that is a CloudQuery plugin (registry grpc, local with an
// executable, docker): its connector type, named after the source, made
// now; "" when the source is not one.
Result<std::string> PluginSourceType(const SourceConfig& source, Interpreter& interpreter) {
  if (source.registry == "grpc") {
    RETURN_IF_ERROR(RunCreated(source,
                               "CREATE OR REPLACE CONNECTOR TYPE " + Quote(source.name) +
                                   " FROM PLUGIN " + Quote(source.path) + ";",
                               interpreter));
    return source.name;
  }
  if (source.registry == "docker") {
    std::string runtime;
    for (const char* candidate : {"docker", "podman"}) {
      if (runtime.empty() && ContainerRuntimeWorks(candidate)) runtime = candidate;
    }
    if (runtime.empty()) {
      return Status(ErrorKind::kNotImplemented,
                    source.file + ": source '" + source.name +
                        "': registry: docker needs a container runtime, and "
                        "neither docker nor podman works on this machine (not on PATH, or `docker "
                        "info` fails). Run "
                        "the image yourself — `docker run -p 7777:7777 " +
                        source.path +
                        " serve --address 0.0.0.0:7777` — and use `registry: grpc` with `path: "
                        "localhost:7777`");
    }
    return Status(
        ErrorKind::kNotImplemented,
        source.file + ": source '" + source.name +
            "': Sluice does not start containers itself yet; "
            "with " +
            runtime + " working here, run `" + runtime + " run -p 7777:7777 " + source.path +
            " serve --address 0.0.0.0:7777` and use `registry: grpc` with `path: localhost:7777`");
  }
  if (source.registry == "local") {
    // CloudQuery's registry: local names an executable; Sluice's also a
    // connector type or a folder of definitions, which it still means.
    fs::path executable = fs::path(source.file).parent_path() / source.path;
    if (!fs::is_regular_file(executable)) executable = source.path;
    if (fs::is_regular_file(executable)) {
      RETURN_IF_ERROR(RunCreated(
          source,
          "CREATE OR REPLACE CONNECTOR TYPE " + Quote(source.name) + " FROM PLUGIN LOCAL " +
              Quote(fs::absolute(executable).lexically_normal().string()) + ";",
          interpreter));
      return source.name;
    }
  }
  return std::string();
}

// The connector type a source names: one installed in the workspace, or the
// one a folder of .sql files defines, whose definitions this runs.
Result<std::string> SourceType(const SourceConfig& source, Interpreter& interpreter) {
  ASSIGN_OR_RETURN(std::string plugin_type, PluginSourceType(source, interpreter));
  if (!plugin_type.empty()) return plugin_type;
  // The connector type: one installed in the workspace, or the one a
  // folder of .sql files defines (its TEST blocks are not run here).
  std::string type = source.path;
  // A folder is found beside the YAML file, or else from the working directory.
  fs::path folder = fs::path(source.file).parent_path() / source.path;
  if (!fs::is_directory(folder)) folder = source.path;
  if (fs::is_directory(folder)) {
    std::set<std::string> defined;
    std::vector<fs::path> scripts;
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.path().extension() == ".sql") scripts.push_back(entry.path());
    }
    std::sort(scripts.begin(), scripts.end());
    for (const fs::path& script : scripts) {
      std::ifstream in(script, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{script.string(), text.str()}));
      if (!parsed.ok()) return parsed.errors.front();
      for (const ast::Statement& statement : parsed.program.statements) {
        if (std::holds_alternative<ast::TestStmt>(statement.node)) continue;
        if (auto* created = std::get_if<ast::CreateConnectorTypeStmt>(&statement.node)) {
          defined.insert(created->name.text);
        }
        Status ran = interpreter.Execute(statement);
        if (!ran.ok()) return ran;
      }
    }
    // A CloudQuery plugin's own folder (package.json, no .sql): the
    // integration itself, as a connector type named after the source.
    if (defined.empty() && fs::is_regular_file(folder / "package.json")) {
      std::string create = "CREATE OR REPLACE CONNECTOR TYPE " + Quote(source.name) + " FROM INTEGRATION " +
                           Quote(fs::absolute(folder).lexically_normal().string()) + ";";
      ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{source.file, create}));
      if (!parsed.ok()) return parsed.errors.front();
      for (const ast::Statement& statement : parsed.program.statements) {
        Status ran = interpreter.Execute(statement);
        if (!ran.ok()) return ran.WithContext(source.file + ": source '" + source.name + "'");
      }
      defined.insert(source.name);
    }
    if (defined.size() != 1) {
      return Status(ErrorKind::kInvalidArgument,
                    source.file + ": source '" + source.name + "': folder '" + folder.string() + "' defines " +
                        std::to_string(defined.size()) + " connector types; a source needs exactly one");
    }
    type = *defined.begin();
  }
  return type;
}

// (destination, table) → the source writing it, for file destinations.
using FileTables = std::map<std::pair<std::string, std::string>, std::string>;

// The source's part of the plan: its CREATE OR REPLACE CONNECTOR (unless
// made already) and a SYNC per chosen table and destination.
Status PlanSource(const SourceConfig& source, const std::string& type, Workspace& workspace, Interpreter& interpreter,
                  const std::map<std::string, const DestinationConfig*>& destinations, FileTables& file_tables,
                  SyncConfigPlan& plan) {
  Result<ConnectorTypeDef> type_def = workspace.catalog().GetConnectorType(type);
  // As in CloudQuery, a table keeps the plugin's name in the destination
  // (`items`, not SQL's `prod_items`); `_sluice_source` tells two sources'
  // rows apart, and delete-stale removes only the source's own.
  std::string create_connector = "CREATE OR REPLACE CONNECTOR " + source.name + " TYPE " + Quote(type) +
                                 " CONFIG " + source.spec.dump() + " OPTIONS {\"sync_table\": \"{entity}\"};\n";
  Result<std::vector<EntityDef>> entities = workspace.catalog().ListEntities(type);
  if (type_def.ok() && interpreter.connectors().ListsOwnEntities(*type_def)) {
    // An integration's tables are the ones its plugin lists for this
    // spec (dynamic tables exist only then): make the connector now.
    ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{source.file, create_connector}));
    if (!parsed.ok()) return parsed.errors.front();
    for (const ast::Statement& statement : parsed.program.statements) {
      Status ran = interpreter.Execute(statement);
      if (!ran.ok()) return ran.WithContext(source.file + ": source '" + source.name + "'");
    }
    create_connector.clear();
    entities = interpreter.connectors().Entities(source.name);
    if (!entities.ok()) return entities.TakeStatus().WithContext(source.file + ": source '" + source.name + "'");
  }
  if (!entities.ok() || !type_def.ok()) {
    return Status(ErrorKind::kNotFound, source.file + ": source '" + source.name + "': path '" + source.path +
                                            "' is neither a connector type in the workspace nor a folder "
                                            "of .sql definitions");
  }
  std::vector<std::string> patterns = source.tables.empty() ? std::vector<std::string>{"*"} : source.tables;
  std::vector<const EntityDef*> chosen;
  for (const std::string& pattern : patterns) {
    bool matched = false;
    for (const EntityDef& entity : *entities) {
      if (!MatchesTablePattern(pattern, entity.name)) continue;
      matched = true;
      bool skipped = false;
      for (const std::string& skip : source.skip_tables) skipped = skipped || MatchesTablePattern(skip, entity.name);
      if (!skipped && std::find(chosen.begin(), chosen.end(), &entity) == chosen.end()) chosen.push_back(&entity);
    }
    if (!matched) {
      return Status(ErrorKind::kNotFound, source.file + ": source '" + source.name + "': tables pattern '" +
                                              pattern + "' matches no entity of type '" + type + "'");
    }
  }
  plan.definitions += create_connector;
  for (const std::string& name : source.destinations) {
    auto found = destinations.find(name);
    if (found == destinations.end()) {
      return Status(ErrorKind::kNotFound, source.file + ": source '" + source.name + "' names destination '" +
                                              name + "', which no file defines");
    }
    const DestinationConfig& destination = *found->second;
    for (const EntityDef* entity : chosen) {
      // A file holds one table whole and its sync state is the table's:
      // a second source writing it would replace the first one's rows and
      // resume from its cursor. A database keeps them apart by
      // _sluice_source and (connector, entity) state.
      if (destination.plugin == "file") {
        auto [at, fresh] = file_tables.emplace(std::pair{name, entity->name}, source.name);
        if (!fresh && at->second != source.name) {
          return Status(ErrorKind::kInvalidArgument,
                        source.file + ": sources '" + at->second + "' and '" + source.name + "' both write table '" +
                            entity->name + "' to file destination '" + name +
                            "': give each source its own file destination (another path)");
        }
      }
      // As in CloudQuery, a table synced incrementally never deletes stale rows.
      std::string mode = destination.write_mode;
      if (mode == "overwrite-delete-stale" && !entity->cursor.empty()) mode = "overwrite";
      plan.syncs += "SYNC CONNECTOR " + source.name + "." + entity->name + " TO DESTINATION " + name +
                    (mode.empty() ? "" : " WRITE_MODE " + Quote(mode)) + (destination.force ? " FORCE" : "") +
                    ";\n";
    }
  }
  return Status::Ok();
}

// `clause` before each statement's `;` (PlanSource writes one a line), so
// the echoed statements show it.
std::string WithClause(const std::string& syncs, const std::string& clause) {
  std::string out;
  std::istringstream lines(syncs);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == ';') line.insert(line.size() - 1, clause);
    out += line + "\n";
  }
  return out;
}

}  // namespace

Result<SyncConfigPlan> PlanSyncConfigs(const SyncConfig& config, Workspace& workspace, Interpreter& interpreter) {
  SyncConfigPlan plan;
  std::map<std::string, const DestinationConfig*> destinations;
  FileTables file_tables;
  for (const DestinationConfig& destination : config.destinations) {
    ASSIGN_OR_RETURN(std::string created, DestinationStatement(destination));
    plan.definitions += created;
    destinations[destination.name] = &destination;
  }
  for (const SourceConfig& source : config.sources) {
    if (!IsIdentifier(source.name)) {
      return Status(ErrorKind::kInvalidArgument, source.file + ": source name '" + source.name +
                                                     "' must be an identifier (letters, digits, _)");
    }
    ASSIGN_OR_RETURN(std::string type, SourceType(source, interpreter));
    RETURN_IF_ERROR(PlanSource(source, type, workspace, interpreter, destinations, file_tables, plan));
  }
  return plan;
}

int RunSyncConfigs(const std::vector<std::string>& files, Workspace& workspace, Interpreter& interpreter,
                   ConsoleSink& sink, const SyncConfigOptions& sync_options) {
  // Checked before anything is read or defined: a bad flag is a usage error.
  std::string clause;
  if (sync_options.shard) {
    Result<ShardSpec> shard = ParseShard(*sync_options.shard);
    if (!shard.ok()) {
      sink.Error(Status(ErrorKind::kInvalidArgument, "--shard: " + shard.status().message()));
      return 2;
    }
    if (sync_options.distributed) {
      sink.Error(Status(ErrorKind::kInvalidArgument, "give either --shard or --distributed, not both"));
      return 2;
    }
    clause = " SHARD " + std::to_string(shard->index) + "/" + std::to_string(shard->count);
  } else if (sync_options.distributed) {
    clause = " DISTRIBUTED";
  }
  SyncConfig config;
  for (const std::string& file : files) {
    Status read = ReadCloudQueryConfig(file, config);
    if (!read.ok()) {
      sink.Error(read);
      return 2;
    }
  }
  Result<SyncConfigPlan> plan = PlanSyncConfigs(config, workspace, interpreter);
  if (!plan.ok()) {
    sink.Error(plan.status());
    return 1;
  }
  // Every definition first, and none may fail: a SYNC after a failed
  // CREATE OR REPLACE would run with the connector stored before it.
  RunOptions options;
  options.echo = true;
  auto definitions = std::make_shared<SourceFile>(SourceFile{"<sync " + files.front() + ">", plan->definitions});
  if (!RunText(definitions, interpreter, sink, options)) return 1;
  options.keep_going = true;  // one failing entity does not stop the others
  if (!clause.empty()) plan->syncs = WithClause(plan->syncs, clause);
  auto script = std::make_shared<SourceFile>(SourceFile{"<sync " + files.front() + ">", plan->syncs});
  return RunText(script, interpreter, sink, options) ? 0 : 1;
}

}  // namespace sluice
