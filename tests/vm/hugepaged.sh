#!/bin/sh
# hugepaged against the real module (THP enabled=never): three matching
# cgroups under a kdamond limit of two, a higher-priority newcomer, a fed
# cgroup removed, memory pressure in a fed cgroup (paused, then resumed),
# a broken policy file, SIGHUP reloads (a good one applies, a broken one
# keeps the old configuration), system-wide pressure pausing everything,
# and hugepagectl's readout of it all.
. /hp/tests/lib.sh
thp_set never
swap_on 512

HP=/tmp/hp
mkdir -p $HP/policies.d $HP/run
STATUS=$HP/run/status
LOG=$HP/log
# On failure, the daemon's log says what it saw.
fail() {
	echo "FAIL: $*"
	[ -f $LOG ] && tail -n 60 $LOG | sed 's/^/#   log: /'
	exit 1
}

cat > $HP/hugepaged.conf <<'CONF'
[Daemon]
KdamondLimit=2
RefreshIntervalSec=2
ResumeDelaySec=3
HoldSec=0
[Pressure]
# Off for now: the pressure made in c1 below is system-wide too.
SystemMemoryLimit=0%
SystemCPULimit=0%
[Tuning]
Tuning=goal
CONF
policy() {	# policy FILE PATH PRIORITY [MORE LINES]
	f=$1 p=$2 prio=$3
	shift 3
	{
		printf '[Match]\nCgroupPath=%s\n[Policy]\nPriority=%s\n' "$p" "$prio"
		for l in "$@"; do echo "$l"; done
	} > $HP/policies.d/$f
}
policy 10-c1.conf /c1 30 MemoryPressureLimit=10% MemoryPressureDurationSec=1s
policy 20-c2.conf /c2 20
policy 30-c3.conf /c3 10
policy 40-new.conf '/new*' 50
printf '[Match]\nCgroupPath=/c9\n[Policy]\nPriority=high\n' > $HP/policies.d/50-broken.conf

fed() { cat /sys/module/damon_hugepage/parameters/cgroups; }
fed_is() { [ "$(fed)" = "$1" ]; }
decision() {	# decision PATH: the daemon's decision on PATH
	sed -n "s|^group path=$1 .* decision=\([^ ]*\) .*|\1|p" $STATUS
}
decision_is() { [ "$(decision $1)" = "$2" ]; }
show() { note "fed: $(fed)"; grep '^group' $STATUS | sed 's/^/#   /'; }
log_has() { grep -q -- "$1" $LOG; }

# Workloads: c1's in a leaf (c1 gets a second leaf for the hog later, and
# cgroup v2 keeps processes out of inner cgroups with controllers).
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/c1/work /sys/fs/cgroup/c2 /sys/fs/cgroup/c3
echo +memory > /sys/fs/cgroup/c1/cgroup.subtree_control
HP_CGROUP=/c1/work spawn_hotcold 16 16
C1_PID=$PID C1_HOT=$HOT_ADDR C1_LEN=$HOT_LEN
HP_CGROUP=/c2 spawn_hotcold 16 16
C2_PID=$PID C2_HOT=$HOT_ADDR C2_LEN=$HOT_LEN
HP_CGROUP=/c3 spawn_hotcold 16 16
C3_PID=$PID C3_HOT=$HOT_ADDR C3_LEN=$HOT_LEN

hugepaged --debug --config $HP/hugepaged.conf --policy-dir $HP/policies.d --run-dir $HP/run > $LOG 2>&1 &
DAEMON=$!
wait_for 30 test -f $STATUS || { cat $LOG; fail "no status file"; }

note "a broken policy file is reported with its line, the rest loads"
log_has "50-broken.conf:4: bad value Priority=high" || { cat $LOG; fail "the broken policy was not reported with file and line"; }
kill -0 $DAEMON || fail "the daemon died"

