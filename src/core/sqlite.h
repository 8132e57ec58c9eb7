// Thin RAII wrappers over the SQLite C API, shared by the catalog, the query
// layer and the SQLite destination.
//
// Database owns a sqlite3* and closes it; Stmt owns a sqlite3_stmt* and
// finalizes it. Errors come back as Status with SQLite's message.
//
// Thread-safety: as SQLite's connection (one thread at a time).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/value.h"

namespace sluice {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteStmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}

  sqlite3_stmt* get() const { return stmt_.get(); }
  explicit operator bool() const { return stmt_ != nullptr; }

  // Bind by 1-based index. Objects and arrays bind as JSON text; booleans
  // as 0/1.
  Status Bind(int index, const Value& value);
  // Bind, with text left where it is (no copy): `value` must stay alive and
  // unchanged until the statement is reset, as a row does while it is inserted.
  Status BindBorrowed(int index, const Value& value);
  Status BindText(int index, std::string_view text);
  Status BindInt(int index, int64_t value);
  Status BindNull(int index);

  // Returns true when a row is ready, false when done.
  Result<bool> Step();
  // Steps to completion, ignoring rows.
  Status Run();
  // Rewinds to run again; bindings are kept until rebound.
  void Reset();

  int ColumnCount() const;
  std::string ColumnName(int i) const;
  // INTEGER → integer, REAL → number, TEXT → string, NULL → null,
  // BLOB → string of its bytes.
  Value ColumnValue(int i) const;
  std::string ColumnText(int i) const;  // "" for NULL
  int64_t ColumnInt(int i) const;
  bool ColumnIsNull(int i) const;

 private:
  Status Error(int rc) const;
  std::unique_ptr<sqlite3_stmt, SqliteStmtFinalizer> stmt_;
};

class Database {
 public:
  // Opens (creating if missing) a database file; ":memory:" for a private
  // in-memory database. Waits up to 5 s for another connection's lock and
  // enforces foreign keys. A file that cannot be opened is kIo naming `path`.
  static Result<Database> Open(const std::string& path);
  // For a connection only one thread uses at a time (a sync's destination
  // connection, handed from the caller to its writer thread and back):
  // without SQLite's per-connection mutex.
  static Result<Database> OpenUnshared(const std::string& path);

  Database() = default;
  explicit Database(sqlite3* db) : db_(db) {}

  sqlite3* get() const { return db_.get(); }
  const std::string& path() const { return path_; }

  // Runs a script of any number of statements: for SQL written in our
  // source (migrations), never for SQL built from names.
  Status Exec(std::string_view sql);
  // Runs exactly one statement, ignoring rows; anything after it is an
  // error, so a name that escaped its quoting cannot add a statement.
  Status RunStatement(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);
  // SQLite's current error message, for wrapping.
  std::string LastError() const;
  int64_t LastInsertRowid() const;
  int Changes() const;

 private:
  static Result<Database> OpenWith(const std::string& path, int flags);
  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::string path_;
};

// A transaction that rolls back unless committed: RAII for BEGIN/COMMIT.
// Begun inside another transaction it is a SAVEPOINT, so a step made of
// several catalog writes (installing a package: its type, entities and
// actions) is all-or-nothing even though each write has its own transaction.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db, bool immediate = true);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  Transaction(Database* db, std::string savepoint) : db_(db), savepoint_(std::move(savepoint)) {}
  Database* db_;
  std::string savepoint_;  // empty: the outermost transaction
};

}  // namespace sluice
