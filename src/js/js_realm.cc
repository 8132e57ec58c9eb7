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
// and sync iterables as they yield. After an item an async iterable yields,
// the sink may answer with a promise: the drain waits on it before asking for
// the next item, so a handler fetches its next page only when the engine
// wants more rows. `false` (directly or from that promise) means stop: the
// iterator's return() runs, as leaving `for await` would, so a generator's
// finally runs.
//
// Iterators are stepped by hand, not with `for await`/`for of`: those drop
// the value a generator ends with, so `return data.items` written in place
// of `yield` read as "no rows", and a full sync then deleted every row it had
// synced. A generator that ends with anything but undefined is refused.
//
// Anything else is refused, naming what came back: `return data.items` on an
// error body gives undefined, and taking that (or an error object) as "no
// rows" or "one row" would let a full sync delete every row it synced before.
constexpr const char* kDrainSource = R"JS((async function (result, sink, name) {
  const describe = (v) => {
    if (v === undefined || v === null) return String(v);
    switch (typeof v) {
      case "string": return "a string " + JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
      case "number": case "boolean": case "bigint": return "the " + typeof v + " " + String(v);
      case "function": return "a function";
      case "symbol": return "a symbol";
    }
    const keys = Object.keys(v);
    return keys.length === 0 ? "an object with no keys"
        : "an object with keys " + keys.slice(0, 8).join(", ") + (keys.length > 8 ? ", …" : "") +
          " (one object, not an array of rows)";
  };
  const ended = (value) => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      throw new TypeError(name + "() returned rows from a generator instead of yielding them (an array of " +
                          value.length + "); a generator's return value is not read: yield them (yield* rows)");
    }
    throw new TypeError(name + "() returned " + describe(value) + " from a generator instead of yielding rows; " +
                        "a generator's return value is not read: yield the rows (yield* rows)");
  };
  const close = async (iterator, awaited) => {
    if (typeof iterator.return !== "function") return;
    const closed = iterator.return();
    if (awaited) await closed;
  };
  const drain = async (iterator, awaited) => {
    const next = iterator.next;
    for (;;) {
      let step = next.call(iterator);
      if (awaited) step = await step;
      if (Object(step) !== step) {
        throw new TypeError(name + "(): its iterator's next() gave " + describe(step) + ", not a result object");
      }
      if (step.done) return ended(step.value);
      let more;
      try {
        more = sink(step.value, awaited);
        if (awaited && more !== false && more !== true) more = await more;
      } catch (error) {
        try { await close(iterator, awaited); } catch (ignored) {}
        throw error;
      }
      if (more === false) return close(iterator, awaited);
    }
  };
  result = await result;
  // A result that can take its rows as they come (the integration host's,
  // src/js/sdk/host.js) gets the sink itself.
  if (result !== null && typeof result === "object" && typeof result[Symbol.for("sluice.sink")] === "function") {
    result[Symbol.for("sluice.sink")](sink);
  }
  if (result !== null && typeof result === "object") {
    if (Array.isArray(result)) {
      // Rows still native (a body's row array no one reached into) go whole
      // (2: natives.cc's kOfferWhole).
      if (sink(result, false, 2) !== undefined) return;
      for (const item of result) { if (sink(item, false) === false) return; }
      return;
    }
    if (typeof result[Symbol.asyncIterator] === "function") {
      return drain(result[Symbol.asyncIterator](), true);
    }
    if (typeof result[Symbol.iterator] === "function") {
      return drain(result[Symbol.iterator](), false);
    }
  }
  throw new TypeError(name + "() returned " + describe(result) +
                      "; expected an array of rows, a promise of one, or an async iterable");
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
  state_->max_response_bytes = options.max_response_bytes;
  state_->invalid_utf8_error = options.invalid_utf8_error;
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
  return Status::Ok();
}

JsRealm::JsRealm(JsRuntime& runtime) : runtime_(runtime) {}

uint64_t JsRealm::invalid_utf8_count() const { return state_->invalid_utf8_count; }

JsRealm::~JsRealm() {
  if (!state_) return;
  // Requests still running hold callbacks into this realm: drop them first.
  state_->fetches.clear();
  state_->timers.clear();
}

Result<JsRealm::HandlerId> JsRealm::LoadHandler(const HandlerSource& source) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  // The handler's own scope: its top-level declarations stay private to it
  // and live as long as the realm. The prefix shares the first line, so
  // line numbers match the source.
  std::string wrapped =
      "(function () {" + source.code +
      "\n;return {query: typeof query === \"function\" ? query : undefined, "
      "execute: typeof execute === \"function\" ? execute : undefined, "
      "partitions: typeof partitions === \"function\" ? partitions : undefined};\n})()";
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

