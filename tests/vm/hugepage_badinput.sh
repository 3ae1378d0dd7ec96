#!/bin/sh
# Every bad value of a damon_hugepage parameter is refused, logs one line
# that names the parameter, and leaves the running state as it was; no
# write may make the kernel warn or oops.  The 6.12 module refuses every
# bad value when it is written; the 7.3 module takes its numbers through
# modules-common.h's plain parameters and refuses a bad one at the commit
# that would apply it, after which the test writes the old value back.
. /hp/tests/lib.sh
thp_set never
mkdir /sys/fs/cgroup/A /sys/fs/cgroup/A/B
HP_CGROUP=/A spawn_hotcold 16 16
hp_set cgroups /A
hp_set enabled Y

params() { for p in $HP_PARAMS/*; do [ -r "$p" ] && echo "$(basename $p)=$(cat $p)"; done | grep -v '^\(nr_\|bytes_\)'; }
state() { awk '{ print $1, $2, $3 }' /proc/damon_hugepage; }
before_params=$(params)
before_state=$(state)

long=$(awk 'BEGIN { for (i = 0; i < 520; i++) printf "/abcdefgh"; }')
n=0
# bad PARAM VALUE: the write, or else the commit of it, must fail, and
# change nothing
bad() {
	local old
	n=$((n + 1))
	old=$(cat $HP_PARAMS/$1)
	dmesg -c > /dev/null
	if echo "$2" > $HP_PARAMS/$1 2>/dev/null; then
		echo Y > $HP_PARAMS/commit_inputs 2>/dev/null &&
			fail "$1='$2' was accepted, and so was its commit"
		echo "$old" > $HP_PARAMS/$1 || fail "cannot write $1='$old' back"
		at="the commit"
	else
		at="the write"
	fi
	if ! dmesg | grep -q "damon_hugepage: .*$1"; then
		# A plain number parameter's own parser refuses a value that
		# is not a number with -EINVAL and no log line of the module.
		if expr "$2" : '[0-9]*$' > /dev/null || [ "$at" != "the write" ]; then
			fail "$1='$2': no log line naming $1: $(dmesg | tail -n 2)"
		fi
		at="the write (not a number)"
	fi
	[ "$(params)" = "$before_params" ] || fail "$1='$2' changed the parameters"
	[ "$(state)" = "$before_state" ] || fail "$1='$2' changed the running state"
	echo "rejected $1='$(echo "$2" | cut -c1-40)' at $at: $(dmesg | grep damon_hugepage | tail -n 1 | sed 's/^\[[^]]*\] //')"
}

bad cgroups /nonexistent
bad cgroups A
bad cgroups /A,/A
bad cgroups "/A,/nonexistent"
bad cgroups /A/cgroup.procs
bad cgroups "$long"
# overlapping groups: two kdamonds would collapse the same memory
bad cgroups /A,/A/B
bad cgroups /A/B,/A
bad pids 0
bad pids -5
bad pids abc
bad pids 99999
bad pids 2
bad pids "$PID,$PID"
bad max_kdamonds 0
bad max_kdamonds 65
bad max_kdamonds -1
bad sample_interval 0
bad sample_interval 99999999999
bad aggr_interval 0
bad aggr_interval 99999999999999
bad min_nr_regions 0
bad max_nr_regions 9999999
bad tuning fast
bad goal_share_bp 0
bad goal_share_bp 10001
if hp_has_guard; then
	bad max_ptes_none -2
	bad max_ptes_none 512
	bad max_ptes_none few
else
	note "no guard against bloat in this module: max_ptes_none not tested"
fi
bad min_access_floor 0
bad wmarks_low 1001
bad quota_reset_interval_ms 0
bad refresh_interval_ms 0
bad enabled maybe
bad commit_inputs perhaps

# Values that are each in range but do not fit together: the commit fails
# and the running state stays.
hp_set sample_interval 200000
dmesg -c > /dev/null
echo Y > $HP_PARAMS/commit_inputs 2>/dev/null && fail "commit with aggr_interval < sample_interval accepted"
dmesg | grep -q 'damon_hugepage: aggr_interval' || fail "no log line for the failed commit"
[ "$(state)" = "$before_state" ] || fail "the failed commit changed the running state"
hp_set sample_interval 5000
[ "$(params)" = "$before_params" ] || fail "parameters differ after restoring sample_interval"

# A process inside a listed cgroup: each list is good on its own, the
# commit that applies them together fails, naming both, and changes
# nothing.
hp_set pids "$PID"
dmesg -c > /dev/null
echo Y > $HP_PARAMS/commit_inputs 2>/dev/null && fail "commit with pid $PID inside cgroup /A accepted"
dmesg | grep -q "damon_hugepage: pids: $PID is inside cgroup '/A'" ||
	fail "the refused commit does not name both: $(dmesg | grep damon_hugepage | tail -n 1)"
echo "rejected commit of pids=$PID with cgroups=/A: $(dmesg | grep damon_hugepage | tail -n 1 | sed 's/^\[[^]]*\] //')"
[ "$(state)" = "$before_state" ] || fail "the refused commit changed the running state"
hp_set pids ""
[ "$(params)" = "$before_params" ] || fail "parameters differ after clearing pids"

echo "$n bad writes rejected"
hp_set enabled N
echo "PASS: hugepage_badinput"
