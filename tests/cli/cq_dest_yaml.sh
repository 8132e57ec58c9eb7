# `sluice sync FILE.yaml` meets CloudQuery's conventions: a table keeps the
# plugin's name in the destination (`items`, not `a_items`), so two sources
# may share it — `_sluice_source` tells their rows apart and delete-stale
# removes only the running source's own; a file destination's path expands
# {{TABLE}}, {{FORMAT}}, {{UUID}}, {{YEAR}}… and rejects an unknown {{X}};
# two sources writing one table of a file destination is refused (a file
# holds a table whole); SQL SYNC keeps `<connector>_<entity>`.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$dir"
mkdir shard
cat >shard/type.sql <<'SQL'
CREATE OR REPLACE CONNECTOR TYPE 'shard' CONFIG_SCHEMA {
  "name": {"type": "string", "required": true}, "count": {"type": "integer", "default": 3}};
CREATE OR REPLACE CONNECTOR ENTITY 'shard.items'
  FIELDS {"shard": {"type": "string", "primary_key": true}, "id": {"type": "integer", "primary_key": true},
          "label": {"type": "string"}}
  QUERY_HANDLER '''async function query(config) {
    return Array.from({length: config.count}, (_, i) => ({shard: config.name, id: i + 1, label: 'é ' + i}));
  }''';
SQL
# sources COUNT_A COUNT_B: two sources of one type, both into `db`.
sources() {
  cat >two.yaml <<YAML
kind: source
spec: {name: a, path: shard, destinations: [db], spec: {name: a, count: $1}}
---
kind: source
spec: {name: b, path: shard, destinations: [db], spec: {name: b, count: $2}}
---
kind: destination
spec: {name: db, path: cloudquery/sqlite, write_mode: overwrite-delete-stale, spec: {connection_string: ./out.db}}
YAML
}
sources 3 4
out=$("$sluice" sync two.yaml -w ws.db 2>&1)
expect_eq "two sources into one table: exit status" 0 $?
expect_eq "the table keeps the plugin's name" "items" "$(sqlite3 out.db "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_sluice%' ESCAPE '\\'")"
expect_eq "both sources' rows, told apart" "a|3
b|4" "$(sqlite3 out.db "SELECT _sluice_source, count(*) FROM items GROUP BY 1 ORDER BY 1")"
sources 1 4
out=$("$sluice" sync two.yaml -w ws.db 2>&1)
expect_eq "a second run: exit status" 0 $?
expect_eq "delete-stale removes only the running source's stale rows" "a|1
b|4" "$(sqlite3 out.db "SELECT _sluice_source, count(*) FROM items GROUP BY 1 ORDER BY 1")"
expect_contains "and says how many" "2" "$(sqlite3 ws.db "SELECT rows_deleted FROM _sluice_sync_runs WHERE connector = 'a' ORDER BY id DESC LIMIT 1")"
expect_eq "b deleted nothing" 0 "$(sqlite3 ws.db "SELECT rows_deleted FROM _sluice_sync_runs WHERE connector = 'b' ORDER BY id DESC LIMIT 1")"

# SQL SYNC keeps <connector>_<entity> (a YAML source's connector carries
# OPTIONS {"sync_table": "{entity}"}).
"$sluice" ws.db -c "CREATE CONNECTOR c TYPE 'shard' CONFIG {\"name\": \"c\"}; SYNC CONNECTOR c.items TO 'sql.db';" >/dev/null 2>&1
expect_eq "SQL SYNC names tables <connector>_<entity>" 3 "$(sqlite3 sql.db "SELECT count(*) FROM c_items")"
expect_eq "the YAML connector says why" '{"sync_table":"{entity}"}' "$(sqlite3 ws.db "SELECT options FROM _sluice_connectors WHERE name = 'a'")"

# File destinations: CloudQuery's path variables.
cat >files.yaml <<YAML
kind: source
spec: {name: a, path: shard, destinations: [lake, flat], spec: {name: a, count: 2}}
---
kind: destination
spec:
  name: lake
  path: cloudquery/file
  write_mode: append
  spec: {path: "./lake/{{TABLE}}/{{YEAR}}/{{UUID}}.{{FORMAT}}", format: csv}
---
kind: destination
spec:
  name: flat
  path: cloudquery/file
  spec: {path: "./flat/{{TABLE}}.{{FORMAT}}", format: json}
YAML
out=$("$sluice" sync files.yaml -w ws.db 2>&1)
expect_eq "path variables: exit status" 0 $?
year=$(date -u +%Y)
files=$(cd lake && find . -type f -name '*.csv' | sort)
expect_eq "one file per table and run, named by UUID" 1 "$(printf '%s\n' "$files" | grep -cE "^\./items/$year/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.csv$")"
expect_eq "{{FORMAT}} is CloudQuery's format name" 2 "$(wc -l <flat/items.json)"
"$sluice" sync files.yaml -w ws.db >/dev/null 2>&1
expect_eq "an append run with {{UUID}} starts a new file" 2 "$(find lake -type f -name '*.csv' | wc -l)"

