// Building packages (package_builder.h): catalog → canonical SQL, handler
// files, recorded tests, integration files → manifest → deterministic archive.
#include "lang/package_builder.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/file_util.h"
#include "core/identifier.h"
#include "core/source_text.h"
#include "core/utf8.h"
#include "lang/interpreter.h"
#include "lang/parser.h"
#include "lang/test_block.h"
#include "package/archive.h"
#include "package/digest.h"
#include "package/license.h"
#include "package/registry.h"
#include "package/semver.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// Packages Sluice's module loader provides itself (src/js/sdk,
// js/module_loader.cc): a copy in node_modules would never be loaded, so it
// is not shipped (Arrow alone is megabytes).
bool ProvidedBySluice(const std::string& name) {
  return name == "@cloudquery/plugin-sdk-javascript" || name == "apache-arrow" ||
         name == "@apache-arrow/esnext-esm";
}
constexpr uint64_t kMaxFolderFileBytes = 64ull << 20;

std::string SqlString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// JSON as a Sluice expression: the lexer reads JSON strings, numbers and
// literals as JSON does. Key order is kept (FIELDS order is column order).
std::string JsonLiteral(const Value& value) {
  std::string text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::error_code error;
  uint64_t size = fs::file_size(path, error);
  if (error)
    return Status(ErrorKind::kIo, "cannot read '" + path.string() + "': " + error.message());
  if (size > kMaxFolderFileBytes)
    return Status(
        ErrorKind::kInvalidArgument,
        "'" + path.string() + "' is over " + std::to_string(kMaxFolderFileBytes >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorKind::kIo, "cannot open '" + path.string() + "'");
  std::ostringstream data;
  data << in.rdbuf();
  if (in.bad()) return Status(ErrorKind::kIo, "cannot read '" + path.string() + "'");
  return data.str();
}

bool IsExecutable(const fs::path& path) {
  std::error_code error;
  auto perms = fs::status(path, error).permissions();
  return !error && (perms & fs::perms::owner_exec) != fs::perms::none;
}

// An OutputSink that keeps test output out of the user's results but
// forwards diagnostics.
class QuietSink : public OutputSink {
 public:
  explicit QuietSink(OutputSink& outer) : outer_(outer) {}
  void Emit(const ResultSet&) override {}
  void Print(const std::string&) override {}
  void Log(const std::string& line) override { outer_.Log(line); }

 private:
  OutputSink& outer_;
};

std::string CreateTypeSql(const ConnectorTypeDef& def, const std::string& version) {
  std::string sql = "CREATE CONNECTOR TYPE " + SqlString(def.name);
  if (!def.description.empty()) sql += "\n  DESCRIPTION " + SqlString(def.description);
  sql += "\n  VERSION " + SqlString(version);
  if (def.kind == "integration") {
    sql += "\n  FROM INTEGRATION '../integration';\n";
    return sql;
  }
  if (!def.config_schema.empty()) sql += "\n  CONFIG_SCHEMA " + JsonLiteral(def.config_schema);
  return sql + ";\n";
}

std::string HandlerFile(const std::string& name, const char* suffix) {
  return "js/" + name + suffix;
}

std::string CreateEntitySql(const EntityDef& e) {
  std::string sql = "\nCREATE CONNECTOR ENTITY " + SqlString(e.type + "." + e.name);
  if (!e.description.empty()) sql += "\n  DESCRIPTION " + SqlString(e.description);
  sql += "\n  FIELDS " + JsonLiteral(e.fields);
  if (!e.cursor.empty()) sql += "\n  CURSOR " + SqlString(e.cursor);
  if (!e.parent.empty()) sql += "\n  PARENT " + SqlString(e.type + "." + e.parent);
  if (e.applies_offset) sql += "\n  PUSHDOWN OFFSET";
  sql += "\n  QUERY_HANDLER FILE " + SqlString("../" + HandlerFile(e.name, ".query.js")) + ";\n";
  return sql;
}

std::string CreateActionSql(const ActionDef& a) {
  std::string sql = "\nCREATE CONNECTOR ACTION " + SqlString(a.type + "." + a.name);
  if (!a.description.empty()) sql += "\n  DESCRIPTION " + SqlString(a.description);
  if (!a.parameters.empty()) sql += "\n  PARAMETERS " + JsonLiteral(a.parameters);
  sql += "\n  HANDLER FILE " + SqlString("../" + HandlerFile(a.name, ".action.js")) + ";\n";
  return sql;
}

// Entities with each parent before its children, otherwise in name order,
// so the regenerated SQL runs top to bottom and is the same every time.
std::vector<EntityDef> ParentsFirst(std::vector<EntityDef> entities) {
  std::sort(entities.begin(), entities.end(),
            [](const EntityDef& a, const EntityDef& b) { return a.name < b.name; });
  std::vector<EntityDef> ordered;
  std::set<std::string> placed;
  std::set<std::string> names;
  for (const auto& e : entities) names.insert(e.name);
  while (ordered.size() < entities.size()) {
    size_t before = ordered.size();
    for (const auto& e : entities) {
      if (placed.count(e.name)) continue;
      if (e.parent.empty() || placed.count(e.parent) || !names.count(e.parent)) {
        ordered.push_back(e);
        placed.insert(e.name);
      }
    }
    if (ordered.size() ==
        before) {  // a cycle the catalog should not allow: keep the rest in name order
      for (const auto& e : entities)
        if (!placed.count(e.name)) ordered.push_back(e);
    }
  }
  return ordered;
}

Status CheckText(const std::string& text, const std::string& what) {
  if (!IsValidUtf8(text)) return Status(ErrorKind::kInvalidArgument, what + " is not valid UTF-8");
  return Status::Ok();
}

// Runs the type's recorded tests, each in its own copy of the workspace.
// Set while a package's tests run on this thread: a recorded test that
// itself runs PACKAGE would otherwise run itself again, without end.
thread_local bool running_package_tests = false;

Status RunRecordedTests(Workspace& workspace, const std::string& type,
                        const std::vector<RecordedTest>& tests, OutputSink& output) {
  if (running_package_tests && !tests.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "cannot package connector type '" + type +
                      "' from inside a connector test that PACKAGE is running");
  }
  running_package_tests = true;
  struct Reset {
    ~Reset() { running_package_tests = false; }
  } reset;
  for (const RecordedTest& test : tests) {
    auto source = std::make_shared<SourceFile>();
    source->name = test.origin.empty() ? "<recorded test>" : test.origin;
    source->text = test.text;
    ParseResult parsed = Parse(source);
    std::string what = "connector type '" + type + "': recorded test '" + test.name + "'";
    if (!parsed.ok())
      return Status(ErrorKind::kInvalidArgument,
                    what + " does not parse: " + parsed.errors.front().message());
    if (parsed.program.statements.size() != 1 ||
        !std::holds_alternative<ast::TestStmt>(parsed.program.statements[0].node)) {
      return Status(ErrorKind::kInvalidArgument, what + " is not one TEST CONNECTOR TYPE block");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<Workspace> isolated, Workspace::OpenCopy(workspace));
    QuietSink quiet(output);
    TestOutcome outcome =
        RunConnectorTest(std::move(isolated), parsed.program.statements[0], {}, quiet);
    if (outcome.verdict == TestVerdict::kFail) {
      return Status(ErrorKind::kAssertion, "cannot package connector type '" + type +
                                               "': its test '" + test.name +
                                               "' failed: " + outcome.problem.message());
    }
    output.Log(std::string(TestVerdictName(outcome.verdict)) + "  " + test.name +
               (outcome.verdict == TestVerdict::kSkip ? ": " + outcome.problem.message() : ""));
  }
  return Status::Ok();
}

