#include "js/js_realm.h"

#include <js/CompilationAndEvaluation.h>
#include <js/Promise.h>
#include <js/SourceText.h>
#include <jsfriendapi.h>

#include <iostream>
#include <thread>

#include "js/convert.h"
#include "js/natives.h"
#include "js/prelude_js.h"
#include "js/realm_state.h"

namespace sluice::js {
namespace {

constexpr JSClass kGlobalClass = {"global", JSCLASS_GLOBAL_FLAGS_WITH_SLOTS(1),
                                  &JS::DefaultGlobalClassOps, nullptr, nullptr, nullptr};

// Runs a handler's items through the sink: arrays element by element, async
// and sync iterables as they yield, anything else as one item. Returning
// from `for await` when the sink says stop calls the iterator's return(), so
// an async generator stops fetching pages.
constexpr const char* kDrainSource = R"JS((async function (result, sink) {
  result = await result;
  if (result == null) return;
  if (typeof result[Symbol.asyncIterator] === "function") {
    for await (const item of result) { if (sink(item) === false) return; }
    return;
  }
  if (typeof result !== "string" && typeof result[Symbol.iterator] === "function") {
    for (const item of result) { if (sink(item) === false) return; }
    return;
  }
  sink(result);
}))JS";

bool CompileAndRun(JSContext* cx, const char* code, size_t length, const char* file, unsigned line,
                   JS::MutableHandleValue result) {
  JS::CompileOptions options(cx);
  options.setFileAndLine(file, line);
  JS::SourceText<mozilla::Utf8Unit> source;
  if (!source.init(cx, code, length, JS::SourceOwnership::Borrowed)) return false;
  return JS::Evaluate(cx, options, source, result);
}

}  // namespace

Result<std::unique_ptr<JsRealm>> JsRealm::Create(JsRuntime& runtime, RealmOptions options) {
  std::unique_ptr<JsRealm> realm(new JsRealm(runtime));
  RETURN_IF_ERROR(realm->Start(std::move(options)));
  return realm;
}

Status JsRealm::Start(RealmOptions options) {
  JSContext* cx = runtime_.cx();
  transport_ = std::move(options.transport);
  state_ = std::make_unique<State>(cx);
  state_->runtime = &runtime_;
  state_->transport = transport_.get();
  state_->console = options.console ? std::move(options.console)
                                    : [](std::string_view level, std::string_view text) {
                                        std::cerr << "console." << level << ": " << text << "\n";
                                      };
  JS::RealmOptions realm_options;
  JS::RootedObject global(cx, JS_NewGlobalObject(cx, &kGlobalClass, nullptr,
                                                 JS::FireOnNewGlobalHook, realm_options));
  if (!global) return Status(ErrorKind::kInternal, "cannot create a JavaScript global");
  state_->global.init(cx, global);
  JS::SetReservedSlot(global, 0, JS::PrivateValue(state_.get()));
  JSAutoRealm enter(cx, global);
  // The prelude runs under limits too, and a limit hit by an earlier call
  // must not stop it.
  JsRuntime::CallLimit limit(runtime_, std::chrono::seconds(30));
  if (!JS::InitRealmStandardClasses(cx)) return state_->TakeException("setting up the realm");
  RETURN_IF_ERROR(DefineNatives(cx, global));
  JS::RootedValue ignored(cx);
  if (!CompileAndRun(cx, kPreludeJs, sizeof(kPreludeJs) - 1, "sluice:prelude.js", 1, &ignored)) {
    return state_->TakeException("loading the web APIs (prelude.js)");
  }
  JS::RootedValue drain(cx);
  if (!CompileAndRun(cx, kDrainSource, std::strlen(kDrainSource), "sluice:drain.js", 1, &drain)) {
    return state_->TakeException("setting up the result reader");
  }
  state_->drain.init(cx, &drain.toObject());
  JS::RootedObject sink(cx, NewSinkFunction(cx));
  if (!sink) return state_->TakeException("setting up the result reader");
  state_->sink_function.init(cx, sink);
  return Status::Ok();
}

JsRealm::JsRealm(JsRuntime& runtime) : runtime_(runtime) {}

JsRealm::~JsRealm() {
  if (!state_) return;
  // Requests still running hold callbacks into this realm: cancel them first.
  state_->fetches.clear();
  state_->timers.clear();
}

Result<JsRealm::HandlerId> JsRealm::LoadHandler(const HandlerSource& source) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  // The handler's own scope: its top-level declarations stay private to it
  // and live as long as the realm. The prefix shares the first line, so
  // line numbers match the source.
  std::string wrapped = "(function () {" + source.code +
                        "\n;return {query: typeof query === \"function\" ? query : undefined, "
                        "execute: typeof execute === \"function\" ? execute : undefined};\n})()";
  JS::RootedValue handler(cx);
  bool ok;
  {
    JsRuntime::CallLimit limit(runtime_, std::chrono::seconds(60));
    ok = CompileAndRun(cx, wrapped.data(), wrapped.size(), source.file.c_str(), source.line, &handler);
  }
  if (!ok) return state_->TakeException("loading the handler");
  if (!handler.isObject()) return Status(ErrorKind::kInternal, "handler did not evaluate to an object");
  state_->handlers.push_back(std::make_unique<JS::PersistentRootedObject>(cx, &handler.toObject()));
  return state_->handlers.size() - 1;
}

