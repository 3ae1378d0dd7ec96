#!/bin/sh
# Runs inside the test guest (tools/bench/run starts it): one workload under
# each mode in turn, sampling at the start and then once per second the
# share of the hot set in huge pages, the workload's resident memory and
# the CPU time of the threads that collapse for it.  Prints one line per
# sample:
#   DATA WORKLOAD MODE SECONDS HOT_HUGE_PCT RSS_KB CPU_MS
# and one line per mode when it ends:
#   SKIPPED WORKLOAD MODE N    (huge page ranges left alone as too sparse)
# Before the modes, "FLOOR WORKLOAD MIB COLLAPSED CPU_MS": what collapsing a
# hot set of that size costs from user space (tests/progs/collapsecost).
#
# Usage: guest.sh SECONDS HOT_MIB FOOTPRINT_MIB WORKLOAD MODE...
# Workloads (tests/progs/hotset):
#   hotset  the hot set in the middle of a footprint touched once per 2 MiB
#   sparse  the hot set in a mapping of its own, beside such a footprint
#   moving  hotset whose hot set moves to a new place every 20 s
#   procs8  8 processes with 32 MiB hot each (no sparse footprint)
# Modes: never, always (THP never or always, nothing else); khugepaged (THP
# madvise + a DAMON sysfs 'hugepage' scheme, khugepaged collapses);
# collapse (THP never + a plain DAMON sysfs 'collapse' scheme with the
# guard off, max_ptes_none 511); collapse-guard (the same with the guard at
# its default, which follows khugepaged's max_ptes_none); threshold and goal
# (damon_hugepage at its defaults with either tuning, THP never; a mode
# "threshold,NAME=VALUE,..." sets those module parameters first and puts
# them back after, e.g. goal,quota_ms=100);
# damon-threshold damon-goal (hugepaged with its damon backend, THP never:
# the stock kernel's way; also prints "DAEMON WORKLOAD MODE CPU_MS",
# hugepaged's own CPU time).  A mode may end in "@ROUND" (tools/bench/run
# --repeat): the same mode again, printed with that label.
#
# The workload runs in the cgroup /bench (memory controller on), which is
# what the module is given.  khugepaged's max_ptes_none is set to 255 for
# every mode: an operator's limit on bloat, at most half of a huge page
# filled in, which the guard follows by default.
. /hp/tests/lib.sh

duration=$1 hot_mib=$2 foot_mib=$3 workload=$4
shift 4
MAX_PTES_NONE=255
CG=/sys/fs/cgroup/bench
# procs8's shape: this many processes with this many MiB hot each
PROCS8_N=8 PROCS8_MIB=32

# cpu_ms PID...: time the threads spent on a CPU, in milliseconds, from
# /proc/PID/schedstat (exact, unlike the tick-sampled utime and stime)
cpu_ms() {
	local sum=0 p ns
	for p in "$@"; do
		[ -r /proc/$p/schedstat ] || continue
		read -r ns _ < /proc/$p/schedstat
		sum=$((sum + ns / 1000000))
	done
	echo $sum
}

# damon_sysfs_start ACTION MAX_PTES_NONE PID...: one kdamond, one vaddr
# context with a target per PID, and the scheme of the design brief's
# baseline: ACTION on regions of >= 2 MiB with nr_accesses >= 4 of 20
# (lib.sh's damon_start_pids).  Prints the kdamond's pid.
damon_sysfs_start() {
	local action=$1 mpn=$2
	shift 2
	damon_start_pids "$action" 4 "$mpn" "$@"
	cat $DAMON_ADMIN/kdamonds/0/pid
}

# hp_damon_start TUNING: hugepaged with the damon backend, one policy for
# the cgroup /bench (where the workload runs from its start: memory.stat,
# which the goal tuning reads, counts what was charged there); returns
# once the daemon runs a kdamond for it.  Sets HP_DAEMON and HP_KDAMOND
# (their pids).
hp_damon_start() {
	local d=/tmp/hp-bench
	rm -rf $d
	mkdir -p $d/policies.d $d/run
	printf '[Daemon]\nBackend=damon\nKdamondLimit=1\n[Pressure]\nSystemMemoryLimit=0%%\nSystemCPULimit=0%%\n[Tuning]\nTuning=%s\n' \
		"$1" > $d/hugepaged.conf
	printf '[Match]\nCgroupPath=/bench\n' > $d/policies.d/bench.conf
	hugepaged --config $d/hugepaged.conf --policy-dir $d/policies.d --run-dir $d/run > $d/log 2>&1 &
	HP_DAEMON=$!
	wait_for 60 grep -q '^kgroup group=cgroup:/bench .* state=running ' $d/run/status 2>/dev/null ||
		{ cat $d/log >&2; fail "hugepaged did not start a kdamond for /bench"; }
	HP_KDAMOND=$(sed -n 's/^kgroup group=cgroup:\/bench .* kdamond=\([0-9]*\) .*/\1/p' $d/run/status)
}

hp_damon_stop() {
	kill -TERM $HP_DAEMON
	wait $HP_DAEMON
	HP_DAEMON=
}

# sysfs_skipped: the plain scheme's sparse ranges so far
sysfs_skipped() {
	local s=$DAMON_ADMIN/kdamonds/0/contexts/0/schemes/0/stats
	echo update_schemes_stats > $DAMON_ADMIN/kdamonds/0/state || return
	cat $s/nr_sparse_skipped 2>/dev/null || echo 0
}