// --- integration files -----------------------------------------------------

Result<Value> ReadPackageJson(const fs::path& dir) {
  fs::path path = dir / "package.json";
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  Value json = Value::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return Status(ErrorKind::kInvalidArgument, "'" + path.string() + "' is not a JSON object");
  return json;
}

struct Dependency {
  std::string name;
  bool required;  // "dependencies"; optional and peer ones may be absent
};

// What `npm install --omit=dev` installs: dependencies, optional and peer
// dependencies (npm 7+ installs peers).
std::vector<Dependency> ProductionDependencies(const Value& package_json) {
  std::vector<Dependency> out;
  for (const char* key : {"dependencies", "optionalDependencies", "peerDependencies"}) {
    auto it = package_json.find(key);
    if (it == package_json.end() || !it->is_object()) continue;
    for (const auto& [name, unused] : it->items())
      out.push_back({name, std::string(key) == "dependencies"});
  }
  return out;
}

// Collects `dir`'s files under `prefix`: no dot-entries, no node_modules
// (dependencies are added from the closure), symlinks skipped with a note
// (they may point anywhere; a package carries what it contains).
Status CollectFiles(const fs::path& dir, const std::string& prefix,
                    std::map<std::string, ArchiveEntry>& out, OutputSink& output) {
  std::error_code error;
  std::vector<fs::directory_entry> children;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
    children.push_back(*it);
  if (error)
    return Status(ErrorKind::kIo, "cannot list '" + dir.string() + "': " + error.message());
  std::sort(children.begin(), children.end());
  for (const auto& child : children) {
    std::string name = child.path().filename().string();
    if (name.empty() || name[0] == '.' || name == "node_modules") continue;
    std::string path = prefix + name;
    if (child.is_symlink(error)) {
      output.Log("packaging: skipped symbolic link '" + child.path().string() + "'");
      continue;
    }
    if (child.is_directory(error)) {
      RETURN_IF_ERROR(CollectFiles(child.path(), path + "/", out, output));
    } else if (child.is_regular_file(error)) {
      ASSIGN_OR_RETURN(std::string data, ReadWholeFile(child.path()));
      out[path] = ArchiveEntry{path, std::move(data), IsExecutable(child.path())};
    } else {
      output.Log("packaging: skipped '" + child.path().string() + "' (not a regular file)");
    }
  }
  return Status::Ok();
}

