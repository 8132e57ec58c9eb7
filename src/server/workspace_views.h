// The workspace as JSON, for the HTTP API (api_routes.h), the MCP tools
// (mcp_server.h) and so the console: one function per view, the shapes
// documented in docs/serve.md ("HTTP API"), so the three front ends can
// never disagree. Values are raw; the edges mask secrets.
//
// Thread-safety: the session's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/value.h"
#include "server/session.h"

namespace sluice {

// {"connectors": [{"name", "type", "type_version", "description", "enabled",
//   "entities": ["…"] (definition order), "actions": ["…"]}]}; type_version
// is the installed package's version, else the type's VERSION.
Result<Value> ListConnectors(WorkspaceSession& session);
// {"types": [{"name", "kind", "version", "description", "registered",
//   "package_version", "constraint", "registry", "update_available"}]}:
// the package fields are null for a type not installed from a package;
// update_available is always null (knowing needs the registry: `sluice
// outdated`).
Result<Value> ListTypes(WorkspaceSession& session);
// One entity of a connector: {"connector", "entity", "type", "description",
//   "fields": [{"name", "type", "primary_key", "filterable", "required",
//   "sortable", "description"}], "pushdown": {"filters": ["…"] (filterable
//   fields: equalities and IN lists reach the handler's `filters`),
//   "operators": {"field": ["=", "IN"]}, "conditions": true (every
//   constraint also reaches options.conditions; SQLite re-checks rows),
//   "limit": true (taken when every constraint is an equality on a
//   filterable field), "offset": "handler" (PUSHDOWN OFFSET) | "engine",
//   "order_by": ["sortable field", …]}, "cursor": "…"|null, "parent":
//   "…"|null, "table": "<connector>_<entity>" (the default sync table)}
// kNotFound naming the connector or entity.
Result<Value> DescribeEntity(WorkspaceSession& session, const std::string& connector, const std::string& entity);
// {"destinations": [{"name", "type", "config", "builtin"}]} (config masked
// at the edge); the first is always the workspace itself
// ({"name": "workspace", "type": "sqlite", "builtin": true}).
Result<Value> ListDestinations(WorkspaceSession& session);

struct RunFilter {
  std::string connector;  // empty: all
  std::string status;     // empty: all; else running|done|failed|interrupted
  int64_t limit = 100;    // 1–1000, else kInvalidArgument
  std::optional<int64_t> before_id;  // paging: runs older than this id
};
// {"runs": [Run…], "next_before_id": id|null}, newest first. A Run is
// {"id", "connector", "entity", "destination", "table", "mode",
//  "write_mode", "status" ("running"|"done"|"failed"|"interrupted"),
//  "rows_read", "rows_written", "rows_deleted", "started_at",
//  "finished_at", "duration_ms", "type_version",
//  "error": null | {"kind", "message", "origin"}}; origin is where the
// failure came from: "api" (auth/rate limit/connection/timeout),
// "handler" (connector_error), "destination", "engine".
// _sluice_sync_runs.status holds running|ok|failed|interrupted ("ok" is
// shown as "done"; there is no "partial": a failed entity is its own failed
// run while the others are done). "kind" is the error kind the run stored
// (schema v7); for runs recorded before, it is read from the message's words
// (the kind name, "401"/"Invalid API key", "timed out", …), else
// "internal_error" with origin "engine". Guessing, the handler's error
// class comes first, then a message carrying the handler's position (stack
// or "(handler …, defined at …)") is connector_error whatever it quotes.
// RunFilter.before_id below 1 is kInvalidArgument.
Result<Value> ListRuns(WorkspaceSession& session, const RunFilter& filter);
// One Run; kNotFound when no run has that id.
Result<Value> GetRun(WorkspaceSession& session, int64_t id);
// {"schedules": [{"id", "connector", "statement", "cron", "next_run",
//   "last_run", "last_success", "last_status"}]}: next_run is the next
// matching minute (UTC, within a year, else null); last_run the minute the
// scheduler last ran it. A run does not record which schedule started it,
// so last_status (newest) and last_success come from the connector's runs
// started since last_run, and are null while last_run is (a manual SYNC is
// not the schedule's).
Result<Value> ListSchedules(WorkspaceSession& session);
// {"marks": [{"connector", "entity", "table", "cursor_field",
//   "cursor_value", "updated_at", "destination"}]}: incremental marks per
// entity and table. "destination" is where the mark is kept: "workspace"
// (its _sluice_sync_state), or a SQLite file a run went to (`TO 'f.db'`,
// named by its path, or a sqlite destination by its name), read only when
// the file is there. Marks in PostgreSQL or file destinations are not
// listed. cursor_value is the value (decoded from its stored JSON text).
Result<Value> ListMarks(WorkspaceSession& session);
// {"tables": [{"table", "destination", "connector", "entity",
//   "type_version", "rows", "columns": [{"name", "type"}], "last_run": Run}]}:
// synced tables with their schema and lineage connector → entity → table,
// one per (destination, table) from the newest run that wrote it. columns
// and rows are read for workspace tables only (null elsewhere; [] and null
// when the table was dropped since).
Result<Value> ListTables(WorkspaceSession& session);

// Writes (the caller has checked the server allows them).
// Not "SyncRequest": sync/sync_driver.h has a sluice::SyncRequest, and two
// classes of one name in one namespace break the one-definition rule (the
// linker kept one destructor for both: a crash, not a compile error).
struct SyncJobRequest {
  std::string connector;
  std::vector<std::string> entities;  // empty: all of the connector's
  bool full = false;                  // FULL: ignore the incremental mark
  std::string destination;            // empty: the workspace
};
// The SYNC statement's text for `request`. The language has no quoted
// identifier, so each name must pass CheckName (letters, digits, `_`: no
// quote, semicolon, space or dot) and exist in the catalog; kNotFound /
// kInvalidArgument otherwise. E.g. "SYNC CONNECTOR prod ENTITIES (items) FULL;"
Result<std::string> SyncStatementFor(WorkspaceSession& session, const SyncJobRequest& request);
// Runs an action (CONNECTOR_EXEC connector.entity.action(args)):
// {"connector", "action", "result": value, "printed": [...]}. `arguments`
// must be an object; it reaches the statement as a variable, never as text.
Result<Value> RunAction(WorkspaceSession& session, const std::string& connector, const std::string& action,
                        const Value& arguments);
// Forgets an entity's incremental mark (the next sync reads everything):
// {"connector", "entity", "destination": "workspace", "reset": n marks
// removed}, in one transaction. `destination` empty or "workspace": the
// workspace's marks (every table of the entity). Marks kept in another
// destination live with its rows and are not touched: kInvalidArgument
// telling to sync with FULL instead.
Result<Value> ResetMark(WorkspaceSession& session, const std::string& connector, const std::string& entity,
                        const std::string& destination);

}  // namespace sluice
