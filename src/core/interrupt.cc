#include "core/interrupt.h"

#include <atomic>

namespace sluice {
namespace {

std::atomic<bool> requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

}  // namespace

void RequestInterrupt() { requested.store(true, std::memory_order_relaxed); }
bool InterruptRequested() { return requested.load(std::memory_order_relaxed); }
void ClearInterrupt() { requested.store(false, std::memory_order_relaxed); }

}  // namespace sluice