// The production dependency closure, resolved as Node resolves a bare
// import: <dir>/node_modules/<name>, then each parent's, up to the root.
Status CollectDependencies(const fs::path& root, const fs::path& from, const Value& package_json,
                           std::set<std::string>& done, std::map<std::string, ArchiveEntry>& out,
                           OutputSink& output) {
  for (const auto& [name, required] : ProductionDependencies(package_json)) {
    if (ProvidedBySluice(name)) continue;
    if (name.empty() || name.find("..") != std::string::npos || name[0] == '/' || name[0] == '.')
      return Status(ErrorKind::kInvalidArgument,
                    "dependency name '" + name + "' in '" + from.string() + "'");
    fs::path dir = from;
    fs::path found;
    while (true) {
      fs::path candidate = dir / "node_modules" / name;
      std::error_code error;
      if (fs::is_directory(candidate, error)) {
        found = candidate;
        break;
      }
      if (dir == root || dir == dir.parent_path()) break;
      dir = dir.parent_path();
    }
    if (found.empty()) {
      if (!required) continue;
      return Status(ErrorKind::kNotFound,
                    "integration '" + root.string() + "' depends on '" + name +
                        "', which is not in its node_modules (run npm install there)");
    }
    std::string relative = found.lexically_relative(root).generic_string();
    if (!done.insert(relative).second) continue;
    // A linked package (npm link, pnpm) is shipped as the files it points at.
    std::error_code error;
    fs::path real = fs::canonical(found, error);
    if (error)
      return Status(ErrorKind::kIo, "cannot resolve '" + found.string() + "': " + error.message());
    RETURN_IF_ERROR(CollectFiles(real, "integration/" + relative + "/", out, output));
    Value dependency_json = Value::object();
    if (fs::exists(real / "package.json")) {
      ASSIGN_OR_RETURN(dependency_json, ReadPackageJson(real));
    }
    RETURN_IF_ERROR(CollectDependencies(root, found, dependency_json, done, out, output));
  }
  return Status::Ok();
}

