// The one list of destination types: what CREATE DESTINATION … TYPE
// accepts, the CONFIG each needs, how a SYNC opens one, and which
// CloudQuery destination plugin (`sluice sync FILE.yaml`) stands for it.
// SQL (CREATE DESTINATION, SYNC … TO DESTINATION), the YAML configs
// (sync/cloudquery_config.cc, cli/sync_command.cc) and the docs read it
// from here, so a new destination type is one entry.
//
// Thread-safety: the built-in registry is immutable once made.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "dest/destination.h"

namespace sluice {

struct DestinationType {
  std::string name;  // as TYPE says it: "sqlite"
  std::string doc;   // one line, for docs and DESCRIBE
  // CONFIG keys that must hold text, each with the example its error shows.
  std::vector<std::pair<std::string, std::string>> required;
  // The CloudQuery destination plugin that maps to this type ("file" for
  // jsonl and csv, told apart by the spec's `format`), and how the
  // plugin's spec keys become CONFIG keys.
  std::string cloudquery_plugin;
  std::string cloudquery_format;  // the spec's `format` choosing this type; "" if none
  struct SpecKey {
    std::string spec;    // in the plugin's spec
    std::string config;  // in CONFIG
    bool required = false;
  };
  std::vector<SpecKey> cloudquery_keys;
  // Opens a destination of this type named `name`, CONFIG already checked
  // and its templates resolved.
  std::function<Result<std::unique_ptr<Destination>>(const std::string& name, const Value& config)> open;
  // Checks CONFIG (its templates unresolved) when CREATE DESTINATION
  // stores it, so a mistake shows there rather than at the first SYNC;
  // may be empty.
  std::function<Status(const std::string& name, const Value& config)> check;
};

class DestinationRegistry {
 public:
  // sqlite, postgresql, jsonl, csv, cloudquery.
  static const DestinationRegistry& Builtin();

  explicit DestinationRegistry(std::vector<DestinationType> types) : types_(std::move(types)) {}

  const std::vector<DestinationType>& types() const { return types_; }
  const DestinationType* Find(std::string_view name) const;
  // "'sqlite', 'postgresql', 'jsonl' or 'csv'", for errors.
  std::string QuotedNames() const;
  // The CloudQuery plugins, each once, in order: "sqlite", "postgresql", "file".
  std::vector<std::string> CloudQueryPlugins() const;
  // The types a plugin stands for.
  std::vector<const DestinationType*> ForPlugin(std::string_view plugin) const;

  // The type's destination named `name`; an unknown type, or a required
  // key missing, is an error naming it.
  Result<std::unique_ptr<Destination>> Open(const std::string& name, const std::string& type,
                                            const Value& config) const;

 private:
  std::vector<DestinationType> types_;
};

// "a, b or c".
std::string JoinWithOr(const std::vector<std::string>& items);

}  // namespace sluice
