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
wait_for 120 huge_at_least $PID $HOT_ADDR $HOT_LEN 90 || fail "hot region below 90% after 120 s"
note "hot region $(pct $PID $HOT_ADDR $HOT_LEN)% after ${WAITED}s, cold $(pct $PID $COLD_ADDR $COLD_LEN)%"
[ "$(pct $PID $COLD_ADDR $COLD_LEN)" -le 5 ] || fail "cold region collapsed"
kill $PID
wait $PID 2>/dev/null
wait_for 20 hp_is pid:$PID state gone:pid_exited ||
	fail "exited process not reported gone: $(cat /proc/damon_hugepage)"
cat /proc/damon_hugepage
# The group is reported gone when its kdamond is detached; the kdamond is
# stopped right after, outside the module's lock (the 7.3 module), so
# its end is waited for.
kdamond_ended() { [ ! -d /proc/$kdamond ] && [ -z "$(cat $HP_PARAMS/kdamond_pids)" ]; }
wait_for 20 kdamond_ended ||
	fail "kdamond $kdamond still exists 20 s after the group was reported gone (kdamond_pids: $(cat $HP_PARAMS/kdamond_pids))"
hp_set enabled N
echo "PASS: hugepage_pids"