Status CollectIntegration(const std::string& directory, std::map<std::string, ArchiveEntry>& out,
                          OutputSink& output) {
  fs::path root(directory);
  std::error_code error;
  if (!fs::is_directory(root, error))
    return Status(ErrorKind::kNotFound, "integration directory '" + directory + "' does not exist");
  RETURN_IF_ERROR(CollectFiles(root, "integration/", out, output));
  if (!fs::exists(root / "package.json")) return Status::Ok();
  ASSIGN_OR_RETURN(Value package_json, ReadPackageJson(root));
  std::set<std::string> done;
  return CollectDependencies(root, root, package_json, done, out, output);
}

// --- the folder's extra files ---------------------------------------------

Status CollectFolderFiles(const std::string& files_dir,
                          std::map<std::string, ArchiveEntry>& entries,
                          std::vector<BreakingChange>& breaking) {
  if (files_dir.empty()) return Status::Ok();
  fs::path dir(files_dir);
  std::error_code error;
  for (const char* name : {"README.md", "LICENSE"}) {
    fs::path path = dir / name;
    if (fs::is_regular_file(path, error)) {
      ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path));
      entries[name] = ArchiveEntry{name, std::move(data), false};
    }
  }
  fs::path migrations = dir / "migrations";
  if (fs::is_directory(migrations, error)) {
    for (fs::directory_iterator it(migrations, error), end; !error && it != end;
         it.increment(error)) {
      std::string name = it->path().filename().string();
      if (name.size() < 5 || name.substr(name.size() - 4) != ".sql") continue;
      auto version = semver::ParseVersion(name.substr(0, name.size() - 4));
      if (!version.ok())
        return Status(ErrorKind::kInvalidArgument,
                      "migration '" + it->path().string() +
                          "' must be named <version>.sql: " + version.status().message());
      ASSIGN_OR_RETURN(std::string data, ReadWholeFile(it->path()));
      entries["migrations/" + name] = ArchiveEntry{"migrations/" + name, std::move(data), false};
    }
    if (error)
      return Status(ErrorKind::kIo,
                    "cannot list '" + migrations.string() + "': " + error.message());
  }
  fs::path breaking_path = dir / "breaking.json";
  if (fs::is_regular_file(breaking_path, error)) {
    ASSIGN_OR_RETURN(std::string text, ReadWholeFile(breaking_path));
    Value json = Value::parse(text, nullptr, false);
    if (json.is_discarded())
      return Status(ErrorKind::kInvalidArgument,
                    "'" + breaking_path.string() + "' is not valid JSON");
    auto parsed = ParseBreakingChanges(json);
    if (!parsed.ok())
      return Status(ErrorKind::kInvalidArgument,
                    "'" + breaking_path.string() + "': " + parsed.status().message());
    breaking = std::move(parsed).value();
  }
  return Status::Ok();
}

std::vector<std::string> PrimaryKey(const Value& fields) {
  std::vector<std::string> key;
  for (const auto& [name, spec] : fields.items()) {
    if (spec.is_object() && spec.value("primary_key", false) == true) key.push_back(name);
  }
  return key;
}

}  // namespace