# hp_params_set "NAME=VALUE,...": set those damon_hugepage parameters (an
# empty list sets none); saved_params gets what they were before.
hp_params_set() {
	local kv
	saved_params=
	for kv in $(echo "$1" | tr ',' ' '); do
		saved_params="$saved_params${saved_params:+,}${kv%%=*}=$(cat $HP_PARAMS/${kv%%=*})" ||
			fail "damon_hugepage has no parameter ${kv%%=*}"
		hp_set "${kv%%=*}" "${kv#*=}"
	done
}

# start_workload: the workload's processes in $CG; sets PIDS and READY
# (their --ready files, read again at every sample: a moving hot set
# rewrites its own)
start_workload() {
	local n=1 i r
	case $workload in
	hotset) args="--hot $hot_mib --footprint $foot_mib" ;;
	sparse) args="--hot $hot_mib --footprint $foot_mib --separate" ;;
	moving) args="--hot $hot_mib --footprint $foot_mib --move-every 20" ;;
	procs8) args="--hot $PROCS8_MIB --footprint $PROCS8_MIB"; n=$PROCS8_N ;;
	*) fail "unknown workload $workload" ;;
	esac
	PIDS= READY=
	i=0
	while [ $i -lt $n ]; do
		r=/tmp/hotset.$i.ready
		rm -f $r
		sh -c "echo \$\$ > $CG/cgroup.procs && exec hotset $args --ready $r" &
		PIDS="$PIDS $!" READY="$READY $r"
		i=$((i + 1))
	done
	for r in $READY; do
		wait_for 300 test -f $r || fail "$workload did not become ready"
	done
}

# sample: "HOT_HUGE_PCT RSS_KB" of the workload now
sample() {
	local huge=0 total=0 rss=0 p i=0 addr len
	for p in $PIDS; do
		i=$((i + 1))
		# the first line of the ready file: "hot ADDR BYTES"
		read -r _ addr len < "$(echo $READY | cut -d ' ' -f $i)"
		set -- $(thpcount $p $addr $len)
		huge=$((huge + $1)) total=$((total + $2))
		rss=$((rss + $(awk '/^VmRSS:/ { print $2 }' /proc/$p/status)))
	done
	echo "$((huge * 100 / total)) $rss"
}

echo $MAX_PTES_NONE > $THP/khugepaged/max_ptes_none || fail "khugepaged max_ptes_none"
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control || fail "memory controller"
mkdir -p $CG

# The floor of every collapsing mode's CPU column: collapsing a hot set as
# large as this workload's with MADV_COLLAPSE from user space, once.
thp_set never
case $workload in
procs8) floor_mib=$((PROCS8_N * PROCS8_MIB)) ;;
*) floor_mib=$hot_mib ;;
esac
collapsecost $floor_mib | sed "s/^COLLAPSECOST /FLOOR $workload /"

for label in "$@"; do
	# "goal,quota_ms=100@2": the second round of goal with those parameters
	mode=${label%@*}
	kind=${mode%%,*} params=
	case $mode in *,*) params=${mode#*,} ;; esac
	case $mode in
	always) thp_set always ;;
	khugepaged) thp_set madvise ;;
	*) thp_set never ;;
	esac
	start_workload

	workers=
	skipped0=$(cat $HP_PARAMS/nr_sparse_skipped 2>/dev/null || echo 0)
	khugepaged=$(pgrep -x khugepaged)
	case $mode in
	never) ;;
	always) workers=$khugepaged ;;
	khugepaged) workers="$(damon_sysfs_start hugepage -1 $PIDS) $khugepaged" ;;
	collapse) workers=$(damon_sysfs_start collapse 511 $PIDS) ;;
	collapse-guard) workers=$(damon_sysfs_start collapse -1 $PIDS) ;;
	damon-threshold|damon-goal)
		hp_damon_start ${mode#damon-}
		workers=$HP_KDAMOND
		daemon_base=$(cpu_ms $HP_DAEMON)
		;;
	threshold|goal|threshold,*|goal,*)
		hp_params_set "$params"
		hp_set tuning $kind
		hp_set cgroups /bench
		hp_set enabled Y
		workers=$(cat $HP_PARAMS/kdamond_pids | tr ',' ' ')
		;;
	*) fail "unknown mode $mode" ;;
	esac
	base=$(cpu_ms $workers)
	# SECONDS of a sample: wall-clock seconds since the mode started, to
	# a hundredth (a sample itself takes a while on a loaded TCG host)
	start=$(uptime_s)
	secs=0.00
	# the share where the mode starts, for t50 and t90 to interpolate from
	echo "DATA $workload $label $secs $(sample) 0"
	while [ "${secs%.*}" -lt "$duration" ]; do
		sleep 1
		secs=$(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }')
		echo "DATA $workload $label $secs $(sample) $(($(cpu_ms $workers) - base))"
		# the module's own view of the group, for reading the log
		case $kind in
		threshold|goal)
			sed -n "s/^group=cgroup:\/bench /STATUS $workload $label $secs /p" \
				/proc/damon_hugepage 2>/dev/null
			;;
		esac
	done
	case $mode in
	khugepaged|collapse|collapse-guard)
		echo "SKIPPED $workload $label $(sysfs_skipped)"
		damon_stop
		;;
	threshold|goal|threshold,*|goal,*)
		hp_set enabled N
		hp_params_set "$saved_params"
		echo "SKIPPED $workload $label $(($(cat $HP_PARAMS/nr_sparse_skipped) - skipped0))"
		;;
	damon-*)
		echo "DAEMON $workload $label $(($(cpu_ms $HP_DAEMON) - daemon_base))"
		echo "SKIPPED $workload $label 0"
		hp_damon_stop
		;;
	*) echo "SKIPPED $workload $label 0" ;;
	esac
	for p in $PIDS; do
		kill $p
		wait $p 2>/dev/null
	done
done
echo "BENCH-DONE"
