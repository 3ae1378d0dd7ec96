#!/bin/sh
# damon_hugepage on cgroup A, with B beside it (THP enabled=never):
# A's hot region >= 90% in huge pages, A's cold <= 5%, nothing of B; a
# process started in A afterwards is found and collapsed; the procfs record
# has the documented format and agrees with smaps.
. /hp/tests/lib.sh
thp_set never
mkdir /sys/fs/cgroup/A /sys/fs/cgroup/B

HP_CGROUP=/A spawn_hotcold 64 64
A_PID=$PID A_HOT=$HOT_ADDR A_HOT_LEN=$HOT_LEN A_COLD=$COLD_ADDR A_COLD_LEN=$COLD_LEN
HP_CGROUP=/B spawn_hotcold 64 64
B_PID=$PID B_HOT=$HOT_ADDR B_HOT_LEN=$HOT_LEN B_COLD=$COLD_ADDR B_COLD_LEN=$COLD_LEN

hp_set cgroups /A
hp_set enabled Y
cat /proc/damon_hugepage
[ "$(hp_field cgroup:/A state)" = running ] || fail "A is not running"
[ "$(hp_field cgroup:/A procs)" = 1 ] || fail "A does not follow its process"

wait_for 120 huge_at_least $A_PID $A_HOT $A_HOT_LEN 90 || fail "A's hot region below 90% after 120 s"
t=$WAITED
note "A's hot region reached $(pct $A_PID $A_HOT $A_HOT_LEN)% in ${t}s"
sleep 10
a_hot=$(pct $A_PID $A_HOT $A_HOT_LEN)
a_cold=$(pct $A_PID $A_COLD $A_COLD_LEN)
b_hot=$(pct $B_PID $B_HOT $B_HOT_LEN)
b_cold=$(pct $B_PID $B_COLD $B_COLD_LEN)
note "after ${t}s + 10s: A hot ${a_hot}% cold ${a_cold}%, B hot ${b_hot}% cold ${b_cold}%"
[ "$a_hot" -ge 90 ] || fail "A's hot region fell to ${a_hot}%"
[ "$a_cold" -le 5 ] || fail "${a_cold}% of A's cold region collapsed"
[ "$b_hot" -eq 0 ] && [ "$b_cold" -eq 0 ] || fail "B was collapsed (hot ${b_hot}%, cold ${b_cold}%)"

note "a process started in A after the module is enabled"
HP_CGROUP=/A spawn_hotcold 32 32
wait_for 60 hp_is cgroup:/A procs 2 ||
	fail "A's second process is not followed"
wait_for 120 huge_at_least $PID $HOT_ADDR $HOT_LEN 90 || fail "the late process's hot region below 90% after 120 s"
note "the late process's hot region reached $(pct $PID $HOT_ADDR $HOT_LEN)% in ${WAITED}s"

note "procfs format and agreement with smaps"
sleep 3	# one refresh after the last collapse
cat /proc/damon_hugepage
head -n 1 /proc/damon_hugepage | grep -qE '^# damon_hugepage 1 enabled=Y max_kdamonds=[0-9]+$' ||
	fail "bad header: $(head -n 1 /proc/damon_hugepage)"
re='^group=(cgroup:/[^ ]*|pid:[0-9]+) kdamond=-?[0-9]+ state=[a-z_:]+(:-?[0-9]+)? procs=[0-9]+ tuning=(threshold|goal) min_access=[0-9]+ goal_bp=[0-9]+ share_bp=[0-9]+ anon_bytes=[0-9]+ anon_huge_bytes=[0-9]+ nr_tried=[0-9]+ tried_bytes=[0-9]+ nr_collapsed=[0-9]+ collapsed_bytes=[0-9]+ failed_bytes=[0-9]+ quota_exceeds=[0-9]+ wmark=(active|paused)'
if hp_has_guard; then re="$re sparse_skipped=[0-9]+( sampling=(full|backed_off))?\$"; else note "no guard against bloat in this module: no sparse_skipped="; re="$re\$"; fi
tail -n +2 /proc/damon_hugepage | grep -vqE "$re" && fail "a record does not match the documented format"
[ "$(hp_field cgroup:/A kdamond)" = "$(cat $HP_PARAMS/kdamond_pids)" ] || fail "kdamond pid differs from kdamond_pids"
[ "$(hp_field cgroup:/A collapsed_bytes)" -gt 0 ] || fail "no collapsed bytes counted"

# Disabling stops the kdamonds and takes a last reading of the groups'
# memory, so that nothing moves while it is compared with smaps.
hp_set enabled N
[ "$(hp_field cgroup:/A state)" = stopped ] || fail "A is not stopped after enabled=N"
[ -z "$(cat $HP_PARAMS/kdamond_pids)" ] || fail "kdamonds left after enabled=N"
smaps_huge=$(( ($(region_kb $A_PID 0 AnonHugePages 18446744073709551615) + $(region_kb $PID 0 AnonHugePages 18446744073709551615)) * 1024 ))
proc_huge=$(hp_field cgroup:/A anon_huge_bytes)
note "A: AnonHugePages from smaps $smaps_huge B, anon_huge_bytes from procfs $proc_huge B"
[ "$smaps_huge" -eq "$proc_huge" ] || fail "procfs and smaps disagree on A's huge pages"
smaps_anon=$(( ($(awk '/^Anonymous:/ { s += $2 } END { print s }' /proc/$A_PID/smaps) + $(awk '/^Anonymous:/ { s += $2 } END { print s }' /proc/$PID/smaps)) * 1024 ))
proc_anon=$(hp_field cgroup:/A anon_bytes)
note "A: Anonymous from smaps $smaps_anon B, anon_bytes from procfs $proc_anon B"
[ "$smaps_anon" -eq "$proc_anon" ] || fail "procfs and smaps disagree on A's anonymous memory"
echo "PASS: hugepage_ab"