Result<BuiltPackage> BuildPackage(Workspace& workspace, const PackageRequest& request,
                                  OutputSink& output) {
  Catalog& catalog = workspace.catalog();
  ASSIGN_OR_RETURN(ConnectorTypeDef def, catalog.GetConnectorType(request.type));
  std::string what = "cannot package connector type '" + def.name + "'";
  if (def.kind == "plugin") {
    return Status(
        ErrorKind::kInvalidArgument,
        what + ": it is a CloudQuery plugin reached at '" + def.integration +
            "', which a package cannot carry; package a table integration (FROM INTEGRATION) "
            "or a declared type instead");
  }
  if (def.kind != "declared" && def.kind != "integration")
    return Status(ErrorKind::kInvalidArgument,
                  what + ": its kind '" + def.kind + "' cannot be packaged");

  // The package is named after the type, and registries (OCI repository
  // names, file names in URLs) take ASCII names only: refuse here rather than
  // write a file no registry accepts.
  if (Status named = CheckPackageName(def.name); !named.ok()) {
    return Status(ErrorKind::kInvalidArgument,
                  what + ": a package is named after its type and " + named.message() +
                      "; create the type under an ASCII name (DESCRIPTION may say anything)");
  }
  Manifest m;
  m.name = def.name;
  m.kind = def.kind;
  m.version = request.version.empty() ? def.version : request.version;
  if (m.version.empty())
    return Status(ErrorKind::kInvalidArgument, what + ": it has no VERSION; say VERSION '1.0.0'");
  auto version = semver::ParseVersion(m.version);
  if (!version.ok())
    return Status(ErrorKind::kInvalidArgument, what + ": " + version.status().message());
  if (request.license.empty())
    return Status(ErrorKind::kInvalidArgument,
                  what + ": a package names its license: say LICENSE 'MIT' (an SPDX expression)");
  Status license = ValidateSpdxExpression(request.license);
  if (!license.ok()) return Status(ErrorKind::kInvalidArgument, what + ": " + license.message());
  m.license = request.license;
  m.description = request.description.empty() ? def.description : request.description;
  m.author = request.author;
  m.homepage = request.homepage;
  RETURN_IF_ERROR(CheckText(m.description, what + ": the description"));
  RETURN_IF_ERROR(CheckText(m.author, what + ": the author"));
  m.engine = std::string(">=") + SLUICE_VERSION;
  m.config_schema = def.config_schema;
  for (const auto& [name, spec] : def.config_schema.items()) {
    if (spec.is_object() && spec.value("secret", false) == true) m.secrets.push_back(name);
  }
  std::sort(m.secrets.begin(), m.secrets.end());

  std::map<std::string, ArchiveEntry> entries;
  auto add = [&](const std::string& path, std::string data) {
    entries[path] = ArchiveEntry{path, std::move(data), false};
  };

  ASSIGN_OR_RETURN(std::vector<EntityDef> entity_list, catalog.ListEntities(def.name));
  entity_list = ParentsFirst(std::move(entity_list));
  ASSIGN_OR_RETURN(std::vector<ActionDef> action_list, catalog.ListActions(def.name));
  std::sort(action_list.begin(), action_list.end(),
            [](const ActionDef& a, const ActionDef& b) { return a.name < b.name; });

  std::string sql = "-- Connector type '" + def.name + "' " + m.version +
                    ", as PACKAGE CONNECTOR TYPE regenerated it from the catalog.\n" +
                    CreateTypeSql(def, m.version);
  for (const EntityDef& e : entity_list) {
    ManifestEntity me;
    me.name = e.name;
    me.description = e.description;
    me.fields = e.fields;
    me.primary_key = PrimaryKey(e.fields);
    me.cursor = e.cursor;
    me.parent = e.parent;
    m.entities.push_back(std::move(me));
    if (def.kind == "declared") {
      sql += CreateEntitySql(e);
      RETURN_IF_ERROR(CheckText(e.handler.code, what + ": the handler of entity '" + e.name + "'"));
      add(HandlerFile(e.name, ".query.js"), e.handler.code);
    }
  }
  for (const ActionDef& a : action_list) {
    m.actions.push_back(ManifestAction{a.name, a.description, a.parameters});
    if (def.kind == "declared") {
      sql += CreateActionSql(a);
      add(HandlerFile(a.name, ".action.js"), a.handler.code);
    }
  }
  add("sql/" + def.name + ".sql", sql);

  ASSIGN_OR_RETURN(std::vector<RecordedTest> tests, workspace.packages().ListTests(def.name));
  RETURN_IF_ERROR(RunRecordedTests(workspace, def.name, tests, output));
  if (!tests.empty()) {
    std::string text = "-- The TEST CONNECTOR blocks of connector type '" + def.name + "'.\n";
    for (const RecordedTest& test : tests) {
      text += "\n" + test.text;
      if (text.back() != '\n') text += "\n";
    }
    add("tests/" + def.name + ".sql", text);
  }

  if (def.kind == "integration")
    RETURN_IF_ERROR(CollectIntegration(def.integration, entries, output));
  RETURN_IF_ERROR(CollectFolderFiles(request.files_dir, entries, m.breaking_changes));

  std::vector<ArchiveEntry> archive_entries;
  for (auto& [path, entry] : entries) {
    m.files.push_back(ManifestFile{path, Sha256Hex(entry.data), entry.data.size()});
    archive_entries.push_back(std::move(entry));
  }
  std::string manifest_json = m.ToJson();
  // The manifest we write must be one we would accept.
  auto reparsed = Manifest::Parse(manifest_json);
  if (!reparsed.ok())
    return Status(ErrorKind::kInvalidArgument, what + ": " + reparsed.status().message());
  archive_entries.push_back(ArchiveEntry{kManifestPath, manifest_json, false});

  auto archive = WriteArchive(std::move(archive_entries));
  if (!archive.ok()) return archive.TakeStatus().WithContext(what);
  BuiltPackage built;
  built.manifest = std::move(m);
  built.archive = std::move(archive).value();
  built.sha256 = Sha256Hex(built.archive);
  built.file_name = built.manifest.name + "-" + built.manifest.version + ".sluicepkg";
  return built;
}

