# The interactive shell, driven through a pseudo-terminal: multi-line
# statements, dot commands, and a history file without secrets.
source "$(dirname "$0")/lib.bash"
if ! command -v script >/dev/null; then
  echo "script(1) is missing; cannot drive a terminal" >&2
  exit 1
fi
input=$(printf '%s\n' \
  "SELECT 40 +" \
  "  2 AS answer;" \
  ".mode csv" \
  "SELECT 'csv' AS mode;" \
  "CREATE SECRET repl_secret VALUE 'repl-secret-value';" \
  "PRINT 'shown: ' || 'repl-secret-value';" \
  "SELEC 1;" \
  ".mode nonsense" \
  ".timer on" \
  "SELECT 1 AS t;" \
  ".help" \
  ".quit")
out=$(printf '%s\n' "$input" | TERM=dumb timeout $((60 * slow)) script -qec "$sluice $dir/ws.db" /dev/null 2>&1 | tr -d '\r')
expect_contains "multi-line statement ran" " 42" "$out"
expect_contains "continuation prompt" "...>" "$out"
expect_contains ".mode csv" "$(printf 'mode\ncsv')" "$out"
expect_contains "secret masked" "shown: ***" "$out"
expect_contains "parse error reported" "unknown statement 'SELEC'" "$out"
expect_contains "bad mode reported" "unknown mode 'nonsense'" "$out"
expect_contains "timer" "Run Time:" "$out"
expect_contains "help" ".mode table|json|jsonl|csv|line" "$out"
history=$(cat "$HOME/.sluice_history" 2>/dev/null)
expect_contains "history kept" "SELECT 40 +" "$history"
expect_not_contains "history without secret statements" "repl-secret-value" "$history"
finish
