#include "sync/cloudquery_config.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "dest/destination_registry.h"

namespace sluice {
namespace {

Status ConfigError(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  std::string where = file;
  if (mark.line >= 0) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  return Status(ErrorKind::kInvalidArgument, where + ": " + message);
}

// `${NAME}` → the variable's value, or (in a spec) the template {{env.NAME}}.
Result<std::string> Expand(const std::string& text, bool as_template, const std::string& file,
                           const YAML::Mark& mark) {
  std::string out;
  size_t at = 0;
  while (true) {
    size_t start = text.find("${", at);
    if (start == std::string::npos) break;
    size_t end = text.find('}', start);
    if (end == std::string::npos) break;
    std::string name = text.substr(start + 2, end - start - 2);
    out += text.substr(at, start - at);
    if (as_template) {
      out += "{{env." + name + "}}";
    } else {
      const char* value = std::getenv(name.c_str());
      if (!value) return ConfigError(file, mark, "environment variable '" + name + "' is not set");
      out += value;
    }
    at = end + 1;
  }
  return out + text.substr(at);
}

// A spec converted to JSON holds at most this many values. YAML aliases
// repeat a node without copying it, so 685 bytes of nested aliases expand
// to 10^7 values (an "alias bomb"); a real spec has a few dozen.
constexpr size_t kMaxSpecValues = 100'000;

Result<Value> ToValue(const YAML::Node& node, bool in_spec, const std::string& file, size_t& budget) {
  if (budget == 0) {
    return ConfigError(file, node.Mark(),
                       "the spec expands to more than " + std::to_string(kMaxSpecValues) +
                           " values (YAML aliases repeating nodes?)");
  }
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Value();
    case YAML::NodeType::Sequence: {
      Value out = Value::array();
      for (const YAML::Node& item : node) {
        ASSIGN_OR_RETURN(Value value, ToValue(item, in_spec, file, budget));
        out.push_back(std::move(value));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Value out = Value::object();
      for (const auto& entry : node) {
        ASSIGN_OR_RETURN(Value value, ToValue(entry.second, in_spec, file, budget));
        out[entry.first.as<std::string>()] = std::move(value);
      }
      return out;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& text = node.Scalar();
  // Quoted scalars are strings; plain ones may be numbers or booleans.
  if (node.Tag() != "!") {
    if (text == "true" || text == "false") return Value(text == "true");
    char* end = nullptr;
    long long integer = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0') return Value(static_cast<int64_t>(integer));
    double number = std::strtod(text.c_str(), &end);
    if (!text.empty() && *end == '\0') return Value(number);
  }
  ASSIGN_OR_RETURN(std::string expanded, Expand(text, in_spec, file, node.Mark()));
  return Value(expanded);
}

Status CheckKeys(const YAML::Node& node, const std::set<std::string>& known, const std::string& what,
                 const std::string& file) {
  if (!node.IsMap()) return ConfigError(file, node.Mark(), what + " must be a mapping");
  for (const auto& entry : node) {
    std::string key = entry.first.as<std::string>();
    if (!known.count(key)) {
      std::string list;
      for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
      return ConfigError(file, entry.first.Mark(), "unknown key '" + key + "' in " + what + " (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<std::string> Text(const YAML::Node& spec, const char* key, const std::string& what, const std::string& file,
                         bool required = true) {
  if (!spec[key]) {
    if (!required) return std::string();
    return ConfigError(file, spec.Mark(), what + " needs '" + key + "'");
  }
  if (!spec[key].IsScalar()) return ConfigError(file, spec[key].Mark(), "'" + std::string(key) + "' must be text");
  return Expand(spec[key].Scalar(), false, file, spec[key].Mark());
}

Result<std::vector<std::string>> List(const YAML::Node& spec, const char* key, const std::string& file) {
  std::vector<std::string> out;
  if (!spec[key]) return out;
  if (!spec[key].IsSequence()) return ConfigError(file, spec[key].Mark(), "'" + std::string(key) + "' must be a list");
  for (const YAML::Node& item : spec[key]) {
    ASSIGN_OR_RETURN(std::string text, Expand(item.as<std::string>(), false, file, item.Mark()));
    out.push_back(text);
  }
  return out;
}

Status ReadSource(const YAML::Node& spec, const std::string& file, SyncConfig& config) {
  RETURN_IF_ERROR(
      CheckKeys(spec,
                {"name", "path", "registry", "version", "tables", "skip_tables", "destinations",
                 "spec", "skip_dependent_tables", "deterministic_cq_id"},
                "source spec", file));
  SourceConfig source;
  source.file = file;
  // A source may be a CloudQuery plugin served over gRPC, a local
  // executable, or an image; which of them runs is sync_command's to say.
  if (spec["registry"]) {
    ASSIGN_OR_RETURN(source.registry, Text(spec, "registry", "", file));
    if (source.registry != "local" && source.registry != "grpc" && source.registry != "docker" &&
        source.registry != "cloudquery") {
      return ConfigError(
          file, spec["registry"].Mark(),
          "registry '" + source.registry +
              "' is not supported for a source (grpc, local or docker; or none for a connector "
              "type in the workspace or a folder of .sql definitions)");
    }
    if (source.registry == "cloudquery") {
      return ConfigError(
          file, spec["registry"].Mark(),
          "registry 'cloudquery' (CloudQuery Hub) is not reachable from Sluice: run the plugin "
          "yourself (`PLUGIN serve --address localhost:7777`) and use registry: grpc with "
          "path: localhost:7777, or registry: local with the path of its executable");
    }
  }
  ASSIGN_OR_RETURN(source.name, Text(spec, "name", "a source", file));
  ASSIGN_OR_RETURN(source.path, Text(spec, "path", "source '" + source.name + "'", file));
  ASSIGN_OR_RETURN(source.tables, List(spec, "tables", file));
  ASSIGN_OR_RETURN(source.skip_tables, List(spec, "skip_tables", file));
  ASSIGN_OR_RETURN(source.destinations, List(spec, "destinations", file));
  if (source.destinations.empty()) {
    return ConfigError(file, spec.Mark(), "source '" + source.name + "' names no destinations");
  }
  if (spec["spec"]) {
    size_t budget = kMaxSpecValues;
    ASSIGN_OR_RETURN(source.spec, ToValue(spec["spec"], true, file, budget));
    if (!source.spec.is_object()) return ConfigError(file, spec["spec"].Mark(), "a source's spec must be a mapping");
  }
  config.sources.push_back(std::move(source));
  return Status::Ok();
}

Status ReadDestination(const YAML::Node& spec, const std::string& file, SyncConfig& config) {
  RETURN_IF_ERROR(CheckKeys(spec, {"name", "path", "registry", "version", "write_mode", "migrate_mode", "spec"},
                            "destination spec", file));
  DestinationConfig destination;
  destination.file = file;
  ASSIGN_OR_RETURN(destination.name, Text(spec, "name", "a destination", file));
  ASSIGN_OR_RETURN(std::string path, Text(spec, "path", "destination '" + destination.name + "'", file));
  ASSIGN_OR_RETURN(destination.registry, Text(spec, "registry", "", file, false));
  if (destination.registry == "grpc") {
    // A CloudQuery destination plugin running at `path`.
    destination.plugin = "cloudquery";
    destination.address = path;
  } else if (std::error_code ignored;
             destination.registry == "local" && std::filesystem::is_regular_file(path, ignored)) {
    // A CloudQuery destination plugin's executable, launched as the CLI does.
    destination.plugin = "cloudquery";
    destination.address = path;
  } else if (!destination.registry.empty() && destination.registry != "local" &&
             destination.registry != "cloudquery") {
    return ConfigError(file, spec["registry"].Mark(),
                       "destination '" + destination.name + "': registry '" + destination.registry +
                           "' is not supported (grpc for a running plugin; cloudquery, local or none for Sluice's "
                           "own sqlite, postgresql or file)");
  }
  if (destination.plugin != "cloudquery") destination.registry.clear();
  if (destination.plugin.empty()) {
    destination.plugin = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  }
  std::vector<std::string> plugins = DestinationRegistry::Builtin().CloudQueryPlugins();
  if (destination.plugin != "cloudquery" && spec["registry"] &&
      spec["registry"].as<std::string>() == "local" &&
      std::find(plugins.begin(), plugins.end(), destination.plugin) == plugins.end()) {
    // Not one of Sluice's own: the path of a plugin executable, which is
    // not there (a file would have been taken above).
    std::error_code ignored;
    std::string what = std::filesystem::is_directory(path, ignored)
                           ? "is a directory, not a plugin executable"
                       : std::filesystem::exists(path, ignored) ? "is not a regular file"
                                                                : "does not exist";
    return ConfigError(file, spec["path"].Mark(),
                       "destination '" + destination.name + "': registry: local, and path '" +
                           path + "' " + what +
                           " (the path of a CloudQuery destination plugin's executable, or " +
                           JoinWithOr(plugins) + " for Sluice's own)");
  }
  if (destination.registry.empty() &&
      std::find(plugins.begin(), plugins.end(), destination.plugin) == plugins.end()) {
    return ConfigError(file, spec["path"].Mark(),
                       "destination plugin '" + path + "' is not supported (" + JoinWithOr(plugins) +
                           "; or registry: grpc for a CloudQuery destination plugin running at path)");
  }
  ASSIGN_OR_RETURN(destination.write_mode, Text(spec, "write_mode", "", file, false));
  if (!destination.write_mode.empty() && destination.write_mode != "overwrite-delete-stale" &&
      destination.write_mode != "overwrite" && destination.write_mode != "append") {
    return ConfigError(file, spec["write_mode"].Mark(),
                       "unknown write_mode '" + destination.write_mode +
                           "' (overwrite-delete-stale, overwrite or append)");
  }
  ASSIGN_OR_RETURN(std::string migrate, Text(spec, "migrate_mode", "", file, false));
  if (!migrate.empty() && migrate != "safe" && migrate != "forced") {
    return ConfigError(file, spec["migrate_mode"].Mark(), "unknown migrate_mode '" + migrate + "' (safe or forced)");
  }
  destination.force = migrate == "forced";
  if (spec["spec"]) {
    size_t budget = kMaxSpecValues;
    ASSIGN_OR_RETURN(destination.spec, ToValue(spec["spec"], true, file, budget));
    if (!destination.spec.is_object()) {
      return ConfigError(file, spec["spec"].Mark(), "a destination's spec must be a mapping");
    }
  }
  config.destinations.push_back(std::move(destination));
  return Status::Ok();
}

}  // namespace

bool MatchesTablePattern(const std::string& pattern, const std::string& name) {
  // Classic wildcard matching with backtracking to the last '*'.
  size_t p = 0, n = 0, star = std::string::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// yaml-cpp 0.7's LoadAll never returns when a stray token follows a
// document's node — a ',' after a top-level scalar ("\"b\", c"), a directive
// inside a document ("a: 1\n% x") — found by the yaml_config fuzzer: its
// parser hands out empty documents for ever without consuming the token,
// and LoadAll collects them. Every document after the first begins at a
// "---" or after a "...", so a first pass that only counts documents stops
// once there are more than that, and says where.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { last = mark; }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { last = mark; }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    last = mark;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    last = mark;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    last = mark;
  }
  void OnMapEnd() override {}
  YAML::Mark last;
};

static Status CheckDocumentsEnd(const std::string& path, const std::string& text) {
  size_t possible = 1;
  for (size_t pos = 0; pos < text.size(); pos = text.find('\n', pos) + 1) {
    std::string_view line(text.data() + pos, text.size() - pos);
    if (line.starts_with("---") || line.starts_with("...")) ++possible;
    if (text.find('\n', pos) == std::string::npos) break;
  }
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentCounter counter;
  for (size_t documents = 0; parser.HandleNextDocument(counter);) {
    if (++documents > possible) {
      return ConfigError(path, counter.last, "unexpected text after the document's value (a stray ',' or a '%' directive?)");
    }
  }
  return Status::Ok();
}

Status ReadCloudQueryConfig(const std::string& path, SyncConfig& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorKind::kIo, "cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<YAML::Node> documents;
  try {
    RETURN_IF_ERROR(CheckDocumentsEnd(path, text.str()));
    documents = YAML::LoadAll(text.str());
  } catch (const YAML::Exception& error) {
    return ConfigError(path, error.mark, error.msg);
  }
  for (const YAML::Node& document : documents) {
    if (!document || document.IsNull()) continue;
    try {
      RETURN_IF_ERROR(CheckKeys(document, {"kind", "spec"}, "a document", path));
      if (!document["kind"] || !document["spec"]) {
        return ConfigError(path, document.Mark(), "a document needs 'kind' and 'spec'");
      }
      std::string kind = document["kind"].as<std::string>();
      if (kind == "source") {
        RETURN_IF_ERROR(ReadSource(document["spec"], path, config));
      } else if (kind == "destination") {
        RETURN_IF_ERROR(ReadDestination(document["spec"], path, config));
      } else {
        return ConfigError(path, document["kind"].Mark(), "unknown kind '" + kind + "' (source or destination)");
      }
    } catch (const YAML::Exception& error) {
      return ConfigError(path, error.mark, error.msg);
    }
  }
  return Status::Ok();
}

}  // namespace sluice
