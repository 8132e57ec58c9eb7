# How the CLI runs input: -c, files, stdin; exit status; stopping at the
# first failure unless --keep-going; output formats.
source "$(dirname "$0")/lib.bash"
cd "$dir"

out=$("$sluice" :memory: -c "PRINT 'one';" -c "PRINT 'two'")
expect_eq "-c in order, last ';' optional" "$(printf 'one\ntwo')" "$out"

printf "PRINT 'from stdin';\n" >script.sql
out=$("$sluice" :memory: < script.sql)
expect_eq "stdin script" "from stdin" "$out"
out=$("$sluice" :memory: script.sql)
expect_eq "file script" "from stdin" "$out"

printf "PRINT 'before';\nPRINT 1/0;\nPRINT 'after';\n" >fails.sql
out=$("$sluice" :memory: fails.sql 2>&1)
expect_eq "failure exit status" 1 $?
expect_contains "ran before the error" "before" "$out"
expect_not_contains "stopped at the error" "after" "$out"
expect_contains "error names file:line:col" "fails.sql:2:7: division by zero" "$out"
out=$("$sluice" :memory: --keep-going fails.sql 2>&1)
expect_eq "keep-going exit status" 1 $?
expect_contains "keep-going runs on" "after" "$out"

out=$("$sluice" :memory: nosuch.sql 2>&1)
expect_eq "missing file fails" 1 $?
expect_contains "missing file named" "cannot read 'nosuch.sql'" "$out"

out=$("$sluice" --workspace /nonexistent/dir/ws.db -c "SELECT 1;" 2>&1)
expect_eq "bad workspace fails" 1 $?
expect_contains "bad workspace named" "/nonexistent/dir/ws.db" "$out"

query="SELECT 1 AS n, 'a,b' AS s, NULL AS z, 2.5 AS f UNION ALL SELECT 2, 'say \"hi\"', 'x', 3;"
expect_eq "csv" "$(printf 'n,s,z,f\n1,"a,b",,2.5\n2,"say ""hi""",x,3')" "$("$sluice" :memory: -f csv -c "$query")"
expect_eq "jsonl" "$(printf '{"n":1,"s":"a,b","z":null,"f":2.5}\n{"n":2,"s":"say \\"hi\\"","z":"x","f":3}')" \
  "$("$sluice" :memory: -f jsonl -c "$query")"
out=$("$sluice" :memory: -f json -c "$query")
expect_eq "json" '[
{"n":1,"s":"a,b","z":null,"f":2.5},
{"n":2,"s":"say \"hi\"","z":"x","f":3}
]' "$out"
out=$("$sluice" :memory: -f line -c "SELECT 1 AS n, 'v' AS longer;")
expect_eq "line" "$(printf '     n = 1\nlonger = v')" "$out"
out=$("$sluice" :memory: -c "SELECT 1 AS n, 'v' AS s;")
expect_eq "table" "$(printf ' n | s\n---+--\n 1 | v\n(1 row)')" "$out"
out=$("$sluice" :memory: -f xml -c "SELECT 1;" 2>&1)
expect_eq "bad format exit" 2 $?
expect_contains "bad format named" "unknown format 'xml'" "$out"
finish
