// The `sluice test` runner: finds connector tests in .sql files, runs them
// (in parallel with jobs > 1) and reports each as PASS, FAIL or SKIP, ending
// with "N passed, N failed, N skipped"; optionally as JUnit XML for CI.
//
// Files are taken by folder. In each folder that holds tests, the .sql files
// without TEST blocks are definitions: they run first, in name order, into
// one base workspace (empty, or a copy of --workspace); then the other
// statements of each test file run, in file order. Every test then runs in a
// copy of that base (lang/test_block.h), so definitions are shared and
// nothing else is. Naming a file runs its tests, with its folder's
// definitions.
//
// Thread-safety: RunTests is called once, from one thread; it starts its
// own workers.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace sluice {

struct TestRunOptions {
  std::vector<std::string> paths;         // files or folders (default ".")
  std::vector<std::string> tags;          // only tests carrying one of these
  std::vector<std::string> exclude_tags;  // never tests carrying one of these
  std::string filter;                     // only tests whose name contains this (any case)
  std::string junit_path;                 // also write JUnit XML here
  std::string workspace_path;             // base each folder on a copy of this workspace
  int jobs = 1;                           // tests run at once, each on its own thread
  bool verbose = false;                   // show what passing tests printed too
};

// Runs the tests; the process exit status: 0 when none failed, 1 when any
// failed, 2 when the paths or options are unusable.
int RunTests(const TestRunOptions& options, std::FILE* out, std::FILE* err);

}  // namespace sluice