bool JsRealm::HasFunction(HandlerId handler, const char* name) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  JS::RootedObject object(cx, *state_->handlers.at(handler));
  JS::RootedValue function(cx);
  if (!JS_GetProperty(cx, object, name, &function)) {
    JS_ClearPendingException(cx);
    return false;
  }
  return function.isObject() && JS::IsCallable(&function.toObject());
}

Result<Value> JsRealm::Call(HandlerId handler, const char* name, const std::vector<Value>& args,
                            std::chrono::milliseconds timeout) {
  return Invoke(handler, name, args, timeout, nullptr);
}

Status JsRealm::CallForRows(HandlerId handler, const char* name, const std::vector<Value>& args,
                            std::chrono::milliseconds timeout, const Sink& sink) {
  Result<Value> result = Invoke(handler, name, args, timeout, &sink);
  return result.ok() ? Status::Ok() : result.TakeStatus();
}

Result<Value> JsRealm::Invoke(HandlerId handler, const char* name, const std::vector<Value>& args,
                              std::chrono::milliseconds timeout, const Sink* sink) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  JS::RootedObject object(cx, *state_->handlers.at(handler));
  JS::RootedValue function(cx);
  if (!JS_GetProperty(cx, object, name, &function)) return state_->TakeException("calling the handler");
  if (!function.isObject() || !JS::IsCallable(&function.toObject())) {
    return Status(ErrorKind::kConnector,
                  std::string("the handler defines no function ") + name + "()");
  }
  JS::RootedValueVector js_args(cx);
  JS::RootedValue arg(cx);
  for (const Value& value : args) {
    if (!FromValue(cx, value, &arg) || !js_args.append(arg)) {
      return state_->TakeException("passing arguments to the handler");
    }
  }
  state_->deadline = JsRuntime::Clock::now() + timeout;
  state_->timeout = timeout;
  JsRuntime::CallLimit limit(runtime_, timeout);

  JS::RootedValue result(cx);
  if (!JS::Call(cx, JS::UndefinedHandleValue, function, js_args, &result)) {
    return state_->TakeException(std::string("calling ") + name + "()");
  }
  JS::RootedObject promise(cx);
  Value collected;
  if (sink) {
    state_->sink = sink;
    JS::RootedValueArray<2> drain_args(cx);
    drain_args[0].set(result);
    drain_args[1].setObject(*state_->sink_function);
    JS::RootedValue drained(cx);
    JS::RootedValue drain(cx, JS::ObjectValue(*state_->drain));
    bool ok = JS::Call(cx, JS::UndefinedHandleValue, drain, drain_args, &drained);
    if (!ok) {
      state_->sink = nullptr;
      return state_->TakeException(std::string("reading what ") + name + "() returned");
    }
    promise = &drained.toObject();
  } else {
    promise = JS::CallOriginalPromiseResolve(cx, result);
    if (!promise) return state_->TakeException(std::string("awaiting ") + name + "()");
  }
  Status settled = state_->RunUntilSettled(promise);
  state_->sink = nullptr;
  RETURN_IF_ERROR(settled);
  if (!state_->sink_status.ok()) {
    Status status = std::move(state_->sink_status);
    state_->sink_status = Status::Ok();
    return status;
  }
  JS::RootedValue value(cx, JS::GetPromiseResult(promise));
  if (JS::GetPromiseState(promise) == JS::PromiseState::Rejected) {
    JS_SetPendingException(cx, value);
    return state_->TakeException(std::string(name) + "()");
  }
  if (sink) return Value();
  Result<Value> converted = ToValue(cx, value);
  if (!converted.ok()) {
    return converted.TakeStatus().WithContext(std::string("the value ") + name + "() returned");
  }
  return converted;
}

Result<Value> JsRealm::Evaluate(const std::string& code, std::chrono::milliseconds timeout) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  state_->deadline = JsRuntime::Clock::now() + timeout;
  state_->timeout = timeout;
  JsRuntime::CallLimit limit(runtime_, timeout);
  JS::RootedValue result(cx);
  if (!CompileAndRun(cx, code.data(), code.size(), "eval", 1, &result)) {
    return state_->TakeException("evaluating");
  }
  JS::RootedObject promise(cx, JS::CallOriginalPromiseResolve(cx, result));
  if (!promise) return state_->TakeException("evaluating");
  RETURN_IF_ERROR(state_->RunUntilSettled(promise));
  JS::RootedValue value(cx, JS::GetPromiseResult(promise));
  if (JS::GetPromiseState(promise) == JS::PromiseState::Rejected) {
    JS_SetPendingException(cx, value);
    return state_->TakeException("evaluating");
  }
  return ToValue(cx, value);
}

}  // namespace sluice::js
