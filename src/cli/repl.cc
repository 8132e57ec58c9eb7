#include "cli/repl.h"

#include <readline/history.h>
#include <readline/readline.h>

#include <signal.h>
#include <sys/select.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/interrupt.h"
#include "core/secret_masker.h"

namespace sluice {
namespace {

constexpr const char* kHelp = R"(Statements end with ';' and may span lines. Dot commands:
  .help                       this text
  .mode table|json|jsonl|csv|line
                              how results are printed
  .timer on|off               print each statement's run time
  .read FILE                  run the statements in FILE
  .stats                      HTTP requests, retries, waits and cache hits of each connector
  .cache on|off|clear         the query cache of connectors with OPTIONS.cache_ttl
  .quit, .exit                leave (so does Ctrl-D)
Start with: SHOW CONNECTOR TYPES;  SHOW CONNECTORS;  DESCRIBE CONNECTOR TYPE 'name';
)";

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  if (!home) return "";
  return std::string(home) + "/.sluice_history";
}

// Readline owns the line it returns; this frees it.
struct FreeLine {
  void operator()(char* line) const { std::free(line); }
};

}  // namespace

bool HandleDotCommand(const std::string& line, Interpreter& interpreter, ConsoleSink& sink,
                      RunOptions& options) {
  std::istringstream words(line);
  std::string command, argument;
  words >> command >> argument;
  if (command == ".quit" || command == ".exit") return false;
  if (command == ".help") {
    sink.Print(std::string(kHelp).substr(0, std::string(kHelp).size() - 1));
  } else if (command == ".mode") {
    std::optional<OutputFormat> format = ParseOutputFormat(argument);
    if (!format) {
      sink.Error(Status(ErrorKind::kInvalidArgument,
                        "unknown mode '" + argument + "' (table, json, jsonl, csv, line)"));
    } else {
      sink.render_options().format = *format;
    }
  } else if (command == ".timer") {
    if (argument != "on" && argument != "off") {
      sink.Error(Status(ErrorKind::kInvalidArgument, ".timer takes on or off"));
    } else {
      options.timer = argument == "on";
    }
  } else if (command == ".cache") {
    if (argument == "on" || argument == "off") {
      interpreter.connectors().SetCacheEnabled(argument == "on");
    } else if (argument == "clear") {
      interpreter.connectors().ClearCache();
    } else {
      sink.Error(Status(ErrorKind::kInvalidArgument, ".cache takes on, off or clear"));
    }
  } else if (command == ".stats") {
    RunText(std::make_shared<SourceFile>(SourceFile{"<.stats>", "SHOW CONNECTOR STATS;"}), interpreter, sink,
            options);
  } else if (command == ".read") {
    std::ifstream in(argument, std::ios::binary);
    if (argument.empty() || !in) {
      sink.Error(Status(ErrorKind::kIo, "cannot read '" + argument + "'"));
    } else {
      std::stringstream text;
      text << in.rdbuf();
      RunText(std::make_shared<SourceFile>(SourceFile{argument, text.str()}), interpreter, sink, options);
    }
  } else {
    sink.Error(Status(ErrorKind::kInvalidArgument, "unknown command '" + command + "' (try .help)"));
  }
  return true;
}

namespace {

// readline's callback interface: the REPL waits in select() itself, so a
// Ctrl-C at the prompt interrupts that wait (EINTR) instead of killing the
// process, and the half-typed input can be thrown away.
struct LineState {
  bool done = false;
  std::unique_ptr<char, FreeLine> line;  // null at end of input
};
LineState* pending_line = nullptr;

void OnLine(char* line) {
  pending_line->line.reset(line);
  pending_line->done = true;
  rl_callback_handler_remove();
}

enum class ReadOutcome { kLine, kEnd, kInterrupted };

// SIGINT stays blocked except inside pselect(), so a Ctrl-C that comes while
// readline handles a key is seen at the next wait instead of being lost
// until the next key.
class BlockInterrupts {
 public:
  BlockInterrupts() {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &previous_);
  }
  ~BlockInterrupts() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }
  BlockInterrupts(const BlockInterrupts&) = delete;
  BlockInterrupts& operator=(const BlockInterrupts&) = delete;
  const sigset_t& previous() const { return previous_; }

 private:
  sigset_t previous_;
};

