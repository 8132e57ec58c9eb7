#include "server/session.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>
#include <variant>

#include "core/secret_masker.h"
#include "lang/parser.h"

namespace sluice {

// Collects what statements emit; the session hands it out as StatementOutput.
class WorkspaceSession::Sink : public OutputSink {
 public:
  void Emit(const ResultSet& result) override { output.results.push_back(result); }
  void Print(const std::string& line) override { output.printed.push_back(line); }
  void Log(const std::string& line) override {
    output.printed.push_back(line);
    // Handler console output is the operator's: the server's stderr, never
    // stdout (the MCP protocol's own under `sluice mcp`).
    std::string masked = SecretMasker::Global().Mask(line) + "\n";
    std::fwrite(masked.data(), 1, masked.size(), stderr);
  }
  void SyncProgress(const SyncProgressEvent& event) override {
    output.progress.push_back(event);
    if (on_progress) on_progress(event);
  }

  StatementOutput output;
  std::function<void(const SyncProgressEvent&)> on_progress;
};

WorkspaceSession::~WorkspaceSession() {
  // The interpreter borrows the workspace and the sink.
  interpreter_.reset();
}

Result<std::unique_ptr<WorkspaceSession>> WorkspaceSession::Open(const ServeOptions& options) {
  std::unique_ptr<WorkspaceSession> session(new WorkspaceSession());
  ASSIGN_OR_RETURN(session->workspace_, Workspace::Open(options.workspace_path));
  session->max_value_bytes_ = options.max_value_bytes;
  // fts3_tokenizer(name, pointer) installs a tokenizer from raw bytes (a
  // known way to run code through SQLite); nothing a session runs needs it.
  sqlite3_db_config(session->workspace_->db().get(), SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, nullptr);
  session->sink_ = std::make_unique<Sink>();
  session->interpreter_ = std::make_unique<Interpreter>(*session->workspace_, *session->sink_);
  return session;
}

Result<StatementOutput> WorkspaceSession::Run(std::string_view text,
                                              const std::function<void(const SyncProgressEvent&)>& progress) {
  sink_->output = StatementOutput();
  sink_->on_progress = progress;
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"<request>", std::string(text)}));
  if (!parsed.ok()) return parsed.errors.front();
  for (const ast::Statement& statement : parsed.program.statements) {
    Status status = interpreter_->Execute(statement);
    if (!status.ok()) {
      sink_->on_progress = nullptr;
      return status;
    }
  }
  sink_->on_progress = nullptr;
  return std::move(sink_->output);
}

