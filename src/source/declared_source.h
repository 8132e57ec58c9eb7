// DeclaredSource: a connector of a declared type (CREATE CONNECTOR TYPE …
// with entities and handlers in the catalog): each entity is scanned by
// its own handler's query(config, filters, options, parent).
//
// Ownership: borrows the JsRuntime, which must outlive it.
// Thread-safety: the runtime's thread only.
#pragma once

#include <memory>

#include "source/connector_instance.h"

namespace sluice {

class DeclaredSource : public ConnectorInstance {
 public:
  static Result<std::unique_ptr<DeclaredSource>> Create(
      js::JsRuntime& runtime, ConnectorSpec spec, js::ConsoleFunction console,
      const TransportFactory& transport = nullptr);

  // Runs the entity's query(config, filters, options, parent), options as
  // HandlerOptions(request) makes them; dropping the stream stops it.
  Result<std::unique_ptr<RowSource>> Scan(const EntityDef& entity,
                                          const ScanRequest& request) override;

 private:
  using ConnectorInstance::ConnectorInstance;
};

}  // namespace sluice