ReadOutcome ReadLine(const char* prompt, std::string& text) {
  BlockInterrupts blocked;
  LineState state;
  pending_line = &state;
  rl_callback_handler_install(prompt, OnLine);
  const int fd = fileno(rl_instream ? rl_instream : stdin);
  while (!state.done) {
    if (InterruptRequested()) {
      // Ctrl-C: drop what was typed and show a fresh prompt.
      std::FILE* out = rl_outstream ? rl_outstream : stdout;
      rl_end_of_line(0, 0);
      rl_redisplay();
      std::fputs("^C\n", out);
      std::fflush(out);
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_replace_line("", 0);
      rl_callback_handler_remove();
      ClearInterrupt();
      pending_line = nullptr;
      return ReadOutcome::kInterrupted;
    }
    fd_set ready;
    FD_ZERO(&ready);
    FD_SET(fd, &ready);
    if (pselect(fd + 1, &ready, nullptr, nullptr, nullptr, &blocked.previous()) < 0) {
      if (errno == EINTR) continue;  // Ctrl-C (seen above) or another signal
      rl_callback_handler_remove();
      pending_line = nullptr;
      return ReadOutcome::kEnd;
    }
    rl_callback_read_char();
  }
  pending_line = nullptr;
  if (!state.line) return ReadOutcome::kEnd;
  text = state.line.get();
  return ReadOutcome::kLine;
}

// Saved as each entry is made, so a process that dies later still leaves
// the session's history behind.
void SaveEntry(const std::string& history, const std::string& entry) {
  add_history(entry.c_str());
  if (history.empty()) return;
  if (append_history(1, history.c_str()) != 0) write_history(history.c_str());
}

}  // namespace

int RunRepl(Interpreter& interpreter, ConsoleSink& sink, RunOptions options) {
  std::string history = HistoryPath();
  if (!history.empty()) read_history(history.c_str());
  // The REPL handles SIGINT itself (core/interrupt.h); readline must not
  // install its own handler over it.
  rl_catch_signals = 0;
  sink.Note("Sluice " SLUICE_VERSION " — statements end with ';', .help for help");
  std::string buffer;
  while (true) {
    std::string text;
    ReadOutcome outcome = ReadLine(buffer.empty() ? "sluice> " : "   ...> ", text);
    if (outcome == ReadOutcome::kEnd) break;
    if (outcome == ReadOutcome::kInterrupted) {
      buffer.clear();
      continue;
    }
    if (buffer.empty()) {
      size_t start = text.find_first_not_of(" \t");
      if (start == std::string::npos) continue;
      if (text[start] == '.') {
        SaveEntry(history, text);
        ClearInterrupt();
        if (!HandleDotCommand(text.substr(start), interpreter, sink, options)) break;
        continue;
      }
    }
    buffer += text + "\n";
    auto source = std::make_shared<SourceFile>(SourceFile{"<repl>", buffer});
    ParseOptions parse_options;
    parse_options.require_final_semicolon = true;
    ParseResult parsed = Parse(source, parse_options);
    if (parsed.incomplete) continue;
    std::string entry = buffer.substr(0, buffer.size() - 1);
    buffer.clear();
    // History is a plain file: a statement that sets a secret stays out of
    // it, even mistyped and unparsed.
    if (!parsed.carries_secret) SaveEntry(history, SecretMasker::Global().Mask(entry));
    if (!parsed.ok()) {
      for (const Status& error : parsed.errors) sink.Error(error);
      continue;
    }
    // A Ctrl-C typed while no statement ran must not stop this one.
    ClearInterrupt();
    RunProgram(parsed.program, interpreter, sink, options);
    ClearInterrupt();
  }
  std::fputs("\n", stdout);
  if (!history.empty()) write_history(history.c_str());
  return 0;
}

}  // namespace sluice
