# `sluice serve`'s HTTP JSON API with curl, over a workspace seeded with the
# myservice example against the test API server (syncs done, a run failed
# with a 401, a schedule): every endpoint's shape, the write rules (token,
# --allow-writes, Host, Origin, CORS), syncs as jobs with figures, an
# action, a mark reset that makes the next sync full, hostile names, and no
# secret in any response in any encoding.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/servers/start_test_server.bash"
api_key=serve-api-key-$RANDOM$RANDOM$RANDOM
start_test_server "$(dirname "$sluice")/test_api_server" --token "$api_key" >/dev/null || exit 1
export SLUICE_SECRET_KEY=serve-api-tests-key SERVE_API=$TEST_SERVER_URL
export SLUICE_SERVE_TOKEN=serve-token-$RANDOM$RANDOM$RANDOM$RANDOM
ws=$dir/ws.db
run() { "$sluice" "$ws" -c "$1" 2>&1; }

"$sluice" "$ws" "$root/examples/myservice/connector.sql" >/dev/null 2>&1 || fail "defining myservice"
run "CREATE SECRET key VALUE '$api_key';
     CREATE SECRET wrong VALUE 'not-the-key';
     CREATE CONNECTOR prod TYPE 'myservice' CONFIG {\"api_url\": ENV('SERVE_API'), \"api_key\": \"{{secrets.key}}\"};
     CREATE CONNECTOR broken TYPE 'myservice' CONFIG {\"api_url\": ENV('SERVE_API'), \"api_key\": \"{{secrets.wrong}}\"};
     CREATE CONNECTOR café TYPE 'myservice' CONFIG {\"api_url\": ENV('SERVE_API'), \"api_key\": \"{{secrets.key}}\"};" >/dev/null
out=$(run "SYNC CONNECTOR prod;")
expect_eq "seed sync" 0 $?
run "SYNC CONNECTOR broken;" >/dev/null && fail "the broken connector's sync should fail"
run "SYNC CONNECTOR prod SCHEDULE '*/15 * * * *';" >/dev/null || fail "scheduling"

source "$(dirname "$0")/serve_lib.bash"
cleanup_servers() {
  stop_serves
  stop_test_server
  rm -rf "$dir"
}
trap cleanup_servers EXIT

responses=$dir/responses
mkdir -p "$responses"
n=0
# call METHOD PATH [BODY [curl args…]]: sets $st (HTTP status) and $bd
# (body); every response's headers and body are kept for the secret scan.
call() {
  local method=$1 path=$2 body=${3-}
  shift 2
  [ $# -gt 0 ] && shift
  n=$((n + 1))
  local args=(-s -o "$responses/$n.body" -D "$responses/$n.headers" -w '%{http_code}' -X "$method")
  if [ "$method" != GET ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
  st=$(curl "${args[@]}" "$@" "$base$path")
  bd=$(cat "$responses/$n.body")
}
auth=(-H "Authorization: Bearer $SLUICE_SERVE_TOKEN")
field() { node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>{const v=eval("JSON.parse(d)"+process.argv[1]);console.log(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }

start_serve base "$ws" || { fail "sluice serve did not start"; finish; exit 1; }
read_base=$base

# --- reads ---------------------------------------------------------------
call GET /api/status
expect_eq "status 200" 200 "$st"
expect_eq "status shape" '["version","workspace","writes_allowed","token_required_for_reads"]' \
  "$(printf '%s' "$bd" | field '.constructor===Object?Object.keys(JSON.parse(d)):0')"
expect_eq "writes off" false "$(printf '%s' "$bd" | field .writes_allowed)"
expect_eq "no token for loopback reads" false "$(printf '%s' "$bd" | field .token_required_for_reads)"

call GET /api/connectors
expect_eq "connectors 200" 200 "$st"
expect_eq "connector names" '["broken","café","prod"]' "$(printf '%s' "$bd" | field '.connectors.map(c=>c.name)')"
expect_eq "entities and actions" '{"name":"prod","type":"myservice","type_version":"1.0.0","entities":["items"],"actions":["items.create","items.delete"]}' \
  "$(printf '%s' "$bd" | field '.connectors.filter(c=>c.name==="prod").map(c=>({name:c.name,type:c.type,type_version:c.type_version,entities:c.entities,actions:c.actions}))[0]')"

call GET /api/types
expect_eq "types" '[["myservice","declared","1.0.0"]]' "$(printf '%s' "$bd" | field '.types.map(t=>[t.name,t.kind,t.version])')"

call GET /api/connectors/prod/entities/items
expect_eq "entity 200" 200 "$st"
expect_eq "entity pushdown" '{"filters":["id","status"],"operators":{"id":["=","IN"],"status":["=","IN"]},"conditions":true,"limit":true,"offset":"engine","order_by":[]}' \
  "$(printf '%s' "$bd" | field .pushdown)"
expect_eq "entity cursor and table" 'updated_at prod_items' "$(printf '%s' "$bd" | field '.cursor+" "+JSON.parse(d).table')"
expect_eq "entity fields" '["id","name","status","created_at","updated_at","metadata"]' "$(printf '%s' "$bd" | field '.fields.map(f=>f.name)')"
call GET /api/connectors/caf%C3%A9/entities/items
expect_eq "a percent-encoded non-ASCII connector name" "200 café" "$st $(printf '%s' "$bd" | field .connector)"
call GET /api/connectors/prod/entities/nope
expect_eq "unknown entity 404" 404 "$st"
expect_eq "unknown entity kind" not_found "$(printf '%s' "$bd" | field .error.kind)"

call GET /api/destinations
expect_eq "destinations" '[{"name":"workspace","type":"sqlite","config":{},"builtin":true}]' "$(printf '%s' "$bd" | field .destinations)"

call GET /api/runs
expect_eq "runs 200" 200 "$st"
expect_eq "two runs, newest first" '[["broken","failed"],["prod","done"]]' "$(printf '%s' "$bd" | field '.runs.map(r=>[r.connector,r.status])')"
expect_eq "the failure came from the API" '{"kind":"auth_error","origin":"api"}' \
  "$(printf '%s' "$bd" | field '.runs[0].error&&{kind:JSON.parse(d).runs[0].error.kind,origin:JSON.parse(d).runs[0].error.origin}')"
expect_eq "run figures" '{"table":"prod_items","rows_read":25,"rows_written":25,"mode":"incremental"}' \
  "$(printf '%s' "$bd" | field '.runs.filter(r=>r.connector==="prod").map(r=>({table:r.table,rows_read:r.rows_read,rows_written:r.rows_written,mode:r.mode}))[0]')"
first_id=$(printf '%s' "$bd" | field '.runs[1].id')
call GET "/api/runs?connector=prod&status=done&limit=1"
expect_eq "runs filtered" '[["prod","done"]]' "$(printf '%s' "$bd" | field '.runs.map(r=>[r.connector,r.status])')"
call GET "/api/runs?limit=1"
expect_eq "paging: next_before_id" "$(($first_id + 1))" "$(printf '%s' "$bd" | field .next_before_id)"
call GET "/api/runs?limit=1&before_id=$(($first_id + 1))"
expect_eq "paging: the older run" "$first_id" "$(printf '%s' "$bd" | field '.runs[0].id')"
for bad in "limit=0" "limit=abc" "limit=99999" "before_id=1x" "status=weird" "before_id=%27%3B"; do
  call GET "/api/runs?$bad"
  expect_eq "bad runs param $bad → 400" 400 "$st"
  expect_eq "bad runs param $bad is JSON" invalid_argument "$(printf '%s' "$bd" | field .error.kind)"
done
call GET "/api/runs/$first_id"
expect_eq "one run" "prod done" "$(printf '%s' "$bd" | field '.connector+" "+JSON.parse(d).status')"
call GET /api/runs/999999
expect_eq "unknown run 404" 404 "$st"
call GET /api/runs/abc
expect_eq "bad run id 400" 400 "$st"

call GET /api/schedules
# Never run by the scheduler: the seed's manual sync is not the schedule's.
expect_eq "schedule" '{"connector":"prod","cron":"*/15 * * * *","last_status":null}' \
  "$(printf '%s' "$bd" | field '.schedules.map(s=>({connector:s.connector,cron:s.cron,last_status:s.last_status}))[0]')"
next_run=$(printf '%s' "$bd" | field '.schedules[0].next_run')
case "$next_run" in *:[0-5][05]:00Z) ;; *) fail "next_run on a quarter hour: $next_run" ;; esac
expect_eq "no last success before it ran" null "$(printf '%s' "$bd" | field '.schedules[0].last_success')"

call GET /api/marks
expect_eq "marks" '[{"connector":"prod","entity":"items","destination":"workspace","cursor_field":"updated_at","cursor_value":"2026-01-02T00:00:00Z"}]' \
  "$(printf '%s' "$bd" | field '.marks.map(m=>({connector:m.connector,entity:m.entity,destination:m.destination,cursor_field:m.cursor_field,cursor_value:m.cursor_value}))')"

call GET /api/tables
expect_eq "tables" '{"table":"prod_items","destination":"workspace","connector":"prod","entity":"items","rows":25,"type_version":"1.0.0"}' \
  "$(printf '%s' "$bd" | field '.tables.filter(t=>t.table==="prod_items").map(t=>({table:t.table,destination:t.destination,connector:t.connector,entity:t.entity,rows:t.rows,type_version:t.type_version}))[0]')"
expect_contains "table columns" '"name":"updated_at"' "$(printf '%s' "$bd" | field '.tables.filter(t=>t.table==="prod_items")[0].columns')"

call GET /api/jobs
expect_eq "no jobs yet" '{"jobs":[]}' "$bd"
call GET /api/jobs/1
expect_eq "unknown job 404" 404 "$st"

# --- write rules without --allow-writes ---------------------------------
sync_body='{"connector": "prod", "wait": true}'
# Writes are off: that is the reason given, whatever token comes or not.
call POST /api/sync "$sync_body"
expect_eq "write without token, writes off: 403" 403 "$st"
expect_contains "saying writes are off" "--allow-writes" "$bd"
call POST /api/sync "$sync_body" -H "Authorization: Bearer wrong-token-wrong-token"
expect_eq "write with a wrong token, writes off: 403" 403 "$st"
call POST /api/sync "$sync_body" "${auth[@]}"
expect_eq "right token without --allow-writes: 403" 403 "$st"
call GET /api/status "" -H "Host: evil.example"
expect_eq "Host evil.example: 403" 403 "$st"
call GET /api/connectors
expect_eq "no CORS header by default" "" "$(grep -i '^access-control' "$responses/$n.headers")"

# --- writes ---------------------------------------------------------------
start_serve base "$ws" --allow-writes || { fail "sluice serve did not start"; finish; exit 1; }
call POST /api/sync "$sync_body"
expect_eq "writes still need the token" 401 "$st"
call POST /api/sync "$sync_body" -H "Authorization: Bearer wrong-token-wrong-token"
expect_eq "a wrong token: 401" 401 "$st"
call POST /api/sync "$sync_body" "${auth[@]}" -H "Origin: https://evil.example"
expect_eq "cross-origin write: 403" 403 "$st"
call POST /api/sync "$sync_body" "${auth[@]}"
expect_eq "sync waited: 200" 200 "$st"
expect_eq "sync job done" "done SYNC CONNECTOR prod;" "$(printf '%s' "$bd" | field '.status+" "+JSON.parse(d).statement')"
expect_eq "job figures: the row at the mark is read again, nothing new written" '[{"label":"prod.items","rows_read":1,"rows_written":0}]' \
  "$(printf '%s' "$bd" | field '.entities.map(e=>({label:e.label,rows_read:e.rows_read,rows_written:e.rows_written}))')"
call GET /api/runs
expect_eq "the job's run is in the history" "prod done incremental" "$(printf '%s' "$bd" | field '.runs[0].connector+" "+JSON.parse(d).runs[0].status+" "+JSON.parse(d).runs[0].mode')"
call GET /api/jobs
expect_eq "the job is listed" "1 done" "$(printf '%s' "$bd" | field '.jobs.length+" "+JSON.parse(d).jobs[0].status')"

# Started without waiting: 202, then done.
call POST /api/sync '{"connector": "prod", "entities": ["items"], "full": true}' "${auth[@]}"
expect_eq "sync started: 202" 202 "$st"
job=$(printf '%s' "$bd" | field .id)
expect_eq "full statement" "SYNC CONNECTOR prod ENTITIES (items) FULL;" "$(printf '%s' "$bd" | field .statement)"
for ((i = 0; i < 300 * slow; i++)); do
  call GET "/api/jobs/$job"
  [ "$(printf '%s' "$bd" | field .status)" != running ] && break
  sleep 0.1
done
expect_eq "the full sync read every row" "done 25" "$(printf '%s' "$bd" | field '.status+" "+JSON.parse(d).entities[0].rows_read')"

# An action.
call POST /api/actions/prod/items.create '{"arguments": {"name": "made by the API"}}' "${auth[@]}"
expect_eq "action 200" 200 "$st"
expect_eq "action result" "made by the API active" "$(printf '%s' "$bd" | field '.result.name+" "+JSON.parse(d).result.status')"
call POST /api/actions/prod/items.nope '{}' "${auth[@]}"
expect_eq "unknown action 404" 404 "$st"
call POST /api/actions/prod/items.create '{"arguments": [1]}' "${auth[@]}"
expect_eq "arguments not an object 400" 400 "$st"

# A mark reset makes the next sync read everything.
call POST /api/sync "$sync_body" "${auth[@]}"
expect_eq "incremental reads only what changed: the new item and the row at the mark" 2 "$(printf '%s' "$bd" | field '.entities[0].rows_read')"
call POST /api/marks/reset '{"connector": "prod", "entity": "items"}' "${auth[@]}"
expect_eq "mark reset" '{"connector":"prod","entity":"items","destination":"workspace","reset":1}' "$bd"
call GET /api/marks
expect_eq "no mark left" '{"marks":[]}' "$bd"
call POST /api/sync "$sync_body" "${auth[@]}"
expect_eq "the next sync is full" 26 "$(printf '%s' "$bd" | field '.entities[0].rows_read')"
call POST /api/marks/reset '{"connector": "prod"}' "${auth[@]}"
expect_eq "reset without entity: 400" 400 "$st"

# Hostile names in paths and bodies: clean JSON errors, and the server serves on.
long=$(head -c 10000 /dev/zero | tr '\0' a)
for name in "x%27%3B%20DROP%20TABLE%20prod_items%3B--" "caf%C3%A8" "%E5%90%8D%E5%89%8D" "a%22b" "$long" "%FF%FE"; do
  call GET "/api/connectors/$name/entities/items"
  case "$st" in 400|404|414) ;; *) fail "hostile entity path ${name:0:40}: $st" ;; esac
  printf '%s' "$bd" | field .error.kind >/dev/null 2>&1 || fail "hostile entity path ${name:0:40}: not JSON"
  call POST "/api/actions/$name/$name" '{}' "${auth[@]}"
  case "$st" in 400|404|414) ;; *) fail "hostile action path ${name:0:40}: $st" ;; esac
done
for body in '{"connector": "prod; DROP TABLE prod_items"}' '{"connector": "prod", "entities": ["items\"); --"]}' \
  '{"connector": "cafè"}' "{\"connector\": \"$long\"}" '{"connector": 5}' '{"connector": "prod", "entities": "items"}' \
  '{"connector": "prod", "full": "yes"}' 'not json' '[1,2]' '{"connector": "prod", "destination": "x'"'"'; --"}'; do
  call POST /api/sync "$body" "${auth[@]}"
  case "$st" in 400|404) ;; *) fail "hostile sync body ${body:0:50}: $st $(printf '%s' "$bd" | head -c 200)" ;; esac
  printf '%s' "$bd" | field .error.kind >/dev/null 2>&1 || fail "hostile sync body ${body:0:40}: not JSON"
