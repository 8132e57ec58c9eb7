#!/usr/bin/env bash
# The layering of src/ (scripts/check_layers) holds, and the check catches
# an include that goes upward and SQLite reaching a layer that must not know it.
source "$(dirname "$0")/lib.bash" "$1"
root=$(cd "$(dirname "$0")/../.." && pwd)

out=$(bash "$root/scripts/check_layers" "$root/src" 2>&1)
expect_eq "src/ keeps its layering" 0 $?
expect_contains "every layer checked" "layering holds: 14 layers checked" "$out"

cp -r "$root/src" "$dir/src"
printf '#include "lang/interpreter.h"\n' >>"$dir/src/query/coerce.h"
printf '#include <sqlite3.h>\n' >>"$dir/src/source/scan_request.cc"
printf '#include "cli/runner.h"\n' >>"$dir/src/testing/test_runner.cc"
out=$(bash "$root/scripts/check_layers" "$dir/src" 2>&1)
expect_eq "an upward include fails the check" 1 $?
expect_contains "names the file and the rule" \
  'src/query/coerce.h includes "lang/interpreter.h": query may include only core source query' "$out"
expect_contains "SQLite in source/" "src/source/scan_request.cc includes sqlite3.h: source knows nothing of SQLite" "$out"
expect_contains "testing never includes cli" \
  'src/testing/test_runner.cc includes "cli/runner.h": testing may include only' "$out"
expect_contains "counts them" "3 include(s) break the layering" "$out"
mkdir "$dir/src/newlayer"
out=$(bash "$root/scripts/check_layers" "$dir/src" 2>&1)
expect_contains "a new folder must be placed in the table" "src/newlayer: a layer the table in scripts/check_layers does not know" "$out"
finish
