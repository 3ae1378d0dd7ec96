#!/bin/sh
# damon_hugepage's kdamond limit, commit_inputs while running, and a group
# whose cgroup goes away (THP enabled=never).
. /hp/tests/lib.sh
thp_set never

nr_kdamonds() { cat $HP_PARAMS/kdamond_pids | tr ',' '\n' | grep -c .; }

for g in C1 C2 C3; do
	mkdir /sys/fs/cgroup/$g
	HP_CGROUP=/$g spawn_hotcold 16 16
	eval "${g}_PID=$PID"
done

note "max_kdamonds=2 with three cgroups"
hp_set max_kdamonds 2
hp_set cgroups /C1,/C2,/C3
hp_set enabled Y
cat /proc/damon_hugepage
[ "$(nr_kdamonds)" = 2 ] || fail "$(nr_kdamonds) kdamonds run, not 2"
[ "$(ps -o comm | grep -c '^kdamond')" = 2 ] || fail "not exactly two kdamond threads"
[ "$(hp_field cgroup:/C1 state)" = running ] || fail "C1 not running"
[ "$(hp_field cgroup:/C2 state)" = running ] || fail "C2 not running"
[ "$(hp_field cgroup:/C3 state)" = refused:kdamond_limit ] || fail "C3 not refused: $(hp_field cgroup:/C3 state)"
[ "$(hp_field cgroup:/C3 kdamond)" = -1 ] || fail "C3 has a kdamond"

note "raising the limit with commit_inputs starts C3; C1 and C2 keep their kdamonds"
c1_kdamond=$(hp_field cgroup:/C1 kdamond)
hp_set max_kdamonds 3
[ "$(hp_field cgroup:/C3 state)" = refused:kdamond_limit ] || fail "max_kdamonds applied before commit_inputs"
hp_set commit_inputs Y
cat /proc/damon_hugepage
[ "$(hp_field cgroup:/C3 state)" = running ] || fail "C3 not started after the commit"
[ "$(nr_kdamonds)" = 3 ] || fail "$(nr_kdamonds) kdamonds after raising the limit"
[ "$(hp_field cgroup:/C1 kdamond)" = "$c1_kdamond" ] || fail "C1's kdamond was restarted"
# All of C3's 16 MiB hot set: under the quota, the regions collapsed
# first score lowest and leave the quota to the last ones (before that,
# the last huge page took from 2 s to over 120 s).
c3_has_huge() { [ "$(hp_field cgroup:/C3 anon_huge_bytes)" -ge $((16 << 20)) ]; }
wait_for 120 c3_has_huge || fail "C3 got under 16 MiB of huge pages in 120 s: $(hp_field cgroup:/C3 anon_huge_bytes) B"
note "C3 has $(hp_field cgroup:/C3 anon_huge_bytes) bytes in huge pages ${WAITED}s after it started"

note "commit_inputs changes the tuning of running groups without restarting them"
hp_set tuning goal
hp_set goal_share_bp 5000
[ "$(hp_field cgroup:/C1 tuning)" = threshold ] || fail "tuning applied before commit_inputs"
hp_set commit_inputs Y
sleep 2
[ "$(hp_field cgroup:/C1 tuning)" = goal ] || fail "tuning not committed"
[ "$(hp_field cgroup:/C1 goal_bp)" = 5000 ] || fail "goal not committed"
[ "$(hp_field cgroup:/C1 kdamond)" = "$c1_kdamond" ] || fail "C1's kdamond was restarted by the commit"

note "commit_inputs drops a group that leaves the list, and lowering the limit refuses the last"
hp_set cgroups /C1,/C3
hp_set max_kdamonds 1
hp_set commit_inputs Y
cat /proc/damon_hugepage
[ -z "$(hp_field cgroup:/C2 state)" ] || fail "C2 still listed"
[ "$(hp_field cgroup:/C3 state)" = refused:kdamond_limit ] || fail "C3 not refused under max_kdamonds=1"
[ "$(nr_kdamonds)" = 1 ] || fail "$(nr_kdamonds) kdamonds under max_kdamonds=1"
hp_set max_kdamonds 2
hp_set commit_inputs Y

note "emptying and removing a monitored cgroup"
c3_kdamond=$(hp_field cgroup:/C3 kdamond)
[ "$c3_kdamond" -gt 0 ] || fail "C3 not running again"
kill $C3_PID
wait $C3_PID 2>/dev/null
wait_for 20 hp_is cgroup:/C3 state idle:no_processes ||
	fail "C3 not idle after its process exited: $(hp_field cgroup:/C3 state)"
rmdir /sys/fs/cgroup/C3 || fail "cannot remove C3"
wait_for 20 hp_is cgroup:/C3 state gone:cgroup_removed ||
	fail "C3 not reported gone: $(hp_field cgroup:/C3 state)"
cat /proc/damon_hugepage
# a group lets its kdamond go at once; the kdamond ends in the background
kdamond_ended() { [ ! -d /proc/$c3_kdamond ]; }
wait_for 20 kdamond_ended || fail "C3's kdamond $c3_kdamond still exists"
[ "$(nr_kdamonds)" = 1 ] || fail "$(nr_kdamonds) kdamonds after C3 went away"

hp_set enabled N
[ "$(nr_kdamonds)" = 0 ] || fail "kdamonds left after enabled=N"
dmesg | grep -E 'WARNING|BUG|Oops' && fail "the kernel complained"
echo "PASS: hugepage_limit"
