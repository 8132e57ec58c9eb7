// JsRuntime: one SpiderMonkey context per thread, with the limits every
// handler call runs under.
//
//  * Time: Arm() sets a deadline; a watchdog thread interrupts running
//    JavaScript when it passes (the interrupt callback ends the script, and
//    no `catch` can stop that). Event-loop waits check the deadline too.
//  * Memory: the GC heap is capped (JSGC_MAX_BYTES), but arrays' elements
//    and strings' characters live in malloc'd memory that cap does not
//    count. So the watchdog also samples the process's resident memory while
//    a call runs, and interrupts the call when it has grown by more than the
//    limit since the call began.
//
// After a call stopped by a limit, the runtime and its realms stay usable.
//
// Ownership: owns the JSContext; realms (js_realm.h) borrow it and must be
// destroyed first.
// Thread-safety: create, use and destroy on one thread. Only the watchdog
// touches it from another thread, through JS_RequestInterruptCallback.
#pragma once

#include <jsapi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"

namespace sluice::js {

struct RuntimeOptions {
  size_t heap_limit_bytes = 256u << 20;  // GC heap cap per runtime
};

class JsRuntime {
 public:
  using Clock = std::chrono::steady_clock;

  // SpiderMonkey allows one context per thread: Create() fails while another
  // runtime lives on this thread. Shared() hands out this thread's runtime,
  // creating it on first use.
  static Result<std::unique_ptr<JsRuntime>> Create(const RuntimeOptions& options = {});
  static Result<std::shared_ptr<JsRuntime>> Shared();
  ~JsRuntime();
  JsRuntime(const JsRuntime&) = delete;
  JsRuntime& operator=(const JsRuntime&) = delete;

  JSContext* cx() const { return cx_; }

  // RAII for one call's limits: clears what an earlier call hit, arms the
  // deadline, and disarms when the call is over.
  class CallLimit {
   public:
    CallLimit(JsRuntime& runtime, std::chrono::milliseconds timeout) : runtime_(runtime) {
      runtime_.ResetLimits();
      runtime_.Arm(Clock::now() + timeout);
    }
    ~CallLimit() { runtime_.Disarm(); }
    CallLimit(const CallLimit&) = delete;
    CallLimit& operator=(const CallLimit&) = delete;

   private:
    JsRuntime& runtime_;
  };
  const RuntimeOptions& options() const { return options_; }

  // Starts timing a call; the watchdog interrupts JavaScript at `deadline`.
  void Arm(Clock::time_point deadline);
  void Disarm();
  // Moves the armed call's deadline (a call that makes progress), keeping
  // its memory baseline; nothing after the deadline already passed.
  void Extend(Clock::time_point deadline);
  bool TimedOut() const { return timed_out_.load(); }
  bool OutOfMemory() const { return out_of_memory_.load(); }
  // Clears the limit flags (and collects garbage after an OOM) before a call.
  void ResetLimits();

 private:
  JsRuntime() = default;
  static thread_local bool thread_has_runtime_;
  void Watch();
  static bool OnInterrupt(JSContext* cx);
  static void OnOutOfMemory(JSContext* cx, void* self);

  JSContext* cx_ = nullptr;
  RuntimeOptions options_;
  std::thread watchdog_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool armed_ = false;
  Clock::time_point deadline_;
  std::atomic<bool> timed_out_{false};
  std::atomic<bool> out_of_memory_{false};
  size_t resident_at_arm_ = 0;  // bytes, sampled by the watchdog when a call begins
  uint64_t arm_generation_ = 0;  // counts Arm() calls
  bool watchdog_idle_ = false;   // waiting for Arm(), not sampling
};

}  // namespace sluice::js
