#!/bin/sh
# hugepaged's damon backend on a stock kernel (Linux 7.3, no patch, THP
# enabled=never), sharing DAMON sysfs with a plain script:
#   - a kdamond the script started before the daemon, with no slot free:
#     the daemon feeds nothing, says so, and leaves it alone;
#   - the operator makes room (nr_kdamonds 4): two groups fed under
#     KdamondLimit=2 (from the free slots at the end), the third refused;
#   - A's hot region >= 90% in huge pages, A's cold <= 5%, none of B
#     (which no policy matches); a process started in A later is followed
#     and collapsed too;
#   - a kdamond the script starts while the daemon runs: left alone, reported;
#   - kill -9 and a restart: the same kdamonds adopted, nothing restarted;
#   - memory pressure in A stops its kdamond, ResumeDelaySec= later it runs again;
#   - C emptied and removed: its kdamond stops;
#   - SIGTERM: the daemon's kdamonds stop, the script's keep running.
. /hp/tests/lib.sh
thp_set never
swap_on 512

HP=/tmp/hp
mkdir -p $HP/policies.d $HP/run
STATUS=$HP/run/status
LOG=$HP/log
K=$DAMON_ADMIN/kdamonds
fail() {
	echo "FAIL: $*"
	[ -f $STATUS ] && sed 's/^/#   status: /' $STATUS
	[ -f $LOG ] && tail -n 80 $LOG | sed 's/^/#   log: /'
	exit 1
}

cat > $HP/hugepaged.conf <<'CONF'
[Daemon]
Backend=damon
KdamondLimit=2
RefreshIntervalSec=2
ResumeDelaySec=3
HoldSec=0
[Pressure]
SystemMemoryLimit=0%
SystemCPULimit=0%
[Tuning]
Tuning=threshold
CONF
policy() {	# policy FILE PATH PRIORITY [MORE LINES]
	f=$1 p=$2 prio=$3
	shift 3
	{
		printf '[Match]\nCgroupPath=%s\n[Policy]\nPriority=%s\n' "$p" "$prio"
		for l in "$@"; do echo "$l"; done
	} > $HP/policies.d/$f
}
policy 10-a.conf /A 30 MemoryPressureLimit=10% MemoryPressureDurationSec=1s
policy 20-c.conf /C 20
policy 30-d.conf /D 10

# Readers of the daemon's status.
decision() { sed -n "s|^group path=$1 .* decision=\([^ ]*\) .*|\1|p" $STATUS; }
decision_is() { [ "$(decision $1)" = "$2" ]; }
reason() { sed -n "s|^group path=$1 .*reason=||p" $STATUS; }
kg() {	# kg PATH FIELD: FIELD of the kernel record of PATH
	awk -v g="group=cgroup:$1" -v f="$2" '$1 == "kgroup" && $2 == g {
		for (i = 3; i <= NF; i++) {
			n = index($i, "=")
			if (substr($i, 1, n - 1) == f) print substr($i, n + 1)
		}
	}' $STATUS
}
kg_is() { [ "$(kg $1 $2)" = "$3" ]; }
show() { grep -E '^(group|kgroup|kdamond|kernel)' $STATUS | sed 's/^/#   /'; }
log_has() { grep -q -- "$1" $LOG; }
log_count() { grep -c -- "$1" $LOG; }
# DAMON sysfs try-locks one mutex for most of its files and answers EBUSY
# while another user holds it (the daemon does, while a kdamond handles a
# commit or a stats update): every client retries, as these do.
sysfs_read() {
	local i=0 v
	until v=$(cat "$1" 2>/dev/null); do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "sysfs_read: $1 busy" >&2; return 1; }
		sleep 0.01
	done
	echo "$v"
}
sysfs_write() {	# sysfs_write VALUE FILE
	local i=0
	until echo "$1" > "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "sysfs_write: $2: '$1' refused" >&2; return 1; }
		sleep 0.01
	done
}
state() { sysfs_read $K/$1/state; }
kpid() { sysfs_read $K/$1/pid; }
running() {	# running PID: is there a kdamond thread of that pid?
	[ -n "$1" ] && [ "$1" -gt 0 ] && [ "$(cat /proc/$1/comm 2>/dev/null | cut -c1-7)" = kdamond ]
}

