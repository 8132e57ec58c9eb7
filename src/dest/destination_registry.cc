#include "dest/destination_registry.h"

#include <algorithm>
#include <tuple>

#include "dest/cloudquery_destination.h"
#include "dest/file_destination.h"
#include "dest/postgres_destination.h"
#include "dest/sqlite_destination.h"

namespace sluice {
namespace {

std::vector<DestinationType> BuiltinTypes() {
  std::vector<DestinationType> types;
  {
    DestinationType sqlite;
    sqlite.name = "sqlite";
    sqlite.doc = "another SQLite file: CONFIG {\"path\": \"out.db\"}";
    sqlite.required = {{"path", "…"}};
    sqlite.cloudquery_plugin = "sqlite";
    sqlite.cloudquery_keys = {{"connection_string", "path", true}};
    sqlite.open = [](const std::string&, const Value& config) -> Result<std::unique_ptr<Destination>> {
      ASSIGN_OR_RETURN(auto file, SqliteDestination::OpenFile(config["path"].get<std::string>()));
      return std::unique_ptr<Destination>(std::move(file));
    };
    types.push_back(std::move(sqlite));
  }
  {
    DestinationType postgres;
    postgres.name = "postgresql";
    postgres.doc = "a PostgreSQL database: CONFIG {\"connection_string\": \"postgresql://…\", \"schema\": \"public\"}";
    postgres.required = {{"connection_string", "postgresql://user@host:5432/db"}};
    postgres.cloudquery_plugin = "postgresql";
    postgres.cloudquery_keys = {{"connection_string", "connection_string", true}, {"schema", "schema", false}};
    postgres.open = [](const std::string& name, const Value& config) -> Result<std::unique_ptr<Destination>> {
      ASSIGN_OR_RETURN(auto postgres, PostgresDestination::Connect(name, config));
      return std::unique_ptr<Destination>(std::move(postgres));
    };
    types.push_back(std::move(postgres));
  }
  for (auto [name, format, file_format] : {std::tuple{"jsonl", "json", FileFormat::kJsonl},
                                           std::tuple{"csv", "csv", FileFormat::kCsv}}) {
    DestinationType files;
    files.name = name;
    files.doc = std::string("a folder of ") + (file_format == FileFormat::kCsv ? "CSV" : "JSON Lines") +
                " files, one per entity: CONFIG {\"path\": \"exports/\"} (or a template such as "
                "\"exports/{{TABLE}}/{{UUID}}.{{FORMAT}}\")";
    files.required = {{"path", "…"}};
    files.cloudquery_plugin = "file";
    files.cloudquery_format = format;
    files.cloudquery_keys = {{"path", "path", true}};
    files.open = [file_format](const std::string& name, const Value& config) -> Result<std::unique_ptr<Destination>> {
      ASSIGN_OR_RETURN(auto opened, FileDestination::Open(name, config["path"].get<std::string>(), file_format));
      return std::unique_ptr<Destination>(std::move(opened));
    };
    files.check = [](const std::string& name, const Value& config) -> Status {
      if (!config.contains("path") || !config["path"].is_string()) return Status::Ok();  // `required` says it
      return FileDestination::CheckPath(name, config["path"].get<std::string>());
    };
    types.push_back(std::move(files));
  }
  {
    DestinationType plugin;
    plugin.name = "cloudquery";
    plugin.doc = "a CloudQuery destination plugin over gRPC: CONFIG {\"path\": \"localhost:7777\" or "
                 "\"unix:/tmp/d.sock\", \"spec\": {…}, \"state_path\": \"d-state.json\"}";
    plugin.required = {{"path", "localhost:7777"}};
    // YAML reaches it by `registry: grpc`, not by a plugin name.
    plugin.open = [](const std::string& name, const Value& config) -> Result<std::unique_ptr<Destination>> {
      ASSIGN_OR_RETURN(auto opened, CloudQueryDestination::Open(name, config));
      return std::unique_ptr<Destination>(std::move(opened));
    };
    plugin.check = [](const std::string& name, const Value& config) -> Status {
      return CloudQueryDestination::Check(name, config);
    };
    types.push_back(std::move(plugin));
  }
  return types;
}

}  // namespace

std::string JoinWithOr(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

const DestinationRegistry& DestinationRegistry::Builtin() {
  static const DestinationRegistry registry(BuiltinTypes());
  return registry;
}

const DestinationType* DestinationRegistry::Find(std::string_view name) const {
  for (const DestinationType& type : types_) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::string DestinationRegistry::QuotedNames() const {
  std::vector<std::string> names;
  for (const DestinationType& type : types_) names.push_back("'" + type.name + "'");
  return JoinWithOr(names);
}

std::vector<std::string> DestinationRegistry::CloudQueryPlugins() const {
  std::vector<std::string> plugins;
  for (const DestinationType& type : types_) {
    if (type.cloudquery_plugin.empty()) continue;
    if (std::find(plugins.begin(), plugins.end(), type.cloudquery_plugin) == plugins.end()) {
      plugins.push_back(type.cloudquery_plugin);
    }
  }
  return plugins;
}

std::vector<const DestinationType*> DestinationRegistry::ForPlugin(std::string_view plugin) const {
  std::vector<const DestinationType*> found;
  for (const DestinationType& type : types_) {
    if (type.cloudquery_plugin == plugin) found.push_back(&type);
  }
  return found;
}

Result<std::unique_ptr<Destination>> DestinationRegistry::Open(const std::string& name, const std::string& type,
                                                               const Value& config) const {
  const DestinationType* found = Find(type);
  if (!found) {
    return Status(ErrorKind::kInvalidArgument,
                  "unknown destination type '" + type + "' (expected " + QuotedNames() + ")");
  }
  for (const auto& [key, example] : found->required) {
    if (!config.contains(key) || !config[key].is_string()) {
      return Status(ErrorKind::kInvalidArgument, "destination '" + name + "' (" + type + ") needs CONFIG {\"" + key +
                                                     "\": \"" + example + "\"}");
    }
  }
  return found->open(name, config);
}

}  // namespace sluice