note "limit 2: c1 (30) and c2 (20) fed, c3 (10) refused"
wait_for 20 fed_is /c1,/c2 || { show; fail "fed $(fed), not /c1,/c2"; }
wait_for 10 decision_is /c3 refused || { show; fail "c3 is $(decision /c3)"; }
grep -q '^group path=/c3 .*reason=kdamond limit 2 reached' $STATUS || fail "c3's reason does not name the limit"
show
wait_for 120 huge_at_least $C1_PID $C1_HOT $C1_LEN 90 || fail "c1's hot set not collapsed"
note "c1's hot set ${WAITED}s to 90%"
wait_for 120 huge_at_least $C2_PID $C2_HOT $C2_LEN 90 || fail "c2's hot set not collapsed"
c3=$(pct $C3_PID $C3_HOT $C3_LEN)
[ "$c3" -eq 0 ] || fail "c3 (refused) has ${c3}% in huge pages"
[ "$(hp_field cgroup:/c1 state)" = running ] || fail "the kernel does not run c1"

note "hugepagectl joins the daemon's view and the kernel's"
hugepagectl --status-file $STATUS status > $HP/ctl.txt || { cat $HP/ctl.txt; fail "hugepagectl status failed"; }
sed 's/^/#   /' $HP/ctl.txt
grep -q '^Group /c3' $HP/ctl.txt || fail "no block for c3"
grep -A1 '^Group /c1' $HP/ctl.txt | grep -q 'Decision: fed' || fail "c1 not shown fed"
grep -A1 '^Group /c3' $HP/ctl.txt | grep -q 'Decision: refused' || fail "c3 not shown refused"
# The kernel's record reads the group's memory once per refresh interval:
# a hot set collapsed within one is not in it yet.
kernel_has_huge() { [ "$(hp_field cgroup:/c1 anon_huge_bytes)" -gt 0 ] 2>/dev/null; }
wait_for 20 kernel_has_huge || fail "the kernel's record of c1 shows no huge page 20 s after its hot set was collapsed: $(hp_field cgroup:/c1 anon_huge_bytes)"
note "the kernel's record showed c1's huge pages ${WAITED}s after smaps did"
hugepagectl --status-file $STATUS status --json > $HP/ctl.json || fail "hugepagectl --json failed"
python3 - $HP/ctl.json <<'PY' || fail "hugepagectl --json does not say what the kernel runs"
import json, sys
d = json.load(open(sys.argv[1]))
g = {x["path"]: x for x in d["groups"]}
assert g["/c1"]["decision"] == "fed", g["/c1"]
assert g["/c1"]["kernel"]["state"] == "running", g["/c1"]
assert g["/c1"]["kernel"]["anon_huge_bytes"] > 0, g["/c1"]
assert g["/c3"]["decision"] == "refused" and g["/c3"]["kernel"] is None, g["/c3"]
PY

note "a new cgroup under a higher-priority policy takes a slot"
mkdir /sys/fs/cgroup/new1
HP_CGROUP=/new1 spawn_hotcold 16 16
NEW_PID=$PID
wait_for 20 fed_is /new1,/c1 || { show; fail "fed $(fed), not /new1,/c1"; }
note "new1 fed ${WAITED}s after its process started"
decision_is /c2 refused || { show; fail "c2 is $(decision /c2), not refused"; }

note "a fed cgroup removed is dropped, and its slot goes back to c2"
kill $NEW_PID
wait $NEW_PID 2>/dev/null
wait_for 10 rmdir /sys/fs/cgroup/new1 || fail "cannot remove new1"
wait_for 20 fed_is /c1,/c2 || { show; fail "fed $(fed) after new1 went"; }
# The slot may have come back before the rmdir (new1 emptied): wait for the status to follow.
wait_for 20 sh -c "! grep -q '^group path=/new1 ' $STATUS" || fail "new1 still in the status"
log_has "/new1: dropped (cgroup removed)" || fail "new1's removal not logged"