# A plain script's kdamond in slot SLOT (which must exist and be free):
# a stat scheme on process PID.  Sets FOREIGN_PID.
foreign_start() {
	local c=$K/$1/contexts/0 s
	sysfs_write 1 $K/$1/contexts/nr_contexts || fail "script: nr_contexts of $1"
	sysfs_write vaddr $c/operations || fail "script: operations"
	sysfs_write 1 $c/targets/nr_targets || fail "script: nr_targets"
	sysfs_write "$2" $c/targets/0/pid_target || fail "script: pid_target"
	sysfs_write 1 $c/schemes/nr_schemes || fail "script: nr_schemes"
	s=$c/schemes/0
	sysfs_write stat $s/action || fail "script: action"
	sysfs_write on $K/$1/state || fail "script: kdamond $1 did not start"
	FOREIGN_PID=$(kpid $1)
}

echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/A/work /sys/fs/cgroup/B /sys/fs/cgroup/C /sys/fs/cgroup/D
echo +memory > /sys/fs/cgroup/A/cgroup.subtree_control
HP_CGROUP=/A/work spawn_hotcold 64 64
A_PID=$PID A_HOT=$HOT_ADDR A_HLEN=$HOT_LEN A_COLD=$COLD_ADDR A_CLEN=$COLD_LEN
HP_CGROUP=/B spawn_hotcold 64 64
B_PID=$PID B_HOT=$HOT_ADDR B_HLEN=$HOT_LEN B_COLD=$COLD_ADDR B_CLEN=$COLD_LEN
HP_CGROUP=/C spawn_hotcold 16 16
C_PID=$PID
HP_CGROUP=/D spawn_hotcold 16 16
D_PID=$PID
# The scripts' kdamonds monitor a process that only sleeps: the guest's
# two CPUs are busy enough with the workloads.
sleep 100000 &
X_PID=$!

note "a plain script's kdamond, started before the daemon, takes the only slot"
damon_start $X_PID stat 4
P0=$(kpid 0)
running $P0 || fail "the script's kdamond does not run"

start_daemon() {
	hugepaged --debug --config $HP/hugepaged.conf --policy-dir $HP/policies.d --run-dir $HP/run >> $LOG 2>&1 &
	DAEMON=$!
}
start_daemon
wait_for 30 test -f $STATUS || fail "no status file"
wait_for 30 decision_is /A waiting || { show; fail "A is $(decision /A), not waiting"; }
note "A waits ${WAITED}s after the start: $(reason /A)"
reason /A | grep -q "kdamond 0 (pid $P0) is not hugepaged's" || fail "A's reason does not name the script's kdamond"
decision_is /C waiting || fail "C is $(decision /C), not waiting"
decision_is /D refused || fail "D is $(decision /D), not refused"
grep -q '^daemon .*backend=damon ' $STATUS || fail "the status does not name the damon backend"
grep -q '^daemon .*features=damon_sysfs,vaddr' $STATUS || fail "the status does not list the kernel's features"
log_has "backend damon" || fail "the journal does not name the backend at start"
sleep 3
[ "$(log_count '^hugepaged: DAMON sysfs is busy')" = 1 ] || fail "the busy interface was not logged exactly once"
[ "$(sysfs_read $K/nr_kdamonds)" = 1 ] || fail "nr_kdamonds changed under the script's kdamond"
[ "$(kpid 0)" = "$P0" ] && [ "$(state 0)" = on ] || fail "the script's kdamond was touched"
[ "$(sysfs_read $K/0/contexts/0/schemes/0/action)" = stat ] || fail "the script's scheme was changed"
hugepagectl --status-file $STATUS status > $HP/ctl.txt || { cat $HP/ctl.txt; fail "hugepagectl status failed"; }
sed 's/^/#   /' $HP/ctl.txt
grep -q "^  kdamond 0: pid $P0, running" $HP/ctl.txt || fail "hugepagectl does not report the script's kdamond"
grep -q '^  Busy: DAMON sysfs is busy' $HP/ctl.txt || fail "hugepagectl does not say the interface is busy"
# collapse is known once a slot of hugepaged's was probed; none yet.
grep -q '^  Kernel features: damon_sysfs, vaddr, .*probe_pending; action collapse' $HP/ctl.txt ||
	fail "hugepagectl does not list the features"

