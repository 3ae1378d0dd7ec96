#!/bin/sh
# Runs inside the test guest (tools/bench/run starts it): the hotset
# workload under each mode in turn, sampling once per second the share of
# the hot set in huge pages, the workload's resident memory and the CPU
# time of the threads that collapse for it.  Prints one line per sample:
#   DATA MODE SECONDS HOT_HUGE_PCT RSS_KB CPU_MS
# Usage: guest.sh SECONDS HOT_MIB FOOTPRINT_MIB MODE...
# Modes: never always khugepaged collapse threshold goal (damon_hugepage),
# damon-threshold damon-goal (hugepaged with its damon backend, THP never:
# the stock kernel's way; also prints "DAEMON MODE CPU_MS", hugepaged's own
# CPU time)
. /hp/tests/lib.sh

duration=$1 hot_mib=$2 foot_mib=$3
shift 3

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

# damon_sysfs_scheme PID ACTION: the plain DAMON sysfs scheme of the
# design brief's baseline (>= 2 MiB regions, nr_accesses >= 4 of 20).
damon_sysfs_scheme() {
	damon_start "$1" "$2" 4
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

for mode in "$@"; do
	case $mode in
	always) thp_set always ;;
	khugepaged) thp_set madvise ;;
	*) thp_set never ;;
	esac
	ready=/tmp/hotset.ready
	rm -f $ready
	case $mode in
	damon-*)
		grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
			echo +memory > /sys/fs/cgroup/cgroup.subtree_control
		mkdir -p /sys/fs/cgroup/bench
		sh -c "echo \$\$ > /sys/fs/cgroup/bench/cgroup.procs && exec hotset --hot $hot_mib --footprint $foot_mib --ready $ready" &
		;;
	*) hotset --hot "$hot_mib" --footprint "$foot_mib" --ready $ready & ;;
	esac
	pid=$!
	while [ ! -f $ready ]; do sleep 0.1; done
	set -- $(cat $ready)
	hot=$2 hot_len=$3

	workers=
	khugepaged=$(pgrep -x khugepaged)
	case $mode in
	never) ;;
	always) workers=$khugepaged ;;
	khugepaged) workers="$(damon_sysfs_scheme $pid hugepage) $khugepaged" ;;
	collapse) workers=$(damon_sysfs_scheme $pid collapse) ;;
	damon-threshold|damon-goal)
		hp_damon_start ${mode#damon-}
		workers=$HP_KDAMOND
		daemon_base=$(cpu_ms $HP_DAEMON)
		;;
	threshold|goal)
		hp_set tuning $mode
		hp_set pids $pid
		hp_set enabled Y
		workers=$(cat $HP_PARAMS/kdamond_pids | tr ',' ' ')
		;;
	*) fail "unknown mode $mode" ;;
	esac
	base=$(cpu_ms $workers)
	t=0
	while [ $t -lt "$duration" ]; do
		sleep 1
		t=$((t + 1))
		set -- $(thpcount $pid $hot $hot_len)
		rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status)
		echo "DATA $mode $t $(($1 * 100 / $2)) $rss $(($(cpu_ms $workers) - base))"
	done
	case $mode in
	khugepaged|collapse) damon_stop ;;
	threshold|goal) hp_set enabled N ;;
	damon-*)
		echo "DAEMON $mode $(($(cpu_ms $HP_DAEMON) - daemon_base))"
		kill $pid
		wait $pid 2>/dev/null
		hp_damon_stop
		rmdir /sys/fs/cgroup/bench
		continue
		;;
	esac
	kill $pid
	wait $pid 2>/dev/null
done
echo "BENCH-DONE"
