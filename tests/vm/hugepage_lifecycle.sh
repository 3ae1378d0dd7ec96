#!/bin/sh
# damon_hugepage's lifecycle: what happens to running groups when inputs
# are written without commit_inputs, when a cgroup or a process goes away,
# and how long writers and readers wait while kdamonds collapse.
#
# Usage: hugepage_lifecycle.sh [SECTION...]  (default: all of them)
. /hp/tests/lib.sh
thp_set never

no_such_pid() { [ ! -d "/proc/$1" ]; }
dying() { awk '$1 == "nr_dying_descendants" { print $2 }' /sys/fs/cgroup/cgroup.stat; }

# fresh CGROUP...: the module disabled with default inputs, and an empty
# cgroup for each name (removing what earlier sections left).
fresh() {
	local g p
	hp_set enabled N
	hp_set cgroups ""
	hp_set pids ""
	hp_set min_nr_regions 10
	hp_set max_nr_regions 1000
	hp_set aggr_interval 100000
	for g in "$@"; do
		if [ -d /sys/fs/cgroup/$g ]; then
			for p in $(cat /sys/fs/cgroup/$g/cgroup.procs); do
				kill $p
				wait $p 2>/dev/null
			done
			wait_for 20 test -z "$(cat /sys/fs/cgroup/$g/cgroup.procs)" || fail "cannot empty $g"
			rmdir /sys/fs/cgroup/$g || fail "rmdir $g"
		fi
		mkdir /sys/fs/cgroup/$g || fail "mkdir $g"
	done
}

h2_refresh() {
	note "H2: inputs written without commit_inputs do not reach a group that the refresh starts"
	fresh L1
	hp_set cgroups /L1
	hp_set enabled Y
	hp_is cgroup:/L1 state idle:no_processes || fail "L1 not idle: $(hp_field cgroup:/L1 state)"
	# each in range, together bad
	hp_set max_nr_regions 5
	hp_set min_nr_regions 10
	HP_CGROUP=/L1 spawn_hotcold 8 8
	wait_for 30 hp_is cgroup:/L1 state running ||
		fail "L1 did not start with the committed inputs: $(hp_field cgroup:/L1 state)"
	note "L1 started ${WAITED}s after its process came, with the committed inputs"
	dmesg -c > /dev/null
	echo Y > $HP_PARAMS/commit_inputs 2>/dev/null && fail "a commit with min_nr_regions > max_nr_regions was accepted"
	dmesg | grep -q 'damon_hugepage: max_nr_regions' || fail "the refused commit logged nothing"
	hp_is cgroup:/L1 state running || fail "L1 is $(hp_field cgroup:/L1 state) after the refused commit"
}

h2_commit() {
	note "H2: a bad input written right after a commit does not stop the kdamonds"
	fresh L2
	HP_CGROUP=/L2 spawn_hotcold 8 8
	hp_set cgroups /L2
	hp_set enabled Y
	kd=$(hp_field cgroup:/L2 kdamond)
	[ "$kd" -gt 0 ] || fail "L2 has no kdamond"
	# A long aggregation interval, so that the bad write below lands
	# before the kdamond takes the commit at its next aggregation.
	hp_set aggr_interval 2000000
	hp_set commit_inputs Y
	hp_set min_nr_regions 2000
	kd_gone() { [ ! -d /proc/$kd ] || ! hp_is cgroup:/L2 kdamond "$kd"; }
	if wait_for 10 kd_gone; then
		fail "L2's kdamond $kd stopped ${WAITED}s after the bad write; L2: $(hp_field cgroup:/L2 state), kdamond $(hp_field cgroup:/L2 kdamond)"
	fi
	hp_is cgroup:/L2 state running || fail "L2 is $(hp_field cgroup:/L2 state)"
}

m2() {
	note "M2: a removed cgroup and an exited process do not block later commits, nor stay pinned"
	fresh L3 L4
	HP_CGROUP=/L3 spawn_hotcold 8 8
	l3=$PID
	HP_CGROUP=/L4 spawn_hotcold 8 8
	spawn_hotcold 8 8
	p=$PID
	hp_set cgroups /L3,/L4
	hp_set pids $p
	hp_set enabled Y
	kill $l3 $p
	wait $l3 $p 2>/dev/null
	rmdir /sys/fs/cgroup/L3 || fail "rmdir L3"
	wait_for 20 hp_is cgroup:/L3 state gone:cgroup_removed || fail "L3 not gone: $(hp_field cgroup:/L3 state)"
	wait_for 20 hp_is pid:$p state gone:pid_exited || fail "pid $p not gone: $(hp_field pid:$p state)"
	hp_set quota_ms 20
	dmesg -c > /dev/null
	echo Y > $HP_PARAMS/commit_inputs ||
		fail "a commit with a removed cgroup and an exited process in the lists failed: $(dmesg | tail -n 2)"
	hp_is cgroup:/L3 state gone:cgroup_removed || fail "L3 is $(hp_field cgroup:/L3 state) after the commit"
	hp_is pid:$p state gone:pid_exited || fail "pid $p is $(hp_field pid:$p state) after the commit"
	hp_is cgroup:/L4 state running || fail "L4 is $(hp_field cgroup:/L4 state) after the commit"
	# No memory controller here, so no charged page keeps the cgroup:
	# it is freed once its last reference goes.
	wait_for 30 test "$(dying)" = 0 || fail "the removed cgroup stays pinned: nr_dying_descendants=$(dying)"
	note "the removed cgroup was freed ${WAITED}s after it was dropped"
}

m5() {
	note "M5: enabled=N and procfs do not wait for a kdamond in the middle of a collapse"
	fresh L5
	# No quota: each aggregation collapses all of a 256 MiB hot region,
	# which takes seconds under TCG.
	hp_set quota_ms 0
	hp_set quota_sz 0
	HP_CGROUP=/L5 spawn_hotcold 256 8
	hp_set cgroups /L5
	hp_set enabled Y
	tried() { [ "$(hp_field cgroup:/L5 nr_tried)" -gt 0 ]; }
	wait_for 120 tried || fail "L5 tried no collapse in 120 s"
	kd=$(hp_field cgroup:/L5 kdamond)
	read_status() { while read -r _; do :; done < /proc/damon_hugepage; }
	timed read_status
	note "reading /proc/damon_hugepage: ${WALL}s, ${BLOCKED}s of it blocked"
	seconds_at_most 1 "$BLOCKED" || fail "reading /proc/damon_hugepage blocked for ${BLOCKED}s"
	timed hp_set enabled N
	note "enabled=N: ${WALL}s, ${BLOCKED}s of it blocked"
	seconds_at_most 1 "$BLOCKED" || fail "enabled=N blocked for ${BLOCKED}s"
	[ -z "$(cat $HP_PARAMS/kdamond_pids)" ] || fail "kdamonds listed after enabled=N: $(cat $HP_PARAMS/kdamond_pids)"
	wait_for 60 no_such_pid "$kd" || fail "L5's kdamond $kd did not stop in 60 s"
	note "its kdamond stopped ${WAITED}s later"
}

sections=${*:-h2_refresh h2_commit m2 m5}
for s in $sections; do
	$s
done
hp_set enabled N
dmesg | grep -E 'WARNING|BUG|Oops' && fail "the kernel complained"
echo "PASS: hugepage_lifecycle"