note "the operator makes room: four slots, its own kdamond again in slot 0"
sysfs_write off $K/0/state || fail "cannot stop the script's kdamond"
sysfs_write 4 $K/nr_kdamonds || fail "cannot grow nr_kdamonds with nothing running"
foreign_start 0 $X_PID
P0=$FOREIGN_PID
wait_for 30 decision_is /A fed || { show; fail "A is $(decision /A) after the operator made room"; }
note "A fed ${WAITED}s after that"
wait_for 10 decision_is /C fed || { show; fail "C is $(decision /C)"; }
decision_is /D refused || fail "D is $(decision /D), not refused"
reason /D | grep -q 'kdamond limit 2 reached' || fail "D's reason does not name the limit"
A_SLOT=$(kg /A slot) C_SLOT=$(kg /C slot)
note "A in slot $A_SLOT, C in slot $C_SLOT"
[ "$A_SLOT" = 3 ] && [ "$C_SLOT" = 2 ] || fail "the free slots are taken from the end (A $A_SLOT, C $C_SLOT)"
KA=$(kg /A kdamond) KC=$(kg /C kdamond)
running $KA && running $KC || fail "A's or C's kdamond does not run ($KA, $KC)"
[ "$(kpid $A_SLOT)" = "$KA" ] || fail "status and DAMON sysfs disagree on A's kdamond"
[ "$(sysfs_read $K/$A_SLOT/contexts/0/schemes/0/action)" = collapse ] || fail "A's scheme is not collapse"
grep -q '^daemon .*features=damon_sysfs,vaddr,collapse,quota_goals,intervals_goal,obsolete_target.* action=collapse ' $STATUS ||
	fail "the status does not list the features probed"
[ "$(kpid 0)" = "$P0" ] || fail "the script's kdamond was touched: pid $(kpid 0), not $P0"
[ "$(sysfs_read $K/1/contexts/nr_contexts)" = 0 ] || fail "slot 1 is not left free"
show

note "A's hot region into huge pages, cold and B untouched"
wait_for 240 huge_at_least $A_PID $A_HOT $A_HLEN 90 || fail "A's hot region at $(pct $A_PID $A_HOT $A_HLEN)% after 240 s"
note "A's hot region reached $(pct $A_PID $A_HOT $A_HLEN)% in ${WAITED}s"
sleep 5
a_cold=$(pct $A_PID $A_COLD $A_CLEN) b_hot=$(pct $B_PID $B_HOT $B_HLEN) b_cold=$(pct $B_PID $B_COLD $B_CLEN)
note "A cold ${a_cold}%, B hot ${b_hot}% cold ${b_cold}%"
[ "$a_cold" -le 5 ] || fail "${a_cold}% of A's cold region collapsed"
[ "$b_hot" -eq 0 ] && [ "$b_cold" -eq 0 ] || fail "B was collapsed (hot ${b_hot}%, cold ${b_cold}%)"
kill $B_PID	# its CPU time is better spent on the rest
[ "$(kg /A state)" = running ] || fail "the status does not say A's kdamond runs"
[ "$(kg /A collapsed_bytes)" -gt 0 ] || fail "no collapsed bytes in A's readout"

note "a process started in A later is followed and collapsed"
# 64 MiB hot, as A's first: DAMON's regions are not kept on huge page
# boundaries (the module's are), so each edge of a hot region can cost
# its huge page until DAMON's region boundaries move; 90% of 16 MiB would
# need every one of its 8.
HP_CGROUP=/A/work spawn_hotcold 64 16
LATE_PID=$PID LATE_HOT=$HOT_ADDR LATE_HLEN=$HOT_LEN
wait_for 20 kg_is /A procs 2 || fail "A's second process is not followed ($(kg /A procs) targets)"
note "followed within ${WAITED}s"
[ "$(kg /A kdamond)" = "$KA" ] || fail "A's kdamond was restarted to follow the process"
wait_for 180 huge_at_least $LATE_PID $LATE_HOT $LATE_HLEN 90 || fail "the late process at $(pct $LATE_PID $LATE_HOT $LATE_HLEN)% after 180 s"
note "its hot region reached $(pct $LATE_PID $LATE_HOT $LATE_HLEN)% in ${WAITED}s"
kill $LATE_PID

