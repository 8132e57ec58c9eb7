# Issue 13, the front end and the binary: nesting limits (2), Ctrl-C in the
# REPL and in scripts (17), secrets in JUnit files (27), encoded forms of
# secrets (28), mistyped CREATE SECRET in the REPL (29), core dumps (31) and
# refused literal credentials (32).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
server_bin="$(dirname "$sluice")/test_api_server"
export SLUICE_SECRET_KEY=trust-frontend-key

# --- 2: nesting is bounded, with an error naming file:line:col and the limit.
too_deep="too deeply nested: more than 256 levels of parentheses, brackets, braces, operators or blocks"
nest() { python3 -c "import sys; n=int(sys.argv[4]); print(sys.argv[1] + sys.argv[2]*n + sys.argv[3] + sys.argv[5]*n + ';')" "$@"; }
for form in "(|1|)" "[|1|]" '{"a": |1|}' "NOT |TRUE|" "- |1|" "abs(|1|)"; do
  IFS='|' read -r open middle close <<<"$form"
  out=$("$sluice" :memory: -c "$(nest 'PRINT ' "$open" "$middle" 255 "$close")" 2>&1)
  expect_eq "255 levels of '$open' run (exit status)" 0 $?
  out=$("$sluice" :memory: -c "$(nest 'PRINT ' "$open" "$middle" 5000 "$close")" 2>&1)
  expect_eq "5000 levels of '$open' are a parse error, not a crash" 1 $?
  expect_contains "5000 levels of '$open' name the limit" "$too_deep" "$out"
  expect_contains "5000 levels of '$open' name where" "<command 1>:1:" "$out"
done
python3 -c "print('PRINT 1;\nPRINT 1' + ' + 1' * 100000 + ';')" >"$dir/chain.sql"
out=$("$sluice" :memory: "$dir/chain.sql" 2>&1)
expect_eq "a chain of 100000 operators is a parse error, not a crash" 1 $?
expect_contains "at the 256th operator" "$dir/chain.sql:2:1029: $too_deep" "$out"
# The same parser serves `sluice test`: a deep file is a setup failure there.
mkdir -p "$dir/deep"
nest 'PRINT ' '(' 1 5000 ')' >"$dir/deep/deep.sql"
out=$("$sluice" test "$dir/deep" 2>&1)
expect_eq "sluice test reports a deep file as a failure" 1 $?
expect_contains "sluice test names the file and the limit" "$dir/deep/deep.sql:1:263: $too_deep" "$out"

# --- 32: a refused literal credential is located but never quoted.
out=$("$sluice" "$dir/ws32.db" -c 'CREATE DESTINATION d TYPE '"'postgresql'"' CONFIG {"url": "postgresql://bob:Lit3ral-Passw0rd@db/x", "password": "Other-Passw0rd"};' 2>&1)
expect_eq "a literal destination password is refused" 1 $?
expect_contains "refused with file:line:col" "<command 1>:1:" "$out"
expect_contains "and the reason" "holds a credential" "$out"
expect_not_contains "without the literal in the url" "Lit3ral-Passw0rd" "$out"
expect_not_contains "nor the other literal" "Other-Passw0rd" "$out"
cat >"$dir/literal.sql" <<'SQL'
CREATE CONNECTOR TYPE 'lit' CONFIG_SCHEMA {"url": {"type": "string"}, "token": {"type": "string", "secret": true}};
CREATE CONNECTOR c TYPE 'lit' CONFIG {"url": "http://x", "token": "Conn3ctor-Literal-Token"};
SQL
out=$("$sluice" "$dir/ws32.db" "$dir/literal.sql" 2>&1)
expect_eq "a literal secret config key is refused" 1 $?
expect_contains "refused at its file:line:col" "$dir/literal.sql:2:38: connector 'c': config key 'token' is secret" "$out"
expect_contains "the line is quoted with the value hidden" "\"token\": '***'}" "$out"
expect_not_contains "without the literal" "Conn3ctor-Literal-Token" "$out"

