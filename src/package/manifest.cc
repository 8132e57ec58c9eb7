// Manifest serialisation and the strict parser (manifest.h).
#include "package/manifest.h"

#include <algorithm>
#include <set>

#include "core/identifier.h"
#include "core/json_depth.h"
#include "package/archive.h"
#include "package/digest.h"
#include "package/license.h"
#include "package/semver.h"

namespace sluice {
namespace {

// Caps for hostile manifests. A real manifest is a few KiB; these leave
// room for large connectors while bounding memory and the parser's depth.
constexpr size_t kMaxManifestBytes = 8u << 20;
constexpr int kMaxDepth = 32;
constexpr size_t kMaxShortText = 256;       // names, versions, ids
constexpr size_t kMaxLongText = 64u << 10;  // descriptions, messages
constexpr size_t kMaxListItems = 20000;

// The sorted-key form of a value: nlohmann::json keeps objects in a std::map.
nlohmann::json Sorted(const Value& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[key] = Sorted(item);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(Sorted(item));
    return out;
  }
  return nlohmann::json(value);
}

Value StringList(const std::vector<std::string>& items) {
  Value out = Value::array();
  for (const auto& item : items) out.push_back(item);
  return out;
}

Status Bad(const std::string& what) {
  return Status(ErrorKind::kInvalidArgument,
                "package manifest " + std::string(kManifestPath) + ": " + what);
}

class Reader {
 public:
  explicit Reader(const Value& object, std::string where)
      : object_(object), where_(std::move(where)) {}

  // A string member; "" when absent. `required` refuses absence and "".
  Result<std::string> Text(const char* key, bool required, size_t max = kMaxShortText) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
      if (required) return Bad(Where(key) + " is missing");
      return std::string();
    }
    if (!it->is_string()) return Bad(Where(key) + " must be a string, not " + ValueTypeName(*it));
    std::string text = it->get<std::string>();
    if (required && text.empty()) return Bad(Where(key) + " must not be empty");
    if (text.size() > max)
      return Bad(Where(key) + " is longer than " + std::to_string(max) + " bytes");
    for (unsigned char c : text) {
      // Line breaks are fine in descriptions; other control characters are
      // not text anyone meant to publish.
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
        return Bad(Where(key) + " contains a control character");
    }
    return text;
  }

  Result<std::vector<std::string>> TextList(const char* key) const {
    std::vector<std::string> out;
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return out;
    if (!it->is_array()) return Bad(Where(key) + " must be an array of strings");
    if (it->size() > kMaxListItems) return Bad(Where(key) + " has too many items");
    for (const auto& item : *it) {
      if (!item.is_string()) return Bad(Where(key) + " must be an array of strings");
      std::string text = item.get<std::string>();
      if (text.empty() || text.size() > kMaxShortText)
        return Bad(Where(key) + " has an empty or over-long item");
      out.push_back(std::move(text));
    }
    return out;
  }

  Result<Value> Object(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return Value::object();
    if (!it->is_object()) return Bad(Where(key) + " must be an object, not " + ValueTypeName(*it));
    return *it;
  }

  Result<const Value*> Array(const char* key) const {
    static const Value kEmpty = Value::array();
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return &kEmpty;
    if (!it->is_array()) return Bad(Where(key) + " must be an array, not " + ValueTypeName(*it));
    if (it->size() > kMaxListItems) return Bad(Where(key) + " has too many items");
    return &*it;
  }

  std::string Where(const char* key) const {
    return where_.empty() ? std::string("\"") + key + "\"" : where_ + "." + key;
  }

 private:
  const Value& object_;
  std::string where_;
};

Status CheckDottedName(const std::string& name, const std::string& what) {
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    RETURN_IF_ERROR(
        CheckName(std::string_view(name).substr(
                      start, dot == std::string::npos ? std::string::npos : dot - start),
                  what));
    if (dot == std::string::npos) return Status::Ok();
    start = dot + 1;
  }
}

Status CheckFields(const Value& fields, const std::string& where) {
  for (const auto& [field, spec] : fields.items()) {
    if (field.empty() || field.size() > kMaxShortText)
      return Bad(where + " has an empty or over-long field name");
    if (!spec.is_object()) return Bad(where + "." + field + " must be an object");
  }
  return Status::Ok();
}

