// The interactive shell: line editing and history (GNU readline), statements
// spanning lines until they are complete, and dot commands (.help, .mode,
// .timer, .read, .quit).
//
// Statements that carry a secret literal (CREATE SECRET … VALUE '…') are
// never written to the history file.
#pragma once

#include "cli/runner.h"

namespace sluice {

// Runs until end of input or .quit; returns the process exit status.
int RunRepl(Interpreter& interpreter, ConsoleSink& sink, RunOptions options);

// Handles one dot command line. Returns false for .quit/.exit.
// Exposed for tests.
bool HandleDotCommand(const std::string& line, Interpreter& interpreter, ConsoleSink& sink,
                      RunOptions& options);

}  // namespace sluice