# --- 27 and 28: encoded forms of a secret are masked, and the JUnit file is
# masked before it is escaped.
secret='pa"ss\wo rd&<k>/+%7'
cat >"$dir/leaky.sql" <<'SQL'
CREATE SECRET s VALUE 'pa"ss\wo rd&<k>/+%7';
CREATE CONNECTOR TYPE 'leaky' CONFIG_SCHEMA {"url": {"type": "string", "required": true},
                                             "token": {"type": "string", "secret": true}};
CREATE CONNECTOR ACTION 'leaky.show' PARAMETERS {} HANDLER '''
async function execute(config) {
  const t = config.token;
  console.log('url', encodeURIComponent(t));
  console.log('form', new URLSearchParams({k: t}).toString());
  console.log('json', JSON.stringify({t}));
  console.log('basic', btoa('alice:' + t), btoa('bob:' + t), btoa('carol:' + t), btoa(t));
  console.log('html', t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  return {url: encodeURIComponent(t), json: JSON.stringify(t), basic: btoa('user:' + t)};
}''';
CREATE CONNECTOR ENTITY 'leaky.fetched' FIELDS {"id": {"type": "integer", "primary_key": true}} QUERY_HANDLER '''
async function query(config) {
  await fetch(config.url + '/nothing?key=' + encodeURIComponent(config.token));
  return [];
}''';
CREATE CONNECTOR ENTITY 'leaky.thrown' FIELDS {"id": {"type": "integer", "primary_key": true}} QUERY_HANDLER '''
async function query(config) {
  throw new Error('json ' + JSON.stringify(config.token) + ' basic ' + btoa('u:' + config.token) +
                  ' url ' + encodeURIComponent(config.token));
}''';
CREATE CONNECTOR c TYPE 'leaky' CONFIG {"url": "http://127.0.0.1:9", "token": "{{secrets.s}}"};
SQL
"$sluice" "$dir/ws28.db" "$dir/leaky.sql" >/dev/null 2>&1 || fail "defining the leaky connector"
out=$("$sluice" "$dir/ws28.db" -k -c "CONNECTOR_EXEC c.show();" -c "SYNC CONNECTOR c;" 2>&1)
runs=$(sqlite3 "$dir/ws28.db" "SELECT entity || ': ' || error FROM _sluice_sync_runs ORDER BY entity")
expect_contains "the fetch error is reported" "FetchError: GET http://127.0.0.1:9/nothing?key=***" "$out"
expect_contains "the run records it, masked" "fetched: connector 'c', entity 'fetched': FetchError: GET http://127.0.0.1:9/nothing?key=***:" "$runs"
# Base64 after a prefix keeps the prefix's characters (dTp is "u:").
expect_contains "the thrown error is recorded, masked" "thrown: connector 'c', entity 'thrown': Error: json \"***\" basic dTp*** url ***" "$runs"
forms=$(python3 - "$secret" <<'PY'
import base64, json, sys, urllib.parse
s = sys.argv[1]
forms = [s, urllib.parse.quote(s, safe=''), urllib.parse.quote_plus(s), json.dumps(s)[1:-1],
         s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;'),
         base64.b64encode(s.encode()).decode().rstrip('=')]
# Basic auth: whatever the prefix, the part of the base64 that only the
# secret's bytes decide.
for user in ['alice:', 'bob:', 'carol:', 'u:', 'user:']:
    full = base64.b64encode((user + s).encode()).decode()
    forms.append(full[(len(user) * 8 + 5) // 6 + 1:(len(user) + len(s)) * 8 // 6 - 1])
print('\n'.join(forms))
PY
)
while IFS= read -r form; do
  expect_not_contains "output hides [$form]" "$form" "$out"
  expect_not_contains "run records hide [$form]" "$form" "$runs"
done <<<"$forms"
expect_contains "each console line is still there" "[c] console.log: basic YWxpY2U6*** Ym9iOn***c= Y2Fyb2w6*** ***" "$out"
expect_contains "a result's fields are masked one by one" '{"url":"***","json":"\"***\"","basic":"dXNlcjp***"}' "$out"

mkdir -p "$dir/junit"
cp "$root/tests/connector_tests/framework/probe.sql" "$dir/junit/"
cat >"$dir/junit/tests.sql" <<'SQL'
TEST CONNECTOR TYPE 'probe' NAME 'leaks nothing, even escaped'
BEGIN
  CREATE SECRET s VALUE 'A&B<C>D"E-secret';
  PRINT 'printed: A&B<C>D"E-secret';
  ASSERT 'A&B<C>D"E-secret' = 'something else';
END TEST;
SQL
"$sluice" test --junit "$dir/junit.xml" "$dir/junit" >/dev/null 2>&1
junit=$(cat "$dir/junit.xml")
expect_contains "the JUnit file has the failure" 'name="leaks nothing, even escaped"' "$junit"
expect_contains "with the secret masked" "printed: ***" "$junit"
expect_not_contains "no XML-escaped secret in the JUnit file" "A&amp;B&lt;C&gt;D&quot;E-secret" "$junit"
expect_not_contains "no part of it either" "B&lt;C&gt;D" "$junit"

# --- 31: no core dumps; checked on a running sluice.
ulimit -c unlimited 2>/dev/null
mkfifo "$dir/hold"
"$sluice" :memory: <"$dir/hold" >/dev/null 2>&1 &
pid=$!
exec 9>"$dir/hold"
limit=""
for _ in $(seq 1 100); do
  limit=$(awk '/^Max core file size/ {print $5, $6}' "/proc/$pid/limits" 2>/dev/null)
  [ "$limit" = "0 0" ] && break
  sleep 0.1
done
expect_eq "a running sluice may write no core file" "0 0" "$limit"
exec 9>&-
wait "$pid"
expect_eq "and it ends normally at end of input" 0 $?

# --- 29: a mistyped CREATE SECRET is never echoed (nor, in the REPL, kept in
# the history; see below).
out=$("$sluice" :memory: -c "CREATE SECRETT s VALUE 'it''s-a-typo-secret';" 2>&1)
expect_contains "the typo is reported" "<command 1>:1:8: expected CONNECTOR, SECRET, DESTINATION or REGISTRY" "$out"
expect_not_contains "without the value, even with '' escapes" "typo-secret" "$out"
out=$("$sluice" :memory: -c 'CREATE SECRET s2 VALUE "caf\u00e9-escaped-secret" garbage;' 2>&1)
expect_contains "the syntax error is reported" "<command 1>:1:51: expected ';' at the end of the statement, found 'garbage'" "$out"
expect_not_contains "without the value, even with \\u escapes" "escaped-secret" "$out"
out=$("$sluice" :memory: -c "CREATE SECRET s3 VALUE 'quoted-abc' 'quoted-def';" 2>&1)
expect_contains "a stray literal is named, not quoted" "found a string" "$out"
expect_not_contains "neither literal shows" "quoted-" "$out"

# The REPL's history never gets a mistyped CREATE SECRET, whatever happens
# to the rest of the session.
input=$(printf '%s\n' "SELECT 'kept' AS k;" "CREATE SECRETT s VALUE 'it''s-a-history-typo';" \
  "CREATE SECRET s VALUE \"caf\\u00e9-history-typo\" garbage;" ".quit")
mkdir -p "$dir/home29"
out=$(printf '%s\n' "$input" | HOME="$dir/home29" TERM=dumb timeout 60 script -qec "$sluice $dir/ws29.db" /dev/null 2>&1 | tr -d '\r')
history29=$(cat "$dir/home29/.sluice_history" 2>/dev/null)
expect_contains "history has the other statements" "SELECT 'kept' AS k;" "$history29"
expect_not_contains "history has no mistyped secret statement" "history-typo" "$history29"
expect_contains "the REPL reported the typo" "found 'SECRETT'" "$out"

# --- 17: Ctrl-C cancels, in the REPL and in scripts.
source "$root/tests/servers/start_test_server.bash"
tmux_socket="sluice-trust-frontend-$$"
tm() { tmux -L "$tmux_socket" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$dir"' EXIT
start_test_server "$server_bin" >/dev/null || exit 1
cat >"$dir/slow.sql" <<SQL
CREATE CONNECTOR TYPE 'slow' CONFIG_SCHEMA {"url": {"type": "string", "required": true}};
CREATE CONNECTOR ENTITY 'slow.waiting' FIELDS {"id": {"type": "integer", "primary_key": true}} QUERY_HANDLER '''
let calls = 0;
async function query(config) {
  calls += 1;
  console.log('waiting #' + calls);
  await fetch(config.url + '/slow?ms=120000');
  return [{id: 1}];
}''';
CREATE CONNECTOR ENTITY 'slow.pages' FIELDS {"id": {"type": "integer", "primary_key": true}} QUERY_HANDLER '''
async function* query(config) {
  yield [{id: 1}, {id: 2}, {id: 3}];
  await fetch(config.url + '/slow?ms=120000');
  yield [{id: 4}];
}''';
CREATE CONNECTOR ACTION 'slow.spin' PARAMETERS {} HANDLER '''
async function execute() { console.log('spinning'); while (true) {} }''';
CREATE CONNECTOR c TYPE 'slow' CONFIG {"url": "$TEST_SERVER_URL"} OPTIONS {"timeout_seconds": 300, "batch_size": 3};
SQL
"$sluice" "$dir/ws17.db" "$dir/slow.sql" >/dev/null 2>&1 || fail "defining the slow connector"

screen() { tm capture-pane -p -J -S -5000 -t repl 2>/dev/null; }
wait_for() {  # wait_for WHAT TEXT: until TEXT is on the REPL's screen
  local shown
  for _ in $(seq 1 600); do
    shown=$(screen)
    case "$shown" in *"$2"*) return 0 ;; esac
    case "$shown" in *"REPL-EXITED"*) break ;; esac
    sleep 0.1
  done
  fail "$1: [$2] never appeared on the REPL's screen:"
  printf '%s\n' "$shown" >&2
  return 1
}
# tmux takes a trailing ';' for its own command separator unless escaped.
type_line() {
  local line=$1
  if [[ $line == *";" ]]; then
    tm send-keys -t repl -l "${line%;}" && tm send-keys -t repl -l '\;'
  else
    tm send-keys -t repl -l "$line"
  fi
  tm send-keys -t repl Enter
}
tm new-session -d -s repl -x 200 -y 50 \
  "cd '$dir' && HOME='$HOME' TERM=xterm '$sluice' '$dir/ws17.db'; echo REPL-EXITED:\$?; sleep 600"
wait_for "the prompt" "sluice> "
# Each key is sent once the REPL has shown it is waiting for it, so the
# test does not depend on how fast the REPL reads.
wait_count() {  # wait_count WHAT TEXT N: until TEXT is on N lines of the screen
  for _ in $(seq 1 600); do
    [ "$(screen | grep -cF -- "$2")" -ge "$3" ] && return 0
    sleep 0.1
  done
  fail "$1: [$2] not shown $3 times"
  screen >&2
  return 1
}
type_line "SELECT 40 +"
wait_for "the continuation prompt" "...> "
tm send-keys -t repl C-c
wait_count "Ctrl-C in multi-line input is shown" "^C" 1
type_line "SELECT 'multi-line-' || 'discarded' AS a;"
wait_for "Ctrl-C in multi-line input discards it" "multi-line-discarded"
tm send-keys -t repl -l "PRINT 'half typed"
wait_for "the half-typed line is shown" "PRINT 'half typed"
tm send-keys -t repl C-c
wait_count "Ctrl-C at the prompt is shown" "^C" 2
type_line "SELECT 'prompt-' || 'discarded' AS b;"
wait_for "Ctrl-C at the prompt discards the line" "prompt-discarded"
type_line "SELECT * FROM c.waiting;"
wait_for "the query runs" "waiting #1"
tm send-keys -t repl C-c
wait_for "Ctrl-C stops the query" "cancelled (Ctrl-C)"
type_line "SELECT 'alive-after-' || 'query' AS c;"
wait_for "the REPL lives on after a cancelled query" "alive-after-query"
type_line "CONNECTOR_EXEC c.spin();"
wait_for "the busy handler runs" "spinning"
tm send-keys -t repl C-c
type_line "SELECT 'alive-after-' || 'spin' AS d;"
wait_for "Ctrl-C stops running JavaScript" "alive-after-spin"
type_line "SYNC CONNECTOR c.waiting FULL;"
wait_for "the sync runs" "waiting #2"
tm send-keys -t repl C-c
type_line "SELECT 'alive-after-' || 'sync' AS e;"
wait_for "Ctrl-C stops a sync" "alive-after-sync"
type_line "CREATE SECRETT s VALUE 'it''s-a-repl-typo';"
wait_for "the typo is reported" "found 'SECRETT'"
tm send-keys -t repl C-d
wait_for "Ctrl-D leaves" "REPL-EXITED:0"
shown=$(screen)
expect_eq "every cancelled statement said so" 3 "$(printf '%s\n' "$shown" | grep -c 'cancelled (Ctrl-C)')"
expect_eq "the typo's value shows only where it was typed" 1 "$(printf '%s\n' "$shown" | grep -c 'repl-typo')"
runs=$(sqlite3 "$dir/ws17.db" "SELECT status || ' | ' || error FROM _sluice_sync_runs")
expect_contains "the cancelled sync is recorded as failed" "failed | connector 'c', entity 'waiting': cancelled (Ctrl-C)" "$runs"
history=$(cat "$HOME/.sluice_history" 2>/dev/null)
expect_contains "history kept the session" "SELECT 'alive-after-' || 'sync' AS e;" "$history"
expect_contains "history kept the cancelled query" "SELECT * FROM c.waiting;" "$history"
expect_not_contains "history has no discarded line" "PRINT 'half typed" "$history"
expect_not_contains "history has no mistyped secret" "repl-typo" "$history"

# A script: SIGINT stops it with status 130 once the running sync is safe.
printf "SYNC CONNECTOR c.waiting FULL;\nPRINT 'not reached';\n" >"$dir/interrupted.sql"
env --default-signal=INT "$sluice" "$dir/ws17.db" "$dir/interrupted.sql" >"$dir/script.out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q "waiting #1" "$dir/script.out" && break
  sleep 0.1
done
kill -INT "$pid"
for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  fail "SIGINT did not stop the script"
  kill -KILL "$pid"
fi
wait "$pid"
expect_eq "an interrupted script exits with 130" 130 $?
out=$(cat "$dir/script.out")
expect_contains "it says so" "interrupted (Ctrl-C)" "$out"
expect_not_contains "and runs nothing after" "not reached" "$out"
runs=$(sqlite3 "$dir/ws17.db" "SELECT count(*) FROM _sluice_sync_runs WHERE status = 'failed' AND error LIKE '%cancelled (Ctrl-C)%'")
expect_eq "its run is recorded as failed, not left running" 2 "$runs"

# A batch committed before the Ctrl-C stays; the run says what it wrote.
printf "SYNC CONNECTOR c.pages FULL;\n" >"$dir/pages.sql"
env --default-signal=INT "$sluice" "$dir/ws17.db" "$dir/pages.sql" >"$dir/pages.out" 2>&1 &
pid=$!
rows=""
for _ in $(seq 1 600); do
  rows=$(sqlite3 "$dir/ws17.db" "SELECT count(*) FROM c_pages" 2>/dev/null)
  [ "$rows" = 3 ] && break
  sleep 0.1
done
kill -INT "$pid"
wait "$pid"
expect_eq "an interrupted sync exits with 130" 130 $?
expect_eq "its committed batch is kept" 3 "$(sqlite3 "$dir/ws17.db" "SELECT count(*) FROM c_pages")"
expect_eq "its run is failed, with the rows it wrote" "failed|3|connector 'c', entity 'pages': cancelled (Ctrl-C) while waiting for it" \
  "$(sqlite3 "$dir/ws17.db" "SELECT status, rows_written, error FROM _sluice_sync_runs WHERE entity = 'pages'")"

finish