done
call POST /api/marks/reset '{"connector": "prod", "entity": "items\u0000; DROP"}' "${auth[@]}"
expect_eq "hostile mark reset 404" 404 "$st"
call GET /api/status
expect_eq "still serving" 200 "$st"
expect_eq "the table survived" 26 "$(sqlite3 "$ws" 'SELECT count(*) FROM prod_items')"

# --cors: the headers appear for that origin.
start_serve base "$ws" --cors https://app.example || { fail "sluice serve did not start"; finish; exit 1; }
call GET /api/connectors "" -H "Origin: https://app.example"
expect_contains "CORS header with --cors" "https://app.example" "$(grep -i '^access-control-allow-origin' "$responses/$n.headers")"

# A non-loopback address needs the token even for reads.
other=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | grep -v '^127\.' | head -n 1)
if [ -n "$other" ]; then
  if start_serve base "$ws" --listen "$other:0"; then
    call GET /api/connectors
    expect_eq "non-loopback read without token: 401" 401 "$st"
    call GET /api/connectors "" "${auth[@]}"
    expect_eq "non-loopback read with token: 200" 200 "$st"
    call GET /api/status "" "${auth[@]}"
    expect_eq "non-loopback says so" true "$(printf '%s' "$bd" | field .token_required_for_reads)"
  else
    fail "sluice serve --listen $other:0 did not start"
  fi
