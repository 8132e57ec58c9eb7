#include "source/connector_instance.h"

#include <cmath>

#include "net/curl_transport.h"
#include "net/policy_transport.h"

namespace sluice {
namespace {

double NumberOption(const Value& options, const char* key, double fallback) {
  auto found = options.find(key);
  return found != options.end() && found->is_number() ? found->get<double>() : fallback;
}

// " (handler items.js, defined at connector.sql:16:1)" for handlers kept in
// files, whose error positions point into the file, not at the statement.
std::string DefinedAt(const HandlerDef& handler) {
  if (handler.file.empty() || handler.defined_at.empty()) return "";
  return " (handler " + handler.file + ", defined at " + handler.defined_at + ")";
}

}  // namespace

ConnectorLimits ConnectorLimits::FromOptions(const Value& options) {
  ConnectorLimits limits;
  if (!options.is_object()) return limits;
  double seconds = NumberOption(options, "timeout_seconds", 60);
  limits.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::max(0.001, seconds) * 1000));
  limits.retry_count = static_cast<int>(NumberOption(options, "retry_count", 3));
  limits.rate_limit = NumberOption(options, "rate_limit", 0);
  limits.rate_limit_burst = NumberOption(options, "rate_limit_burst", 0);
  limits.cache_ttl = std::chrono::seconds(static_cast<int64_t>(NumberOption(options, "cache_ttl", 0)));
  return limits;
}

js::HandlerSource ToHandlerSource(const HandlerDef& handler) {
  js::HandlerSource source;
  source.code = handler.code;
  // origin is "file:line:col"; the file itself may hold ':'.
  std::string origin = handler.origin;
  size_t column_colon = origin.rfind(':');
  size_t line_colon = column_colon == std::string::npos ? std::string::npos : origin.rfind(':', column_colon - 1);
  if (line_colon == std::string::npos) {
    source.file = origin.empty() ? "handler" : origin;
    return source;
  }
  source.file = origin.substr(0, line_colon);
  source.line = static_cast<unsigned>(std::strtoul(origin.c_str() + line_colon + 1, nullptr, 10));
  source.column = static_cast<unsigned>(std::strtoul(origin.c_str() + column_colon + 1, nullptr, 10));
  if (source.line == 0) source.line = 1;
  return source;
}

Result<std::unique_ptr<ConnectorInstance>> ConnectorInstance::Create(js::JsRuntime& runtime, ConnectorSpec spec,
                                                                     js::ConsoleFunction console,
                                                                     const TransportFactory& transport) {
  std::unique_ptr<ConnectorInstance> instance(new ConnectorInstance(std::move(spec)));
  instance->limits_ = ConnectorLimits::FromOptions(instance->spec_.connector.options);
  HttpPolicy policy;
  policy.retry_count = instance->limits_.retry_count;
  policy.rate_limit = instance->limits_.rate_limit;
  policy.rate_limit_burst = instance->limits_.rate_limit_burst;
  // A retry that would outlast the call's own time limit is pointless.
  policy.max_retry_wait = instance->limits_.timeout;
  js::RealmOptions options;
  std::unique_ptr<HttpTransport> inner = transport ? transport() : std::make_unique<CurlTransport>();
  options.transport = std::make_unique<PolicyTransport>(std::move(inner), policy);
  options.console = std::move(console);
  Result<std::unique_ptr<js::JsRealm>> realm = js::JsRealm::Create(runtime, std::move(options));
  if (!realm.ok()) {
    return realm.TakeStatus().WithContext("connector '" + instance->spec_.connector.name + "'");
  }
  instance->realm_ = std::move(realm).value();
  return instance;
}

Result<js::JsRealm::HandlerId> ConnectorInstance::Handler(const std::string& key, const HandlerDef& handler) {
  auto found = handlers_.find(key);
  if (found != handlers_.end()) return found->second;
  ASSIGN_OR_RETURN(js::JsRealm::HandlerId id, realm_->LoadHandler(ToHandlerSource(handler)));
  handlers_.emplace(key, id);
  return id;
}

Result<Value> ConnectorInstance::Execute(const ActionDef& action, const Value& params) {
  std::string context = "connector '" + spec_.connector.name + "', action '" + action.name + "'" +
                        DefinedAt(action.handler);
  Result<js::JsRealm::HandlerId> handler = Handler("action:" + action.name, action.handler);
  if (!handler.ok()) return handler.TakeStatus().WithContext(context);
  if (!realm_->HasFunction(*handler, "execute")) {
    return Status(ErrorKind::kConnector, context + ": the handler defines no function execute(config, params)");
  }
  Result<Value> result = realm_->Call(*handler, "execute", {spec_.resolved_config, params}, limits_.timeout);
  if (!result.ok()) return result.TakeStatus().WithContext(context);
  return result;
}

namespace {

// A handler's row stream, with the connector and entity named on errors.
class HandlerRows : public RowSource {
 public:
  HandlerRows(std::unique_ptr<js::JsRealm::RowStream> stream, std::string context)
      : stream_(std::move(stream)), context_(std::move(context)) {}

  Result<std::optional<Value>> Next() override {
    Result<std::optional<Value>> row = stream_->Next();
    if (!row.ok()) return row.TakeStatus().WithContext(context_);
    return row;
  }

 private:
  std::unique_ptr<js::JsRealm::RowStream> stream_;
  std::string context_;
};

}  // namespace

Result<std::unique_ptr<RowSource>> ConnectorInstance::Query(const EntityDef& entity, const Value& filters,
                                                            const Value& options, const Value& parent) {
  std::string context = "connector '" + spec_.connector.name + "', entity '" + entity.name + "'" +
                        DefinedAt(entity.handler);
  Result<js::JsRealm::HandlerId> handler = Handler("entity:" + entity.name, entity.handler);
  if (!handler.ok()) return handler.TakeStatus().WithContext(context);
  if (!realm_->HasFunction(*handler, "query")) {
    return Status(ErrorKind::kConnector,
                  context + ": the handler defines no function query(config, filters, options, parent)");
  }
  Result<std::unique_ptr<js::JsRealm::RowStream>> stream =
      realm_->StartRows(*handler, "query", {spec_.resolved_config, filters, options, parent}, limits_.timeout);
  if (!stream.ok()) return stream.TakeStatus().WithContext(context);
  return std::unique_ptr<RowSource>(std::make_unique<HandlerRows>(std::move(stream).value(), context));
}

}  // namespace sluice
