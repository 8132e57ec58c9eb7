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

// {"connectors": [{"name", "type", "type_version", "description",
//   "entities": ["…"], "actions": ["…"]}]}
Result<Value> ListConnectors(WorkspaceSession& session);
// {"types": [{"name", "kind", "version", "description", "constraint",
//   "registry", "update_available"}]}
Result<Value> ListTypes(WorkspaceSession& session);
// One entity of a connector: {"connector", "entity", "type", "description",
//   "fields": [{"name", "type", "primary_key", "filterable", "required",
//   "description"}], "pushdown": {"filters": ["…"], "operators": {"field":
//   ["=", …]}, "limit": bool, "offset": "handler"|"engine", "order_by": …},
//   "cursor": "…"|null, "parent": "…"|null, "table": "<connector>_<entity>"}
// kNotFound naming the connector or entity.
Result<Value> DescribeEntity(WorkspaceSession& session, const std::string& connector, const std::string& entity);
// {"destinations": [{"name", "type", "config"}]} (config masked at the edge)
Result<Value> ListDestinations(WorkspaceSession& session);

struct RunFilter {
  std::string connector;  // empty: all
  std::string status;     // empty: all
  int64_t limit = 100;
  std::optional<int64_t> before_id;  // paging: runs older than this id
};
// {"runs": [Run…], "next_before_id": id|null}, newest first. A Run is
// {"id", "connector", "entity", "destination", "table", "mode",
//  "write_mode", "status" ("running"|"done"|"failed"|"partial"|
//  "interrupted"), "rows_read", "rows_written", "rows_deleted",
//  "started_at", "finished_at", "duration_ms", "type_version",
//  "error": null | {"kind", "message", "origin"}}; origin is where the
// failure came from: "api" (auth/rate limit/connection/timeout),
// "handler" (connector_error), "destination", "engine".
Result<Value> ListRuns(WorkspaceSession& session, const RunFilter& filter);
// One Run; kNotFound when no run has that id.
Result<Value> GetRun(WorkspaceSession& session, int64_t id);
// {"schedules": [{"id", "connector", "statement", "cron", "next_run",
//   "last_run", "last_success", "last_status"}]}
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
// synced tables with their schema and lineage connector → entity → table.
Result<Value> ListTables(WorkspaceSession& session);

// Writes (the caller has checked the server allows them).
struct SyncRequest {
  std::string connector;
  std::vector<std::string> entities;  // empty: all of the connector's
  bool full = false;                  // FULL: ignore the incremental mark
  std::string destination;            // empty: the workspace
};
// The SYNC statement's text for `request`, names checked against the
// catalog and quoted (never pasted raw).
Result<std::string> SyncStatementFor(WorkspaceSession& session, const SyncRequest& request);
// Runs an action: {"connector", "action", "result": value, "printed": [...]}
Result<Value> RunAction(WorkspaceSession& session, const std::string& connector, const std::string& action,
                        const Value& arguments);
// Forgets an entity's incremental mark (the next sync reads everything):
// {"reset": n} marks removed.
Result<Value> ResetMark(WorkspaceSession& session, const std::string& connector, const std::string& entity,
                        const std::string& destination);

}  // namespace sluice
