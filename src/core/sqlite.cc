#include "core/sqlite.h"

#include <atomic>
#include <cstdint>
#include <limits>

namespace sluice {
namespace {

// Long enough to ride out another process's short write transaction (a second
// `sluice` on the same workspace) without making a real deadlock look hung.
constexpr int kBusyTimeoutMs = 5000;

Status SqlError(sqlite3* db, int rc) {
  const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(ErrorKind::kSql, message ? message : sqlite3_errstr(rc));
}

}  // namespace

// --- Stmt -----------------------------------------------------------------

Status Stmt::Error(int rc) const {
  return SqlError(stmt_ ? sqlite3_db_handle(stmt_.get()) : nullptr, rc);
}

Status Stmt::Bind(int index, const Value& value) {
  switch (value.type()) {
    case Value::value_t::null:
      return BindNull(index);
    case Value::value_t::boolean:
      return BindInt(index, value.get<bool>() ? 1 : 0);
    case Value::value_t::number_integer:
      return BindInt(index, value.get<int64_t>());
    case Value::value_t::number_unsigned: {
      uint64_t u = value.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return BindInt(index, static_cast<int64_t>(u));
      }
      // Beyond SQLite's INTEGER range: REAL keeps the magnitude.
      int rc = sqlite3_bind_double(stmt_.get(), index, static_cast<double>(u));
      return rc == SQLITE_OK ? Status() : Error(rc);
    }
    case Value::value_t::number_float: {
      int rc = sqlite3_bind_double(stmt_.get(), index, value.get<double>());
      return rc == SQLITE_OK ? Status() : Error(rc);
    }
    case Value::value_t::string:
      return BindText(index, value.get_ref<const std::string&>());
    case Value::value_t::binary: {
      const auto& bytes = value.get_binary();
      int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(),
                                   SQLITE_TRANSIENT);
      return rc == SQLITE_OK ? Status() : Error(rc);
    }
    case Value::value_t::object:
    case Value::value_t::array:
    case Value::value_t::discarded:
      break;
  }
  std::string json;
  try {
    json = value.dump();
  } catch (const nlohmann::json::exception& e) {
    // dump() throws on strings that are not valid UTF-8.
    return Status(ErrorKind::kType,
                  std::string("cannot store value as JSON text: ") + e.what());
  }
  return BindText(index, json);
}

Status Stmt::BindBorrowed(int index, const Value& value) {
  if (!value.is_string()) return Bind(index, value);
  const std::string& text = value.get_ref<const std::string&>();
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  return rc == SQLITE_OK ? Status() : Error(rc);
}

Status Stmt::BindText(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  return rc == SQLITE_OK ? Status() : Error(rc);
}

Status Stmt::BindInt(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  return rc == SQLITE_OK ? Status() : Error(rc);
}

Status Stmt::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_.get(), index);
  return rc == SQLITE_OK ? Status() : Error(rc);
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(rc);
}

Status Stmt::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status();
  }
}

void Stmt::Reset() { sqlite3_reset(stmt_.get()); }

int Stmt::ColumnCount() const { return sqlite3_column_count(stmt_.get()); }

std::string Stmt::ColumnName(int i) const {
  const char* name = sqlite3_column_name(stmt_.get(), i);
  return name ? name : "";
}

Value Stmt::ColumnValue(int i) const {
  sqlite3_stmt* stmt = stmt_.get();
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return Value(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
    case SQLITE_FLOAT:
      return Value(sqlite3_column_double(stmt, i));
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return Value(ColumnText(i));
    default:
      return Value();
  }
}

