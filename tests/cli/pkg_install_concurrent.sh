# Two processes INSTALL different versions of one type into one workspace at
# the same time: exactly one wins, the other is told the type is installed
# and that UPGRADE moves it; the catalog, the package record and sluice.lock
# then all name the winner's version. (The "installed?" check and the write
# are one IMMEDIATE transaction.) Repeated a few times; no timing involved.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pkg_install_lib.bash"
author_setup
publish 1.0.0
publish 1.0.1
for i in 1 2 3 4 5; do
  ws=$(new_consumer "c$i")
  folder=$(dirname "$ws")
  (cd "$folder" && "$sluice" -w "$ws" -c "INSTALL CONNECTOR TYPE 'myservice' VERSION '1.0.0' FROM REGISTRY 'r'" >o1 2>&1; echo $? >rc1) &
  (cd "$folder" && "$sluice" -w "$ws" -c "INSTALL CONNECTOR TYPE 'myservice' VERSION '1.0.1' FROM REGISTRY 'r'" >o2 2>&1; echo $? >rc2) &
  wait
  rc1=$(cat "$folder/rc1") rc2=$(cat "$folder/rc2")
  if [ "$rc1" = 0 ]; then winner=1.0.0 loser=$folder/o2 lrc=$rc2; else winner=1.0.1 loser=$folder/o1 lrc=$rc1; fi
  [ "$lrc" != 0 ] || fail "run $i: both INSTALLs succeeded: $(cat "$folder/o1") / $(cat "$folder/o2")"
  expect_contains "run $i: the loser is told to UPGRADE" "UPGRADE CONNECTOR TYPE 'myservice'" "$(cat "$loser")"
  record=$(sqlite3 "$ws" "SELECT version FROM _sluice_packages WHERE type = 'myservice'")
  typever=$(sqlite3 "$ws" "SELECT version FROM _sluice_connector_types WHERE name = 'myservice'")
  locked=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['packages']['myservice']['version'])" "$folder/sluice.lock")
  expect_eq "run $i: the record is the winner's" "$winner" "$record"
  expect_eq "run $i: the type is the winner's" "$winner" "$typever"
  expect_eq "run $i: the lock is the winner's" "$winner" "$locked"
done
finish
