// The coordinator's PostgreSQL session (sync/coordinator.h): one libpq
// connection, statements with bound parameters ($1…; text, NULL or binary
// bytea), the schema `_sluice` made on first connect, and errors that never
// hold the connection string's password. A dropped connection is made again
// on the next statement outside a transaction; inside one, the statement
// fails (its locks and work went with the old session).
//
// Thread-safety: one thread per PgSession.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace sluice {

struct PgResultFreer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFreer>;

// A parameter: text, NULL (nullopt), or bytes sent in binary (bytea).
struct PgParam {
  PgParam(std::string text) : value(std::move(text)) {}  // NOLINT: implicit, for {a, b, …} lists
  PgParam(const char* text) : value(text) {}             // NOLINT
  PgParam(int64_t number) : value(std::to_string(number)) {}  // NOLINT
  PgParam(std::nullopt_t) {}                                  // NOLINT
  static PgParam Bytes(std::string bytes) {
    PgParam param(std::move(bytes));
    param.binary = true;
    return param;
  }
  std::optional<std::string> value;
  bool binary = false;
};

class PgSession {
 public:
  // `who` starts every message ("coordinator", "shared rate limit 'gh'").
  PgSession(std::string url, std::string who);
  ~PgSession();

  // Connects unless connected, and makes `_sluice` when missing.
  Status Connect();
  // One statement; results as text unless `binary_result`. kConnection when
  // the connection is gone, else kDestination, with PostgreSQL's message.
  Result<PgResult> Run(const std::string& sql, const std::vector<PgParam>& params = {},
                       bool binary_result = false);

  // Rolls back unless committed: an error half-way leaves nothing behind.
  class Transaction {
   public:
    explicit Transaction(PgSession& session) : session_(session) {}
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    Status Begin();
    Status Commit();

   private:
    PgSession& session_;
    bool open_ = false;
  };

 private:
  struct ConnCloser {
    void operator()(PGconn* conn) const { PQfinish(conn); }
  };
  Status EnsureSchema();

  std::string url_;
  std::string who_;
  std::vector<std::string> passwords_;  // removed from every message
  std::unique_ptr<PGconn, ConnCloser> conn_;
  bool in_transaction_ = false;
};

// Free text for a text column: valid UTF-8 (PostgreSQL refuses anything
// else) without NUL bytes (libpq's parameters end at the first).
std::string PgText(std::string_view text);
// JSON text of `value`; invalid UTF-8 in strings becomes U+FFFD.
std::string PgJson(const Value& value);
// null when `text` is not JSON.
Value ParsePgJson(const char* text);
int64_t PgInt(const char* text);

}  // namespace sluice
