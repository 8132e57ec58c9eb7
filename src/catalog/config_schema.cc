#include "catalog/config_schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

#include "catalog/connector_options.h"
#include "core/credential.h"
#include "core/identifier.h"

namespace sluice {
namespace {

constexpr std::string_view kConfigTypes[] = {"array",  "boolean", "integer",
                                             "number", "object",  "string"};
constexpr std::string_view kSchemaAttributes[] = {"default", "description", "required", "secret",
                                                  "type"};
constexpr std::string_view kFieldTypes[] = {"array",   "boolean", "date",   "document",
                                            "integer", "number",  "string", "timestamp"};
constexpr std::string_view kFieldAttributes[] = {"description", "filterable", "nullable",
                                                 "primary_key", "required",   "sortable",
                                                 "type"};
constexpr std::string_view kFieldFlags[] = {"filterable", "nullable", "primary_key", "required",
                                            "sortable"};
// Long values are cut in messages: the point is to recognise the value.
constexpr size_t kMaxPreview = 60;

template <typename Range>
bool Contains(const Range& range, std::string_view item) {
  return std::find(std::begin(range), std::end(range), item) != std::end(range);
}

template <typename Range>
std::string JoinNames(const Range& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out.empty() ? "none" : out;
}

// `got string "abc"`: the type, then the value as JSON.
std::string Describe(const Value& value) {
  std::string json = value.dump(-1, ' ', false, Value::error_handler_t::replace);
  if (json.size() > kMaxPreview) json = json.substr(0, kMaxPreview) + "…";
  return std::string(ValueTypeName(value)) + " " + json;
}

// A {{secrets.NAME}} or {{env.NAME}} inside a string.
struct TemplateRef {
  bool secret;  // secrets.NAME rather than env.NAME
  std::string name;
};

struct TemplateScan {
  std::vector<TemplateRef> refs;
  bool whole = false;      // the string is exactly one template
  bool malformed = false;  // something like {{secret.x}} or {{env.}}
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// `{{ word . name }}` where word is secrets or env. Other `{{…}}` text is left
// alone (it may be a handler's own placeholder), unless its word is close
// enough to ours that it is surely a mistyped template.
TemplateScan ScanTemplates(std::string_view text) {
  TemplateScan scan;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    size_t start = pos;
    size_t i = pos + 2;
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t word_start = i;
    while (i < text.size() && (std::isalpha(static_cast<unsigned char>(text[i])) != 0)) ++i;
    std::string word(text.substr(word_start, i - word_start));
    std::string lower = word;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "secrets" && lower != "secret" && lower != "env") {
      pos += 2;
      continue;
    }
    size_t name_start = i + 1;
    size_t name_end = name_start;
    bool ok = (word == "secrets" || word == "env") && i < text.size() && text[i] == '.';
    if (ok) {
      while (name_end < text.size() && !IsSpace(text[name_end]) && text[name_end] != '{' &&
             text[name_end] != '}') {
        ++name_end;
      }
      i = name_end;
      while (i < text.size() && IsSpace(text[i])) ++i;
      ok = name_end > name_start && text.substr(i, 2) == "}}";
    }
    if (!ok) {
      scan.malformed = true;
      return scan;
    }
    scan.refs.push_back(
        {word == "secrets", std::string(text.substr(name_start, name_end - name_start))});
    pos = i + 2;
    if (start == 0 && pos == text.size() && scan.refs.size() == 1) scan.whole = true;
  }
  return scan;
}

// Checks `value` against a config type, turning 3.0 into 3 for integers.
bool MatchesType(std::string_view type, Value& value) {
  if (type.empty()) return true;
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    double d = value.get<double>();
    // 2^63 is exact in a double; anything at or above it would overflow.
    if (!std::isfinite(d) || std::trunc(d) != d || d < -9223372036854775808.0 ||
        d >= 9223372036854775808.0) {
      return false;
    }
    value = static_cast<int64_t>(d);
    return true;
  }
  return false;
}

std::string TypeOf(const Value& spec) {
  auto it = spec.find("type");
  return it != spec.end() && it->is_string() ? it->get<std::string>() : "";
}

bool FlagOf(const Value& spec, const char* flag) {
  auto it = spec.find(flag);
  return it != spec.end() && it->is_boolean() && it->get<bool>();
}