namespace {

Status OnlyReads(const std::string& why) {
  return Status(ErrorKind::kInvalidArgument,
                "only reads are served here (one SELECT, WITH, VALUES or EXPLAIN statement): " + why);
}

// The statement's first word, past blanks and comments ("" if none).
std::string FirstWord(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (text.substr(i, 2) == "--") {
      i = text.find('\n', i);
      if (i == std::string_view::npos) return "";
    } else if (text.substr(i, 2) == "/*") {
      i = text.find("*/", i + 2);
      if (i == std::string_view::npos) return "";
      i += 2;
    } else {
      break;
    }
  }
  size_t end = i;
  while (end < text.size() && (std::isalpha(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
  std::string word(text.substr(i, end - i));
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

bool IsReadKeyword(std::string_view word) {
  return word == "SELECT" || word == "WITH" || word == "VALUES" || word == "EXPLAIN";
}

// The one SQL statement of `sql`, or why it is not a read.
Result<ast::SqlText> ReadStatement(std::string_view sql) {
  ParseResult parsed = Parse(std::make_shared<SourceFile>(SourceFile{"<query>", std::string(sql)}));
  if (!parsed.ok()) {
    // What Sluice does not parse (ATTACH, VACUUM …) is no read either; a
    // broken SELECT is a parse error.
    std::string word = FirstWord(sql);
    if (!word.empty() && !IsReadKeyword(word)) return OnlyReads("a statement starting with " + word);
    return parsed.errors.front();
  }
  const std::vector<ast::Statement>& statements = parsed.program.statements;
  if (statements.empty()) return Status(ErrorKind::kInvalidArgument, "the query is empty: give one SELECT statement");
  if (statements.size() > 1) {
    return OnlyReads("the text holds " + std::to_string(statements.size()) + " statements");
  }
  const auto* plain = std::get_if<ast::SqlStmt>(&statements.front().node);
  if (plain == nullptr) return OnlyReads(StatementName(statements.front()) + " is a Sluice statement");
  const std::vector<Token>& tokens = plain->sql.tokens;
  if (tokens.empty()) return Status(ErrorKind::kInvalidArgument, "the query is empty: give one SELECT statement");
  for (std::string_view keyword : {"SELECT", "WITH", "VALUES", "EXPLAIN"}) {
    if (tokens.front().IsKeyword(keyword)) return plain->sql;
  }
  return OnlyReads("a statement starting with " + tokens.front().text);
}

// Only what reads: SQLite asks for every table, function and pragma the
// statement touches while it is prepared. Anything else (a write, a schema
// change, ATTACH, a transaction, a pragma that sets) is refused there.
std::optional<Status> AuthorizeRead(int action, const char* arg1, const char* arg2) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return std::nullopt;
    case SQLITE_FUNCTION:
      if (arg2 != nullptr && sqlite3_stricmp(arg2, "load_extension") == 0) return OnlyReads("load_extension()");
      // One argument: the address of a tokenizer in the server's memory (a
      // gift to anyone exploiting it); two: installs one from raw bytes.
      if (arg2 != nullptr && sqlite3_stricmp(arg2, "fts3_tokenizer") == 0) {
        return Status(ErrorKind::kInvalidArgument, "fts3_tokenizer() is not served: it exposes the server's memory");
      }
      return std::nullopt;
    case SQLITE_PRAGMA:
      // A pragma's table-valued form reads (pragma_table_info('t')); one
      // that is given a value sets it.
      if (arg2 == nullptr) return std::nullopt;
      return OnlyReads(std::string("PRAGMA ") + (arg1 ? arg1 : "") + " with a value changes the database");
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
      // A pragma's table-valued form declares its table while it is
      // prepared, which SQLite checks as a change of sqlite_master (a table
      // no statement may change anyway); a real CREATE is refused by its
      // own action, and by sqlite3_stmt_readonly.
      if (arg1 != nullptr && std::string_view(arg1) == "sqlite_master") return std::nullopt;
      [[fallthrough]];
    case SQLITE_DELETE:
      return OnlyReads(std::string("it would write to ") + (arg1 ? arg1 : "a table"));
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      return OnlyReads("ATTACH and DETACH are not served");
    default:
      return OnlyReads("it would change the database (a schema change, a transaction or maintenance)");
  }
}

// The query's time limit, checked by SQLite every few thousand VM steps on
// this session's connection (a handler's own calls keep their own limits).
struct Deadline {
  std::chrono::steady_clock::time_point at;
  bool passed = false;
};

int CheckDeadline(void* data) {
  auto* deadline = static_cast<Deadline*>(data);
  if (std::chrono::steady_clock::now() < deadline->at) return 0;
  deadline->passed = true;
  return 1;
}

// Clears the progress handler however the query ends.
class ProgressHandler {
 public:
  ProgressHandler(sqlite3* db, Deadline* deadline) : db_(db) { sqlite3_progress_handler(db_, 1000, CheckDeadline, deadline); }
  ~ProgressHandler() { sqlite3_progress_handler(db_, 0, nullptr, nullptr); }
  ProgressHandler(const ProgressHandler&) = delete;
  ProgressHandler& operator=(const ProgressHandler&) = delete;

 private:
  sqlite3* db_;
};

// Caps the length of any text or blob the query makes or reads (SQLite's
// SQLITE_LIMIT_LENGTH) while it runs: randomblob(1e9) or a handler's huge
// field would otherwise sit in the server's memory, several times over by
// the time it is JSON. Restored after, for the session's other statements.
class LengthLimit {
 public:
  LengthLimit(sqlite3* db, int64_t bytes) : db_(db) {
    const int64_t capped = std::clamp<int64_t>(bytes, 1, std::numeric_limits<int>::max());
    previous_ = sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, static_cast<int>(capped));
  }
  ~LengthLimit() { sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, previous_); }
  LengthLimit(const LengthLimit&) = delete;
  LengthLimit& operator=(const LengthLimit&) = delete;

