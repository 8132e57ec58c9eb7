#include "source/declared_source.h"

namespace sluice {

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

}  // namespace sluice