else
  echo "no non-loopback address: skipping that part"
fi

# No secret in any response, plain, base64 or URL-encoded.
for secret in "$api_key" "$SLUICE_SERVE_TOKEN"; do
  for form in "$secret" "$(printf '%s' "$secret" | base64 -w0)" "$(printf '%s' "$secret" | base64 -w0 | tr -d '=')" \
    "$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$secret")"; do
    if grep -rlF -- "$form" "$responses" >/dev/null; then fail "a secret appears in a response: $(grep -rlF -- "$form" "$responses" | head -3)"; fi
  done
done
expect_eq "responses were scanned" 1 "$([ "$n" -gt 50 ] && echo 1)"
# A browser on behalf of another site: refused (reads too) unless --cors
# allows its origin; a link to the console's page still opens it; a
# preflight is answered only for the allowed origin.
start_serve base "$ws" || { fail "sluice serve did not start"; finish; exit 1; }
edge_port=${base##*:}
site=(-H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: no-cors' -H 'Sec-Fetch-Dest: image')
call GET /api/connectors "" "${site[@]}"
expect_eq "a cross-site read" "403 forbidden" "$st $(printf '%s' "$bd" | field .error.kind)"
call GET / "" -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Dest: document'
expect_eq "a link from another site to the console" 200 "$st"
call GET /api/connectors "" -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Dest: document'
expect_eq "… but not to the API" 403 "$st"
call GET /api/connectors "" -H 'Sec-Fetch-Site: none' -H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Dest: document'
expect_eq "the API typed in the address bar" 200 "$st"
call OPTIONS /api/query "" -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: POST'
expect_eq "a preflight from an origin --cors does not allow" "403 forbidden" "$st $(printf '%s' "$bd" | field .error.kind)"
expect_eq "… has no CORS headers" "" "$(grep -i '^access-control-allow-origin' "$responses/$n.headers")"
start_serve base "$ws" --cors https://app.example || { fail "sluice serve did not start"; finish; exit 1; }
call GET /api/connectors "" "${site[@]}" -H 'Origin: https://app.example'
expect_eq "a cross-site read from the --cors origin" 200 "$st"
call GET /api/connectors "" "${site[@]}" -H 'Origin: https://evil.example'
expect_eq "… from another" 403 "$st"
call OPTIONS /api/query "" -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: POST'
expect_eq "a preflight from the --cors origin" 204 "$st"
expect_contains "… with its CORS headers" "https://app.example" "$(grep -i '^access-control-allow-origin' "$responses/$n.headers")"

# Connections that send half a request and wait hold one thread each, for
# the read timeout: 20 of them (httplib's default pool was 8) and another
# client is still served at once.
held=()
for ((i = 0; i < 20; i++)); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$edge_port" || { fail "connecting idle socket $i"; break; }
  printf 'GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&$fd
  held+=("$fd")
done
base=http://127.0.0.1:$edge_port
# Under the old pool this waited for the idle sockets' 30 s read timeout.
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$base/api/status")
expect_eq "served while 20 connections idle" 200 "$st"
for fd in "${held[@]}"; do exec {fd}>&-; done
finish
