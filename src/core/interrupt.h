// Interrupt: a process-wide request to stop what is running (Ctrl-C).
//
// The SIGINT handler sets it; the places that already enforce a call's time
// limit (the JavaScript watchdog, the event loop's waits) check it too and
// stop the call the same way, with a "cancelled (Ctrl-C)" error (of kind
// kTimeout: a stopped call, which TRY does not catch while the request is
// pending). Whoever owns the run (the REPL) clears it before the next
// statement.
//
// Thread-safety: all functions may be called from any thread, and
// RequestInterrupt() from a signal handler (a lock-free atomic).
#pragma once

namespace sluice {

void RequestInterrupt();
bool InterruptRequested();
void ClearInterrupt();

}  // namespace sluice
