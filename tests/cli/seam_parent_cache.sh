#!/usr/bin/env bash
# A SYNC of a child entity reads its parents whole. It may take them from the
# query cache (OPTIONS.cache_ttl) a SELECT filled, as a SELECT of the child
# does — unless the same statement syncs the parent, whose rows are then
# newer than anything cached. (The Source seam first lost the reuse.)
source "$(dirname "$0")/lib.bash" "$1"
ws="$dir/ws.db"
cat >"$dir/defs.sql" <<'SQL'
CREATE CONNECTOR TYPE 'g';
CREATE CONNECTOR ENTITY 'g.repos' FIELDS {"name": {"type": "string", "primary_key": true}}
  CURSOR 'name'
  QUERY_HANDLER '''async function query() { return [{name: "alpha"}, {name: "beta"}]; }''';
CREATE CONNECTOR ENTITY 'g.issues' PARENT 'g.repos'
  FIELDS {"id": {"type": "string", "primary_key": true}, "repo": {"type": "string"}}
  QUERY_HANDLER '''async function query(config, filters, options, parent) { return [{id: parent.name + "-1", repo: parent.name}]; }''';
CREATE CONNECTOR g TYPE 'g' OPTIONS {"cache_ttl": 60};
SQL
"$sluice" "$ws" "$dir/defs.sql" >/dev/null 2>&1 || fail "defining the connector"
hits() { printf '%s\n' "$1" | awk -F, '$1 == "g" { print $7 }'; }

out=$("$sluice" "$ws" -f csv -c "SELECT count(*) FROM g.repos" -c "SYNC CONNECTOR g.issues TO '$dir/a.db'" \
  -c "SHOW CONNECTOR STATS FOR g" 2>&1)
expect_eq "the child's sync read the parents the SELECT cached" 1 "$(hits "$out")"
expect_eq "and synced a row per parent" 2 "$(sqlite3 "$dir/a.db" 'SELECT count(*) FROM g_issues')"

out=$("$sluice" "$ws" -f csv -c "SYNC CONNECTOR g.issues TO '$dir/b.db'" -c "SYNC CONNECTOR g.issues TO '$dir/b.db'" \
  -c "SHOW CONNECTOR STATS FOR g" 2>&1)
expect_eq "a second sync of the child reuses the parents the first one read" 1 "$(hits "$out")"

out=$("$sluice" "$ws" -f csv -c "SELECT count(*) FROM g.repos" \
  -c "SYNC CONNECTOR g ENTITIES (repos, issues) TO '$dir/c.db'" \
  -c "SHOW CONNECTOR STATS FOR g" 2>&1)
# repos syncs incrementally (its CURSOR), so issues scans the parents itself
# after it, rather than sharing the parent's scan.
expect_eq "a statement that syncs the parent too reads the parents afresh" 0 "$(hits "$out")"
expect_eq "both synced" "2 2" "$(sqlite3 "$dir/c.db" 'SELECT (SELECT count(*) FROM g_repos) || " " || (SELECT count(*) FROM g_issues)')"
finish
