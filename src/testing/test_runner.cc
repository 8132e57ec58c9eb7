#include "testing/test_runner.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "lang/result_format.h"
#include "core/secret_masker.h"
#include "js/js_runtime.h"
#include "lang/test_block.h"
#include "lang/interpreter.h"
#include "lang/parser.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What a test (or a folder's definitions) printed, kept to show with its
// verdict: tests run at once would otherwise interleave their output.
class CaptureSink : public OutputSink {
 public:
  void Emit(const ResultSet& result) override { text_ += RenderResult(result, RenderOptions{}); }
  void Print(const std::string& line) override { text_ += line + "\n"; }
  void Log(const std::string& line) override { text_ += line + "\n"; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

struct TestFile {
  ast::Program program;
  bool has_tests = false;
};

// One folder: its definitions, its base workspace, and what failed setting it up.
struct Folder {
  std::string path;
  std::vector<TestFile*> definitions;  // files without tests, in name order
  std::vector<TestFile*> test_files;   // the files whose tests run
  std::unique_ptr<Workspace> base;
  std::mutex base_lock;                // one copy of the base at a time
};

struct Job {
  Folder* folder;
  const std::string* file;
  const ast::Statement* statement;
  std::vector<std::string> tags;
  // Filled in by the worker.
  TestOutcome outcome;
  std::string output;
  bool done = false;
};

// A failure that is not one test's: a file that does not parse, a definition
// that fails. It counts as a failed test named after what it stopped.
struct SetupFailure {
  std::string file;
  std::string what;
  std::vector<Status> errors;
  std::string output;
};

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// Masks first: escaping turns a secret's `& < > "` into entities (and control
// characters into '?'), which a mask applied to the finished XML would miss.
std::string XmlEscape(std::string_view raw) {
  const std::string text = SecretMasker::Global().Mask(raw);
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 has no way to write most control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string Seconds(std::chrono::microseconds duration) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(duration.count()) / 1e6);
  return buffer;
}

std::string Milliseconds(std::chrono::microseconds duration) {
  return std::to_string(duration.count() / 1000) + " ms";
}

bool Selected(const std::vector<std::string>& tags, const std::string& name, const TestRunOptions& options) {
  auto has = [&tags](const std::string& tag) { return std::find(tags.begin(), tags.end(), tag) != tags.end(); };
  if (!options.tags.empty() && std::none_of(options.tags.begin(), options.tags.end(), has)) return false;
  if (std::any_of(options.exclude_tags.begin(), options.exclude_tags.end(), has)) return false;
  return options.filter.empty() || Lower(name).find(Lower(options.filter)) != std::string::npos;
}

class Runner {
 public:
  Runner(const TestRunOptions& options, std::FILE* out, std::FILE* err)
      : options_(options), out_(out), err_(err) {}

  int Run();

 private:
  bool Discover();
  void SetUp(Folder& folder);
  void RunJobs();
  void RunJob(Job& job);
  void Report(const Job& job);
  void ReportSetupFailure(const SetupFailure& failure);
  void Write(std::FILE* stream, const std::string& text);
  bool WriteJunit(std::chrono::microseconds elapsed);