note "a plain script's kdamond started while the daemon runs: left alone and reported"
foreign_start 1 $X_PID
P1=$FOREIGN_PID
wait_for 20 log_has "kdamond 1 (pid $P1) runs and is not hugepaged's" || fail "the new kdamond is not reported"
wait_for 20 grep -q "^kdamond slot=1 pid=$P1 state=on owner=other" $STATUS || fail "the status does not list it"
sleep 3
[ "$(kpid 1)" = "$P1" ] && [ "$(kpid 0)" = "$P0" ] || fail "a script's kdamond was touched"

note "kill -9, then a restart: the same kdamonds are adopted"
kill -9 $DAEMON
wait $DAEMON 2>/dev/null
running $KA && running $KC || fail "the kdamonds died with the daemon"
ons_before=$(grep -c 'kdamond [0-9]* started' $LOG)
start_daemon
wait_for 30 log_has "/A: adopting kdamond $A_SLOT (pid $KA)" || fail "A's kdamond was not adopted"
wait_for 30 decision_is /A fed || fail "A is $(decision /A) after the restart"
wait_for 10 decision_is /C fed || fail "C is $(decision /C) after the restart"
sleep 3
[ "$(kg /A kdamond)" = "$KA" ] && [ "$(kg /C kdamond)" = "$KC" ] || fail "not the same kdamonds: $(kg /A kdamond), $(kg /C kdamond)"
[ "$(grep -c 'kdamond [0-9]* started' $LOG)" = "$ons_before" ] || fail "a kdamond was started again after the restart"
[ "$(sysfs_read $K/nr_kdamonds)" = 4 ] || fail "nr_kdamonds changed"
[ "$(kpid 0)" = "$P0" ] && [ "$(kpid 1)" = "$P1" ] || fail "a script's kdamond was touched by the restart"

note "memory pressure in A stops its kdamond; it runs again after ResumeDelaySec="
pressure_start /A/hog 48 96
wait_for 60 decision_is /A paused || { show; cat /sys/fs/cgroup/A/memory.pressure; fail "A not paused"; }
note "A paused ${WAITED}s after the hog wrote its memory"
a_stopped() { ! running $KA; }
wait_for 10 a_stopped || fail "A's kdamond $KA still runs while A is paused"
wait_for 20 decision_is /D fed || { show; fail "D did not get the slot while A is paused"; }
pressure_stop
wait_for 120 decision_is /A fed || { show; cat /sys/fs/cgroup/A/memory.pressure; fail "A not resumed"; }
note "A resumed ${WAITED}s after the hog stopped"
KA=$(kg /A kdamond)
running $KA || fail "A's kdamond does not run after resuming"
wait_for 10 decision_is /D refused || fail "D is $(decision /D) after A resumed"

note "C emptied and removed: its kdamond stops"
KC=$(kg /C kdamond)
kill $C_PID
wait $C_PID 2>/dev/null
wait_for 10 rmdir /sys/fs/cgroup/C || fail "cannot remove C"
wait_for 20 log_has "/C: dropped (cgroup removed)" || fail "C's removal not logged"
gone() { ! running $KC; }
wait_for 20 gone || fail "C's kdamond $KC still runs"
wait_for 20 decision_is /D fed || { show; fail "D did not take C's place"; }

note "SIGTERM: the daemon's kdamonds stop, the scripts' keep running"
KD=$(kg /D kdamond) KA=$(kg /A kdamond)
kill -TERM $DAEMON
wait $DAEMON
rc=$?
[ $rc = 0 ] || fail "hugepaged exited $rc"
running $KA && fail "A's kdamond still runs after SIGTERM"
running $KD && fail "D's kdamond still runs after SIGTERM"
[ "$(kpid 0)" = "$P0" ] && [ "$(kpid 1)" = "$P1" ] || fail "a script's kdamond was stopped"
[ ! -f $HP/run/damon-slots ] || fail "the claims file is left after StopFeedingOnExit=yes"
note "daemon log:"
sed 's/^/#   /' $LOG | tail -n 40
echo "damon_backend: all checks passed"
