# Issue 13, sync side: a failed scan never deletes stale rows (every file
# and SQLite destination, a handler failing mid-run or on its first page);
# WHERE never deletes the rows it leaves out; rows without their primary key
# are refused; run records count committed rows only; JSONL appends stay
# whole on a full disk; sync_table cannot leave a destination folder; CSV
# cells are guarded against formulas; `sluice sync FILE.yaml` stops at a
# failed definition; a YAML alias bomb is refused in bounded memory; live
# progress shows rows as they are read, a line per entity.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
start_test_server "$(dirname "$sluice")/test_api_server" >/dev/null || exit 1
export SLUICE_SECRET_KEY=trust-sync-key SYNC_API=$TEST_SERVER_URL
ws=$dir/ws.db
q() { sqlite3 "${2:-$ws}" "$1"; }
run() { "$sluice" "$ws" -c "$1" 2>&1; }
last_run() { q "SELECT $1 FROM _sluice_sync_runs ORDER BY id DESC LIMIT 1"; }
# config COUNT FAIL_AT DROP_KEY TAG: the whole CONFIG of connector t.
config() {
  run "ALTER CONNECTOR t SET CONFIG {\"count\": $1, \"fail_at\": $2, \"drop_key\": $3, \"tag\": \"$4\"};" >/dev/null
}

# ids 1..count, a page of 10 per yield; page `fail_at` throws, row `drop_key`
# comes without its id; every third row is active.
run "CREATE CONNECTOR TYPE 'trust' CONFIG_SCHEMA {\"count\": {\"type\": \"integer\", \"default\": 22},
    \"fail_at\": {\"type\": \"integer\", \"default\": -1}, \"drop_key\": {\"type\": \"integer\", \"default\": -1},
    \"tag\": {\"type\": \"string\", \"default\": \"one\"}};
  CREATE CONNECTOR ENTITY 'trust.items'
    FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"status\": {\"type\": \"string\", \"filterable\": true},
            \"tag\": {\"type\": \"string\"}}
    QUERY_HANDLER '''async function* query(config) {
      for (let page = 0; page * 10 < config.count; page++) {
        if (page === config.fail_at) throw new ConnectorError('page ' + page + ' is broken');
        const rows = [];
        for (let id = page * 10 + 1; id <= Math.min(config.count, page * 10 + 10); id++) {
          const row = {id, status: id % 3 === 0 ? 'active' : 'closed', tag: config.tag};
          if (id === config.drop_key) delete row.id;
          rows.push(row);
        }
        yield rows;
      }
    }''';
  CREATE CONNECTOR ENTITY 'trust.texts'
    FIELDS {\"code\": {\"type\": \"string\", \"primary_key\": true}, \"v\": {\"type\": \"integer\"}}
    QUERY_HANDLER '''async function query(config) {
      return [1, 2, 3, 4].map(v => v === config.drop_key ? {code: null, v} : {code: 'c' + v, v});
    }''';
  CREATE CONNECTOR ENTITY 'trust.loose' FIELDS {\"n\": {\"type\": \"integer\"}}
    QUERY_HANDLER '''async function* query(config) {
      for (let page = 0; page < 8; page++) {
        if (page === config.fail_at) throw new ConnectorError('page ' + page + ' is broken');
        yield Array.from({length: 10}, (_, i) => ({n: page * 10 + i}));
      }
    }''';
  CREATE CONNECTOR t TYPE 'trust' CONFIG {} OPTIONS {\"batch_size\": 10};
  CREATE DESTINATION lake TYPE 'jsonl' CONFIG {\"path\": \"$dir/lake\"};
  CREATE DESTINATION sheets TYPE 'csv' CONFIG {\"path\": \"$dir/sheets\"};" >/dev/null

# --- Defect 4: a run that fails — mid-run or on its first page — never
# deletes stale rows, whatever the destination.
count_rows() {  # DEST: the rows the destination holds of t.items
  case $1 in
    workspace) q "SELECT count(*) FROM t_items" ;;
    file) q "SELECT count(*) FROM t_items" "$dir/out.db" ;;
    lake) wc -l <"$dir/lake/t_items.jsonl" ;;
    sheets) echo $(($(wc -l <"$dir/sheets/t_items.csv") - 1)) ;;
  esac
}
for dest in workspace file lake sheets; do
  case $dest in
    workspace) to="" ;;
    file) to="TO '$dir/out.db'" ;;
    *) to="TO DESTINATION $dest" ;;
  esac
  config 22 -1 -1 one
  run "SYNC CONNECTOR t.items $to FULL;" >/dev/null
  expect_eq "$dest: a good full run" 22 "$(count_rows $dest)"
  for fail_at in 1 0; do
    config 22 $fail_at -1 failing
    out=$(run "SYNC CONNECTOR t.items $to FULL;")
    expect_eq "$dest: failing at page $fail_at fails the statement" 1 $?
    expect_contains "$dest: naming the cause" "sync t.items: connector 't', entity 'items': ConnectorError: page $fail_at is broken" "$out"
    expect_eq "$dest: failing at page $fail_at deletes nothing" 22 "$(count_rows $dest)"
    expect_eq "$dest: the failed run deleted nothing" "failed|0" "$(last_run "status || '|' || rows_deleted")"
  done
