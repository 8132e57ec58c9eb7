#include "js/js_runtime.h"

#include <js/Initialization.h>
#include <js/MemoryCallbacks.h>
#include <jsfriendapi.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/interrupt.h"
#include "js/selfhosted_cache.h"

namespace sluice::js {
namespace {

// JS_Init must run once per process, before any context; JS_ShutDown at exit.
bool EngineInitOnce() {
  static const bool ok = [] {
    // Tags the embedded self-hosted cache (selfhosted_cache.h); set before
    // anything encodes or decodes bytecode.
    JS::SetProcessBuildIdOp(EngineBuildId);
    if (!JS_Init()) return false;
    std::atexit([] { JS_ShutDown(); });
    return true;
  }();
  return ok;
}

// Resident set size of this process, in bytes (0 if unknown).
size_t ResidentBytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (!statm) return 0;
  unsigned long total = 0, resident = 0;
  int read = std::fscanf(statm, "%lu %lu", &total, &resident);
  std::fclose(statm);
  return read == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

constexpr auto kMemorySamplePeriod = std::chrono::milliseconds(20);

}  // namespace

thread_local bool JsRuntime::thread_has_runtime_ = false;

Result<std::shared_ptr<JsRuntime>> JsRuntime::Shared() {
  thread_local std::weak_ptr<JsRuntime> shared;
  if (std::shared_ptr<JsRuntime> runtime = shared.lock()) return runtime;
  ASSIGN_OR_RETURN(std::unique_ptr<JsRuntime> created, Create());
  std::shared_ptr<JsRuntime> runtime = std::move(created);
  shared = runtime;
  return runtime;
}

Result<std::unique_ptr<JsRuntime>> JsRuntime::Create(const RuntimeOptions& options) {
  if (!EngineInitOnce())
    return Status(ErrorKind::kInternal, "cannot initialise the JavaScript engine");
  if (thread_has_runtime_) {
    return Status(ErrorKind::kInternal,
                  "this thread already has a JavaScript runtime (use JsRuntime::Shared)");
  }
  std::unique_ptr<JsRuntime> runtime(new JsRuntime());
  runtime->options_ = options;
  // The context's own cap is the hard limit; JSGC_MAX_BYTES below makes the
  // GC fail allocations cleanly before it.
  runtime->cx_ = JS_NewContext(options.heap_limit_bytes + (16u << 20));
  if (!runtime->cx_) return Status(ErrorKind::kInternal, "cannot create a JavaScript context");
  JSContext* cx = runtime->cx_;
  JS_SetContextPrivate(cx, runtime.get());
  JS_SetGCParameter(cx, JSGC_MAX_BYTES, static_cast<uint32_t>(options.heap_limit_bytes));
  if (!::js::UseInternalJobQueues(cx) || !InitSelfHostedCodeFromCache(cx)) {
    return Status(ErrorKind::kInternal, "cannot set up the JavaScript engine's self-hosted code");
  }
  JS_AddInterruptCallback(cx, &JsRuntime::OnInterrupt);
  JS::SetOutOfMemoryCallback(cx, &JsRuntime::OnOutOfMemory, runtime.get());
  runtime->watchdog_ = std::thread([r = runtime.get()] { r->Watch(); });
  thread_has_runtime_ = true;
  return runtime;
}

JsRuntime::~JsRuntime() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
  if (cx_) {
    JS_DestroyContext(cx_);
    thread_has_runtime_ = false;
  }
}

// Cheap on the calling thread (a handler call costs microseconds): no
// system calls and no wake-up unless the watchdog sleeps; it takes the
// memory baseline itself.
void JsRuntime::Arm(Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  armed_ = true;
  deadline_ = deadline;
  ++arm_generation_;
  if (watchdog_idle_) wake_.notify_all();
}

void JsRuntime::Disarm() {
  std::lock_guard lock(mutex_);
  armed_ = false;
}

void JsRuntime::Extend(Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  if (!armed_) return;
  deadline_ = deadline;
  // Progress re-takes the memory baseline too, as a new call would: a
  // pushed sync is one long call, and the allocator's retained growth over
  // it (AddressSanitizer's quarantine above all) is not the handler's. The
  // JavaScript heap keeps its own cap (JSGC_MAX_BYTES).
  ++arm_generation_;
}

void JsRuntime::ResetLimits() {
  timed_out_ = false;
  if (out_of_memory_) {
    out_of_memory_ = false;
    JS_GC(cx_);
  }
}

void JsRuntime::Watch() {
  std::unique_lock lock(mutex_);
  uint64_t seen_generation = 0;
  int idle_periods = 0;
  while (!stopping_) {
    // After a while with no call, sleep until the next Arm().
    if (!armed_ && ++idle_periods > 50) {
      watchdog_idle_ = true;
      wake_.wait(lock, [this] { return armed_ || stopping_; });
      watchdog_idle_ = false;
      idle_periods = 0;
      continue;
    }
    Clock::time_point next = Clock::now() + kMemorySamplePeriod;
    if (armed_) next = std::min(next, deadline_);
    wake_.wait_until(lock, next);
    if (!armed_ || stopping_) continue;
    idle_periods = 0;
    size_t resident = ResidentBytes();
    if (seen_generation != arm_generation_) {
      seen_generation = arm_generation_;
      resident_at_arm_ = resident;
    }
    // Ctrl-C stops a call the way its deadline does (core/interrupt.h).
    if (Clock::now() >= deadline_ || InterruptRequested()) {
      timed_out_ = true;
    } else if (resident > resident_at_arm_ + options_.heap_limit_bytes) {
      out_of_memory_ = true;
    } else {
      continue;
    }
    armed_ = false;
    JS_RequestInterruptCallback(cx_);
  }
}

bool JsRuntime::OnInterrupt(JSContext* cx) {
  auto* runtime = static_cast<JsRuntime*>(JS_GetContextPrivate(cx));
  // false ends the running script
  return !runtime->timed_out_.load() && !runtime->out_of_memory_.load();
}

void JsRuntime::OnOutOfMemory(JSContext*, void* self) {
  static_cast<JsRuntime*>(self)->out_of_memory_ = true;
}

}  // namespace sluice::js
