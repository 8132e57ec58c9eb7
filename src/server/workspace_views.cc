#include "server/workspace_views.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "catalog/sync_runs.h"
#include "core/identifier.h"
#include "core/sqlite.h"
#include "sync/cron.h"

namespace sluice {
namespace {

constexpr char kWorkspaceDestination[] = "workspace";

// Every row of `sql` (written here, names only ever bound) as an object.
Result<std::vector<Value>> SelectRows(Database& db, const std::string& sql,
                                      const std::vector<Value>& binds = {}) {
  ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
  for (size_t i = 0; i < binds.size(); ++i)
    RETURN_IF_ERROR(stmt.Bind(static_cast<int>(i) + 1, binds[i]));
  std::vector<Value> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    Value row = Value::object();
    for (int i = 0; i < stmt.ColumnCount(); ++i) row[stmt.ColumnName(i)] = stmt.ColumnValue(i);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string Text(const Value& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

// The mark is stored as JSON text ('"2026-01-02T00:00:00Z"'): shown as the value.
void DecodeCursor(Value& row) {
  if (!row["cursor_value"].is_string()) return;
  Value decoded = Value::parse(row["cursor_value"].get<std::string>(), nullptr, false);
  if (!decoded.is_discarded()) row["cursor_value"] = std::move(decoded);
}

// The installed package's version, else the type's declared VERSION.
std::string TypeVersion(Database& db, const ConnectorTypeDef& type) {
  auto rows = SelectRows(db, "SELECT version FROM _sluice_packages WHERE type = ?1", {type.name});
  if (rows.ok() && !rows->empty()) return Text((*rows)[0]["version"]);
  return type.version;
}

// _sluice_sync_runs.status holds 'running', 'ok', 'failed' or 'interrupted'
// (catalog/sync_runs.cc); the API says "done" for 'ok'.
std::string RunStatus(const std::string& stored) { return stored == "ok" ? "done" : stored; }

// Runs recorded before schema v7 kept the error's masked message but not its
// kind: for those the kind is recovered from the words each kind's messages
// carry (the kind name when a handler threw one, the engine's wording
// otherwise).
std::string GuessKind(const std::string& message) {
  // The handler's error classes name the kind they stand for.
  static const std::pair<const char*, const char*> kClasses[] = {
      {"ConnectorAuthError", "auth_error"},
      {"ConnectorRateLimitError", "rate_limit_error"},
      {"ConnectorConnectionError", "connection_error"},
      {"ConnectorTimeoutError", "timeout_error"},
      {"ConnectorError", "connector_error"},
  };
  for (const auto& [word, kind] : kClasses) {
    if (message.find(word) != std::string::npos) return kind;
  }
  // A message carrying the handler's position (its stack, or the engine's
  // " (handler f.js, defined at …)") was thrown by the handler: its own
  // words ("HTTP 401", "destination '") are the handler's text, not the
  // engine's wording, so they must not decide the kind.
  for (const char* position : {"\n    at ", "(handler ", "defined at "}) {
    if (message.find(position) != std::string::npos) return "connector_error";
  }
  // Then a kind name, then the engine's wording.
  static const std::pair<const char*, const char*> kWords[] = {
      {"auth_error", "auth_error"},
      {"rate_limit_error", "rate_limit_error"},
      {"connection_error", "connection_error"},
      {"timeout_error", "timeout_error"},
      {"destination_error", "destination_error"},
      {"connector_error", "connector_error"},
      {"HTTP 401", "auth_error"},
      {"HTTP 403", "auth_error"},
      {"HTTP 429", "rate_limit_error"},
      {"timed out", "timeout_error"},
      {"Connection refused", "connection_error"},
      {"Couldn't connect", "connection_error"},
      {"destination '", "destination_error"},
  };

  for (const auto& [word, kind] : kWords) {
    if (message.find(word) != std::string::npos) return kind;
  }
  return "internal_error";
}

std::string OriginOf(const std::string& kind) {
  if (kind == "auth_error" || kind == "rate_limit_error" || kind == "connection_error" ||
      kind == "timeout_error") {
    return "api";
  }
  if (kind == "connector_error") return "handler";
  if (kind == "destination_error") return "destination";
  return "engine";
}

constexpr char kRunColumns[] =
    "SELECT id, connector, entity, destination, table_name, mode, write_mode, status, rows_read, "
    "rows_written, "
    "rows_deleted, started_at, finished_at, duration_ms, type_version, error, error_kind FROM "
    "_sluice_sync_runs";

Value RunJson(const Value& row) {
  Value run = Value::object();
  for (const char* key : {"id", "connector", "entity", "destination"}) run[key] = row[key];
  run["table"] = row["table_name"];
  for (const char* key : {"mode", "write_mode"}) run[key] = row[key];
  run["status"] = RunStatus(Text(row["status"]));
  for (const char* key : {"rows_read", "rows_written", "rows_deleted", "started_at", "finished_at",
                          "duration_ms", "type_version"}) {
    run[key] = row[key];
  }
  std::string message = Text(row["error"]);
  if (row["error"].is_null() || (message.empty() && run["status"] != "failed")) {
    run["error"] = nullptr;
  } else {
    // Runs since schema v7 store their kind; older ones are guessed.
    std::string kind = row["error_kind"].is_string() && !Text(row["error_kind"]).empty() ? Text(row["error_kind"])
                                                                                        : GuessKind(message);
    run["error"] = {{"kind", kind}, {"message", message}, {"origin", OriginOf(kind)}};
  }
  return run;
}

Result<std::pair<ConnectorDef, EntityDef>> FindEntity(Workspace& workspace,
                                                      const std::string& connector,
                                                      const std::string& entity) {
  auto connector_def = workspace.catalog().GetConnector(connector);
  if (!connector_def.ok()) {
    if (connector_def.status().kind() != ErrorKind::kNotFound) return connector_def.status();
    // The console's own wording for a connector it cannot find.
    return Status(ErrorKind::kNotFound, "no connector named '" + connector + "'");
  }
  ConnectorDef def = std::move(connector_def).value();
  auto found = workspace.catalog().GetEntity(def.type, entity);
  if (!found.ok()) {
    return Status(ErrorKind::kNotFound,
                  "connector '" + connector + "' has no entity '" + entity + "'");
  }
  return std::make_pair(std::move(def), std::move(found).value());
}

bool Flag(const Value& field, const char* key) {
  return field.contains(key) && field[key].is_boolean() && field[key].get<bool>();
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoFromSeconds(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// Marks kept in another SQLite file (a run's `TO 'file.db'` or a sqlite
// destination): read-only, and only when the file is there.
void AddFileMarks(const std::string& path, const std::string& destination, Value& marks) {
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return;
  auto rows =
      SelectRows(db,
                 "SELECT connector, entity, destination AS \"table\", cursor_field, cursor_value, "
                 "updated_at FROM _sluice_sync_state ORDER BY connector, entity");
  if (!rows.ok()) return;  // not a file Sluice synced to
  for (Value& row : *rows) {
    row["destination"] = destination;
    DecodeCursor(row);
    marks.push_back(std::move(row));
  }
}

}  // namespace

Result<Value> ListConnectors(WorkspaceSession& session) {
  Workspace& workspace = session.workspace();
  ASSIGN_OR_RETURN(std::vector<ConnectorDef> connectors, workspace.catalog().ListConnectors());
  Value list = Value::array();
  for (const ConnectorDef& connector : connectors) {
    Value item = {{"name", connector.name}, {"type", connector.type}};
    auto type = workspace.catalog().GetConnectorType(connector.type);
    item["type_version"] = type.ok() ? TypeVersion(workspace.db(), *type) : "";
    item["description"] = type.ok() ? type->description : "";
    item["enabled"] = connector.enabled;
    Value entities = Value::array();
    auto defs = workspace.catalog().ListEntities(connector.type, Catalog::EntityOrder::kDefinition);
    if (defs.ok()) {
      for (const EntityDef& entity : *defs) entities.push_back(entity.name);
    }
    Value actions = Value::array();
    auto action_defs = workspace.catalog().ListActions(connector.type);
    if (action_defs.ok()) {
      for (const ActionDef& action : *action_defs) actions.push_back(action.name);
    }
    item["entities"] = std::move(entities);
    item["actions"] = std::move(actions);
    list.push_back(std::move(item));
  }
  return Value{{"connectors", std::move(list)}};
}

Result<Value> ListTypes(WorkspaceSession& session) {
  Workspace& workspace = session.workspace();
  ASSIGN_OR_RETURN(std::vector<ConnectorTypeDef> types, workspace.catalog().ListConnectorTypes());
  Value list = Value::array();
  for (const ConnectorTypeDef& type : types) {
    Value item = {{"name", type.name},
                  {"kind", type.kind},
                  {"version", type.version},
                  {"description", type.description},
                  {"registered", type.registered}};
    ASSIGN_OR_RETURN(auto package,
                     SelectRows(workspace.db(),
                                "SELECT version, constraint_text, registry FROM _sluice_packages "
                                "WHERE type = ?1",
                                {type.name}));
    if (package.empty()) {
      item["package_version"] = nullptr;
      item["constraint"] = nullptr;
      item["registry"] = nullptr;
    } else {
      item["package_version"] = package[0]["version"];
      item["constraint"] = package[0]["constraint_text"];
      item["registry"] = package[0]["registry"];
    }
    // Knowing it would take a registry round trip per type; `sluice outdated` does that.
    item["update_available"] = nullptr;
    list.push_back(std::move(item));
  }
  return Value{{"types", std::move(list)}};
}

Result<Value> DescribeEntity(WorkspaceSession& session, const std::string& connector,
                             const std::string& entity) {
  ASSIGN_OR_RETURN(auto found, FindEntity(session.workspace(), connector, entity));
  const EntityDef& def = found.second;
  Value fields = Value::array();
  Value filters = Value::array();
  Value operators = Value::object();
  Value sortable = Value::array();
  if (def.fields.is_object()) {
    for (const auto& [name, field] : def.fields.items()) {
      Value item = {
          {"name", name},
          {"type", field.contains("type") ? field["type"] : Value("string")},
          {"primary_key", Flag(field, "primary_key")},
          {"filterable", Flag(field, "filterable")},
          {"required", Flag(field, "required")},
          {"sortable", Flag(field, "sortable")},
          {"description", field.contains("description") ? field["description"] : Value("")}};
      if (Flag(field, "filterable")) {
        filters.push_back(name);
        operators[name] = Value::array({"=", "IN"});
      }
      if (Flag(field, "sortable")) sortable.push_back(name);
      fields.push_back(std::move(item));
    }
  }
  Value pushdown = {
      {"filters", std::move(filters)},
      {"operators", std::move(operators)},
      // Every constraint is also passed as options.conditions; the engine re-checks every row.
      {"conditions", true},
      {"limit", true},
      {"offset", def.applies_offset ? "handler" : "engine"},
      {"order_by", std::move(sortable)},
  };
  return Value{{"connector", connector},
               {"entity", entity},
               {"type", found.first.type},
               {"description", def.description},
               {"fields", std::move(fields)},
               {"pushdown", std::move(pushdown)},
               {"cursor", def.cursor.empty() ? Value(nullptr) : Value(def.cursor)},
               {"parent", def.parent.empty() ? Value(nullptr) : Value(def.parent)},
               {"table", connector + "_" + entity}};
}

Result<Value> ListDestinations(WorkspaceSession& session) {
  ASSIGN_OR_RETURN(std::vector<DestinationDef> defs,
                   session.workspace().catalog().ListDestinations());
  Value list = Value::array();
  list.push_back({{"name", kWorkspaceDestination},
                  {"type", "sqlite"},
                  {"config", Value::object()},
                  {"builtin", true}});
  for (const DestinationDef& def : defs) {
    list.push_back(
        {{"name", def.name}, {"type", def.type}, {"config", def.config}, {"builtin", false}});
  }
  return Value{{"destinations", std::move(list)}};
}

Result<Value> ListRuns(WorkspaceSession& session, const RunFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return Status(ErrorKind::kInvalidArgument,
                  "limit must be between 1 and 1000, got " + std::to_string(filter.limit));
  }
  if (filter.before_id && *filter.before_id < 1) {
    return Status(ErrorKind::kInvalidArgument,
                  "before_id must be a run id (a whole number from 1), got " +
                      std::to_string(*filter.before_id));
  }
  std::string stored = filter.status == "done" ? "ok" : filter.status;
  if (!filter.status.empty() && stored != "ok" && stored != "running" && stored != "failed" &&
      stored != "interrupted") {
    return Status(
        ErrorKind::kInvalidArgument,
        "status must be one of running, done, failed, interrupted; got '" + filter.status + "'");
  }
  std::string sql =
      std::string(kRunColumns) +
      " WHERE (?1 = '' OR connector = ?1) AND (?2 = '' OR status = ?2) AND (?3 IS NULL OR id < ?3)"
      " ORDER BY id DESC LIMIT ?4";
  Value before = filter.before_id ? Value(*filter.before_id) : Value(nullptr);
  ASSIGN_OR_RETURN(auto rows, SelectRows(session.workspace().db(), sql,
                                         {filter.connector, stored, before, filter.limit + 1}));
  Value runs = Value::array();
  Value next = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int64_t>(i) == filter.limit) {
      next = runs.back()["id"];
      break;
    }
    runs.push_back(RunJson(rows[i]));
  }
  return Value{{"runs", std::move(runs)}, {"next_before_id", next}};
}

Result<Value> GetRun(WorkspaceSession& session, int64_t id) {
  ASSIGN_OR_RETURN(auto rows, SelectRows(session.workspace().db(),
                                         std::string(kRunColumns) + " WHERE id = ?1", {Value(id)}));
  if (rows.empty()) return Status(ErrorKind::kNotFound, "no sync run has id " + std::to_string(id));
  return RunJson(rows[0]);
}

Result<Value> ListSchedules(WorkspaceSession& session) {
  Workspace& workspace = session.workspace();
  SyncSchedules schedules(workspace.db());
  ASSIGN_OR_RETURN(std::vector<SyncSchedule> list, schedules.List());
  Value out = Value::array();
  const int64_t now = NowSeconds();
  for (const SyncSchedule& schedule : list) {
    Value item = {{"id", schedule.id},
                  {"connector", schedule.connector},
                  {"statement", schedule.statement},
                  {"cron", schedule.cron}};
    auto cron = CronSchedule::Parse(schedule.cron);
    item["next_run"] = nullptr;
    if (cron.ok()) {
      // The next minute that matches, within a year and a day (a cron like
      // "0 0 29 2 *" may wait years: then null).
      int64_t minute = (now / 60 + 1) * 60;
      for (int64_t i = 0; i < 366 * 24 * 60 + 1440; ++i, minute += 60) {
        if (cron->Matches(minute)) {
          item["next_run"] = IsoFromSeconds(minute);
          break;
        }
      }
    }
    item["last_run"] = schedule.last_run.empty() ? Value(nullptr) : Value(schedule.last_run);
    item["last_status"] = nullptr;
    item["last_success"] = nullptr;
    // A run does not record which statement started it: the schedule's
    // outcome is that of the connector's runs since the scheduler last ran
    // it, and there is none before it first ran (a manual SYNC is not the
    // schedule's). Compared to the second: last_run has no fraction.
    if (!schedule.last_run.empty()) {
      const std::string since = schedule.last_run.substr(0, 19);
      ASSIGN_OR_RETURN(auto last,
                       SelectRows(workspace.db(),
                                  "SELECT status FROM _sluice_sync_runs WHERE connector = ?1 AND "
                                  "substr(started_at, 1, 19) >= ?2 ORDER BY id DESC LIMIT 1",
                                  {schedule.connector, since}));
      if (!last.empty()) item["last_status"] = RunStatus(Text(last[0]["status"]));
      ASSIGN_OR_RETURN(
          auto success,
          SelectRows(workspace.db(),
                     "SELECT MAX(COALESCE(finished_at, started_at)) AS at FROM _sluice_sync_runs "
                     "WHERE connector = ?1 AND status = 'ok' AND substr(started_at, 1, 19) >= ?2",
                     {schedule.connector, since}));
      if (!success.empty()) item["last_success"] = success[0]["at"];
    }
    out.push_back(std::move(item));
  }
  return Value{{"schedules", std::move(out)}};
}

Result<Value> ListMarks(WorkspaceSession& session) {
  Workspace& workspace = session.workspace();
  ASSIGN_OR_RETURN(
      auto rows,
      SelectRows(workspace.db(),
                 "SELECT connector, entity, destination AS \"table\", cursor_field, "
                 "cursor_value, updated_at FROM _sluice_sync_state ORDER BY connector, entity"));
  Value marks = Value::array();
  for (Value& row : rows) {
    row["destination"] = kWorkspaceDestination;
    DecodeCursor(row);
    marks.push_back(std::move(row));
  }
  // SQLite files runs went to (the destination name is the file's path for
  // `TO 'file.db'`; a sqlite destination's config names its file).
  std::set<std::string> seen;
  ASSIGN_OR_RETURN(auto destinations,
                   SelectRows(workspace.db(),
                              "SELECT DISTINCT destination FROM _sluice_sync_runs "
                              "WHERE destination != 'workspace'"));
  for (const Value& row : destinations) {
    std::string name = Text(row["destination"]);
    std::string path = name;
    auto def = workspace.catalog().GetDestination(name);
    if (def.ok()) {
      if (def->type != "sqlite" || !def->config.contains("path") ||
          !def->config["path"].is_string())
        continue;
      path = def->config["path"].get<std::string>();
    }
    if (!seen.insert(path).second || path == workspace.path()) continue;
    AddFileMarks(path, name, marks);
  }
  return Value{{"marks", std::move(marks)}};
}

Result<Value> ListTables(WorkspaceSession& session) {
  Workspace& workspace = session.workspace();
  // The newest run of each (destination, table) says where it came from.
  ASSIGN_OR_RETURN(
      auto rows,
      SelectRows(workspace.db(), std::string(kRunColumns) +
                                     " WHERE id IN (SELECT MAX(id) FROM _sluice_sync_runs "
                                     "WHERE table_name != '' GROUP BY destination, table_name) "
                                     "ORDER BY destination, table_name"));
  Value tables = Value::array();
  for (const Value& row : rows) {
    std::string table = Text(row["table_name"]);
    std::string destination = Text(row["destination"]);
    Value item = {{"table", table},
                  {"destination", destination},
                  {"connector", row["connector"]},
                  {"entity", row["entity"]},
                  {"type_version", row["type_version"]}};
    item["rows"] = nullptr;
    item["columns"] = nullptr;
    if (destination == kWorkspaceDestination) {
      auto columns =
          SelectRows(workspace.db(), "SELECT name, type FROM pragma_table_info(?1)", {table});
      if (columns.ok() && !columns->empty()) {
        item["columns"] = *columns;
        auto count =
            SelectRows(workspace.db(), "SELECT COUNT(*) AS n FROM " + QuoteIdentifier(table));
        if (count.ok() && !count->empty()) item["rows"] = (*count)[0]["n"];
      } else {
        item["columns"] = Value::array();  // dropped since
      }
    }
    item["last_run"] = RunJson(row);
    tables.push_back(std::move(item));
  }
  return Value{{"tables", std::move(tables)}};
}

Result<std::string> SyncStatementFor(WorkspaceSession& session, const SyncJobRequest& request) {
  Workspace& workspace = session.workspace();
  // The language has no quoted identifier: a name is written bare, so it
  // must be one the catalog holds and one CheckName allows (letters, digits,
  // `_`), which no quote, semicolon or space can pass.
  RETURN_IF_ERROR(CheckName(request.connector, "connector"));
  ASSIGN_OR_RETURN(ConnectorDef connector, workspace.catalog().GetConnector(request.connector));
  std::string text = "SYNC CONNECTOR " + connector.name;
  if (!request.entities.empty()) {
    std::string list;
    for (const std::string& entity : request.entities) {
      RETURN_IF_ERROR(CheckName(entity, "entity"));
      ASSIGN_OR_RETURN(auto found, FindEntity(workspace, request.connector, entity));
      list += (list.empty() ? "" : ", ") + found.second.name;
    }
    text += " ENTITIES (" + list + ")";
  }
  if (!request.destination.empty() && request.destination != kWorkspaceDestination) {
    RETURN_IF_ERROR(CheckName(request.destination, "destination"));
    ASSIGN_OR_RETURN(DestinationDef destination,
                     workspace.catalog().GetDestination(request.destination));
    text += " TO DESTINATION " + destination.name;
  }
  if (request.full) text += " FULL";
  return text + ";";
}

Result<Value> RunAction(WorkspaceSession& session, const std::string& connector,
                        const std::string& action, const Value& arguments) {
  Workspace& workspace = session.workspace();
  if (!arguments.is_object()) {
    return Status(ErrorKind::kInvalidArgument,
                  "the arguments of action '" + action + "' must be a JSON object");
  }
  RETURN_IF_ERROR(CheckName(connector, "connector"));
  ASSIGN_OR_RETURN(ConnectorDef def, workspace.catalog().GetConnector(connector));
  auto found = workspace.catalog().GetAction(def.type, action);
  if (!found.ok())
    return Status(ErrorKind::kNotFound,
                  "connector '" + connector + "' has no action '" + action + "'");
  // "items.create": each part a checked name, written bare.
  std::string path;
  size_t start = 0;
  while (true) {
    size_t dot = action.find('.', start);
    std::string part =
        action.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    RETURN_IF_ERROR(CheckName(part, "action"));
    path += "." + part;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // The arguments travel as a variable, never as text in the statement.
  Variables& variables = session.interpreter().variables();
  variables.Declare("sluice_api_arguments", arguments);
  ASSIGN_OR_RETURN(StatementOutput output,
                   session.Run("DECLARE sluice_api_result = CONNECTOR_EXEC " + def.name + path +
                               "(sluice_api_arguments);"));
  const Value* result = variables.Find("sluice_api_result");
  Value printed = Value::array();
  for (const std::string& line : output.printed) printed.push_back(line);
  return Value{{"connector", connector},
               {"action", action},
               {"result", result ? *result : Value(nullptr)},
               {"printed", std::move(printed)}};
}

Result<Value> ResetMark(WorkspaceSession& session, const std::string& connector,
                        const std::string& entity, const std::string& destination) {
  Workspace& workspace = session.workspace();
  ASSIGN_OR_RETURN(auto found, FindEntity(workspace, connector, entity));
  (void)found;
  std::string where = destination.empty() ? kWorkspaceDestination : destination;
  if (where != kWorkspaceDestination) {
    // Marks kept in another destination live with its rows; the server does
    // not reach into them. SYNC … FULL reads everything once there.
    ASSIGN_OR_RETURN(DestinationDef def, workspace.catalog().GetDestination(where));
    return Status(ErrorKind::kInvalidArgument, "the mark of " + connector + "." + entity +
                                                   " in destination '" + def.name +
                                                   "' is kept in that destination; run a full sync "
                                                   "(POST /api/sync with \"full\": true) instead");
  }
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(workspace.db()));
  // The workspace keys its marks by table (sqlite_destination.cc): every
  // table the entity was synced to in the workspace forgets its mark.
  ASSIGN_OR_RETURN(Stmt forget,
                   workspace.db().Prepare("DELETE FROM _sluice_sync_state WHERE connector = ?1 AND "
                                          "entity = ?2"));
  RETURN_IF_ERROR(forget.BindText(1, connector));
  RETURN_IF_ERROR(forget.BindText(2, entity));
  RETURN_IF_ERROR(forget.Run());
  int removed = workspace.db().Changes();
  RETURN_IF_ERROR(tx.Commit());
  return Value{
      {"connector", connector}, {"entity", entity}, {"destination", where}, {"reset", removed}};
}

}  // namespace sluice
