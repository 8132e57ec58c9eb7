# A breaking upgrade is refused, listing every breaking change; declared by
# the new version (breaking.json beside the author's script) it still needs
# FORCE; with FORCE it applies, and a declared reset_state clears the
# entity's incremental mark so the next sync is a full one, and the upgrade
# says that the next SYNC needs FORCE when a column's type changed.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
setup_v1
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' FROM REGISTRY 'r'" \
                 "$create_m" \
                 "SYNC CONNECTOR m")
expect_eq "install and first sync" 0 $?

# 2.0.0: `status` becomes an integer and `metadata` goes — undeclared.
sed -e 's/"status":     {"type": "string", "filterable": true}/"status":     {"type": "integer", "filterable": true}/' \
    -e '/"metadata":   {"type": "document"}/d' -e 's/"updated_at": {"type": "timestamp"},/"updated_at": {"type": "timestamp"}/' \
    "$src/connector.sql" > "$src/connector_v2.sql"
(cd "$src" && "$sluice" -w "$author" connector_v2.sql >/dev/null 2>&1) || fail "author: connector_v2.sql"
publish 2.0.0

out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice' VERSION '^2'")
[ $? -ne 0 ] || fail "an undeclared breaking upgrade is refused"
expect_contains "lists the type change" "field 'myservice.items.status' changes type from string to integer" "$out"
expect_contains "lists the removal" "field 'myservice.items.metadata' is removed" "$out"
expect_contains "says it is undeclared" "does not declare it" "$out"
out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice' VERSION '^2' FORCE")
[ $? -ne 0 ] || fail "FORCE does not cross an undeclared breaking change"
expect_contains "still 1.0.0" "1.0.0" "$(in_ws "$a" "SHOW PACKAGES")"

# 2.0.1 declares it, resetting the entity's incremental state.
cat > "$src/breaking.json" <<'JSON'
{"2.0.1": {"message": "status is a number; metadata is gone", "entities": ["items"], "reset_state": true}}
JSON
publish 2.0.1
out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice' VERSION '^2'")
[ $? -ne 0 ] || fail "a declared breaking upgrade still needs FORCE"
expect_contains "without FORCE: the declaration is shown" "status is a number; metadata is gone" "$out"
expect_contains "without FORCE: how to accept" "FORCE accepts them" "$out"
out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice' VERSION '^2' FORCE")
expect_eq "FORCE upgrades" 0 $?
expect_contains "forced to 2.0.1" "1.0.0 → 2.0.1" "$out"
expect_contains "the mark is cleared" "incremental state of 'myservice.items' cleared" "$out"
expect_contains "the type is 2.0.1" "2.0.1" "$(in_ws "$a" "SHOW PACKAGES")"
# status changed type: the synced table no longer fits; the upgrade says
# the next SYNC needs FORCE, and that is what the sync asks for.
expect_contains "names what the next SYNC needs" "the next SYNC CONNECTOR … of it needs FORCE" "$out"
out=$(in_ws "$a" "SYNC CONNECTOR m")
[ $? -ne 0 ] || fail "a plain SYNC refuses the old table"
expect_contains "the sync asks for FORCE" "add FORCE" "$out"
out=$(in_ws "$a" "SYNC CONNECTOR m FORCE")
expect_not_contains "SYNC … FORCE gets past the table" "add FORCE" "$out"
finish
