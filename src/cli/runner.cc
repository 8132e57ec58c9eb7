#include "cli/runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "core/secret_masker.h"

namespace sluice {

void ConsoleSink::Write(std::FILE* stream, const std::string& text) {
  std::string masked = SecretMasker::Global().Mask(text);
  std::fwrite(masked.data(), 1, masked.size(), stream);
}

namespace {

// Masks string cells before rendering, so column widths do not give away a
// secret's length.
ResultSet MaskCells(const ResultSet& result) {
  const SecretMasker& masker = SecretMasker::Global();
  ResultSet masked = result;
  for (auto& row : masked.rows) {
    for (Value& cell : row) {
      if (cell.is_string()) {
        cell = masker.Mask(cell.get_ref<const std::string&>());
      } else if (cell.is_structured()) {
        std::string text = cell.dump();
        std::string hidden = masker.Mask(text);
        if (hidden != text) cell = hidden;
      }
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

void ConsoleSink::Note(const std::string& line) {
  std::fflush(out_);
  Write(err_, line + "\n");
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
