# File destination paths and local plugin paths, as a user mistypes them:
# `{{TABLE}}.{{FORMAT}}` (no folder part) writes into the current folder as
# CloudQuery's file plugin does; an empty path is refused where the
# destination is defined; a run that fails before writing leaves no lock
# file behind; a `registry: local` path that is missing, a folder or not
# executable is named, with what it is.
source "$(dirname "$0")/lib.bash"
cd "$dir"
mkdir gen
cat >gen/type.sql <<'SQL'
CREATE OR REPLACE CONNECTOR TYPE 'gen' CONFIG_SCHEMA {"count": {"type": "integer", "default": 2}};
CREATE OR REPLACE CONNECTOR ENTITY 'gen.items'
  FIELDS {"id": {"type": "integer", "primary_key": true}, "名前": {"type": "string"}}
  QUERY_HANDLER '''async function query(config) {
    return Array.from({length: config.count}, (_, i) => ({id: i + 1, "名前": 'é' + i}));
  }''';
SQL
# yaml_with DESTINATION_SPEC: one source into destination `d`.
yaml_with() {
  cat >run.yaml <<YAML
kind: source
spec: {name: a, path: $dir/gen, destinations: [d], spec: {count: 2}}
---
kind: destination
spec: $1
YAML
}

mkdir here && cd here
yaml_with '{name: d, path: cloudquery/file, spec: {path: "{{TABLE}}.{{FORMAT}}", format: json}}'
out=$("$sluice" sync run.yaml -w ../ws.db 2>&1)
expect_eq "a path without a folder: exit status" 0 $?
expect_eq "writes the table's file in the current folder" 2 "$(wc -l <items.json 2>/dev/null)"
expect_not_contains "no empty folder is made" "cannot create folder" "$out"
cd ..

# An empty path is refused at CREATE DESTINATION, not at the sync.
out=$("$sluice" ws.db -c "CREATE DESTINATION e TYPE 'jsonl' CONFIG {\"path\": \"\"};" 2>&1)
expect_eq "an empty path: exit status" 1 $?
expect_contains "is refused, saying what a path is" "destination 'e': path is empty" "$out"
expect_eq "and not defined" 0 "$(sqlite3 ws.db "SELECT count(*) FROM _sluice_destinations WHERE name = 'e'" 2>/dev/null || echo 0)"
mkdir empty && cd empty
yaml_with '{name: d, path: cloudquery/file, spec: {path: "", format: json}}'
out=$("$sluice" sync run.yaml -w ../ws.db 2>&1)
expect_eq "an empty path in YAML: exit status" 1 $?
expect_contains "is refused the same way" "destination 'd': path is empty" "$out"
expect_eq "leaving nothing behind" "" "$(ls -A | grep -v '^run.yaml$')"
cd ..

# The table's folder cannot be made (a file is in the way): the run fails
# naming it, before any lock file is made.
mkdir blocked && cd blocked
touch items
yaml_with '{name: d, path: cloudquery/file, spec: {path: "{{TABLE}}/all.{{FORMAT}}", format: json}}'
out=$("$sluice" sync run.yaml -w ../ws.db 2>&1)
expect_eq "a folder that cannot be made: exit status" 1 $?
expect_contains "names it" "cannot create folder 'items'" "$out"
expect_eq "no stray lock file" "" "$(ls -A | grep -v '^run.yaml$' | grep -v '^items$')"
cd ..

# registry: local names an executable; say what the path is instead.
yaml_with '{name: d, path: ./no-such-plugin, registry: local}'
out=$("$sluice" sync run.yaml -w ws.db 2>&1)
expect_eq "a missing local plugin: exit status (a config error)" 2 $?
expect_contains "says it does not exist, naming the path" "registry: local, and path './no-such-plugin' does not exist" "$out"
mkdir plugin-dir
yaml_with '{name: d, path: ./plugin-dir, registry: local}'
out=$("$sluice" sync run.yaml -w ws.db 2>&1)
expect_eq "a folder as a local plugin: exit status (a config error)" 2 $?
expect_contains "says it is a directory" "path './plugin-dir' is a directory, not a plugin executable" "$out"
printf '#!/bin/sh\nexit 0\n' >not-executable
yaml_with '{name: d, path: ./not-executable, registry: local}'
out=$("$sluice" sync run.yaml -w ws.db 2>&1)
expect_eq "a file that is not executable: exit status" 1 $?
expect_contains "says so, naming it" "the plugin './not-executable' is not an executable file" "$out"
# The same through SQL.
out=$("$sluice" ws.db -c "CREATE CONNECTOR g TYPE 'gen' CONFIG {};
  CREATE DESTINATION l TYPE 'cloudquery' CONFIG {\"path\": \"./gone\", \"registry\": \"local\"};
  SYNC CONNECTOR g TO DESTINATION l;" 2>&1)
expect_contains "SQL: a missing local plugin is named" "the plugin executable './gone' does not exist" "$out"
finish