  const TestRunOptions& options_;
  std::FILE* out_;
  std::FILE* err_;
  std::map<std::string, std::unique_ptr<TestFile>> files_;  // by path
  std::map<std::string, std::unique_ptr<Folder>> folders_;  // by path
  std::vector<std::unique_ptr<Job>> jobs_;
  std::vector<SetupFailure> setup_failures_;
  std::string last_heading_;
  int passed_ = 0, failed_ = 0, skipped_ = 0;
  std::mutex done_lock_;
  std::condition_variable done_changed_;
};

void Runner::Write(std::FILE* stream, const std::string& text) {
  std::string masked = SecretMasker::Global().Mask(text);
  std::fwrite(masked.data(), 1, masked.size(), stream);
  std::fflush(stream);
}

// Reads and parses every .sql file under the paths; a file that does not
// parse is a setup failure of its own.
bool Runner::Discover() {
  std::vector<std::string> paths = options_.paths.empty() ? std::vector<std::string>{"."} : options_.paths;
  std::vector<std::string> named;  // test files asked for, in the order found
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      Write(err_, "sluice test: no such file or folder: " + path + "\n");
      return false;
    }
    std::vector<std::string> found;
    if (fs::is_directory(status)) {
      for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".sql") found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
    } else {
      found.push_back(path);
    }
    named.insert(named.end(), found.begin(), found.end());
  }
  if (named.empty()) {
    Write(err_, "sluice test: no .sql files under the paths given\n");
    return false;
  }
  auto load = [this](const std::string& path) -> TestFile* {
    auto& slot = files_[path];
    if (slot) return slot.get();
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto source = std::make_shared<SourceFile>(SourceFile{path, text.str()});
    ParseResult parsed = Parse(source);
    if (!in || !parsed.ok()) {
      SetupFailure failure{path, "parse", parsed.errors, ""};
      if (!in) failure.errors.push_back(Status(ErrorKind::kIo, "cannot read '" + path + "'"));
      setup_failures_.push_back(std::move(failure));
      return nullptr;
    }
    slot = std::make_unique<TestFile>();
    slot->program = std::move(parsed.program);
    for (const ast::Statement& statement : slot->program.statements) {
      slot->has_tests = slot->has_tests || std::holds_alternative<ast::TestStmt>(statement.node);
    }
    return slot.get();
  };
  for (const std::string& path : named) {
    TestFile* file = load(path);
    if (!file || !file->has_tests) continue;
    std::string folder_path = fs::path(path).parent_path().string();
    auto& folder = folders_[folder_path];
    if (!folder) {
      folder = std::make_unique<Folder>();
      folder->path = folder_path;
      // The folder's definitions, whether or not they were named.
      std::vector<std::string> siblings;
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(folder_path.empty() ? "." : folder_path, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".sql") {
          siblings.push_back(folder_path.empty() ? entry.path().filename().string() : entry.path().string());
        }
      }
      std::sort(siblings.begin(), siblings.end());
      for (const std::string& sibling : siblings) {
        TestFile* candidate = load(sibling);
        if (candidate && !candidate->has_tests) folder->definitions.push_back(candidate);
      }
    }
    if (std::find(folder->test_files.begin(), folder->test_files.end(), file) == folder->test_files.end()) {
      folder->test_files.push_back(file);
    }
  }
  return true;
}

// Runs a folder's definitions and its test files' other statements into its
// base workspace, and makes a job of each selected test.
void Runner::SetUp(Folder& folder) {
  CaptureSink sink;
  auto fail = [&](const std::string& file, const std::string& what, Status status) {
    setup_failures_.push_back({file, what, {std::move(status)}, sink.text()});
    // Tests over half-made definitions would only fail confusingly.
    if (what != "definitions" && what != "workspace") return;
    std::erase_if(jobs_, [&folder](const std::unique_ptr<Job>& job) { return job->folder == &folder; });
  };
  auto open_base = [this]() -> Result<std::unique_ptr<Workspace>> {
    if (options_.workspace_path.empty()) return Workspace::Open(":memory:");
    ASSIGN_OR_RETURN(std::unique_ptr<Workspace> given, Workspace::Open(options_.workspace_path));
    return Workspace::OpenCopy(*given);
  };
  Result<std::unique_ptr<Workspace>> base = open_base();
  if (!base.ok()) return fail(folder.path, "workspace", base.TakeStatus());
  folder.base = std::move(base).value();
  // Runs the definitions and evaluates TAGS; its session ends here, the
  // workspace it filled stays.
  Interpreter setup(*folder.base, sink);
  for (TestFile* file : folder.definitions) {
    Status status = setup.ExecuteAll(file->program);
    if (!status.ok()) return fail(file->program.source->name, "definitions", std::move(status));
  }
  for (TestFile* file : folder.test_files) {
    const std::string& name = file->program.source->name;
    for (const ast::Statement& statement : file->program.statements) {
      const auto* test = std::get_if<ast::TestStmt>(&statement.node);
      if (!test) {
        Status status = setup.Execute(statement);
        if (!status.ok()) return fail(name, "definitions", std::move(status));
        continue;
      }
      Result<std::vector<std::string>> tags = EvaluateTestTags(setup, *test);
      if (!tags.ok()) {
        fail(name, "test '" + test->test_name.text + "'", tags.TakeStatus());
        continue;
      }
      if (!Selected(*tags, test->test_name.text, options_)) continue;
      auto job = std::make_unique<Job>();
      job->folder = &folder;
      job->file = &name;
      job->statement = &statement;
      job->tags = std::move(tags).value();
      jobs_.push_back(std::move(job));
    }
  }
}

