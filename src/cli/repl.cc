#include "cli/repl.h"

#include <readline/history.h>
#include <readline/readline.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

bool CarriesSecret(const ast::Program& program) {
  for (const ast::Statement& statement : program.statements) {
    auto* secret = std::get_if<ast::CreateSecretStmt>(&statement.node);
    if (secret && secret->value) return true;
  }
  return false;
}

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

int RunRepl(Interpreter& interpreter, ConsoleSink& sink, RunOptions options) {
  std::string history = HistoryPath();
  if (!history.empty()) read_history(history.c_str());
  sink.Note("Sluice " SLUICE_VERSION " — statements end with ';', .help for help");
  std::string buffer;
  int failures = 0;
  while (true) {
    std::unique_ptr<char, FreeLine> line(readline(buffer.empty() ? "sluice> " : "   ...> "));
    if (!line) break;
    std::string text(line.get());
    if (buffer.empty()) {
      size_t start = text.find_first_not_of(" \t");
      if (start == std::string::npos) continue;
      if (text[start] == '.') {
        add_history(text.c_str());
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
    // History is a plain file: secrets stay out of it.
    if (!CarriesSecret(parsed.program)) add_history(SecretMasker::Global().Mask(entry).c_str());
    if (!parsed.ok()) {
      for (const Status& error : parsed.errors) sink.Error(error);
      ++failures;
      continue;
    }
    if (!RunProgram(parsed.program, interpreter, sink, options)) ++failures;
  }
  if (!history.empty()) write_history(history.c_str());
  return 0;
}

}  // namespace sluice
