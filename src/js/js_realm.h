// JsRealm: one JavaScript global per connector instance, holding the web
// APIs (prelude.js on a few natives) and the connector's handlers.
//
// Each handler's source is evaluated once, in a scope of its own, so that
// two entities may both define `query` and a handler's module-level state
// (a cache Map, a rate limiter) lives as long as the realm. Calls run the
// realm's event loop — promise jobs, timers, HTTP — until the handler's
// promise settles, under the runtime's time limit.
//
// Handler results: an array, a promise of one, or an
// (async) iterable of rows or arrays of rows; CallForRows() hands each item
// to a sink as it arrives and stops the iterator when the sink says so.
//
// Ownership: borrows the JsRuntime (which must outlive it); owns its
// transport, timers and rooted handler objects.
// Thread-safety: the runtime's thread only.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include <jsapi.h>
#include "js/js_runtime.h"
#include "net/http.h"

namespace sluice::js {

using ConsoleFunction = std::function<void(std::string_view level, std::string_view text)>;

struct RealmOptions {
  std::unique_ptr<HttpTransport> transport;  // required
  ConsoleFunction console;                   // default: stderr
  // The largest response body a fetch accepts, decoded (0: no limit).
  size_t max_response_bytes = 64u << 20;
  // Response bodies that are not valid UTF-8: text() and json() replace the
  // bad bytes with U+FFFD and count them (invalid_utf8_count()), or, with
  // this set, fail naming the URL.
  bool invalid_utf8_error = false;
};

// Where a handler's code came from, for error positions.
struct HandlerSource {
  std::string code;
  std::string file;  // e.g. "items.js" or "connector.sql"
  unsigned line = 1;
  unsigned column = 1;
};

class JsRealm {
 public:
  using HandlerId = size_t;
  using Sink = std::function<bool(Value item)>;  // false stops the stream

  static Result<std::unique_ptr<JsRealm>> Create(JsRuntime& runtime, RealmOptions options);
  ~JsRealm();
  JsRealm(const JsRealm&) = delete;
  JsRealm& operator=(const JsRealm&) = delete;

  // Evaluates a handler's source once. A syntax error names its line and
  // column in `source.file`.
  Result<HandlerId> LoadHandler(const HandlerSource& source);
  // Loads a table integration from its package directory (module_loader.h):
  // evaluates its main module, awaiting top-level await, and returns the
  // SDK host (src/js/sdk/host.js) as a handler whose functions describe(),
  // query() and pass() drive the plugin the module registered.
  Result<HandlerId> LoadIntegration(const std::string& directory, std::chrono::milliseconds timeout);
  // True when the handler defines a function `name`.
  bool HasFunction(HandlerId handler, const char* name);

  // Calls `name(args…)`, awaits it, and returns its value.
  Result<Value> Call(HandlerId handler, const char* name, const std::vector<Value>& args,
                     std::chrono::milliseconds timeout);
  // The rows a query handler produces, pulled one at a time: the handler
  // runs only while the caller asks for more (each Next() under the time
  // limit), so memory stays bounded and a caller that stops early stops the
  // handler too — Close() (or destruction) ends its iterator, which runs a
  // generator's `finally` and fetches no further pages.
  class RowStream {
   public:
    ~RowStream();
    // The next row; nullopt once the handler is done.
    Result<std::optional<Value>> Next();
    void Close();
    // From now on, rows go to `consume` as the handler produces them,
    // from inside Next() (which then returns only the end or an error), so
    // a handler that makes rows faster than they are read — a loop that
    // never awaits — holds none of them. `consume` must not use this
    // stream or run JavaScript; an error from it stops the handler and
    // Next() returns it. Each row handed on restarts the time limit.
    void PushTo(std::function<Status(Value row)> consume);

    struct Buffer;  // shared with the sink native

   private:
    friend class JsRealm;
    RowStream(JsRealm& realm, std::chrono::milliseconds timeout);
    JsRealm& realm_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<Buffer> buffer_;
    std::unique_ptr<JS::PersistentRootedObject> promise_;
    std::unique_ptr<JS::PersistentRootedObject> sink_;  // detached from buffer_ when closed
    std::string name_;
    bool finished_ = false;
  };

  // Calls `name(args…)` and returns its rows as a stream: each element of a
  // returned array, and each row an (async) iterable yields (a yielded array
  // is a page of rows). With `fields`, each row object is converted to those
  // properties only — the consumer reads no others.
  Result<std::unique_ptr<RowStream>> StartRows(HandlerId handler, const char* name,
                                               const std::vector<Value>& args,
                                               std::chrono::milliseconds timeout,
                                               const std::vector<std::string>* fields = nullptr);
  // StartRows, with every row handed to `sink` until it returns false.
  Status CallForRows(HandlerId handler, const char* name, const std::vector<Value>& args,
                     std::chrono::milliseconds timeout, const Sink& sink);

  // Evaluates a script in the realm's global scope and returns its value
  // (awaited if it is a promise). For tests and tools.
  Result<Value> Evaluate(const std::string& code, std::chrono::milliseconds timeout);

  const HttpStats& http_stats() const { return transport_->stats(); }
  // Response bodies decoded with invalid UTF-8 replaced, since the realm began.
  uint64_t invalid_utf8_count() const;

  // Used by the natives (natives.cc).
  struct State;
  State& state() { return *state_; }

 private:
  explicit JsRealm(JsRuntime& runtime);
  Status Start(RealmOptions options);
  // Calls name(args…) in the realm (which the caller has entered).
  bool CallFunction(HandlerId handler, const char* name, const std::vector<Value>& args,
                    JS::MutableHandleValue result, Status& error);

  JsRuntime& runtime_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<State> state_;
};

}  // namespace sluice::js
