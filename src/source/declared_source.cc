#include "source/declared_source.h"

#include <nlohmann/json.hpp>

#include "js/json_cells.h"

namespace sluice {
namespace {

// A number's id as JavaScript's String() writes it (1.5e-7, not 1.5e-07;
// -0 as 0), so a handler that builds ids from numbers gets the same text.
std::string NumberId(const Value& number) {
  if (number.is_number_float()) return js::FormatNumberLikeJs(number.get<double>());
  return number.dump();
}

}  // namespace

Result<std::vector<Partition>> PartitionsOfList(const Value& listed, const std::string& context) {
  if (!listed.is_array()) {
    return Status(ErrorKind::kConnector,
                  context + ": partitions() returned " + ValueTypeName(listed) +
                      ", not an array of partitions (strings, numbers or objects)");
  }
  if (listed.size() > kMaxPartitions) {
    return Status(ErrorKind::kConnector,
                  context + ": partitions() returned " + std::to_string(listed.size()) +
                      " partitions; at most " + std::to_string(kMaxPartitions) + " are allowed");
  }
  std::vector<Partition> partitions;
  partitions.reserve(listed.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    const Value& element = listed[i];
    Partition partition;
    if (element.is_string()) {
      partition.id = element.get<std::string>();
    } else if (element.is_number()) {
      partition.id = NumberId(element);
    } else if (element.is_object()) {
      auto id = element.find("id");
      if (id != element.end() && id->is_string()) {
        partition.id = id->get<std::string>();
      } else if (id != element.end() && id->is_number()) {
        partition.id = NumberId(*id);
      } else {
        // Sorted keys: the same partition gets the same id in every run,
        // whatever order the handler wrote its keys in.
        partition.id = nlohmann::json::parse(element.dump())
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    } else {
      return Status(ErrorKind::kConnector,
                    context + ": partitions() element " + std::to_string(i) + " is " +
                        ValueTypeName(element) +
                        "; a partition is a string, a finite number or an object");
    }
    partition.spec = element;
    partitions.push_back(std::move(partition));
  }
  return partitions;
}

Result<std::unique_ptr<DeclaredSource>> DeclaredSource::Create(js::JsRuntime& runtime,
                                                               ConnectorSpec spec,
                                                               js::ConsoleFunction console,
                                                               const TransportFactory& transport) {
  std::unique_ptr<DeclaredSource> source(new DeclaredSource(std::move(spec)));
  RETURN_IF_ERROR(source->StartRealm(runtime, std::move(console), transport));
  return source;
}

Result<std::unique_ptr<RowSource>> DeclaredSource::Scan(const EntityDef& entity,
                                                        const ScanRequest& request) {
  std::string context = "connector '" + spec_.connector.name + "', entity '" + entity.name + "'" +
                        DefinedAt(entity.handler);
  Result<js::JsRealm::HandlerId> handler = Handler("entity:" + entity.name, entity.handler);
  if (!handler.ok()) return handler.TakeStatus().WithContext(context);
  if (!realm_->HasFunction(*handler, "query")) {
    return Status(
        ErrorKind::kConnector,
        context + ": the handler defines no function query(config, filters, options, parent)");
  }
  return StartRows(
      *handler, "query",
      {spec_.resolved_config, request.filters, HandlerOptions(request), request.parent},
      request.only_fields ? &*request.only_fields : nullptr, context);
}

Result<std::optional<std::vector<Partition>>> DeclaredSource::Partitions(const EntityDef& entity) {
  using Listed = std::optional<std::vector<Partition>>;
  // A child goes with its parent's unit, reading that unit's parents.
  if (!entity.parent.empty()) return Listed();
  std::string context = "connector '" + spec_.connector.name + "', entity '" + entity.name + "'" +
                        DefinedAt(entity.handler);
  Result<js::JsRealm::HandlerId> handler = Handler("entity:" + entity.name, entity.handler);
  if (!handler.ok()) return handler.TakeStatus().WithContext(context);
  if (!realm_->HasFunction(*handler, "partitions")) return Listed();
  Result<Value> listed =
      realm_->Call(*handler, "partitions", {spec_.resolved_config, Value{{"entity", entity.name}}},
                   limits_.timeout);
  if (!listed.ok()) return listed.TakeStatus().WithContext(context + ", partitions()");
  ASSIGN_OR_RETURN(std::vector<Partition> partitions, PartitionsOfList(*listed, context));
  return Listed(std::move(partitions));
}

}  // namespace sluice
