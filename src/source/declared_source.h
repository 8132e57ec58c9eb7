// DeclaredSource: a connector of a declared type (CREATE CONNECTOR TYPE …
// with entities and handlers in the catalog): each entity is scanned by
// its own handler's query(config, filters, options, parent).
//
// Ownership: borrows the JsRuntime, which must outlive it.
// Thread-safety: the runtime's thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "source/connector_instance.h"

namespace sluice {

class DeclaredSource : public ConnectorInstance, public Partitioner {
 public:
  static Result<std::unique_ptr<DeclaredSource>> Create(
      js::JsRuntime& runtime, ConnectorSpec spec, js::ConsoleFunction console,
      const TransportFactory& transport = nullptr);

  // Runs the entity's query(config, filters, options, parent), options as
  // HandlerOptions(request) makes them; dropping the stream stops it.
  Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity,
                                          const ScanRequest& request) override;

  // A top-level entity whose handler defines partitions(config, {entity})
  // (async allowed, under the call's time limit) is partitioned as it
  // says (PartitionsOfList); without the function, or for a child, it is
  // not (nullopt).
  Partitioner* partitioner() override { return this; }
  Result<std::optional<std::vector<Partition>>> Partitions(const EntityDef& entity) override;

 private:
  using ConnectorInstance::ConnectorInstance;
};

// What a partitions() handler returned, as partitions: an array of at most
// kMaxPartitions strings, finite numbers or plain objects. The id is the
// string, the number's text, or an object's "id" member (a string or a
// number), else the object's JSON with its keys sorted; the spec is the
// element itself. An empty array is no partition at all (a sync of it
// syncs nothing). Errors (kConnector) start with `context` and name the
// offending index.
inline constexpr size_t kMaxPartitions = 100000;
Result<std::vector<Partition>> PartitionsOfList(const Value& listed, const std::string& context);

}  // namespace sluice