done

# --- Defect 7: WHERE on a full run does not delete the rows it leaves out.
config 22 -1 -1 two
out=$(run "SYNC CONNECTOR t.items FULL WHERE status = 'active';")
expect_eq "a filtered full run" 0 $?
expect_contains "defaults to overwrite, and says so" \
  "| full | overwrite  |         7 |            7 |            0 |" "$out"
expect_contains "saying stale rows are kept" "ok (WHERE: write mode 'overwrite', stale rows kept)" "$out"
expect_eq "the rows outside the filter stay" "22|7" "$(q "SELECT count(*), count(*) FILTER (WHERE tag = 'two') FROM t_items")"
out=$(run "SYNC CONNECTOR t.items FULL WHERE status = 'active' WRITE_MODE 'overwrite-delete-stale';")
expect_eq "explicit delete-stale with WHERE fails" 1 $?
expect_contains "and says why" \
  "sync t.items: 'overwrite-delete-stale' cannot go with WHERE: the rows WHERE leaves out would all be deleted as stale" "$out"
expect_eq "still every row" 22 "$(q "SELECT count(*) FROM t_items")"
out=$(run "SYNC CONNECTOR t.items TO DESTINATION lake FULL WHERE status = 'active';")
expect_contains "a file cannot upsert: a filtered run appends" "| full | append     |         7 |            7 |" "$out"
expect_eq "the file keeps its rows" 29 "$(wc -l <"$dir/lake/t_items.jsonl")"

# --- Defect 13: a row without its primary key fails the run, naming it.
config 22 -1 15 three
out=$(run "SYNC CONNECTOR t.items FULL;")
expect_eq "a missing integer key fails" 1 $?
expect_contains "naming connector, entity, row and field" \
  "sync t.items: row 15: primary key field 'id' is missing or null" "$out"
expect_eq "no key invented, nothing stale deleted" "22|0|1" \
  "$(q "SELECT count(*), count(*) FILTER (WHERE id > 22), min(id) FROM t_items")"
config 22 -1 3 three
out=$(run "SYNC CONNECTOR t.texts FULL;")
expect_eq "a null text key fails" 1 $?
expect_contains "naming it" "sync t.texts: row 3: primary key field 'code' is missing or null" "$out"
expect_eq "no NULL key stored" 0 "$(q "SELECT count(*) FROM t_texts WHERE code IS NULL")"
out=$(run "SYNC CONNECTOR t.texts TO DESTINATION lake FULL;")
expect_contains "files too" "sync t.texts: row 3: primary key field 'code' is missing or null" "$out"

# --- Defects 19 and 8: a failed run records only the rows it committed.
config 22 6 -1 four
out=$(run "SYNC CONNECTOR t.loose WRITE_MODE 'append';")
expect_eq "an append without a key commits at the end only: nothing" "0|failed|60|0" \
  "$(q "SELECT count(*) FROM t_loose")|$(last_run "status || '|' || rows_read || '|' || rows_written")"
config 40 2 -1 four
run "SYNC CONNECTOR t.items TO '$dir/fresh.db' FULL;" >/dev/null
expect_eq "keyed batches commit one by one" "20|failed|20|20" \
  "$(q "SELECT count(*) FROM t_items" "$dir/fresh.db")|$(last_run "status || '|' || rows_read || '|' || rows_written")"
