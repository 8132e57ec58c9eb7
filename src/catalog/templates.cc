#include "catalog/templates.h"

#include <cstdlib>
#include <optional>

#include "core/secret_masker.h"

namespace sluice {
namespace {

bool IsSecretKey(const Value& config_schema, const std::string& key) {
  auto spec = config_schema.find(key);
  if (spec == config_schema.end() || !spec->is_object()) return false;
  auto secret = spec->find("secret");
  return secret != spec->end() && secret->is_boolean() && secret->get<bool>();
}

// The next {{…}} of `text` at or after `pos`: where it opens and closes,
// and what it holds, trimmed.
struct Template {
  size_t open = 0, close = 0;
  std::string inner;
};
std::optional<Template> NextTemplate(const std::string& text, size_t pos) {
  size_t open = text.find("{{", pos);
  if (open == std::string::npos) return std::nullopt;
  size_t close = text.find("}}", open);
  if (close == std::string::npos) return std::nullopt;
  std::string inner = text.substr(open + 2, close - open - 2);
  inner.erase(0, inner.find_first_not_of(" \t"));
  inner.erase(inner.find_last_not_of(" \t") + 1);
  return Template{open, close, std::move(inner)};
}

// Replaces each {{secrets.NAME}} / {{env.NAME}} in `text`.
Result<std::string> ResolveTemplates(const std::string& text, const std::string& key,
                                     const SecretLookup& secrets, bool secret_key) {
  std::string out;
  size_t pos = 0;
  while (std::optional<Template> found = NextTemplate(text, pos)) {
    size_t open = found->open, close = found->close;
    const std::string& inner = found->inner;
    std::string value;
    if (inner.starts_with("secrets.")) {
      Result<std::string> secret = secrets(inner.substr(8));
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
    // A package signing key (`sluice keygen`) is stored as a secret but is
    // for PUBLISH … SIGNED BY alone: handler code must never hold it.
    if (value.starts_with("sluice-ed25519-secret:")) {
      return Status(ErrorKind::kInvalidArgument,
                    "config key '" + key + "': {{" + inner +
                        "}} is a package signing key; signing keys are only for PUBLISH … SIGNED "
                        "BY, never a connector's config");
    }
    out += text.substr(pos, open - pos) + value;
    pos = close + 2;
  }
  out += text.substr(pos);
  return out;
}

bool HasTemplate(const Value& value) {
  return value.is_string() && value.get_ref<const std::string&>().find("{{") != std::string::npos;
}

// Every string inside `value`: a cloudquery destination's `spec` is an
// object whose values hold templates too.
Status ResolveNested(Value& value, const std::string& key, const SecretLookup& secrets) {
  if (value.is_object() || value.is_array()) {
    for (auto& [inner_key, inner] : value.items()) {
      RETURN_IF_ERROR(ResolveNested(inner, value.is_object() ? key + "." + inner_key : key, secrets));
    }
    return Status::Ok();
  }
  if (!HasTemplate(value)) return Status::Ok();
  ASSIGN_OR_RETURN(std::string text, ResolveTemplates(value.get<std::string>(), key, secrets, true));
  value = std::move(text);
  return Status::Ok();
}

void CollectSecretNames(const Value& value, std::set<std::string>& names) {
  if (value.is_object() || value.is_array()) {
    for (const auto& inner : value) CollectSecretNames(inner, names);
    return;
  }
  if (!value.is_string()) return;
  const std::string& text = value.get_ref<const std::string&>();
  size_t pos = 0;
  while (std::optional<Template> found = NextTemplate(text, pos)) {
    if (found->inner.starts_with("secrets.")) names.insert(found->inner.substr(8));
    pos = found->close + 2;
  }
}

}  // namespace

std::set<std::string> SecretNamesIn(const Value& value) {
  std::set<std::string> names;
  CollectSecretNames(value, names);
  return names;
}

Result<Value> ResolveConnectorConfig(const Value& config, const Value& config_schema,
                                     const SecretLookup& secrets) {
  Value resolved = config;
  for (auto& [key, value] : resolved.items()) {
    if (!HasTemplate(value)) continue;
    ASSIGN_OR_RETURN(std::string text, ResolveTemplates(value.get<std::string>(), key, secrets,
                                                        IsSecretKey(config_schema, key)));
    value = std::move(text);
  }
  return resolved;
}

Result<Value> ResolveDestinationConfig(const Value& config, const std::string& owner,
                                       const SecretLookup& secrets) {
  Value resolved = config;
  for (auto& [key, value] : resolved.items()) {
    Status done = ResolveNested(value, key, secrets);
    if (!done.ok()) return done.WithContext(owner);
  }
  return resolved;
}

}  // namespace sluice