Status SecretLiteral(const std::string& key) {
  return Status(ErrorKind::kInvalidArgument,
                "config key '" + key + "' is secret: store the value with CREATE SECRET " + key +
                    " VALUE '…' and write \"{{secrets." + key + "}}\" here");
}

// One present config value. Never quotes the value of a secret key.
Status ValidateValue(const std::string& key, const Value& spec, Value& value,
                     const std::function<Result<bool>(const std::string&)>& secret_exists,
                     SecretLiterals literals = SecretLiterals::kRefuse) {
  bool secret = FlagOf(spec, "secret");
  std::string type = TypeOf(spec);
  if (value.is_string()) {
    TemplateScan scan = ScanTemplates(value.get_ref<const std::string&>());
    if (scan.malformed) {
      return Status(ErrorKind::kInvalidArgument,
                    "config key '" + key +
                        "' holds a malformed template: write {{secrets.NAME}} or {{env.NAME}}");
    }
    for (const TemplateRef& ref : scan.refs) {
      if (!ref.secret || !secret_exists) continue;
      ASSIGN_OR_RETURN(bool exists, secret_exists(ref.name));
      if (!exists) {
        return Status(ErrorKind::kNotFound, "config key '" + key + "' refers to secret '" +
                                                ref.name + "', which does not exist");
      }
    }
    // Resolved when a handler runs, so its type is checked then.
    if (scan.whole) return Status();
    if (secret && !scan.refs.empty()) {
      return Status(ErrorKind::kInvalidArgument,
                    "config key '" + key +
                        "' is secret: its value must be exactly one template, such as "
                        "\"{{secrets.NAME}}\", with no text around it");
    }
  }
  if (secret && literals == SecretLiterals::kRefuse) return SecretLiteral(key);
  if (!MatchesType(type, value)) {
    // A credential given the wrong type is still a credential: its value
    // is never echoed, only its type.
    bool hide = secret || LooksLikeCredentialName(key);
    return Status(ErrorKind::kType, "config key '" + key + "' must be " + type + ", got " +
                                        (hide ? std::string(ValueTypeName(value)) : Describe(value)));
  }
  return Status();
}

}  // namespace

Status ValidateConfigSchema(const Value& schema) {
  if (!schema.is_object()) {
    return Status(ErrorKind::kType, "a config schema must be an object, got " + Describe(schema));
  }
  for (const auto& [key, spec] : schema.items()) {
    std::string where = "config schema key '" + key + "'";
    if (!spec.is_object()) {
      return Status(ErrorKind::kType, where + " must be an object such as {\"type\": \"string\"}, "
                                              "got " + Describe(spec));
    }
    for (const auto& [attribute, setting] : spec.items()) {
      if (!Contains(kSchemaAttributes, attribute)) {
        return Status(ErrorKind::kInvalidArgument,
                      where + " has unknown attribute '" + attribute +
                          "' (known attributes: " + JoinNames(kSchemaAttributes) + ")");
      }
      bool is_flag = attribute == "required" || attribute == "secret";
      if (is_flag && !setting.is_boolean()) {
        return Status(ErrorKind::kType, where + ": '" + attribute +
                                            "' must be true or false, got " + Describe(setting));
      }
      if ((attribute == "description" || attribute == "type") && !setting.is_string()) {
        return Status(ErrorKind::kType, where + ": '" + attribute + "' must be a string, got " +
                                            Describe(setting));
      }
    }
    std::string type = TypeOf(spec);
    if (spec.contains("type") && !Contains(kConfigTypes, type)) {
      return Status(ErrorKind::kInvalidArgument, where + " has unknown type '" + type +
                                                     "' (known types: " +
                                                     JoinNames(kConfigTypes) + ")");
    }
    auto found = spec.find("default");
    if (found == spec.end()) continue;
    // A default passes the same checks as a value written in CONFIG, so a
    // secret key's default can only be a template.
    Value copy = *found;
    Status status = ValidateValue(key, spec, copy, nullptr);
    if (!status.ok()) {
      return Status(status.kind(), where + " has a bad default: " + status.message());
    }
  }
  return Status();
}