run "SYNC CONNECTOR t.items TO DESTINATION sheets FULL;" >/dev/null
expect_eq "a file replaced only at the end: nothing written" "22|failed|20|0" \
  "$(count_rows sheets)|$(last_run "status || '|' || rows_read || '|' || rows_written")"

# A full disk (a file size limit: EFBIG) in the middle of a JSONL append
# whose batches commit with a sortable cursor's mark: the file ends with the
# last committed batch, whole, and the run says so.
run "CREATE CONNECTOR TYPE 'wide' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'wide.rows'
    FIELDS {\"n\": {\"type\": \"integer\", \"sortable\": true}, \"pad\": {\"type\": \"string\"}} CURSOR 'n'
    QUERY_HANDLER '''async function* query() {
      for (let page = 0; page < 30; page++) yield Array.from({length: 100}, (_, i) => ({n: page * 100 + i, pad: 'x'.repeat(1000)}));
    }''';
  CREATE CONNECTOR w TYPE 'wide' CONFIG {} OPTIONS {\"batch_size\": 100};" >/dev/null
full_disk=$( (trap '' XFSZ; ulimit -f 1024; "$sluice" "$ws" -c "SYNC CONNECTOR w TO DESTINATION lake;" 2>&1) )
expect_contains "the write error is named" "cannot write '$dir/lake/w_rows.jsonl': File too large" "$full_disk"
lines=$(wc -l <"$dir/lake/w_rows.jsonl")
expect_eq "no torn last line" "0a" "$(tail -c 1 "$dir/lake/w_rows.jsonl" | od -An -tx1 | tr -d ' ')"
expect_eq "whole batches only" 0 $((lines % 100))
if [ "$lines" -lt 100 ] || [ "$lines" -ge 3000 ]; then fail "expected some committed batches before the limit, got $lines lines"; fi
expect_eq "the run records what the file holds" "failed|$lines" "$(last_run "status || '|' || rows_written")"
expect_eq "and the state the committed length" "$(wc -c <"$dir/lake/w_rows.jsonl")" \
  "$(q "SELECT json_extract(readfile('$dir/lake/_sluice_sync_state.json'), '\$.w_rows.committed_bytes')" :memory:)"

# --- Defect 22: sync_table cannot name a file outside the folder.
for bad in '../{entity}' '/tmp/{entity}' 'a/{entity}' '..{entity}'; do
  out=$(run "CREATE CONNECTOR evil TYPE 'trust' CONFIG {} OPTIONS {\"sync_table\": \"$bad\"};")
  expect_contains "CREATE refuses sync_table $bad" "option 'sync_table' must not contain '/', '\\', NUL or '..'" "$out"
  out=$(run "ALTER CONNECTOR t SET OPTIONS {\"sync_table\": \"$bad\"};")
  expect_contains "ALTER refuses sync_table $bad" "option 'sync_table' must not contain" "$out"
done
# One stored before names were checked is refused at SYNC.
run "CREATE CONNECTOR old TYPE 'trust' CONFIG {\"count\": 3};" >/dev/null
q "UPDATE _sluice_connectors SET options = '{\"sync_table\": \"../escaped_{entity}\"}' WHERE name = 'old'"
out=$(run "SYNC CONNECTOR old.items TO DESTINATION lake FULL;")
expect_eq "SYNC refuses it" 1 $?
expect_contains "naming the option" \
  "sync old.items: table name '../escaped_items' (from OPTIONS.sync_table) cannot name a file in folder" "$out"
if [ -e "$dir/escaped_items.jsonl" ]; then fail "a file was written outside the folder"; fi

# --- Defect 24: CSV cells that a spreadsheet would run as formulas.
run "CREATE CONNECTOR TYPE 'cells' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'cells.rows' FIELDS {\"k\": {\"type\": \"integer\"}, \"text\": {\"type\": \"string\"},
      \"amount\": {\"type\": \"number\"}, \"count\": {\"type\": \"integer\"}}
    QUERY_HANDLER '''async function query() {
      return ['=1+2', '+cmd', '-2+3', '@SUM(A1)', '\\tx', '\\ry', 'plain', '-'].map((text, k) => ({k, text, amount: -5.5, count: -5}));
    }''';
  CREATE CONNECTOR c TYPE 'cells' CONFIG {};" >/dev/null
run "SYNC CONNECTOR c TO DESTINATION sheets FULL;" >/dev/null
expect_eq "formulas are quoted text, numbers stay numbers" "k,text,amount,count,_sluice_source
0,'=1+2,-5.5,-5,c
1,'+cmd,-5.5,-5,c
2,'-2+3,-5.5,-5,c
3,'@SUM(A1),-5.5,-5,c
4,'	x,-5.5,-5,c
5,\"'"$'\r'"y\",-5.5,-5,c
6,plain,-5.5,-5,c
7,'-,-5.5,-5,c" "$(cut -d, -f1-5 "$dir/sheets/c_rows.csv")"

# --- Defect 18: `sluice sync FILE.yaml` stops at a failed definition.
cat >"$dir/good.yaml" <<YAML
kind: source
spec:
  name: ysrc
  path: trust
  tables: ["items"]
  destinations: ["ydb"]
  spec:
    count: 12
---
kind: destination
spec:
  name: ydb
  path: cloudquery/sqlite
  spec:
    connection_string: $dir/yaml.db
YAML
"$sluice" sync "$dir/good.yaml" -w "$ws" >/dev/null 2>&1
expect_eq "a good config syncs" 12 "$(q "SELECT count(*) FROM items" "$dir/yaml.db")"
sed 's/count: 12/count: 3\n    bogus: 1/' "$dir/good.yaml" >"$dir/bad.yaml"
before=$(q "SELECT count(*) FROM _sluice_sync_runs")
out=$("$sluice" sync "$dir/bad.yaml" -w "$ws" 2>&1)
expect_eq "a failed definition fails the command" 1 $?
expect_contains "naming the key" "bogus" "$out"
expect_not_contains "and nothing syncs" "SYNC CONNECTOR" "$out"
expect_eq "no run" "$before" "$(q "SELECT count(*) FROM _sluice_sync_runs")"
expect_eq "the table as it was" 12 "$(q "SELECT count(*) FROM items" "$dir/yaml.db")"

# --- Defect 3: a YAML alias bomb is refused, in bounded memory, naming the file.
{
  echo "kind: source"
  echo "spec:"
  echo "  name: bomb"
  echo "  path: trust"
  echo "  destinations: [ydb]"
  echo "  spec:"
  echo "    a0: &a0 [x, x, x, x, x, x, x, x, x, x]"
  for i in 1 2 3 4 5 6 7; do
    p=$((i - 1))
    echo "    a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
  done
} >"$dir/bomb.yaml"
out=$(/usr/bin/time -f 'maxrss_kb=%M' "$sluice" sync "$dir/bomb.yaml" -w "$ws" 2>&1)
expect_contains "the bomb is refused, naming the file" "$dir/bomb.yaml:" "$out"
expect_contains "and why" "the spec expands to more than 100000 values (YAML aliases repeating nodes?)" "$out"
rss=$(printf '%s\n' "$out" | sed -n 's/^maxrss_kb=//p')
if [ -z "$rss" ] || [ "$rss" -gt 262144 ]; then fail "the bomb took ${rss:-?} kB (bound: 256 MiB)"; fi

# --- Defect 20: a parent synced with its child is scanned once; the child
# reads the parent's rows whole (fields beyond FIELDS included).
run "CREATE CONNECTOR TYPE 'fam' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}};
  CREATE CONNECTOR ENTITY 'fam.parents' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}}
    QUERY_HANDLER '''async function query(config) {
      const r = await fetch(config.url + '/items?limit=5');
      return (await r.json()).items.map(i => ({id: String(i.id), name: i.name}));
    }''';
  CREATE CONNECTOR ENTITY 'fam.kids'
    FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}, \"of\": {\"type\": \"string\"}}
    PARENT 'fam.parents'
    QUERY_HANDLER '''async function query(config, filters, options, parent) {
      return [{id: parent.id + '.1', of: parent.name}, {id: parent.id + '.2', of: parent.name}];
    }''';
  CREATE CONNECTOR fm TYPE 'fam' CONFIG {\"url\": ENV('SYNC_API')};" >/dev/null
curl -s -X POST -d '' "$TEST_SERVER_URL/requests/reset" >/dev/null
out=$(run "SYNC CONNECTOR fm FULL;")
expect_eq "parent and child sync" 0 $?
expect_eq "the parent was asked once" 1 "$(curl -s "$TEST_SERVER_URL/requests" | grep -o '"path":"/items"' | wc -l)"
expect_eq "every child, with its parent's row" "5|10|item 1" \
  "$(q "SELECT (SELECT count(*) FROM fm_parents), count(*), (SELECT of FROM fm_kids WHERE id = '1.1') FROM fm_kids")"
expect_eq "both runs recorded" "parents:5 kids:10" \
  "$(q "SELECT group_concat(entity || ':' || rows_written, ' ') FROM (SELECT entity, rows_written FROM _sluice_sync_runs WHERE connector = 'fm' ORDER BY id)")"

# --- Defect 19: on a terminal, rows read show as they arrive — long before
# a batch commits — on a line per entity.
run "CREATE CONNECTOR TYPE 'drip' CONFIG_SCHEMA {\"url\": {\"type\": \"string\"}};
  CREATE CONNECTOR ENTITY 'drip.a' FIELDS {\"n\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''async function* query(config) {
      for (let n = 0; n < 4; n++) { await fetch(config.url + '/slow?ms=300'); yield [{n}]; }
    }''';
  CREATE CONNECTOR ENTITY 'drip.b' FIELDS {\"n\": {\"type\": \"integer\", \"primary_key\": true}}
    QUERY_HANDLER '''async function* query(config) {
      for (let n = 0; n < 4; n++) { await fetch(config.url + '/slow?ms=300'); yield [{n}]; }
    }''';
  CREATE CONNECTOR dr TYPE 'drip' CONFIG {\"url\": ENV('SYNC_API')} OPTIONS {\"batch_size\": 1000};" >/dev/null
script -qefc "'$sluice' '$ws' -c 'SYNC CONNECTOR dr FULL;'" "$dir/typescript" >/dev/null 2>&1
shown=$(tr '\r' '\n' <"$dir/typescript")
for entity in a b; do
  if ! grep -qE "sync dr\.$entity: 0 rows written, 0 batches, [1-4] rows read" <<<"$shown"; then
    fail "rows read before any commit ($entity): no such line in:"
    printf '%s\n' "$shown" >&2
  fi
done
expect_contains "a line per entity: the block is redrawn from its first line" $'\033[1A\r\033[J' "$(cat "$dir/typescript")"
expect_contains "and the summary follows" "| ok" "$shown"

# A parent synced incrementally sees only what changed: its child, synced in
# full, still gets every parent (it was left with none and deleted them all).
run "CREATE CONNECTOR TYPE 'fc' CONFIG_SCHEMA {};
  CREATE CONNECTOR ENTITY 'fc.parents' FIELDS {\"id\": {\"type\": \"integer\", \"primary_key\": true}, \"v\": {\"type\": \"integer\"}}
    CURSOR 'v'
    QUERY_HANDLER '''async function query(config, filters, options) {
      const all = [{id: 1, v: 1}, {id: 2, v: 2}, {id: 3, v: 3}];
      return options.cursor ? all.filter(r => r.v > options.cursor.value) : all;
    }''';
  CREATE CONNECTOR ENTITY 'fc.kids' FIELDS {\"id\": {\"type\": \"string\", \"primary_key\": true}} PARENT 'fc.parents'
    QUERY_HANDLER '''async function query(config, filters, options, parent) {
      return [{id: parent.id + 'a'}, {id: parent.id + 'b'}];
    }''';
  CREATE CONNECTOR fc TYPE 'fc' CONFIG {};" >/dev/null
run "SYNC CONNECTOR fc;" >/dev/null
out=$(run "SYNC CONNECTOR fc;")
expect_contains "the parent is incremental" "parents | fc_parents | incremental | overwrite              |         0 |" "$out"
expect_eq "the full child run keeps every child" "6|0" \
  "$(q "SELECT count(*) FROM fc_kids")|$(last_run rows_deleted)"

finish
