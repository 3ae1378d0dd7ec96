#!/bin/sh
# The systemd guest (tools/vm/sysimage, tools/vm/run --disk): systemd is
# PID 1 and the boot finished without failed units; cgroup v2 with the
# memory controller down to system.slice and PSI; systemd-run puts a
# service in its own cgroup; the hugepaged package is installed, its unit
# enabled and, with the module in this kernel, running since the boot; the
# shipped configuration checks, and hugepaged.service, with its whole
# sandbox, feeds a matching service's cgroup to damon_hugepage once a
# policy is there and it is reloaded (it writes the module's parameters
# and memory.pressure) without a permission error in its journal.
. /hp/tests/lib.sh

note "PID 1: $(readlink /proc/1/exe)"
[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"

# The command starts once multi-user.target is reached; the boot may
# still finish other jobs.
state=$(timeout 60 systemctl is-system-running --wait)
note "system state: $state (at $(uptime_s) s)"
failed=$(systemctl list-units --failed --plain --no-legend | cut -d ' ' -f 1 | tr '\n' ' ')
case $state in
running) ;;
degraded) note "failed units: $failed"
	for u in $failed; do
		systemctl status --no-pager --lines=10 "$u" | sed 's/^/#   /'
	done ;;
*) fail "systemctl is-system-running: '$state'" ;;
esac
note "units started: $(systemctl list-units --state=active --plain --no-legend | wc -l)"
systemd-analyze 2>/dev/null | sed 's/^/# /'

grep -q '^cgroup2 /sys/fs/cgroup cgroup2 ' /proc/mounts || fail "cgroup2 is not mounted on /sys/fs/cgroup"
note "root cgroup controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
grep -qw memory /sys/fs/cgroup/system.slice/cgroup.controllers ||
	fail "memory controller not enabled for system.slice: $(cat /sys/fs/cgroup/system.slice/cgroup.controllers)"
[ -f /sys/fs/cgroup/system.slice/memory.current ] || fail "no system.slice/memory.current"
[ -f /proc/pressure/memory ] || fail "no /proc/pressure/memory"
[ -f /sys/fs/cgroup/system.slice/memory.pressure ] || fail "no system.slice/memory.pressure"

note "systemd-run: a service in test.slice"
systemd-run --quiet --unit=smoke-sleep --slice=test.slice sleep 100 || fail "systemd-run failed"
cg=/sys/fs/cgroup/test.slice/smoke-sleep.service
wait_for 10 grep -q . $cg/cgroup.procs || fail "$cg has no process"
pid=$(cat $cg/cgroup.procs)
[ "$(cat /proc/$pid/comm)" = sleep ] || fail "$cg holds $(cat /proc/$pid/comm), not sleep"

note "the hugepaged package is installed, its unit enabled and running"
[ "$(dpkg-query -W -f='${db:Status-Abbrev}' hugepaged | tr -d ' ')" = ii ] || fail "the hugepaged package is not installed"
[ "$(command -v hugepaged)" = /usr/sbin/hugepaged ] || fail "hugepaged is '$(command -v hugepaged)', not /usr/sbin/hugepaged"
[ "$(command -v hugepagectl)" = /usr/bin/hugepagectl ] || fail "hugepagectl is '$(command -v hugepagectl)', not /usr/bin/hugepagectl"
[ -f /etc/hugepaged/hugepaged.conf ] || fail "no /etc/hugepaged/hugepaged.conf"
systemctl cat hugepaged.service > /dev/null || fail "no hugepaged.service"
[ "$(systemctl is-enabled hugepaged.service)" = enabled ] ||
	fail "hugepaged.service is $(systemctl is-enabled hugepaged.service), not enabled by the package"
[ "$(systemctl is-active hugepaged.service)" = active ] || {
	journalctl --no-pager -u hugepaged | tail -n 30 | sed 's/^/#   /'
	fail "hugepaged.service is $(systemctl is-active hugepaged.service) after the boot"
}
hugepaged --check-config || fail "hugepaged --check-config"

note "hugepaged.service feeds test.slice's services once reloaded with a policy"
printf '[Match]\nCgroupPath=/test.slice/*.service\n[Policy]\nPriority=10\n' > /etc/hugepaged/policies.d/50-smoke.conf
systemctl reload hugepaged.service || {
	journalctl --no-pager -u hugepaged | tail -n 30 | sed 's/^/#   /'
	fail "systemctl reload hugepaged.service failed"
}
fed() { [ "$(cat $HP_PARAMS/cgroups)" = /test.slice/smoke-sleep.service ]; }
wait_for 30 fed || {
	journalctl --no-pager -u hugepaged | tail -n 30 | sed 's/^/#   /'
	fail "the module's cgroups is '$(cat $HP_PARAMS/cgroups)', not /test.slice/smoke-sleep.service"
}
note "fed after ${WAITED} s: $(cat $HP_PARAMS/cgroups), enabled=$(cat $HP_PARAMS/enabled)"
hp_field cgroup:/test.slice/smoke-sleep.service state | grep -q . ||
	fail "no record of the group in /proc/damon_hugepage: $(cat /proc/damon_hugepage)"
systemctl show -p StatusText --value hugepaged.service | sed 's/^/# status: /'
hugepagectl status | sed 's/^/#   /'
systemctl stop hugepaged.service || fail "systemctl stop hugepaged.service failed"
journalctl --no-pager -o cat -u hugepaged | sed 's/^/#   journal: /'
if journalctl --no-pager -o cat -u hugepaged | grep -Ei 'denied|not permitted|read-only|EACCES|EPERM|EROFS'; then
	fail "hugepaged's journal shows a permission error (its sandbox)"
fi
[ "$(cat $HP_PARAMS/cgroups)" = "" ] || fail "the group is still fed after the daemon stopped: $(cat $HP_PARAMS/cgroups)"

systemctl stop smoke-sleep.service
echo "PASS"
