// sluice: run Sluice statements from the command line, files, stdin or an
// interactive shell.
//
//   sluice [WORKSPACE] [-c SQL]... [FILE.sql]...
//   sluice sync FILE.yaml... [--workspace W]
//   sluice scheduler [WORKSPACE] [--once]
//   sluice plugin serve DIR [--address A --network tcp|unix --log-format json|text …]
//   sluice test [PATH]... [--tags a,b] [--exclude-tags c] [--filter TEXT] [--junit FILE] [-j N]
//   sluice keygen NAME [-w WORKSPACE] [--force]
//   sluice package DIR [--version V] [--out DIR] [--type T] [--license L] …
//   sluice serve [WORKSPACE] [--listen HOST:PORT] [--allow-writes] …
//   sluice mcp [WORKSPACE] [--allow-writes]
//
// Commands and files run in the order given. With neither, a terminal gets
// the REPL and a pipe is read as a script.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/package_command.h"
#include "cli/plugin_command.h"
#include "cli/repl.h"
#include "cli/runner.h"
#include "cli/scheduler.h"
#include "cli/serve_command.h"
#include "cli/sync_command.h"
#include "cli/worker_command.h"
#include "core/interrupt.h"
#include "testing/test_runner.h"

namespace {

struct Input {
  bool is_command;
  std::string text;  // the SQL, or the file path ("-" for stdin)
};

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice;
  CLI::App app{"Sluice: query, act on, sync and test API connectors with SQL", "sluice"};
  app.set_version_flag("--version", SLUICE_VERSION);
  std::string workspace_path = "sluice.db";
  std::vector<std::string> positional;
  std::string format_name;
  RunOptions options;
  std::vector<Input> inputs;