namespace {

using ValueCheck = std::function<Status(const std::string& key, const Value& spec, Value& value)>;

// What CONFIG and action arguments share: unknown keys refused (naming the
// known ones), missing keys defaulted or reported as required, then `check`
// on every value present.
Status ValidateAgainst(const Value& schema, Value& object, const std::string& noun,
                       const std::string& known_label, const ValueCheck& check) {
  for (const auto& [key, value] : object.items()) {
    if (schema.contains(key)) continue;
    std::vector<std::string> known;
    for (const auto& [name, spec] : schema.items()) known.push_back(name);
    std::sort(known.begin(), known.end());
    return Status(ErrorKind::kInvalidArgument, "unknown " + noun + " '" + key + "' (" + known_label +
                                                   ": " + JoinNames(known) + ")");
  }
  for (const auto& [key, spec] : schema.items()) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      auto found = spec.find("default");
      if (found != spec.end()) {
        object[key] = *found;
      } else if (FlagOf(spec, "required")) {
        return Status(ErrorKind::kInvalidArgument, noun + " '" + key + "' is required");
      } else {
        continue;
      }
      it = object.find(key);
    }
    RETURN_IF_ERROR(check(key, spec, *it));
  }
  return Status();
}

}  // namespace

Status ValidateConfig(const Value& schema, Value& config,
                      const std::function<Result<bool>(const std::string&)>& secret_exists,
                      SecretLiterals literals) {
  RETURN_IF_ERROR(ValidateConfigSchema(schema));
  if (!config.is_object()) {
    return Status(ErrorKind::kType, "CONFIG must be an object, got " + Describe(config));
  }
  return ValidateAgainst(schema, config, "config key", "known keys",
                         [&](const std::string& key, const Value& spec, Value& value) {
                           return ValidateValue(key, spec, value, secret_exists, literals);
                         });
}

Status ValidateParameters(const Value& schema, Value& params) {
  if (!params.is_object()) {
    return Status(ErrorKind::kType, "arguments must be an object, got " + Describe(params));
  }
  return ValidateAgainst(schema, params, "parameter", "parameters",
                         [](const std::string& key, const Value& spec, Value& value) {
                           std::string type = TypeOf(spec);
                           if (MatchesType(type, value)) return Status();
                           return Status(ErrorKind::kType, "parameter '" + key + "' must be " + type +
                                                               ", got " + Describe(value));
                         });
}

Status CheckFieldName(const std::string& name) {
  if (name.empty()) return Status(ErrorKind::kInvalidArgument, "a field name must not be empty");
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "_raw" || lower == "_parent" || lower.starts_with("_sluice_")) {
    return Status(ErrorKind::kInvalidArgument,
                  "field '" + name +
                      "' has a reserved name: _raw, _parent and _sluice_… are the columns "
                      "Sluice adds to live and synced tables; rename the field");
  }
  return Status();
}

Status ValidateFields(const Value& fields) {
  if (!fields.is_object()) {
    return Status(ErrorKind::kType, "FIELDS must be an object, got " + Describe(fields));
  }
  if (fields.empty()) {
    return Status(ErrorKind::kInvalidArgument, "FIELDS must declare at least one field");
  }
  // Fields become columns; SQLite folds ASCII case in column names, so `id`
  // and `ID` would be one column and the table could not be declared.
  std::map<std::string, std::string> folded;
  for (const auto& [name, spec] : fields.items()) {
    std::string where = "field '" + name + "'";
    RETURN_IF_ERROR(CheckFieldName(name));
    auto [twin, fresh] = folded.emplace(FoldIdentifier(name), name);
    if (!fresh) {
      return Status(ErrorKind::kInvalidArgument,
                    where + " differs only in letter case from field '" + twin->second +
                        "'; SQLite does not tell column names apart by case: rename one");
    }
    if (!spec.is_object()) {
      return Status(ErrorKind::kType, where + " must be an object such as {\"type\": \"string\"}, "
                                              "got " + Describe(spec));
    }
    for (const auto& [attribute, setting] : spec.items()) {
      if (!Contains(kFieldAttributes, attribute)) {
        return Status(ErrorKind::kInvalidArgument,
                      where + " has unknown attribute '" + attribute +
                          "' (known attributes: " + JoinNames(kFieldAttributes) + ")");
      }
      if (Contains(kFieldFlags, attribute) && !setting.is_boolean()) {
        return Status(ErrorKind::kType, where + ": '" + attribute +
                                            "' must be true or false, got " + Describe(setting));
      }
      if (attribute == "description" && !setting.is_string()) {
        return Status(ErrorKind::kType,
                      where + ": 'description' must be a string, got " + Describe(setting));
      }
    }
    auto type = spec.find("type");
    if (type == spec.end()) {
      return Status(ErrorKind::kInvalidArgument,
                    where + " has no type (one of: " + JoinNames(kFieldTypes) + ")");
    }
    if (!type->is_string()) {
      return Status(ErrorKind::kType, where + ": 'type' must be a string, got " + Describe(*type));
    }
    if (!Contains(kFieldTypes, type->get_ref<const std::string&>())) {
      return Status(ErrorKind::kInvalidArgument,
                    where + " has unknown type '" + type->get<std::string>() +
                        "' (known types: " + JoinNames(kFieldTypes) + ")");
    }
  }
  return Status();
}