Result<JsRealm::HandlerId> JsRealm::LoadIntegration(const std::string& directory,
                                                    std::chrono::milliseconds timeout) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  if (state_->modules) return Status(ErrorKind::kInternal, "this realm already has an integration");
  ASSIGN_OR_RETURN(state_->modules, ModuleLoader::Create(directory));
  ModuleLoader& modules = *state_->modules;
  ASSIGN_OR_RETURN(ModuleLoader::Resolved main, modules.MainModule());
  CallScope scope(runtime_, *state_, timeout);
  const std::string doing = "loading " + modules.Display(main.key);
  // The host first: it holds the registration that main's parse() makes.
  const ModuleLoader::Resolved host_module{"sluice:sdk/host.js", ModuleLoader::Kind::kBuiltin};
  for (const ModuleLoader::Resolved* module : std::initializer_list<const ModuleLoader::Resolved*>{&host_module, &main}) {
    JS::RootedObject promise(cx, modules.EvaluateModule(cx, *module));
    if (!promise) return state_->TakeException(doing);
    RETURN_IF_ERROR(state_->RunUntilSettled(promise));
    if (JS::GetPromiseState(promise) == JS::PromiseState::Rejected) {
      JS::RootedValue reason(cx, JS::GetPromiseResult(promise));
      JS_SetPendingException(cx, reason);
      return state_->TakeException(doing);
    }
    if (JS::GetPromiseState(promise) == JS::PromiseState::Pending) {
      return Status(ErrorKind::kConnector, doing + ": its top-level await never settled");
    }
  }
  JS::RootedObject space(cx, modules.Namespace(cx, host_module.key));
  JS::RootedValue host(cx);
  if (!space || !JS_GetProperty(cx, space, "host", &host) || !host.isObject()) {
    return state_->TakeException("reaching the integration host");
  }
  state_->handlers.push_back(std::make_unique<JS::PersistentRootedObject>(cx, &host.toObject()));
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

bool JsRealm::CallFunction(HandlerId handler, const char* name, const std::vector<Value>& args,
                           JS::MutableHandleValue result, Status& error) {
  JSContext* cx = runtime_.cx();
  JS::RootedObject object(cx, *state_->handlers.at(handler));
  JS::RootedValue function(cx);
  if (!JS_GetProperty(cx, object, name, &function)) {
    error = state_->TakeException("calling the handler");
    return false;
  }
  if (!function.isObject() || !JS::IsCallable(&function.toObject())) {
    error = Status(ErrorKind::kConnector, std::string("the handler defines no function ") + name + "()");
    return false;
  }
  JS::RootedValueVector js_args(cx);
  JS::RootedValue arg(cx);
  for (const Value& value : args) {
    if (!FromValue(cx, value, &arg) || !js_args.append(arg)) {
      error = state_->TakeException("passing arguments to the handler");
      return false;
    }
  }
  if (!JS::Call(cx, JS::UndefinedHandleValue, function, js_args, result)) {
    error = state_->TakeException(std::string("calling ") + name + "()");
    return false;
  }
  return true;
}

Result<Value> JsRealm::Call(HandlerId handler, const char* name, const std::vector<Value>& args,
                            std::chrono::milliseconds timeout) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  CallScope scope(runtime_, *state_, timeout);
  JS::RootedValue result(cx);
  Status error;
  if (!CallFunction(handler, name, args, &result, error)) return error;
  JS::RootedObject promise(cx, JS::CallOriginalPromiseResolve(cx, result));
  if (!promise) return state_->TakeException(std::string("awaiting ") + name + "()");
  RETURN_IF_ERROR(state_->RunUntilSettled(promise));
  JS::RootedValue value(cx, JS::GetPromiseResult(promise));
  if (JS::GetPromiseState(promise) == JS::PromiseState::Rejected) {
    JS_SetPendingException(cx, value);
    return state_->TakeException(std::string(name) + "()");
  }
  Result<Value> converted = ToJsonValue(cx, value);
  if (!converted.ok()) {
    return converted.TakeStatus().WithContext(std::string("the value ") + name + "() returned");
  }
  return converted;
}

Result<std::unique_ptr<JsRealm::RowStream>> JsRealm::StartRows(HandlerId handler, const char* name,
                                                               const std::vector<Value>& args,
                                                               std::chrono::milliseconds timeout,
                                                               const std::vector<std::string>* fields) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  CallScope scope(runtime_, *state_, timeout);
  std::unique_ptr<RowStream> stream(new RowStream(*this, timeout));
  stream->name_ = name;
  if (fields) {
    stream->buffer_->project = true;
    for (const std::string& field : *fields) {
      JS::RootedString text(cx, NewString(cx, field));
      JS::RootedId id(cx);
      if (!text || !JS_StringToId(cx, text, &id)) {
        return state_->TakeException("preparing the row fields");
      }
      stream->buffer_->projection.emplace_back(field,
                                               std::make_unique<JS::PersistentRootedId>(cx, id));
    }
  }
  JS::RootedValue result(cx);
  Status error;
  if (!CallFunction(handler, name, args, &result, error)) return error;
  // Each stream has a sink of its own, so streams of one realm (a join of
  // two of a connector's entities) interleave safely.
  JS::RootedObject sink(cx, NewSinkFunction(cx, stream->buffer_.get()));
  if (!sink) return state_->TakeException("setting up the result reader");
  JS::RootedString function_name(cx, JS_NewStringCopyZ(cx, name));
  if (!function_name) return state_->TakeException("setting up the result reader");
  JS::RootedValueArray<3> drain_args(cx);
  drain_args[0].set(result);
  drain_args[1].setObject(*sink);
  drain_args[2].setString(function_name);
  JS::RootedValue drained(cx);
  JS::RootedValue drain(cx, JS::ObjectValue(*state_->drain));
  if (!JS::Call(cx, JS::UndefinedHandleValue, drain, drain_args, &drained)) {
    return state_->TakeException(std::string("reading what ") + name + "() returned");
  }
  stream->promise_ = std::make_unique<JS::PersistentRootedObject>(cx, &drained.toObject());
  stream->sink_ = std::make_unique<JS::PersistentRootedObject>(cx, sink);
  return stream;
}

