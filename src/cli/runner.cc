#include "cli/runner.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/interrupt.h"
#include "core/secret_masker.h"

namespace sluice {

void ConsoleSink::Write(std::FILE* stream, const std::string& text) {
  std::string masked = SecretMasker::Global().Mask(text);
  std::fwrite(masked.data(), 1, masked.size(), stream);
}

namespace {

// Each string of a structured value, keys included, masked where it stands:
// in the value's JSON text a string that is itself JSON (a handler's
// JSON.stringify) would be escaped twice, past what the masker decodes.
Value MaskValue(const SecretMasker& masker, const Value& value) {
  if (value.is_string()) return masker.Mask(value.get_ref<const std::string&>());
  if (value.is_array()) {
    Value out = Value::array();
    for (const Value& item : value) out.push_back(MaskValue(masker, item));
    return out;
  }
  if (value.is_object()) {
    Value out = Value::object();
    for (const auto& [key, item] : value.items()) out[masker.Mask(key)] = MaskValue(masker, item);
    return out;
  }
  return value;
}

// Masks string cells before rendering, so column widths do not give away a
// secret's length.
ResultSet MaskCells(const ResultSet& result) {
  const SecretMasker& masker = SecretMasker::Global();
  ResultSet masked = result;
  for (auto& row : masked.rows) {
    for (Value& cell : row) {
      if (cell.is_string() || cell.is_structured()) cell = MaskValue(masker, cell);
    }
  }
  return masked;
}

}  // namespace

void ConsoleSink::Emit(const ResultSet& result) {
  // Tables read better with a blank line between consecutive results.
  if (wrote_result_ && render_.format == OutputFormat::kTable) Write(out_, "\n");
  Write(out_, RenderResult(SecretMasker::Global().empty() ? result : MaskCells(result), render_));
  wrote_result_ = true;
  std::fflush(out_);
}

void ConsoleSink::Print(const std::string& line) {
  Write(out_, line + "\n");
  wrote_result_ = false;  // the printed line already separates what follows
  std::fflush(out_);
}

void ConsoleSink::Error(const Status& status) {
  std::fflush(out_);
  Write(err_, status.Render() + "\n");
  std::fflush(err_);
}

bool ConsoleSink::ShowsProgress() const { return isatty(fileno(err_)) == 1; }

void ConsoleSink::Progress(const std::string& line) {
  std::fflush(out_);
  // Back to the start of the block shown last and clear to the screen's
  // end: the new status (a line per entity) replaces the old.
  std::string up = progress_lines_ > 0 ? "\033[" + std::to_string(progress_lines_) + "A" : "";
  Write(err_, up + "\r\033[J" + line);
  progress_lines_ = static_cast<int>(std::count(line.begin(), line.end(), '\n'));
  std::fflush(err_);
}

void ConsoleSink::SyncProgress(const SyncProgressEvent& event) {
  // Off a terminal: a log line per committed batch, as any sink.
  if (!ShowsProgress()) return OutputSink::SyncProgress(event);
  board_.Show(event);
}

void ConsoleSink::Note(const std::string& line) {
  std::fflush(out_);
  Write(err_, line + "\n");
}

void DisableCoreDumps() {
  if (const char* allow = std::getenv("SLUICE_ALLOW_CORE_DUMPS"); allow && std::string(allow) == "1") return;
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

namespace {

bool interactive_interrupts = false;

void OnInterruptSignal(int) {
  // A second Ctrl-C while a script is still stopping ends it at once.
  if (InterruptRequested() && !interactive_interrupts) {
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
    return;
  }
  RequestInterrupt();
}

}  // namespace

void InstallInterruptHandler(bool interactive) {
  interactive_interrupts = interactive;
  // A script started to ignore SIGINT (`nohup`, `cmd &` in a shell script)
  // goes on ignoring it, as Unix tools do.
  struct sigaction current {};
  if (!interactive && sigaction(SIGINT, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) return;
  struct sigaction action {};
  action.sa_handler = OnInterruptSignal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: the REPL's wait for input must return on Ctrl-C.
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
}

bool RunProgram(const ast::Program& program, Interpreter& interpreter, ConsoleSink& sink,
                const RunOptions& options) {
  bool all_ok = true;
  for (const ast::Statement& statement : program.statements) {
    if (options.echo) sink.Print(std::string(statement.span.Text()));
    auto start = std::chrono::steady_clock::now();
    Status status = interpreter.Execute(statement);
    if (options.timer) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "Run Time: %.3fs", seconds);
      sink.Note(buffer);
    }
    if (!status.ok()) {
      sink.Error(status);
      all_ok = false;
      if (!options.keep_going) return false;
    }
    // Ctrl-C stops the statements after the one it cancelled, even with
    // keep_going.
    if (InterruptRequested()) return false;
  }
  return all_ok;
}

bool RunText(std::shared_ptr<const SourceFile> source, Interpreter& interpreter, ConsoleSink& sink,
             const RunOptions& options) {
  ParseResult parsed = Parse(std::move(source));
  if (!parsed.ok()) {
    for (const Status& error : parsed.errors) sink.Error(error);
    sink.Note(std::to_string(parsed.errors.size()) + (parsed.errors.size() == 1 ? " error" : " errors") +
              " in " + parsed.program.source->name + "; nothing in it was run");
    return false;
  }
  return RunProgram(parsed.program, interpreter, sink, options);
}

}  // namespace sluice