Result<ManifestEntity> ParseEntity(const Value& item, size_t index) {
  std::string where = "entities[" + std::to_string(index) + "]";
  if (!item.is_object()) return Bad(where + " must be an object");
  Reader r(item, where);
  ManifestEntity e;
  ASSIGN_OR_RETURN(e.name, r.Text("name", true));
  Status name_ok = CheckName(e.name, "entity");
  if (!name_ok.ok()) return Bad(where + ": " + name_ok.message());
  ASSIGN_OR_RETURN(e.description, r.Text("description", false, kMaxLongText));
  ASSIGN_OR_RETURN(e.fields, r.Object("fields"));
  RETURN_IF_ERROR(CheckFields(e.fields, where + ".fields"));
  ASSIGN_OR_RETURN(e.primary_key, r.TextList("primary_key"));
  for (const auto& key : e.primary_key)
    if (!e.fields.contains(key))
      return Bad(where + ".primary_key names '" + key + "', which is not a field");
  ASSIGN_OR_RETURN(e.cursor, r.Text("cursor", false));
  if (!e.cursor.empty() && !e.fields.contains(e.cursor))
    return Bad(where + ".cursor names '" + e.cursor + "', which is not a field");
  ASSIGN_OR_RETURN(e.parent, r.Text("parent", false));
  if (!e.parent.empty()) {
    Status parent_ok = CheckName(e.parent, "parent entity");
    if (!parent_ok.ok()) return Bad(where + ": " + parent_ok.message());
  }
  return e;
}

Result<ManifestAction> ParseAction(const Value& item, size_t index) {
  std::string where = "actions[" + std::to_string(index) + "]";
  if (!item.is_object()) return Bad(where + " must be an object");
  Reader r(item, where);
  ManifestAction a;
  ASSIGN_OR_RETURN(a.name, r.Text("name", true));
  Status name_ok = CheckDottedName(a.name, "action");
  if (!name_ok.ok()) return Bad(where + ": " + name_ok.message());
  ASSIGN_OR_RETURN(a.description, r.Text("description", false, kMaxLongText));
  ASSIGN_OR_RETURN(a.parameters, r.Object("parameters"));
  return a;
}

Result<ManifestFile> ParseFile(const Value& item, size_t index) {
  std::string where = "files[" + std::to_string(index) + "]";
  if (!item.is_object()) return Bad(where + " must be an object");
  Reader r(item, where);
  ManifestFile f;
  ASSIGN_OR_RETURN(f.path, r.Text("path", true, 4096));
  Status path_ok = CheckArchivePath(f.path);
  if (!path_ok.ok()) return Bad(where + ": " + path_ok.message());
  if (f.path == kManifestPath) return Bad(where + " lists the manifest itself");
  ASSIGN_OR_RETURN(f.sha256, r.Text("sha256", true));
  if (!IsSha256Hex(f.sha256))
    return Bad(where + ".sha256 of '" + f.path + "' is not 64 lower-case hex digits");
  auto size = item.find("size");
  if (size == item.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
    return Bad(where + ".size of '" + f.path + "' must be a non-negative integer");
  f.size = static_cast<uint64_t>(size->get<int64_t>());
  return f;
}

Result<BreakingChange> ParseBreaking(const std::string& version, const Value& item) {
  std::string where = "breaking_changes." + version;
  auto parsed = semver::ParseVersion(version);
  if (!parsed.ok()) return Bad(where + ": " + parsed.status().message());
  if (!item.is_object()) return Bad(where + " must be an object");
  Reader r(item, where);
  BreakingChange b;
  b.version = version;
  ASSIGN_OR_RETURN(b.message, r.Text("message", true, kMaxLongText));
  ASSIGN_OR_RETURN(b.entities, r.TextList("entities"));
  for (const auto& entity : b.entities) {
    Status ok = CheckName(entity, "entity");
    if (!ok.ok()) return Bad(where + ".entities: " + ok.message());
  }
  auto reset = item.find("reset_state");
  if (reset != item.end() && !reset->is_null()) {
    if (!reset->is_boolean()) return Bad(where + ".reset_state must be true or false");
    b.reset_state = reset->get<bool>();
  }
  ASSIGN_OR_RETURN(b.upgrade_deadline, r.Text("upgrade_deadline", false));
  return b;
}

const std::set<std::string>& KnownTopLevelKeys() {
  static const std::set<std::string> keys = {
      "schema_version", "name",          "version", "description",     "author",  "license",
      "homepage",       "engines",       "kind",    "entities",        "actions", "config_schema",
      "secrets",        "allowed_hosts", "files",   "breaking_changes"};
  return keys;
}

}  // namespace

