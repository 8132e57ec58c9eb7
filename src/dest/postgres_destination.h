// PostgresDestination: sync into PostgreSQL over libpq
// (`CREATE DESTINATION warehouse TYPE 'postgresql' CONFIG
//  {"connection_string": "postgresql://user@host:5432/db", "schema": "public"}`).
//
// Tables are created from FIELDS with PostgreSQL types (text, bigint,
// double precision, boolean, timestamptz, date, jsonb) and the primary key.
// Each batch goes in bulk, in COPY's binary format: into a table empty at
// the start of the run, straight into it; otherwise into a temporary
// staging table, then one INSERT … SELECT … ON CONFLICT DO UPDATE into the
// table (or DO NOTHING for append). A key the run repeats sends that batch
// and the rest of the run through the stage. A table without a key takes
// the COPY directly. The sync state lives in `<schema>._sluice_sync_state`
// and commits in the same transaction as the rows. Migration is as for SQLite: new fields add
// columns, a changed type or key stops unless forced.
//
// Errors are kDestination with PostgreSQL's message; the connection string
// (which may hold a password) is never part of one.
//
// Thread-safety: one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "dest/destination.h"

namespace sluice {

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnection = std::unique_ptr<PGconn, PgConnCloser>;

class PostgresDestination : public Destination {
 public:
  // `config`: {"connection_string": "…"} (a URI or key=value pairs), and an
  // optional "schema" (default "public"), created if missing.
  static Result<std::unique_ptr<PostgresDestination>> Connect(const std::string& name, const Value& config);

  std::string Name() const override { return name_; }
  Result<std::unique_ptr<TableWriter>> OpenTable(const TableSpec& table, const OpenOptions& options) override;
  Result<std::optional<SyncState>> ReadState(const TableSpec& table) override;
  bool TakesPartitions() const override { return true; }

  // The PostgreSQL type a FIELDS type is written as.
  static const char* ColumnType(const std::string& field_type);

  PGconn* conn() const { return conn_.get(); }
  const std::string& schema() const { return schema_; }

 private:
  PostgresDestination(std::string name, std::string schema) : name_(std::move(name)), schema_(std::move(schema)) {}

  std::string name_;
  std::string schema_;
  PgConnection conn_;
};

}  // namespace sluice
