# A hosted source plugin that misbehaves (tests/compat/hostile_plugin.mjs,
# a real grpc-js + plugin-pb + Arrow JS peer) never loses data silently,
# never hangs, and never gets a secret or terminal escape printed: what a
# LOCAL plugin writes to stdout and stderr is relayed masked and escaped;
# an insert whose record does not match its migrated table, holds two
# batches or names a table never migrated fails naming plugin and table; a
# delete_record is a warning; a stream that stalls ends after the
# connector's timeout.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -d tests/compat/node_modules/@cloudquery/plugin-pb-javascript ]; then
  echo "tests/compat/node_modules is missing: run scripts/setup (npm ci --prefix tests/compat)" >&2
  exit 1
fi
export SLUICE_SECRET_KEY=hostile-tests-key
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT

serve() {
  local name=$1
  shift
  "$@" > "$dir/$name.out" 2> "$dir/$name.err" &
  pids+=($!)
  for _ in $(seq $((300 * slow))); do [ -S "$dir/$name.sock" ] && return 0; sleep 0.1; done
  cat "$dir/$name.err" >&2
  fail "$name serves on $dir/$name.sock"
  return 1
}

# --- a LOCAL plugin's stdout and stderr ----------------------------------
cat > "$dir/secret-plugin" <<EOT
#!/bin/bash
HOSTILE_MODE=secret exec node "$root/tests/compat/hostile_plugin.mjs" "\$@"
EOT
chmod +x "$dir/secret-plugin"
out=$("$sluice" -w "$dir/ws-secret.db" -f csv -c "CREATE SECRET tk VALUE 'Zq9sEcReT-vAl_77';
  CREATE CONNECTOR TYPE 'h' FROM PLUGIN LOCAL '$dir/secret-plugin';
  CREATE CONNECTOR c TYPE 'h' CONFIG {\"token\": \"{{secrets.tk}}\"};
  SELECT * FROM c.t" 2>&1)
expect_eq "the local plugin answers" 0 $?
expect_contains "its rows" "2,b" "$out"
expect_contains "its stderr is relayed" "stderr token=***" "$out"
expect_contains "its stdout is relayed" "token=***" "$out"
expect_not_contains "the secret never shows" "Zq9sEcReT" "$out"
expect_not_contains "no ESC reaches the terminal" $'\x1b' "$out"
expect_contains "ESC is shown escaped" '\x1b[31mred' "$out"
if ! printf '%s' "$out" | iconv -f UTF-8 -t UTF-8 > /dev/null 2>&1; then
  fail "the relayed output is valid UTF-8"
fi

# A plugin that never starts: each attempt's failure quotes its own log
# lines, not those of the attempts before.
printf '#!/bin/bash\necho "boom on start"\nexit 1\n' > "$dir/dud-plugin"
chmod +x "$dir/dud-plugin"
out=$("$sluice" -w "$dir/ws-dud.db" -c "CREATE CONNECTOR TYPE 'd' FROM PLUGIN LOCAL '$dir/dud-plugin';
  CREATE CONNECTOR d TYPE 'd' CONFIG {}" 2>&1)
expect_eq "a plugin that never starts: refused" 1 $?
expect_contains "after 3 attempts" "did not start after 3 attempts" "$out"
expect_eq "each attempt quotes its own log line once" 3 "$(grep -o 'unknown: boom on start' <<< "$out" | wc -l)"

# --- records that do not fit the table they name ---------------------------
check() {  # check MODE EXPECTED-EXIT NEEDLE…
  local mode=$1 code=$2
  shift 2
  serve "$mode" node tests/compat/hostile_plugin.mjs "$mode" "unix:$dir/$mode.sock"
  out=$("$sluice" -w "$dir/ws-$mode.db" -f csv -c "CREATE CONNECTOR TYPE 'h' FROM PLUGIN 'unix:$dir/$mode.sock';
    CREATE CONNECTOR c TYPE 'h' CONFIG {} OPTIONS {\"timeout_seconds\": ${timeout:-60}};
    SELECT * FROM c.t" 2>&1)
  expect_eq "$mode: exit code" "$code" $?
  for needle in "$@"; do expect_contains "$mode: $needle" "$needle" "$out"; done
}
plugin="plugin at unix:$dir"
check twobatch 1 "connector 'c', table 't': $plugin/twobatch.sock: an insert for table 't' holds 2 record batches"
check renamedcol 1 "$plugin/renamedcol.sock: an insert for table 't' does not match the table its migrate_table message announced; column 'nom' (utf8) is not in the table; column 'name' (utf8) is missing"
check missingcol 1 "an insert for table 't' does not match" "column 'name' (utf8) is missing"
check extracol 1 "column 'extra' (utf8) is not in the table"
check wrongtype 1 "column 'name' is float64, the table says utf8"
check unmigrated 1 "$plugin/unmigrated.sock: an insert for table 'zzz', which no migrate_table message announced"
check delete 0 "table 't': the plugin asked to delete rows (delete_record); Sluice cannot apply that" "2,b"
# A plugin that stalls: the query ends after the connector's timeout (3 s).
timeout=3 check stall 1 "$plugin/stall.sock sent nothing for 3 s (while reading table 't')"

# The same for SYNC: it fails, naming connector and table.
serve sync-renamed node tests/compat/hostile_plugin.mjs renamedcol "unix:$dir/sync-renamed.sock"
out=$("$sluice" -w "$dir/ws-sync.db" -c "CREATE CONNECTOR TYPE 'h' FROM PLUGIN 'unix:$dir/sync-renamed.sock';
  CREATE CONNECTOR c TYPE 'h' CONFIG {};
  SYNC CONNECTOR c TO '$dir/out.db'" 2>&1)
expect_eq "a SYNC of a mismatched record fails" 1 $?
expect_contains "naming the table" "an insert for table 't' does not match" "$out"
finish
