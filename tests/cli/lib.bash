# Shared helpers for the CLI tests: each test script sources this with the
# sluice binary as $1, gets a private temp dir in $dir, and fails on the
# first broken expectation.
set -uo pipefail
sluice=$(realpath "$1")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export XDG_CONFIG_HOME=$dir/config
export HOME=$dir/home
mkdir -p "$HOME"
unset SLUICE_SECRET_KEY
failures=0
# Waits scale by SLUICE_TEST_SLOW (an integer, e.g. 3 under make sanitize,
# where everything runs a few times slower); expectations never do.
slow=${SLUICE_TEST_SLOW:-1}

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
  if [ "$2" != "$3" ]; then
    fail "$1"
    diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") >&2
  fi
}

# expect_contains NAME NEEDLE HAYSTACK
expect_contains() {
  case "$3" in
    *"$2"*) ;;
    *) fail "$1: expected to find [$2] in:"; printf '%s\n' "$3" >&2 ;;
  esac
}

expect_not_contains() {
  case "$3" in
    *"$2"*) fail "$1: did not expect [$2] in:"; printf '%s\n' "$3" >&2 ;;
  esac
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures expectation(s) failed" >&2
    exit 1
  fi
  echo "all expectations met"
}
