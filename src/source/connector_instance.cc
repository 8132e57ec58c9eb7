#include "source/connector_instance.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "net/curl_transport.h"
#include "net/policy_transport.h"
#include "net/shared_rate_limit.h"

namespace sluice {
namespace {

// A handler's row stream, with the connector and entity named on errors,
// and a warning when it read response bodies that were not valid UTF-8.
class HandlerRows : public RowSource {
 public:
  HandlerRows(std::unique_ptr<js::JsRealm::RowStream> stream, std::string context,
              const js::JsRealm& realm, uint64_t invalid_utf8_before,
              const js::ConsoleFunction& console)
      : stream_(std::move(stream)),
        context_(std::move(context)),
        realm_(realm),
        invalid_utf8_before_(invalid_utf8_before),
        console_(console) {}
  ~HandlerRows() override { WarnOfInvalidUtf8(); }

  Result<std::optional<Value>> Next() override {
    Result<std::optional<Value>> row = stream_->Next();
    if (!row.ok()) return row.TakeStatus().WithContext(context_);
    if (!*row) WarnOfInvalidUtf8();
    return row;
  }
  bool PushTo(RowConsumer consume) override {
    stream_->PushTo(std::move(consume));
    return true;
  }

 private:
  // Once per stream: the bytes were replaced by U+FFFD (as TextDecoder
  // does), which changes the data, so the user hears of it.
  void WarnOfInvalidUtf8() {
    if (warned_) return;
    warned_ = true;
    uint64_t count = realm_.invalid_utf8_count() - invalid_utf8_before_;
    if (count == 0) return;
    console_("warn", context_ + ": " + std::to_string(count) + " response bod" +
                         (count == 1 ? "y was" : "ies were") +
                         " not valid UTF-8; the invalid bytes were replaced by U+FFFD (OPTIONS "
                         "{\"invalid_utf8\": \"error\"} refuses them instead)");
  }

  std::unique_ptr<js::JsRealm::RowStream> stream_;
  std::string context_;
  const js::JsRealm& realm_;
  uint64_t invalid_utf8_before_;
  const js::ConsoleFunction& console_;
  bool warned_ = false;
};

}  // namespace

// " (handler items.js, defined at connector.sql:16:1)" for handlers kept in
// files, whose error positions point into the file, not at the statement.
std::string DefinedAt(const HandlerDef& handler) {
  if (handler.file.empty() || handler.defined_at.empty()) return "";
  return " (handler " + handler.file + ", defined at " + handler.defined_at + ")";
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

Status ConnectorInstance::StartRealm(js::JsRuntime& runtime, js::ConsoleFunction console,
                                     const TransportFactory& transport) {
  limits_ = ConnectorLimits::FromOptions(spec_.connector.options);
  HttpPolicy policy;
  policy.retry_count = limits_.retry_count;
  policy.rate_limit = limits_.rate_limit;
  policy.rate_limit_burst = limits_.rate_limit_burst;
  // Workers of a distributed run keep the connector's rate together (the
  // burst as the local bucket reads it: 0 means max(1, rate_limit)).
  policy.shared_rate_limit = MakeSharedRateLimit(
      spec_.connector.name, limits_.rate_limit,
      limits_.rate_limit_burst > 0 ? limits_.rate_limit_burst : std::max(1.0, limits_.rate_limit));
  // A retry that would outlast the call's own time limit is pointless.
  policy.max_retry_wait = limits_.timeout;
  js::RealmOptions options;
  std::unique_ptr<HttpTransport> inner = transport ? transport() : std::make_unique<CurlTransport>();
  options.transport = std::make_unique<PolicyTransport>(std::move(inner), policy);
  options.console = console;
  options.max_response_bytes = limits_.max_response_bytes;
  options.invalid_utf8_error = limits_.invalid_utf8_error;
  console_ = console ? std::move(console) : [](std::string_view level, std::string_view text) {
    std::cerr << "console." << level << ": " << text << "\n";
  };
  Result<std::unique_ptr<js::JsRealm>> realm = js::JsRealm::Create(runtime, std::move(options));
  if (!realm.ok()) return realm.TakeStatus().WithContext("connector '" + spec_.connector.name + "'");
  realm_ = std::move(realm).value();
  return Status::Ok();
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

Result<std::unique_ptr<RowSource>> ConnectorInstance::StartRows(js::JsRealm::HandlerId handler, const char* function,
                                                                std::vector<Value> args,
                                                                const std::vector<std::string>* only_fields,
                                                                const std::string& context) {
  uint64_t utf8_before = realm_->invalid_utf8_count();
  Result<std::unique_ptr<js::JsRealm::RowStream>> stream =
      realm_->StartRows(handler, function, std::move(args), limits_.timeout, only_fields);
  if (!stream.ok()) return stream.TakeStatus().WithContext(context);
  return std::unique_ptr<RowSource>(
      std::make_unique<HandlerRows>(std::move(stream).value(), context, *realm_, utf8_before, console_));
}

}  // namespace sluice
