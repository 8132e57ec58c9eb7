# Start-up (docs/architecture.md, "Start-up"): the libraries that have static
# archives are linked from them, so no command loads them as shared objects.
# A link line that brings one back fails here rather than silently costing
# every command its loading time.
source "$(dirname "$0")/lib.bash"

cache=$(dirname "$sluice")/CMakeCache.txt
if ! grep -q '^SLUICE_STATIC_LIBS:BOOL=ON' "$cache" 2>/dev/null; then
  echo "skipped: this build links its libraries as shared objects (SLUICE_STATIC_LIBS off)"
  exit 0
fi

# The dynamic loader names every object it loads (glibc's LD_DEBUG).
loaded=$(LD_DEBUG=libs "$sluice" -w :memory: -c "SELECT 1" 2>&1 >/dev/null | sed -n 's/.*calling init: //p')
# Not vacuous: the loader did report, and the shared-only libraries are there.
expect_contains "libc is reported" "libc.so" "$loaded"
expect_contains "libcurl stays shared" "libcurl.so" "$loaded"
for lib in libgrpc libgpr libprotobuf libabsl_ libupb libre2 libcares libaddress_sorting \
           libsqlite3 libsodium libyaml-cpp libreadline libtinfo libtcmalloc; do
  expect_not_contains "$lib is linked statically" "/$lib" "$loaded"
done

expect_eq "SELECT 1 still answers" "1" "$("$sluice" -w :memory: -f csv -c "SELECT 1 AS one" | tail -n 1)"

finish