// --- sluice package DIR ------------------------------------------------------

namespace {

// A connector type name from an npm package name: "@acme/my-plugin" → "my_plugin".
std::string TypeNameFromPackage(std::string name) {
  if (!name.empty() && name[0] == '@' && name.find('/') != std::string::npos)
    name = name.substr(name.find('/') + 1);
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

// "SPDX-License-Identifier: MIT" in a LICENSE file.
std::string LicenseFromFile(const fs::path& dir) {
  std::ifstream in(dir / "LICENSE");
  std::string line;
  const std::string tag = "SPDX-License-Identifier:";
  while (std::getline(in, line)) {
    size_t at = line.find(tag);
    if (at == std::string::npos) continue;
    std::string id = line.substr(at + tag.size());
    id.erase(0, id.find_first_not_of(" \t"));
    id.erase(id.find_last_not_of(" \t\r") + 1);
    return id;
  }
  return "";
}

Status RunFile(Interpreter& interpreter, const fs::path& path, bool tests) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  auto source = std::make_shared<SourceFile>();
  source->name = path.string();
  source->text = std::move(text);
  ParseResult parsed = Parse(source);
  if (!parsed.ok()) return parsed.errors.front();
  for (const ast::Statement& statement : parsed.program.statements) {
    bool is_test = std::holds_alternative<ast::TestStmt>(statement.node);
    if (is_test != tests) continue;
    RETURN_IF_ERROR(interpreter.Execute(statement));
  }
  return Status::Ok();
}

}  // namespace

