# hugepaged under a real systemd (the Debian guest, tools/vm/sysimage), with
# THP enabled=never: the installed hugepaged.service reaches active through
# READY=1; two slices each run a service with a hot working set; a drop-in
# [X-Hugepage] on one slice plus daemon-reload feeds that slice, and only
# it, and its hot set is collapsed; systemctl reload applies a changed
# policy file; a killed daemon is restarted by systemd and adopts the
# module's groups without restarting their kdamonds; a service whose
# processes run with THP disabled is not fed, and says why; removing the
# drop-in stops feeding; hugepagectl status, policies and explain say so,
# as text and as JSON.
. /hp/tests/lib.sh
thp_set never

PROC=/proc/damon_hugepage
UNITS=/etc/systemd/system
CTL=hugepagectl

[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"

# kgroup PATH: the module's record of cgroup PATH, or nothing.
kgroup() { grep "^group=cgroup:$1 " $PROC; }
# kdamond PATH: the kdamond pid the module runs for PATH.
kdamond_of() { kgroup "$1" | sed -n 's/.* kdamond=\([0-9-]*\).*/\1/p'; }
running() { kgroup "$1" | grep -q ' state=running'; }
absent() { ! kgroup "$1" > /dev/null; }
decision() { $CTL explain --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decision"])'; }
is_decision() { [ "$(decision "$1")" = "$2" ]; }
show() { $CTL status; cat $PROC; journalctl -u hugepaged --no-pager -n 30; }
hp_journal() { journalctl -u hugepaged --no-pager -o cat; }
journal_has() { hp_journal | grep -q "$1"; }
journal_has_n() { [ "$(hp_journal | grep -c "$2")" -ge "$1" ]; }

# service NAME SLICE [PREFIX]: a service running hotcold (64 MiB hot, 64 MiB cold).
service() {
	cat > $UNITS/$1.service <<EOF
[Unit]
Description=hot working set $1

[Service]
Slice=$2
ExecStart=$3 /hp/bin/hotcold --hot 64 --cold 64 --ready /run/$1.ready
EOF
}
# regions NAME: sets PID, HOT_ADDR, HOT_LEN, COLD_ADDR, COLD_LEN of service NAME.
regions() {
	wait_for 60 test -s /run/$1.ready || fail "$1 did not become ready"
	PID=$(systemctl show -p MainPID --value $1.service)
	set -- $(cat /run/$1.ready)
	HOT_ADDR=$2 HOT_LEN=$3 COLD_ADDR=$5 COLD_LEN=$6
}

note "two slices, a service with a hot working set in each"
for s in alpha beta; do
	printf '[Unit]\nDescription=%s slice\n' $s > $UNITS/$s.slice
	service $s $s.slice
done
systemctl daemon-reload
systemctl start alpha.service beta.service || fail "cannot start the services"
regions alpha; A_PID=$PID A_HOT=$HOT_ADDR A_LEN=$HOT_LEN
regions beta; B_PID=$PID B_HOT=$HOT_ADDR B_LEN=$HOT_LEN
[ -d /sys/fs/cgroup/alpha.slice/alpha.service ] || fail "alpha.service is not in alpha.slice"

# Three busy loops on the two vCPUs of a TCG guest keep the system's CPU
# "some" pressure near 90%: over the default SystemCPULimit=80% for 30 s,
# which would pause every group halfway through.  Pressure has its own
# tests (hugepaged.sh); this one is about units.
mkdir -p /etc/hugepaged/hugepaged.conf.d
printf '[Pressure]\nSystemCPULimit=0%%\n' > /etc/hugepaged/hugepaged.conf.d/50-test.conf
# A short rescan, at which a lost system bus is connected again (below).
printf '[Daemon]\nRescanIntervalSec=5s\n' > /etc/hugepaged/hugepaged.conf.d/60-test.conf

note "hugepaged.service (running since the boot) restarts and reaches active through READY=1"
systemctl restart hugepaged.service || { systemctl status hugepaged --no-pager; fail "hugepaged.service did not start"; }
[ "$(systemctl is-active hugepaged.service)" = active ] || fail "hugepaged.service is $(systemctl is-active hugepaged.service)"
[ "$(systemctl show -p Type --value hugepaged.service)" = notify ] || fail "not Type=notify"
note "status: $(systemctl show -p StatusText --value hugepaged.service)"
wait_for 20 test -f /run/hugepaged/status || fail "no status file"
hp_journal | grep -q "reading \[X-Hugepage\] sections of systemd units" || { hp_journal; fail "the daemon does not read unit sections"; }
# The sandbox leaves it the writes it needs: the module's parameters, PSI triggers.
if hp_journal | grep -iE "permission denied|read-only file system|operation not permitted"; then
	fail "the sandbox refused something (above)"
fi
absent /alpha.slice && absent /beta.slice || fail "a slice is fed with no policy"
[ "$(decision alpha.slice)" = not-matched ] || fail "alpha.slice is $(decision alpha.slice) before any policy"
$CTL explain alpha.slice > /tmp/explain0.txt
grep -q '^/alpha.slice: not matched' /tmp/explain0.txt || { cat /tmp/explain0.txt; fail "explain before any policy"; }
grep -q 'no policy file matches it and its unit, if any, has no \[X-Hugepage\] section' /tmp/explain0.txt ||
	{ cat /tmp/explain0.txt; fail "explain does not say why"; }

note "a drop-in [X-Hugepage] on alpha.slice and daemon-reload feed alpha.slice, and only it"
mkdir -p $UNITS/alpha.slice.d
printf '[X-Hugepage]\nPriority=10\nMemoryPressureLimit=15%%\n' > $UNITS/alpha.slice.d/hugepage.conf
systemctl daemon-reload
wait_for 30 running /alpha.slice || { show; fail "alpha.slice not fed after daemon-reload"; }
note "alpha.slice fed ${WAITED}s after daemon-reload"
absent /beta.slice || fail "beta.slice is fed too"
A_KD=$(kdamond_of /alpha.slice)
wait_for 120 huge_at_least $A_PID $A_HOT $A_LEN 90 || { show; fail "alpha's hot set not collapsed: $(pct $A_PID $A_HOT $A_LEN)%"; }
note "alpha hot set $(pct $A_PID $A_HOT $A_LEN)% huge after ${WAITED}s; beta hot set $(pct $B_PID $B_HOT $B_LEN)%"
[ "$(pct $B_PID $B_HOT $B_LEN)" -eq 0 ] || fail "beta's hot set is in huge pages without a policy"

note "hugepagectl status, policies and explain"
$CTL status > /tmp/status.txt || { cat /tmp/status.txt; fail "hugepagectl status"; }
cat /tmp/status.txt
grep -q '^Group /alpha.slice$' /tmp/status.txt || fail "status: no group /alpha.slice"
grep -q '^  Decision: fed ' /tmp/status.txt || fail "status: alpha.slice not fed"
grep -q '^  Kernel: running, kdamond ' /tmp/status.txt || fail "status: no kernel line"
grep -q '^Group /beta.slice' /tmp/status.txt && fail "status lists beta.slice"
$CTL status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
g = {x["path"]: x for x in d["groups"]}
assert list(g) == ["/alpha.slice"], g
a = g["/alpha.slice"]
assert a["decision"] == "fed" and a["unit"] == "alpha.slice" and a["priority"] == 10, a
assert a["sources"] == ["/etc/systemd/system/alpha.slice.d/hugepage.conf"], a["sources"]
assert a["kernel"]["state"] == "running" and a["memory_limit_bp"] == 1500, a
assert a["anon_huge_bytes"] * 10 >= a["anon_bytes"] * 4, a
' || fail "status --json"
$CTL policies > /tmp/policies.txt || fail "hugepagectl policies"
cat /tmp/policies.txt
grep -q '^Unit sections: read' /tmp/policies.txt || fail "policies: unit sections"
grep -q '^alpha.slice (unit, loaded)$' /tmp/policies.txt || fail "policies: no alpha.slice"
grep -q '^  Files: /etc/systemd/system/alpha.slice.d/hugepage.conf$' /tmp/policies.txt || fail "policies: files"
grep -q '^  Settings: priority 10, min size 0 B, memory pressure limit 15.00%, tuning goal$' /tmp/policies.txt || fail "policies: settings"
grep -q '^  Groups: /alpha.slice (fed)$' /tmp/policies.txt || fail "policies: groups"
$CTL policies --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["units"] is True and d["policy_errors"] == 0, d
p = [x for x in d["policies"] if x["name"] == "alpha.slice"]
assert len(p) == 1 and p[0]["kind"] == "unit" and p[0]["groups"] == [{"path": "/alpha.slice", "decision": "fed"}], p
' || fail "policies --json"
$CTL explain alpha.slice > /tmp/explain.txt || fail "hugepagectl explain"
cat /tmp/explain.txt
grep -q '^/alpha.slice: fed$' /tmp/explain.txt || fail "explain: not fed"
grep -q '^  Policy: alpha.slice (\[X-Hugepage\] of unit alpha.slice), priority 10$' /tmp/explain.txt || fail "explain: policy"
grep -q '^  Kernel: running, kdamond ' /tmp/explain.txt || fail "explain: kernel"
[ "$(decision /beta.slice)" = not-matched ] || fail "beta.slice is $(decision /beta.slice)"

note "systemctl reload applies a changed policy file: beta.slice at priority 20"
mkdir -p /etc/hugepaged/policies.d
printf '[Match]\nSlice=beta.slice\n[Policy]\nPriority=20\n' > /etc/hugepaged/policies.d/50-beta.conf
systemctl reload hugepaged.service || { show; fail "systemctl reload failed"; }
# ExecReload= is hugepagectl reload: the reload is applied when it returns.
grep -q '^policy name=50-beta.conf kind=file state=loaded ' /run/hugepaged/status || fail "50-beta.conf not loaded when reload returned"
wait_for 20 running /beta.slice || { show; fail "beta.slice not fed after systemctl reload"; }
wait_for 10 running /alpha.slice || { show; fail "alpha.slice stopped by the reload"; }
[ "$(kdamond_of /alpha.slice)" = "$A_KD" ] || fail "the reload restarted alpha's kdamond"
wait_for 120 huge_at_least $B_PID $B_HOT $B_LEN 90 || { show; fail "beta's hot set not collapsed once fed"; }
note "beta hot set $(pct $B_PID $B_HOT $B_LEN)% huge ${WAITED}s after the reload"

note "a killed daemon is restarted by systemd and adopts the module's groups"
OLD=$(systemctl show -p MainPID --value hugepaged.service)
A_KD=$(kdamond_of /alpha.slice) B_KD=$(kdamond_of /beta.slice)
RESTARTS=$(systemctl show -p NRestarts --value hugepaged.service)
systemctl kill -s KILL hugepaged.service
wait_for 30 sh -c "[ \"\$(systemctl show -p NRestarts --value hugepaged.service)\" = $((RESTARTS + 1)) ] && systemctl is-active -q hugepaged.service" ||
	{ systemctl status hugepaged --no-pager; fail "hugepaged not restarted"; }
NEW=$(systemctl show -p MainPID --value hugepaged.service)
[ "$NEW" != "$OLD" ] || fail "same MainPID after the kill"
note "restarted ${WAITED}s after SIGKILL (pid $OLD -> $NEW)"
wait_for 20 sh -c "journalctl -u hugepaged -o cat _PID=$NEW | grep -q '/alpha.slice: already fed by the module, adopting'" ||
	{ hp_journal | tail -20; fail "the new daemon did not adopt alpha.slice"; }
sleep 3
[ "$(kdamond_of /alpha.slice)" = "$A_KD" ] && [ "$(kdamond_of /beta.slice)" = "$B_KD" ] ||
	{ cat $PROC; fail "kdamonds restarted (alpha $A_KD -> $(kdamond_of /alpha.slice), beta $B_KD -> $(kdamond_of /beta.slice))"; }
[ "$(grep -c '^group=cgroup:/alpha.slice ' $PROC)" = 1 ] || fail "alpha.slice fed twice"

note "a service whose processes run with THP disabled is not fed"
service gamma alpha.slice /hp/bin/thpoff
sed -i 's/^Slice=alpha.slice/Slice=gamma.slice/' $UNITS/gamma.service
printf '[Unit]\nDescription=gamma slice\n\n[X-Hugepage]\nPriority=30\n' > $UNITS/gamma.slice
systemctl daemon-reload
systemctl start gamma.service
regions gamma
grep -q '^THP_enabled:[[:space:]]*0' /proc/$PID/status || fail "thpoff did not disable THP"
wait_for 20 is_decision gamma.slice thp-disabled ||
	{ show; fail "gamma.slice is $(decision gamma.slice)"; }
$CTL explain gamma.slice > /tmp/explain-gamma.txt
cat /tmp/explain-gamma.txt
grep -q '^  Why: huge pages are disabled for all 1 of its processes' /tmp/explain-gamma.txt || fail "explain does not say why gamma is not fed"
absent /gamma.slice || fail "gamma.slice fed to the module"

note "removing the drop-in and daemon-reload stop feeding alpha.slice"
rm -r $UNITS/alpha.slice.d
systemctl daemon-reload
wait_for 30 absent /alpha.slice || { show; fail "alpha.slice still fed"; }
note "alpha.slice dropped ${WAITED}s after daemon-reload"
# Committing the smaller list may show beta's group between states for a moment.
wait_for 10 running /beta.slice || { show; fail "beta.slice stopped too"; }
[ "$(decision alpha.slice)" = not-matched ] || fail "alpha.slice is $(decision alpha.slice)"

note "dbus restarted: the daemon connects again and follows systemd as before"
CONNECTED=$(hp_journal | grep -c "reading \[X-Hugepage\] sections of systemd units")
systemctl restart dbus.service || fail "cannot restart dbus"
wait_for 30 journal_has "lost the system bus, connecting again" || { hp_journal | tail; fail "the daemon did not notice"; }
wait_for 30 journal_has_n $((CONNECTED + 1)) "reading \[X-Hugepage\] sections of systemd units" ||
	{ hp_journal | tail; fail "the daemon did not connect again"; }
mkdir -p $UNITS/alpha.slice.d
printf '[X-Hugepage]\nPriority=10\n' > $UNITS/alpha.slice.d/hugepage.conf
systemctl daemon-reload
wait_for 30 running /alpha.slice || { show; fail "alpha.slice not fed after dbus restarted"; }
note "alpha.slice fed again ${WAITED}s after daemon-reload"

# Lookups are asynchronous: none waited for systemd until the bus timed out.
if hp_journal | grep -E "cannot ask systemd for its unit.*(timed out|Timer expired)"; then
	journalctl -b -o short-monotonic --no-pager | grep -E "hugepaged|dbus|Reload|systemd\[1\]: (Start|Stopp)" |
		tail -n 80 | sed 's/^/#   journal: /'
	fail "a unit lookup timed out (above)"
fi
note "systemd lookups: $(hp_journal | grep -c 'cannot ask systemd for its unit') failed, none timed out"

note "systemctl stop: the daemon stops the module's groups (StopFeedingOnExit=yes)"
systemctl stop hugepaged.service
grep -q '^# damon_hugepage 1 enabled=N' $PROC || { cat $PROC; fail "the module still runs after stop"; }
note "systemd-analyze security: $(systemd-analyze security hugepaged.service 2>/dev/null | tail -n 1)"
note "pass"