void Runner::RunJob(Job& job) {
  CaptureSink sink;
  Result<std::unique_ptr<Workspace>> isolated = Status();
  {
    std::lock_guard<std::mutex> lock(job.folder->base_lock);
    isolated = Workspace::OpenCopy(*job.folder->base);
  }
  TestOutcome outcome;
  if (isolated.ok()) {
    outcome = RunConnectorTest(std::move(isolated).value(), *job.statement, job.tags, sink);
  } else {
    outcome.name = std::get<ast::TestStmt>(job.statement->node).test_name.text;
    outcome.verdict = TestVerdict::kFail;
    outcome.problem = isolated.TakeStatus();
  }
  std::lock_guard<std::mutex> lock(done_lock_);
  job.outcome = std::move(outcome);
  job.output = sink.text();
  job.done = true;
  done_changed_.notify_all();
}

void Runner::RunJobs() {
  int jobs = std::clamp(options_.jobs, 1, 64);
  if (jobs == 1) {
    // One JavaScript runtime for every test, as each worker keeps below.
    Result<std::shared_ptr<js::JsRuntime>> runtime = js::JsRuntime::Shared();
    (void)runtime;
    for (const auto& job : jobs_) {
      RunJob(*job);
      Report(*job);
    }
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [this, &next] {
    // One JavaScript runtime per worker, kept for all its tests; a failure
    // to make one surfaces, named, from the first handler that needs it.
    Result<std::shared_ptr<js::JsRuntime>> runtime = js::JsRuntime::Shared();
    (void)runtime;
    for (size_t i = next++; i < jobs_.size(); i = next++) RunJob(*jobs_[i]);
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < jobs && static_cast<size_t>(i) < jobs_.size(); ++i) workers.emplace_back(work);
  // Reported in file order as they finish.
  for (const auto& job : jobs_) {
    std::unique_lock<std::mutex> lock(done_lock_);
    done_changed_.wait(lock, [&job] { return job->done; });
    lock.unlock();
    Report(*job);
  }
  for (std::thread& worker : workers) worker.join();
}

void Runner::Report(const Job& job) {
  if (*job.file != last_heading_) {
    Write(out_, *job.file + "\n");
    last_heading_ = *job.file;
  }
  const TestOutcome& outcome = job.outcome;
  std::string line = std::string("  ") + TestVerdictName(outcome.verdict) + "  " + outcome.name;
  switch (outcome.verdict) {
    case TestVerdict::kPass:
      ++passed_;
      Write(out_, line + " (" + Milliseconds(outcome.duration) + ")\n");
      if (options_.verbose && !job.output.empty()) Write(out_, Indent(job.output, "      | "));
      return;
    case TestVerdict::kSkip:
      ++skipped_;
      Write(out_, line + " (" + Milliseconds(outcome.duration) + "): " + outcome.problem.message() + "\n");
      return;
    case TestVerdict::kFail:
      ++failed_;
      Write(out_, line + " (" + Milliseconds(outcome.duration) + ")\n");
      Write(out_, Indent(outcome.problem.Render(), "      "));
      if (!job.output.empty()) Write(out_, "      output:\n" + Indent(job.output, "      | "));
      return;
  }
}

void Runner::ReportSetupFailure(const SetupFailure& failure) {
  ++failed_;
  Write(out_, failure.file + "\n  FAIL  " + failure.what + "\n");
  for (const Status& error : failure.errors) Write(out_, Indent(error.Render(), "      "));
  if (!failure.output.empty()) Write(out_, "      output:\n" + Indent(failure.output, "      | "));
  last_heading_.clear();
}

bool Runner::WriteJunit(std::chrono::microseconds elapsed) {
  // One <testsuite> per file, in the order reported.
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> cases;
  std::map<std::string, std::array<int, 3>> counts;  // tests, failures, skipped
  std::map<std::string, std::chrono::microseconds> times;
  auto add = [&](const std::string& file, std::string xml, int failures, int skipped,
                 std::chrono::microseconds duration) {
    if (!cases.count(file)) order.push_back(file);
    cases[file].push_back(std::move(xml));
    auto& count = counts[file];
    count[0] += 1;
    count[1] += failures;
    count[2] += skipped;
    times[file] += duration;
  };
  for (const SetupFailure& failure : setup_failures_) {
    std::string detail;
    for (const Status& error : failure.errors) detail += error.Render() + "\n";
    add(failure.file,
        "    <testcase classname=\"" + XmlEscape(failure.file) + "\" name=\"" + XmlEscape(failure.what) +
            "\" time=\"0\">\n      <failure message=\"" +
            XmlEscape(failure.errors.empty() ? "" : failure.errors[0].ToString()) + "\">" + XmlEscape(detail) +
            "</failure>\n    </testcase>\n",
        1, 0, std::chrono::microseconds(0));
  }
  for (const auto& job : jobs_) {
    const TestOutcome& outcome = job->outcome;
    std::string xml = "    <testcase classname=\"" + XmlEscape(*job->file) + "\" name=\"" + XmlEscape(outcome.name) +
                      "\" time=\"" + Seconds(outcome.duration) + "\"";
    if (outcome.verdict == TestVerdict::kPass && job->output.empty()) {
      xml += "/>\n";
    } else {
      xml += ">\n";
      if (outcome.verdict == TestVerdict::kFail) {
        xml += "      <failure message=\"" + XmlEscape(outcome.problem.ToString()) + "\" type=\"" +
               ErrorKindName(outcome.problem.kind()) + "\">" + XmlEscape(outcome.problem.Render()) + "</failure>\n";
      } else if (outcome.verdict == TestVerdict::kSkip) {
        xml += "      <skipped message=\"" + XmlEscape(outcome.problem.message()) + "\"/>\n";
      }
      if (!job->output.empty()) xml += "      <system-out>" + XmlEscape(job->output) + "</system-out>\n";
      xml += "    </testcase>\n";
    }
    add(*job->file, std::move(xml), outcome.verdict == TestVerdict::kFail,
        outcome.verdict == TestVerdict::kSkip, outcome.duration);
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sluice test\" tests=\"" +
                    std::to_string(passed_ + failed_ + skipped_) + "\" failures=\"" + std::to_string(failed_) +
                    "\" skipped=\"" + std::to_string(skipped_) + "\" time=\"" + Seconds(elapsed) + "\">\n";
  for (const std::string& file : order) {
    const auto& count = counts[file];
    xml += "  <testsuite name=\"" + XmlEscape(file) + "\" tests=\"" + std::to_string(count[0]) + "\" failures=\"" +
           std::to_string(count[1]) + "\" errors=\"0\" skipped=\"" + std::to_string(count[2]) + "\" time=\"" +
           Seconds(times[file]) + "\">\n";
    for (const std::string& testcase : cases[file]) xml += testcase;
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  std::ofstream junit(options_.junit_path, std::ios::binary | std::ios::trunc);
  junit << xml;
  junit.close();
  if (!junit) {
    Write(err_, "sluice test: cannot write JUnit XML to '" + options_.junit_path + "'\n");
    return false;
  }
  return true;
}

int Runner::Run() {
  auto start = Clock::now();
  if (!Discover()) return 2;
  for (auto& [path, folder] : folders_) SetUp(*folder);
  for (const SetupFailure& failure : setup_failures_) ReportSetupFailure(failure);
  RunJobs();
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  bool junit_ok = options_.junit_path.empty() || WriteJunit(elapsed);
  int total = passed_ + failed_ + skipped_;
  Write(out_, "\n" + std::to_string(total) + (total == 1 ? " test" : " tests") + " in " + Seconds(elapsed) +
                  " s" + (options_.jobs > 1 ? " (-j " + std::to_string(options_.jobs) + ")" : "") + "\n");
  Write(out_, std::to_string(passed_) + " passed, " + std::to_string(failed_) + " failed, " +
                  std::to_string(skipped_) + " skipped\n");
  return failed_ > 0 || !junit_ok ? 1 : 0;
}

}  // namespace

int RunTests(const TestRunOptions& options, std::FILE* out, std::FILE* err) {
  // Tests make workspaces of their own; a secret they store must not make a
  // key file in the user's home. A run against a real workspace keeps the
  // user's key, which its secrets need.
  if (options.workspace_path.empty() && std::getenv("SLUICE_SECRET_KEY") == nullptr) {
    std::random_device random;
    std::string key;
    for (int i = 0; i < 4; ++i) key += std::to_string(random());
    setenv("SLUICE_SECRET_KEY", ("sluice-test-" + key).c_str(), 1);
  }
  Runner runner(options, out, err);
  return runner.Run();
}

}  // namespace sluice
