# An additive upgrade keeps synced data: myservice 1.0.0 is installed and
# synced against the test API server; 1.1.0 adds a field; UPGRADE applies
# it (the existing connector keeps working), and the next SYNC carries on
# incrementally — the API is asked only for what changed since the mark
# (updated_since), not for a full re-sync — and the table gains the column
# with its 25 rows intact. Then the upgrade is recorded as previous_version.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
setup_v1
out=$(in_ws "$a" "INSTALL CONNECTOR TYPE 'myservice' VERSION '^1' FROM REGISTRY 'r'" \
                 "$create_m" \
                 "SYNC CONNECTOR m")
expect_eq "install and first sync" 0 $?
expect_contains "first sync: 25 rows" "25" "$(in_ws "$a" "SELECT count(*) AS n FROM m_items")"

expect_contains "nothing newer yet" "is the newest version" "$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'")"

add_owner_field
publish 1.1.0
curl -s -X POST "$TEST_SERVER_URL/requests/reset" >/dev/null
out=$(in_ws "$a" "UPGRADE CONNECTOR TYPE 'myservice'")
expect_eq "upgrade exits 0" 0 $?
expect_contains "upgrade says what it did" "upgraded connector type 'myservice' 1.0.0 → 1.1.0" "$out"
expect_contains "upgrade lists the addition" "field 'myservice.items.owner' is new" "$out"
expect_contains "the lock follows" '"version": "1.1.0"' "$(cat "$dir/a/sluice.lock")"

out=$(in_ws "$a" "SYNC CONNECTOR m" "SELECT count(*) AS n FROM m_items" "SELECT count(*) AS c FROM pragma_table_info('m_items') WHERE name = 'owner'")
expect_eq "second sync exits 0" 0 $?
requests=$(curl -s "$TEST_SERVER_URL/requests")
expect_contains "the second sync is incremental (updated_since)" "updated_since" "$requests"
expect_contains "rows kept" "25" "$out"

out=$(in_ws "$a" "SHOW PACKAGES")
expect_contains "SHOW PACKAGES: 1.1.0 installed" "1.1.0" "$out"
expect_contains "SHOW PACKAGES: previous_version" "1.0.0" "$out"
finish
