#include "lang/package_installer.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/file_util.h"
#include "package/digest.h"
#include "package/minisign.h"
#include "package/semver.h"

namespace sluice {
namespace {

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// Whether `engine` (an npm range; "" means any) admits this build.
Result<bool> EngineAdmits(const std::string& engine, std::string_view engine_version) {
  if (engine.empty()) return true;
  ASSIGN_OR_RETURN(semver::Range range, semver::Range::Parse(engine));
  ASSIGN_OR_RETURN(semver::Version version, semver::ParseVersion(engine_version));
  return range.Satisfies(version);
}

// minisign prints a key id as a little-endian 64-bit number.
std::string KeyIdHex(const uint8_t* id) {
  static const char* kHex = "0123456789ABCDEF";
  std::string hex;
  for (int i = 7; i >= 0; --i) {
    hex += kHex[id[i] >> 4];
    hex += kHex[id[i] & 15];
  }
  return hex;
}

// The key id a minisign signature names (line 2: base64 of "ED"/"Ed" ‖ key
// id ‖ signature), or "" when it cannot be read (then MinisignVerify says
// what is wrong).
std::string SignatureKeyId(const std::string& signature) {
  size_t first = signature.find('\n');
  if (first == std::string::npos) return "";
  size_t second = signature.find('\n', first + 1);
  std::string line = signature.substr(
      first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  unsigned char raw[74];
  size_t length = 0;
  if (sodium_base642bin(raw, sizeof raw, line.data(), line.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length != sizeof raw) {
    return "";
  }
  return KeyIdHex(raw + 2);
}

std::string FieldType(const Value& spec) {
  if (spec.is_object() && spec.contains("type") && spec["type"].is_string())
    return spec["type"].get<std::string>();
  if (spec.is_string()) return spec.get<std::string>();
  return "";
}

bool FieldFlag(const Value& spec, const char* key) {
  return spec.is_object() && spec.contains(key) && spec[key].is_boolean() && spec[key].get<bool>();
}

std::string OrNone(const std::string& text) { return text.empty() ? "(none)" : "'" + text + "'"; }

}  // namespace

std::string PackageSignatureComment(std::string_view name, std::string_view version,
                                    std::string_view sha256) {
  return "sluice-package name=" + std::string(name) + " version=" + std::string(version) +
         " sha256=" + std::string(sha256);
}

Result<ResolvedVersion> ResolveVersion(const std::string& name,
                                       const std::vector<IndexEntry>& versions,
                                       const std::string& range_text,
                                       const std::optional<LockedPackage>& pin,
                                       const std::string& registry_label,
                                       std::string_view engine_version) {
  Result<semver::Range> parsed_range = semver::Range::Parse(range_text);
  if (!parsed_range.ok()) {
    return parsed_range.TakeStatus().WithContext("VERSION of connector type '" + name + "'");
  }
  const semver::Range& range = *parsed_range;
  const std::string wanted = range_text.empty() ? "any version" : "'" + range_text + "'";

  if (pin) {
    Result<semver::Version> pinned = semver::ParseVersion(pin->version);
    if (pinned.ok() && (range_text.empty() || range.Satisfies(*pinned))) {
      for (const IndexEntry& entry : versions) {
        if (entry.version != pin->version) continue;
        if (entry.sha256 != pin->sha256) {
          return Status(ErrorKind::kIntegrity,
                        "sluice.lock pins " + name + " " + pin->version + " with sha256 " +
                            pin->sha256 + ", but " + registry_label + " serves sha256 " +
                            entry.sha256 +
                            " for it: the published bytes changed; refusing to install");
        }
        ASSIGN_OR_RETURN(bool admits, EngineAdmits(entry.engine, engine_version));
        if (!admits) {
          return Status(ErrorKind::kInvalidArgument,
                        "sluice.lock pins " + name + " " + pin->version + ", which needs sluice " +
                            entry.engine + "; this is sluice " + std::string(engine_version));
        }
        return ResolvedVersion{entry, true};
      }
      return Status(ErrorKind::kNotFound, "sluice.lock pins " + name + " " + pin->version +
                                              " (sha256 " + pin->sha256 + "), but " +
                                              registry_label + " has no such version");
    }
  }

  const IndexEntry* best = nullptr;
  std::optional<semver::Version> best_version;
  std::vector<std::string> passed_over;
  for (const IndexEntry& entry : versions) {
    Result<semver::Version> version = semver::ParseVersion(entry.version);
    if (!version.ok()) {
      passed_over.push_back(entry.version + " (not a SemVer version)");
      continue;
    }
    if (!range.Satisfies(*version)) {
      passed_over.push_back(entry.version + (version->is_prerelease()
                                                 ? " (a prerelease the range does not name)"
                                                 : " (outside the range)"));
      continue;
    }
    if (entry.yanked) {
      passed_over.push_back(entry.version + " (yanked" +
                            (entry.yanked_reason.empty() ? "" : ": " + entry.yanked_reason) + ")");
      continue;
    }
    Result<bool> admits = EngineAdmits(entry.engine, engine_version);
    if (!admits.ok() || !*admits) {
      passed_over.push_back(entry.version + " (needs sluice " + entry.engine + ")");
      continue;
    }
    if (!best || semver::Compare(*version, *best_version) > 0) {
      best = &entry;
      best_version = *version;
    }
  }
  if (!best) {
    if (versions.empty()) {
      return Status(ErrorKind::kNotFound,
                    registry_label + " has no version of connector type '" + name + "'");
    }
    return Status(ErrorKind::kNotFound, "no version of connector type '" + name + "' in " +
                                            registry_label + " satisfies " + wanted +
                                            " on sluice " + std::string(engine_version) +
                                            "; it has: " + Join(passed_over, ", "));
  }
  return ResolvedVersion{*best, false};
}

Result<VerifiedPackage> VerifyPackage(const IndexEntry& expected, const FetchedPackage& fetched,
                                      const TrustPolicy& policy, std::string_view engine_version) {
  const std::string label = expected.name + " " + expected.version;
  const std::string& bytes = fetched.archive;
  if (bytes.size() != expected.size) {
    return Status(ErrorKind::kIntegrity,
                  label + " from " + policy.registry_label + " is " + std::to_string(bytes.size()) +
                      " bytes; its index entry says " + std::to_string(expected.size));
  }
  std::string digest = Sha256Hex(bytes);
  if (digest != expected.sha256) {
    return Status(ErrorKind::kIntegrity, label + " from " + policy.registry_label + " has sha256 " +
                                             digest + "; its index entry says " + expected.sha256);
  }

  VerifiedPackage verified;
  const std::string unsigned_hint =
      "; add ALLOW UNSIGNED to the " + policy.statement + " to accept it anyway";
  if (fetched.signature.empty()) {
    if (!policy.allow_unsigned) {
      return Status(ErrorKind::kIntegrity,
                    label + " from " + policy.registry_label + " is not signed" + unsigned_hint);
    }
  } else {
    std::vector<MinisignPublicKey> keys;
    for (const std::string& text : policy.trusted_keys) {
      Result<MinisignPublicKey> key = MinisignPublicKey::Parse(text);
      if (!key.ok()) return key.TakeStatus().WithContext(policy.registry_label + " TRUSTED_KEYS");
      keys.push_back(*key);
    }
    std::string signer = SignatureKeyId(fetched.signature);
    bool signer_trusted = std::any_of(keys.begin(), keys.end(), [&](const MinisignPublicKey& key) {
      return KeyIdHex(key.key_id.data()) == signer;
    });
    if (!signer_trusted) {
      if (!policy.allow_unsigned) {
        std::string why =
            keys.empty() ? policy.registry_label +
                               " trusts no keys (a registry given by URL has none: declare it with "
                               "CREATE REGISTRY … TRUSTED_KEYS ('RW…'))"
                         : "it is not among the keys " + policy.registry_label + " trusts";
        return Status(ErrorKind::kIntegrity, label + " is signed by key " +
                                                 (signer.empty() ? "?" : signer) + ", but " + why +
                                                 unsigned_hint);
      }
    } else {
      Result<MinisignVerified> result = MinisignVerify(bytes, fetched.signature, keys);
      if (!result.ok()) {
        return Status(ErrorKind::kIntegrity, "the signature of " + label + " from " +
                                                 policy.registry_label +
                                                 " does not verify: " + result.status().message());
      }
      std::string want = PackageSignatureComment(expected.name, expected.version, digest);
      if (result->trusted_comment != want) {
        return Status(ErrorKind::kIntegrity, "the signature of " + label + " is for '" +
                                                 result->trusted_comment + "', not '" + want +
                                                 "' (a signature replayed from another package)");
      }
      verified.key_id = result->key_id_hex.empty() ? signer : result->key_id_hex;
    }
  }

  Result<std::vector<ArchiveEntry>> entries = ReadArchive(bytes);
  if (!entries.ok()) return entries.TakeStatus().WithContext("package " + label);
  verified.entries = std::move(*entries);
  const ArchiveEntry* manifest_entry = nullptr;
  for (const ArchiveEntry& entry : verified.entries) {
    if (entry.path == kManifestPath) manifest_entry = &entry;
  }
  if (!manifest_entry) {
    return Status(ErrorKind::kInvalidArgument, "package " + label + " has no " + kManifestPath);
  }
  Result<Manifest> manifest = Manifest::Parse(manifest_entry->data);
  if (!manifest.ok())
    return manifest.TakeStatus().WithContext("package " + label + " " + kManifestPath);
  verified.manifest = std::move(*manifest);
  const Manifest& m = verified.manifest;
  if (m.name != expected.name || m.version != expected.version) {
    return Status(ErrorKind::kIntegrity,
                  "package " + label + " contains the manifest of " + m.name + " " + m.version);
  }
  ASSIGN_OR_RETURN(bool admits, EngineAdmits(m.engine, engine_version));
  if (!admits) {
    return Status(ErrorKind::kInvalidArgument, "package " + label + " needs sluice " + m.engine +
                                                   "; this is sluice " +
                                                   std::string(engine_version));
  }
  std::map<std::string, const ManifestFile*> listed;
  for (const ManifestFile& file : m.files) listed[file.path] = &file;
  std::set<std::string> seen;
  for (const ArchiveEntry& entry : verified.entries) {
    if (entry.path == kManifestPath) continue;
    auto it = listed.find(entry.path);
    if (it == listed.end()) {
      return Status(ErrorKind::kIntegrity, "package " + label + " contains '" + entry.path +
                                               "', which its manifest does not list");
    }
    const ManifestFile& file = *it->second;
    std::string file_digest = Sha256Hex(entry.data);
    if (file.size != entry.data.size() || file.sha256 != file_digest) {
      return Status(ErrorKind::kIntegrity,
                    "package " + label + ": '" + entry.path + "' has sha256 " + file_digest + " (" +
                        std::to_string(entry.data.size()) + " bytes); its manifest says " +
                        file.sha256 + " (" + std::to_string(file.size) + " bytes)");
    }
    seen.insert(entry.path);
  }
  for (const ManifestFile& file : m.files) {
    if (!seen.count(file.path)) {
      return Status(ErrorKind::kIntegrity,
                    "package " + label + " lacks '" + file.path + "', which its manifest lists");
    }
  }
  if (!seen.count(PackageSqlPath(m.name))) {
    return Status(ErrorKind::kInvalidArgument,
                  "package " + label + " has no " + PackageSqlPath(m.name));
  }
  return verified;
}

Status VerifyExtractedFolder(const std::string& dir, const VerifiedPackage& verified) {
  namespace fs = std::filesystem;
  const Manifest& m = verified.manifest;
  const std::string label = "package " + m.name + " " + m.version + " in the store (" + dir + ")";
  std::map<std::string, const ManifestFile*> listed;
  for (const ManifestFile& file : m.files) listed[file.path] = &file;
  const ArchiveEntry* manifest_entry = nullptr;
  for (const ArchiveEntry& entry : verified.entries) {
    if (entry.path == kManifestPath) manifest_entry = &entry;
  }
  std::set<std::string> seen;
  std::error_code error;
  fs::recursive_directory_iterator it(dir, error), end;
  if (error) {
    return Status(ErrorKind::kIntegrity, label + " cannot be read: " + error.message());
  }
  for (; it != end; it.increment(error)) {
    if (error) return Status(ErrorKind::kIntegrity, label + " cannot be read: " + error.message());
    const fs::directory_entry& file = *it;
    std::string rel = file.path().lexically_relative(dir).generic_string();
    fs::file_status status = file.symlink_status(error);
    if (error) return Status(ErrorKind::kIntegrity, label + ": '" + rel + "': " + error.message());
    if (fs::is_directory(status)) continue;
    if (!fs::is_regular_file(status)) {
      return Status(ErrorKind::kIntegrity,
                    label + ": '" + rel + "' is not a regular file; the package has none such");
    }
    std::string want_sha;
    uint64_t want_size = 0;
    if (rel == kManifestPath && manifest_entry) {
      want_sha = Sha256Hex(manifest_entry->data);
      want_size = manifest_entry->data.size();
    } else if (auto found = listed.find(rel); found != listed.end()) {
      want_sha = found->second->sha256;
      want_size = found->second->size;
    } else {
      return Status(
          ErrorKind::kIntegrity,
          label + ": '" + rel + "' is not a file of the package (its manifest does not list it)");
    }
    uint64_t size = fs::file_size(file.path(), error);
    std::string digest;
    if (!error && size == want_size) {
      Result<std::optional<std::string>> bytes = ReadFileCapped(file.path().string(), want_size);
      if (bytes.ok() && *bytes) digest = Sha256Hex(**bytes);
    }
    if (error || size != want_size || digest != want_sha) {
      return Status(ErrorKind::kIntegrity,
                    label + ": '" + rel + "' differs from the package (its manifest says sha256 " +
                        want_sha + ", " + std::to_string(want_size) + " bytes)");
    }
    seen.insert(rel);
  }
  for (const ManifestFile& file : m.files) {
    if (!seen.count(file.path))
      return Status(ErrorKind::kIntegrity, label + " lacks '" + file.path + "'");
  }
  if (!seen.count(kManifestPath))
    return Status(ErrorKind::kIntegrity, label + " lacks '" + std::string(kManifestPath) + "'");
  return Status::Ok();
}

std::string PackageSqlPath(const std::string& type) { return "sql/" + type + ".sql"; }

namespace {

// Whether `inner` is `root` or below it (both normalised, absolute or not).
bool Within(const std::filesystem::path& root, const std::filesystem::path& inner) {
  auto r = root.begin(), i = inner.begin();
  for (; r != root.end(); ++r, ++i) {
    if (r->empty()) continue;  // a trailing separator
    if (i == inner.end() || *r != *i) return false;
  }
  return true;
}

// "" when `written` (a path in sql/<type>.sql) stays inside the package;
// otherwise why not.
std::string EscapesPackage(const std::string& written, const std::string& package_dir) {
  namespace fs = std::filesystem;
  fs::path path(written);
  if (path.is_absolute() || path.has_root_name() || path.has_root_directory())
    return "is absolute; a package may only use its own files";
  fs::path lexical = (fs::path("sql") / path).lexically_normal();
  if (lexical.empty() || *lexical.begin() == "..")
    return "leaves the package folder; a package may only use its own files";
  if (package_dir.empty()) return "";
  std::error_code error;
  fs::path root = fs::weakly_canonical(fs::path(package_dir), error);
  if (error) return "cannot be resolved: " + error.message();
  fs::path real = fs::weakly_canonical(fs::path(package_dir) / "sql" / path, error);
  if (error) return "cannot be resolved: " + error.message();
  if (!Within(root.lexically_normal(), real.lexically_normal()))
    return "resolves (through a symbolic link) to '" + real.string() +
           "', outside the package folder";
  return "";
}

// Whether `expr` is plain JSON: literals, objects, arrays and signed
// numbers. Anything else (ENV(…), a SELECT, a variable) would be evaluated
// on the installing machine and could carry its environment or workspace
// into the definition, where a handler can read it.
bool IsConstantJson(const ast::ExprPtr& expr) {
  if (!expr) return true;
  if (std::holds_alternative<ast::LiteralExpr>(expr->node)) return true;
  if (auto* unary = std::get_if<ast::UnaryExpr>(&expr->node)) {
    return unary->op != ast::UnaryOp::kNot && unary->operand &&
           std::holds_alternative<ast::LiteralExpr>(unary->operand->node);
  }
  if (auto* object = std::get_if<ast::ObjectExpr>(&expr->node)) {
    for (const auto& entry : object->entries) {
      if (!IsConstantJson(entry.second)) return false;
    }
    return true;
  }
  if (auto* array = std::get_if<ast::ArrayExpr>(&expr->node)) {
    for (const ast::ExprPtr& element : array->elements) {
      if (!IsConstantJson(element)) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

Status CheckPackageStatements(const ast::Program& program, const std::string& type,
                              const std::string& kind, const std::string& package_dir) {
  const std::string prefix = type + ".";
  bool has_integration = false;
  auto refuse = [&](const ast::Statement& statement, const std::string& what) {
    return Status(ErrorKind::kInvalidArgument, "package " + PackageSqlPath(type) + " line " +
                                                   std::to_string(statement.span.begin.line) +
                                                   ": " + ast::StatementName(statement) + what);
  };
  auto check_constant = [&](const ast::Statement& statement, const char* clause,
                            const ast::ExprPtr& expr) -> Status {
    if (IsConstantJson(expr)) return Status::Ok();
    return refuse(statement, ": " + std::string(clause) +
                                 " must be plain JSON in a package (an expression such as ENV(…) or a "
                                 "SELECT would be evaluated on the installing machine)");
  };
  auto check_path = [&](const ast::Statement& statement, const char* clause,
                        const std::string& written) -> Status {
    std::string why = EscapesPackage(written, package_dir);
    if (why.empty()) return Status::Ok();
    return refuse(statement, ": " + std::string(clause) + " '" + written + "' " + why);
  };
  for (const ast::Statement& statement : program.statements) {
    std::string named;
    bool definition = true;
    if (auto* t = std::get_if<ast::CreateConnectorTypeStmt>(&statement.node)) {
      named = t->name.text;
      if (named == type) {
        RETURN_IF_ERROR(check_constant(statement, "CONFIG_SCHEMA", t->config_schema));
        if (t->plugin) {
          // Installing must never start a program a package names.
          return refuse(statement, ": FROM PLUGIN" + std::string(t->plugin_local ? " LOCAL" : "") +
                                       " is not allowed in a package (installing would run '" +
                                       *t->plugin + "'); a package is declared or an integration");
        }
        if (t->integration) {
          has_integration = true;
          if (kind == "declared") {
            return refuse(statement,
                          ": FROM INTEGRATION in a package whose manifest says kind \"declared\"");
          }
          RETURN_IF_ERROR(check_path(statement, "FROM INTEGRATION", *t->integration));
        }
        continue;
      }
    } else if (auto* e = std::get_if<ast::CreateEntityStmt>(&statement.node)) {
      named = e->name.text;
      if (named.starts_with(prefix) && named.size() > prefix.size()) {
        RETURN_IF_ERROR(check_constant(statement, "FIELDS", e->fields));
        if (e->handler.file)
          RETURN_IF_ERROR(check_path(statement, "QUERY_HANDLER FILE", *e->handler.file));
        continue;
      }
    } else if (auto* a = std::get_if<ast::CreateActionStmt>(&statement.node)) {
      named = a->name.text;
      if (named.starts_with(prefix) && named.size() > prefix.size()) {
        RETURN_IF_ERROR(check_constant(statement, "PARAMETERS", a->parameters));
        if (a->handler.file)
          RETURN_IF_ERROR(check_path(statement, "HANDLER FILE", *a->handler.file));
        continue;
      }
    } else {
      definition = false;
    }
    std::string what =
        definition ? " defines '" + named + "', which is not part of connector type '" + type + "'"
                   : " is not allowed in a package (only CREATE CONNECTOR TYPE/ENTITY/ACTION of '" +
                         type + "')";
    return refuse(statement, what);
  }
  if (kind == "integration" && !has_integration) {
    return Status(ErrorKind::kInvalidArgument,
                  "package " + PackageSqlPath(type) +
                      ": its manifest says kind \"integration\", but CREATE CONNECTOR TYPE '" +
                      type + "' has no FROM INTEGRATION");
  }
  return Status::Ok();
}

SchemaDiff DiffEntities(const std::string& type, const std::vector<EntityDef>& installed,
                        const std::vector<ManifestEntity>& next) {
  SchemaDiff diff;
  std::map<std::string, const ManifestEntity*> by_name;
  for (const ManifestEntity& entity : next) by_name[entity.name] = &entity;
  std::set<std::string> old_names;
  for (const EntityDef& old : installed) {
    old_names.insert(old.name);
    const std::string label = type + "." + old.name;
    auto it = by_name.find(old.name);
    if (it == by_name.end()) {
      diff.breaking.push_back({old.name, "entity '" + label + "' is removed"});
      continue;
    }
    const ManifestEntity& now = *it->second;
    for (const auto& [field, spec] : old.fields.items()) {
      if (!now.fields.is_object() || !now.fields.contains(field)) {
        diff.breaking.push_back({old.name, "field '" + label + "." + field + "' is removed"});
        continue;
      }
      const Value& next_spec = now.fields[field];
      if (FieldType(spec) != FieldType(next_spec)) {
        diff.breaking.push_back({old.name,
                                 "field '" + label + "." + field + "' changes type from " +
                                     FieldType(spec) + " to " + FieldType(next_spec),
                                 true});
      }
      if (FieldFlag(spec, "primary_key") != FieldFlag(next_spec, "primary_key")) {
        diff.breaking.push_back({old.name,
                                 "field '" + label + "." + field + "' " +
                                     (FieldFlag(next_spec, "primary_key") ? "joins" : "leaves") +
                                     " the primary key",
                                 true});
      }
    }
    if (now.fields.is_object()) {
      for (const auto& [field, spec] : now.fields.items()) {
        if (old.fields.contains(field)) continue;
        if (FieldFlag(spec, "primary_key")) {
          diff.breaking.push_back(
              {old.name, "field '" + label + "." + field + "' is new and joins the primary key",
               true});
        } else {
          diff.additions.push_back("field '" + label + "." + field + "' is new");
        }
      }
    }
    if (old.cursor != now.cursor) {
      diff.breaking.push_back({old.name, "entity '" + label + "' changes its CURSOR from " +
                                             OrNone(old.cursor) + " to " + OrNone(now.cursor)});
    }
    if (old.parent != now.parent) {
      diff.breaking.push_back({old.name, "entity '" + label + "' changes its PARENT from " +
                                             OrNone(old.parent) + " to " + OrNone(now.parent)});
    }
  }
  for (const ManifestEntity& entity : next) {
    if (!old_names.count(entity.name))
      diff.additions.push_back("entity '" + type + "." + entity.name + "' is new");
  }
  return diff;
}

std::vector<BreakingChange> DeclaredBreakingChanges(const Manifest& next,
                                                    const std::string& from_version) {
  std::vector<BreakingChange> out;
  Result<semver::Version> from = semver::ParseVersion(from_version);
  Result<semver::Version> to = semver::ParseVersion(next.version);
  if (!from.ok() || !to.ok()) return out;
  for (const BreakingChange& change : next.breaking_changes) {
    Result<semver::Version> at = semver::ParseVersion(change.version);
    if (!at.ok()) continue;
    if (semver::Compare(*at, *from) > 0 && semver::Compare(*at, *to) <= 0) out.push_back(change);
  }
  return out;
}

std::vector<SchemaDiff::Breaking> UndeclaredBreaking(const SchemaDiff& diff,
                                                     const std::vector<BreakingChange>& declared) {
  std::vector<SchemaDiff::Breaking> out;
  for (const SchemaDiff::Breaking& change : diff.breaking) {
    bool covered = std::any_of(declared.begin(), declared.end(), [&](const BreakingChange& d) {
      return d.entities.empty() ||
             std::find(d.entities.begin(), d.entities.end(), change.entity) != d.entities.end();
    });
    if (!covered) out.push_back(change);
  }
  return out;
}

std::string LockPathFor(const std::string& workspace_path) {
  namespace fs = std::filesystem;
  if (workspace_path.empty() || workspace_path == ":memory:")
    return (fs::current_path() / "sluice.lock").string();
  return (fs::absolute(workspace_path).parent_path() / "sluice.lock").string();
}

Status ForgetLockedPackage(const std::string& lock_path, const std::string& type) {
  std::error_code error;
  if (!std::filesystem::exists(lock_path, error)) return Status::Ok();
  ASSIGN_OR_RETURN(LockFile lock, LockFile::Load(lock_path));
  if (lock.packages.erase(type) == 0) return Status::Ok();
  return lock.Save(lock_path);
}

std::string ShortDigest(const std::string& sha256) { return sha256.substr(0, 12); }

}  // namespace sluice
