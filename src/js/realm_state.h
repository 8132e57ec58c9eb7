// The state behind a JsRealm, shared by js_realm.cc, the event loop
// (event_loop.cc) and the natives (natives.cc). Not a public header.
#pragma once

#include <js/Promise.h>
#include <jsapi.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "js/js_realm.h"
#include "js/module_loader.h"

namespace sluice::js {

// Rows a stream's sink has received and the stream has not handed out yet.
struct JsRealm::RowStream::Buffer {
  std::deque<Value> rows;
  // When set, a row object is converted to these properties only, in this
  // order: the rest of what a handler returns is never converted. The ids
  // are rooted rather than pinned atoms: SpiderMonkey pins only Latin-1
  // text, which would turn a field named `名前` into another name.
  std::vector<std::pair<std::string, std::unique_ptr<JS::PersistentRootedId>>> projection;
  bool project = false;
  bool stop = false;  // the consumer wants no more: the sink says so to the drain
  Status status;      // a row that could not be converted, or the consumer's failure
  // Set by RowStream::PushTo: the sink hands each row to it at once, so
  // rows never pile up here (nor in the handler) whatever the handler's
  // pace; the consumer's own waiting is the backpressure.
  std::function<Status(Value row)> consume;
  JsRuntime::Clock::time_point extended{};  // when HandOn last moved the deadline

  // Hands the rows here to `consume`; rows handed on are progress, which
  // moves the call's deadline (the time limit bounds a wait for rows).
  Status HandOn(JSContext* cx);
  // The promise the drain waits on after a yielded item; resolved with
  // true (go on) or false (stop) when the consumer comes back.
  std::unique_ptr<JS::PersistentRootedObject> waiting;

  bool Resume(JSContext* cx, bool more) {
    if (!waiting) return true;
    JS::RootedObject promise(cx, *waiting);
    waiting.reset();
    JS::RootedValue answer(cx, JS::BooleanValue(more));
    return JS::ResolvePromise(cx, promise, answer);
  }
};

struct JsRealm::State {
  explicit State(JSContext* cx) : cx(cx) {}

  struct Timer {
    JsRuntime::Clock::time_point due;
    std::chrono::milliseconds interval{0};  // 0: fires once
    std::unique_ptr<JS::PersistentRootedObject> callback;
  };

  JSContext* cx;
  JsRuntime* runtime = nullptr;
  HttpTransport* transport = nullptr;
  ConsoleFunction console;
  size_t max_response_bytes = 0;
  bool invalid_utf8_error = false;
  uint64_t invalid_utf8_count = 0;  // response bodies whose bad bytes were replaced
  // The native row path (docs/javascript.md): for bodies of at least
  // native_json_min_bytes, per SLUICE_NATIVE_JSON when the realm started
  // (unset: kNativeJsonMinBytes; "all": 0; "0": off). `native_rows` is the prelude's WeakMap from a
  // lazy row array to its rows, holding the arrays not yet turned into
  // JavaScript objects.
  bool native_json = true;
  size_t native_json_min_bytes = 4096;
  JS::PersistentRootedObject native_rows;
  uint64_t native_rows_converted = 0;  // rows the sink took from a document
  JS::PersistentRootedObject global;
  JS::PersistentRootedObject drain;
  std::vector<std::unique_ptr<JS::PersistentRootedObject>> handlers;
  // A table integration's modules; null in realms of declared connectors.
  std::unique_ptr<ModuleLoader> modules;

  std::map<uint64_t, Timer> timers;
  uint64_t next_timer_id = 1;
  // Running fetches, by the id the prelude knows them by.
  struct Fetch {
    uint64_t transport_id = 0;
    std::unique_ptr<JS::PersistentRootedObject> on_done;
  };
  std::map<uint64_t, Fetch> fetches;
  uint64_t next_fetch_id = 1;

  // The call in progress.
  JsRuntime::Clock::time_point deadline;
  std::chrono::milliseconds timeout{0};

  // Runs promise jobs, timers and HTTP until `promise` settles, `ready()`
  // says enough was produced, the deadline passes, or nothing is left that
  // could settle it.
  Status RunUntilSettled(JS::HandleObject promise, const std::function<bool()>& ready = nullptr);
  // Turns the pending exception (or a limit that stopped the script) into a
  // Status naming what was being done.
  Status TakeException(const std::string& doing);

  static State* From(JSContext* cx);  // the state of the current global
};

// One call's limits, and the deadline the event loop and fetch see.
class CallScope {
 public:
  CallScope(JsRuntime& runtime, JsRealm::State& state, std::chrono::milliseconds timeout)
      : limit_(runtime, timeout) {
    state.deadline = JsRuntime::Clock::now() + timeout;
    state.timeout = timeout;
  }

 private:
  JsRuntime::CallLimit limit_;
};

}  // namespace sluice::js
