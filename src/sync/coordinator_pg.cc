#include "sync/coordinator_pg.h"

#include <algorithm>
#include <cstdlib>

#include "core/secret_masker.h"
#include "core/utf8.h"

namespace sluice {
namespace {

// What a connection string holds that must never reach a message: its
// password, as written (percent-encoded or not) and as libpq decoded it.
std::vector<std::string> PasswordsOf(const std::string& url) {
  std::vector<std::string> found;
  if (PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr)) {
    for (PQconninfoOption* option = options; option->keyword; ++option) {
      if (std::string_view(option->keyword) == "password" && option->val && *option->val)
        found.push_back(option->val);
    }
    PQconninfoFree(options);
  }
  // A URI libpq cannot parse still has its user:password@ part; a password
  // with an unencoded '@' in it is split there by libpq, and its tail shows
  // up as part of the host name.
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    size_t colon = url.find(':', scheme + 3);
    size_t at = url.rfind('@');
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      std::string secret = url.substr(colon + 1, at - colon - 1);
      found.push_back(secret);
      for (size_t start = 0, end = 0; start <= secret.size(); start = end + 1) {
        end = std::min(secret.find('@', start), secret.size());
        if (end - start >= SecretMasker::kMinMaskedLength)
          found.push_back(secret.substr(start, end - start));
      }
    }
  }
  size_t key = url.find("password=");
  if (key != std::string::npos) {
    size_t start = key + 9;
    bool quoted = start < url.size() && url[start] == '\'';
    if (quoted) ++start;
    size_t end = url.find_first_of(quoted ? "'" : " &", start);
    found.push_back(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
  }
  // Longest first: a part must not leave pieces of a longer match.
  std::sort(found.begin(), found.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  found.erase(std::remove(found.begin(), found.end(), std::string()), found.end());
  return found;
}

std::string Scrub(std::string message, const std::vector<std::string>& passwords) {
  for (const std::string& password : passwords) {
    for (size_t at = message.find(password); at != std::string::npos;
         at = message.find(password, at + 3)) {
      message.replace(at, password.size(), "***");
    }
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

// The tables of sync/coordinator.h.
constexpr const char* kSchemaSql[] = {
    "CREATE SCHEMA IF NOT EXISTS _sluice",
    R"(CREATE TABLE IF NOT EXISTS _sluice.runs (
  run_id bigserial PRIMARY KEY,
  connector text NOT NULL,
  schema_name text NOT NULL,
  statement text NOT NULL,
  choices json NOT NULL,
  catalog json NOT NULL,
  integration bytea NOT NULL,
  synced_at text NOT NULL,
  state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'partial', 'failed')),
  max_attempts integer NOT NULL CHECK (max_attempts >= 1),
  lease_ms bigint NOT NULL CHECK (lease_ms >= 1),
  tables jsonb NOT NULL,
  rows_deleted bigint NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz))",
    R"(CREATE TABLE IF NOT EXISTS _sluice.units (
  unit_id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES _sluice.runs ON DELETE CASCADE,
  position integer NOT NULL,
  entity text NOT NULL,
  entities jsonb NOT NULL,
  partition_id text,
  partition_spec json,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'leased', 'done', 'failed')),
  attempt integer NOT NULL DEFAULT 0,
  lease_owner text,
  lease_epoch bigint NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  heartbeat_at timestamptz,
  rows_read bigint NOT NULL DEFAULT 0,
  rows_written bigint NOT NULL DEFAULT 0,
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  UNIQUE (run_id, position)))",
    "CREATE INDEX IF NOT EXISTS units_open ON _sluice.units (run_id, position) "
    "WHERE state IN ('pending', 'leased')",
    "CREATE TABLE IF NOT EXISTS _sluice.rate_limits "
    "(key text PRIMARY KEY, tat timestamptz NOT NULL)",
};

}  // namespace

PgSession::PgSession(std::string url, std::string who)
    : url_(std::move(url)), who_(std::move(who)), passwords_(PasswordsOf(url_)) {}

PgSession::~PgSession() = default;