note "memory pressure in c1 pauses it; c3 gets the slot; c1 resumes after"
pressure_start /c1/hog 48 96
wait_for 60 decision_is /c1 paused || { show; cat /sys/fs/cgroup/c1/memory.pressure; fail "c1 not paused"; }
note "c1 paused ${WAITED}s after the hog wrote its memory"
show
wait_for 20 fed_is /c2,/c3 || { show; fail "fed $(fed) while c1 is paused"; }
grep -q '^group path=/c1 .*reason=memory pressure some' $STATUS || fail "c1's reason is not its pressure"
pressure_stop
wait_for 90 fed_is /c1,/c2 || { show; cat /sys/fs/cgroup/c1/memory.pressure; fail "c1 not resumed"; }
note "c1 resumed ${WAITED}s after the hog stopped"

note "SIGHUP with a broken edit of a policy keeps that policy's previous version"
cp $HP/policies.d/30-c3.conf $HP/30-c3.good
printf '[Match]\nCgroupPath=/c3\n[Policy]\nPriority=100\nMinSize=lots\n' > $HP/policies.d/30-c3.conf
# hugepagectl reload: SIGHUP, and back once the daemon has applied it.
hugepagectl --status-file $STATUS reload --timeout 20 > $HP/reload.txt || { cat $HP/reload.txt; fail "hugepagectl reload failed"; }
grep -q '^hugepaged reloaded: .* with errors' $HP/reload.txt || { cat $HP/reload.txt; fail "reload did not report the broken policy"; }
grep -q '^policy name=30-c3.conf kind=file state=kept ' $STATUS || fail "the status does not show 30-c3.conf as kept"
log_has "30-c3.conf: keeping the previous version" || fail "the broken policy did not keep its previous version"
log_has "30-c3.conf:5: bad value MinSize=lots" || fail "the broken reload does not name the line"
sleep 2
fed_is /c1,/c2 || fail "fed $(fed) after a refused reload"

note "SIGHUP with a changed policy applies it: c3 at priority 100"
policy 30-c3.conf /c3 100
kill -HUP $DAEMON
wait_for 20 fed_is /c3,/c1 || { show; fail "fed $(fed) after the reload"; }
decision_is /c2 refused || fail "c2 is $(decision /c2) after the reload"
wait_for 120 huge_at_least $C3_PID $C3_HOT $C3_LEN 90 || fail "c3's hot set not collapsed once fed"

note "system memory pressure pauses every group"
sed -i 's/^SystemMemoryLimit=0%/SystemMemoryLimit=5%/; s/^\[Pressure\]/[Pressure]\nSystemMemoryDurationSec=1s/' $HP/hugepaged.conf
kill -HUP $DAEMON
sleep 2
fed_is /c3,/c1 || fail "fed $(fed) after enabling the system limit"
pressure_start /hog 48 96
wait_for 60 fed_is "" || { show; cat /proc/pressure/memory; fail "still feeding $(fed) under system pressure"; }
note "all paused ${WAITED}s after the hog wrote its memory"
decision_is /c2 system-paused || fail "c2 is $(decision /c2)"
grep -q '^daemon .*system=paused .*reason=system memory pressure' $STATUS || fail "the status does not say why"
pressure_stop
wait_for 90 fed_is /c3,/c1 || { show; cat /proc/pressure/memory; fail "not resumed after the system pressure"; }
note "resumed ${WAITED}s after the hog stopped"

note "SIGTERM stops the daemon and, by default, the module's groups"
kill -TERM $DAEMON
gone() { ! kill -0 $DAEMON 2>/dev/null; }
wait_for 30 gone || {
	note "still running: wchan $(cat /proc/$DAEMON/wchan) $(grep State /proc/$DAEMON/status)"
	cat /proc/$DAEMON/stack 2>/dev/null
	ps
	fail "hugepaged did not stop within 30 s of SIGTERM"
}
wait $DAEMON
rc=$?
[ $rc = 0 ] || fail "hugepaged exited $rc"
[ "$(cat /sys/module/damon_hugepage/parameters/enabled)" = N ] || fail "the module still runs"
fed_is "" || fail "cgroups still set: $(fed)"
note "daemon log:"
sed 's/^/#   /' $LOG | tail -n 40
echo "hugepaged: all checks passed"
