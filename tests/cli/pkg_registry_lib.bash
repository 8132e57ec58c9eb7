# Shared by the registry back-end tests (pkg_registry_*.sh). Source it after
# lib.bash: $tool is pkg_tool, the test runs in $dir, and the server the test
# starts in the background, its pid in $pid, is stopped on exit.
bin=$(dirname "$sluice")
tool=$bin/pkg_tool
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