Result<BuiltPackage> BuildPackageFromDirectory(const DirectoryPackageRequest& request,
                                               OutputSink& output) {
  std::error_code error;
  fs::path dir = fs::absolute(request.dir, error);
  if (error || !fs::is_directory(dir, error))
    return Status(ErrorKind::kNotFound, "'" + request.dir + "' is not a directory");
  std::vector<fs::path> sql_files;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".sql" && it->is_regular_file()) sql_files.push_back(it->path());
  }
  if (error)
    return Status(ErrorKind::kIo, "cannot list '" + dir.string() + "': " + error.message());
  std::sort(sql_files.begin(), sql_files.end());
  bool integration = sql_files.empty() && fs::exists(dir / "package.json");
  if (sql_files.empty() && !integration)
    return Status(ErrorKind::kNotFound,
                  "'" + request.dir + "' has neither .sql files nor a package.json");

  ASSIGN_OR_RETURN(std::unique_ptr<Workspace> workspace, Workspace::Open(":memory:"));
  QuietSink quiet(output);
  Value package_json = Value::object();
  if (fs::exists(dir / "package.json")) {
    ASSIGN_OR_RETURN(package_json, ReadPackageJson(dir));
  }
  {
    Interpreter interpreter(*workspace, quiet);
    if (integration) {
      std::string type =
          request.type.empty()
              ? TypeNameFromPackage(package_json.value("name", dir.filename().string()))
              : request.type;
      auto source = std::make_shared<SourceFile>();
      source->name = "<sluice package>";
      source->text = "CREATE CONNECTOR TYPE " + SqlString(type) + " FROM INTEGRATION " +
                     SqlString(dir.string()) + ";";
      ParseResult parsed = Parse(source);
      if (!parsed.ok()) return parsed.errors.front();
      for (const ast::Statement& statement : parsed.program.statements)
        RETURN_IF_ERROR(interpreter.Execute(statement));
    } else {
      // Definitions first, then the tests (which need them), as `sluice test` runs a folder.
      for (const fs::path& file : sql_files) RETURN_IF_ERROR(RunFile(interpreter, file, false));
      for (const fs::path& file : sql_files) RETURN_IF_ERROR(RunFile(interpreter, file, true));
    }
  }

  PackageRequest package;
  package.type = request.type;
  if (package.type.empty()) {
    ASSIGN_OR_RETURN(std::vector<ConnectorTypeDef> types,
                     workspace->catalog().ListConnectorTypes());
    if (types.size() != 1) {
      std::string names;
      for (const auto& t : types) names += (names.empty() ? "" : ", ") + t.name;
      return Status(ErrorKind::kInvalidArgument,
                    "'" + request.dir + "' defines " + std::to_string(types.size()) +
                        " connector types (" + names + "); say which one to package (--type)");
    }
    package.type = types[0].name;
  }
  package.version = request.version;
  if (package.version.empty()) {
    ASSIGN_OR_RETURN(ConnectorTypeDef def, workspace->catalog().GetConnectorType(package.type));
    if (def.version.empty()) package.version = package_json.value("version", "");
  }
  package.license = request.license;
  if (package.license.empty() && package_json.contains("license") &&
      package_json["license"].is_string())
    package.license = package_json["license"].get<std::string>();
  if (package.license.empty()) package.license = LicenseFromFile(dir);
  // The statement's "say LICENSE 'MIT'" would not help here.
  if (package.license.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "cannot package connector type '" + package.type +
                      "': a package names its license (an SPDX expression): give --license L, "
                      "a \"license\" in package.json, or a LICENSE file with an "
                      "SPDX-License-Identifier line");
  }
  package.author = request.author;
  if (package.author.empty() && package_json.contains("author") &&
      package_json["author"].is_string())
    package.author = package_json["author"].get<std::string>();
  package.description = request.description;
  if (package.description.empty() && package_json.contains("description") &&
      package_json["description"].is_string())
    package.description = package_json["description"].get<std::string>();
  package.files_dir = dir.string();
  return BuildPackage(*workspace, package, output);
}

Result<std::string> WritePackageFile(const BuiltPackage& package, const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error)
    return Status(ErrorKind::kIo, "cannot create directory '" + dir + "': " + error.message());
  fs::path target = fs::path(dir) / package.file_name;
  // A crash leaves the old file or the new one, never half of one.
  RETURN_IF_ERROR(WriteFileAtomically(target.string(), package.archive));
  return target.string();
}

}  // namespace sluice