Value BreakingChangesToValue(const std::vector<BreakingChange>& changes) {
  Value out = Value::object();
  for (const auto& change : changes) {
    out[change.version] = Value{{"message", change.message},
                                {"entities", StringList(change.entities)},
                                {"reset_state", change.reset_state},
                                {"upgrade_deadline", change.upgrade_deadline}};
  }
  return out;
}

Result<std::vector<BreakingChange>> ParseBreakingChanges(const Value& object) {
  std::vector<BreakingChange> out;
  if (!object.is_object()) return Bad("breaking_changes must be an object keyed by version");
  if (object.size() > kMaxListItems) return Bad("breaking_changes has too many items");
  for (const auto& [version, item] : object.items()) {
    ASSIGN_OR_RETURN(auto change, ParseBreaking(version, item));
    out.push_back(std::move(change));
  }
  std::sort(out.begin(), out.end(), [](const BreakingChange& a, const BreakingChange& b) {
    auto va = semver::ParseVersion(a.version);
    auto vb = semver::ParseVersion(b.version);
    return semver::Compare(*va, *vb) < 0;
  });
  return out;
}

std::string Manifest::ToJson() const {
  Value root = Value::object();
  root["schema_version"] = schema_version;
  root["name"] = name;
  root["version"] = version;
  root["description"] = description;
  root["author"] = author;
  root["license"] = license;
  root["homepage"] = homepage;
  root["engines"] = Value{{"sluice", engine}};
  root["kind"] = kind;
  Value entity_list = Value::array();
  for (const auto& e : entities) {
    entity_list.push_back(Value{{"name", e.name},
                                {"description", e.description},
                                {"fields", e.fields},
                                {"primary_key", StringList(e.primary_key)},
                                {"cursor", e.cursor},
                                {"parent", e.parent}});
  }
  root["entities"] = std::move(entity_list);
  Value action_list = Value::array();
  for (const auto& a : actions)
    action_list.push_back(
        Value{{"name", a.name}, {"description", a.description}, {"parameters", a.parameters}});
  root["actions"] = std::move(action_list);
  root["config_schema"] = config_schema;
  root["secrets"] = StringList(secrets);
  root["allowed_hosts"] = StringList(allowed_hosts);
  Value file_list = Value::array();
  for (const auto& f : files)
    file_list.push_back(Value{{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}});
  root["files"] = std::move(file_list);
  root["breaking_changes"] = BreakingChangesToValue(breaking_changes);
  // Invalid UTF-8 cannot reach here through Parse; from a catalog it is
  // replaced rather than thrown, and the builder refuses it before.
  return Sorted(root).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<Manifest> Manifest::Parse(std::string_view json) {
  if (json.size() > kMaxManifestBytes)
    return Bad("is " + std::to_string(json.size()) + " bytes, over the limit of " +
               std::to_string(kMaxManifestBytes));
  if (JsonTextDepth(json) > kMaxDepth)
    return Bad("nests deeper than " + std::to_string(kMaxDepth) + " levels");
  Value root = Value::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Bad("is not valid JSON");
  if (!root.is_object()) return Bad("must be a JSON object");

  Manifest m;
  auto schema = root.find("schema_version");
  if (schema == root.end() || !schema->is_number_integer())
    return Bad("\"schema_version\" must be an integer");
  int64_t schema_version = schema->get<int64_t>();
  if (schema_version < 1)
    return Bad("\"schema_version\" " + std::to_string(schema_version) + " is not a version");
  if (schema_version > kManifestSchemaVersion) {
    // A newer manifest may add keys this build ignores; a key it does not
    // know means the package needs what this Sluice cannot provide.
    for (const auto& [key, unused] : root.items()) {
      if (!KnownTopLevelKeys().count(key))
        return Bad("schema_version " + std::to_string(schema_version) + " uses \"" + key +
                   "\", which this Sluice (manifest schema " +
                   std::to_string(kManifestSchemaVersion) + ") does not know; upgrade Sluice");
    }
  }
  m.schema_version = static_cast<int>(std::min<int64_t>(schema_version, kManifestSchemaVersion));

  Reader r(root, "");
  ASSIGN_OR_RETURN(m.name, r.Text("name", true));
  Status name_ok = CheckName(m.name, "connector type");
  if (!name_ok.ok()) return Bad(name_ok.message());
  ASSIGN_OR_RETURN(m.version, r.Text("version", true));
  auto version = semver::ParseVersion(m.version);
  if (!version.ok()) return Bad(version.status().message());
  ASSIGN_OR_RETURN(m.description, r.Text("description", false, kMaxLongText));
  ASSIGN_OR_RETURN(m.author, r.Text("author", false, kMaxLongText));
  ASSIGN_OR_RETURN(m.license, r.Text("license", true, kMaxLongText));
  Status license_ok = ValidateSpdxExpression(m.license);
  if (!license_ok.ok()) return Bad("\"license\": " + license_ok.message());
  ASSIGN_OR_RETURN(m.homepage, r.Text("homepage", false, kMaxLongText));
  ASSIGN_OR_RETURN(Value engines, r.Object("engines"));
  {
    Reader er(engines, "engines");
    ASSIGN_OR_RETURN(m.engine, er.Text("sluice", true));
  }
  auto range = semver::Range::Parse(m.engine);
  if (!range.ok()) return Bad("engines.sluice: " + range.status().message());
  ASSIGN_OR_RETURN(m.kind, r.Text("kind", true));
  if (m.kind != "declared" && m.kind != "integration")
    return Bad("\"kind\" '" + m.kind + "' is not 'declared' or 'integration'");

  ASSIGN_OR_RETURN(const Value* entity_list, r.Array("entities"));
  std::set<std::string> entity_names;
  for (size_t i = 0; i < entity_list->size(); ++i) {
    ASSIGN_OR_RETURN(auto entity, ParseEntity((*entity_list)[i], i));
    if (!entity_names.insert(entity.name).second)
      return Bad("entity '" + entity.name + "' is listed twice");
    m.entities.push_back(std::move(entity));
  }
  for (const auto& entity : m.entities) {
    if (!entity.parent.empty() && !entity_names.count(entity.parent))
      return Bad("entity '" + entity.name + "' has parent '" + entity.parent +
                 "', which the package does not define");
  }
  ASSIGN_OR_RETURN(const Value* action_list, r.Array("actions"));
  std::set<std::string> action_names;
  for (size_t i = 0; i < action_list->size(); ++i) {
    ASSIGN_OR_RETURN(auto action, ParseAction((*action_list)[i], i));
    if (!action_names.insert(action.name).second)
      return Bad("action '" + action.name + "' is listed twice");
    m.actions.push_back(std::move(action));
  }
  ASSIGN_OR_RETURN(m.config_schema, r.Object("config_schema"));
  RETURN_IF_ERROR(CheckFields(m.config_schema, "config_schema"));
  ASSIGN_OR_RETURN(m.secrets, r.TextList("secrets"));
  for (const auto& secret : m.secrets)
    if (!m.config_schema.contains(secret))
      return Bad("secret '" + secret + "' is not a config_schema field");
  ASSIGN_OR_RETURN(m.allowed_hosts, r.TextList("allowed_hosts"));

  ASSIGN_OR_RETURN(const Value* file_list, r.Array("files"));
  std::set<std::string> paths;
  for (size_t i = 0; i < file_list->size(); ++i) {
    ASSIGN_OR_RETURN(auto file, ParseFile((*file_list)[i], i));
    if (!paths.insert(file.path).second) return Bad("file '" + file.path + "' is listed twice");
    m.files.push_back(std::move(file));
  }
  std::sort(m.files.begin(), m.files.end(),
            [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; });

  ASSIGN_OR_RETURN(Value breaking, r.Object("breaking_changes"));
  ASSIGN_OR_RETURN(m.breaking_changes, ParseBreakingChanges(breaking));
  return m;
}

}  // namespace sluice