Status PgSession::Connect() {
  if (conn_ && PQstatus(conn_.get()) == CONNECTION_OK) return Status::Ok();
  if (conn_) {
    PQreset(conn_.get());
  } else {
    conn_.reset(PQconnectdb(url_.c_str()));
  }
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    std::string message = conn_ ? Scrub(PQerrorMessage(conn_.get()), passwords_) : "out of memory";
    conn_.reset();
    return Status(ErrorKind::kConnection, who_ + ": cannot connect to PostgreSQL: " + message);
  }
  RETURN_IF_ERROR(Run("SET client_min_messages = warning").status());
  return EnsureSchema();
}

Result<PgResult> PgSession::Run(const std::string& sql, const std::vector<PgParam>& params,
                                bool binary_result) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    if (in_transaction_) {
      return Status(ErrorKind::kConnection,
                    who_ + ": the connection to PostgreSQL was lost in a transaction");
    }
    RETURN_IF_ERROR(Connect());
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const PgParam& param : params) {
    values.push_back(param.value ? param.value->data() : nullptr);
    lengths.push_back(param.value ? static_cast<int>(param.value->size()) : 0);
    formats.push_back(param.binary ? 1 : 0);
  }
  PgResult result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), lengths.data(), formats.data(),
                               binary_result ? 1 : 0));
  ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  std::string message = result ? PQresultErrorMessage(result.get()) : "";
  if (message.empty()) message = PQerrorMessage(conn_.get());
  message = Scrub(message, passwords_);
  bool lost = PQstatus(conn_.get()) != CONNECTION_OK;
  return Status(lost ? ErrorKind::kConnection : ErrorKind::kDestination,
                who_ + ": PostgreSQL: " + message);
}

PgSession::Transaction::~Transaction() {
  if (!open_) return;
  session_.in_transaction_ = false;
  PGconn* conn = session_.conn_.get();
  if (conn && PQstatus(conn) == CONNECTION_OK) PgResult(PQexec(conn, "ROLLBACK"));
}

Status PgSession::Transaction::Begin() {
  RETURN_IF_ERROR(session_.Run("BEGIN").status());
  open_ = true;
  session_.in_transaction_ = true;
  return Status::Ok();
}

Status PgSession::Transaction::Commit() {
  Status committed = session_.Run("COMMIT").status();
  open_ = false;
  session_.in_transaction_ = false;
  return committed;
}

// Many workers start at once: CREATE … IF NOT EXISTS alone races in
// PostgreSQL (two creators both pass the check, one fails on the catalog's
// unique index), so creation runs under a transaction-scoped advisory lock.
Status PgSession::EnsureSchema() {
  ASSIGN_OR_RETURN(PgResult present, Run("SELECT to_regclass('_sluice.runs') IS NOT NULL AND "
                                         "to_regclass('_sluice.units') IS NOT NULL AND "
                                         "to_regclass('_sluice.rate_limits') IS NOT NULL"));
  if (std::string_view(PQgetvalue(present.get(), 0, 0)) == "t") return Status::Ok();
  Transaction transaction(*this);
  RETURN_IF_ERROR(transaction.Begin());
  RETURN_IF_ERROR(
      Run("SELECT pg_advisory_xact_lock(hashtextextended('sluice coordinator schema', 0))")
          .status());
  for (const char* sql : kSchemaSql) RETURN_IF_ERROR(Run(sql).status());
  return transaction.Commit();
}

std::string PgText(std::string_view text) {
  std::string out = ReplaceInvalidUtf8(text);
  out.erase(std::remove(out.begin(), out.end(), '\0'), out.end());
  return out;
}

std::string PgJson(const Value& value) {
  return value.dump(-1, ' ', false, Value::error_handler_t::replace);
}

Value ParsePgJson(const char* text) {
  Value parsed = Value::parse(text, nullptr, false);
  return parsed.is_discarded() ? Value() : parsed;
}

int64_t PgInt(const char* text) { return std::strtoll(text, nullptr, 10); }

}  // namespace sluice