# An unknown variable is refused where the destination is defined, before any sync.
cat >bad.yaml <<YAML
kind: source
spec: {name: a, path: shard, destinations: [lake], spec: {name: a}}
---
kind: destination
spec: {name: lake, path: cloudquery/file, spec: {path: "./x/{{TABEL}}.{{FORMAT}}", format: json}}
YAML
out=$("$sluice" sync bad.yaml -w ws.db 2>&1)
expect_eq "unknown variable: exit status" 1 $?
expect_contains "names it and the known ones" "destination 'lake': path './x/{{TABEL}}.{{FORMAT}}': unknown variable '{{TABEL}}' (known: {{TABLE}}, {{FORMAT}}, {{UUID}}" "$out"
expect_not_contains "and nothing syncs" "SYNC CONNECTOR" "$out"
[ -e x ] && fail "a folder was made for a refused path"

# Two sources writing one table of a file destination would replace each other's rows.
cat >shared.yaml <<YAML
kind: source
spec: {name: a, path: shard, destinations: [lake], spec: {name: a}}
---
kind: source
spec: {name: b, path: shard, destinations: [lake], spec: {name: b}}
---
kind: destination
spec: {name: lake, path: cloudquery/file, spec: {path: ./shared, format: json}}
YAML
out=$("$sluice" sync shared.yaml -w ws.db 2>&1)
expect_eq "shared file table: exit status" 1 $?
expect_contains "is refused, naming both" "sources 'a' and 'b' both write table 'items' to file destination 'lake'" "$out"
# Destination registries: grpc is a running plugin (tests/cli/cq_dest_write.sh);
# local is an executable Sluice launches as the CloudQuery CLI does
# (`EXE serve --log-level info --log-format json --network unix --address
# /tmp/cq-….sock`). Here a wrapper a user would write around the recorder
# (a JS peer that takes `--address unix:PATH`).
cat >recorder-plugin <<SH
#!/usr/bin/env bash
echo "\$@" > "$dir/launched-with"
address=""; network=tcp
while [ \$# -gt 0 ]; do
  case "\$1" in
    --network) network=\$2; shift 2 ;;
    --address) address=\$2; shift 2 ;;
    *) shift ;;
  esac
done
[ "\$network" = unix ] && address="unix:\$address"
exec node "$root/tests/compat/dest_recorder.mjs" --address "\$address" --out "$dir/local-calls.json"
SH
chmod +x recorder-plugin
cat >local.yaml <<YAML
kind: source
spec: {name: a, path: shard, destinations: [d], spec: {name: a}}
---
kind: destination
spec: {name: d, path: ./recorder-plugin, registry: local}
YAML
out=$("$sluice" sync local.yaml -w ws.db 2>&1)
expect_eq "registry local: exit status" 0 $?
expect_contains "is a cloudquery destination" "CREATE OR REPLACE DESTINATION d TYPE 'cloudquery' CONFIG {\"path\":\"./recorder-plugin\",\"registry\":\"local\"" "$out"
launched=$(cat launched-with)
expect_contains "launched as the CLI launches a local plugin" "serve --log-level info --log-format json --network unix --address /" "$launched"
socket=$(sed -n 's/.*--address \([^ ]*\).*/\1/p' launched-with)
expect_eq "its socket is removed after the run" "gone" "$([ -e "$socket" ] && echo present || echo gone)"
inserted=$(node -e 'const calls = require(process.argv[1]); console.log(calls.writes.flat().filter((m) => m.kind === "insert").reduce((n, m) => n + m.rows, 0))' "$dir/local-calls.json" 2>&1)
expect_eq "the plugin received the rows" "3" "$inserted"
printf '#!/bin/sh\nexit 7\n' >broken-plugin && chmod +x broken-plugin
sed 's|./recorder-plugin|./broken-plugin|' local.yaml >broken.yaml
out=$("$sluice" sync broken.yaml -w ws.db 2>&1)
expect_eq "registry local, a plugin that exits at once: exit status" 1 $?
expect_contains "names the plugin and why it did not start" "plugin './broken-plugin' did not start after 3 attempts; attempt 1: it exited with status 7 before listening" "$out"
cat >github.yaml <<YAML
kind: destination
spec: {name: d, path: cloudquery/sqlite, registry: github}
YAML
out=$("$sluice" sync github.yaml -w ws.db 2>&1)
expect_contains "an unknown registry is named" "registry 'github' is not supported (grpc for a running plugin" "$out"
finish