Status ValidateOptions(const Value& options) {
  if (!options.is_object()) {
    return Status(ErrorKind::kType, "OPTIONS must be an object, got " + Describe(options));
  }
  for (const auto& [key, value] : options.items()) {
    const ConnectorOption* option = FindConnectorOption(key);
    if (!option) {
      std::vector<std::string_view> known;
      for (const ConnectorOption& each : ConnectorOptions()) known.push_back(each.name);
      return Status(ErrorKind::kInvalidArgument, "unknown option '" + key +
                                                     "' (known options: " + JoinNames(known) +
                                                     ")");
    }
    if (option->type == OptionType::kChoice) {
      std::string choices;
      bool valid = false;
      for (std::string_view choice : option->choices) {
        choices += (choices.empty() ? "\"" : "\" or \"") + std::string(choice);
        valid = valid || (value.is_string() && value.get_ref<const std::string&>() == choice);
      }
      choices += "\"";
      if (!valid) {
        return Status(ErrorKind::kInvalidArgument,
                      "option '" + key + "' must be " + choices + ", got " + Describe(value));
      }
      continue;
    }
    if (option->type == OptionType::kTableName) {
      // The destination table's name, with {connector} and {entity}.
      if (!value.is_string() || value.get_ref<const std::string&>().find("{entity}") == std::string::npos) {
        return Status(ErrorKind::kInvalidArgument, "option '" + key +
                                                       "' must be text naming {entity} (and maybe {connector}), "
                                                       "e.g. \"raw_{connector}_{entity}\", got " + Describe(value));
      }
      // It names a file in a JSONL/CSV destination's folder: it must stay there.
      const std::string& name = value.get_ref<const std::string&>();
      if (name.find_first_of(std::string("/\\\0", 3)) != std::string::npos || name.find("..") != std::string::npos) {
        return Status(ErrorKind::kInvalidArgument, "option '" + key +
                                                       "' must not contain '/', '\\', NUL or '..': it names a "
                                                       "file in a destination folder, got " + Describe(value));
      }
      continue;
    }
    if (!value.is_number()) {
      return Status(ErrorKind::kType, "option '" + key + "' must be a non-negative number, got " +
                                          Describe(value));
    }
    // Unsigned first: get<int64_t>() of a huge unsigned value wraps negative.
    bool negative = !value.is_number_unsigned() &&
                    (value.is_number_integer() ? value.get<int64_t>() < 0
                                               : value.get<double>() < 0);
    if (negative) {
      return Status(ErrorKind::kInvalidArgument,
                    "option '" + key + "' must not be negative, got " + value.dump());
    }
    if (option->type == OptionType::kInteger && option->max_number > 0 && !value.is_number_integer() &&
        !value.is_number_unsigned()) {
      return Status(ErrorKind::kType, "option '" + key + "' must be a whole number, got " + value.dump());
    }
    double number = value.get<double>();
    if (option->max_number > 0 && (number < option->min_number || number > option->max_number)) {
      char bounds[64];
      std::snprintf(bounds, sizeof bounds, "from %g to %g", option->min_number, option->max_number);
      return Status(ErrorKind::kInvalidArgument,
                    "option '" + key + "' must be " + bounds + ", got " + value.dump());
    }
  }
  return Status();
}

}  // namespace sluice