std::string Stmt::ColumnText(int i) const {
  sqlite3_stmt* stmt = stmt_.get();
  // Fetch the pointer before the size, as SQLite's documentation requires, so
  // a type conversion cannot invalidate the size.
  const void* data = sqlite3_column_type(stmt, i) == SQLITE_BLOB ? sqlite3_column_blob(stmt, i)
                                                                  : sqlite3_column_text(stmt, i);
  int size = sqlite3_column_bytes(stmt, i);
  if (!data || size <= 0) return "";
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

int64_t Stmt::ColumnInt(int i) const { return sqlite3_column_int64(stmt_.get(), i); }

bool Stmt::ColumnIsNull(int i) const { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }

// --- Database -------------------------------------------------------------

Result<Database> Database::Open(const std::string& path) { return OpenWith(path, 0); }

Result<Database> Database::OpenUnshared(const std::string& path) { return OpenWith(path, SQLITE_OPEN_NOMUTEX); }

Result<Database> Database::OpenWith(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | flags, nullptr);
  // SQLite hands back a handle even on failure; owning it at once closes it.
  Database db(raw);
  db.path_ = path;
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    ErrorKind kind = (rc & 0xff) == SQLITE_CANTOPEN ? ErrorKind::kIo : ErrorKind::kSql;
    return Status(kind, "cannot open database '" + path + "': " + message);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  return db;
}

Status Database::Exec(std::string_view sql) {
  if (!db_) return Status(ErrorKind::kInternal, "no database is open");
  // sqlite3_exec needs a NUL-terminated string; a string_view may not be.
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status();
  std::string message = error ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  return Status(ErrorKind::kSql, message);
}

Result<Stmt> Database::Prepare(std::string_view sql) {
  if (!db_) return Status(ErrorKind::kInternal, "no database is open");
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  Stmt stmt(raw);
  if (rc != SQLITE_OK) return SqlError(db_.get(), rc);
  if (!raw) return Status(ErrorKind::kSql, "empty SQL statement");
  return stmt;
}

Status Database::RunStatement(std::string_view sql) {
  if (!db_) return Status(ErrorKind::kInternal, "no database is open");
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  Stmt stmt(raw);
  if (rc != SQLITE_OK) return SqlError(db_.get(), rc);
  if (!raw) return Status(ErrorKind::kSql, "empty SQL statement");
  std::string_view rest = sql.substr(static_cast<size_t>(tail - sql.data()));
  if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    return Status(ErrorKind::kInternal,
                  "refusing to run more than one statement: " + std::string(sql));
  }
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return Status::Ok();
  }
}

std::string Database::LastError() const {
  return db_ ? sqlite3_errmsg(db_.get()) : "no database is open";
}

int64_t Database::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_.get()); }

int Database::Changes() const { return sqlite3_changes(db_.get()); }

// --- Transaction ----------------------------------------------------------

Result<Transaction> Transaction::Begin(Database& db, bool immediate) {
  if (db.get() && !sqlite3_get_autocommit(db.get())) {
    // Savepoint names only need to be unique among those open at once.
    static std::atomic<uint64_t> next{0};
    std::string name = "sluice_nested_" + std::to_string(++next);
    RETURN_IF_ERROR(db.Exec("SAVEPOINT " + name));
    return Transaction(&db, std::move(name));
  }
  RETURN_IF_ERROR(db.Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db, std::string());
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), savepoint_(std::move(other.savepoint_)) {
  other.db_ = nullptr;
}

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (after SQLITE_FULL, say);
  // only roll back a transaction that is still open.
  if (!db_ || !db_->get() || sqlite3_get_autocommit(db_->get())) return;
  if (savepoint_.empty()) {
    sqlite3_exec(db_->get(), "ROLLBACK", nullptr, nullptr, nullptr);
  } else {
    std::string undo = "ROLLBACK TO " + savepoint_ + "; RELEASE " + savepoint_;
    sqlite3_exec(db_->get(), undo.c_str(), nullptr, nullptr, nullptr);
  }
}

Status Transaction::Commit() {
  if (!db_) return Status(ErrorKind::kInternal, "transaction already finished");
  // On failure (SQLITE_BUSY) the transaction stays open and the destructor
  // rolls it back.
  RETURN_IF_ERROR(db_->Exec(savepoint_.empty() ? std::string("COMMIT") : "RELEASE " + savepoint_));
  db_ = nullptr;
  return Status();
}

}  // namespace sluice
