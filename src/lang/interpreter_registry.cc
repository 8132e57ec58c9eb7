// CREATE/DROP/SHOW/DESCRIBE REGISTRY, and finding a registry by name or URL
// for PUBLISH, INSTALL and YANK (interpreter_package.h).
#include <algorithm>

#include "lang/interpreter_package.h"
#include "package/minisign.h"

namespace sluice {
namespace {

// A key is public, but a secret pasted by mistake must not be echoed: the
// message names the registry and the key's position, not the text.
Result<MinisignPublicKey> ParseTrustedKey(const std::string& key, const std::string& registry, size_t index) {
  Result<MinisignPublicKey> parsed = MinisignPublicKey::Parse(key);
  if (parsed.ok()) return parsed;
  // A signing key pasted where a public key belongs gets its own message
  // (the key itself is already masked by the parser of keys).
  if (parsed.status().message().rfind("this is a SECRET key", 0) == 0) {
    return Status(ErrorKind::kInvalidArgument, "registry '" + registry + "': trusted key " +
                                                   std::to_string(index + 1) + ": " +
                                                   parsed.status().message());
  }
  return Status(ErrorKind::kInvalidArgument,
                "registry '" + registry + "': trusted key " + std::to_string(index + 1) +
                    " is not a minisign public key (one line of 56 characters starting 'RW', as "
                    "`sluice keygen` or `minisign -G` prints it)");
}

std::string KeyIds(const RegistryDef& def) {
  std::string ids;
  for (size_t i = 0; i < def.trusted_keys.size(); ++i) {
    Result<MinisignPublicKey> key = ParseTrustedKey(def.trusted_keys[i], def.name, i);
    ids += (ids.empty() ? "" : ", ") + (key.ok() ? key->KeyIdHex() : std::string("(invalid key)"));
  }
  return ids;
}

}  // namespace

Status PackageStatements::CreateRegistry(const ast::CreateRegistryStmt& s) {
  const std::string& name = s.name.text;
  // A name that reads as a location would be taken for one in PUBLISH … TO
  // and INSTALL … FROM REGISTRY.
  if (LooksLikeRegistryUrl(name)) {
    return Status(ErrorKind::kInvalidArgument,
                  "registry name '" + name + "' looks like a path or URL; give a plain name and the location in URL")
        .At(s.name.span.begin);
  }
  // Opening only parses the URL; nothing is contacted until it is used.
  if (Result<std::unique_ptr<Registry>> opened = OpenRegistry(s.url); !opened.ok()) {
    return opened.TakeStatus().WithContext("CREATE REGISTRY " + name);
  }
  RegistryDef def;
  def.name = name;
  def.url = s.url;
  for (size_t i = 0; i < s.trusted_keys.size(); ++i) {
    // Stored as the one "RW…" line, whatever form of it was given (a whole
    // .pub file is accepted), so the same key twice is seen as a typo.
    ASSIGN_OR_RETURN(MinisignPublicKey key, ParseTrustedKey(s.trusted_keys[i], name, i));
    std::string line = key.Base64();
    if (std::find(def.trusted_keys.begin(), def.trusted_keys.end(), line) == def.trusted_keys.end()) {
      def.trusted_keys.push_back(std::move(line));
    }
  }
  return in_.workspace_.packages().PutRegistry(def, s.or_replace);
}

Status PackageStatements::DropRegistry(const std::string& name, bool if_exists) {
  // Installed packages name their registry: UPGRADE reads it, and ROLLBACK
  // checks signatures with its keys. Dropping it would strand them.
  ASSIGN_OR_RETURN(std::vector<InstalledPackage> packages,
                   in_.workspace_.packages().ListPackages());
  std::string users;
  for (const InstalledPackage& p : packages) {
    if (p.registry != name || !in_.workspace_.catalog().GetConnectorType(p.type).ok()) continue;
    users += (users.empty() ? "" : ", ") + ("'" + p.type + "' " + p.version);
  }
  if (!users.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "registry '" + name + "' is where installed connector types came from: " + users +
                      "; DROP those CONNECTOR TYPEs first, or change where the registry points "
                      "with CREATE OR REPLACE REGISTRY " +
                      name + " URL '…'");
  }
  Status status = in_.workspace_.packages().DropRegistry(name);
  if (if_exists && status.kind() == ErrorKind::kNotFound) return Status::Ok();
  return status;
}

Status PackageStatements::ShowRegistries() {
  ASSIGN_OR_RETURN(std::vector<RegistryDef> registries, in_.workspace_.packages().ListRegistries());
  ResultSet result;
  result.columns = {"name", "url", "trusted_keys", "created_at"};
  for (const RegistryDef& def : registries) {
    result.rows.push_back({Value(def.name), Value(def.url), Value(KeyIds(def)), Value(def.created_at)});
  }
  in_.output_.Emit(result);
  return Status::Ok();
}

Status PackageStatements::DescribeRegistry(const std::string& name) {
  ASSIGN_OR_RETURN(RegistryDef def, in_.workspace_.packages().GetRegistry(name));
  ResultSet properties;
  properties.title = "registry '" + name + "'";
  properties.columns = {"property", "value"};
  properties.rows.push_back({Value("name"), Value(def.name)});
  properties.rows.push_back({Value("url"), Value(def.url)});
  properties.rows.push_back({Value("created_at"), Value(def.created_at)});
  in_.output_.Emit(properties);
  ResultSet keys;
  keys.title = "trusted keys";
  keys.columns = {"key_id", "public_key"};
  for (size_t i = 0; i < def.trusted_keys.size(); ++i) {
    Result<MinisignPublicKey> key = ParseTrustedKey(def.trusted_keys[i], name, i);
    keys.rows.push_back({key.ok() ? Value(key->KeyIdHex()) : Value(), Value(def.trusted_keys[i])});
  }
  in_.output_.Emit(keys);
  ASSIGN_OR_RETURN(std::vector<InstalledPackage> packages, in_.workspace_.packages().ListPackages());
  ResultSet installed;
  installed.title = "installed from it";
  installed.columns = {"type", "version"};
  for (const InstalledPackage& package : packages) {
    if (package.registry == name) installed.rows.push_back({Value(package.type), Value(package.version)});
  }
  in_.output_.Emit(installed);
  return Status::Ok();
}

Result<PackageStatements::OpenedRegistry> PackageStatements::OpenNamedRegistry(const std::string& name_or_url) {
  OpenedRegistry opened;
  Result<RegistryDef> declared = in_.workspace_.packages().GetRegistry(name_or_url);
  if (declared.ok()) {
    opened.name = declared->name;
    opened.url = declared->url;
    opened.trusted_keys = declared->trusted_keys;
  } else if (declared.status().kind() != ErrorKind::kNotFound) {
    return declared.TakeStatus();
  } else if (LooksLikeRegistryUrl(name_or_url)) {
    opened.url = name_or_url;
  } else {
    return Status(ErrorKind::kNotFound, "no registry named '" + name_or_url +
                                            "' (CREATE REGISTRY declares one; a directory or URL works too)");
  }
  Result<std::unique_ptr<Registry>> registry = OpenRegistry(opened.url);
  if (!registry.ok()) {
    Status status = registry.TakeStatus();
    if (!opened.name.empty()) status.WithContext("registry '" + opened.name + "'");
    return status;
  }
  opened.registry = std::move(registry).value();
  return opened;
}

}  // namespace sluice
