# Exercises every endpoint of the test API server with curl, so the tests that
# rely on its misbehaviour can trust it. Usage: bash test_api_server_test.sh BIN
set -uo pipefail
bin=$(realpath "$1")
# shellcheck source=SCRIPTDIR/start_test_server.bash
source "$(dirname "$0")/start_test_server.bash"
passed=0
failed=0

check() {  # check NAME EXPECTED_SUBSTRING ACTUAL
  if [[ $3 == *"$2"* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL: %s\n  expected to contain: %s\n  got: %s\n' "$1" "$2" "$3" >&2
  fi
}

start_test_server "$bin" --token tok --items 5 || exit 1
u=$TEST_SERVER_URL
auth=(-H 'Authorization: Bearer tok')
get() { curl -s -w ' %{http_code}' "$@"; }

# Items and auth.
check "no token" '{"error":"unauthorized"} 401' "$(get "$u/items")"
check "wrong token" '401' "$(get -H 'Authorization: Bearer no' "$u/items/1")"
out=$(get "${auth[@]}" "$u/items?limit=2")
check "first page" '{"items":[{"id":"1","name":"item 1","status":"active","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","extra":{"rank":1}},{"id":"2",' "$out"
check "next cursor" '"next_cursor":"2"} 200' "$out"
check "last page" '"id":"5"' "$(get "${auth[@]}" "$u/items?limit=2&cursor=4")"
check "last cursor null" '"next_cursor":null} 200' "$(get "${auth[@]}" "$u/items?limit=2&cursor=4")"
check "status filter" '{"items":[{"id":"2"' "$(get "${auth[@]}" "$u/items?status=archived")"
check "id filter" '"id":"3"' "$(get "${auth[@]}" "$u/items?id=3")"
check "updated_since" '{"items":[{"id":"4"' "$(get "${auth[@]}" "$u/items?updated_since=2026-01-01T03:00:00Z")"
check "limit clamped" '200' "$(get "${auth[@]}" "$u/items?limit=1000")"
check "bad limit" '400' "$(get "${auth[@]}" "$u/items?limit=0")"
check "get item" '"name":"item 2","status":"archived"' "$(get "${auth[@]}" "$u/items/2")"
check "missing item" '{"error":"not found"} 404' "$(get "${auth[@]}" "$u/items/99")"
check "create" '{"id":"6","name":"n","status":"active","created_at":"2026-01-01T05:01:00Z"' \
  "$(get "${auth[@]}" -X POST -d '{"name":"n"}' "$u/items")"
check "create 201" ' 201' "$(get "${auth[@]}" -X POST -d '{"name":"m","status":"archived"}' "$u/items")"
check "create needs name" '400' "$(get "${auth[@]}" -X POST -d '{}' "$u/items")"
check "create bad JSON" 'invalid JSON body' "$(get "${auth[@]}" -X POST -d '{' "$u/items")"
check "patch" '"name":"p","status":"active","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T05:03:00Z"' \
  "$(get "${auth[@]}" -X PATCH -d '{"name":"p"}' "$u/items/1")"
check "patched item in since" '{"items":[{"id":"1","name":"p"' "$(get "${auth[@]}" "$u/items?updated_since=2026-01-01T05:03:00Z")"
check "delete" '204' "$(get "${auth[@]}" -X DELETE "$u/items/2")"
check "delete again" '404' "$(get "${auth[@]}" -X DELETE "$u/items/2")"
check "reset" '{"ok":true}' "$(get -X POST -d '' "$u/reset")"
check "reset restores" '"name":"item 2"' "$(get "${auth[@]}" "$u/items/2")"
check "reset restores ids" '404' "$(get "${auth[@]}" "$u/items/6")"

# The fake forge API.
check "forge no token" '{"error":"unauthorized"} 401' "$(get "$u/forge/accounts/acme/repos")"
out=$(get "${auth[@]}" "$u/forge/accounts/acme/repos")
check "forge repo" '{"repos":[{"id":1001,"name":"repo-1","full_name":"acme/repo-1","account":"acme","private":false,"stars":5,"score":1.25,"created_at":"2025-01-01T00:00:00Z","topics":[],"owner":{"login":"acme","id":501},"license":{"key":"mit","name":"MIT License"}},{"id":1002,' "$out"
check "forge null license" '"topics":["cli"],"owner":{"login":"acme","id":501},"license":null}' "$out"
check "forge next page" '"next_page":2} 200' "$out"
out=$(get "${auth[@]}" "$u/forge/accounts/acme/repos?page=2")
check "forge last page" '"id":1004,"name":"repo-4"' "$out"
check "forge no next page" '"next_page":null} 200' "$out"
check "forge per_page" '{"repos":[{"id":1012,"name":"repo-4","full_name":"initech/repo-4","account":"initech",' \
  "$(get "${auth[@]}" "$u/forge/accounts/initech/repos?page=2&per_page=3")"
check "forge past the end" '{"repos":[],"next_page":null} 200' "$(get "${auth[@]}" "$u/forge/accounts/globex/repos?page=9")"
check "forge unknown account" '{"error":"unknown account: nope"} 404' "$(get "${auth[@]}" "$u/forge/accounts/nope/repos")"
check "forge bad per_page" '{"error":"per_page must be an integer in [1, 100]"} 400' \
  "$(get "${auth[@]}" "$u/forge/accounts/acme/repos?per_page=0")"
out=$(get "${auth[@]}" "$u/forge/repos/1001/issues")
check "forge issue" '{"id":100103,"number":3,"title":"Issue 3 of repo 1001","state":"closed","labels":[],"created_at":"2026-01-01T03:00:00Z","closed_at":"2026-01-02T03:03:00Z","author":{"login":"dave"},"comments":1}],"next_page":null} 200' "$out"
check "forge labels" '"state":"open","labels":[{"name":"good first issue"},{"name":"bug"}],"created_at":"2026-01-01T02:00:00Z","closed_at":null,' "$out"
check "forge issues page" '"next_page":2} 200' "$(get "${auth[@]}" "$u/forge/repos/1002/issues")"
check "forge issues page 2" '{"issues":[{"id":100204,"number":4,' "$(get "${auth[@]}" "$u/forge/repos/1002/issues?page=2")"
check "forge repo without issues" '{"issues":[],"next_page":null} 200' "$(get "${auth[@]}" "$u/forge/repos/1004/issues")"
check "forge unknown repo" '{"error":"unknown repo: 1013"} 404' "$(get "${auth[@]}" "$u/forge/repos/1013/issues")"
repos=0
issues=0
for account in acme globex initech; do
  n=$(curl -s "${auth[@]}" "$u/forge/accounts/$account/repos?per_page=100" | grep -o '"full_name"' | wc -l)
  repos=$((repos + n))
done
for id in $(seq 1001 1012); do
  n=$(curl -s "${auth[@]}" "$u/forge/repos/$id/issues?per_page=100" | grep -o '"number"' | wc -l)
  issues=$((issues + n))
done
check "forge repo count" "repos=12 issues=30" "repos=$repos issues=$issues"
check "forge unknown path" '{"error":"not found","status":404,"path":"/forge/nope"} 404' "$(get "${auth[@]}" "$u/forge/nope")"

# The fake sheets API.
check "sheets no token" '401' "$(get "$u/sheets/meta")"
out=$(get "${auth[@]}" "$u/sheets/meta")
check "sheets meta" '{"tables":[{"name":"contacts","primary_field":"id","fields":[{"name":"id","type":"autoNumber"},{"name":"full_name","type":"singleLineText"},{"name":"email","type":"email"},{"name":"age","type":"number","options":{"precision":0}},{"name":"balance","type":"number","options":{"precision":2}},{"name":"vip","type":"checkbox"},{"name":"joined","type":"dateTime"},{"name":"tags","type":"multipleSelects"},{"name":"profile","type":"json"}]},{"name":"deals","primary_field":"deal_code","fields":[' "$out"
out=$(get "${auth[@]}" "$u/sheets/tables/contacts/records")
check "sheets record" '{"records":[{"id":"recCON001","created_time":"2025-12-01T00:00:00.000Z","fields":{"id":1,"full_name":"Ada Lovelace","email":"ada@example.com","age":36,"balance":1520.75,"vip":true,"joined":"2025-01-15T09:30:00.000Z","tags":["engineering","vip"],"profile":{"city":"London","languages":["en","fr"],"score":9.5}}},' "$out"
check "sheets omits empty fields" '"fields":{"id":3,"full_name":"Alan Turing","age":41,"balance":0,"joined":"2025-02-20T08:15:00.000Z"}}' "$out"
check "sheets offset" '"offset":"itr4/recCON005"} 200' "$out"
check "sheets page 2" '{"records":[{"id":"recCON005",' "$(get "${auth[@]}" "$u/sheets/tables/contacts/records?offset=itr4/recCON005")"
check "sheets sparse record" '{"id":"recCON007","created_time":"2025-12-01T06:00:00.000Z","fields":{"id":7,"full_name":"Tim Berners-Lee"}}' \
  "$(get "${auth[@]}" "$u/sheets/tables/contacts/records?offset=itr4/recCON005")"
out=$(get "${auth[@]}" "$u/sheets/tables/contacts/records?offset=itr8/recCON009")
check "sheets last page" '"profile":{"active":false,"score":null}}}]} 200' "$out"
check "sheets last page has no offset" 'none' "$([[ $out == *'"offset"'* ]] && echo some || echo none)"
records=0
offset=""
for _ in $(seq 10); do
  out=$(curl -s -G "${auth[@]}" --data-urlencode "offset=$offset" --data "page_size=3" "$u/sheets/tables/contacts/records")
  records=$((records + $(grep -o '"created_time"' <<<"$out" | wc -l)))
  offset=$(grep -o '"offset":"[^"]*"' <<<"$out" | cut -d'"' -f4)
  [[ -z $offset ]] && break
done
check "sheets pages through contacts" "records=10" "records=$records"
out=$(get "${auth[@]}" "$u/sheets/tables/deals/records?page_size=100")
check "sheets deals" '{"id":"recDEA005","created_time":"2025-12-02T04:00:00.000Z","fields":{"deal_code":"D-005"}}' "$out"
check "sheets deals count" "6" "$(grep -o '"created_time"' <<<"$out" | wc -l)"
check "sheets bad offset" '{"error":"invalid offset"} 400' "$(get "${auth[@]}" "$u/sheets/tables/contacts/records?offset=itr5/recCON001")"
check "sheets bad page_size" '400' "$(get "${auth[@]}" "$u/sheets/tables/contacts/records?page_size=101")"
check "sheets unknown table" '{"error":"unknown table: nope"} 404' "$(get "${auth[@]}" "$u/sheets/tables/nope/records")"

# The fake APIs' gauge.
check "api-stats reset" '{"ok":true}' "$(curl -s -X POST -d '' "$u/api-stats/reset")"
curl -s -o /dev/null "${auth[@]}" "$u/sheets/meta"
curl -s -o /dev/null "$u/forge/accounts/acme/repos"
curl -s -o /dev/null "${auth[@]}" "$u/forge/nope"
curl -s -o /dev/null "${auth[@]}" "$u/items"
check "api-stats counts" '{"requests":3,"inflight_max":1}' "$(curl -s "$u/api-stats")"
curl -s -o /dev/null -X POST -d '' "$u/reset"
check "reset clears api-stats" '{"requests":0,"inflight_max":0}' "$(curl -s "$u/api-stats")"
check "fake APIs are logged" '"path":"/forge/repos/1001/issues","query":"page=2",' \
  "$(curl -s -o /dev/null "${auth[@]}" "$u/forge/repos/1001/issues?page=2"; curl -s "$u/requests")"

# Failures on purpose.
check "status" '{"status":503} 503' "$(get "$u/status/503")"
check "status 204" ' 204' "$(get -X POST -d '' "$u/status/204")"
for _ in 1 2; do out=$(curl -s -i "$u/flaky/k?fail=2&code=429&retry_after=3"); done
check "flaky fails" 'HTTP/1.1 429' "$out"
check "Retry-After" 'Retry-After: 3' "$out"
check "flaky recovers" '{"ok":true,"attempts":3} 200' "$(get "$u/flaky/k?fail=2&code=429")"
check "flaky count" '{"key":"k","attempts":3}' "$(get "$u/flaky/k/count")"
check "Retry-After date" 'Retry-After: '"$(LC_ALL=C date -u +%a)"', ' \
  "$(curl -s -i "$u/flaky/d?code=503&retry_after_date=1")"
check "flaky 500 default" ' 500' "$(get "$u/flaky/x")"
check "slow" '{"slept":200} 200' "$(get "$u/slow?ms=200")"
check "slow times out" '000' "$(curl -s -m 0.2 -w '%{http_code}' "$u/slow?ms=2000")"
for _ in $(seq 30); do curl -s -o /dev/null "$u/inflight/hold?ms=500" & done
wait
max=$(curl -s "$u/inflight/max" | tr -dc 0-9)
check "30 requests in flight together" "yes" "$([[ $max -ge 20 ]] && echo yes || echo "no: $max")"
check "inflight reset" '{"max":0}' "$(curl -s -X POST -d '' "$u/inflight/reset"; curl -s "$u/inflight/max")"
check "redirect" 'Location: /items' "$(curl -s -i "$u/redirect?to=/items")"
check "redirect chain" 'redirects=3' "$(curl -s -L -o /dev/null -w 'redirects=%{num_redirects}' "$u/redirect-chain?n=3")"
check "chain ends at echo" '"path":"/echo"' "$(curl -s -L "$u/redirect-chain?n=3")"
check "gzip" '{"compressed":true,"items":[{"id":1,' "$(curl -s --compressed "$u/gzip")"
check "gzip without asking" '{"compressed":true' "$(curl -s -H 'Accept-Encoding: identity' "$u/gzip" | gzip -dc)"
check "gzip header" 'Content-Encoding: gzip' "$(curl -s -o /dev/null -D - "$u/gzip")"
check "gzip rows" '"id":1000,"name":"row-1000"' "$(curl -s --compressed "$u/gzip?rows=1000")"
check "nothing else compressed" 'x-test' "$(curl -s -H 'Accept-Encoding: gzip, br' -H 'X-Test: 1' "$u/echo")"
check "malformed" '{"items": [1, 2 200' "$(get "$u/malformed")"

# Hostile modes.
check "fail-items on" '{"ok":true,"code":403}' "$(curl -s -X POST -d '' "$u/fail-items?code=403")"
check "fail-items answers" '{"error":"forbidden","message":"Resource not accessible"} 403' "$(get "${auth[@]}" "$u/items")"
check "fail-items 429 waits 0" 'Retry-After: 0' "$(curl -s -X POST -d '' "$u/fail-items?code=429" >/dev/null; curl -s -D - -o /dev/null "$u/items/1")"
check "fail-items bad code" '400' "$(get -X POST -d '' "$u/fail-items?code=200")"
curl -s -X POST -d '' "$u/fail-items?code=0" >/dev/null
check "fail-items off" '"id":"1"' "$(get "${auth[@]}" "$u/items/1")"
check "gzip bomb is small" '1052' "$(curl -s -H 'Accept-Encoding: identity' "$u/gzip-bomb?mib=1" | wc -c)"
check "gzip bomb expands" '1048576' "$(curl -s "$u/gzip-bomb?mib=1" | gzip -dc | wc -c)"
check "cross-origin redirect" "Location: http://localhost:$TEST_SERVER_PORT/echo" "$(curl -s -D - -o /dev/null "$u/redirect-cross-origin")"
check "invalid utf-8" "$(printf 'caf\xe9')" "$(curl -s "$u/invalid-utf8")"
check "huge text" '1000' "$(curl -s "$u/huge-text?bytes=1000" | wc -c)"
check "text" 'text/plain' "$(curl -s -o /dev/null -w '%{content_type}' "$u/text")"
out=$(curl -s -X PUT -H 'X-Test: A' -d 'raw' "$u/echo?a=1&a=2&b=x%20y")
check "echo" '{"method":"PUT","path":"/echo","query":{"a":["1","2"],"b":"x y"},"headers":{' "$out"
check "echo headers" '"x-test":"A"' "$out"
check "echo body" '"body":"raw"}' "$out"
check "big" '"id":100000,"name":"row-100000","value":0,"active":false,"created_at":"2026-03-11T10:40:00Z"}]}' \
  "$(curl -s "$u/big?rows=100000")"
check "pages" '"page":2,"per_page":2,"total":5,"next_page":3}' "$(curl -s "$u/pages?page=2&per_page=2&total=5")"
check "last page" '{"items":[{"id":5,' "$(curl -s "$u/pages?page=3&per_page=2&total=5")"
check "no next page" '"next_page":null}' "$(curl -s "$u/pages?page=3&per_page=2&total=5")"
check "unknown path" '{"error":"not found","status":404,"path":"/nope"} 404' "$(get "$u/nope")"

# Request log.
curl -s -o /dev/null -X POST -d '' "$u/requests/reset"
curl -s -o /dev/null "${auth[@]}" "$u/items?limit=1"
curl -s -o /dev/null -X POST -d 'b=1' "$u/echo"
out=$(curl -s "$u/requests")
check "log entry" '[{"seq":1,"method":"GET","path":"/items","query":"limit=1","headers":{' "$out"
check "log auth header" '"authorization":"Bearer tok"' "$out"
check "log body" '"seq":2,"method":"POST","path":"/echo","query":"","headers":' "$out"
check "log excludes itself" '"body":"b=1","at_ms":' "$out"
check "log ends there" '}]' "${out: -2}"
at1=$(printf '%s' "$out" | grep -o '"at_ms":[0-9.]*' | head -1 | cut -d: -f2)
at2=$(printf '%s' "$out" | grep -o '"at_ms":[0-9.]*' | tail -1 | cut -d: -f2)
check "at_ms in order" "yes" "$(awk -v a="$at1" -v b="$at2" 'BEGIN { print (a > 0 && b >= a) ? "yes" : "no: " a " " b }')"

# --api-latency-ms and --forge-repos, on a second server.
start_test_server "$bin" --api-latency-ms 300 --forge-repos 1 || exit 1
u2=$TEST_SERVER_URL
check "forge-repos" '{"repos":[{"id":1002,"name":"repo-1","full_name":"globex/repo-1",' "$(get "$u2/forge/accounts/globex/repos")"
start_test_server "$bin" --forge-accounts 5 --forge-repos 2 || exit 1
u3=$TEST_SERVER_URL
check "forge-accounts" '{"repos":[{"id":1009,"name":"repo-1","full_name":"org-5/repo-1","account":"org-5",' "$(get "$u3/forge/accounts/org-5/repos")"
check "forge-accounts owner" '"owner":{"login":"org-4","id":504}' "$(get "$u3/forge/accounts/org-4/repos")"
check "no 6th account" '{"error":"unknown account: org-6"} 404' "$(get "$u3/forge/accounts/org-6/repos")"
check "last repo's issues" '{"issues":[],"next_page":null} 200' "$(get "$u3/forge/repos/1010/issues")"
check "no repo past them" '404' "$(get "$u3/forge/repos/1011/issues")"
check "default: 3 accounts" '404' "$(get "$u2/forge/accounts/org-4/repos")"
start_test_server "$bin" --api-latency-ms 300 --forge-repos 1 || exit 1
u2=$TEST_SERVER_URL
start=$(date +%s%N)
out=$(get "$u2/sheets/tables/nope/records")
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "latency" "yes" "$( ((elapsed_ms >= 300)) && echo yes || echo "no: $elapsed_ms ms")"
check "latency before the 404" '404' "$out"
curl -s -o /dev/null -X POST -d '' "$u2/api-stats/reset"
start=$(date +%s%N)
for _ in $(seq 10); do curl -s -o /dev/null "$u2/forge/repos/1001/issues" & done
wait
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "latency in parallel" "yes" "$( ((elapsed_ms < 2500)) && echo yes || echo "no: $elapsed_ms ms")"
max=$(curl -s "$u2/api-stats" | grep -o '"inflight_max":[0-9]*' | tr -dc 0-9)
check "api-stats after 10 at once" '"requests":10,' "$(curl -s "$u2/api-stats")"
check "10 fake-API requests in flight together" "yes" "$([[ $max -ge 5 ]] && echo yes || echo "no: $max")"

check "helper URL" "http://127.0.0.1:$TEST_SERVER_PORT" "$TEST_SERVER_URL"
stop_test_server
check "stopped" "gone" "$(curl -s "$u/text" || echo gone)"

# Port file and SIGTERM with a slow request in flight, without the helper.
dir=$(mktemp -d)
"$bin" --port-file "$dir/port" >"$dir/out" &
pid=$!
for _ in $(seq 100); do [[ -s $dir/port ]] && break; sleep 0.1; done
port=$(cat "$dir/port")
check "listening line" "listening on 127.0.0.1:$port" "$(cat "$dir/out")"
check "no temp port file left" "[out port]" "[$(cd "$dir" && echo *)]"
curl -s -o /dev/null "http://127.0.0.1:$port/slow?ms=20000" &
sleep 0.2
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
check "SIGTERM exit status" "rc=0" "rc=$?"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "SIGTERM is prompt" "yes" "$( ((elapsed_ms < 3000)) && echo yes || echo "no: $elapsed_ms ms")"
wait
"$bin" --port-file "$dir/port2" --api-latency-ms 20000 >/dev/null &
pid=$!
for _ in $(seq 100); do [[ -s $dir/port2 ]] && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$(cat "$dir/port2")/sheets/meta" &
sleep 0.2
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "SIGTERM cuts the API latency short" "yes" "$( ((elapsed_ms < 3000)) && echo yes || echo "no: $elapsed_ms ms")"
wait
(sleep 0.3) | "$bin" --exit-on-stdin-eof >/dev/null
check "exits on stdin EOF" "rc=0" "rc=$?"
rm -rf "$dir"

echo "test_api_server: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
