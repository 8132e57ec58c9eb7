// The state behind a JsRealm, shared by js_realm.cc, the event loop
// (event_loop.cc) and the natives (natives.cc). Not a public header.
#pragma once

#include <jsapi.h>

#include <map>
#include <memory>
#include <vector>

#include "js/js_realm.h"

namespace sluice::js {

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
  JS::PersistentRootedObject global;
  JS::PersistentRootedObject drain;
  JS::PersistentRootedObject sink_function;
  std::vector<std::unique_ptr<JS::PersistentRootedObject>> handlers;

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
  const JsRealm::Sink* sink = nullptr;
  Status sink_status;  // a sink that failed (e.g. a row that cannot convert)

  // Runs promise jobs, timers and HTTP until `promise` settles, the deadline
  // passes, or nothing is left that could settle it.
  Status RunUntilSettled(JS::HandleObject promise);
  // Turns the pending exception (or a limit that stopped the script) into a
  // Status naming what was being done.
  Status TakeException(const std::string& doing);

  static State* From(JSContext* cx);  // the state of the current global
};

}  // namespace sluice::js