JsRealm::RowStream::RowStream(JsRealm& realm, std::chrono::milliseconds timeout)
    : realm_(realm), timeout_(timeout), buffer_(std::make_unique<Buffer>()) {}

JsRealm::RowStream::~RowStream() {
  Close();
  // A handler that outlived Close() may still call the sink: it must find
  // no buffer, not a dangling one.
  if (sink_) DetachSink(*sink_);
}

Result<std::optional<Value>> JsRealm::RowStream::Next() {
  while (true) {
    if (!buffer_->rows.empty()) {
      Value row = std::move(buffer_->rows.front());
      buffer_->rows.pop_front();
      return std::optional<Value>(std::move(row));
    }
    if (finished_) return std::optional<Value>();
    JsRuntime& runtime = realm_.runtime_;
    State& state = *realm_.state_;
    JSContext* cx = runtime.cx();
    JSAutoRealm enter(cx, state.global);
    CallScope scope(runtime, state, timeout_);
    JS::RootedObject promise(cx, *promise_);
    if (!buffer_->Resume(cx, true)) return state.TakeException("asking the handler for more rows");
    Status status = state.RunUntilSettled(promise, [this] { return !buffer_->rows.empty(); });
    if (!status.ok() || !buffer_->status.ok()) {
      finished_ = true;
      buffer_->stop = true;
      return status.ok() ? std::move(buffer_->status) : status;
    }
    if (!buffer_->rows.empty()) continue;
    finished_ = true;
    if (JS::GetPromiseState(promise) == JS::PromiseState::Rejected) {
      JS::RootedValue reason(cx, JS::GetPromiseResult(promise));
      JS_SetPendingException(cx, reason);
      return state.TakeException(name_ + "()");
    }
  }
}

void JsRealm::RowStream::PushTo(std::function<Status(Value row)> consume) {
  buffer_->consume = std::move(consume);
  buffer_->extended = JsRuntime::Clock::now();
}

Status JsRealm::RowStream::Buffer::HandOn(JSContext* cx) {
  if (rows.empty()) return Status::Ok();
  while (!rows.empty()) {
    Value row = std::move(rows.front());
    rows.pop_front();
    Status status = consume(std::move(row));
    if (!status.ok()) {
      rows.clear();
      return status;
    }
  }
  // Moving the deadline takes a lock: not more than every few milliseconds.
  auto now = JsRuntime::Clock::now();
  if (now - extended >= std::chrono::milliseconds(5)) {
    extended = now;
    State* state = State::From(cx);
    if (state) {
      state->deadline = now + state->timeout;
      state->runtime->Extend(state->deadline);
    }
  }
  return Status::Ok();
}

void JsRealm::RowStream::Close() {
  buffer_->rows.clear();
  if (finished_) return;
  finished_ = true;
  buffer_->stop = true;
  // A handler that threw (or hit a limit) before returning never got a
  // drain: StartRows gave up early, and there is nothing to wind down.
  if (!promise_) return;
  // Let the handler see the stop: the drain returns from its loop, which
  // closes the iterator (a generator's finally runs) — briefly bounded.
  JsRuntime& runtime = realm_.runtime_;
  State& state = *realm_.state_;
  JSContext* cx = runtime.cx();
  JSAutoRealm enter(cx, state.global);
  auto timeout = std::min(timeout_, std::chrono::milliseconds(5000));
  CallScope scope(runtime, state, timeout);
  JS::RootedObject promise(cx, *promise_);
  if (!buffer_->Resume(cx, false)) JS_ClearPendingException(cx);
  Status ignored = state.RunUntilSettled(promise);
  (void)ignored;  // the caller no longer wants rows, or their errors
}

Status JsRealm::CallForRows(HandlerId handler, const char* name, const std::vector<Value>& args,
                            std::chrono::milliseconds timeout, const Sink& sink) {
  ASSIGN_OR_RETURN(std::unique_ptr<RowStream> stream, StartRows(handler, name, args, timeout));
  while (true) {
    ASSIGN_OR_RETURN(std::optional<Value> row, stream->Next());
    if (!row || !sink(std::move(*row))) return Status::Ok();
  }
}

Result<Value> JsRealm::Evaluate(const std::string& code, std::chrono::milliseconds timeout) {
  JSContext* cx = runtime_.cx();
  JSAutoRealm enter(cx, state_->global);
  CallScope scope(runtime_, *state_, timeout);
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
