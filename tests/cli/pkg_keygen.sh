# `sluice keygen NAME`: the public key it prints is a minisign public key
# (Debian minisign reads it and reports the same key id), the secret key is
# stored as secret NAME — encrypted, so it is in no file in clear and never
# in the output — and an existing secret is kept unless --force.
source "$(dirname "$0")/lib.bash"
ws=$dir/ws.db
cd "$dir"

out=$("$sluice" -w "$ws" keygen release 2>"$dir/err")
status=$?
err=$(cat "$dir/err")
expect_eq "keygen succeeds" 0 "$status"
expect_eq "stdout is one line" 1 "$(printf '%s\n' "$out" | wc -l)"
case "$out" in RW*) ;; *) fail "the public key starts with RW: $out" ;; esac
raw=$(printf '%s' "$out" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
expect_eq "base64 of 42 bytes" 84 "${#raw}"
expect_eq "minisign's Ed algorithm tag" 4564 "${raw:0:4}"
key_id=$(printf '%s\n' "$err" | sed -n 's/.*(key id \([0-9A-F]\{16\}\)).*/\1/p')
expect_eq "a key id is named" 16 "${#key_id}"
expect_contains "hint: trusting it" "TRUSTED_KEYS ('$out')" "$err"
expect_contains "hint: signing with it" "SIGNED BY release" "$err"
expect_contains "hint: verifying with minisign" "minisign -Vm" "$err"

# Debian minisign parses the key: checking a file signed by another key, it
# names the key id of ours, the same one keygen printed.
if command -v minisign >/dev/null; then
  echo data >"$dir/f"
  minisign -G -W -p "$dir/other.pub" -s "$dir/other.key" >/dev/null 2>&1
  minisign -S -s "$dir/other.key" -m "$dir/f" >/dev/null 2>&1 </dev/null
  verdict=$(minisign -Vm "$dir/f" -P "$out" 2>&1)
  # minisign prints the id as a plain hex number, without leading zeros
  # (one key in sixteen starts with 0), so compare the numbers.
  theirs=$(printf '%s\n' "$verdict" | sed -n 's/.*key id in the public key is \([0-9A-F]*\).*/\1/p')
  expect_eq "minisign reads our public key's id" "$(printf '%s' "$key_id" | sed 's/^0*//')" "$(printf '%s' "$theirs" | sed 's/^0*//')"
  rm -f "$dir/other.key"
else
  fail "minisign is not installed (scripts/setup installs it)"
fi

# The secret is a secret of the workspace, and in no file in clear.
secrets=$("$sluice" -w "$ws" -f csv -c "SHOW SECRETS")
expect_contains "SHOW SECRETS lists it" "release,keygen," "$secrets"
if grep -rqa "sluice-ed25519-secret" "$dir"; then fail "the secret key is in a file in clear"; fi
expect_not_contains "the secret key is not printed" "sluice-ed25519-secret" "$out$err$secrets"

# Twice: refused without --force, the first key kept; replaced with it.
again=$("$sluice" -w "$ws" keygen release 2>&1)
expect_eq "keygen twice is refused" 1 "$?"
expect_contains "saying why" "secret 'release' already exists" "$again"
expect_contains "and how to replace it" "--force" "$again"
forced=$("$sluice" keygen release -w "$ws" --force 2>/dev/null)
expect_eq "--force replaces it" 0 "$?"
case "$forced" in RW*) ;; *) fail "--force prints the new key: $forced" ;; esac
if [ "$forced" = "$out" ]; then fail "--force made a new key"; fi
expect_eq "still one secret" 1 "$("$sluice" -w "$ws" -f csv -c "SHOW SECRETS" | grep -c '^release,')"

# A workspace that vanishes on exit cannot keep a key.
memory=$("$sluice" -w :memory: keygen k 2>&1)
expect_eq "keygen in :memory: is refused" 1 "$?"
expect_contains "saying why" "needs a workspace file" "$memory"

# A recorded TEST block (PACKAGE re-runs them): its text as written and where
# it was, whatever its verdict; rerunning one replaces its record.
cat >"$dir/t.sql" <<'SQL'
CREATE CONNECTOR TYPE 'svc' VERSION '1.0.0';
CREATE CONNECTOR ENTITY 'svc.items' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return [{id: 1}]; }''';
TEST CONNECTOR TYPE 'svc' NAME 'passes' BEGIN
  ASSERT 1 = 1;
END TEST;
TEST CONNECTOR TYPE 'svc' NAME 'fails' BEGIN
  ASSERT 1 = 2, 'one is not two';
END TEST;
SQL
"$sluice" -w "$dir/t.db" --keep-going "$dir/t.sql" >/dev/null 2>&1
recorded=$(sqlite3 "$dir/t.db" "SELECT name || '|' || origin FROM _sluice_tests WHERE type = 'svc' ORDER BY name")
expect_eq "both tests are recorded" "fails|$dir/t.sql:7:1
passes|$dir/t.sql:4:1" "$recorded"
text=$(sqlite3 "$dir/t.db" "SELECT text FROM _sluice_tests WHERE name = 'passes'")
expect_eq "as written" "TEST CONNECTOR TYPE 'svc' NAME 'passes' BEGIN
  ASSERT 1 = 1;
END TEST;" "$text"
finish
