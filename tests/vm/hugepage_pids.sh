#!/bin/sh
# damon_hugepage with a PID target (the original RFC's interface): its hot
# region is collapsed; when the process exits the group is reported gone
# and its kdamond ends.
. /hp/tests/lib.sh
thp_set never
spawn_hotcold 32 32
hp_set pids $PID
hp_set enabled Y
[ "$(hp_field pid:$PID state)" = running ] || fail "pid group not running: $(cat /proc/damon_hugepage)"
kdamond=$(hp_field pid:$PID kdamond)
t=0
until [ "$(pct $PID $HOT_ADDR $HOT_LEN)" -ge 90 ]; do
	t=$((t + 1))
	[ $t -le 120 ] || fail "hot region below 90% after 120 s"
	sleep 1
done
note "hot region $(pct $PID $HOT_ADDR $HOT_LEN)% after ${t}s, cold $(pct $PID $COLD_ADDR $COLD_LEN)%"
[ "$(pct $PID $COLD_ADDR $COLD_LEN)" -le 5 ] || fail "cold region collapsed"
kill $PID
wait $PID 2>/dev/null
wait_for 20 sh -c "grep -q '^group=pid:$PID .*state=gone:pid_exited' /proc/damon_hugepage" ||
	fail "exited process not reported gone: $(cat /proc/damon_hugepage)"
cat /proc/damon_hugepage
[ -d /proc/$kdamond ] && fail "kdamond $kdamond still exists"
[ -z "$(cat $HP_PARAMS/kdamond_pids)" ] || fail "kdamonds left: $(cat $HP_PARAMS/kdamond_pids)"
hp_set enabled N
echo "PASS: hugepage_pids"
