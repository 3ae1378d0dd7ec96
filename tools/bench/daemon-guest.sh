#!/bin/sh
# Guest half of tools/bench/daemon: hugepaged's reaction times, the cost of
# an idle daemon, and a full rescan of 10,000 cgroups.  Prints "DATA key=value"
# lines for the host.
. /hp/tests/lib.sh
thp_set never
swap_on 512
IDLE=${1:-60}
ONLY=${2:-all}

HP=/tmp/hp
mkdir -p $HP/policies.d $HP/run
cat > $HP/hugepaged.conf <<'CONF'
[Daemon]
KdamondLimit=4
[Pressure]
SystemMemoryLimit=0%
SystemCPULimit=0%
CONF
# Reaction policies: no minimum size and no pressure duration, so the
# time measured is the daemon's, not a configured delay.
printf '[Match]\nCgroupPath=/r*\n[Policy]\nPriority=10\n' > $HP/policies.d/10-r.conf
printf '[Match]\nCgroupPath=/p\n[Policy]\nPriority=20\nMemoryPressureLimit=10%%\nMemoryPressureDurationSec=0\n' \
	> $HP/policies.d/20-p.conf

start_daemon() {
	hugepaged --config $HP/hugepaged.conf --policy-dir $HP/policies.d --run-dir $HP/run "$@" \
		> $HP/log 2>&1 &
	DAEMON=$!
	wait_for 30 test -f $HP/run/status || { cat $HP/log; fail "hugepaged did not start"; }
}
stop_daemon() { kill $DAEMON; wait $DAEMON; rm -f $HP/run/status; }
# ctx PID: voluntary + involuntary context switches (each wakeup is one).
ctx() { awk '/ctxt_switches/ { n += $2 } END { print n }' /proc/$1/status; }
# cpu_ms PID: time on CPU, from schedstat (ns).
cpu_ms() { awk '{ printf "%.1f", $1 / 1e6 }' /proc/$1/schedstat; }

echo +memory > /sys/fs/cgroup/cgroup.subtree_control
if [ "$ONLY" != rescan ]; then
start_daemon

note "reaction to cgroup creation and removal (10 rounds)"
reaction cgroup /sys/fs/cgroup r 10 /proc/damon_hugepage | tee $HP/react.txt || fail "cgroup reaction failed"
sed -n 's/^cgroup_\(fed\|dropped\)_ms median=\([0-9.]*\) min=\([0-9.]*\) max=\([0-9.]*\).*/DATA cgroup_\1 median=\2 min=\3 max=\4/p' $HP/react.txt

note "reaction to a PSI threshold crossing (3 rounds)"
# The daemon's trigger for 10% with no duration: 50 ms stall in 500 ms.
mkdir -p /sys/fs/cgroup/p/work
echo +memory > /sys/fs/cgroup/p/cgroup.subtree_control
HP_CGROUP=/p/work spawn_hotcold 8 8
for i in 1 2 3; do
	wait_for 120 grep -q "group=cgroup:/p " /proc/damon_hugepage || fail "/p not fed"
	sleep 2
	reaction psi /sys/fs/cgroup/p /p "some 50000 500000" /proc/damon_hugepage 120 > $HP/psi.txt &
	R=$!
	sleep 1
	pressure_start /p/hog 48 96
	wait $R || { cat $HP/psi.txt; fail "PSI reaction failed"; }
	cat $HP/psi.txt
	sed -n "s/^psi_paused_ms=/DATA psi_paused round=$i ms=/p" $HP/psi.txt
	pressure_stop
done
kill $PID
stop_daemon

# idle KEY: wakeups and CPU time of the running daemon over IDLE seconds.
idle() {
	local c0 t0 c1 t1
	sleep 2
	c0=$(ctx $DAEMON) t0=$(cpu_ms $DAEMON)
	sleep $IDLE
	c1=$(ctx $DAEMON) t1=$(cpu_ms $DAEMON)
	echo "DATA $1 seconds=$IDLE wakeups=$((c1 - c0)) cpu_ms=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }')"
}

note "idle daemon over ${IDLE} s: nothing matched"
rmdir /sys/fs/cgroup/p/hog /sys/fs/cgroup/p/work /sys/fs/cgroup/p 2>/dev/null
start_daemon
idle idle_unmatched
stop_daemon

note "idle daemon over ${IDLE} s: two groups matched and fed, default RefreshIntervalSec"
for g in r1 r2; do
	mkdir -p /sys/fs/cgroup/$g
	sh -c "echo \$\$ > /sys/fs/cgroup/$g/cgroup.procs && exec sleep 100000" &
done
start_daemon
wait_for 30 grep -q 'group=cgroup:/r2 ' /proc/damon_hugepage || fail "r2 not fed"
idle idle_fed
stop_daemon
fi

note "full rescan with 10,000 cgroups (100 x 100 under /bench)"
mkdir /sys/fs/cgroup/bench
python3 - <<'PY'
import os
for i in range(100):
    d = "/sys/fs/cgroup/bench/s%d" % i
    os.mkdir(d)
    for j in range(99):
        os.mkdir("%s/c%d" % (d, j))
PY
n=$(find /sys/fs/cgroup -type d | wc -l)
note "$n cgroups in the tree"
sysctl -w fs.inotify.max_user_watches=65536 > /dev/null
start_daemon --debug
wait_for 60 grep -q 'rescan: ' $HP/log || fail "no rescan logged"
first=$(grep 'rescan: ' $HP/log | tail -n 1)
for i in 1 2 3; do
	kill -HUP $DAEMON
	wait_for 60 sh -c "[ \$(grep -c 'rescan: ' $HP/log) -gt $i ]" || fail "no rescan after SIGHUP"
done
grep 'rescan: ' $HP/log
echo "$first" | sed -n 's/.*rescan: \([0-9]*\) cgroups, .*, \([0-9]*\) us/DATA rescan_start cgroups=\1 us=\2/p'
grep 'rescan: ' $HP/log | tail -n 3 | sed -n 's/.*rescan: \([0-9]*\) cgroups, .*, \([0-9]*\) us/DATA rescan cgroups=\1 us=\2/p'
echo "DATA daemon_rss_kb=$(awk '/VmRSS/ { print $2 }' /proc/$DAEMON/status)"
stop_daemon
echo "daemon bench done"