 private:
  sqlite3* db_;
  int previous_;
};

// SQLite's "string or blob too big" says nothing of which cap or how to
// lift it.
Status NameTheLengthCap(Status status, int64_t bytes) {
  if (status.ok() || status.message().find("string or blob too big") == std::string::npos) return status;
  return Status(ErrorKind::kInvalidArgument,
                "a value of the query is longer than the server's cap of " + std::to_string(bytes) +
                    " bytes (sluice serve --max-value-bytes)");
}

SqlStreamOptions ReadOnlyOptions() {
  SqlStreamOptions options;
  options.authorize = AuthorizeRead;
  options.check_prepared = [](sqlite3_stmt* stmt) {
    return sqlite3_stmt_readonly(stmt) ? Status::Ok() : OnlyReads("SQLite says the statement writes");
  };
  return options;
}

// Applies the row cap between the interpreter and the consumer.
class CappedRows : public SqlRowVisitor {
 public:
  CappedRows(QueryConsumer& consumer, int64_t max_rows) : consumer_(consumer), max_rows_(max_rows) {}
  bool OnColumns(const std::vector<std::string>& columns) override {
    if (consumer_.OnColumns(columns)) return true;
    outcome.stopped = true;
    return false;
  }
  bool OnRow(std::vector<Value> row) override {
    if (outcome.rows >= max_rows_) {
      outcome.truncated = true;
      return false;
    }
    if (!consumer_.OnRow(row)) {
      outcome.stopped = true;
      return false;
    }
    ++outcome.rows;
    return true;
  }
  QueryOutcome outcome;

 private:
  QueryConsumer& consumer_;
  int64_t max_rows_;
};

class CollectPlan : public SqlRowVisitor {
 public:
  bool OnColumns(const std::vector<std::string>&) override { return true; }
  bool OnRow(std::vector<Value> row) override {
    // Steps that scan no live table ask no handler anything.
    if (row.size() < 2 || row[1].is_null()) return true;
    Value step = Value::object();
    step["step"] = std::move(row[0]);
    step["asked"] = std::move(row[1]);
    steps.push_back(std::move(step));
    return true;
  }
  Value steps = Value::array();
};

}  // namespace

Result<QueryOutcome> WorkspaceSession::StreamQuery(std::string_view sql, const QueryLimits& limits,
                                                   QueryConsumer& consumer) {
  ASSIGN_OR_RETURN(ast::SqlText statement, ReadStatement(sql));
  if (limits.max_rows < 0) return Status(ErrorKind::kInvalidArgument, "the row cap must not be negative");
  Deadline deadline{std::chrono::steady_clock::now() + limits.timeout};
  CappedRows rows(consumer, limits.max_rows);
  Status status;
  {
    ProgressHandler progress(workspace_->db().get(), &deadline);
    LengthLimit length(workspace_->db().get(), max_value_bytes_);
    status = interpreter_->StreamSql(statement, rows, ReadOnlyOptions());
  }
  if (deadline.passed) {
    return Status(ErrorKind::kTimeout, "the query ran past its time limit of " + std::to_string(limits.timeout.count()) +
                                           " ms and was stopped");
  }
  RETURN_IF_ERROR(NameTheLengthCap(std::move(status), max_value_bytes_));
  return rows.outcome;
}

Result<Value> WorkspaceSession::ExplainQuery(std::string_view sql) {
  ASSIGN_OR_RETURN(ast::SqlText statement, ReadStatement(sql));
  SqlStreamOptions options = ReadOnlyOptions();
  options.plan_only = true;
  CollectPlan plan;
  LengthLimit length(workspace_->db().get(), max_value_bytes_);
  RETURN_IF_ERROR(NameTheLengthCap(interpreter_->StreamSql(statement, plan, options), max_value_bytes_));
  return std::move(plan.steps);
}

}  // namespace sluice
