// The CLI's way of running text: parse it whole, report every parse error
// (and run nothing), else run its statements in order, reporting the first
// failure (or each failure, with keep_going).
//
// ConsoleSink writes results to stdout and errors to stderr, masking secrets
// on the way out: it is the one place where the CLI writes user-visible text.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "lang/result_format.h"
#include "cli/progress_board.h"
#include "lang/interpreter.h"
#include "lang/parser.h"

namespace sluice {

class ConsoleSink : public OutputSink {
 public:
  ConsoleSink(std::FILE* out, std::FILE* err) : out_(out), err_(err) {}

  void Emit(const ResultSet& result) override;
  void Print(const std::string& line) override;
  void Log(const std::string& line) override { Note(line); }
  bool ShowsProgress() const override;
  void Progress(const std::string& line) override;
  void SyncProgress(const SyncProgressEvent& event) override;
  void SyncProgressEnd() override { board_.Clear(); }
  void Error(const Status& status);
  void Note(const std::string& line);  // to stderr, e.g. timings

  RenderOptions& render_options() { return render_; }

 private:
  void Write(std::FILE* stream, const std::string& text);

  std::FILE* out_;
  std::FILE* err_;
  RenderOptions render_;
  bool wrote_result_ = false;
  int progress_lines_ = 0;  // lines below the first of the live block shown last
  ProgressBoard board_{*this};  // on a terminal: a SYNC's live line per entity
};

struct RunOptions {
  bool keep_going = false;  // after a failed statement, run the next one
  bool echo = false;        // print each statement before running it
  bool timer = false;       // print each statement's run time
};

// Keeps secrets out of core files: no core dump, and the process is not
// dumpable (nor attachable by other processes of the same user). Set
// SLUICE_ALLOW_CORE_DUMPS=1 to debug a crash.
void DisableCoreDumps();

// SIGINT (Ctrl-C) requests an interrupt (core/interrupt.h): the running call
// stops as at its time limit, committed work stays, and RunProgram runs no
// further statement. Outside the REPL (`interactive` false) a second Ctrl-C
// kills the process at once.
void InstallInterruptHandler(bool interactive);

// Returns true when every statement parsed and ran.
bool RunText(std::shared_ptr<const SourceFile> source, Interpreter& interpreter, ConsoleSink& sink,
             const RunOptions& options);

// Runs an already parsed program (the REPL parses first to learn whether the
// input is complete).
bool RunProgram(const ast::Program& program, Interpreter& interpreter, ConsoleSink& sink,
                const RunOptions& options);

}  // namespace sluice