  app.add_option("--workspace,-w", workspace_path, "workspace file (default ./sluice.db; :memory: for none)");
  std::vector<std::string> commands;
  app.add_option("-c,--command", commands, "run statements (repeatable; before any files)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  app.add_option("--format,-f", format_name, "output format: table, json, jsonl, csv, line");
  app.add_flag("--keep-going,-k", options.keep_going, "after a failed statement, run the next one");
  app.add_flag("--echo", options.echo, "print each statement before its output");
  app.add_option("args", positional, "[WORKSPACE] [FILE.sql]... (- reads stdin)");

  TestRunOptions test_options;
  CLI::App* test = app.add_subcommand("test", "run the connector tests (TEST CONNECTOR TYPE …) in .sql files");
  test->add_option("paths", test_options.paths, "files or folders to search for .sql files (default .)");
  // One value each (a,b), repeatable: a list option must not swallow the paths after it.
  for (auto [flag, target, help] :
       {std::tuple{"--tags", &test_options.tags, "run only tests with one of these tags (a,b)"},
        std::tuple{"--exclude-tags", &test_options.exclude_tags, "skip tests with any of these tags (a,b)"}}) {
    test->add_option(flag, *target, help)
        ->delimiter(',')
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
  }
  test->add_option("--filter", test_options.filter, "run only tests whose name contains TEXT (any case)");
  test->add_option("--junit", test_options.junit_path, "also write the results as JUnit XML to FILE");
  test->add_option("--workspace,-w", test_options.workspace_path,
                   "start from a copy of this workspace (it is never changed)");
  test->add_option("-j,--jobs", test_options.jobs, "tests to run at once (default 1)")
      ->check(CLI::Range(1, 64));
  test->add_flag("--verbose,-v", test_options.verbose, "show what passing tests printed too");
  std::vector<std::string> sync_files;
  CLI::App* sync = app.add_subcommand("sync", "run CloudQuery-style sync configurations (kind: source / destination)");
  sync->add_option("files", sync_files, "YAML files")->required();
  sync->add_option("--workspace,-w", workspace_path, "workspace file (default ./sluice.db)");
  SyncConfigOptions sync_options;
  sync->add_option("--shard", sync_options.shard,
                   "sync only shard i of N (i/N, from 1): the work units whose stable hash falls in it");
  sync->add_flag("--distributed", sync_options.distributed,
                 "store the run's work units for `sluice worker` processes (PostgreSQL destination) and wait");
  CLI::App* worker = app.add_subcommand("worker", "sync work units of distributed runs leased from a coordinator");
  worker->prefix_command();  // its own flags (and --help): cli/worker_command.h
  worker->set_help_flag();
  worker->allow_extras();
  bool scheduler_once = false;
  std::vector<std::string> scheduler_args;
  CLI::App* scheduler = app.add_subcommand("scheduler", "run the stored SYNC … SCHEDULE statements when due");
  scheduler->add_option("workspace", scheduler_args, "workspace file (default ./sluice.db)")->expected(0, 1);
  scheduler->add_flag("--once", scheduler_once, "run what is due this minute, then exit");
  PluginCommand plugin(app);
  PackageCommands package_commands(app, workspace_path);
  ServeCommands serve_commands(app, workspace_path);
  DisableCoreDumps();
  CLI11_PARSE(app, argc, argv);
  if (test->parsed()) return RunTests(test_options, stdout, stderr);
  if (plugin.parsed()) return plugin.Run(argv[0]);
  if (package_commands.parsed()) return package_commands.Run();
  if (serve_commands.parsed()) return serve_commands.Run();
  if (worker->parsed()) {
    ConsoleSink worker_sink(stdout, stderr);
    return RunWorkerCommand(worker->remaining(), worker_sink);
  }
  if (scheduler->parsed() && !scheduler_args.empty()) workspace_path = scheduler_args.front();

  // A first positional that is not a script names the workspace.
  size_t first_script = 0;
  if (!positional.empty() && positional[0] != "-" && !positional[0].ends_with(".sql")) {
    workspace_path = positional[0];
    first_script = 1;
  }
  // -c commands run before files, in the order given among themselves.
  for (const std::string& sql : commands) inputs.push_back({true, sql});
  for (size_t i = first_script; i < positional.size(); ++i) inputs.push_back({false, positional[i]});

  ConsoleSink sink(stdout, stderr);
  if (!format_name.empty()) {
    std::optional<OutputFormat> format = ParseOutputFormat(format_name);
    if (!format) {
      sink.Error(Status(ErrorKind::kInvalidArgument, "unknown format '" + format_name +
                                                         "' (table, json, jsonl, csv, line)"));
      return 2;
    }
    sink.render_options().format = *format;
  }
  if (isatty(STDOUT_FILENO)) {
    const char* columns = std::getenv("COLUMNS");
    size_t width = columns ? std::strtoul(columns, nullptr, 10) : 0;
    sink.render_options().max_width = width >= 20 ? width : 120;
  }

  Result<std::unique_ptr<Workspace>> workspace = Workspace::Open(workspace_path);
  if (!workspace.ok()) {
    sink.Error(workspace.status());
    return 1;
  }
  Interpreter interpreter(**workspace, sink);
  const bool repl = inputs.empty() && isatty(STDIN_FILENO);
  InstallInterruptHandler(repl);
  // 128 + SIGINT, as a shell reports a process stopped by Ctrl-C.
  constexpr int kInterruptedStatus = 130;
  if (sync->parsed()) {
    int status = RunSyncConfigs(sync_files, **workspace, interpreter, sink, sync_options);
    return InterruptRequested() ? kInterruptedStatus : status;
  }
  if (scheduler->parsed()) {
    int status = RunScheduler(**workspace, interpreter, sink, scheduler_once);
    return InterruptRequested() ? kInterruptedStatus : status;
  }

  if (repl) return RunRepl(interpreter, sink, options);
  if (inputs.empty()) inputs.push_back({false, "-"});
  bool all_ok = true;
  int command_number = 0;
  for (const Input& input : inputs) {
    std::shared_ptr<SourceFile> source;
    if (input.is_command) {
      ++command_number;
      source = std::make_shared<SourceFile>(
          SourceFile{"<command " + std::to_string(command_number) + ">", input.text});
    } else if (input.text == "-") {
      std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      source = std::make_shared<SourceFile>(SourceFile{"<stdin>", std::move(text)});
    } else {
      std::ifstream in(input.text, std::ios::binary);
      if (!in) {
        sink.Error(Status(ErrorKind::kIo, "cannot read '" + input.text + "'"));
        all_ok = false;
        if (!options.keep_going) break;
        continue;
      }
      std::stringstream text;
      text << in.rdbuf();
      source = std::make_shared<SourceFile>(SourceFile{input.text, text.str()});
    }
    if (!RunText(source, interpreter, sink, options)) {
      all_ok = false;
      if (!options.keep_going || InterruptRequested()) break;
    }
  }
  if (InterruptRequested()) {
    sink.Note("interrupted (Ctrl-C); what was committed before is kept");
    return kInterruptedStatus;
  }
  return all_ok ? 0 : 1;
}
