// The realm's event loop and the mapping of JavaScript errors to Status.
#include <js/Exception.h>
#include <js/Promise.h>
#include <jsfriendapi.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "core/interrupt.h"
#include "js/convert.h"
#include "js/realm_state.h"

namespace sluice::js {

JsRealm::State* JsRealm::State::From(JSContext* cx) {
  JSObject* global = JS::CurrentGlobalOrNull(cx);
  if (!global) return nullptr;
  return static_cast<State*>(JS::GetReservedSlot(global, 0).toPrivate());
}

namespace {

std::string GetStringProperty(JSContext* cx, JS::HandleObject object, const char* name) {
  JS::RootedValue value(cx);
  if (!JS_GetProperty(cx, object, name, &value)) {
    JS_ClearPendingException(cx);
    return "";
  }
  if (value.isUndefined() || value.isNull()) return "";
  return ToDisplayString(cx, value);
}

// The connector error classes and the fetch failures map to the error kinds
// scripts catch (TRY … CATCH auth_error).
ErrorKind KindForErrorName(const std::string& name) {
  if (name == "ConnectorAuthError") return ErrorKind::kAuth;
  if (name == "ConnectorRateLimitError") return ErrorKind::kRateLimit;
  if (name == "ConnectorConnectionError" || name == "FetchError") return ErrorKind::kConnection;
  if (name == "TimeoutError") return ErrorKind::kTimeout;
  return ErrorKind::kConnector;
}

// SpiderMonkey stacks read "fn@file:line:col" per frame; show them the way
// most people read stacks. Frames of the engine's own scripts are dropped.
std::string FormatStack(const std::string& stack) {
  std::istringstream lines(stack);
  std::string line, out;
  while (std::getline(lines, line)) {
    if (line.empty() || line.find("sluice:") != std::string::npos) continue;
    size_t at = line.find('@');
    std::string function = at == std::string::npos ? "" : line.substr(0, at);
    std::string where = at == std::string::npos ? line : line.substr(at + 1);
    out += "\n    at " + (function.empty() ? where : function + " (" + where + ")");
  }
  return out;
}

}  // namespace

Status StatusFromJsError(const std::string& name, const std::string& message, const std::string& stack) {
  std::string bounded_name = BoundErrorText(name);
  std::string bounded_message = BoundErrorText(message);
  std::string text = bounded_name.empty() ? bounded_message : bounded_name + ": " + bounded_message;
  return Status(KindForErrorName(name), text + BoundErrorText(FormatStack(stack)));
}

Status JsRealm::State::TakeException(const std::string& doing) {
  if (!JS_IsExceptionPending(cx)) {
    if (runtime->TimedOut() && InterruptRequested()) {
      return Status(ErrorKind::kTimeout, "cancelled (Ctrl-C) while " + doing);
    }
    if (runtime->TimedOut()) {
      return Status(ErrorKind::kTimeout,
                    "stopped: the call ran past its time limit of " +
                        std::to_string(timeout.count() / 1000.0).substr(0, 5) +
                        " s (connector option timeout_seconds) while " + doing);
    }
    if (runtime->OutOfMemory()) {
      return Status(ErrorKind::kConnector,
                    "stopped: the handler went past its memory limit (" +
                        std::to_string(runtime->options().heap_limit_bytes >> 20) +
                        " MiB) while " + doing);
    }
    return Status(ErrorKind::kConnector, "stopped without an error while " + doing);
  }
  JS::RootedValue exception(cx);
  JS_GetPendingException(cx, &exception);
  JS_ClearPendingException(cx);
  if (runtime->OutOfMemory()) {
    return Status(ErrorKind::kConnector,
                  "stopped: the handler went past its memory limit (" +
                      std::to_string(runtime->options().heap_limit_bytes >> 20) + " MiB) while " +
                      doing);
  }
  if (!exception.isObject()) {
    return Status(
        ErrorKind::kConnector,
        "uncaught exception " + BoundErrorText(ToDisplayString(cx, exception)) + " while " + doing);
  }
  JS::RootedObject error(cx, &exception.toObject());
  std::string name = GetStringProperty(cx, error, "name");
  std::string message = GetStringProperty(cx, error, "message");
  if (name.empty() && message.empty()) message = ToDisplayString(cx, exception);
  std::string stack = GetStringProperty(cx, error, "stack");
  if (name == "SyntaxError" && stack.empty()) {
    // Compile errors have no stack; their position is the useful part. A
    // SyntaxError thrown while running (JSON.parse, response.json()) has
    // one, and its frames say where the handler was.
    std::string file = GetStringProperty(cx, error, "fileName");
    std::string line = GetStringProperty(cx, error, "lineNumber");
    // SpiderMonkey counts columns from 0; editors and our errors from 1.
    std::string column = GetStringProperty(cx, error, "columnNumber");
    column = std::to_string(std::strtol(column.c_str(), nullptr, 10) + 1);
    std::string text = BoundErrorText(name) + ": " + BoundErrorText(message);
    return Status(ErrorKind::kConnector, file + ":" + line + ":" + column + ": " + text);
  }
  return StatusFromJsError(name, message, stack);
}

Status JsRealm::State::RunUntilSettled(JS::HandleObject promise, const std::function<bool()>& ready) {
  using Clock = JsRuntime::Clock;
  while (true) {
    ::js::RunJobs(cx);
    if (InterruptRequested()) {
      // Ctrl-C: the call's transfers stop now, not at their own timeout; with
      // their entries gone, their "cancelled" callbacks find nothing to call.
      for (const auto& [id, fetch] : fetches) transport->Cancel(fetch.transport_id);
      fetches.clear();
    }
    if (runtime->TimedOut() || runtime->OutOfMemory()) return TakeException("waiting for it");
    if (JS::GetPromiseState(promise) != JS::PromiseState::Pending) return Status::Ok();
    if (ready && ready()) return Status::Ok();
    Clock::time_point now = Clock::now();
    if (InterruptRequested()) return Status(ErrorKind::kTimeout, "cancelled (Ctrl-C) while waiting for it");
    if (now >= deadline) {
      return Status(ErrorKind::kTimeout,
                    "stopped: the call ran past its time limit of " +
                        std::to_string(timeout.count() / 1000.0).substr(0, 5) +
                        " s (connector option timeout_seconds) while waiting for it");
    }
    // Fire the earliest due timer (the lowest id among equals, so timers set
    // for the same moment run in the order they were set), then run the jobs
    // it queued before the next.
    auto due = timers.end();
    for (auto it = timers.begin(); it != timers.end(); ++it) {
      if (it->second.due <= now && (due == timers.end() || it->second.due < due->second.due)) due = it;
    }
    bool fired = false;
    if (due != timers.end()) {
      JS::RootedValue callback(cx, JS::ObjectValue(**due->second.callback));
      if (due->second.interval.count() > 0) {
        due->second.due += due->second.interval;
        if (due->second.due < now) due->second.due = now;  // do not replay a backlog
      } else {
        // Erased before the call: a callback that clears itself is harmless.
        timers.erase(due);
      }
      JS::RootedValue ignored(cx);
      if (!JS::Call(cx, JS::UndefinedHandleValue, callback, JS::HandleValueArray::empty(), &ignored)) {
        if (runtime->TimedOut() || runtime->OutOfMemory()) return TakeException("running a timer");
        Status uncaught = TakeException("running a timer");
        console("error", "uncaught exception in a timer callback: " + uncaught.message());
      }
      fired = true;
    }
    if (fired) continue;
    Clock::time_point wake = deadline;
    for (const auto& [id, timer] : timers) wake = std::min(wake, timer.due);
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
    if (wait.count() < 0) wait = std::chrono::milliseconds(0);
    // Nothing wakes a wait on Ctrl-C, so it is sliced to notice one soon.
    wait = std::min(wait, std::chrono::milliseconds(100));
    if (transport->Pending() > 0) {
      transport->Poll(wait);
    } else if (!timers.empty()) {
      std::this_thread::sleep_for(wait);
    } else {
      return Status(ErrorKind::kConnector,
                    "the handler's promise can never settle: it is still pending, and no timer "
                    "or request is left that could settle it");
    }
  }
}

}  // namespace sluice::js
